#!/usr/bin/env bash
# Builds the fuzz targets with Clang (libFuzzer + ASan + UBSan) and runs each for FUZZ_SECONDS
# (default 60): the IDX reader from a corpus made of the test fixture (gzipped and raw files and
# truncated copies), the model/checkpoint reader from a model and a resumable checkpoint the
# target writes itself, and the CSV table reader from a few small tables. A crash or sanitizer report fails the run and leaves the input in
# $BUILD_DIR/crashes/. BUILD_DIR (default build-fuzz) and JOBS may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build-fuzz}
jobs=${JOBS:-$(nproc)}
seconds=${FUZZ_SECONDS:-60}
CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DGAD_BUILD_FUZZERS=ON -DGAD_BUILD_TESTS=OFF \
  -DGAD_BUILD_EXAMPLES=OFF -DGAD_BUILD_BENCHMARKS=OFF -DGAD_BUILD_TOOLS=OFF -DGAD_INSTALL=OFF
cmake --build "$build_dir" -j "$jobs" --target fuzz_idx fuzz_checkpoint fuzz_csv

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

# Model files: seeds from a tiny fitted detector, then mutated. Most mutations hit a record's
# checksum; the rest reach LibTorch's parser through gad's zip checks.
model_corpus="$build_dir/corpus-checkpoint"
rm -rf "$model_corpus" && mkdir -p "$model_corpus"
GAD_FUZZ_WRITE_SEEDS="$model_corpus" "$build_dir/tests/fuzz/fuzz_checkpoint"
# Inputs that once failed (see tests/fuzz/regressions/README.md) are run first, every time.
cp tests/fuzz/regressions/checkpoint/* "$model_corpus/"
"$build_dir/tests/fuzz/fuzz_checkpoint" "$model_corpus" -max_total_time="$seconds" \
  -rss_limit_mb=2048 -max_len=262144 -timeout=20 -print_final_stats=1 \
  -artifact_prefix="$crashes/checkpoint-"

# CSV tables: a few well-formed and malformed seeds.
csv_corpus="$build_dir/corpus-csv"
rm -rf "$csv_corpus" && mkdir -p "$csv_corpus"
printf 'a,b,label\n1,2,0\n3.5,-4e2,1\n' > "$csv_corpus/plain.csv"
printf '"x, y";label\n"1";0\n2;1\n' > "$csv_corpus/quoted.csv"
printf 'f,label\n1,0\nnan,1\n,0\n' > "$csv_corpus/bad.csv"
"$build_dir/tests/fuzz/fuzz_csv" "$csv_corpus" -max_total_time="$seconds" -rss_limit_mb=2048 \
  -max_len=4096 -timeout=10 -print_final_stats=1 -artifact_prefix="$crashes/csv-"
