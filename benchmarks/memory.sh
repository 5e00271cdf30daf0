#!/usr/bin/env bash
# Peak resident memory per benchmark configuration: each benchmark runs alone in its own
# process, so the peak_rss_MiB counter it reports is that configuration's high-water mark
# (LibTorch's own footprint and the benchmark's data included).
#   bash benchmarks/memory.sh [build dir]
set -euo pipefail
bench=${1:-build}/benchmarks/bench_detectors
names=$("$bench" --benchmark_list_tests)
printf '%-60s %12s\n' benchmark peak_rss_MiB
for name in $names; do
  rss=$("$bench" --benchmark_filter="^${name}\$" --benchmark_min_time=0.01 \
          --benchmark_format=json 2>/dev/null |
        python3 -c 'import json,sys; print(round(json.load(sys.stdin)["benchmarks"][0]["peak_rss_MiB"], 1))')
  printf '%-60s %12s\n' "$name" "$rss"
done
