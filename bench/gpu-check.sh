#!/usr/bin/env bash
# The CUDA GPU check, in one run on an NVIDIA machine: builds libggml-cuda for this GPU's architecture from the
# pinned llama.cpp source (scripts/build-cuda.sh, with llama-bench compiled in the same tree as the anchor), makes
# the synthetic 1b q4_0 model, then runs bench/gpu-check.ts: a compiled ./tsllm serving it fully offloaded vs
# llama-bench. Needs nvcc + cmake on the machine; nothing is downloaded.
#   usage: bash bench/gpu-check.sh DIR
# DIR holds: tsllm.xz (or tsllm: a compiled executable), cuda-libs.tar.xz (the @node-llama-cpp/linux-x64-cuda
# libraries except libggml-cuda.so), llama-src.tar.xz (the pinned source with node-llama-cpp's patches; vocab
# GGUFs may be left out), vocab.tar.xz (models/ggml-vocab-llama-spm.gguf), synth.js (`bun build
# src/gguf/synth/cli.ts --target bun`). Env: WORK (default /tmp/gpu-check), TSLLM_CUDA_FA (default OFF),
# ARCH (default: the GPU's compute capability from nvidia-smi).
set -euo pipefail
IN="$(cd "$1" && pwd)"
W="${WORK:-/tmp/gpu-check}"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$W/cache/llama.cpp" "$W/lib"
say() { echo "[$(date +%T)] $*" >&2; }
# xz may be missing on a minimal image: Python's lzma reads the same files.
unxz_to() { if command -v xz >/dev/null; then xz -dc "$1" >"$2"; else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],"wb"))' "$1" "$2"; fi; }
untar() { unxz_to "$1" "$W/.t.tar" && tar -xf "$W/.t.tar" -C "$2" && rm -f "$W/.t.tar"; }

nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader
ARCH="${ARCH:-$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n1 | tr -d '. ')}"
command -v nvcc >/dev/null || export PATH="/usr/local/cuda/bin:$PATH"
say "nvcc $(nvcc --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'), cmake $(cmake --version | head -n1), $(nproc) cores, sm_$ARCH"

# cuBLAS: in the toolkit, or (pip's nvidia wheels) elsewhere without the unversioned names CMake looks for.
NVCC_ROOT="$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")"
if ! ls "$NVCC_ROOT"/lib*/libcublas.so "$NVCC_ROOT"/targets/*/lib/libcublas.so >/dev/null 2>&1; then
  LIBCUBLAS="$(find /usr /opt -name 'libcublas.so*' -not -name '*.a' 2>/dev/null | sort | head -n1)"
  HDR="$(find /usr /opt -name cublas_v2.h 2>/dev/null | head -n1)"
  say "cuBLAS outside the toolkit: ${LIBCUBLAS:-none} ${HDR:-no header}"
  if [ -n "$LIBCUBLAS" ] && [ -n "$HDR" ]; then
    CUBLAS_DIR="$(dirname "$LIBCUBLAS")"
    LT="$(ls "$CUBLAS_DIR"/libcublasLt.so* | head -n1)"
    export TSLLM_CUDA_CMAKE_ARGS="-DCUDA_cublas_LIBRARY=$LIBCUBLAS -DCUDA_cublasLt_LIBRARY=$LT -DCMAKE_CUDA_FLAGS=-I$(dirname "$HDR") -DCMAKE_CXX_FLAGS=-I$(dirname "$HDR")"
    export LD_LIBRARY_PATH="$CUBLAS_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
fi

if [ -f "$IN/tsllm" ]; then cp "$IN/tsllm" "$W/tsllm"; else unxz_to "$IN/tsllm.xz" "$W/tsllm"; fi
chmod +x "$W/tsllm"
untar "$IN/llama-src.tar.xz" "$W/cache/llama.cpp"
untar "$IN/vocab.tar.xz" "$W/cache/llama.cpp"
untar "$IN/cuda-libs.tar.xz" "$W/lib"

say "synthetic 1b q4_0 model (in the background)"
[ -s "$W/1b-q4_0.gguf" ] || (TSLLM_CACHE_DIR="$W/cache" BUN_BE_BUN=1 "$W/tsllm" "$IN/synth.js" --preset 1b --quant q4_0 --vocab llama-spm \
  --out "$W/1b-q4_0.gguf" >"$W/synth.log" 2>&1) &
SYNTH=$!

say "building libggml-cuda for sm_$ARCH and llama-bench (FA ${TSLLM_CUDA_FA:-OFF})"
# A warm machine that ran this before keeps its build: reuse it.
CUDA_DIR="$(ls -d "$W"/cuda/*-sm"$ARCH"* 2>/dev/null | grep -v '\.build$' | head -n1 || true)"
if [ -n "$CUDA_DIR" ] && [ -f "$CUDA_DIR/libggml-cuda.so" ] && [ -x "$W/anchor/llama-bench" ]; then
  say "reusing $CUDA_DIR and $W/anchor"
elif ! CUDA_DIR="$(timeout "${BUILD_TIMEOUT:-450}" env TSLLM_LLAMA_SRC="$W/cache/llama.cpp" TSLLM_CUDA_CACHE="$W/cuda" TSLLM_CUDA_FA="${TSLLM_CUDA_FA:-OFF}" \
  TSLLM_CUDA_BENCH_DIR="$W/anchor" JOBS="$(nproc)" bash "$REPO/scripts/build-cuda.sh" "$ARCH" 2>"$W/build.log")"; then
  tail -n 60 "$W/build.log"
  exit 1
fi
say "built: $CUDA_DIR ($(du -h "$CUDA_DIR/libggml-cuda.so" | cut -f1)) $(cat "$CUDA_DIR/tsllm-cuda.json")"
cp "$CUDA_DIR/libggml-cuda.so" "$CUDA_DIR/tsllm-cuda.json" "$W/lib/"
wait "$SYNTH" || { cat "$W/synth.log"; exit 1; }
tail -n 1 "$W/synth.log"

say "tsllm info as a user would first run it (TSLLM_LIB_DIR only):"
TSLLM_LIB_DIR="$W/lib" TSLLM_CACHE_DIR="$W/cache" "$W/tsllm" info 2>&1 | head -n 12 || true
# The toolkit's own libraries (cudart, cuBLAS) on the loader path, as the README tells users to.
for d in "$NVCC_ROOT/lib64" "$NVCC_ROOT/lib" "$NVCC_ROOT"/targets/*/lib; do
  [ -d "$d" ] && export LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
done

say "the built libggml-cuda.so beside the prebuilt libggml-base.so: loader view and a plain dlopen"
readelf -d "$W/lib/libggml-cuda.so" | grep -E "NEEDED|RUNPATH|RPATH" || true
ldd "$W/lib/libggml-cuda.so" | grep -E "not found|cuda|cublas|ggml" || true
python3 - "$W/lib" <<'PY' || true
import ctypes, sys
d = sys.argv[1]
base = ctypes.CDLL(f"{d}/libggml-base.so", mode=ctypes.RTLD_GLOBAL)
try:
    cuda = ctypes.CDLL(f"{d}/libggml-cuda.so")
except OSError as e:
    print("dlopen libggml-cuda.so failed:", e); sys.exit(0)
cuda.ggml_backend_init.restype = ctypes.c_void_p
reg = cuda.ggml_backend_init()
base.ggml_backend_reg_dev_count.argtypes = [ctypes.c_void_p]
print("ggml_backend_init:", hex(reg or 0), "devices:", base.ggml_backend_reg_dev_count(reg) if reg else "-")
PY
TSLLM_DEBUG=1 TSLLM_LIB_DIR="$W/lib" TSLLM_CACHE_DIR="$W/cache" "$W/tsllm" info 2>&1 |
  grep -iE "cuda|backend|fail|error" | head -n 25 || true

# The library set a release executable embeds: the npm CUDA package's libllama/libggml with the libggml-cuda.so
# just built (the toolkit's cudart/cuBLAS on the loader path).
BUN_BE_BUN=1 "$W/tsllm" "$REPO/bench/gpu-check.ts" --tsllm "$W/tsllm" --lib "$W/lib" --model "$W/1b-q4_0.gguf" \
  --anchor "$W/anchor"
