import { describe, expect, test } from "bun:test";
import {
  base64DecodedSize,
  byRole,
  checkChatContent,
  checkEmbedContent,
  checkGenerateContent,
} from "./content.ts";

const limits = { maxPrompt: 10, maxImages: 2, maxImageSize: 6 };
const thrown = (f: () => void) => {
  try {
    f();
  } catch (e) {
    return e as Error & { status: number; param?: string };
  }
  throw new Error("did not throw");
};

describe("content limits", () => {
  test("base64 decoded size from the length and padding", () => {
    expect(base64DecodedSize("")).toBe(0);
    expect(base64DecodedSize("QQ==")).toBe(1);
    expect(base64DecodedSize("QUE=")).toBe(2);
    expect(base64DecodedSize("QUFB")).toBe(3);
    expect(base64DecodedSize(btoa("x".repeat(1000)))).toBe(1000);
  });

  test("prompt, system, suffix and template are counted in UTF-8 bytes", () => {
    checkGenerateContent(limits, { prompt: "0123456789", system: "ok" });
    const e = thrown(() => checkGenerateContent(limits, { prompt: "ok", suffix: "ééééé é" }));
    expect(e.status).toBe(413);
    expect(e.message).toBe("suffix is 13 bytes, larger than the 10 bytes limit (TSLLM_MAX_PROMPT)");
    expect(e.param).toBe("suffix");
  });

  test("images: count is a 400, decoded size a 413", () => {
    checkGenerateContent(limits, { images: ["QUFBQUFB", "QQ=="] });
    const many = thrown(() => checkGenerateContent(limits, { images: ["QQ==", "QQ==", "QQ=="] }));
    expect(many.status).toBe(400);
    expect(many.message).toBe("request has 3 images, more than the limit of 2 (TSLLM_MAX_IMAGES)");
    const big = thrown(() => checkGenerateContent(limits, { images: ["QQ==", "QUFBQUFBQUFB"] }));
    expect(big.status).toBe(413);
    expect(big.message).toBe(
      "images[1] is 9 bytes decoded, larger than the 6 bytes limit (TSLLM_MAX_IMAGE_SIZE)",
    );
  });

  test("chat: each message's content and thinking; images counted across messages", () => {
    checkChatContent(limits, [
      { role: "user", content: "0123456789", images: ["QQ=="] },
      { role: "assistant", content: "", thinking: "short" },
    ]);
    const e = thrown(() =>
      checkChatContent(limits, [
        { role: "user", content: "a" },
        { role: "user", content: "x".repeat(11) },
      ]),
    );
    expect(e.message).toBe(
      "messages[1].content is 11 bytes, larger than the 10 bytes limit (TSLLM_MAX_PROMPT)",
    );
    expect(e.param).toBe("messages[1].content");
    const count = thrown(() =>
      checkChatContent(limits, [
        { role: "user", images: ["QQ==", "QQ=="] },
        { role: "user", images: ["QQ=="] },
      ]),
    );
    expect(count.status).toBe(400);
    const byName = thrown(() =>
      checkChatContent(limits, [{ role: "system", content: "x".repeat(20) }], byRole),
    );
    expect(byName.message).toStartWith("a system message's content is 20 bytes");
    const img = thrown(() => checkChatContent(limits, [{ role: "user", images: ["QUFBQUFBQUFB"] }]));
    expect(img.message).toStartWith("messages[0].images[0] is 9 bytes decoded");
  });

  test("embedding input: all texts together; token ids are not text", () => {
    checkEmbedContent(limits, ["01234", "56789"]);
    checkEmbedContent(limits, [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]);
    const e = thrown(() => checkEmbedContent(limits, ["012345", "6789ab"]));
    expect(e.message).toBe(
      "input (all texts together) is 12 bytes, larger than the 10 bytes limit (TSLLM_MAX_PROMPT)",
    );
    expect(thrown(() => checkEmbedContent(limits, "x".repeat(11), "prompt")).message).toStartWith(
      "prompt is 11",
    );
  });
});
