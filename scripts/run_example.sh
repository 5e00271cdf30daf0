#!/usr/bin/env bash
# Builds and runs the main example: ALGAN on MNIST, digit 0 normal vs digit 1
# anomalous, the reference configuration (spectral norm, 256 epochs).
# Extra arguments go to the example, e.g. `bash scripts/run_example.sh --no-sn`. After an
# interruption, running it again (with the same arguments) continues the run.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" --target algan_mnist -j "$(nproc)"
out=out/algan_mnist
# A run stopped by Ctrl-C or kill left its training state there: running this again finishes it.
resume=()
if [[ -e $out/checkpoint.gad ]]; then
  echo "run_example.sh: continuing the interrupted run in $out (delete that folder to start over)"
  resume=(--resume "$out/checkpoint.gad")
fi
exec "$build_dir/examples/algan_mnist/algan_mnist" --data data/mnist --out "$out" "${resume[@]}" "$@"
