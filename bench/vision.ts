/**
 * Vision: time to first token (the runner's prompt_ms) of a chat turn with one image, the first time (the image
 * is decoded, resized, encoded by the projector and its embeddings decoded) and on a second turn about the same
 * image (reused from the slot's prompt cache: only the new text is decoded), next to a text-only turn of the
 * same length. Synthetic "small" model (n_embd 512, f16) with a ViT-S/16-shaped projector (224 px, 196 image
 * tokens, 12 blocks of width 384, random weights), a 640×480 PNG, through a real runner process.
 * Usage: bun bench/vision.ts [--reps 5] [--threads 2]
 */
import { existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { synthCacheDir } from "../src/gguf/synth/paths.ts";
import {
  imageTokens,
  PROJECTOR_VERSION,
  type ProjectorShape,
  synthesizeProjector,
} from "../src/gguf/synth/projector.ts";
import { synthModel } from "../test/fixtures/models.ts";
import { closeAll, collect, GREEDY, startRunner } from "../test/runner/helpers.ts";
import { imageInput, png } from "../test/vision/images.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { reps: { type: "string", default: "5" }, threads: { type: "string", default: "2" } },
});
const reps = Number(values.reps);
const threads = Number(values.threads);
const VIT_S16: ProjectorShape = {
  imageSize: 224,
  patchSize: 16,
  nEmbd: 384,
  nHead: 6,
  nFf: 1536,
  nLayer: 12,
};

const model = await synthModel({ preset: "small", quant: "f16", vocab: "llama-spm" });
const projector = join(synthCacheDir(), `projector-small-vits16-1-v${PROJECTOR_VERSION}.gguf`);
if (!existsSync(projector)) {
  await synthesizeProjector({ preset: "small", shape: VIT_S16, out: `${projector}.tmp` });
  renameSync(`${projector}.tmp`, projector);
}
const runner = await startRunner(model, { projector, num_ctx: 2048, num_parallel: 1, num_thread: threads });
const opts = { ...GREEDY, num_predict: 1 };
const turn1 = (marker: string) => `[INST] What is in this picture? ${marker} Describe it in detail. [/INST]`;
const turn2 = (marker: string) =>
  `${turn1(marker)} It is a picture.</s>[INST] What colours does it have? [/INST]`;
// The text-only turn: as many prompt tokens as the first image turn (words added until it has them).
const textTurn = async (nTokens: number) => {
  const words: string[] = [];
  const prompt = () => `[INST] ${words.join(" ")} [/INST]`;
  while ((await runner.tokenize(prompt(), { addSpecial: true, parseSpecial: true })).length < nTokens)
    words.push(["red", "green", "blue", "house", "river", "cloud"][words.length % 6] as string);
  return prompt();
};
let textPrompt = "";

const rows = { first: [] as number[], cached: [] as number[], text: [] as number[] };
let promptN = 0;
let textN = 0;
let cachedInfo = "";
try {
  for (let r = 0; r < reps + 1; r++) {
    const img = imageInput(png(640, 480, 100 + r)); // a new image each rep: the first turn always encodes
    const a = await collect(runner, { prompt: turn1("<__media__>"), images: [img], options: opts });
    const b = await collect(runner, { prompt: turn2("<__media__>"), images: [img], options: opts });
    // Evict the slot's cache with an unrelated text turn of similar length (also the text-only baseline).
    textPrompt ||= await textTurn(a.done.timings.prompt_n + a.done.timings.cache_n);
    const c = await collect(runner, { prompt: `${r} ${textPrompt}`, options: opts });
    if (b.done.timings.images_cached !== 1) throw new Error("the second turn did not reuse the image");
    if (r === 0) continue; // warm-up
    rows.first.push(a.done.timings.prompt_ms);
    rows.cached.push(b.done.timings.prompt_ms);
    rows.text.push(c.done.timings.prompt_ms);
    promptN = a.done.timings.prompt_n;
    textN = c.done.timings.prompt_n;
    cachedInfo = `${b.done.timings.prompt_n} new tokens, ${b.done.timings.cache_n} cached`;
  }
} finally {
  await closeAll();
}
const f = (xs: number[]) => `${median(xs).toFixed(0)} ms`;
console.log(
  `image: 640x480 PNG -> ${imageTokens(VIT_S16)} image tokens; first-turn prompt ${promptN} tokens`,
);
console.log(`TTFT first turn (decode + encode + prefill):  ${f(rows.first)}`);
console.log(`TTFT second turn, image cached (${cachedInfo}): ${f(rows.cached)}`);
console.log(`TTFT text-only turn (${textN} tokens):             ${f(rows.text)}`);
console.log(
  `image cost (first turn - text-only):          ${(median(rows.first) - median(rows.text)).toFixed(0)} ms`,
);
