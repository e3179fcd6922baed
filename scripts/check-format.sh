#!/usr/bin/env bash
# Fails listing every C++ file that clang-format would change.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(git ls-files --cached --others --exclude-standard -- '*.cpp' '*.hpp' | while read -r f; do
  [ -f "$f" ] && ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1 && echo "$f"; done || true)
if [ -n "$bad" ]; then
  echo "not clang-formatted (run: clang-format -i FILE):"; echo "$bad"; exit 1
fi
echo "all C++ files are clang-formatted"
