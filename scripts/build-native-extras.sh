#!/usr/bin/env bash
# Builds the native libraries the @node-llama-cpp npm packages lack, from the llama.cpp source bundled in
# node-llama-cpp, ABI-matched to the prebuilt libraries (same release, same headers), each cached on its own:
#   libggml-rpc.so  ggml's RPC backend, a loadable backend (one g++ call, seconds);
#   libmtmd.so      llama.cpp's multimodal library (tools/mtmd: vision projectors), linked against the prebuilt
#                   libllama/libggml, plus a few pointer-only entry points for bun:ffi (a minute or two).
# No CMake. Prints the output dir: <cache>/native-extras/<release>/ holding both libraries and their .json.
# Usage: bash scripts/build-native-extras.sh [--force]
# Env: TSLLM_CACHE_DIR (cache root, as tsllm itself), TSLLM_NATIVE_EXTRAS_DIR (output dir), CXX (compiler),
#      TSLLM_BUILD_JOBS (parallel compiles for libmtmd, default: the CPU count).
# Exit 3: this machine cannot build them (no compiler, unsupported platform): callers skip, not fail.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pkg="$here/node_modules/node-llama-cpp/llama"
die() { echo "build-native-extras: $*" >&2; exit 1; }
skip() { echo "build-native-extras: cannot build here: $*" >&2; exit 3; }

[ "$(uname -s)" = Linux ] || skip "only Linux is supported (found $(uname -s))"
case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) skip "unsupported CPU $(uname -m)" ;; esac
cxx=${CXX:-g++}
command -v "$cxx" >/dev/null || skip "no C++ compiler ($cxx) on PATH"
[ -f "$pkg/binariesGithubRelease.json" ] || die "node-llama-cpp is not installed (run bun install)"
release=$(sed -n 's/.*"release": *"\([^"]*\)".*/\1/p' "$pkg/binariesGithubRelease.json")
[ -n "$release" ] || die "no release in $pkg/binariesGithubRelease.json"
bins="$here/node_modules/@node-llama-cpp/linux-$arch/bins/linux-$arch"
base="$bins/libggml-base.so"
[ -f "$base" ] || die "prebuilt $base missing"

cache_root=${TSLLM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tsllm}
cache_root=${cache_root/#\~/$HOME}
out=${TSLLM_NATIVE_EXTRAS_DIR:-$cache_root/native-extras/$release}

# The exact commit of the bundled source: the prebuilt libraries were built from it.
bundle="$pkg/gitRelease.bundle"
commit=$(git bundle list-heads "$bundle" | awk '$2 == "HEAD" { print $1 }' | head -1)
[ -n "$commit" ] || commit=$(git bundle list-heads "$bundle" | awk 'NR == 1 { print $1 }')
[ -n "$commit" ] || die "cannot read $bundle"

lib_llama=$(find "$bins" -maxdepth 1 \( -name 'libllama.v*.so' -o -name libllama.so \) | sort | head -1)
lib_ggml=$(find "$bins" -maxdepth 1 \( -name 'libggml.v*.so' -o -name libggml.so \) | sort | head -1)
[ -n "$lib_llama" ] && [ -n "$lib_ggml" ] || die "prebuilt libllama/libggml missing in $bins"

# libggml-rpc.so: the flags ggml's CMake gives a loadable backend (ggml_add_backend_library with GGML_BACKEND_DL
# and shared libs); RDMA stays off (TCP only). -z defs: every symbol must resolve in the prebuilt libggml-base.
# The library reports the protocol it was compiled with, so a loader can check it against its peers.
build_rpc() {
  local g="$src/ggml" hdr proto
  [ -f "$g/src/ggml-rpc/ggml-rpc.cpp" ] || die "$g/src/ggml-rpc/ggml-rpc.cpp missing"
  hdr="$g/include/ggml-rpc.h"
  proto=$(for p in MAJOR MINOR PATCH; do sed -n "s/^#define RPC_PROTO_${p}_VERSION *\([0-9]*\).*/\1/p" "$hdr"; done | paste -sd.)
  [[ "$proto" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "cannot read the RPC protocol version from $hdr"
  cat >"$tmp/version.cpp" <<'EOF'
#include "ggml-rpc.h"
extern "C" __attribute__((visibility("default"))) unsigned tsllm_rpc_proto_version(void) {
    return (RPC_PROTO_MAJOR_VERSION << 16) | (RPC_PROTO_MINOR_VERSION << 8) | RPC_PROTO_PATCH_VERSION;
}
EOF
  "$cxx" -std=c++17 -O2 -fPIC -shared -pthread -DNDEBUG \
    -DGGML_BACKEND_DL -DGGML_BACKEND_BUILD -DGGML_BACKEND_SHARED -DGGML_SHARED \
    -I"$g/include" -I"$g/src" -I"$g/src/ggml-rpc" \
    "$g/src/ggml-rpc/ggml-rpc.cpp" "$g/src/ggml-rpc/transport.cpp" "$tmp/version.cpp" \
    -o "$tmp/libggml-rpc.so" "$base" -Wl,-z,defs -Wl,-rpath,'$ORIGIN' >&2
  echo "{\"release\":\"$release\",\"commit\":\"$commit\",\"rpcProto\":\"$proto\"}" >"$tmp/libggml-rpc.json"
  mv -f "$tmp/libggml-rpc.so" "$out/libggml-rpc.so"
  mv -f "$tmp/libggml-rpc.json" "$out/libggml-rpc.json"
}

# libmtmd.so: what tools/mtmd's CMake target compiles, minus the audio-generation helper (it needs libllama's
# internal headers) and video (needs ffmpeg at run time). The model graphs go in as one translation unit
# (they share one heavy header set: a third of the compile time). The shim gives bun:ffi entry points that
# take no struct by value, and catch every C++ exception at the boundary.
build_mtmd() {
  local m="$src/tools/mtmd" f o
  [ -f "$m/mtmd.cpp" ] || die "$m/mtmd.cpp missing"
  mkdir -p "$tmp/obj"
  for f in "$m"/models/*.cpp; do echo "#include \"$f\""; done >"$tmp/models.cpp"
  cat >"$tmp/tsllm-mtmd.cpp" <<'EOF'
#include "mtmd.h"
#include "mtmd-helper.h"
#define TSLLM_API extern "C" __attribute__((visibility("default")))

// Bumped when an entry point below changes: the loader refuses a library of another version.
TSLLM_API unsigned tsllm_mtmd_shim_version(void) { return 1; }

TSLLM_API mtmd_context * tsllm_mtmd_init(const char * path, const llama_model * model, int n_threads, bool use_gpu) {
    try {
        mtmd_context_params p = mtmd_context_params_default();
        p.use_gpu = use_gpu;
        p.n_threads = n_threads;
        p.print_timings = false;
        // mtmd logs where libllama does (tsllm's log ring), not straight to stderr.
        ggml_log_callback cb = nullptr;
        void * ud = nullptr;
        llama_log_get(&cb, &ud);
        if (cb != nullptr) mtmd_helper_log_set(cb, ud);
        return mtmd_init_from_file(path, model, p);
    } catch (...) {
        return nullptr;
    }
}

// An image from its encoded bytes (stb_image: PNG, JPEG, GIF, BMP, PPM, …) with `id` as its cache id; null
// when the bytes do not decode as an image (audio bytes are refused too: the runner passes images only).
TSLLM_API mtmd_bitmap * tsllm_mtmd_image_from_buf(const mtmd_context * ctx, const unsigned char * buf, size_t len, const char * id) {
    try {
        mtmd_helper_bitmap_wrapper w = mtmd_helper_bitmap_init_from_buf(ctx, buf, len, false, mtmd_helper_init_opt_default());
        if (w.bitmap == nullptr) return nullptr;
        if (mtmd_bitmap_is_audio(w.bitmap)) {
            mtmd_bitmap_free(w.bitmap);
            return nullptr;
        }
        mtmd_bitmap_set_id(w.bitmap, id);
        return w.bitmap;
    } catch (...) {
        return nullptr;
    }
}

// 0 ok, 1 marker and image counts differ, 2 an image failed to preprocess, -100 an exception.
TSLLM_API int tsllm_mtmd_tokenize(mtmd_context * ctx, mtmd_input_chunks * out, const char * text, size_t text_len,
                                  bool add_special, bool parse_special, const mtmd_bitmap ** bitmaps, size_t n) {
    try {
        mtmd_input_text t = { text, text_len, add_special, parse_special };
        return mtmd_tokenize(ctx, out, &t, bitmaps, n);
    } catch (...) {
        return -100;
    }
}

// Encodes an image chunk and decodes its embeddings into sequence `seq` from position `n_past`.
TSLLM_API int tsllm_mtmd_eval_chunk(mtmd_context * ctx, llama_context * lctx, const mtmd_input_chunk * chunk,
                                    int n_past, int seq, int n_batch, int * new_n_past) {
    try {
        llama_pos np = n_past;
        int rc = mtmd_helper_eval_chunk_single(ctx, lctx, chunk, n_past, seq, n_batch, false, &np);
        *new_n_past = np;
        return rc;
    } catch (...) {
        return -100;
    }
}
EOF
  printf '%s\n' "$m/mtmd.cpp" "$m/mtmd-audio.cpp" "$m/mtmd-image.cpp" "$m/mtmd-helper.cpp" "$m/clip.cpp" \
    "$src/vendor/hash/hash.cpp" "$tmp/models.cpp" "$tmp/tsllm-mtmd.cpp" |
    xargs -P "${TSLLM_BUILD_JOBS:-$(nproc)}" -I{} sh -c 'o="$0/obj/$(basename "$1" .cpp).o"; exec "$2" -std=c++17 -O2 -fPIC -pthread \
      -DNDEBUG -DLLAMA_SHARED -DLLAMA_BUILD -DGGML_SHARED -Wno-cast-qual \
      -I"$3/tools/mtmd" -I"$3/include" -I"$3/ggml/include" -I"$3/vendor" -c "$1" -o "$o"' "$tmp" {} "$cxx" "$src" >&2
  # The hash vendor library's sources (image ids): sha1 in a C++ namespace, the others C.
  local h="$src/vendor/hash"
  "$cxx" -x c -O2 -fPIC -w -I"$h" -c "$h/sha256/sha256.c" -o "$tmp/obj/sha256.o" >&2
  "$cxx" -x c -O2 -fPIC -w -I"$h" -c "$h/xxhash/xxhash.c" -o "$tmp/obj/xxhash.o" >&2
  "$cxx" -x c++ -O2 -fPIC -w -I"$h" -c "$h/sha1/sha1.c" -o "$tmp/obj/sha1.o" >&2
  "$cxx" -shared -pthread -o "$tmp/libmtmd.so" "$tmp"/obj/*.o "$lib_llama" "$lib_ggml" "$base" \
    -Wl,-z,defs -Wl,-rpath,'$ORIGIN' >&2
  marker=$(sed -n 's/.*return "\(<__[a-z]*__>\)".*/\1/p' "$m/mtmd.cpp" | head -1)
  echo "{\"release\":\"$release\",\"commit\":\"$commit\",\"marker\":\"$marker\",\"shim\":1}" >"$tmp/libmtmd.json"
  mv -f "$tmp/libmtmd.so" "$out/libmtmd.so"
  mv -f "$tmp/libmtmd.json" "$out/libmtmd.json"
}

# Cache keys, one per library: source commit, the prebuilt libraries it links against, compiler, and its own
# recipe (the function's text), so changing one library's recipe never rebuilds the other. A hit returns at once.
key_of() {
  {
    echo "$commit"
    sha256sum "${@:2}" | cut -d' ' -f1
    "$cxx" --version | head -1
    declare -f "$1"
  } | sha256sum | cut -c1-16
}
rpc_key=$(key_of build_rpc "$base")
mtmd_key=$(key_of build_mtmd "$base" "$lib_ggml" "$lib_llama")
fresh() { [ "${force:-}" != 1 ] && [ -f "$out/$1" ] && [ "$(cat "$out/$2" 2>/dev/null)" = "$3" ]; }
[ "${1:-}" = --force ] && force=1
if fresh libggml-rpc.so .key "$rpc_key" && fresh libmtmd.so .mtmd-key "$mtmd_key"; then
  echo "$out"
  exit 0
fi

# The shared checkout tsllm's tests use, when it is that commit; else a private clone beside the output.
src=${TSLLM_LLAMA_SRC:-$cache_root/llama.cpp}
if [ "$(git -C "$src" rev-parse HEAD 2>/dev/null)" != "$commit" ]; then
  src="$out/src"
  if [ "$(git -C "$src" rev-parse HEAD 2>/dev/null)" != "$commit" ]; then
    rm -rf "$src" && mkdir -p "$out"
    git clone -q "$bundle" "$src"
  fi
fi

mkdir -p "$out"
tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! fresh libggml-rpc.so .key "$rpc_key"; then
  build_rpc
  echo "$rpc_key" >"$out/.key"
fi
if ! fresh libmtmd.so .mtmd-key "$mtmd_key"; then
  build_mtmd
  echo "$mtmd_key" >"$out/.mtmd-key"
fi
echo "$out"
