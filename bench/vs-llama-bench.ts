/**
 * Raw decode through tsllm's FFI vs llama-bench built from the same llama.cpp source, on the synthetic 1b
 * q4_0 model with the same thread count. The two alternate for `rounds` rounds (each: 5 repetitions after a
 * warm-up) so machine noise hits both; the medians are compared.
 * Usage: bun bench/vs-llama-bench.ts [--threads 2] [--rounds 3]
 */
import { parseArgs } from "node:util";
import { synthModel } from "../test/fixtures/models.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { threads: { type: "string", default: "2" }, rounds: { type: "string", default: "3" } },
});
const threads = values.threads;
const bin = (await Bun.$`bash ${import.meta.dir}/build-anchor.sh`.text()).trim();
const model = await synthModel({ preset: "1b", quant: "q4_0", vocab: "llama-spm" });
const rows: { pp: [number, number]; tg: [number, number] }[] = [];

for (let r = 0; r < Number(values.rounds); r++) {
  const anchor = JSON.parse(
    await Bun.$`${bin}/llama-bench -m ${model} -p 512 -n 128 -t ${threads} -r 5 -o json`.quiet().text(),
  );
  const ours = JSON.parse(
    await Bun.$`bun ${import.meta.dir}/raw-decode.ts ${model} --threads ${threads} --pp 512 --tg 128 --reps 5`
      .quiet()
      .text(),
  );
  const pp = anchor.find(
    (x: { n_prompt: number; n_gen: number }) => x.n_prompt === 512 && x.n_gen === 0,
  ).avg_ts;
  const tg = anchor.find(
    (x: { n_prompt: number; n_gen: number }) => x.n_gen === 128 && x.n_prompt === 0,
  ).avg_ts;
  rows.push({ pp: [ours.pp512.mean, pp], tg: [ours.tg128.mean, tg] });
  console.error(
    `round ${r + 1}: pp512 ${ours.pp512.mean.toFixed(1)} vs ${pp.toFixed(1)}, tg128 ${ours.tg128.mean.toFixed(1)} vs ${tg.toFixed(1)}`,
  );
}
const line = (name: string, k: "pp" | "tg") => {
  const ours = median(rows.map((x) => x[k][0]));
  const theirs = median(rows.map((x) => x[k][1]));
  return `| ${name} | ${ours.toFixed(2)} | ${theirs.toFixed(2)} | ${(ours / theirs).toFixed(3)} |`;
};
const cpu = (await Bun.$`grep -m1 "model name" /proc/cpuinfo`.text()).split(":")[1]?.trim();
console.log(`model ${model.split("/").pop()}, ${threads} threads, ${rows.length} alternating rounds, ${cpu}`);
console.log(
  `| test | tsllm FFI (t/s, median) | llama-bench (t/s, median) | ratio |\n|---|---|---|---|\n${line("pp512", "pp")}\n${line("tg128", "tg")}`,
);
