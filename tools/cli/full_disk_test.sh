#!/usr/bin/env bash
# A full disk during `gad train`: --out on a 600 KB tmpfs. The run must end with exit status 1
# and one line naming the file and "No space left on device", never a C++ abort or stack
# trace, and leave no temporary file. Mounting needs root (CI runs as root); elsewhere the
# test says SKIPPED, which CTest reports as skipped.
# Usage: full_disk_test.sh <gad> <fixture folder> <scratch folder>   (run by CTest)
set -euo pipefail
gad=$1 data=$2 out=$3
mkdir -p "$out"
mnt=$out/tiny-disk
mkdir -p "$mnt"
mountpoint -q "$mnt" && umount "$mnt"
if [[ $(id -u) != 0 ]] || ! mount -t tmpfs -o size=600k tmpfs "$mnt" 2> /dev/null; then
  echo "SKIPPED: mounting a tmpfs needs root"
  exit 0
fi
trap 'umount "$mnt"' EXIT
# Networks large enough that model.gad (about 1 MB) cannot fit.
status=0
"$gad" train algan --data "$data" --threads 1 --device cpu --quiet --epochs 1 \
  --batch-size 16 --generator-hidden 64,128 --discriminator-hidden 256,64 --out "$mnt/run" \
  > "$out/stdout" 2> "$out/stderr" || status=$?
cat "$out/stderr"
[[ $status == 1 ]] || { echo "FAIL: exit status $status, expected 1"; exit 1; }
grep -q "No space left on device" "$out/stderr" || { echo "FAIL: no reason given"; exit 1; }
grep -q "$mnt/run/" "$out/stderr" || { echo "FAIL: the file is not named"; exit 1; }
if grep -qiE "terminate called|c10::Error|stack|Exception raised from" "$out/stderr"; then
  echo "FAIL: an abort or a stack trace instead of a message"; exit 1
fi
if compgen -G "$mnt/run/*.tmp-*" > /dev/null || compgen -G "$mnt/run/*.tmp" > /dev/null; then
  echo "FAIL: temporary files left:"; ls -la "$mnt/run"; exit 1
fi
echo "full-disk test passed"
