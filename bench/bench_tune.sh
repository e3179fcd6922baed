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

printf '%-20s %-8s %10s %10s %12s %8s\n' family tool wall_s trials/s best_valid speedup
for family in logistic_regression random_forest xgboost lightgbm; do
  read -r f w t b < <(loanrisk_run "$family" tpe)
  read -r pf pw pt pb < <("$PY" "$HERE/tune_optuna.py" "$WORK/split" "$family" "$TRIALS" tpe)
  printf '%-20s %-8s %10s %10s %12s %8s\n' "$f" loanrisk "$w" "$t" "$b" \
    "$("$PY" -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}x')" "$pw" "$w")"
  printf '%-20s %-8s %10s %10s %12s\n' "$pf" optuna "$pw" "$pt" "$pb"
done
read -r f w t b < <(loanrisk_run xgboost random)
printf '%-20s %-8s %10s %10s %12s\n' "xgboost(random)" loanrisk "$w" "$t" "$b"
