#!/usr/bin/env bash
# loanrisk tune against Optuna + scikit-learn + XGBoost: the same 50-trial search space per family
# on the same split files (`loanrisk split`, the split tune makes internally), printing wall time,
# trials/s and best validation composite side by side per family, plus TPE against random search
# for xgboost; then the goal of issue #24: `loanrisk tune` end to end at its defaults (split,
# TPE, median pruning, refit and bundle of the best trial) for random_forest,
# logistic_regression and xgboost against the faster of the two Optuna setups of the same run,
# as the ratio python time / loanrisk time per family and in total (goal: 20x), with both best
# validation composites (loanrisk's at least Python's).
# Usage: bench/bench_tune.sh [DATA.csv] [TRIALS] [BUILD]
# (defaults: the real data, 50 trials, build/package when it holds a Release binary, else
# build/test). GOAL_ONLY=1 skips the setups table (the Optuna runs the goal needs still run).
# Needs python3-optuna, -sklearn and -xgboost (scripts/setup.sh --bench).
set -euo pipefail
PY=${PYTHON:-/usr/bin/python3}  # Debian's python3, where apt installs optuna and xgboost
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${1:-/work/shared/data/Loan_Data.csv}
TRIALS=${2:-50}
if [ -n "${3:-}" ]; then
  BUILD=$3
elif [ -x "$HERE/../build/package/src/cli/loanrisk" ]; then
  BUILD=$HERE/../build/package
else
  BUILD=$HERE/../build/test
fi
BIN=$BUILD/src/cli/loanrisk
[ -x "$BIN" ] || { echo "bench_tune: $BIN not found; build first (cmake --build $BUILD)" >&2; exit 1; }
"$PY" -c 'import optuna, xgboost' 2>/dev/null ||
  { echo "bench_tune: install python3-optuna python3-xgboost (apt) for the baseline" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BIN" split --data "$DATA" --out "$WORK/split" >/dev/null

CORES=$(nproc)
echo "binary: $BIN; data: $DATA; $TRIALS trials; cores: $CORES; load: $(cut -d' ' -f1-3 /proc/loadavg)"

# Prints: family wall_seconds trials_per_second best_composite
loanrisk_run() {
  local family=$1 sampler=$2 workers=$3 start end best tag="$1-$2-w$3"
  start=$(date +%s.%N)
  "$BIN" tune --data "$DATA" --model "$family" --trials "$TRIALS" --sampler "$sampler" \
    --workers "$workers" --pruner none --study "bench-$tag" --store "sqlite:///$WORK/store.db" \
    --no-refit --quiet --analysis "$WORK/$tag.json" >/dev/null
  end=$(date +%s.%N)
  best=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['best']['value'])" \
    "$WORK/$tag.json")
  "$PY" -c "import sys; w=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]} {w:.2f} {int(sys.argv[4])/w:.2f} {float(sys.argv[5]):.6f}')" \
    "$start" "$end" "$family" "$TRIALS" "$best"
}

ratio() { "$PY" -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}x')" "$1" "$2"; }
min() { "$PY" -c "import sys; print(min(float(a) for a in sys.argv[1:]))" "$@"; }

# Each stack on this machine's $CORES cores two ways: threads inside each model with one trial at
# a time, or $CORES trials at once with single-threaded models (loanrisk --workers, Optuna n_jobs;
# both deterministic in loanrisk, see docs/tuning.md). speedup = the faster Optuna setup's wall
# time / this loanrisk row's wall time.
# The faster Optuna setup of each family, for the goal below.
declare -A PY_WALL PY_BEST
families=(logistic_regression random_forest xgboost lightgbm)
[ "${GOAL_ONLY:-0}" = 1 ] && families=(random_forest logistic_regression xgboost)
[ "${GOAL_ONLY:-0}" = 1 ] ||
  printf '%-20s %-24s %8s %9s %10s %8s\n' family setup wall_s trials/s best_valid speedup
for family in "${families[@]}"; do
  read -r _ pw pt pb < <("$PY" "$HERE/tune_optuna.py" "$WORK/split" "$family" "$TRIALS" tpe \
    model "$CORES")
  read -r _ qw qt qb < <("$PY" "$HERE/tune_optuna.py" "$WORK/split" "$family" "$TRIALS" tpe \
    trials "$CORES")
  fastest=$(min "$pw" "$qw")
  PY_WALL[$family]=$fastest
  if [ "$fastest" = "$(min "$pw")" ]; then PY_BEST[$family]=$pb; else PY_BEST[$family]=$qb; fi
  [ "${GOAL_ONLY:-0}" = 1 ] && continue
  read -r _ w1 t1 b1 < <(loanrisk_run "$family" tpe 1)
  read -r _ wn tn bn < <(loanrisk_run "$family" tpe "$CORES")
  printf '%-20s %-24s %8s %9s %10s %8s\n' "$family" "loanrisk --workers 1" "$w1" "$t1" "$b1" \
    "$(ratio "$fastest" "$w1")"
  printf '%-20s %-24s %8s %9s %10s %8s\n' "$family" "loanrisk --workers $CORES" "$wn" "$tn" "$bn" \
    "$(ratio "$fastest" "$wn")"
  printf '%-20s %-24s %8s %9s %10s\n' "$family" "optuna, model threads" "$pw" "$pt" "$pb"
  printf '%-20s %-24s %8s %9s %10s\n' "$family" "optuna n_jobs=$CORES" "$qw" "$qt" "$qb"
done
if [ "${GOAL_ONLY:-0}" != 1 ]; then
  read -r _ w t b < <(loanrisk_run xgboost random 1)
  printf '%-20s %-24s %8s %9s %10s\n' "xgboost" "loanrisk random search" "$w" "$t" "$b"
fi

# The goal: `loanrisk tune --data D --model F --trials N` as a user types it (its defaults: TPE,
# median pruner, one worker, the thread budget, refit and bundle), the whole process timed.
echo
echo "goal: loanrisk tune end to end at its defaults >= 20x the faster Optuna setup, best composite >= Optuna's"
printf '%-20s %11s %9s %7s %14s %14s\n' family loanrisk_s python_s ratio best_loanrisk best_python
total_l=0 total_p=0 worse=
for family in random_forest logistic_regression xgboost; do
  start=$(date +%s.%N)
  "$BIN" tune --data "$DATA" --model "$family" --trials "$TRIALS" --study "goal-$family" \
    --store "sqlite:///$WORK/goal.db" --out "$WORK/goal" --analysis "$WORK/goal-$family.json" \
    --quiet >/dev/null
  end=$(date +%s.%N)
  wall=$("$PY" -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.2f}')" "$start" "$end")
  best=$("$PY" -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['best']['value']:.6f}\")" \
    "$WORK/goal-$family.json")
  printf '%-20s %11s %9s %7s %14s %14s\n' "$family" "$wall" "${PY_WALL[$family]}" \
    "$(ratio "${PY_WALL[$family]}" "$wall")" "$best" "${PY_BEST[$family]}"
  total_l=$("$PY" -c "import sys; print(float(sys.argv[1])+float(sys.argv[2]))" "$total_l" "$wall")
  total_p=$("$PY" -c "import sys; print(float(sys.argv[1])+float(sys.argv[2]))" "$total_p" \
    "${PY_WALL[$family]}")
  "$PY" -c "import sys; sys.exit(float(sys.argv[1]) < float(sys.argv[2]))" "$best" \
    "${PY_BEST[$family]}" || worse="$worse $family"
done
total_ratio=$(ratio "$total_p" "$total_l")
printf '%-20s %11.2f %9.2f %7s\n' total "$total_l" "$total_p" "$total_ratio"
if "$PY" -c "import sys; sys.exit(not float(sys.argv[1]) >= 20 * float(sys.argv[2]))" "$total_p" "$total_l"; then
  echo "PASS speed: loanrisk tune is $total_ratio the Python stack's time in total (goal 20x)"
else
  echo "MISS speed: loanrisk tune is $total_ratio the Python stack's time in total (goal 20x)"
fi
if [ -z "$worse" ]; then
  echo "PASS quality: loanrisk's best composite is at least Optuna's for every family"
else
  echo "MISS quality: loanrisk's best composite is below Optuna's for:$worse"
fi
