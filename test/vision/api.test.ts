/**
 * Images end to end through a real serve: a model created from a model GGUF plus a projector GGUF has the
 * vision capability, an image sent through Ollama's chat and generate, OpenAI's chat and Anthropic's messages
 * reaches the runner (its tokens in prompt_eval_count, deterministic output), a repeat reuses the encoded image,
 * and bad images are clear 400s before any runner sees them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { createRequest } from "../../src/cli/create.ts";
import { imageTokens } from "../../src/gguf/synth/projector.ts";
import { parseModelfile } from "../../src/modelfile/index.ts";
import { models as fixtures, GREEDY } from "../api/helpers.ts";
import { visionModel } from "../fixtures/models.ts";
import { imageCounts, startVisionServer, type VisionServer } from "./api-server.ts";
import { buildVisionExtras } from "./helpers.ts";
import { hugePng, smallPng, tiny } from "./image-files.ts";
import { corruptPng } from "./images.ts";

const extras = buildVisionExtras();
const skip = "skip" in extras ? extras.skip : null;
if (skip) console.warn(`vision API tests skipped: ${skip}`);

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const OPTIONS = { ...GREEDY, num_predict: 6, num_ctx: 1024 };

describe.skipIf(skip !== null)("vision through serve's APIs", () => {
  let s: VisionServer;
  const image = b64(smallPng(32, 32, 1));

  beforeAll(async () => {
    const files = await visionModel();
    s = await startVisionServer();
    const [model, projector, text] = await Promise.all([
      s.upload(files.model),
      s.upload(files.projector),
      fixtures.chat().then((p) => s.upload(p)),
    ]);
    for (const [name, files] of [
      ["vision", { "model.gguf": model, "mmproj.gguf": projector }],
      ["text", { "model.gguf": text }],
    ] as const) {
      const r = await s.request("/api/create", { model: name, files, stream: false });
      expect([r.status, (await r.json()).status]).toEqual([200, "success"]);
    }
  });
  afterAll(() => s?.stop());

  const chat = (messages: unknown[], model = "vision") =>
    s.request("/api/chat", { model, messages, stream: false, options: OPTIONS });

  test("a model GGUF plus a projector GGUF: a projector layer and the vision capability", async () => {
    const show = await (await s.request("/api/show", { model: "vision" })).json();
    expect(show.capabilities).toContain("vision");
    expect(show.projector_info["general.architecture"]).toBe("clip");
    const tags = await (await s.request("/api/tags", undefined, "GET")).json();
    const caps = Object.fromEntries(
      tags.models.map((m: { name: string; capabilities: string[] }) => [m.name, m.capabilities]),
    );
    expect(caps["vision:latest"]).toContain("vision");
    expect(caps["text:latest"]).not.toContain("vision");
  });

  test("a Modelfile with two FROM lines, as the CLI sends it, creates the same", async () => {
    const files = await visionModel();
    const mf = parseModelfile(`FROM ${files.model}\nFROM ${files.projector}\n`);
    const { body, blobs } = await createRequest(mf, dirname(files.model), "vision-mf");
    for (const b of blobs) await s.upload(b.path);
    const r = await s.request("/api/create", { ...body, stream: false });
    expect(r.status).toBe(200);
    const show = await (await s.request("/api/show", { model: "vision-mf" })).json();
    expect(show.capabilities).toContain("vision");
    expect(show.modelfile).toMatch(/FROM .*\nFROM .*sha256-/);
  });

  test("/api/chat: the image's tokens count, output is deterministic, a second turn reuses the image", async () => {
    const question = { role: "user", content: "What is in this picture?" };
    const plain = await (await chat([question])).json();
    const first = await chat([{ ...question, images: [image] }]);
    expect(first.status).toBe(200);
    const a = await first.json();
    expect(a.prompt_eval_count).toBe(plain.prompt_eval_count + imageTokens());
    const again = await (await chat([{ ...question, images: [image] }])).json();
    expect(again.message.content).toBe(a.message.content);
    expect(again.eval_count).toBe(a.eval_count);
    // Ollama's wire shape carries no image counts.
    expect(Object.keys(a).filter((k) => k.includes("image"))).toEqual([]);

    const turn2 = await chat([
      { ...question, images: [image] },
      { role: "assistant", content: a.message.content },
      { role: "user", content: "And the colours?" },
    ]);
    expect(turn2.status).toBe(200);
    const counts = imageCounts(s.lines);
    expect(counts[0]).toEqual({ encoded: 1, cached: 0 });
    expect(counts.at(-1)).toEqual({ encoded: 0, cached: 1 });
  });

  test("/api/generate with images, and a WebP converted for the runner", async () => {
    const gen = (images?: string[]) =>
      s.request("/api/generate", {
        model: "vision",
        prompt: "Describe.",
        images,
        stream: false,
        options: OPTIONS,
      });
    const plain = await (await gen()).json();
    const png = await (await gen([image])).json();
    expect(png.prompt_eval_count).toBe(plain.prompt_eval_count + imageTokens());
    const webp = await gen([b64(tiny.webpLossy)]);
    expect(webp.status).toBe(200);
    expect((await webp.json()).prompt_eval_count).toBe(plain.prompt_eval_count + imageTokens());
    const two = await (await gen([image, b64(smallPng(16, 16, 3))])).json();
    expect(two.prompt_eval_count).toBe(plain.prompt_eval_count + 2 * imageTokens());
  });

  test("OpenAI chat: image_url data URLs reach the runner; remote URLs are refused", async () => {
    const body = (url?: string) => ({
      model: "vision",
      max_tokens: 4,
      temperature: 0,
      seed: 1,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            ...(url ? [{ type: "image_url", image_url: { url } }] : []),
          ],
        },
      ],
    });
    const plain = await (await s.request("/v1/chat/completions", body())).json();
    const r = await s.request("/v1/chat/completions", body(`data:image/png;base64,${image}`));
    expect(r.status).toBe(200);
    expect((await r.json()).usage.prompt_tokens).toBe(plain.usage.prompt_tokens + imageTokens());
    const remote = await s.request("/v1/chat/completions", body("https://example.com/cat.png"));
    expect(remote.status).toBe(400);
    expect((await remote.json()).error.message).toContain("does not fetch remote content");
  });

  test("OpenAI responses: input_image data URLs reach the runner", async () => {
    const body = (url?: string) => ({
      model: "vision",
      max_output_tokens: 4,
      temperature: 0,
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "What is this?" },
            ...(url ? [{ type: "input_image", image_url: url }] : []),
          ],
        },
      ],
    });
    const plain = await (await s.request("/v1/responses", body())).json();
    const r = await s.request("/v1/responses", body(`data:image/png;base64,${image}`));
    expect(r.status).toBe(200);
    expect((await r.json()).usage.input_tokens).toBe(plain.usage.input_tokens + imageTokens());
  });

  test("Anthropic messages: base64 image blocks reach the runner; url sources are refused", async () => {
    const body = (source?: Record<string, unknown>) => ({
      model: "vision",
      max_tokens: 4,
      messages: [
        {
          role: "user",
          content: [...(source ? [{ type: "image", source }] : []), { type: "text", text: "What is this?" }],
        },
      ],
    });
    const headers = { "anthropic-version": "2023-06-01" };
    const plain = await (await s.request("/v1/messages", body(), "POST", headers)).json();
    const r = await s.request(
      "/v1/messages",
      body({ type: "base64", media_type: "image/png", data: image }),
      "POST",
      headers,
    );
    expect(r.status).toBe(200);
    const used = (await r.json()).usage.input_tokens;
    expect(used).toBe(plain.usage.input_tokens + imageTokens());
    const { max_tokens: _, ...counted } = body({ type: "base64", media_type: "image/png", data: image });
    const count = await s.request("/v1/messages/count_tokens", counted, "POST", headers);
    expect((await count.json()).input_tokens).toBe(used);
    const remote = await s.request(
      "/v1/messages",
      body({ type: "url", url: "https://example.com/cat.png" }),
      "POST",
      headers,
    );
    expect(remote.status).toBe(400);
    expect((await remote.json()).error.message).toContain("not supported");
  });

  test("a text-only model refuses images with Ollama's error", async () => {
    const r = await chat([{ role: "user", content: "hi", images: [image] }], "text");
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe("registry.ollama.ai/library/text:latest does not support vision");
  });

  test("corrupt and unsupported images are 400s naming the image", async () => {
    const png = smallPng();
    const cases: [string, string][] = [
      [
        b64(png.subarray(0, png.length - 16)),
        "messages[0].images[0]: corrupt PNG image: truncated (no IEND chunk)",
      ],
      [b64(new TextEncoder().encode("II*\0 a tiff")), "messages[0].images[0]: unsupported image format"],
      [b64(tiny.webpAnimated), "messages[0].images[0]: animated WebP images are not supported"],
    ];
    for (const [data, message] of cases) {
      const r = await chat([{ role: "user", content: "hi", images: [data] }]);
      expect(r.status).toBe(400);
      expect((await r.json()).error).toStartWith(message);
    }
    // A sound header over garbage pixel data: only decoding finds it, in the runner; still a 400, also streamed.
    for (const stream of [false, true]) {
      const r = await s.request("/api/chat", {
        model: "vision",
        stream,
        options: OPTIONS,
        messages: [{ role: "user", content: "hi", images: [b64(corruptPng())] }],
      });
      expect(r.status).toBe(400);
      expect((await r.json()).error).toMatch(/could not be decoded/);
    }
    const ok = await chat([{ role: "user", content: "hi", images: [image] }]);
    expect(ok.status).toBe(200);
  });

  test("more images than the context holds: a clear 400", async () => {
    const r = await s.request("/api/chat", {
      model: "vision",
      stream: false,
      options: { ...OPTIONS, num_ctx: 64 },
      messages: [{ role: "user", content: "hi", images: Array.from({ length: 5 }, () => image) }],
    });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toStartWith(
      "too many images for the context: 5 image(s) need about 80 tokens",
    );
  });

  test("a 50-megapixel image is refused from its header; serve's memory stays bounded", async () => {
    const huge = b64(await hugePng(7072, 7072));
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    const r = await chat([{ role: "user", content: "hi", images: [huge] }]);
    expect(r.status).toBe(400);
    expect((await r.json()).error).toStartWith(
      "messages[0].images[0] is 7072x7072 (50.0 megapixels), larger than the limit of 33.6 megapixels",
    );
    // Decoding it would take 150 MB of RGB; refusing it from the header takes next to nothing.
    expect(process.memoryUsage().rss - before).toBeLessThan(64 << 20);
  });
});
