#!/usr/bin/env bash
# scripts/gpu_check.sh where no usable GPU is (CI's machines): the preflight refuses with exit
# status 2, a reason and a summary.json, and the Python helper the script writes compiles and
# reads a one_class stage correctly. Everything else in that helper runs only on a GPU
# machine, so a mistake there would otherwise surface only in a session that has one.
#   gpu_check_without_gpu.sh REPO_ROOT WORK_DIR
set -uo pipefail
root=$1
work=$2
py=${PYTHON:-python3}
if ! command -v "$py" >/dev/null; then
  echo "SKIPPED: no $py"
  exit 0
fi
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }

PYTHON=$py bash "$root/scripts/gpu_check.sh" --out "$work/out" --build-dir "$work/build" --budget 60 \
  --stages one_class,tests --one-class-jobs "$root/scripts/one_class_gpu_jobs.txt" >"$work/log" 2>&1
rc=$?
cat "$work/log"
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
  echo "SKIPPED: this machine has a GPU; the refusal is not what happens here"
  exit 0
fi
((rc == 2)) || fail "exit status $rc, expected 2 (cannot run here)"
grep -q "cannot run here" "$work/log" || fail "no reason printed"
"$py" - "$work/out/summary.json" <<'PY' || fail "summary.json does not record the failed preflight"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["stages"]["preflight"]["status"] == "failed", s["stages"]
assert not s["passed"] and s["stages"]["one_class"]["status"] == "skipped", s
PY

helper="$work/build/gpu-check-work/gpu_check_helper.py"
"$py" -m py_compile "$helper" || fail "the helper does not compile"

# The one_class parser on a made-up stage: one run finished, one stopped at the stage's end,
# one not started.
oc="$work/stage/one_class"
mkdir -p "$oc/a" "$oc/b" "$work/stage/metrics"
printf 'a\nb\nc\n' >"$oc/.order"
echo "0 12" >"$oc/a.rc"
echo '{"device": "cuda:0", "classes": [{"class": 3, "test_auroc": 0.9}]}' >"$oc/a/one_class.json"
echo "124 300" >"$oc/b.rc"
note=$("$py" "$helper" one_class "$work/stage" one_class) || fail "the parser failed: $note"
echo "parser: $note"
[[ "$note" == "1 finished, 0 failed, 1 stopped, 1 not run of 3 runs" ]] || fail "unexpected note"
"$py" - "$work/stage/metrics/one_class.json" <<'PY' || fail "metrics/one_class.json is wrong"
import json, sys
m = json.load(open(sys.argv[1]))
runs = {r["name"]: r for r in m["runs"]}
assert runs["a"]["classes"][0]["test_auroc"] == 0.9 and runs["a"]["seconds"] == 12, runs
assert runs["b"]["status"] == "stopped" and runs["c"]["status"] == "not run", runs
PY
echo "gpu_check without a GPU: refused as expected; helper and one_class parser work"
