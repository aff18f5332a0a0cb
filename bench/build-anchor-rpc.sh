#!/usr/bin/env bash
# Builds an RPC-enabled llama-server for bench/rpc-split.ts, in a cache dir of its own (bench/build-anchor.sh's
# build and cache are left alone). Like build-anchor-prebuilt.sh it is a shared-library, dynamic-backend build
# (-DGGML_RPC=ON, so `--rpc` is offered), run next to the very libllama/libggml files tsllm loads and the
# libggml-rpc.so that scripts/build-native-extras.sh builds for tsllm: both sides then run the same kernels and
# the same RPC client, and a comparison measures how each drives them.
# Cached; prints the bin dir (start llama-server with LD_LIBRARY_PATH=<that dir>).
# Usage: bash bench/build-anchor-rpc.sh   (env: TSLLM_ANCHOR_RPC_DIR, default ~/.cache/tsllm/anchor-rpc-<release>)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pkg="$here/node_modules/node-llama-cpp/llama"
release=$(node -p "require('$pkg/binariesGithubRelease.json').release")
root="${TSLLM_ANCHOR_RPC_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tsllm/anchor-rpc-$release}"
out="$root/bin"
if [ -x "$out/llama-server" ] && [ -e "$out/libggml-rpc.so" ]; then echo "$out"; exit 0; fi
extras=$(bash "$here/scripts/build-native-extras.sh")
mkdir -p "$root"
if [ ! -d "$root/src/.git" ]; then
  git clone -q "$pkg/gitRelease.bundle" "$root/src"
  # The patches node-llama-cpp applies to its prebuilt libllama (same threading: ggml threadpool, no OpenMP).
  for p in "$pkg"/patches/*.diff; do [ -e "$p" ] && git -C "$root/src" apply "$p"; done
fi
cmake -S "$root/src" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_BACKEND_DL=ON \
  -DGGML_RPC=ON -DGGML_NATIVE=OFF -DGGML_CPU=OFF -DGGML_OPENMP=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF >&2
cmake --build "$root/build" -j"$(nproc)" --target llama-server >&2
libs="$here/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
cp "$root/build/bin/llama-server" "$out.tmp/"
# The server's own libraries from this build; libllama and libggml* are tsllm's prebuilt ones under the sonames
# the server was linked against, and the RPC backend is tsllm's (ggml_backend_load_all finds it beside them).
for f in "$root"/build/bin/lib{llama-server-impl,llama-common,mtmd}.so*; do [ -e "$f" ] && cp -P "$f" "$out.tmp/"; done
ln -sf "$libs/libllama.v0.5.0.so" "$out.tmp/libllama.so.0"
ln -sf "$libs/libggml.v0.5.0.so" "$out.tmp/libggml.so.0"
ln -sf "$libs/libggml-base.so" "$out.tmp/libggml-base.so.0"
for f in "$libs"/libggml-cpu-*.so; do ln -sf "$f" "$out.tmp/$(basename "$f")"; done
ln -sf "$extras/libggml-rpc.so" "$out.tmp/libggml-rpc.so"
rm -rf "$out" && mv "$out.tmp" "$out"
echo "$out"
