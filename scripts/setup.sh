#!/usr/bin/env bash
# Installs the pinned Bun (from npm) and the project's dependencies. Source-safe: prints the Bun bin dir.
set -euo pipefail
cd "$(dirname "$0")/.."
bindir=$(bash scripts/install-bun.sh)
PATH="$bindir:$PATH" bun install --frozen-lockfile >&2
echo "$bindir"
