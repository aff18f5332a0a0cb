#!/usr/bin/env bash
# Builds libggml-cuda.so for the named GPU architectures from the pinned llama.cpp source, as a dynamic ggml
# backend matching the prebuilt libraries (GGML_BACKEND_DL, shared, same release), for GPUs the npm build lacks
# (e.g. Hopper, sm_90). Cached per source commit and architecture list.
#   usage: scripts/build-cuda.sh ARCHS        e.g. 90  or  "80;90"  or  120a
#   then:  bun run build -- --variant cuda --cuda-lib <printed dir>
# Env: TSLLM_LLAMA_SRC (default ~/.cache/tsllm/llama.cpp), TSLLM_CUDA_CACHE (default ~/.cache/tsllm/cuda),
#      NVCC (default: nvcc on PATH, else /usr/local/cuda/bin/nvcc), JOBS (default: nproc),
#      TSLLM_CUDA_FA=OFF (no flash-attention kernels: about half the compile time; tsllm's default is FA off),
#      TSLLM_CUDA_BENCH_DIR=DIR (also build llama-bench in the same tree and copy it, with its libraries, to DIR:
#      the anchor for GPU benchmarks, compiled once with the library),
#      TSLLM_CUDA_CMAKE_ARGS (extra cmake arguments, space-separated: e.g. -DCUDA_cublas_LIBRARY=... when cuBLAS
#      lives outside the toolkit, as with pip's nvidia-* wheels).
set -euo pipefail

die() { echo "build-cuda: $*" >&2; exit 2; }

[ $# -eq 1 ] || die "usage: $0 ARCHS (compute capabilities without the dot, ';'-separated: 90, \"80;90\", 120a)"
ARCHS="$1"
[[ "$ARCHS" =~ ^[0-9]{2,3}[af]?(\;[0-9]{2,3}[af]?)*$ ]] ||
  die "bad ARCHS \"$ARCHS\": expected compute capabilities like 90, \"80;90\" or 120a"

SRC="${TSLLM_LLAMA_SRC:-$HOME/.cache/tsllm/llama.cpp}"
[ -f "$SRC/ggml/src/ggml-cuda/CMakeLists.txt" ] || die "llama.cpp source not found in $SRC (set TSLLM_LLAMA_SRC)"

if [ -z "${NVCC:-}" ]; then
  NVCC="$(command -v nvcc || true)"
  if [ -z "$NVCC" ] && [ -x /usr/local/cuda/bin/nvcc ]; then NVCC=/usr/local/cuda/bin/nvcc; fi
fi
[ -n "$NVCC" ] && [ -x "$NVCC" ] ||
  die "nvcc not found: install the CUDA toolkit (nvcc, cudart and cublas development files) or set NVCC=/path/to/nvcc"
command -v cmake >/dev/null || die "cmake not found: install cmake ≥ 3.18"

CUDA_VERSION="$("$NVCC" --version | sed -n 's/.*release \([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1.\2/p' | head -n1)"
[ -n "$CUDA_VERSION" ] || die "cannot read the CUDA version from $NVCC --version"
CUDA_MAJOR="${CUDA_VERSION%%.*}"

COMMIT="$(git -C "$SRC" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
FA="${TSLLM_CUDA_FA:-ON}"
[ "$FA" = ON ] || [ "$FA" = OFF ] || die "TSLLM_CUDA_FA must be ON or OFF, not \"$FA\""
BENCH_DIR="${TSLLM_CUDA_BENCH_DIR:-}"
OUT="${TSLLM_CUDA_CACHE:-$HOME/.cache/tsllm/cuda}/${COMMIT}-cuda${CUDA_VERSION}-sm${ARCHS//;/_}$([ "$FA" = OFF ] && echo -nofa)"
if [ -z "$BENCH_DIR" ] && [ -f "$OUT/libggml-cuda.so" ] && [ -f "$OUT/tsllm-cuda.json" ]; then
  echo "$OUT"
  exit 0
fi

# Real (SASS) code for each architecture named: exactly the GPUs asked for, no JIT at load.
CMAKE_ARCHS="$(echo "$ARCHS" | sed 's/\([0-9a-z]*\)/\1-real/g')"
BUILD="$OUT.build"
rm -rf "$BUILD"
trap 'rm -rf "$BUILD"' EXIT
cmake -S "$SRC" -B "$BUILD" \
  -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=ON \
  -DGGML_BACKEND_DL=ON \
  -DGGML_NATIVE=OFF \
  -DGGML_CUDA=ON \
  -DGGML_CUDA_NCCL=OFF \
  -DCMAKE_CUDA_COMPILER="$NVCC" \
  "-DCMAKE_CUDA_ARCHITECTURES=$CMAKE_ARCHS" \
  "-DGGML_CUDA_FA=$FA" \
  -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  "-DLLAMA_BUILD_TOOLS=$([ -n "$BENCH_DIR" ] && echo ON || echo OFF)" \
  -DLLAMA_BUILD_SERVER=OFF ${TSLLM_CUDA_CMAKE_ARGS:-} >&2 ||
  die "cmake configure failed (see above; the CUDA toolkit needs cudart and cublas development files)"
TARGETS=(ggml-cuda)
[ -n "$BENCH_DIR" ] && TARGETS+=(ggml-cpu llama-bench)
cmake --build "$BUILD" --target "${TARGETS[@]}" -j "${JOBS:-$(nproc)}" >&2 || die "building ggml-cuda failed (see above)"
if [ -n "$BENCH_DIR" ]; then
  mkdir -p "$BENCH_DIR"
  cp -a "$BUILD"/bin/. "$BENCH_DIR"/
fi

LIB="$(find "$BUILD" -name libggml-cuda.so -type f | head -n1)"
[ -n "$LIB" ] || die "the build produced no libggml-cuda.so (see the output above)"
mkdir -p "$OUT"
cp "$LIB" "$OUT/libggml-cuda.so.tmp"
# The tree versions ggml-base (SONAME libggml-base.so.0); the prebuilt libraries it must load beside do not
# (SONAME libggml-base.so), so ggml's dlopen of this backend would fail on the unresolved name. Rename the
# NEEDED entry in place: the same string table slot, two bytes shorter, NUL-padded.
python3 - "$OUT/libggml-cuda.so.tmp" <<'PY' || die "cannot rename libggml-cuda.so's libggml-base dependency"
import sys
p = sys.argv[1]
data = open(p, "rb").read()
fixed = data.replace(b"libggml-base.so.0\0", b"libggml-base.so\0\0\0")
assert len(fixed) == len(data)
open(p, "wb").write(fixed)
PY
if command -v readelf >/dev/null; then
  readelf -d "$OUT/libggml-cuda.so.tmp" | grep -q 'NEEDED.*\[libggml-base\.so\]' ||
    die "libggml-cuda.so does not depend on libggml-base.so after the rename (see readelf -d)"
fi
mv "$OUT/libggml-cuda.so.tmp" "$OUT/libggml-cuda.so"
SASS="$(echo "$ARCHS" | sed 's/\([0-9a-z]*\)/"\1"/g; s/;/,/g')"
printf '{"cuda":%s,"sass":[%s],"ptx":[]}\n' "$CUDA_MAJOR" "$SASS" >"$OUT/tsllm-cuda.json"
rm -rf "$BUILD"
echo "$OUT"
