// Independent oracle: greedy generation through node-llama-cpp under Node (its own binding over the same
// prebuilt llama.cpp release). Usage: node node-llama-greedy.mjs <model> <threads> <batch> <n> <prompt ids JSON>
// Prints {"tokens": [...ids]} on stdout.
import { getLlama, LlamaLogLevel } from "node-llama-cpp";

const [model, threads, batch, n, idsJson] = process.argv.slice(2);
const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error, build: "never" });
const m = await llama.loadModel({ modelPath: model });
const ctx = await m.createContext({
  contextSize: 512,
  batchSize: Number(batch),
  threads: Number(threads),
  sequences: 1,
});
const seq = ctx.getSequence();
const tokens = [];
for await (const t of seq.evaluate(JSON.parse(idsJson), { temperature: 0 })) {
  tokens.push(t);
  if (tokens.length >= Number(n)) break;
}
process.stdout.write(JSON.stringify({ tokens }));
await ctx.dispose();
await m.dispose();
