#!/usr/bin/env bash
# Builds gad's tests, examples and benchmarks and runs the test suite.
# BUILD_DIR (default build) and JOBS (default: number of cores) may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build_dir" -j "$jobs"
# Fixed thread count so that test timings and results do not depend on the host.
export OMP_NUM_THREADS=2
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
