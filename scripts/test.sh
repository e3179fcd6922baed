#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UBSan and runs every test (unit, integration, format,
# benchmark smoke runs). Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${LOANRISK_TEST_BUILD_DIR:-build/test}
# The fuzz targets (tests/fuzz, docs/fuzzing.md) are built by clang in build/fuzz; this build's
# ctest runs them (label fuzz).
FUZZ_DIR=${LOANRISK_FUZZ_BUILD_DIR:-$PWD/build/fuzz}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOANRISK_SANITIZE=ON \
  -DLOANRISK_FUZZ_BUILD_DIR="$FUZZ_DIR" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
LOANRISK_FUZZ_BUILD_DIR="$FUZZ_DIR" bench/fuzz.sh --build >/dev/null
# The Release package the deploy tests install and inspect, built here with every core rather than
# inside a test that competes with the others (the tests then reuse build/package as it is).
scripts/package.sh >/dev/null
# XGBoost's OpenMP runtime keeps thread-local caches alive at exit; those are not our leaks.
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# A throwaway PostgreSQL 15 on 127.0.0.1 for the store tests (LOANRISK_TEST_PG_URI), stopped after.
scripts/with-postgres.sh ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)" "$@"
