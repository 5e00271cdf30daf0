#!/usr/bin/env bash
# Builds gad's unit tests with AddressSanitizer + UndefinedBehaviorSanitizer and runs them.
# Any sanitizer report fails the run. BUILD_DIR (default build-asan) and JOBS may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build-asan}
jobs=${JOBS:-$(nproc)}
# -O1: sanitized code at -O2 takes much longer to compile for little gain in run time.
# Examples, benchmarks and the CLI are left out: the unit tests exercise the same headers.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DGAD_SANITIZE=ON \
  -DGAD_BUILD_EXAMPLES=OFF -DGAD_BUILD_BENCHMARKS=OFF -DGAD_BUILD_TOOLS=OFF -DGAD_INSTALL=OFF
cmake --build "$build_dir" -j "$jobs"
export OMP_NUM_THREADS=2
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Compile-only checks and the consumer projects run no gad code: nothing to sanitize there.
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" \
  -E '^(headers_compile_alone|policy_error_.*|consumer_.*)$'
