#!/usr/bin/env bash
# Builds the IDX-reader fuzz target with Clang (libFuzzer + ASan + UBSan) and runs it for
# FUZZ_SECONDS (default 60) from a corpus made of the test fixture: gzipped and raw files and
# truncated copies. A crash or sanitizer report fails the run and leaves the input in
# $BUILD_DIR/crashes/. BUILD_DIR (default build-fuzz) and JOBS may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build-fuzz}
jobs=${JOBS:-$(nproc)}
seconds=${FUZZ_SECONDS:-60}
CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DGAD_BUILD_FUZZERS=ON -DGAD_BUILD_TESTS=OFF \
  -DGAD_BUILD_EXAMPLES=OFF -DGAD_BUILD_BENCHMARKS=OFF -DGAD_BUILD_TOOLS=OFF -DGAD_INSTALL=OFF
cmake --build "$build_dir" -j "$jobs" --target fuzz_idx

corpus="$build_dir/corpus"
crashes="$build_dir/crashes"
rm -rf "$corpus" && mkdir -p "$corpus" "$crashes"
for f in tests/data/mnist-fixture/*.gz; do
  name=$(basename "$f" .gz)
  cp "$f" "$corpus/$name.gz"
  gunzip -c "$f" > "$corpus/$name"
  # A header and a few rows: small seeds the fuzzer mutates quickly.
  head -c 800 "$corpus/$name" > "$corpus/$name.head"
  # A forged count: a label file header promising 2^32 - 1 labels and holding one.
  printf '\x00\x00\x08\x01\xff\xff\xff\xff\x07' > "$corpus/lying-labels"
  head -c 300 "$f" > "$corpus/$name.gz.head"
done
export OMP_NUM_THREADS=1
# malloc_limit_mb is the real check on lying headers: an input of at most max_len bytes that
# makes the reader allocate more than 192 MiB is reported as a crash.
"$build_dir/tests/fuzz/fuzz_idx" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 \
  -malloc_limit_mb=192 -max_len=16384 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$crashes/"
