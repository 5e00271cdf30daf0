#!/usr/bin/env bash
# Ctrl-C and kill during `gad train`: the run finishes its iteration, writes the model and a
# resumable checkpoint and exits 130 (SIGINT) or 143 (SIGTERM); resuming it, even after a
# second interruption, ends with a model file and a loss log byte-identical to an
# uninterrupted run's.
# Usage: interrupt_test.sh <gad> <fixture folder> <scratch folder>   (run by CTest)
set -euo pipefail
gad=$1 data=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
args=(train algan --data "$data" --threads 1 --device cpu --quiet --no-plots --seed 5
      --z-dim 8 --generator-hidden 16,32 --discriminator-hidden 32,16 --batch-size 16
      --epochs 200 --checkpoint-every 4)

"$gad" "${args[@]}" --out "$out/whole" > /dev/null

# Starts a run in the background, waits until its first checkpoint exists (so training is
# under way), then sends `signal`; sets `status` to the run's exit status.
interrupt() {
  local signal=$1 folder=$2; shift 2
  "$gad" "$@" --out "$folder" > "$folder.stdout" 2> "$folder.stderr" &
  local pid=$!
  for _ in $(seq 600); do
    [[ -s $folder/checkpoint.gad ]] && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.05
  done
  # The run must still be training, or this test proves nothing.
  kill -0 "$pid" 2> /dev/null || { echo "FAIL: the run ended before the signal"; exit 1; }
  kill "-$signal" "$pid"
  status=0
  wait "$pid" || status=$?
}

interrupt INT "$out/cut" "${args[@]}"
[[ $status == 130 ]] || { echo "FAIL: SIGINT gave exit status $status"; cat "$out/cut.stderr"; exit 1; }
grep -q "interrupted after" "$out/cut.stderr" || { echo "FAIL: no interruption message"; exit 1; }
[[ -s $out/cut/model.gad && -s $out/cut/summary.json ]] || { echo "FAIL: no model or summary"; exit 1; }
grep -q '"interrupted_by": "SIGINT"' "$out/cut/summary.json"
cmp -s "$out/cut/model.gad" "$out/whole/model.gad" && { echo "FAIL: the cut run was not cut"; exit 1; }

# Resumed (from a copy, in a folder of its own) and interrupted again, by SIGTERM, once its
# next periodic checkpoint exists.
mkdir -p "$out/cut2" && cp "$out/cut/checkpoint.gad" "$out/cut2/start.gad"
resume2=(train algan --data "$data" --threads 1 --device cpu --quiet --no-plots
         --checkpoint-every 4 --resume "$out/cut2/start.gad")
interrupt TERM "$out/cut2" "${resume2[@]}"
[[ $status == 143 ]] || { echo "FAIL: SIGTERM gave exit status $status"; cat "$out/cut2.stderr"; exit 1; }

"$gad" train algan --data "$data" --threads 1 --device cpu --quiet --no-plots \
  --resume "$out/cut2/checkpoint.gad" --out "$out/cut2" > /dev/null 2> "$out/resume.stderr"
cmp "$out/cut2/model.gad" "$out/whole/model.gad" ||
  { echo "FAIL: the resumed model differs from the uninterrupted one"; exit 1; }
# cut2's log began at the copied checkpoint (not this folder's own, so not continued) and was
# continued by the second resume: its rows are the uninterrupted run's last ones.
rows=$(($(wc -l < "$out/cut2/loss_log.csv") - 1))
cmp <(tail -n "$rows" "$out/cut2/loss_log.csv") <(tail -n "$rows" "$out/whole/loss_log.csv") ||
  { echo "FAIL: the twice resumed loss log differs from the uninterrupted one"; exit 1; }

# The first cut, resumed in its own folder, ends with the whole run's model and loss log.
"$gad" train algan --data "$data" --threads 1 --device cpu --quiet --no-plots \
  --resume "$out/cut/checkpoint.gad" --out "$out/cut" > /dev/null 2> "$out/resume1.stderr"
cmp "$out/cut/model.gad" "$out/whole/model.gad" ||
  { echo "FAIL: the model resumed in place differs from the uninterrupted one"; exit 1; }
cmp "$out/cut/loss_log.csv" "$out/whole/loss_log.csv" ||
  { echo "FAIL: the loss log resumed in place differs from the uninterrupted one"; exit 1; }

# A second signal does not wait for the iteration: the process ends at once with 130.
mkdir -p "$out/twice"
"$gad" "${args[@]}" --out "$out/twice" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do [[ -s $out/twice/checkpoint.gad ]] && break; sleep 0.05; done
kill -INT "$pid"; kill -INT "$pid"
status=0; wait "$pid" || status=$?
[[ $status == 130 ]] || { echo "FAIL: two SIGINTs gave exit status $status"; exit 1; }
echo "interrupt test passed: SIGINT 130, SIGTERM 143, resumed models and loss logs identical"
