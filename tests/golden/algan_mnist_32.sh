#!/usr/bin/env bash
# The second guard of the policy redesign (docs/design.md): the ALGAN 0-vs-1 MNIST run of 32
# epochs, seed 1234, two threads, must give bit for bit the scores recorded below on the
# machine that recorded them (tests/golden/README.md). Needs MNIST in data/mnist and a build
# with the examples (scripts/test.sh). Takes about 4 minutes on 2 cores; not part of CI.
#   bash tests/golden/algan_mnist_32.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
want_auroc=0.9562321316191675
want_scores=910762d8d3c4c14bf1d2b3addbf907327b78847984953ab75ba61d4c38c13eab
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$build/examples/algan_mnist/algan_mnist" --epochs 32 --seed 1234 --threads 2 --out "$out" |
  grep -E "^(best|test)"
auroc=$(python3 -c "import json,sys; print(repr(json.load(open(sys.argv[1]))['test_auroc']))" \
  "$out/summary.json")
scores=$(sha256sum "$out/scores.csv" | cut -d' ' -f1)
if [[ "$auroc" == "$want_auroc" && "$scores" == "$want_scores" ]]; then
  echo "golden ALGAN run: test AUROC $auroc and every score as recorded"
else
  echo "golden ALGAN run differs: test AUROC $auroc (recorded $want_auroc)," \
    "scores.csv sha256 $scores (recorded $want_scores)"
  exit 1
fi
