#!/usr/bin/env bash
# Builds llama.cpp's own llama-bench and llama-server from the source bundled in the pinned node-llama-cpp
# package (the same llama.cpp release as our libllama), into a cache dir. These are the performance anchors
# for docs/BENCHMARKS.md. Cached: a second run returns at once. Prints the bin dir.
# Usage: bash bench/build-anchor.sh   (env: TSLLM_ANCHOR_DIR, default ~/.cache/tsllm/anchor-<release>)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pkg="$here/node_modules/node-llama-cpp/llama"
release=$(node -p "require('$pkg/binariesGithubRelease.json').release")
root="${TSLLM_ANCHOR_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tsllm/anchor-$release}"
bin="$root/build/bin"
if [ -x "$bin/llama-bench" ] && [ -x "$bin/llama-server" ]; then echo "$bin"; exit 0; fi
mkdir -p "$root"
if [ ! -d "$root/src/.git" ]; then
  git clone -q "$pkg/gitRelease.bundle" "$root/src"
  # Same threading as the prebuilt libs (ggml threadpool, no OpenMP). node-llama-cpp applies these patches to its prebuilt libllama; apply them to the anchor too.
  for p in "$pkg"/patches/*.diff; do [ -e "$p" ] && git -C "$root/src" apply "$p"; done
fi
cmake -S "$root/src" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DGGML_OPENMP=OFF >&2
cmake --build "$root/build" -j"$(nproc)" --target llama-bench llama-server >&2
echo "$bin"
