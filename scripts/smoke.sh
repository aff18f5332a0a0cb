#!/usr/bin/env bash
# End-to-end smoke of the compiled executable: built here, copied alone into an empty directory, run with an
# empty HOME (no Bun, no node_modules on its PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
bun run build
dir=$(mktemp -d) home=$(mktemp -d)
trap 'rm -rf "$dir" "$home"' EXIT
cp tsllm "$dir/"
cd "$dir"
env -i HOME="$home" PATH=/usr/bin:/bin ./tsllm --version
env -i HOME="$home" PATH=/usr/bin:/bin ./tsllm info
# Bad input: a one-line error and a non-zero exit, no stack trace.
if out=$(env -i HOME="$home" PATH=/usr/bin:/bin TSLLM_LLM_LIBRARY=nope ./tsllm info 2>&1); then
  echo "expected failure for an unknown variant"; exit 1
fi
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || { echo "expected one line, got: $out"; exit 1; }
echo "smoke: ok"
