#!/usr/bin/env bash
# The scheduler benchmark: dispatch decisions per second and memory per
# queued job of a real region with the simulated executor, for 100,000 and
# 1,000,000 queued jobs over 100 share identifiers
# (tests/bench/scheduler_bench.cpp). Prints figures, not verdicts.
#
# Usage: scripts/bench/scheduler.sh [--build-dir DIR] [--jobs "N ..."]
#          [--decisions K] [--shares S]
# A million queued jobs take about 3 GiB of memory and a minute.
set -euo pipefail
cd "$(dirname "$0")/../.."

build_dir=build
jobs="100000 1000000"
decisions=100000
shares=100
while (($#)); do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --decisions) decisions="$2"; shift 2 ;;
    --shares) shares="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

echo "== building scheduler_bench in $build_dir"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target scheduler_bench >/dev/null

for count in $jobs; do
  echo
  "$build_dir/scheduler_bench" --jobs "$count" --decisions "$decisions" \
    --shares "$shares"
done
