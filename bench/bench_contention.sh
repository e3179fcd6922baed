#!/usr/bin/env bash
# Speed when the CPU is shared (issue #24, part 1): train, tune of every family and batch predict,
# each run (a) alone, (b) next to a CPU-bound neighbour pinned to the last core, (c) under
# `taskset -c 0`; wall times and the slowdown ratios (b)/(a) and (c)/(a). Goal: no command slows
# by more than 2.5x when a neighbour takes one of two cores.
#
# Three setups in the same run, so the effect of the thread budget and the passive OpenMP wait
# shows without a second build:
#   now           what a user gets: threads from the CPUs the process may use, OpenMP waits
#                 passively where a mask or quota leaves fewer CPUs than cores (loanrisk sets
#                 OMP_WAIT_POLICY=passive then, when it is unset), else libgomp's default
#   default-spin  as before the change in a CPU-limited container: --threads = every core and
#                 libgomp's default spin before sleeping (GOMP_SPINCOUNT=300000, what libgomp
#                 uses when OMP_WAIT_POLICY is unset)
#   active        --threads = every core and OMP_WAIT_POLICY=active (workers never sleep)
#
# Usage: bench/bench_contention.sh [ROWS] [TRIALS] [PREDICT_ROWS] [REPEAT]
# (defaults 20000 rows for train and tune, 5 trials per family, 200000 rows to predict, best of 1).
# Uses build/package's Release binary when present, else build/test's (sanitizers: slower, the
# ratios still compare). Timings are noisy while other processes build: the load average is
# printed before and after.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$HERE/..
ROWS=${1:-20000}
TRIALS=${2:-5}
PREDICT_ROWS=${3:-200000}
REPEAT=${4:-1}
if [ -x "$ROOT/build/package/src/cli/loanrisk" ]; then
  BIN=$ROOT/build/package/src/cli/loanrisk
  KIND="Release (build/package)"
else
  BIN=$ROOT/build/test/src/cli/loanrisk
  KIND="sanitizer build (build/test; run scripts/package.sh for Release numbers)"
fi
[ -x "$BIN" ] || { echo "bench_contention: $BIN not found; build first" >&2; exit 1; }
command -v taskset >/dev/null || { echo "bench_contention: taskset (util-linux) needed" >&2; exit 1; }
CORES=$(nproc)
LAST=$((CORES - 1))
[ "$CORES" -ge 2 ] || { echo "bench_contention: needs at least 2 cores, this has $CORES" >&2; exit 1; }

WORK=$(mktemp -d)
NEIGHBOUR=
cleanup() {
  if [ -n "$NEIGHBOUR" ]; then kill "$NEIGHBOUR" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "binary: $BIN ($KIND)"
echo "cores: $CORES; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN" synth --rows "$ROWS" --seed 7 --out "$WORK/book.csv" >/dev/null
"$BIN" synth --rows "$PREDICT_ROWS" --seed 8 --out "$WORK/big.csv" >/dev/null
"$BIN" train --data "$WORK/book.csv" --out "$WORK/bundle" --no-track >/dev/null

# Runs one command of a setup, prints its wall seconds (the best of $REPEAT).
timed() {
  local setup=$1 mode=$2 best=
  shift 2
  local -a env=() threads=() prefix=()
  case $setup in
    now) ;;
    default-spin) env=(GOMP_SPINCOUNT=300000) threads=(--threads "$CORES") ;;
    active) env=(OMP_WAIT_POLICY=active) threads=(--threads "$CORES") ;;
  esac
  [ "$mode" = taskset ] && prefix=(taskset -c 0)
  for _ in $(seq "$REPEAT"); do
    local start end id
    # A fresh store and study each run (this runs in a subshell: no counter survives it), so
    # that every tune starts at trial 0.
    id=$(date +%s%N)
    local -a store=()
    [ -n "$STORE_FLAG" ] && store=(--store "sqlite:///$WORK/s$id.db" --study "s$id")
    start=$(date +%s.%N)
    env "${env[@]}" "${prefix[@]}" "$BIN" "$@" "${threads[@]}" "${store[@]}" >/dev/null 2>&1 ||
      { echo "bench_contention: failed: $BIN $* ${threads[*]} ${store[*]}" >&2; exit 1; }
    end=$(date +%s.%N)
    best=$(awk -v s="$start" -v e="$end" -v b="$best" 'BEGIN { w = e - s; if (b == "" || w < b) b = w; printf "%.3f", b }')
  done
  echo "$best"
}

# name|arguments (tune also gets a fresh store and study)
commands=(
  "train|train --data $WORK/book.csv --out $WORK/t --no-track --force"
  "predict|predict --model $WORK/bundle --data $WORK/big.csv --out $WORK/p.csv"
)
for family in logistic_regression random_forest xgboost lightgbm scorecard; do
  commands+=("tune $family|tune --data $WORK/book.csv --model $family --trials $TRIALS --pruner none --no-refit --quiet")
done

start_neighbour() {
  taskset -c "$LAST" sh -c 'while :; do :; done' &
  NEIGHBOUR=$!
}
stop_neighbour() {
  kill "$NEIGHBOUR" 2>/dev/null || true
  wait "$NEIGHBOUR" 2>/dev/null || true
  NEIGHBOUR=
}

worst_now=0
printf '%-26s %-13s %9s %11s %11s %7s %7s\n' command setup alone_s neighbour_s taskset0_s b/a c/a
for entry in "${commands[@]}"; do
  name=${entry%%|*}
  read -r -a args <<<"${entry#*|}"
  STORE_FLAG=
  [ "${args[0]}" = tune ] && STORE_FLAG=1
  for setup in now default-spin active; do
    a=$(timed "$setup" alone "${args[@]}")
    start_neighbour
    b=$(timed "$setup" alone "${args[@]}")
    stop_neighbour
    c=$(timed "$setup" taskset "${args[@]}")
    read -r rb rc < <(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { printf "%.2f %.2f\n", b / a, c / a }')
    printf '%-26s %-13s %9s %11s %11s %6sx %6sx\n' "$name" "$setup" "$a" "$b" "$c" "$rb" "$rc"
    if [ "$setup" = now ]; then
      worst_now=$(awk -v w="$worst_now" -v r="$rb" 'BEGIN { print (r > w ? r : w) }')
      [ "$worst_now" = "$rb" ] && worst_name=$name
    fi
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
if awk -v w="$worst_now" 'BEGIN { exit !(w <= 2.5) }'; then
  echo "PASS: no command slows by more than 2.5x next to a neighbour on one of $CORES cores (worst ${worst_now}x, $worst_name)"
else
  echo "MISS: $worst_name slows ${worst_now}x next to a neighbour on one of $CORES cores (goal <= 2.5x)"
fi
