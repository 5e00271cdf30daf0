#!/usr/bin/env bash
# Fault injection: `gad train --checkpoint-every 1` killed with SIGKILL at 20 moments spread
# over the run (every second one as soon as a checkpoint write has begun; a kill that lands
# inside the write leaves its temporary file, which is counted), then resumed
# from whatever checkpoint survived (or started again where none did); every final model file
# and loss log must be byte-identical to the uninterrupted run's. Prints the counts docs/errors.md quotes.
# Usage: kill_test.sh <gad> <fixture folder> <scratch folder> [kills]   (run by CTest)
set -euo pipefail
gad=$1 data=$2 out=$3 kills=${4:-20}
rm -rf "$out" && mkdir -p "$out"
args=(train algan --data "$data" --threads 1 --device cpu --quiet --no-plots --seed 9
      --z-dim 8 --generator-hidden 16,32 --discriminator-hidden 32,16 --batch-size 16
      --epochs 40 --checkpoint-every 1)

t0=$(date +%s%N)
"$gad" "${args[@]}" --out "$out/whole" > /dev/null
whole_ns=$(($(date +%s%N) - t0))

during_write=0 no_checkpoint=0 recovered=0
for i in $(seq "$kills"); do
  folder=$out/kill$i
  # From 20 % to 95 % of the uninterrupted run's wall time (the first part is start-up).
  delay_ns=$((whole_ns * (20 + 75 * i / kills) / 100))
  "$gad" "${args[@]}" --out "$folder" > /dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%09d' $((delay_ns / 1000000000)) $((delay_ns % 1000000000)))"
  if ((i % 2 == 0)); then
    # Every second kill waits for the next checkpoint write to begin and lands inside it.
    while kill -0 "$pid" 2> /dev/null && ! compgen -G "$folder/checkpoint.gad.tmp-*" > /dev/null; do
      :
    done
  fi
  kill -9 "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  compgen -G "$folder/checkpoint.gad.tmp-*" > /dev/null && during_write=$((during_write + 1))
  if [[ -e $folder/checkpoint.gad ]]; then
    "$gad" train algan --data "$data" --threads 1 --device cpu --quiet --no-plots \
      --resume "$folder/checkpoint.gad" --out "$folder" > /dev/null 2> "$folder.stderr"
  else
    no_checkpoint=$((no_checkpoint + 1))
    "$gad" "${args[@]}" --out "$folder" > /dev/null 2> "$folder.stderr"
  fi
  if cmp -s "$folder/model.gad" "$out/whole/model.gad"; then
    recovered=$((recovered + 1))
  else
    echo "FAIL: kill $i (after $((delay_ns / 1000000)) ms): the final model differs"
    exit 1
  fi
  # The loss log goes on where the checkpoint left off: no row lost, none twice.
  if ! cmp -s "$folder/loss_log.csv" "$out/whole/loss_log.csv"; then
    echo "FAIL: kill $i: the loss log differs from the uninterrupted run's"; exit 1
  fi
  # The next run into the folder removed what the killed write left behind.
  if compgen -G "$folder/*.tmp-*" > /dev/null; then
    echo "FAIL: kill $i: temporary files left after the resumed run"; ls "$folder"; exit 1
  fi
done
echo "kill test passed: $kills kills (SIGKILL), $during_write inside a checkpoint write," \
  "$no_checkpoint before the first checkpoint, $recovered of $kills final models and loss logs" \
  "identical"
