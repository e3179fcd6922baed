#!/usr/bin/env bash
# loanrisk tune against Optuna + scikit-learn + XGBoost: the same 50-trial search space per family
# on the same CSV, printing wall time, trials/s and best validation composite side by side, plus
# TPE against random search for xgboost. Usage: bench/bench_tune.sh [DATA.csv] [TRIALS] [BUILD]
# (defaults: the real data, 50 trials, build/release). Needs python3-optuna and python3-xgboost.
set -euo pipefail
PY=${PYTHON:-/usr/bin/python3}  # Debian's python3, where apt installs optuna and xgboost
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${1:-/work/shared/data/Loan_Data.csv}
TRIALS=${2:-50}
BUILD=${3:-$HERE/../build/release}
BIN=$BUILD/src/cli/loanrisk
[ -x "$BIN" ] || { echo "bench_tune: $BIN not found; build first (cmake --build $BUILD)" >&2; exit 1; }
"$PY" -c 'import optuna, xgboost' 2>/dev/null ||
  { echo "bench_tune: install python3-optuna python3-xgboost (apt) for the baseline" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Prints: family wall_seconds trials_per_second best_composite
loanrisk_run() {
  local family=$1 sampler=$2 start end best
  start=$(date +%s.%N)
  "$BIN" tune --data "$DATA" --model "$family" --trials "$TRIALS" --sampler "$sampler" \
    --pruner none --study "bench-$family-$sampler" --store "sqlite://$WORK/store.db" \
    --no-refit --quiet --analysis "$WORK/$family-$sampler.json" >/dev/null
  end=$(date +%s.%N)
  best=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['best']['value'])" \
    "$WORK/$family-$sampler.json")
  "$PY" -c "import sys; w=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]} {w:.2f} {int(sys.argv[4])/w:.2f} {float(sys.argv[5]):.6f}')" \
    "$start" "$end" "$family" "$TRIALS" "$best"
}

printf '%-20s %-8s %10s %10s %12s\n' family tool wall_s trials/s best_valid
for family in xgboost random_forest logistic_regression; do
  if ! "$BIN" tune --help >/dev/null || ! "$BIN" train --help-params --model "$family" >/dev/null 2>&1; then
    echo "$family: not a family of this build, skipped"; continue
  fi
  read -r f w t b < <(loanrisk_run "$family" tpe)
  printf '%-20s %-8s %10s %10s %12s\n' "$f" loanrisk "$w" "$t" "$b"
  read -r f w t b < <("$PY" "$HERE/tune_optuna.py" "$DATA" "$family" "$TRIALS" tpe)
  printf '%-20s %-8s %10s %10s %12s\n' "$f" optuna "$w" "$t" "$b"
done
read -r f w t b < <(loanrisk_run xgboost random)
printf '%-20s %-8s %10s %10s %12s\n' "xgboost(random)" loanrisk "$w" "$t" "$b"
