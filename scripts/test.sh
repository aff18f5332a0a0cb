#!/usr/bin/env bash
# Runs every test on a fresh machine (needs only Node.js and npm): installs Bun and dependencies first.
# Ends with a plain "tests: N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(bash scripts/setup.sh):$PATH"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
bun test --timeout 120000 "$@" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo '^ *[0-9]+ pass$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '^ *[0-9]+ fail$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
echo "tests: ${passed} passed, ${failed} failed"
exit "$code"
