#!/usr/bin/env bash
# Runs every test on a fresh machine (needs only Node.js and npm): installs Bun and dependencies first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$(bash scripts/setup.sh):$PATH"
bun test --timeout 120000 "$@"
