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
# The web UI is served from the executable alone: index, its script, 404 for an unknown file.
port=$((20000 + RANDOM % 20000))
env -i HOME="$home" PATH=/usr/bin:/bin TSLLM_HOST="127.0.0.1:$port" ./tsllm serve 2>/dev/null &
serve_pid=$!
trap 'kill "$serve_pid" 2>/dev/null; wait "$serve_pid" 2>/dev/null; rm -rf "$dir" "$home"' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
index=$(curl -sf "http://127.0.0.1:$port/ui")
script=$(printf '%s' "$index" | grep -o 'main-[a-z0-9]*\.js') || { echo "no script in /ui: $index"; exit 1; }
curl -sf -o /dev/null "http://127.0.0.1:$port/ui/$script" || { echo "/ui/$script not served"; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/ui/nope.js")
[ "$code" = 404 ] || { echo "expected 404 for an unknown UI file, got $code"; exit 1; }
echo "smoke: ok"
