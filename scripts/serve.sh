#!/usr/bin/env bash
# Sets everything up on a fresh Debian 12 machine and runs batchd on
# 127.0.0.1:4566. Extra arguments go to `batchd serve`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/docker.sh
scripts/build.sh
exec build/batchd serve "$@"
