/**
 * A Qwen2-VL model (M-RoPE text model + qwen2vl_merger projector) through serve's /api/chat: created from its
 * two GGUFs it has the vision capability; an image answers with its tokens in prompt_eval_count (Qwen2-VL's
 * template renders the content, libmtmd wraps the image in <|vision_start|>…<|vision_end|>); a second turn
 * about the same image reuses it from the runner's cache; the same request answers the same every time.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { qwen2vlImageGrid } from "../../src/gguf/synth/projector-qwen2vl.ts";
import { GREEDY } from "../api/helpers.ts";
import { qwen2vlModel } from "../fixtures/models.ts";
import { imageCounts, startVisionServer, type VisionServer } from "./api-server.ts";
import { buildVisionExtras } from "./helpers.ts";
import { png } from "./images.ts";

const extras = buildVisionExtras();
const skip = "skip" in extras ? extras.skip : null;
if (skip) console.warn(`qwen2vl API tests skipped: ${skip}`);

// A context smaller than Ollama's 768-token guess for an image of unknown size: serve counts a Qwen-VL image
// by its size (10 tokens here), so the history with the image is kept whole and nothing is refused.
const OPTIONS = { ...GREEDY, num_predict: 6, num_ctx: 512 };

describe.skipIf(skip !== null)("a Qwen2-VL model through /api/chat", () => {
  let s: VisionServer;
  const image = Buffer.from(png(96, 40, 41)).toString("base64");

  beforeAll(async () => {
    const files = await qwen2vlModel();
    s = await startVisionServer();
    const [model, projector] = await Promise.all([s.upload(files.model), s.upload(files.projector)]);
    const r = await s.request("/api/create", {
      model: "qwen-vl",
      files: { "model.gguf": model, "mmproj.gguf": projector },
      stream: false,
    });
    expect([r.status, (await r.json()).status]).toEqual([200, "success"]);
  });
  afterAll(() => s?.stop());

  const chat = async (messages: unknown[]) => {
    const r = await s.request("/api/chat", { model: "qwen-vl", messages, stream: false, options: OPTIONS });
    expect(r.status).toBe(200);
    return r.json();
  };

  test("an image answers, counts its tokens, and a second turn reuses it", async () => {
    const show = await (await s.request("/api/show", { model: "qwen-vl" })).json();
    expect(show.capabilities).toContain("vision");
    const ask = { role: "user", content: "What is in this picture?", images: [image] };
    const noImage = await chat([{ role: "user", content: "What is in this picture?" }]);
    const first = await chat([ask]);
    const { nx, ny } = qwen2vlImageGrid(96, 40);
    // The image's tokens plus <|vision_start|> and <|vision_end|>.
    expect(first.prompt_eval_count).toBe(noImage.prompt_eval_count + nx * ny + 2);
    expect(first.message.content.length).toBeGreaterThan(0);
    expect(imageCounts(s.lines).at(-1)).toEqual({ encoded: 1, cached: 0 });

    const second = await chat([
      ask,
      { role: "assistant", content: first.message.content },
      { role: "user", content: "And what colour is it?" },
    ]);
    expect(second.done).toBe(true);
    expect(imageCounts(s.lines).at(-1)).toEqual({ encoded: 0, cached: 1 });

    const again = await chat([ask]);
    expect(again.message.content).toBe(first.message.content);
    expect(imageCounts(s.lines).at(-1)).toEqual({ encoded: 0, cached: 1 });
  });
});
