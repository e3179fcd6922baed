#!/usr/bin/env bash
# The champion's latency cost of a challenger in shadow, end to end: wrk against two `loanrisk
# serve` processes on 127.0.0.1 started alike from the same champion bundle, one with
# `--challenger` (a second xgboost bundle trained on another split seed), one without. Each round
# runs both servers in turn, light load first (1 connection: the latency of one request) then
# heavy (64 keep-alive connections: the throughput and the queueing latency), for
#   predict  POST /api/v1/predict, one applicant, with reason codes,
#   pd-only  POST /api/v1/predict?reasons=false.
# Prints every run and the medians over the rounds, and the ratios with / without challenger of
# p50, p99 and req/s (target: latency ratio <= 1.25).
# Usage: bench/bench_shadow.sh [DURATION_SECONDS] (env as bench_serve.sh: LOANRISK_BIN,
# LOANRISK_SERVE_THREADS default 1, LOANRISK_WRK_THREADS default 1, LOANRISK_BENCH_ROUNDS
# default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-5}
command -v wrk >/dev/null || { echo "bench_shadow: wrk is missing: run scripts/setup.sh --bench" >&2; exit 2; }
# shellcheck source=bench/serve_bench_setup.sh
source bench/serve_bench_setup.sh

THREADS=${LOANRISK_SERVE_THREADS:-1}
WRK_THREADS=${LOANRISK_WRK_THREADS:-1}
ROUNDS=${LOANRISK_BENCH_ROUNDS:-3}
"$BIN" train --no-track --data "$WORK/book.csv" --seed 7 --out "$WORK/challenger" >/dev/null

# The second server; the first's pid is SERVER_PID, which serve_bench_setup.sh's cleanup stops.
SHADOW_PID=""
trap 'if [ -n "$SHADOW_PID" ]; then kill "$SHADOW_PID" 2>/dev/null || true; wait "$SHADOW_PID" 2>/dev/null || true; fi; cleanup' EXIT
"$BIN" serve --model "$WORK/bundle" --port 0 --threads "$THREADS" --log-level off \
  >"$WORK/plain.out" 2>"$WORK/plain.err" &
SERVER_PID=$!
"$BIN" serve --model "$WORK/bundle" --challenger "$WORK/challenger" --port 0 --threads "$THREADS" \
  --log-level off >"$WORK/shadow.out" 2>"$WORK/shadow.err" &
SHADOW_PID=$!
PLAIN_PORT=$(server_port "$WORK/plain.out")
SHADOW_PORT=$(server_port "$WORK/shadow.out")
[ -n "$PLAIN_PORT" ] || { echo "bench_shadow: server did not start:" >&2; cat "$WORK/plain.err" >&2; exit 1; }
[ -n "$SHADOW_PORT" ] || { echo "bench_shadow: shadow server did not start:" >&2; cat "$WORK/shadow.err" >&2; exit 1; }

cat >"$WORK/predict.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"customer_id":"a1","credit_lines_outstanding":3,"loan_amt_outstanding":5200,' ..
           '"total_debt_outstanding":21000,"income":40000,"years_employed":2,"fico_score":590}'
LUA

declare -A RESULTS
# run NAME PORT PATH CONNECTIONS: one wrk run; appends "req/s p50_ms p99_ms" to RESULTS[NAME].
run() {
  local name=$1 port=$2 path=$3 conns=$4
  local out rps p50 p99 non2xx
  out=$(wrk -t"$WRK_THREADS" -c"$conns" -d"${DURATION}s" --latency -s "$WORK/predict.lua" \
    "http://127.0.0.1:$port$path")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '  %-22s %10.0f req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
  RESULTS[$name]+="$rps $(to_ms "$p50") $(to_ms "$p99")"$'\n'
}
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/) n *= 1000;
    printf "%.4f", n }'
}
median() {
  printf '%s' "${RESULTS[$1]}" | awk -v c="$2" '{ print $c }' | sort -g |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "loanrisk serve --threads $THREADS, with and without --challenger, wrk -t$WRK_THREADS" \
  "-d${DURATION}s, $ROUNDS rounds ($(nproc) cores shared by wrk and the servers)"
ROUTES=("predict /api/v1/predict" "pd-only /api/v1/predict?reasons=false")
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  for route in "${ROUTES[@]}"; do
    read -r name path <<<"$route"
    for conns in 1 64; do
      run "$name-c$conns" "$PLAIN_PORT" "$path" "$conns"
      run "$name-c$conns-shadow" "$SHADOW_PORT" "$path" "$conns"
    done
  done
done
echo "median of $ROUNDS rounds: with challenger / without (ratio)"
for route in "${ROUTES[@]}"; do
  read -r name _ <<<"$route"
  for conns in 1 64; do
    base="$name-c$conns"
    awk -v n="$base" -v r0="$(median "$base" 1)" -v r1="$(median "$base-shadow" 1)" \
      -v a0="$(median "$base" 2)" -v a1="$(median "$base-shadow" 2)" \
      -v b0="$(median "$base" 3)" -v b1="$(median "$base-shadow" 3)" 'BEGIN {
      printf "  %-12s p50 %7.3f -> %7.3f ms (%.2f)   p99 %7.3f -> %7.3f ms (%.2f)   req/s %7.0f -> %7.0f (%.2f)\n",
        n, a0, a1, a1 / a0, b0, b1, b1 / b0, r0, r1, r1 / r0 }'
  done
done
# The shadow really ran: its counters.
curl -s "http://127.0.0.1:$SHADOW_PORT/metrics" 2>/dev/null |
  grep -E '^loanrisk_(shadow_(requests|rows|dropped_requests)_total|challenger_errors_total) ' || true
