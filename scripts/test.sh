#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine and runs every test:
# the format check, the unit tests, the unit tests again under ASan+UBSan,
# and the integration tests (real batchd, real clients, real containers).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/docker.sh
scripts/format.sh --check

echo "== unit tests"
scripts/build.sh
(cd build && ctest --output-on-failure)

echo "== unit tests under AddressSanitizer and UBSan"
scripts/build.sh --sanitize
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/ubsan.supp" \
  build-sanitize/batch_tests

echo "== integration tests"
tests/integration/run.sh
