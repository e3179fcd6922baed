#!/usr/bin/env bash
# Serving throughput: wrk against `loanrisk serve` on 127.0.0.1, keep-alive, 64 connections.
# Measures, in the same run and on the same server stack (Beast, routing, metrics, logging off):
#   ceiling  GET /healthz (a trivial handler),
#   predict  POST /api/v1/predict, one applicant, with reason codes (TreeSHAP per request),
#   pd-only  POST /api/v1/predict?reasons=false (PD, grade, decision, expected loss).
# Prints req/s and p50/p99 for each, round by round and the medians over the rounds, and the
# ratio of the median req/s to the ceiling's (target >= 60%, p99 < 2 ms).
# Usage: bench/bench_serve.sh [DURATION_SECONDS] (env LOANRISK_BIN: a built loanrisk binary;
# LOANRISK_SERVE_THREADS: the server's --threads, default 1; LOANRISK_WRK_THREADS: wrk's -t,
# default 1; LOANRISK_BENCH_ROUNDS: rounds, default 3). The defaults give the server one core and
# wrk the other on a 2-core machine: with more threads than cores each side preempts the other and
# the p99 measures the scheduler's time slices (docs/serving.md has the four combinations side by
# side).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
command -v wrk >/dev/null || { echo "bench_serve: wrk is missing: run scripts/setup.sh --bench" >&2; exit 2; }
# shellcheck source=bench/serve_bench_setup.sh
source bench/serve_bench_setup.sh

THREADS=${LOANRISK_SERVE_THREADS:-1}
WRK_THREADS=${LOANRISK_WRK_THREADS:-1}
ROUNDS=${LOANRISK_BENCH_ROUNDS:-3}
"$BIN" serve --model "$WORK/bundle" --port 0 --threads "$THREADS" --log-level off >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
PORT=$(server_port "$WORK/serve.out")
[ -n "$PORT" ] || { echo "bench_serve: server did not start:" >&2; cat "$WORK/serve.err" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"

cat >"$WORK/predict.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"customer_id":"a1","credit_lines_outstanding":3,"loan_amt_outstanding":5200,' ..
           '"total_debt_outstanding":21000,"income":40000,"years_employed":2,"fico_score":590}'
LUA

# run NAME PATH [SCRIPT]: prints "NAME req/s p50 p99" for one wrk run and appends
# "req/s p50_ms p99_ms" to RESULTS[NAME] (one line per round).
declare -A RESULTS
run() {
  local name=$1 path=$2 script=${3:-}
  local out
  out=$(wrk -t"$WRK_THREADS" -c64 -d"${DURATION}s" --latency ${script:+-s "$script"} "$URL$path")
  local rps p50 p99 non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '  %-9s %10.0f req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
  RESULTS[$name]+="$rps $(to_ms "$p50") $(to_ms "$p99")"$'\n'
}
# wrk prints latencies as 870.00us, 1.46ms or 1.02s.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000;
    printf "%.3f", n }'
}
# median NAME COLUMN: the median of one column of NAME's rounds.
median() {
  printf '%s' "${RESULTS[$1]}" | awk -v c="$2" '{ print $c }' | sort -g |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "loanrisk serve --threads $THREADS on $URL, wrk -t$WRK_THREADS -c64 -d${DURATION}s, keep-alive," \
  "$ROUNDS rounds ($(nproc) cores shared by wrk and the server)"
# The routes take turns round after round, so a drift in the machine's speed reaches all of them.
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  run ceiling /healthz
  run predict /api/v1/predict "$WORK/predict.lua"
  run pd-only "/api/v1/predict?reasons=false" "$WORK/predict.lua"
done
echo "median of $ROUNDS rounds"
for name in ceiling predict pd-only; do
  printf '  %-9s %10.0f req/s   p50 %6.2fms   p99 %6.2fms\n' "$name" "$(median "$name" 1)" \
    "$(median "$name" 2)" "$(median "$name" 3)"
done
awk -v c="$(median ceiling 1)" -v p="$(median predict 1)" -v q="$(median pd-only 1)" 'BEGIN {
  printf "ratio predict/ceiling  %.1f%%\nratio pd-only/ceiling  %.1f%%\n", 100 * p / c, 100 * q / c }'
