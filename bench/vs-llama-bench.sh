#!/usr/bin/env bash
# Raw decode through tsllm's FFI vs llama-bench built from the same llama.cpp source, on the synthetic 1b
# q4_0 model, same thread count. Usage: bash bench/vs-llama-bench.sh [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
bin=$(bash bench/build-anchor.sh)
model=$(bun bench/model.ts 1b q4_0 llama-spm)
echo "model: $model ($(du -h "$model" | cut -f1)), threads: $threads, machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
"$bin/llama-bench" -m "$model" -p 512 -n 128 -t "$threads" -r 5 -o json 2>/dev/null > /tmp/tsllm-llama-bench.json
ours=$(bun bench/raw-decode.ts "$model" --threads "$threads" --pp 512 --tg 128 --reps 5 2>/dev/null)
bun -e '
const anchor = JSON.parse(await Bun.file("/tmp/tsllm-llama-bench.json").text());
const ours = JSON.parse(process.argv[1]);
const pp = anchor.find((r) => r.n_prompt === 512 && r.n_gen === 0).avg_ts;
const tg = anchor.find((r) => r.n_gen === 128 && r.n_prompt === 0).avg_ts;
const row = (name, a, b) => `| ${name} | ${b.mean.toFixed(2)} ± ${b.sd.toFixed(2)} | ${a.toFixed(2)} | ${(b.mean / a).toFixed(3)} |`;
console.log("| test | tsllm FFI (t/s) | llama-bench (t/s) | ratio |\n|---|---|---|---|");
console.log(row("pp512", pp, ours.pp512));
console.log(row("tg128", tg, ours.tg128));
' "$ours"
