#!/usr/bin/env bash
# Builds the HTML API reference from the headers' comments with Doxygen (docs/Doxyfile).
#   bash scripts/api_docs.sh                              # into build/api-docs
#   GAD_API_DOCS_DIR=/tmp/gad-api bash scripts/api_docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v doxygen >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "api_docs: installing doxygen graphviz"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends doxygen graphviz
  else
    echo "api_docs: doxygen is not installed; install it with" >&2
    echo "  sudo apt-get install -y doxygen graphviz" >&2
    exit 1
  fi
fi

out=${GAD_API_DOCS_DIR:-build/api-docs}
mkdir -p "$out"
export GAD_API_DOCS_DIR=$out
GAD_VERSION=$(sed -n 's/^project(gad VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
export GAD_VERSION
# Graphviz only adds diagrams; without it the reference is complete, just plainer.
if command -v dot >/dev/null; then export GAD_HAVE_DOT=YES; else export GAD_HAVE_DOT=NO; fi

doxygen docs/Doxyfile
warnings=$(grep -c 'warning:' "$out/warnings.log" || true)
echo "api_docs: $out/html/index.html ($warnings warnings, see $out/warnings.log)"
