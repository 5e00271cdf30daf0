#!/usr/bin/env bash
# algan_mnist interrupted and resumed: Ctrl-C leaves checkpoint.gad and exits 130; the same
# command with --resume ends with the scores and loss log of an uninterrupted run, in the
# reference mode and in the one-class mode. A fresh run into a folder holding a checkpoint, a
# resume with another option and a resume on another class's data are refused.
# Usage: resume_test.sh <algan_mnist> <fixture folder> <scratch folder>   (run by CTest)
set -euo pipefail
bin=$1 data=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
fail() { echo "FAIL: $*"; exit 1; }

# Starts `bin args... --out folder` in the background, sends SIGINT once its first checkpoint
# exists, and checks that it stopped with 130 while still training.
interrupt() {
  local folder=$1; shift
  "$bin" "$@" --out "$folder" > "$folder.log" 2>&1 &
  local pid=$! status=0
  for _ in $(seq 1200); do
    [[ -s $folder/checkpoint.gad ]] && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.05
  done
  kill -0 "$pid" 2> /dev/null || fail "$folder ended before the signal"
  kill -INT "$pid"
  wait "$pid" || status=$?
  [[ $status == 130 ]] || { cat "$folder.log"; fail "$folder: SIGINT gave exit status $status"; }
  [[ -s $folder/checkpoint.gad ]] || fail "$folder: no checkpoint after the interruption"
}

# ---- reference mode
common=(--data "$data" --epochs 8 --batch-size 16 --threads 1 --device cpu --checkpoint-every 1)
ref=("${common[@]}" --seed 3)
"$bin" "${ref[@]}" --out "$out/whole" > "$out/whole.log"
[[ ! -e $out/whole/checkpoint.gad ]] || fail "a finished run left checkpoint.gad"

interrupt "$out/cut" "${ref[@]}"
grep -q "interrupted after .* --resume" "$out/cut.log" || fail "no resume hint"
grep -q '"interrupted_by": "SIGINT"' "$out/cut/summary.json" || fail "summary lacks the interruption"

status=0
"$bin" "${ref[@]}" --out "$out/cut" > "$out/fresh.log" 2>&1 || status=$?
[[ $status == 1 ]] && grep -q "checkpoint.gad exists" "$out/fresh.log" ||
  fail "a fresh run into a folder with a checkpoint was not refused ($status)"
status=0
"$bin" "${common[@]}" --seed 4 --resume "$out/cut/checkpoint.gad" --out "$out/cut" \
  > "$out/other_seed.log" 2>&1 || status=$?
[[ $status == 1 ]] && grep -q "another seed" "$out/other_seed.log" ||
  fail "a resume with another --seed was not refused ($status)"

"$bin" "${ref[@]}" --resume "$out/cut/checkpoint.gad" --out "$out/cut" > "$out/resume.log"
cmp "$out/cut/scores.csv" "$out/whole/scores.csv" || fail "resumed scores differ"
cmp "$out/cut/loss_log.csv" "$out/whole/loss_log.csv" || fail "resumed loss log differs"
[[ ! -e $out/cut/checkpoint.gad ]] || fail "the finished resumed run left checkpoint.gad"

# ---- one-class mode (classes 0 and 1 have equally many fixture images, so only the data
# fingerprint tells their checkpoints apart)
one=(--data "$data" --one-class --validation-fraction 0.25 --select-from-epoch 0 --ema-decay 0.9
     --epochs 8 --batch-size 16 --threads 1 --device cpu --seed 3 --checkpoint-every 1)
"$bin" "${one[@]}" --classes 0 --out "$out/one_whole" > "$out/one_whole.log"
interrupt "$out/one_cut" "${one[@]}" --classes 0
grep -q "interrupted during class 0; .* --classes 0 " "$out/one_cut.log" || fail "no resume hint"

status=0
"$bin" "${one[@]}" --classes 1 --resume "$out/one_cut/checkpoint.gad" --out "$out/one_cut" \
  > "$out/one_other.log" 2>&1 || status=$?
[[ $status == 1 ]] && grep -q "other data" "$out/one_other.log" ||
  fail "class 1 resumed from class 0's checkpoint was not refused ($status)"

"$bin" "${one[@]}" --classes 0 --resume "$out/one_cut/checkpoint.gad" --out "$out/one_cut" \
  > "$out/one_resume.log"
# Every column but the seconds.
cmp <(cut -d, -f1-9 "$out/one_cut/one_class.csv") <(cut -d, -f1-9 "$out/one_whole/one_class.csv") ||
  fail "the resumed class scores differently"
echo "resume test passed: reference and one-class runs resumed to the uninterrupted results"
