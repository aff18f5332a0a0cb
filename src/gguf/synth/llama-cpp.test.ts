import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { synthesize } from "./synthesize.ts";

// llama.cpp itself (through node-llama-cpp under Node) is the judge of whether a synthetic model is valid.
const entry = join(import.meta.dir, "../../../node_modules/node-llama-cpp/dist/index.js");
const node = Bun.which("node");
const available = node !== null && existsSync(entry);
if (!available) console.warn("skipping llama.cpp load test: node-llama-cpp (or node) is not installed");

const SCRIPT = `
import { getLlama } from ${JSON.stringify(pathToFileURL(entry).href)};
const [chatPath, embedPath] = process.argv.slice(2);
const llama = await getLlama({ gpu: false, logLevel: "error" });
const chat = await llama.loadModel({ modelPath: chatPath });
const ctx = await chat.createContext({ contextSize: 256 });
const tokens = [];
for await (const t of ctx.getSequence().evaluate(chat.tokenize("Hello, world"), { temperature: 0 })) {
  tokens.push(t);
  if (tokens.length === 8) break;
}
const embedModel = await llama.loadModel({ modelPath: embedPath });
const embed = await (await embedModel.createEmbeddingContext()).getEmbeddingFor("hello world");
console.log(JSON.stringify({ tokens, embedding: Array.from(embed.vector) }));
await llama.dispose();
`;

const dir = mkdtempSync(join(tmpdir(), "synth-llama-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.skipIf(!available)(
  "llama.cpp loads a tiny chat model and generates 8 tokens; loads the embedding model",
  async () => {
    const chat = join(dir, "tiny.gguf");
    const embed = join(dir, "embed.gguf");
    await synthesize({ preset: "tiny", quant: "q4_0", vocab: "llama-spm", out: chat });
    await synthesize({ preset: "embed", quant: "q8_0", vocab: "bert-bge", out: embed });
    await Bun.write(join(dir, "run.mjs"), SCRIPT);
    const proc = Bun.spawn([node as string, join(dir, "run.mjs"), chat, embed], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    if (code !== 0) throw new Error(`node exited ${code}: ${err.slice(-2000)}`);
    const r = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { tokens: number[]; embedding: number[] };
    expect(r.tokens).toHaveLength(8);
    for (const t of r.tokens) expect(t >= 0 && t < 32000).toBe(true);
    expect(r.embedding).toHaveLength(384);
    expect(r.embedding.every(Number.isFinite)).toBe(true);
    expect(new Set(r.embedding).size).toBeGreaterThan(100);
  },
);
