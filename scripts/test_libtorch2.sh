#!/usr/bin/env bash
# Builds gad and runs its test suite against LibTorch 2.6, inside a Debian 13 ("trixie") root
# kept outside the clone, so that nothing of Debian 13 mixes into the Debian 12 system.
#
#   bash scripts/test_libtorch2.sh          # unit, header, policy and consumer tests
#   bash scripts/test_libtorch2.sh --all    # also the examples, the CLI and the benchmarks
#
# The first run makes the root with mmdebstrap (a few minutes and about 2 GB); later runs reuse
# it, its build folder and its ccache. Run as root (chroot needs it), on a Debian host.
#   GAD_DEB13_ROOT    where the root lives (default /var/tmp/gad-debian13)
#   GAD_DEBIAN_MIRROR the Debian mirror (default: the one this host's apt uses)
#   JOBS              parallel build jobs (default: number of cores)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
root=${GAD_DEB13_ROOT:-/var/tmp/gad-debian13}
jobs=${JOBS:-$(nproc)}
all=0
[[ "${1:-}" == "--all" ]] && all=1

# Everything the full build needs; the default run uses a subset but the root stays one.
packages=(
  g++ cmake ninja-build ccache ca-certificates
  libtorch-dev libopenblas0-openmp libboost-dev zlib1g-dev
  libcatch2-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev libstb-dev python3
)

now() { date +%s; }
t0=$(now)
say() { echo "test_libtorch2: $* ($(($(now) - t0)) s)"; }

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"

mirror=${GAD_DEBIAN_MIRROR:-}
if [[ -z "$mirror" ]]; then
  # The first Debian (not -security) URI apt knows, in deb822 or one-line form.
  mirror=$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ \
    2>/dev/null | head -n 1 | tr -d ' ' || true)
  mirror=${mirror:-http://deb.debian.org/debian}
fi

wanted=$(printf '%s\n' "${packages[@]}" | sort | tr '\n' ' ')
if [[ ! -f "$root/.gad-packages" ]]; then
  command -v mmdebstrap >/dev/null || {
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends mmdebstrap
  }
  say "making the Debian 13 root in $root from $mirror"
  $sudo rm -rf "$root.partial"
  # Built beside its final place and renamed at the end, so an interrupted run never leaves a
  # half-made root that a later run would take for a whole one.
  $sudo mmdebstrap --variant=minbase --mode=root --include="$(IFS=,; echo "${packages[*]}")" \
    trixie "$root.partial" "$mirror"
  echo "$wanted" | $sudo tee "$root.partial/.gad-packages" >/dev/null
  $sudo mv "$root.partial" "$root"
  say "root ready"
elif [[ "$(cat "$root/.gad-packages")" != "$wanted" ]]; then
  say "adding packages to the existing root"
  $sudo chroot "$root" apt-get update -qq
  $sudo chroot "$root" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${packages[@]}"
  echo "$wanted" | $sudo tee "$root/.gad-packages" >/dev/null
else
  say "reusing the Debian 13 root in $root"
fi

# The sources go in as a copy (what git tracks plus untracked, unignored files), so the root
# never depends on a bind mount; the build folder inside the root persists between runs.
$sudo rm -rf "$root/src/gad"
$sudo mkdir -p "$root/src/gad"
git ls-files -z --cached --others --exclude-standard |
  (cd "$src" && tar --null -T - -cf - 2>/dev/null) | $sudo tar -xf - -C "$root/src/gad"

mounted=0
if ! mountpoint -q "$root/proc" && $sudo mount -t proc proc "$root/proc" 2>/dev/null; then
  mounted=1
fi
cleanup() { ((mounted)) && $sudo umount "$root/proc" || true; }
trap cleanup EXIT

# LibTorch 2.6's oneDNN (3.7.2) on CPUs with AVX-512 now and then turns a convolutional fit into
# NaN (README, "Known problem"). AVX2 is what every CPU without AVX-512 runs, and no fit
# diverged under it; the cap is a ceiling, so it changes nothing on such CPUs.
onednn_isa=${ONEDNN_MAX_CPU_ISA:-AVX2}
say "oneDNN capped at ONEDNN_MAX_CPU_ISA=$onednn_isa"

extra="-DGAD_BUILD_EXAMPLES=OFF -DGAD_BUILD_BENCHMARKS=OFF -DGAD_BUILD_TOOLS=OFF"
((all)) && extra=""
$sudo chroot "$root" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
  OMP_NUM_THREADS=2 GAD_TEST_DEVICE="${GAD_TEST_DEVICE:-cpu}" \
  ONEDNN_MAX_CPU_ISA="$onednn_isa" bash -euo pipefail -c "
    cd /src/gad
    cmake -S . -B /build/gad -G Ninja -DCMAKE_BUILD_TYPE=Release $extra >/dev/null
    cmake --build /build/gad -j $jobs
    ctest --test-dir /build/gad --output-on-failure -j $jobs"
say "done"
