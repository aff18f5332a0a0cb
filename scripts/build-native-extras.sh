#!/usr/bin/env bash
# Builds the native libraries the @node-llama-cpp npm packages lack — libggml-rpc.so (ggml's RPC backend, a
# loadable backend) — from the llama.cpp source bundled in node-llama-cpp, ABI-matched to the prebuilt
# libggml-base (same release, same headers). One direct g++ compile, no CMake: seconds, cached.
# Prints the output dir: <cache>/native-extras/<release>/ holding libggml-rpc.so and libggml-rpc.json.
# Usage: bash scripts/build-native-extras.sh [--force]
# Env: TSLLM_CACHE_DIR (cache root, as tsllm itself), TSLLM_NATIVE_EXTRAS_DIR (output dir), CXX (compiler).
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

# Cache key: source commit, prebuilt base library, compiler and this script. A hit returns at once.
key=$(
  {
    echo "$commit"
    sha256sum "$base" "$0" | cut -d' ' -f1
    "$cxx" --version | head -1
  } | sha256sum | cut -c1-16
)
if [ "${1:-}" != --force ] && [ -f "$out/libggml-rpc.so" ] && [ "$(cat "$out/.key" 2>/dev/null)" = "$key" ]; then
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
g="$src/ggml"
[ -f "$g/src/ggml-rpc/ggml-rpc.cpp" ] || die "$g/src/ggml-rpc/ggml-rpc.cpp missing"

hdr="$g/include/ggml-rpc.h"
proto=$(for p in MAJOR MINOR PATCH; do sed -n "s/^#define RPC_PROTO_${p}_VERSION *\([0-9]*\).*/\1/p" "$hdr"; done | paste -sd.)
[[ "$proto" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "cannot read the RPC protocol version from $hdr"

mkdir -p "$out"
tmp=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The library reports the protocol it was compiled with, so a loader can check it against its peers.
cat >"$tmp/version.cpp" <<'EOF'
#include "ggml-rpc.h"
extern "C" __attribute__((visibility("default"))) unsigned tsllm_rpc_proto_version(void) {
    return (RPC_PROTO_MAJOR_VERSION << 16) | (RPC_PROTO_MINOR_VERSION << 8) | RPC_PROTO_PATCH_VERSION;
}
EOF
# The flags ggml's CMake gives a loadable backend (ggml_add_backend_library with GGML_BACKEND_DL and shared
# libs); RDMA stays off (TCP only). -z defs: every symbol must resolve in the prebuilt libggml-base.
"$cxx" -std=c++17 -O2 -fPIC -shared -pthread -DNDEBUG \
  -DGGML_BACKEND_DL -DGGML_BACKEND_BUILD -DGGML_BACKEND_SHARED -DGGML_SHARED \
  -I"$g/include" -I"$g/src" -I"$g/src/ggml-rpc" \
  "$g/src/ggml-rpc/ggml-rpc.cpp" "$g/src/ggml-rpc/transport.cpp" "$tmp/version.cpp" \
  -o "$tmp/libggml-rpc.so" "$base" -Wl,-z,defs -Wl,-rpath,'$ORIGIN' >&2

cat >"$tmp/libggml-rpc.json" <<EOF
{"release":"$release","commit":"$commit","rpcProto":"$proto"}
EOF
mv -f "$tmp/libggml-rpc.so" "$out/libggml-rpc.so"
mv -f "$tmp/libggml-rpc.json" "$out/libggml-rpc.json"
echo "$key" >"$out/.key"
echo "$out"
