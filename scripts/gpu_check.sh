#!/usr/bin/env bash
# gad on a CUDA machine: build, unit tests, the MNIST reference runs, benchmarks side by side
# with the PyTorch mirrors, and a CPU <-> CUDA model check, within a fixed time budget.
#
#   bash scripts/gpu_check.sh --pack DIR            # here (Debian 12): pack the header-only deps
#   bash scripts/gpu_check.sh [--pack-dir DIR] [--out DIR] [--budget SECONDS] ...   # GPU machine
#
# The GPU machine is expected to have a Python with PyTorch 2.x + CUDA from pip (its LibTorch is
# used: `torch.utils.cmake_prefix_path`), the CUDA toolkit (nvcc), CMake >= 3.21, Ninja and a
# C++ compiler, but no network and no -dev packages. `--pack DIR` copies what gad needs beyond
# that out of this machine's Debian packages (Boost.Hana, Catch2 2, CLI11, nlohmann-json, stb,
# Google Benchmark, zlib headers) into DIR, with small CMake package files; carry DIR (and data/)
# to the GPU machine. See docs/gpu-check.md. `--help` lists every option.
#
# Stages, in order, each timed, logged to <out>/<stage>.log and never stopping the script:
#   configure, build           only the programs the chosen stages run, Ninja, -j16
#   one_class                  a list of one-class runs (--one-class-jobs), several at once on the GPU
#   cross_device               `gad train algan` on CUDA and on CPU; each model scored on both
#   tests                      the rest of the build (started in the background after `build`),
#                              then ctest with GAD_TEST_DEVICE=cuda, compile-only tests excluded
#   algan_faithful             examples/algan_mnist, 0 vs 1, 256 epochs, --device cuda
#   algan_lean_bf16            the same with --fused-d-forward --reuse-d-step-fakes --precision bfloat16
#   alad                       examples/alad_mnist, digit 0 anomalous, epochs from the budget
#   bench                      benchmarks/bench_detectors (device auto = cuda), if it could be built
#   python_mirrors             benchmarks/python/*_iteration.py on the same GPU, beside gad's numbers
# <out>/summary.json gathers the machine, versions, and per stage status, seconds and key numbers.
# Exit status: 0 when no stage failed (skipped stages do not fail), 1 when one did, 2 when the
# machine lacks something the check cannot do without.
# The stage and parser functions are called indirectly, through run_stage:
# shellcheck disable=SC2317
set -uo pipefail

caller_pwd=$PWD
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 2
# Paths given on the command line are taken from where the script was called; the defaults
# are inside the repository.
abspath() { if [[ "$1" == /* ]]; then echo "$1"; else echo "$caller_pwd/$1"; fi; }

usage() {
  cat <<'EOF'
usage:
  bash scripts/gpu_check.sh --pack DIR
      (Debian 12 with gad's -dev packages) write the dependency pack into DIR and print its size.
  bash scripts/gpu_check.sh [options]
      (GPU machine) build and run the checks; writes <out>/summary.json and one log per stage.

options of the GPU run:
  --pack-dir DIR     the pack written by --pack (default: $GAD_PACK_DIR, else build-pack/ if
                     it exists, else none: the system must then provide the dependencies)
  --out DIR          output folder (default out/gpu_check); the previous content of a folder
                     this script wrote is replaced, any other non-empty folder is refused
  --budget SECONDS   total time for everything, build included (default 450); later stages are
                     skipped, and recorded as skipped, when too little time is left for them
  --build-dir DIR    CMake build folder (default build-gpu; reused by a later run)
  --data DIR         MNIST IDX folder (default data/mnist)
  --jobs N           parallel compile jobs (default 16)
  --threads N        intra-op CPU threads of the examples and the CLI (default 4)
  --alad-epochs N    ALAD epochs (default: as many as fit the stage's share of the budget, at an
                     assumed 60 s per epoch, at most 2 unless the budget is raised)
  --stages LIST      comma-separated subset of: one_class,cross_device,tests,algan_faithful,
                     algan_lean_bf16,alad,bench,python_mirrors (configure and build always run)
  --one-class-jobs FILE
                     the one_class stage's runs, one per line, most wanted first:
                     `NAME PROGRAM ARGS...` with PROGRAM algan_mnist or alad_mnist and paths
                     relative to the repository; the stage adds --device cuda and --out.
                     Blank lines and lines starting with # are ignored. Without it the stage
                     is skipped
  --one-class-parallel N
                     runs at a time in the one_class stage (default 10)
  --one-class-seconds N
                     the longest the one_class stage may take (default 300); runs still going
                     then are stopped and reported as such, runs not started as not run
  --min-auroc X      the faithful ALGAN run fails below this test AUROC (default 0.95)
  -h, --help         this text

environment: PYTHON (default python3), CXX, CUDA_HOME, GAD_PACK_DIR, GAD_SOURCE_COMMIT (the
  commit the sources are, recorded in env.json instead of what `git rev-parse HEAD` says; set it
  where the tree was copied, e.g. GAD_SOURCE_COMMIT=$(git rev-parse HEAD) in the command you send).
EOF
}

# -------------------------------------------------------------------------------------------
# Options
# -------------------------------------------------------------------------------------------
pack_out=""
pack_dir="${GAD_PACK_DIR:-}"
out="out/gpu_check"
budget=450
build="build-gpu"
data="data/mnist"
jobs=16
threads=4
alad_epochs=""
stages_wanted=""
min_auroc=0.95
oc_jobs=""
oc_parallel=10
oc_seconds=300

need_arg() { [[ $# -ge 2 && -n "$2" ]] || { echo "gpu_check: $1 needs a value (see --help)" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --pack) need_arg "$@"; pack_out=$(abspath "$2"); shift 2 ;;
    --pack-dir) need_arg "$@"; pack_dir=$(abspath "$2"); shift 2 ;;
    --out) need_arg "$@"; out=$(abspath "$2"); shift 2 ;;
    --budget) need_arg "$@"; budget=$2; shift 2 ;;
    --build-dir) need_arg "$@"; build=$(abspath "$2"); shift 2 ;;
    --data) need_arg "$@"; data=$(abspath "$2"); shift 2 ;;
    --jobs) need_arg "$@"; jobs=$2; shift 2 ;;
    --threads) need_arg "$@"; threads=$2; shift 2 ;;
    --alad-epochs) need_arg "$@"; alad_epochs=$2; shift 2 ;;
    --stages) need_arg "$@"; stages_wanted=$2; shift 2 ;;
    --min-auroc) need_arg "$@"; min_auroc=$2; shift 2 ;;
    --one-class-jobs) need_arg "$@"; oc_jobs=$(abspath "$2"); shift 2 ;;
    --one-class-parallel) need_arg "$@"; oc_parallel=$2; shift 2 ;;
    --one-class-seconds) need_arg "$@"; oc_seconds=$2; shift 2 ;;
    *) echo "gpu_check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$pack_dir" ]] && pack_dir=$(abspath "$pack_dir")
for v in budget jobs threads; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "gpu_check: --${v} must be a whole number" >&2; exit 2; }
done
for v in parallel seconds; do
  n=oc_$v
  [[ "${!n}" =~ ^[1-9][0-9]*$ ]] || { echo "gpu_check: --one-class-${v} must be a positive whole number" >&2; exit 2; }
done
[[ "$min_auroc" =~ ^[0-9]*\.?[0-9]+$ ]] || { echo "gpu_check: --min-auroc must be a number" >&2; exit 2; }
[[ -z "$alad_epochs" || "$alad_epochs" =~ ^[1-9][0-9]*$ ]] ||
  { echo "gpu_check: --alad-epochs must be a positive whole number" >&2; exit 2; }

# ===========================================================================================
# --pack DIR: the header-only dependencies, from this machine's Debian packages
# ===========================================================================================
# Layout of DIR (every CMake package resolves its paths relative to its own file):
#   include/        boost/hana.hpp, boost/hana/, boost/version.hpp, CLI/, nlohmann/,
#                   catch2/catch.hpp, stb/stb_image_write.h, stb/stb_image.h, benchmark/
#   lib/cmake/      Boost, Catch2 (+ catch2_main.cpp), CLI11, nlohmann_json, benchmark
#   lib/libbenchmark.so.1debian          Debian's Google Benchmark (built by GCC 12)
#   zlib/include/   zlib.h, zconf.h;  zlib/lib/libz.a   (used only if the GPU machine lacks them)
#   README.txt, .gad-pack
version_file() {  # FILE VERSION: a <Name>ConfigVersion.cmake that accepts any older request
  cat >"$1" <<EOF
# Written by scripts/gpu_check.sh --pack.
set(PACKAGE_VERSION "$2")
if(PACKAGE_FIND_VERSION AND PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
endif()
EOF
}

# Header-only INTERFACE package NAME with TARGET, version VERSION, headers in <pack>/include.
interface_package() {  # NAME TARGET VERSION
  local dir="$pack_out/lib/cmake/$1"
  mkdir -p "$dir"
  cat >"$dir/$1Config.cmake" <<EOF
# $1 $3 from Debian 12, headers only (scripts/gpu_check.sh --pack).
get_filename_component(_gad_pack_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET $2)
  add_library($2 INTERFACE IMPORTED)
  set_target_properties($2 PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "\${_gad_pack_prefix}/include"
    INTERFACE_COMPILE_FEATURES cxx_std_11)
endif()
set($1_INCLUDE_DIRS "\${_gad_pack_prefix}/include")
unset(_gad_pack_prefix)
EOF
  version_file "$dir/$1ConfigVersion.cmake" "$3"
}

make_pack() {
  local dest=$1 cxx
  cxx=${CXX:-$(command -v g++ || command -v c++ || true)}
  [[ -n "$cxx" ]] || { echo "gpu_check --pack: no C++ compiler (g++) to check the headers" >&2; return 1; }
  local need=(/usr/include/boost/hana.hpp /usr/include/boost/version.hpp
    /usr/include/catch2/catch.hpp /usr/include/CLI/CLI.hpp /usr/include/CLI/Version.hpp
    /usr/include/nlohmann/json.hpp /usr/include/stb/stb_image_write.h /usr/include/stb/stb_image.h
    /usr/include/zlib.h /usr/include/zconf.h)
  local f missing=()
  for f in "${need[@]}"; do [[ -r "$f" ]] || missing+=("$f"); done
  if ((${#missing[@]})); then
    echo "gpu_check --pack: missing ${missing[*]}" >&2
    echo "  install: sudo apt-get install libboost-dev catch2 libcli11-dev nlohmann-json3-dev libstb-dev zlib1g-dev libbenchmark-dev" >&2
    return 1
  fi
  if [[ -e "$dest" && ! -f "$dest/.gad-pack" ]] && [[ -n "$(ls -A "$dest" 2>/dev/null)" ]]; then
    echo "gpu_check --pack: $dest exists and is not a pack; refusing to overwrite it" >&2
    return 1
  fi
  rm -rf "$dest"
  mkdir -p "$dest/include/boost" "$dest/include/catch2" "$dest/include/stb" "$dest/lib/cmake" \
    "$dest/zlib/include" "$dest/zlib/lib" || return 1
  pack_out="$(cd "$dest" && pwd)"

  # Boost.Hana: the whole hana tree (the repo includes several of its headers), plus any other
  # Boost header a preprocessor run of <boost/hana.hpp> pulls in (none with Boost 1.74).
  cp -a /usr/include/boost/hana /usr/include/boost/hana.hpp /usr/include/boost/version.hpp \
    "$pack_out/include/boost/" || return 1
  local probe deps
  probe=$(mktemp -d)
  printf '#include <boost/hana.hpp>\n' >"$probe/hana.cpp"
  deps=$("$cxx" -std=c++17 -M "$probe/hana.cpp" | tr ' ' '\n' | grep '^/usr/include/boost/' |
    grep -v '^/usr/include/boost/hana' | sort -u) || true
  while read -r f; do
    [[ -n "$f" ]] || continue
    mkdir -p "$pack_out/include/$(dirname "${f#/usr/include/}")"
    cp -a "$f" "$pack_out/include/${f#/usr/include/}"
  done <<<"$deps"
  cp -a /usr/include/CLI /usr/include/nlohmann "$pack_out/include/" || return 1
  cp -a /usr/include/catch2/catch.hpp "$pack_out/include/catch2/" || return 1
  # The repo includes two stb headers, the PNG writer (gad/report/plot/canvas.hpp) and the image
  # reader (gad/data/image_folder.hpp), and finds them on the compiler's default path; here they
  # reach the compiler through Boost::headers' folder.
  cp -a /usr/include/stb/stb_image_write.h /usr/include/stb/stb_image.h "$pack_out/include/stb/" ||
    return 1
  cp -a /usr/include/zlib.h /usr/include/zconf.h "$pack_out/zlib/include/" || return 1
  [[ -r /usr/lib/x86_64-linux-gnu/libz.a ]] && cp -a /usr/lib/x86_64-linux-gnu/libz.a "$pack_out/zlib/lib/"

  local boost_v hana_n cli_v json_v catch_v bench_v=""
  boost_v=$(sed -n 's/^#define BOOST_VERSION \([0-9]*\).*/\1/p' /usr/include/boost/version.hpp)
  boost_v="$((boost_v / 100000)).$((boost_v / 100 % 1000)).$((boost_v % 100))"
  cli_v=$(sed -n 's/^#define CLI11_VERSION "\(.*\)"/\1/p' /usr/include/CLI/Version.hpp)
  json_v=$(sed -n 's/^#define NLOHMANN_JSON_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' \
    /usr/include/nlohmann/detail/abi_macros.hpp /usr/include/nlohmann/json.hpp | head -3 | paste -sd.)
  catch_v=$(sed -n 's/^#define CATCH_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' \
    /usr/include/catch2/catch.hpp | head -3 | paste -sd.)
  hana_n=$(find "$pack_out/include/boost" -type f | wc -l)

  # Boost: headers only, as `find_package(Boost 1.66 REQUIRED CONFIG)` + Boost::headers expect.
  mkdir -p "$pack_out/lib/cmake/Boost"
  cat >"$pack_out/lib/cmake/Boost/BoostConfig.cmake" <<EOF
# Boost $boost_v, headers only (Boost.Hana), from Debian 12 (scripts/gpu_check.sh --pack).
# Defines Boost::headers and Boost::boost; any compiled component is reported as missing.
get_filename_component(_gad_pack_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET Boost::headers)
  add_library(Boost::headers INTERFACE IMPORTED)
  set_target_properties(Boost::headers PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "\${_gad_pack_prefix}/include")
endif()
if(NOT TARGET Boost::boost)
  add_library(Boost::boost INTERFACE IMPORTED)
  set_target_properties(Boost::boost PROPERTIES INTERFACE_LINK_LIBRARIES Boost::headers)
endif()
set(Boost_VERSION "$boost_v")
set(Boost_VERSION_STRING "$boost_v")
set(Boost_INCLUDE_DIR "\${_gad_pack_prefix}/include")
set(Boost_INCLUDE_DIRS "\${_gad_pack_prefix}/include")
set(Boost_LIBRARIES Boost::headers)
foreach(_gad_pack_c IN LISTS Boost_FIND_COMPONENTS)
  if(_gad_pack_c STREQUAL "headers")
    set(Boost_headers_FOUND TRUE)
  else()
    set(Boost_\${_gad_pack_c}_FOUND FALSE)
    if(Boost_FIND_REQUIRED_\${_gad_pack_c})
      set(Boost_FOUND FALSE)
      set(Boost_NOT_FOUND_MESSAGE "this Boost pack holds headers only, not \${_gad_pack_c}")
    endif()
  endif()
endforeach()
unset(_gad_pack_c)
unset(_gad_pack_prefix)
EOF
  version_file "$pack_out/lib/cmake/Boost/BoostConfigVersion.cmake" "$boost_v"

  # Catch2 2: Catch2::Catch2WithMain is compiled on the GPU machine from one CATCH_CONFIG_MAIN
  # TU, with its compiler and LibTorch's _GLIBCXX_USE_CXX11_ABI (TORCH_CXX_FLAGS, set by
  # find_package(Torch) before the tests look for Catch2), so no prebuilt library has to match.
  mkdir -p "$pack_out/lib/cmake/Catch2"
  printf '// Catch2 %s main, compiled by the consumer (scripts/gpu_check.sh --pack).\n#define CATCH_CONFIG_MAIN\n#include <catch2/catch.hpp>\n' \
    "$catch_v" >"$pack_out/lib/cmake/Catch2/catch2_main.cpp"
  cat >"$pack_out/lib/cmake/Catch2/Catch2Config.cmake" <<EOF
# Catch2 $catch_v (single header) from Debian 12 (scripts/gpu_check.sh --pack). Catch2::Catch2
# is the header; Catch2::Catch2WithMain is a static library built here from catch2_main.cpp.
get_filename_component(_gad_pack_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET Catch2::Catch2)
  add_library(Catch2::Catch2 INTERFACE IMPORTED)
  set_target_properties(Catch2::Catch2 PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "\${_gad_pack_prefix}/include"
    INTERFACE_COMPILE_FEATURES cxx_std_11)
endif()
if(NOT TARGET Catch2::Catch2WithMain)
  add_library(gad_pack_catch2_main STATIC "\${CMAKE_CURRENT_LIST_DIR}/catch2_main.cpp")
  target_link_libraries(gad_pack_catch2_main PUBLIC Catch2::Catch2)
  target_compile_features(gad_pack_catch2_main PRIVATE cxx_std_17)
  if(TORCH_CXX_FLAGS)  # std::string in Catch's API must have the tests' (LibTorch's) ABI
    separate_arguments(_gad_pack_flags UNIX_COMMAND "\${TORCH_CXX_FLAGS}")
    target_compile_options(gad_pack_catch2_main PRIVATE \${_gad_pack_flags})
    unset(_gad_pack_flags)
  endif()
  add_library(Catch2::Catch2WithMain ALIAS gad_pack_catch2_main)
endif()
unset(_gad_pack_prefix)
EOF
  version_file "$pack_out/lib/cmake/Catch2/Catch2ConfigVersion.cmake" "$catch_v"

  interface_package CLI11 CLI11::CLI11 "$cli_v"
  interface_package nlohmann_json nlohmann_json::nlohmann_json "$json_v"

  # Google Benchmark: Debian ships it as a shared library only. It needs GLIBCXX_3.4.30 (GCC 12's
  # libstdc++) and the C++11 std::string ABI; the GPU run links a probe first and builds
  # bench_detectors only when that works.
  local so
  so=$(readlink -f /usr/lib/x86_64-linux-gnu/libbenchmark.so 2>/dev/null || true)
  if [[ -r /usr/include/benchmark/benchmark.h && -n "$so" && -r "$so" ]]; then
    bench_v=$(sed -n 's/^Version: *//p' /usr/lib/x86_64-linux-gnu/pkgconfig/benchmark.pc 2>/dev/null)
    bench_v=${bench_v:-1.7.1}
    cp -a /usr/include/benchmark "$pack_out/include/"
    cp "$so" "$pack_out/lib/libbenchmark.so.1debian"  # named as its SONAME; no symlinks in the pack
    mkdir -p "$pack_out/lib/cmake/benchmark"
    cat >"$pack_out/lib/cmake/benchmark/benchmarkConfig.cmake" <<EOF
# Google Benchmark $bench_v from Debian 12, shared library (scripts/gpu_check.sh --pack).
get_filename_component(_gad_pack_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
include(CMakeFindDependencyMacro)
find_dependency(Threads)
if(NOT TARGET benchmark::benchmark)
  add_library(benchmark::benchmark SHARED IMPORTED)
  set_target_properties(benchmark::benchmark PROPERTIES
    IMPORTED_LOCATION "\${_gad_pack_prefix}/lib/libbenchmark.so.1debian"
    IMPORTED_SONAME "libbenchmark.so.1debian"
    INTERFACE_INCLUDE_DIRECTORIES "\${_gad_pack_prefix}/include"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
unset(_gad_pack_prefix)
EOF
    version_file "$pack_out/lib/cmake/benchmark/benchmarkConfigVersion.cmake" "$bench_v"
    cat >>"$pack_out/lib/cmake/benchmark/benchmarkConfigVersion.cmake" <<'EOF'
if(CMAKE_SIZEOF_VOID_P AND NOT CMAKE_SIZEOF_VOID_P EQUAL 8)
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
endif()
EOF
  else
    echo "gpu_check --pack: libbenchmark-dev is not installed: the pack has no Google Benchmark" >&2
  fi

  # shellcheck source=/dev/null
  cat >"$pack_out/README.txt" <<EOF
gad's dependency pack for scripts/gpu_check.sh, written $(date -u +%Y-%m-%dT%H:%M:%SZ) on
$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") from its packages:
  Boost $boost_v headers: boost/hana.hpp, boost/hana/ ($hana_n files with version.hpp)  (libboost1.74-dev)
  Catch2 $catch_v: catch2/catch.hpp; Catch2::Catch2WithMain compiled from catch2_main.cpp  (catch2)
  CLI11 $cli_v: CLI/  (libcli11-dev)
  nlohmann-json $json_v: nlohmann/  (nlohmann-json3-dev)
  stb: stb/stb_image_write.h, stb/stb_image.h  (libstb-dev)
  Google Benchmark ${bench_v:-(absent)}: benchmark/, lib/libbenchmark.so.1debian  (libbenchmark-dev)
  zlib: zlib/include/{zlib.h,zconf.h}, zlib/lib/libz.a  (zlib1g-dev; used only when the GPU
        machine has no zlib.h / libz)
CMake packages under lib/cmake/ (Boost, Catch2, CLI11, nlohmann_json, benchmark) locate
everything relative to themselves: put this folder on CMAKE_PREFIX_PATH.
EOF
  printf 'boost=%s\ncatch2=%s\ncli11=%s\nnlohmann_json=%s\nbenchmark=%s\n' \
    "$boost_v" "$catch_v" "$cli_v" "$json_v" "$bench_v" >"$pack_out/.gad-pack"

  # Self-check: every header the repo includes from these libraries must come from the pack,
  # not from /usr/include (which is on the default path here and absent on the GPU machine).
  cat >"$probe/all.cpp" <<'EOF'
#include <boost/hana/all_of.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/set.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>
#include <boost/hana.hpp>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <catch2/catch.hpp>
#include <stb/stb_image_write.h>
#include <stb/stb_image.h>
#include <zlib.h>
#if __has_include(<benchmark/benchmark.h>)
#include <benchmark/benchmark.h>
#endif
int main() { return 0; }
EOF
  local leaked
  if ! deps=$("$cxx" -std=c++17 -M -I"$pack_out/include" -I"$pack_out/zlib/include" "$probe/all.cpp"); then
    echo "gpu_check --pack: the probe does not preprocess against the pack" >&2
    rm -rf "$probe"
    return 1
  fi
  leaked=$(tr ' ' '\n' <<<"$deps" |
    grep -E '^/usr/include/(boost|CLI|nlohmann|catch2|stb|benchmark)/|^/usr/include/(zlib|zconf)\.h' || true)
  if [[ -n "$leaked" ]]; then
    echo "gpu_check --pack: these headers still come from /usr/include:" >&2
    echo "$leaked" >&2
    rm -rf "$probe"
    return 1
  fi
  if ! "$cxx" -std=c++17 -fsyntax-only -w -I"$pack_out/include" -I"$pack_out/zlib/include" "$probe/all.cpp"; then
    echo "gpu_check --pack: the probe does not compile against the pack" >&2
    rm -rf "$probe"
    return 1
  fi
  rm -rf "$probe"
  echo "gpu_check --pack: wrote $pack_out ($(du -sh "$pack_out" | cut -f1), $(find "$pack_out" -type f | wc -l) files);"
  echo "  Boost $boost_v (hana), Catch2 $catch_v, CLI11 $cli_v, nlohmann-json $json_v, stb, zlib, benchmark ${bench_v:-absent}"
  echo "  every header the repo takes from them resolves inside the pack"
}

if [[ -n "$pack_out" ]]; then
  make_pack "$pack_out"
  exit $?
fi

# ===========================================================================================
# GPU run
# ===========================================================================================
start_s=$(date +%s)
deadline=$((start_s + budget))
final_reserve=10  # for the last summary

mkdir -p "$out" || { echo "gpu_check: cannot create $out" >&2; exit 2; }
out="$(cd "$out" && pwd)"
if [[ -n "$(ls -A "$out")" && ! -f "$out/.gpu-check" ]]; then
  echo "gpu_check: $out is not empty and was not written by this script; choose another --out" >&2
  exit 2
fi
rm -rf "${out:?}"/* "$out/.stages.tsv"
touch "$out/.gpu-check"
mkdir -p "$out/metrics"
mkdir -p "$build" || { echo "gpu_check: cannot create $build" >&2; exit 2; }
build="$(cd "$build" && pwd)"
work="$build/gpu-check-work"  # bulky files (models, helper) stay out of the output folder
rm -rf "$work" && mkdir -p "$work"
master_log="$out/gpu_check.log"
py=${PYTHON:-python3}
helper="$work/gpu_check_helper.py"

say() { echo "gpu_check: $*" | tee -a "$master_log"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
left() { echo $((deadline - $(date +%s))); }

# The order of the stages; MIN is the least time a stage is started with, WANT its cap.
# one_class and cross_device come before tests because the test executables are built in the
# background while they run.
order=(preflight configure build one_class cross_device tests algan_faithful algan_lean_bf16 alad
  bench python_mirrors)
declare -A MIN=([configure]=20 [build]=60 [one_class]=60 [cross_device]=20 [tests]=25
  [algan_faithful]=25 [algan_lean_bf16]=15 [alad]=30 [bench]=20 [python_mirrors]=15)
declare -A WANT=([configure]=150 [build]=100000 [one_class]=$oc_seconds [cross_device]=90
  [tests]=240 [algan_faithful]=150 [algan_lean_bf16]=100 [alad]=180 [bench]=120 [python_mirrors]=90)
declare -A SKIP=()  # stage -> reason it cannot run (decided before its turn)

if [[ -n "$stages_wanted" ]]; then
  IFS=, read -ra chosen <<<"$stages_wanted"
  for s in "${chosen[@]}"; do
    [[ -n "${MIN[$s]:-}" && "$s" != configure && "$s" != build ]] ||
      { echo "gpu_check: unknown stage '$s' in --stages (see --help)" >&2; exit 2; }
  done
  for s in "${order[@]:3}"; do
    [[ ",$stages_wanted," == *",$s,"* ]] || SKIP[$s]="not in --stages"
  done
fi
if [[ -z "${SKIP[one_class]:-}" ]]; then
  if [[ -z "$oc_jobs" ]]; then
    SKIP[one_class]="no --one-class-jobs"
  elif [[ ! -r "$oc_jobs" ]]; then
    echo "gpu_check: cannot read --one-class-jobs $oc_jobs" >&2
    exit 2
  fi
fi

# record STAGE STATUS SECONDS NOTE: one line of <out>/.stages.tsv, then a fresh summary.json
record() {
  local note=${4//$'\t'/ }
  note=${note//$'\n'/ }
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$note" >>"$out/.stages.tsv"
  say "$1: $2${3:+ (${3} s)}${note:+ - $note}"
  write_summary
}

# Seconds a stage may take: its cap, less what the stages after it need at least.
stage_limit() {
  local name=$1 later=0 after=0 s
  for s in "${order[@]}"; do
    if ((after)) && [[ -z "${SKIP[$s]:-}" && -n "${MIN[$s]:-}" ]]; then later=$((later + MIN[$s])); fi
    [[ "$s" == "$name" ]] && after=1
  done
  local avail=$(($(left) - final_reserve - later))
  ((avail > WANT[$name])) && avail=${WANT[$name]}
  echo "$avail"
}

# Every external command of a stage runs through `lim`, bounded by the stage's deadline.
stage_deadline=0
lim() {
  local l=$((stage_deadline - $(date +%s)))
  if ((l <= 0)); then
    echo "gpu_check: stage time limit reached before: $*" >&2
    return 124
  fi
  timeout -k 10 "$l" "$@"
}

# run_stage NAME FUNCTION [PARSER]: runs FUNCTION in a subshell (set -e there) into
# <out>/NAME.log within the stage's time; PARSER (a function) then reads its output, writes
# <out>/metrics/NAME.json, prints a one-line note and fails when the output shows a failure.
run_stage() {
  local name=$1 fn=$2 parser=${3:-}
  if [[ -n "${SKIP[$name]:-}" ]]; then
    record "$name" skipped "" "${SKIP[$name]}"
    return 0
  fi
  local limit
  limit=$(stage_limit "$name")
  if ((limit < MIN[$name])); then
    record "$name" skipped "" "budget: ${limit} s available after reserving the later stages, needs ${MIN[$name]} s"
    return 0
  fi
  local log="$out/$name.log" t0 rc secs note="" status
  stage_deadline=$(($(date +%s) + limit))
  STAGE_LIMIT=$limit
  say "$name: started, at most ${limit} s (budget left $(left) s)"
  t0=$(now_ms)
  (
    set -eo pipefail
    "$fn"
  ) >"$log" 2>&1 </dev/null
  rc=$?
  secs=$(awk -v ms=$(($(now_ms) - t0)) 'BEGIN { printf "%.1f", ms / 1000 }')
  if ((rc == 124 || rc == 137)); then
    status=failed
    note="timed out after ${limit} s"
  elif ((rc != 0)); then
    status=failed
    note="exit status $rc"
  else
    status=passed
  fi
  if [[ -n "$parser" ]]; then
    local pnote prc
    pnote=$("$parser" "$name" 2>>"$log")
    prc=$?
    note="${note:+$note; }$pnote"
    ((prc != 0)) && status=failed
  fi
  record "$name" "$status" "$secs" "$note"
  if [[ "$status" == failed ]]; then
    echo "---- last lines of $log ----"
    tail -n 25 "$log"
    echo "----"
  fi
  [[ "$status" == passed ]]
}

write_summary() {
  [[ -f "$helper" ]] || return 0
  GC_ELAPSED=$(($(date +%s) - start_s)) "$py" "$helper" summary "$out" >/dev/null 2>>"$master_log" || true
}

# ----- the Python helper: environment probe, output parsers, comparisons, summary.json -----
cat >"$helper" <<'PY'
"""Helper of scripts/gpu_check.sh (written by it; not meant to be run alone)."""
import csv
import datetime
import json
import math
import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def fmt(x, spec=".4f"):
    return format(x, spec) if isinstance(x, (int, float)) else "?"


def dump(path, obj):
    Path(path).write_text(json.dumps(obj, indent=2) + "\n")


def load(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def info(dest):
    d = {"python": sys.version.split()[0], "python_executable": sys.executable}
    try:
        import torch
        import torch.utils
    except Exception as e:  # noqa: BLE001 - any import failure is reported as such
        d["error"] = f"cannot import torch: {e}"
        dump(dest, d)
        return 1
    d["torch"] = torch.__version__
    d["torch_cuda"] = torch.version.cuda
    d["cmake_prefix_path"] = torch.utils.cmake_prefix_path
    d["cxx11_abi"] = bool(getattr(torch._C, "_GLIBCXX_USE_CXX11_ABI", True))
    d["cuda_available"] = bool(torch.cuda.is_available())
    if d["cuda_available"]:
        d["device_count"] = torch.cuda.device_count()
        d["device_name"] = torch.cuda.get_device_name(0)
        major, minor = torch.cuda.get_device_capability(0)
        d["capability"] = f"{major}.{minor}"
        d["cudnn"] = torch.backends.cudnn.version()
    dump(dest, d)
    return 0


def get(path, key):
    d = load(path) or {}
    v = d.get(key)
    print(("1" if v else "0") if isinstance(v, bool) else ("" if v is None else v))
    return 0


def tests(out, name):
    text = Path(out, f"{name}.log").read_text(errors="replace")
    m = re.search(r"(\d+)% tests passed, (\d+) tests? failed out of (\d+)", text)
    res = {}
    if m:
        res["total"], res["failed"] = int(m[3]), int(m[2])
        res["passed"] = res["total"] - res["failed"]
    t = re.search(r"Total Test time \(real\) =\s*([\d.]+) sec", text)
    if t:
        res["ctest_seconds"] = float(t[1])
    if "The following tests FAILED:" in text:
        tail = text.split("The following tests FAILED:")[-1]
        res["failed_tests"] = re.findall(r"^\s*\d+ - (\S+) \(([^)]*)\)", tail, re.M)
    junit = Path(out, "tests.junit.xml")
    if junit.exists():
        try:
            cases = [(c.get("name"), float(c.get("time") or 0), c.get("status"))
                     for c in ET.parse(junit).getroot().iter("testcase")]
            res["slowest"] = [[n, round(s, 2)] for n, s, _ in sorted(cases, key=lambda c: -c[1])[:8]]
        except (ET.ParseError, ValueError):
            pass
    dump(Path(out, "metrics", f"{name}.json"), res)
    if not m:
        print("no ctest result line in the log")
        return 1
    print(f"{res['passed']}/{res['total']} tests passed in {fmt(res.get('ctest_seconds'), '.1f')} s"
          + (f"; failed: {', '.join(n for n, _ in res.get('failed_tests', []))}" if res["failed"] else ""))
    return 0 if res["failed"] == 0 and res["total"] > 0 else 1


def algan(out, name, run_dir, min_auroc):
    s = load(Path(run_dir, "summary.json"))
    if s is None:
        print(f"no {run_dir}/summary.json")
        return 1
    keys = ("test_auroc", "validation_auroc", "best_epoch", "best_iteration", "epochs_run",
            "iterations_per_epoch", "device", "threads", "train_seconds",
            "seconds_to_best_checkpoint", "test_score_seconds", "wall_seconds")
    res = {k: s.get(k) for k in keys}
    its = (s.get("epochs_run") or 0) * (s.get("iterations_per_epoch") or 0)
    if its and s.get("train_seconds"):
        # training time over iterations, the 32 validations included
        res["ms_per_iteration"] = round(1000.0 * s["train_seconds"] / its, 3)
    res["options"] = s.get("options")
    dump(Path(out, "metrics", f"{name}.json"), res)
    note = (f"test AUROC {fmt(res['test_auroc'], '.5f')}, best validation "
            f"{fmt(res['validation_auroc'], '.5f')} after epoch {res['best_epoch']}, "
            f"{fmt(res.get('ms_per_iteration'), '.2f')} ms/iteration, "
            f"train {fmt(res['train_seconds'], '.1f')} s on {res['device']}")
    ok = str(res["device"]).startswith("cuda")
    if not ok:
        note += " (not on CUDA)"
    if min_auroc is not None and (res["test_auroc"] is None or res["test_auroc"] < float(min_auroc)):
        note += f" (below the required {min_auroc})"
        ok = False
    print(note)
    return 0 if ok else 1


def alad(out, name, run_dir):
    s = load(Path(run_dir, "summary.json"))
    if s is None:
        print(f"no {run_dir}/summary.json")
        return 1
    tr, te = s.get("training", {}), s.get("test", {})
    res = {"epochs": tr.get("epochs"), "iterations": tr.get("iterations"),
           "train_seconds": tr.get("seconds"),
           "ms_per_iteration": round(1000.0 * tr.get("seconds_per_iteration", 0.0), 3),
           "test_images": te.get("images"), "scoring_seconds": te.get("scoring_seconds"),
           "device": s.get("options", {}).get("device"), "command": s.get("command"),
           "rules": {}}
    for rule, r in (s.get("results") or {}).items():
        res["rules"][rule] = {"auroc": r.get("auroc"), "average_precision": r.get("average_precision"),
                              "f1_at_true_ratio": (r.get("at_true_ratio") or {}).get("f1")}
    dump(Path(out, "metrics", f"{name}.json"), res)
    aurocs = ", ".join(f"{k} {fmt(v['auroc'])}" for k, v in res["rules"].items())
    print(f"{res['epochs']} epoch(s) of {res['iterations']} iterations, "
          f"{fmt(res['ms_per_iteration'], '.2f')} ms/iteration, AUROC {aurocs}, on {res['device']}")
    return 0 if str(res["device"]).startswith("cuda") and res["rules"] else 1


UNIT = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


def bench_rows(out):
    """Benchmark name -> {ms, counters}; from the JSON file, else from the console log."""
    data = load(Path(out, "bench_detectors.json"))
    rows, ctx = {}, {}
    if data:
        ctx = data.get("context", {})
        for b in data.get("benchmarks", []):
            if b.get("run_type") == "aggregate":
                continue
            r = {"ms": round(b["real_time"] * UNIT.get(b.get("time_unit", "ns"), 1e-6), 4),
                 "iterations": b.get("iterations"), "label": b.get("label")}
            for k in ("GFLOPS", "items_per_second", "peak_rss_MiB"):
                if k in b:
                    r[k] = round(b[k], 2)
            rows[b["name"]] = r
    else:  # interrupted run: the console table is all there is
        log = Path(out, "bench.log")
        text = log.read_text(errors="replace") if log.exists() else ""
        for m in re.finditer(r"^(\S+)\s+([\d.]+) (ns|us|ms|s)\s+[\d.]+ \w+\s+(\d+)", text, re.M):
            rows[m[1]] = {"ms": round(float(m[2]) * UNIT[m[3]], 4), "iterations": int(m[4])}
        dev = re.search(r"gad_device: (\S+)", text)
        if dev:
            ctx["gad_device"] = dev[1]
    return rows, ctx


def bench(out, name):
    rows, ctx = bench_rows(out)
    dump(Path(out, "metrics", f"{name}.json"), {"context": ctx, "benchmarks": rows})
    if not rows:
        print("no benchmark results")
        return 1
    dev = ctx.get("gad_device", "?")
    key = "algan_train/spectral/manual_time"
    lead = f"; algan_train/spectral {rows[key]['ms']:.2f} ms" if key in rows else ""
    print(f"{len(rows)} benchmarks on {dev}{lead}")
    return 0 if str(dev).startswith("cuda") else 1


# (what, python file, python key, gad benchmark)
PAIRS = [
    ("ALGAN training iteration, gad reference loop", "algan", "train_ms_per_iteration",
     "algan_train/spectral/manual_time"),
    ("ALGAN training iteration, gad lean + bfloat16", "algan", "train_ms_per_iteration",
     "algan_train/spectral_lean_bf16/manual_time"),
    ("ALGAN scoring 2048", "algan", "score_ms_per_2048", "algan_score/spectral"),
    ("ALGAN scoring 2048, gad bfloat16", "algan", "score_ms_per_2048", "algan_score/spectral_bf16"),
    ("ALAD (D_zz) training iteration", "alad", "train_ms_per_iteration",
     "alad_train/none_dzz/manual_time"),
    ("ALAD (D_zz) training iteration, gad bfloat16", "alad", "train_ms_per_iteration",
     "alad_train/none_dzz_bf16/manual_time"),
    ("ALAD fm scoring 512", "alad", "score_ms_per_512", "alad_score/none_fm"),
    ("ALAD fm scoring 512, gad bfloat16", "alad", "score_ms_per_512", "alad_score/none_fm_bf16"),
]


def read_python(out, model):
    """The mirror's JSON line and the wrapper's line, merged."""
    path = Path(out, f"python_{model}.json")
    merged = {}
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    merged.update(json.loads(line))
                except ValueError:
                    pass
    return merged


def python_mirrors(out, name):
    py = {m: read_python(out, m) for m in ("algan", "alad")}
    rows, ctx = bench_rows(out)
    pairs = []
    for what, model, key, bname in PAIRS:
        p = py[model].get(key)
        c = rows.get(bname, {}).get("ms")
        pairs.append({"what": what, "python_ms": p, "gad_ms": c, "gad_benchmark": bname,
                      "ratio_python_over_gad": round(p / c, 3) if p and c else None})
    res = {"python": py, "gad_device": ctx.get("gad_device"), "side_by_side": pairs,
           "note": "Python side: the reference loops in float32 on the same GPU (default device "
                   "switched to CUDA by the wrapper, timings synchronized); ratio > 1: gad faster"}
    dump(Path(out, "metrics", f"{name}.json"), res)
    got = [m for m in py if py[m].get("train_ms_per_iteration")]
    if not got:
        print("no result from the Python mirrors")
        return 1
    parts = [f"{m} python train {py[m]['train_ms_per_iteration']:.2f} ms" for m in got]
    r = [q for q in pairs if q["ratio_python_over_gad"]]
    if r:
        parts.append("ratios " + ", ".join(f"{q['gad_benchmark'].split('/manual')[0]} "
                                           f"{q['ratio_python_over_gad']:.2f}x" for q in r[:4]))
    else:
        parts.append("no gad benchmark numbers to set beside them")
    dev_ok = all(str(py[m].get("device", "")).startswith("cuda") for m in got)
    print("; ".join(parts) + ("" if dev_ok else " (not on CUDA)"))
    return 0 if dev_ok and len(got) == 2 else 1


def read_scores(path):
    with open(path, newline="") as f:
        return {int(r["index"]): (float(r["score"]), r.get("prediction")) for r in csv.DictReader(f)}


def compare_pair(a, b, tol):
    sa, sb = read_scores(a), read_scores(b)
    res = {"a": Path(a).name, "b": Path(b).name, "rows_a": len(sa), "rows_b": len(sb)}
    if not sa or set(sa) != set(sb):
        res["ok"] = False
        return res
    abs_d = [abs(sa[i][0] - sb[i][0]) for i in sa]
    scaled = [abs(sa[i][0] - sb[i][0]) / max(1.0, abs(sa[i][0])) for i in sa]
    finite = all(math.isfinite(sa[i][0]) and math.isfinite(sb[i][0]) for i in sa)
    res.update({"max_abs_diff": max(abs_d), "max_scaled_diff": max(scaled),
                "prediction_mismatches": sum(sa[i][1] != sb[i][1] for i in sa),
                "score_range": [min(v[0] for v in sa.values()), max(v[0] for v in sa.values())],
                "tolerance": tol})
    res["ok"] = finite and res["max_scaled_diff"] <= tol
    return res


def cross(out, name, tol):
    d = Path(out, "cross_device")
    tol = float(tol)
    checks = []
    for trained in ("cuda", "cpu"):
        a, b = d / f"model_{trained}_scored_cuda.csv", d / f"model_{trained}_scored_cpu.csv"
        if a.exists() and b.exists():
            checks.append(dict(compare_pair(a, b, tol), trained_on=trained))
        else:
            checks.append({"trained_on": trained, "ok": False, "missing": [str(p) for p in (a, b) if not p.exists()]})
    dump(Path(out, "metrics", f"{name}.json"),
         {"rule": "|cuda - cpu| <= tolerance * max(1, |score|) for every image", "checks": checks})
    parts = []
    for c in checks:
        if "max_abs_diff" in c:
            parts.append(f"trained on {c['trained_on']}: max |cuda - cpu| {c['max_abs_diff']:.3g} "
                         f"(scaled {c['max_scaled_diff']:.3g}, {c['prediction_mismatches']} decisions differ)")
        else:
            parts.append(f"trained on {c['trained_on']}: score files missing or unequal")
    print("; ".join(parts) + f"; tolerance {tol:g}")
    return 0 if all(c["ok"] for c in checks) else 1


def one_class(out, name):
    """The one_class stage: per run its status, seconds and headline numbers, in the jobs' order."""
    d = Path(out, "one_class")
    order = (d / ".order").read_text().split() if (d / ".order").exists() else []
    runs, counts = [], {"finished": 0, "failed": 0, "stopped": 0, "not run": 0}
    for run in order:
        r = {"name": run}
        rc_file = d / f"{run}.rc"
        if not rc_file.exists():
            r["status"] = "not run"
        else:
            rc, secs = (rc_file.read_text().split() + ["", ""])[:2]
            r["seconds"] = int(secs) if secs.isdigit() else None
            r["exit_status"] = int(rc) if rc.lstrip("-").isdigit() else None
            r["status"] = ("finished" if r["exit_status"] == 0 else
                           "stopped" if r["exit_status"] in (124, 137) else "failed")
        oc = load(d / run / "one_class.json")
        sm = load(d / run / "summary.json")
        if oc is not None:  # algan_mnist --one-class: one row per class
            r["classes"] = [{k: c.get(k) for k in ("class", "test_auroc", "last_epoch_test_auroc",
                                                   "best_epoch", "pca_auroc", "knn_auroc",
                                                   "train_size", "seconds")}
                            for c in oc.get("classes", [])]
            r["device"] = oc.get("device")
        elif sm is not None and "test_auroc" in sm:  # algan_mnist, 0 vs 1
            r.update({k: sm.get(k) for k in ("test_auroc", "last_epoch_test_auroc", "best_epoch",
                                             "validation_auroc")})
            r["device"] = sm.get("device")
        elif sm is not None:  # alad_mnist --protocol normal
            res = sm.get("results") or {}
            r["aurocs"] = {k: v.get("auroc") for k, v in res.items()}
            r["baselines"] = sm.get("baselines")
            r["kept_epoch"] = (sm.get("selection") or {}).get("kept_epoch")
            r["device"] = (sm.get("options") or {}).get("device")
        if r["status"] == "finished" and oc is None and sm is None:
            r["status"] = "failed"
            r["note"] = "exit status 0 but no one_class.json or summary.json"
        counts[r["status"]] += 1
        runs.append(r)
    dump(Path(out, "metrics", f"{name}.json"), {"counts": counts, "runs": runs})
    print(", ".join(f"{v} {k}" for k, v in counts.items()) + f" of {len(order)} runs")
    not_cuda = [r["name"] for r in runs if r.get("device") and not str(r["device"]).startswith("cuda")]
    if not_cuda:
        print(f"not on CUDA: {', '.join(not_cuda)}")
    return 0 if counts["finished"] > 0 and counts["failed"] == 0 and not not_cuda else 1


def summary(out):
    out = Path(out)
    env = load(out / "env.json") or {}
    stages = {}
    tsv = out / ".stages.tsv"
    if tsv.exists():
        for line in tsv.read_text().splitlines():
            f = line.split("\t")
            if len(f) < 4:
                continue
            name, status, secs, note = f[:4]
            entry = {"status": status, "seconds": float(secs) if secs else None, "note": note}
            if (out / f"{name}.log").exists():
                entry["log"] = f"{name}.log"
            m = load(out / "metrics" / f"{name}.json")
            if m is not None:
                entry["metrics"] = m
            stages[name] = entry
    failed = [n for n, s in stages.items() if s["status"] == "failed"]
    s = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
         "passed": not failed, "failed": failed,
         "skipped": [n for n, s in stages.items() if s["status"] == "skipped"],
         "elapsed_seconds": int(os.environ.get("GC_ELAPSED", "0")),
         **env, "stages": stages}
    dump(out / "summary.json", s)
    return 0


def main(argv):
    cmd, args = argv[1], argv[2:]
    fn = {"info": info, "get": get, "tests": tests, "algan": algan, "alad": alad, "bench": bench,
          "python_mirrors": python_mirrors, "cross": cross, "one_class": one_class,
          "summary": summary}[cmd]
    return fn(*args)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
PY

# The PyTorch mirrors run on the CPU as written; this wrapper makes CUDA their default device
# (before they build anything) and synchronizes around each timed call.
cat >"$work/mirror_on_device.py" <<'PY'
"""Runs a benchmarks/python mirror with DEVICE as the default device (gpu_check.sh)."""
import json
import pathlib
import runpy
import statistics
import sys
import time
import warnings

import torch

script, device = sys.argv[1], sys.argv[2]
sys.path.insert(0, str(pathlib.Path(script).resolve().parent))
import timing  # noqa: E402  (benchmarks/python/timing.py)

cuda = device.startswith("cuda")
sync = torch.cuda.synchronize if cuda else (lambda: None)


def median_ms(step, warmup, iterations):
    for _ in range(warmup):
        step()
    sync()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        step()
        sync()
        times.append(1e3 * (time.perf_counter() - start))
    return statistics.median(times)


timing.median_ms = median_ms
how = "none"
if cuda:
    if ":" in device:
        torch.cuda.set_device(torch.device(device))
    try:  # C++-level default; no per-call Python overhead, unlike set_default_device's mode
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.set_default_tensor_type(torch.cuda.FloatTensor)
        how = "set_default_tensor_type"
    except Exception:  # noqa: BLE001
        torch.set_default_device(device)
        how = "set_default_device"
sys.argv = [script] + sys.argv[3:]
runpy.run_path(script, run_name="__main__")
extra = {"device": device, "default_device_via": how}
if cuda:
    extra["gpu"] = torch.cuda.get_device_name()
    extra["cuda_max_memory_allocated"] = torch.cuda.max_memory_allocated()
    if extra["cuda_max_memory_allocated"] == 0:
        extra["device"] = "cpu (nothing was allocated on CUDA)"
print(json.dumps(extra))
PY

# -------------------------------------------------------------------------------------------
# Preflight: what the machine has
# -------------------------------------------------------------------------------------------
say "output in $out, build in $build, budget ${budget} s"
pre_log="$out/preflight.log"
fatal=()
{
  echo "== date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname 2>/dev/null || echo '?')"
  echo "== uname: $(uname -a)"
  # shellcheck source=/dev/null
  [[ -r /etc/os-release ]] && (. /etc/os-release && echo "== os: ${PRETTY_NAME:-?}")
  echo "== nproc: $(nproc)"
} >"$pre_log" 2>&1

gpu_name="" gpu_driver="" gpu_memory=""
if command -v nvidia-smi >/dev/null; then
  nvidia-smi >>"$pre_log" 2>&1
  IFS=, read -r gpu_name gpu_driver gpu_memory < <(nvidia-smi --query-gpu=name,driver_version,memory.total \
    --format=csv,noheader 2>/dev/null | head -n 1 | sed 's/ *, */,/g; s/^ *//; s/ *$//') || true
else
  echo "nvidia-smi: not found" >>"$pre_log"
fi

torch_prefix="" torch_cuda_ok=0 cxx11_abi=1 capability=""
if ! command -v "$py" >/dev/null; then
  fatal+=("no '$py' on PATH (set PYTHON to the Python that has PyTorch)")
else
  if "$py" "$helper" info "$out/torch.json" >>"$pre_log" 2>&1; then
    torch_prefix=$("$py" "$helper" get "$out/torch.json" cmake_prefix_path)
    torch_cuda_ok=$("$py" "$helper" get "$out/torch.json" cuda_available)
    cxx11_abi=$("$py" "$helper" get "$out/torch.json" cxx11_abi)
    capability=$("$py" "$helper" get "$out/torch.json" capability)
    [[ -n "$("$py" "$helper" get "$out/torch.json" torch_cuda)" ]] ||
      fatal+=("this PyTorch ($("$py" "$helper" get "$out/torch.json" torch)) is a CPU build; install a CUDA wheel")
    [[ "$torch_cuda_ok" == 1 ]] ||
      fatal+=("torch.cuda.is_available() is False: no usable GPU or driver (see preflight.log)")
    [[ -f "$torch_prefix/Torch/TorchConfig.cmake" ]] ||
      fatal+=("no TorchConfig.cmake under torch.utils.cmake_prefix_path '$torch_prefix'")
  else
    fatal+=("'$py': $("$py" "$helper" get "$out/torch.json" error 2>/dev/null)")
  fi
fi

# nvcc: pip's TorchConfig enables CUDA and needs the toolkit.
nvcc=""
nvcc_candidates=("${CUDA_HOME:+$CUDA_HOME/bin/nvcc}" "${CUDA_PATH:+$CUDA_PATH/bin/nvcc}"
  "$(command -v nvcc 2>/dev/null)" /usr/local/cuda/bin/nvcc)
mapfile -t -O "${#nvcc_candidates[@]}" nvcc_candidates < <(find /usr/local -maxdepth 3 \
  -path '/usr/local/cuda-*/bin/nvcc' 2>/dev/null | sort -rV)
for c in "${nvcc_candidates[@]}"; do
  if [[ -n "$c" && -x "$c" ]]; then nvcc=$c; break; fi
done
nvcc_version="" cuda_root=""
if [[ -z "$nvcc" ]]; then
  fatal+=("nvcc not found (PATH, \$CUDA_HOME, /usr/local/cuda*): LibTorch's CMake package needs the CUDA toolkit")
else
  nvcc_version=$("$nvcc" --version 2>/dev/null | sed -n 's/.*release \([0-9.]*\).*/\1/p')
  cuda_root=$(cd "$(dirname "$nvcc")/.." && pwd)
  echo "== nvcc: $nvcc ($nvcc_version), toolkit $cuda_root" >>"$pre_log"
fi

cmake_version=""
if command -v cmake >/dev/null; then
  cmake_version=$(cmake --version | sed -n 's/^cmake version //p')
  printf '%s\n%s\n' 3.21 "$cmake_version" | sort -CV || fatal+=("CMake $cmake_version is older than 3.21")
else
  fatal+=("cmake not found")
fi
command -v ninja >/dev/null || fatal+=("ninja not found (pip install ninja, or the ninja-build package)")
cxx=${CXX:-$(command -v c++ || command -v g++ || command -v clang++ || true)}
cxx_version=""
if [[ -z "$cxx" ]] || ! command -v "$cxx" >/dev/null; then
  fatal+=("no C++ compiler (set CXX)")
  cxx=""
else
  cxx=$(command -v "$cxx")
  cxx_version=$("$cxx" --version | head -n 1)
fi
command -v timeout >/dev/null || fatal+=("timeout (coreutils) not found")

# The pack.
if [[ -z "$pack_dir" && -f "$root/build-pack/.gad-pack" ]]; then pack_dir="$root/build-pack"; fi
if [[ -n "$pack_dir" ]]; then
  if [[ -f "$pack_dir/.gad-pack" ]]; then
    pack_dir="$(cd "$pack_dir" && pwd)"
  else
    fatal+=("--pack-dir $pack_dir is not a pack written by 'gpu_check.sh --pack'")
  fi
fi
echo "== pack: ${pack_dir:-none (system packages)}" >>"$pre_log"

# MNIST.
data_ok=1
for part in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [[ -f "$data/$part.gz" || -f "$data/$part" ]] || data_ok=0
done
t10k_images=""
if ((data_ok)); then
  data="$(cd "$data" && pwd)"
  t10k_images="$data/t10k-images-idx3-ubyte.gz"
  [[ -f "$t10k_images" ]] || t10k_images="$data/t10k-images-idx3-ubyte"
else
  nodata="no MNIST in $data (bring data/ along; scripts/fetch_data.sh fetches it)"
  SKIP[algan_faithful]=$nodata SKIP[algan_lean_bf16]=$nodata SKIP[alad]=$nodata SKIP[cross_device]=$nodata
  SKIP[one_class]=${SKIP[one_class]:-$nodata}
  echo "== data: $nodata" >>"$pre_log"
  say "warning: $nodata; the MNIST stages will be skipped"
fi

{
  printf '{"host": "%s", "gpu": {"name": "%s", "driver": "%s", "memory": "%s"},' \
    "$(hostname 2>/dev/null)" "$gpu_name" "$gpu_driver" "$gpu_memory"
  printf ' "nvcc": "%s", "cmake": "%s", "cxx": "%s", "pack": "%s", "budget_seconds": %s,' \
    "$nvcc_version" "$cmake_version" "${cxx_version//\"/}" "${pack_dir}" "$budget"
  # A copied work tree can carry a stale .git (the device machine's copy did: its HEAD named
  # an older commit than the files it held), so the caller's own statement wins when given.
  printf ' "git_commit": "%s", "git_commit_from": "%s"}\n' \
    "${GAD_SOURCE_COMMIT:-$(git -C "$root" rev-parse HEAD 2>/dev/null || true)}" \
    "$([[ -n "${GAD_SOURCE_COMMIT:-}" ]] && echo GAD_SOURCE_COMMIT || echo "git rev-parse HEAD")"
} >"$work/env-shell.json"
"$py" - "$out/torch.json" "$work/env-shell.json" "$out/env.json" <<'PY' 2>>"$pre_log" || true
import json, sys
t = {}
try:
    t = json.load(open(sys.argv[1]))
except Exception:
    pass
e = json.load(open(sys.argv[2]))
if not e["gpu"]["name"] and t.get("device_name"):
    e["gpu"]["name"] = t["device_name"]
e.update({"torch": t.get("torch"), "cuda": t.get("torch_cuda"), "cudnn": t.get("cudnn"),
          "gpu_capability": t.get("capability"), "torch_cxx11_abi": t.get("cxx11_abi"),
          "python": t.get("python")})
json.dump(e, open(sys.argv[3], "w"), indent=2)
PY

if ((${#fatal[@]})); then
  printf 'gpu_check: cannot run here:\n' | tee -a "$master_log" >&2
  printf '  - %s\n' "${fatal[@]}" | tee -a "$master_log" "$pre_log" >&2
  record preflight failed "" "$(IFS=';'; echo "${fatal[*]}")"
  for s in "${order[@]:1}"; do record "$s" skipped "" "preflight failed"; done
  exit 2
fi
torch_cuda=$("$py" "$helper" get "$out/torch.json" torch_cuda)
if [[ "${torch_cuda%%.*}" != "${nvcc_version%%.*}" ]]; then
  say "warning: PyTorch was built with CUDA $torch_cuda, the toolkit here is $nvcc_version; LibTorch's CMake package may refuse it"
fi
record preflight passed "" "${gpu_name:-$("$py" "$helper" get "$out/torch.json" device_name)}, torch $("$py" "$helper" get "$out/torch.json" torch) (CUDA $torch_cuda), CUDA toolkit $nvcc_version"

# Google Benchmark: build bench_detectors only if a probe links and runs with this compiler.
bench_on=OFF
if [[ -z "${SKIP[bench]:-}" || -z "${SKIP[python_mirrors]:-}" ]]; then
  probe="$work/bench-probe"
  mkdir -p "$probe"
  printf '#include <benchmark/benchmark.h>\nstatic void BM_probe(benchmark::State& s) { for (auto _ : s) benchmark::DoNotOptimize(s.iterations()); }\nBENCHMARK(BM_probe);\nBENCHMARK_MAIN();\n' >"$probe/probe.cpp"
  abi_flag="-D_GLIBCXX_USE_CXX11_ABI=$cxx11_abi"
  if [[ -n "$pack_dir" && -f "$pack_dir/lib/libbenchmark.so.1debian" ]]; then
    link=("$pack_dir/lib/libbenchmark.so.1debian" "-Wl,-rpath,$pack_dir/lib" -I"$pack_dir/include")
  else
    link=(-lbenchmark)
  fi
  if [[ "$cxx11_abi" != 1 && -n "$pack_dir" ]]; then
    SKIP[bench]="LibTorch uses the pre-C++11 std::string ABI; the packed Google Benchmark does not"
  elif "$cxx" -std=c++17 -O1 "$abi_flag" "$probe/probe.cpp" "${link[@]}" -pthread -o "$probe/probe" >"$probe/log" 2>&1 &&
    "$probe/probe" --benchmark_min_time=0.01 >>"$probe/log" 2>&1; then
    bench_on=ON
  else
    SKIP[bench]="Google Benchmark does not link or run with $cxx here (see preflight.log)"
    { echo "== benchmark probe:"; cat "$probe/log"; } >>"$pre_log"
  fi
fi

# -------------------------------------------------------------------------------------------
# configure + build
# -------------------------------------------------------------------------------------------
cuda_arch=${capability//./}
cuda_arch=${cuda_arch:-90}
export TORCH_CUDA_ARCH_LIST="${capability:-9.0}"
export CUDA_HOME="$cuda_root" CUDACXX="$nvcc"
cmake_args=(-DCMAKE_BUILD_TYPE=Release
  "-DCMAKE_PREFIX_PATH=$torch_prefix${pack_dir:+;$pack_dir}" "-DTorch_DIR=$torch_prefix/Torch"
  "-DCMAKE_CXX_COMPILER=$cxx" "-DCMAKE_CUDA_COMPILER=$nvcc" "-DCMAKE_CUDA_HOST_COMPILER=$cxx"
  "-DCUDAToolkit_ROOT=$cuda_root" "-DCUDA_TOOLKIT_ROOT_DIR=$cuda_root"
  "-DCMAKE_CUDA_ARCHITECTURES=$cuda_arch" "-DTORCH_CUDA_ARCH_LIST=$TORCH_CUDA_ARCH_LIST"
  # only CMake's CUDA checks compile CUDA code here; do not fail them on a too-new host compiler
  "-DCMAKE_CUDA_FLAGS=-allow-unsupported-compiler"
  "-DPython3_EXECUTABLE=$(command -v "$py")"
  -DGAD_BUILD_TESTS=ON -DGAD_BUILD_EXAMPLES=ON -DGAD_BUILD_TOOLS=ON -DGAD_INSTALL=OFF
  "-DGAD_BUILD_BENCHMARKS=$bench_on")
# LibTorch's headers require C++20 from PyTorch 2.13 on (2.12 in some builds); gad itself is C++17.
torch_version=$("$py" "$helper" get "$out/torch.json" torch)
if printf '%s\n%s\n' 2.12 "${torch_version%%+*}" | sort -CV; then
  cmake_args+=(-DCMAKE_CXX_STANDARD=20)
  echo "== C++20 for the LibTorch headers of torch $torch_version" >>"$pre_log"
fi

# zlib: the system's header and library when the compiler finds them, else the pack's header
# with the system's libz.so.1, else the pack's libz.a.
zprobe="$work/zprobe.cpp"
printf '#include <zlib.h>\nint main() { return zlibVersion()[0] == 0; }\n' >"$zprobe"
if ! "$cxx" -fsyntax-only "$zprobe" 2>/dev/null; then
  if [[ -n "$pack_dir" && -f "$pack_dir/zlib/include/zlib.h" ]]; then
    cmake_args+=("-DZLIB_INCLUDE_DIR=$pack_dir/zlib/include")
    echo "== zlib: header from the pack" >>"$pre_log"
  else
    echo "== zlib: no zlib.h on the compiler's path and none in a pack" >>"$pre_log"
  fi
fi
if ! "$cxx" "$zprobe" -I"${pack_dir:-/nonexistent}/zlib/include" -lz -o "$work/zprobe" 2>/dev/null; then
  libz=$( (ldconfig -p 2>/dev/null | sed -n 's/.*libz\.so\.1 (libc6,x86-64) => \(.*\)/\1/p' | head -n 1) || true)
  for c in "$libz" /lib/x86_64-linux-gnu/libz.so.1 /usr/lib/x86_64-linux-gnu/libz.so.1 /usr/lib64/libz.so.1 /lib64/libz.so.1; do
    [[ -n "$c" && -f "$c" ]] && { libz=$c; break; }
    libz=""
  done
  if [[ -z "$libz" && -n "$pack_dir" && -f "$pack_dir/zlib/lib/libz.a" ]]; then libz="$pack_dir/zlib/lib/libz.a"; fi
  [[ -n "$libz" ]] && cmake_args+=("-DZLIB_LIBRARY=$libz")
  echo "== zlib: library ${libz:-not found}" >>"$pre_log"
fi

# CUDA 12.x toolkits no longer ship libnvToolsExt, which older LibTorch CMake packages require
# (or fall back to when they find no NVTX3 headers); LibTorch's own libraries do not need it
# from us, so an empty target stands in.
if ! ls "$cuda_root"/lib64/libnvToolsExt.so* "$cuda_root"/targets/*/lib/libnvToolsExt.so* >/dev/null 2>&1; then
  cat >"$work/nvtx_stub.cmake" <<'EOF'
# scripts/gpu_check.sh: this CUDA toolkit has no libnvToolsExt; LibTorch needs no link to it.
if(NOT TARGET CUDA::nvToolsExt)
  add_library(CUDA::nvToolsExt INTERFACE IMPORTED GLOBAL)
endif()
EOF
  cmake_args+=("-DCMAKE_PROJECT_gad_INCLUDE=$work/nvtx_stub.cmake")
fi

stage_configure() {
  echo "cmake -S $root -B $build -G Ninja ${cmake_args[*]}"
  # a cache from another LibTorch or compiler would not be reconfigured: start clean then
  if [[ -f "$build/CMakeCache.txt" ]] && ! grep -qF "CMAKE_PREFIX_PATH:UNINITIALIZED=$torch_prefix" "$build/CMakeCache.txt" &&
    ! grep -qF "CMAKE_PREFIX_PATH:STRING=$torch_prefix" "$build/CMakeCache.txt"; then
    echo "(removing a CMake cache made with another prefix)"
    rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"
  fi
  lim cmake -S "$root" -B "$build" -G Ninja "${cmake_args[@]}"
}
failed_stages() { awk -F'\t' '$2 == "failed" { print $1 }' "$out/.stages.tsv" | paste -sd' '; }
finish() {
  stop_background_build
  write_summary
  local failed
  failed=$(failed_stages)
  if [[ -n "$failed" ]]; then
    say "done in $(($(date +%s) - start_s)) s: FAILED: $failed; summary: $out/summary.json"
    exit 1
  fi
  say "done in $(($(date +%s) - start_s)) s: no stage failed; summary: $out/summary.json"
  exit 0
}

run_stage configure stage_configure
if [[ "$(tail -n 1 "$out/.stages.tsv" | cut -f2)" != passed ]]; then
  for s in "${order[@]:2}"; do record "$s" skipped "" "not configured"; done
  finish
fi

# The build stage makes only the programs the wanted stages run; what else the tests run (the
# unit tests, the trace and golden-value programs, the other examples) is made in the
# background, at a lower priority, while the one_class and cross_device stages run, and the
# tests stage waits for it. The compile-only checks (97 header TUs) are not built: ctest skips them.
wanted() { [[ -z "${SKIP[$1]:-}" ]]; }
targets=()
{ wanted one_class || wanted algan_faithful || wanted algan_lean_bf16; } && targets+=(algan_mnist)
{ wanted one_class || wanted alad; } && targets+=(alad_mnist)
wanted cross_device && targets+=(gad_cli)
[[ "$bench_on" == ON ]] && { wanted bench || wanted python_mirrors; } && targets+=(bench_detectors)
((${#targets[@]})) || targets=(gad_cli)

stage_build() {
  echo "targets: ${targets[*]}"
  lim cmake --build "$build" --target "${targets[@]}" -j "$jobs" -- -k 0
}
run_stage build stage_build

background_build_pid=""
background_build_log="$out/build_rest.log"
if wanted tests; then
  # Half the cores while one_class or cross_device runs beside it (each run needs CPU threads to
  # feed the GPU); all of them when nothing does: at half width on 16 cores the test build
  # outlasted a 160 s tests stage (2026-12-04). setsid gives the build its own session, so
  # that stopping it stops Ninja and the compilers too.
  bg_jobs=$jobs
  { wanted one_class || wanted cross_device; } && bg_jobs=$(((jobs + 1) / 2))
  mapfile -t test_targets < <(ninja -C "$build" -t targets all 2>/dev/null |
    sed -n 's/^\(test_[a-z_]*\|algan_trace\|alad_trace\|golden_values\|first_detector\|custom_policy\|image_folder\|gad_cli\|algan_mnist\|alad_mnist\): phony$/\1/p')
  setsid nice -n 10 cmake --build "$build" --target "${test_targets[@]}" -j "$bg_jobs" -- -k 0 \
    >"$background_build_log" 2>&1 </dev/null &
  background_build_pid=$!
  say "building the rest (tests, examples) in the background, -j $bg_jobs, log $background_build_log"
fi
stop_background_build() {
  if [[ -n "$background_build_pid" ]] && kill -0 "$background_build_pid" 2>/dev/null; then
    kill -- "-$background_build_pid" 2>/dev/null
    wait "$background_build_pid" 2>/dev/null
    say "stopped the background build"
  fi
  background_build_pid=""
}

# After a failed build, a target counts only if Ninja has nothing left to do for it.
built() {
  [[ "$(awk -F'\t' '$1 == "build" { print $2 }' "$out/.stages.tsv")" == passed ]] && return 0
  cmake --build "$build" --target "$1" -- -n 2>/dev/null | grep -q 'no work to do'
}
for t in "${targets[@]}"; do
  if ! built "$t"; then
    case "$t" in
      algan_mnist) SKIP[algan_faithful]=${SKIP[algan_faithful]:-"algan_mnist did not build"}
        SKIP[algan_lean_bf16]=${SKIP[algan_lean_bf16]:-"algan_mnist did not build"} ;;
      alad_mnist) SKIP[alad]=${SKIP[alad]:-"alad_mnist did not build"} ;;
      gad_cli) SKIP[cross_device]=${SKIP[cross_device]:-"the gad CLI did not build"} ;;
      bench_detectors) SKIP[bench]=${SKIP[bench]:-"bench_detectors did not build"} ;;
    esac
  fi
done
[[ "$bench_on" == ON ]] || SKIP[bench]=${SKIP[bench]:-"Google Benchmark unavailable"}

# -------------------------------------------------------------------------------------------
# The checks
# -------------------------------------------------------------------------------------------
# One-class runs: each line of --one-class-jobs is `NAME PROGRAM ARGS...`. Up to
# --one-class-parallel of them run at once, in the file's order, each with --device cuda and
# --out <out>/one_class/NAME; a small network leaves the GPU idle between kernel launches, so
# several processes share it well. At the stage's end a run still going is stopped (timeout's
# status, 124) and a run not yet started is listed as not run.
oc_program() {
  case "$1" in
    algan_mnist) echo "$build/examples/algan_mnist/algan_mnist" ;;
    alad_mnist) echo "$build/examples/alad_mnist/alad_mnist" ;;
    *) return 1 ;;
  esac
}
oc_one() {  # NAME PROGRAM ARGS...: one run, its status and seconds into <dir>/NAME.rc
  local name=$1 prog=$2 t0 rc=0
  shift 2
  t0=$(date +%s)
  (cd "$root" && lim "$prog" "$@" --device cuda --out "$out/one_class/$name") \
    >"$out/one_class/$name.log" 2>&1 || rc=$?
  echo "$rc $(($(date +%s) - t0))" >"$out/one_class/$name.rc"
}
stage_one_class() {
  local dir="$out/one_class" name program prog args line n=0
  rm -rf "$dir"
  mkdir -p "$dir"
  while read -r line || [[ -n "$line" ]]; do
    [[ -z "${line// /}" || "$line" == \#* ]] && continue
    read -r name program args <<<"$line"
    [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "bad run name '$name' in $oc_jobs"; return 2; }
    echo "$name" >>"$dir/.order"
    if ! prog=$(oc_program "$program"); then
      echo "$name: unknown program '$program' (algan_mnist or alad_mnist)"
      echo "2 0" >"$dir/$name.rc"
      continue
    fi
    if ((stage_deadline - $(date +%s) < 5)); then
      continue  # no .rc: not run
    fi
    while (($(jobs -rp | wc -l) >= oc_parallel)); do wait -n || true; done
    ((stage_deadline - $(date +%s) < 5)) && continue
    echo "$(date -u +%H:%M:%S) start $name: $program $args"
    # shellcheck disable=SC2086 # the job file's arguments are split on blanks, as documented
    oc_one "$name" "$prog" $args &
    n=$((n + 1))
  done <"$oc_jobs"
  wait || true
  echo "$(date -u +%H:%M:%S) $n runs started"
}
parse_one_class() { "$py" "$helper" one_class "$out" "$1"; }
run_stage one_class stage_one_class parse_one_class

# A short ALGAN fit through the CLI on each device; each model scores the 10,000 MNIST test
# images on both devices, and the two score files of a model must agree.
stage_cross_device() {
  local gad="$build/tools/cli/gad" w="$work/cross" dev m
  rm -rf "$w" "$out/cross_device"
  mkdir -p "$w" "$out/cross_device"
  for dev in cuda cpu; do
    echo "== train on $dev"
    lim "$gad" train algan --data "$data" --max-train 512 --max-test 512 --batch-size 128 \
      --epochs 2 --validate-every 1 --select-from-epoch 1 --seed 7 --device "$dev" \
      --threads "$threads" --quiet --no-plots --out "$w/trained_$dev"
    cp "$w/trained_$dev/summary.json" "$out/cross_device/trained_${dev}_summary.json"
  done
  for m in cuda cpu; do
    for dev in cuda cpu; do
      echo "== model trained on $m, scored on $dev"
      lim "$gad" score --model "$w/trained_$m/model.gad" --images "$t10k_images" --device "$dev" \
        --threads "$threads" --out "$out/cross_device/model_${m}_scored_${dev}.csv"
    done
  done
}
parse_cross_device() { "$py" "$helper" cross "$out" "$1" 1e-4; }
run_stage cross_device stage_cross_device parse_cross_device

stage_tests() {
  # The background build is waited for within this stage's time, then finished at full width.
  local waited=0
  while [[ -n "$background_build_pid" ]] && kill -0 "$background_build_pid" 2>/dev/null; do
    if ((stage_deadline - $(date +%s) <= 0)); then
      echo "the background build did not finish in time"
      return 124
    fi
    sleep 2
    waited=$((waited + 2))
  done
  echo "waited ${waited} s for the background build ($background_build_log)"
  lim cmake --build "$build" --target "${test_targets[@]}" -j "$jobs" -- -k 0 ||
    echo "(the build failed; the tests of what was built still run)"
  export GAD_TEST_DEVICE=cuda OMP_NUM_THREADS=2
  # Compile-only checks (headers, docs snippets, policy errors) and the consumer projects run no
  # GPU code.
  lim ctest --test-dir "$build" --output-on-failure -j 8 --timeout 240 \
    -E '^(headers_compile_alone|docs_snippets|policy_error_.*|consumer_.*)$' --output-junit "$out/tests.junit.xml"
}
parse_tests() { "$py" "$helper" tests "$out" "$1"; }
run_stage tests stage_tests parse_tests
stop_background_build

algan_run() {  # VARIANT [FLAGS...]
  local dir="$out/$1"
  shift
  rm -rf "$dir"
  lim "$build/examples/algan_mnist/algan_mnist" --data "$data" --out "$dir" --device cuda \
    --threads "$threads" --seed 1234 --epochs 256 "$@"
}
stage_algan_faithful() { algan_run algan_faithful; }
stage_algan_lean_bf16() {
  algan_run algan_lean_bf16 --fused-d-forward --reuse-d-step-fakes --precision bfloat16
}
parse_algan_faithful() { "$py" "$helper" algan "$out" "$1" "$out/$1" "$min_auroc"; }
parse_algan_lean_bf16() { "$py" "$helper" algan "$out" "$1" "$out/$1" 0; }
run_stage algan_faithful stage_algan_faithful parse_algan_faithful
run_stage algan_lean_bf16 stage_algan_lean_bf16 parse_algan_lean_bf16

# ALAD: one epoch of digit 0 is 1,577 iterations of batch 32; 60 s per epoch is assumed, plus
# about 40 s for start-up, loading and scoring 19,523 images with four rules.
alad_args=()
stage_alad() {
  local dir="$out/alad"
  rm -rf "$dir"
  echo "alad_mnist ${alad_args[*]}"
  lim "$build/examples/alad_mnist/alad_mnist" --data "$data" --label 0 --device cuda \
    --threads "$threads" --progress-seconds 15 --out "$dir" "${alad_args[@]}"
}
parse_alad() { "$py" "$helper" alad "$out" "$1" "$out/alad"; }
if [[ -z "${SKIP[alad]:-}" ]]; then
  l=$(stage_limit alad)
  if [[ -n "$alad_epochs" ]]; then
    alad_args=(--epochs "$alad_epochs")
  elif ((l >= 100)); then
    alad_args=(--epochs $(((l - 40) / 60)))
  elif ((l >= MIN[alad])); then  # less than an epoch: a share of the 50,477 training images
    n=$(((l - 40) * 50477 / 60 / 32 * 32))
    ((n < 3200)) && n=3200
    alad_args=(--epochs 1 --train-limit "$n")
  fi
fi
run_stage alad stage_alad parse_alad

stage_bench() {
  export GAD_BENCH_THREADS=2  # the thread count the Python mirrors get
  local filter=()
  if ((STAGE_LIMIT < 90)); then  # short of time: the benchmarks the mirrors are compared with
    filter=("--benchmark_filter=^(algan_train/(spectral|spectral_lean_bf16)|algan_score/spectral(_bf16)?|alad_train/none_dzz(_bf16)?|alad_score/none_fm(_bf16)?)(/manual_time)?\$")
  fi
  lim "$build/benchmarks/bench_detectors" --benchmark_min_time=0.1 "${filter[@]}" \
    --benchmark_out="$out/bench_detectors.json" --benchmark_out_format=json
}
parse_bench() { "$py" "$helper" bench "$out" "$1"; }
run_stage bench stage_bench parse_bench

stage_python_mirrors() {
  local m
  for m in algan alad; do
    local its=(--iterations 50 --warmup 5)
    [[ "$m" == alad ]] && its=(--iterations 20 --warmup 3)
    echo "== $m"
    lim "$py" "$work/mirror_on_device.py" "$root/benchmarks/python/${m}_iteration.py" cuda \
      --threads 2 "${its[@]}" | tee "$out/python_$m.json"
  done
}
parse_python_mirrors() { "$py" "$helper" python_mirrors "$out" "$1"; }
run_stage python_mirrors stage_python_mirrors parse_python_mirrors


finish
