#!/usr/bin/env bash
# Installs the pinned Bun from the npm registry into ~/.cache/tsllm/bun-<version> and prints its bin dir.
# Needs only Node.js and npm. Idempotent: a second call reuses the installed binary.
set -euo pipefail
version=$(node -p 'require("./package.json").engines.bun')
dir="${XDG_CACHE_HOME:-$HOME/.cache}/tsllm/bun-$version"
if [ ! -x "$dir/bin/bun" ]; then
  arch=x64
  [ "$(uname -m)" = aarch64 ] && arch=aarch64
  pkg="@oven/bun-linux-$arch"
  if [ "$arch" = x64 ] && ! grep -q avx2 /proc/cpuinfo; then pkg="$pkg-baseline"; fi
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null 2>&1 && tar xzf ./*.tgz)
  mkdir -p "$dir/bin"
  install -m 0755 "$tmp/package/bin/bun" "$dir/bin/bun"
  rm -rf "$tmp"
fi
echo "$dir/bin"
