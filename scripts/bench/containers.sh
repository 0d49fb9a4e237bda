#!/usr/bin/env bash
# The container latency benchmark: submit -> RUNNING and submit -> SUCCEEDED
# of batchd against a bare `docker run` of the same image, in the same run
# (scripts/bench/containers.py). Prints figures, not verdicts.
#
# Usage: scripts/bench/containers.sh [--build-dir DIR] [--rounds N]
#          [--interval-ms MS] [--variants true echo]
# Builds batchd, makes sure Docker answers and the test image exists
# (scripts/docker.sh), then runs the benchmark with Debian's boto3.
set -euo pipefail
cd "$(dirname "$0")/../.."

build_dir=build
if [[ "${1:-}" == --build-dir ]]; then
  build_dir="$2"
  shift 2
fi

echo "== building batchd in $build_dir" >&2
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target batchd >/dev/null
scripts/docker.sh >&2

export AWS_DATA_PATH="$PWD/tests/models"
exec /usr/bin/python3 scripts/bench/containers.py \
  --binary "$build_dir/batchd" "$@"
