#!/usr/bin/env bash
# Builds libllama/libggml as shared libraries from the same bundled llama.cpp source with the same flags as
# the anchors (GGML_NATIVE, no OpenMP), so tsllm can run on the anchors' exact kernels:
#   TSLLM_LIB_DIR=$(bash bench/build-native-libs.sh) bun bench/runner-vs-llama-server.ts
# This isolates the runner's own overhead from differences between the prebuilt CPU variants and a
# -march=native build. Cached; prints the library dir.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
anchor_bin=$(bash "$here/bench/build-anchor.sh")
root=$(dirname "$(dirname "$anchor_bin")")
out="$root/build-shared/bin"
if [ -e "$out/libllama.so" ] && [ -e "$out/libggml-base.so" ]; then echo "$out"; exit 0; fi
cmake -S "$root/src" -B "$root/build-shared" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=ON \
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF \
  -DLLAMA_BUILD_SERVER=OFF -DGGML_OPENMP=OFF >&2
cmake --build "$root/build-shared" -j"$(nproc)" --target llama >&2
echo "$out"
