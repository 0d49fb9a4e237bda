#!/usr/bin/env bash
# Builds batchd and its unit tests. Usage: scripts/build.sh [--sanitize]
# The plain build goes to build/, the ASan+UBSan build to build-sanitize/.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ "${1:-}" == --sanitize ]]; then
  dir=build-sanitize
  flags=(-DCMAKE_BUILD_TYPE=Debug -DBATCHD_SANITIZE=ON)
fi

cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
