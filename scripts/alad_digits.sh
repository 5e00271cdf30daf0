#!/usr/bin/env bash
# The ten-digit ALAD MNIST experiment: every digit anomalous in turn (EGBAD protocol), then the
# table against the PCA-32 baseline on the same splits. Each digit saves its training state
# every epoch, so starting the script again after an interruption continues where it stopped;
# digits that already have a summary.json are skipped. About 4 hours per digit on two CPU cores.
#
#   bash scripts/alad_digits.sh [--digits 0,2,5] [--out out/alad_digits] [alad_mnist flags...]
#
# Runs are the reference's length (11 epochs) unless --epochs is given; other flags are passed
# on, e.g. `--precision bfloat16 --threads 2` or `--device cuda`. Give the same flags on every
# start: a resumed digit takes its options from its checkpoint, the next digits from the flags.
set -euo pipefail
cd "$(dirname "$0")/.."
digits="0,1,2,3,4,5,6,7,8,9"
out=out/alad_digits
# --digits and --out may stand anywhere; everything else goes to alad_mnist.
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --digits) digits=${2:?--digits needs a list}; shift 2 ;;
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
set -- "${args[@]}"
# The baseline must see the same splits as the GAN runs.
split_flags=()
epochs=(--epochs 11)
checkpoints=(--checkpoint-every 1)
for ((i = 0; i < ${#args[@]}; ++i)); do
  case "${args[i]}" in
    --seed | --data | --protocol | --validation-fraction)
      split_flags+=("${args[i]}" "${args[i + 1]:-}") ;;
    --legacy-leaky-split) split_flags+=("${args[i]}") ;;
    --epochs) epochs=() ;;
    --checkpoint-every) checkpoints=() ;;
  esac
done
mkdir -p "$out"
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" --target alad_mnist -j "$(nproc)"
example="$build_dir/examples/alad_mnist/alad_mnist"

for d in 0 1 2 3 4 5 6 7 8 9; do  # the baseline: seconds per digit
  [[ -f "$out/pca32/digit$d/summary.json" ]] ||
    "$example" --label "$d" --model pca "${split_flags[@]}" --out "$out/pca32/digit$d" >/dev/null
done

IFS=, read -ra chosen <<<"$digits"
for d in "${chosen[@]}"; do
  run="$out/digit$d"
  if [[ -f "$run/summary.json" ]]; then
    echo "digit $d: done ($run/summary.json)"
    continue
  fi
  resume=()
  [[ -f "$run/checkpoint.gad" ]] && resume=(--resume "$run/checkpoint.gad")
  echo "digit $d: ${resume[*]:-fresh run} -> $run"
  "$example" --label "$d" "${epochs[@]}" "${checkpoints[@]}" "$@" "${resume[@]}" --out "$run" \
    2>&1 | tee -a "$out/digit$d.log"
done

python3 scripts/alad_digit_table.py "$out" "$out/pca32"
