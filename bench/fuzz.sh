#!/usr/bin/env bash
# The libFuzzer targets of tests/fuzz (docs/fuzzing.md): builds them in build/fuzz with clang when
# needed, then runs each for SECONDS, one at a time, at the lowest priority, starting from its
# seed corpus, its committed regression inputs and what earlier runs found (build/fuzz/corpus).
# Prints per target the executions and the findings (crash, leak, timeout or out-of-memory inputs,
# kept in build/fuzz/findings/TARGET/) and exits 1 when there is any. Every run's executions are
# appended to bench/fuzz-executions.tsv, the running tally the hardening issue's closing note
# quotes (bench/fuzz.sh --totals prints it per target).
# Usage: bench/fuzz.sh [--no-tally] [--no-build] SECONDS [TARGET...]   run (all unless named)
#        bench/fuzz.sh --build                            configure and build only
#        bench/fuzz.sh --replay [TARGET...]               run seeds and regressions once, no fuzzing
#        bench/fuzz.sh --totals                           executions and findings per target so far
# --no-tally: leave bench/fuzz-executions.tsv alone (the test suite's short runs); --no-build: use
# the targets as built (the test suite's, built once by scripts/test.sh).
# Env: LOANRISK_FUZZ_BUILD_DIR (default build/fuzz); LOANRISK_BUILD_LOCK, a file to flock around
# the build when other builds share the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${LOANRISK_FUZZ_BUILD_DIR:-build/fuzz}
TALLY=bench/fuzz-executions.tsv
# The XGBoost and OpenMP runtimes' thread-local caches outlive main; they are not our leaks.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

targets_all() {
  find tests/fuzz -maxdepth 1 -name 'fuzz_*.cpp' -printf '%f\n' | sed 's/^fuzz_//; s/\.cpp$//' | sort
}

build() {
  command -v clang++ >/dev/null || { echo "fuzz: clang++ is missing: run scripts/setup.sh" >&2; exit 2; }
  local lock=(); [ -n "${LOANRISK_BUILD_LOCK:-}" ] && lock=(flock "$LOANRISK_BUILD_LOCK")
  # -O1 as libFuzzer's documentation advises; without NDEBUG, so library assertions (nlohmann's
  # among them) report misuse instead of leaving it undefined.
  CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Fuzz \
    "-DCMAKE_CXX_FLAGS_FUZZ=-O1 -gline-tables-only" -DLOANRISK_FUZZ=ON \
    -DLOANRISK_BUILD_TESTS=OFF -DLOANRISK_BUILD_BENCH=OFF >/dev/null
  "${lock[@]}" cmake --build "$BUILD_DIR" -j"$(nproc)" --target fuzz_targets
}

# The inputs a target starts from: its seeds and its regression inputs (folders that exist).
inputs_of() {
  local t=$1 d
  for d in "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t"; do [ -d "$d" ] && echo "$d"; done
  return 0
}

options_of() {
  local t=$1
  [ -f "tests/fuzz/dict/$t.dict" ] && echo "-dict=tests/fuzz/dict/$t.dict"
  # A single input running this long is a hang: a finding, not a slow machine.
  echo "-timeout=60"
  echo "-rss_limit_mb=2560"
}

replay() {
  local t status=0 files
  for t in "$@"; do
    mapfile -t files < <(inputs_of "$t" | xargs -r -I{} find {} -type f | sort)
    if [ ${#files[@]} -eq 0 ]; then echo "fuzz: $t has no seed or regression input" >&2; status=1; continue; fi
    if "$BUILD_DIR/tests/fuzz/fuzz_$t" "${files[@]}" >"$BUILD_DIR/replay-$t.log" 2>&1; then
      printf '%-26s %6d inputs replayed, no finding\n' "$t" "${#files[@]}"
    else
      echo "fuzz: $t failed on one of its ${#files[@]} seed/regression inputs:" >&2
      tail -n 40 "$BUILD_DIR/replay-$t.log" >&2
      status=1
    fi
  done
  return $status
}

totals() {
  [ -f "$TALLY" ] || { echo "fuzz: no tally yet ($TALLY)"; return 0; }
  awk -F'\t' 'NR > 1 { runs[$3]++; secs[$3] += $4; execs[$3] += $5; found[$3] += $6 }
    END { printf "%-26s %6s %10s %14s %9s\n", "target", "runs", "seconds", "executions", "findings"
          for (t in execs) printf "%-26s %6d %10d %14d %9d\n", t, runs[t], secs[t], execs[t], found[t] }' \
    "$TALLY" | (read -r header; echo "$header"; sort)
}

run() {
  local seconds=$1 tally=$2; shift 2
  local t status=0 commit
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  [ "$tally" = yes ] && [ ! -f "$TALLY" ] &&
    printf 'date_utc\tcommit\ttarget\tseconds\texecutions\tfindings\n' >"$TALLY"
  printf '%-26s %14s %9s\n' target executions findings
  for t in "$@"; do
    local bin="$BUILD_DIR/tests/fuzz/fuzz_$t" work="$BUILD_DIR/corpus/$t" found="$BUILD_DIR/findings/$t"
    local log="$BUILD_DIR/fuzz-$t.log" before after execs options inputs
    [ -x "$bin" ] || { echo "fuzz: no target $t (tests/fuzz/fuzz_$t.cpp)" >&2; exit 2; }
    mkdir -p "$work" "$found"
    mapfile -t options < <(options_of "$t")
    mapfile -t inputs < <(inputs_of "$t")
    # slow-unit-* files are not findings: a unit slowed by a loaded machine is not a hang.
    before=$(find "$found" -maxdepth 1 -type f ! -name 'slow-unit-*' | wc -l)
    touch "$BUILD_DIR/.fuzz-start-$t"
    # New inputs go to the first folder (the working corpus); the others are only read.
    nice -n 19 "$bin" "${options[@]}" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$found/" "$work" "${inputs[@]}" >"$log" 2>&1 || true
    after=$(find "$found" -maxdepth 1 -type f ! -name 'slow-unit-*' | wc -l)
    # A finding matching tests/fuzz/known-open.tsv (an open bug someone is fixing) is reported but
    # fails only the runs that keep a tally, so the test suite stays green until the fix lands.
    local known_pattern=""
    [ -f tests/fuzz/known-open.tsv ] &&
      known_pattern=$(awk -F'\t' -v t="$t" '$1 == t { print $2 }' tests/fuzz/known-open.tsv)
    if [ "$tally" = no ] && [ $((after - before)) -gt 0 ] && [ -n "$known_pattern" ] &&
      grep -qF "$known_pattern" "$log"; then
      echo "fuzz: $t hit the known open bug '$known_pattern' (tests/fuzz/known-open.tsv); log: $log" >&2
      mkdir -p "$found/known"
      find "$found" -maxdepth 1 -type f -newer "$BUILD_DIR/.fuzz-start-$t" -exec mv {} "$found/known/" \;
      after=$before
    fi
    if [ "$after" -eq "$before" ] && ! grep -q '^#[0-9]' "$log"; then
      echo "fuzz: $t did not start (log: $log):" >&2
      tail -n 5 "$log" >&2
      status=1
      continue
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    # A crash ends the run before the final stats: the last status line has the count.
    [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)
    [ -n "$execs" ] || execs=0
    printf '%-26s %14d %9d\n' "$t" "$execs" $((after - before))
    [ "$tally" = yes ] && printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$commit" "$t" \
      "$seconds" "$execs" $((after - before)) >>"$TALLY"
    if [ $((after - before)) -gt 0 ]; then
      echo "fuzz: $t found $((after - before)) input(s) in $found (log: $log):" >&2
      grep -E '^(==[0-9]+==ERROR|FUZZ FINDING|SUMMARY|.*runtime error)' "$log" | head -n 5 >&2 || true
      status=1
    fi
  done
  return $status
}

case "${1:-}" in
  --build) build ;;
  --totals) totals ;;
  --replay)
    shift
    if [ $# -gt 0 ]; then names=("$@"); else mapfile -t names < <(targets_all); fi
    replay "${names[@]}"
    ;;
  *)
    tally=yes
    build=yes
    while [ "${1:-}" = "--no-tally" ] || [ "${1:-}" = "--no-build" ]; do
      if [ "$1" = "--no-tally" ]; then tally=no; else build=no; fi
      shift
    done
    seconds=${1:?usage: bench/fuzz.sh [--no-tally] [--no-build] SECONDS [TARGET...] | --build | --replay | --totals}
    shift
    [ "$build" = no ] || build >/dev/null
    if [ $# -gt 0 ]; then names=("$@"); else mapfile -t names < <(targets_all); fi
    run "$seconds" "$tally" "${names[@]}"
    ;;
esac
