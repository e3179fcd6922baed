#!/usr/bin/env bash
# loanrisk tune against Optuna + scikit-learn + XGBoost: the same 50-trial search space per family
# on the same split files (`loanrisk split`, the split tune makes internally), printing wall time,
# trials/s and best validation composite side by side per family, plus TPE against random search
# for xgboost. Usage: bench/bench_tune.sh [DATA.csv] [TRIALS] [BUILD]
# (defaults: the real data, 50 trials, build/rel). Needs python3-optuna, -sklearn and -xgboost
# (scripts/setup.sh --bench).
set -euo pipefail
PY=${PYTHON:-/usr/bin/python3}  # Debian's python3, where apt installs optuna and xgboost
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${1:-/work/shared/data/Loan_Data.csv}
TRIALS=${2:-50}
BUILD=${3:-$HERE/../build/rel}
BIN=$BUILD/src/cli/loanrisk
[ -x "$BIN" ] || { echo "bench_tune: $BIN not found; build first (cmake --build $BUILD)" >&2; exit 1; }
"$PY" -c 'import optuna, xgboost' 2>/dev/null ||
  { echo "bench_tune: install python3-optuna python3-xgboost (apt) for the baseline" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BIN" split --data "$DATA" --out "$WORK/split" >/dev/null

CORES=$(nproc)

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
printf '%-20s %-24s %8s %9s %10s %8s\n' family setup wall_s trials/s best_valid speedup
for family in logistic_regression random_forest xgboost lightgbm; do
  read -r _ w1 t1 b1 < <(loanrisk_run "$family" tpe 1)
  read -r _ wn tn bn < <(loanrisk_run "$family" tpe "$CORES")
  read -r _ pw pt pb < <("$PY" "$HERE/tune_optuna.py" "$WORK/split" "$family" "$TRIALS" tpe \
    model "$CORES")
  read -r _ qw qt qb < <("$PY" "$HERE/tune_optuna.py" "$WORK/split" "$family" "$TRIALS" tpe \
    trials "$CORES")
  fastest=$(min "$pw" "$qw")
  printf '%-20s %-24s %8s %9s %10s %8s\n' "$family" "loanrisk --workers 1" "$w1" "$t1" "$b1" \
    "$(ratio "$fastest" "$w1")"
  printf '%-20s %-24s %8s %9s %10s %8s\n' "$family" "loanrisk --workers $CORES" "$wn" "$tn" "$bn" \
    "$(ratio "$fastest" "$wn")"
  printf '%-20s %-24s %8s %9s %10s\n' "$family" "optuna, model threads" "$pw" "$pt" "$pb"
  printf '%-20s %-24s %8s %9s %10s\n' "$family" "optuna n_jobs=$CORES" "$qw" "$qt" "$qb"
done
read -r _ w t b < <(loanrisk_run xgboost random 1)
printf '%-20s %-24s %8s %9s %10s\n' "xgboost" "loanrisk random search" "$w" "$t" "$b"
