#!/usr/bin/env bash
# tsllm's main job on a fresh machine: builds the single executable ./tsllm and shows it working.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(bash scripts/setup.sh):$PATH"
bun run build
./tsllm --version
./tsllm info
