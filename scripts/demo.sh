#!/usr/bin/env bash
# tsllm's main job on a fresh machine: builds the single executable ./tsllm, then serves a model the way a
# user does — `tsllm serve`, `create` from a Modelfile, `run`, `ps`, `stop` — with a synthetic model (no
# model can be downloaded here; real vocabulary and chat template, random weights, so the text is gibberish).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(bash scripts/setup.sh):$PATH"
bun run build
./tsllm --version
./tsllm info
model=$(bun bench/model.ts tiny q8_0 llama-spm)
work=$(mktemp -d)
export TSLLM_HOST=127.0.0.1:$((20000 + RANDOM % 20000)) TSLLM_MODELS="$work/models"
./tsllm serve 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do bun -e "await fetch(\"http://$TSLLM_HOST/\")" >/dev/null 2>&1 && break; sleep 0.1; done
printf 'FROM %s\nPARAMETER temperature 0\nPARAMETER num_predict 24\nSYSTEM "You are a helpful assistant."\n' "$model" >"$work/Modelfile"
./tsllm create demo -f "$work/Modelfile"
./tsllm list
./tsllm run demo "Why is the sky blue?"
./tsllm ps
./tsllm stop demo
echo "demo: ok (server log: $(wc -l <"$work/serve.log") lines)"
