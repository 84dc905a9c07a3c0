#!/usr/bin/env bash
# deps.sh - install what a fresh Debian machine lacks for building and testing, then the
# npm dev dependencies. Idempotent: installs only what is missing. Called by `make deps`
# and by any make target that finds a tool missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the project needs: the wasm toolchain (its clang also builds the native
# benchmark and, with libclang-rt-14-dev's libFuzzer runtime, the fuzzers: only recommended
# by clang-14, so named here), SIMDe for the native build of the same kernels, stb for PNG
# writing, Chromium for the browser tests (driven by npm playwright-core), Fashion-MNIST.
APT_PACKAGES=(emscripten clang-14 libclang-rt-14-dev libstb-dev libsimde-dev chromium dataset-fashion-mnist)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then
    echo "deps: installing ${missing[*]} (sudo)"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "deps: this machine lacks: ${missing[*]}" >&2
    echo "deps: install them with your package manager (Debian: apt-get install ${missing[*]}), then run make again" >&2
    exit 1
  fi
fi

# npm ci when node_modules is absent or older than the lock file
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
