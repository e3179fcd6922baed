#!/usr/bin/env bash
# TPE against random search on the real data's xgboost space (issue 6's acceptance): for each of
# SEEDS seeds, a TRIALS-trial study with each sampler (no pruning, same split), then the mean and
# the per-seed wins of the best validation composite. Usage:
#   bench/bench_tpe_random.sh [DATA.csv] [SEEDS] [TRIALS] [BUILD]
# (defaults: the real data, 20 seeds, 50 trials, build/rel).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${1:-$HERE/../../shared/data/Loan_Data.csv}
SEEDS=${2:-20}
TRIALS=${3:-50}
BUILD=${4:-$HERE/../build/rel}
BIN=$BUILD/src/cli/loanrisk
[ -x "$BIN" ] || { echo "bench_tpe_random: $BIN not found; build first (cmake --build $BUILD)" >&2; exit 1; }
[ -f "$DATA" ] || { echo "bench_tpe_random: data file $DATA not found" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

best_of() {  # sampler seed -> best validation composite
  "$BIN" tune --data "$DATA" --model xgboost --trials "$TRIALS" --sampler "$1" --seed "$2" \
    --pruner none --study "s-$1-$2" --store "sqlite:///$WORK/store.db" --no-refit --quiet \
    --analysis "$WORK/$1-$2.json" >/dev/null
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['best']['value'])" "$WORK/$1-$2.json"
}

start=$(date +%s)
printf '%-6s %12s %12s\n' seed tpe random
tpe_sum=0 random_sum=0 wins=0
for seed in $(seq 1 "$SEEDS"); do
  t=$(best_of tpe "$seed")
  r=$(best_of random "$seed")
  printf '%-6s %12.6f %12.6f\n' "$seed" "$t" "$r"
  tpe_sum=$(awk -v a="$tpe_sum" -v b="$t" 'BEGIN { printf "%.9f", a + b }')
  random_sum=$(awk -v a="$random_sum" -v b="$r" 'BEGIN { printf "%.9f", a + b }')
  wins=$(awk -v w="$wins" -v a="$t" -v b="$r" 'BEGIN { print (a > b) ? w + 1 : w }')
done
awk -v t="$tpe_sum" -v r="$random_sum" -v n="$SEEDS" -v w="$wins" -v s="$(($(date +%s) - start))" \
  'BEGIN { printf "mean best after %s seeds: tpe %.6f, random %.6f, difference %+.6f; tpe better on %d of %d seeds (%d s)\n", n, t / n, r / n, t / n - r / n, w, n, s }'
