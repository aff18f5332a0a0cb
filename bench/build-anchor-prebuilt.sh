#!/usr/bin/env bash
# Builds llama-server from the bundled llama.cpp source as a shared-library, dynamic-backend build (the
# configuration of llama.cpp's release binaries and of the prebuilt libllama tsllm ships), then puts it in a
# directory next to the very libllama/libggml files tsllm loads from @node-llama-cpp/linux-x64. That anchor
# runs the same kernels as tsllm (same binaries, same CPU variant picked by ggml), so a comparison with it
# measures the runners (batching, sampling, streaming), not two builds of the kernels.
# Cached; prints the bin dir.   Usage: bash bench/build-anchor-prebuilt.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
anchor_bin=$(bash "$here/bench/build-anchor.sh") # clones and patches the source
root=$(dirname "$(dirname "$anchor_bin")")
libs="$here/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
out="$root/prebuilt-bin"
if [ -x "$out/llama-server" ]; then echo "$out"; exit 0; fi
cmake -S "$root/src" -B "$root/build-dl" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_BACKEND_DL=ON \
  -DGGML_NATIVE=OFF -DGGML_CPU=OFF -DGGML_OPENMP=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF >&2
cmake --build "$root/build-dl" -j"$(nproc)" --target llama-server >&2
mkdir -p "$out.tmp"
cp "$root/build-dl/bin/llama-server" "$out.tmp/"
# The server's own libraries (server, common, mtmd) from this build; libllama and libggml* are tsllm's prebuilt
# ones, under the sonames the server was linked against. Start it with LD_LIBRARY_PATH=<this dir> (its RUNPATH
# names the build dir, where the freshly built libllama would otherwise win).
for f in "$root"/build-dl/bin/lib{llama-server-impl,llama-common,mtmd}.so*; do cp -P "$f" "$out.tmp/"; done
ln -sf "$libs/libllama.v0.5.0.so" "$out.tmp/libllama.so.0"
ln -sf "$libs/libggml.v0.5.0.so" "$out.tmp/libggml.so.0"
ln -sf "$libs/libggml-base.so" "$out.tmp/libggml-base.so.0"
for f in "$libs"/libggml-cpu-*.so; do ln -sf "$f" "$out.tmp/$(basename "$f")"; done
rm -rf "$out" && mv "$out.tmp" "$out"
echo "$out"
