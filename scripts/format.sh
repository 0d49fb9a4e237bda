#!/usr/bin/env bash
# Formats the C++ sources with the tree's .clang-format.
# Usage: scripts/format.sh [--check]   (--check changes nothing, fails if
# any file is not formatted)
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t files < <(git ls-files --cached --others --exclude-standard \
  '*.cpp' '*.hpp')
if [[ "${1:-}" == --check ]]; then
  clang-format --dry-run --Werror "${files[@]}"
  echo "format: ${#files[@]} files clean"
else
  clang-format -i "${files[@]}"
fi
