#!/usr/bin/env bash
# Serving throughput: wrk against `loanrisk serve` on 127.0.0.1, keep-alive, 64 connections.
# Measures, in the same run and on the same server stack (Beast, routing, metrics, logging off):
#   ceiling  GET /healthz (a trivial handler),
#   predict  POST /api/v1/predict, one applicant, with reason codes (TreeSHAP per request),
#   pd-only  POST /api/v1/predict?reasons=false (PD, grade, decision, expected loss).
# Prints req/s and p50/p99 for each and the ratio to the ceiling (target >= 60%, p99 < 2 ms).
# Usage: bench/bench_serve.sh [DURATION_SECONDS] (env LOANRISK_BIN: a built loanrisk binary;
# LOANRISK_SERVE_THREADS: the server's --threads, default 1; LOANRISK_WRK_THREADS: wrk's -t,
# default 1). The defaults give the server one core and wrk the other on a 2-core machine: with
# more threads than cores each side preempts the other and the p99 measures the scheduler's time
# slices (docs/serving.md has the four combinations side by side).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
command -v wrk >/dev/null || { echo "bench_serve: wrk is missing: run scripts/setup.sh --bench" >&2; exit 2; }
BIN=${LOANRISK_BIN:-}
if [ -z "$BIN" ]; then
  cmake -S . -B build/bench-serve -G Ninja -DCMAKE_BUILD_TYPE=Release -DLOANRISK_BUILD_TESTS=OFF \
    -DLOANRISK_BUILD_BENCH=OFF >/dev/null
  cmake --build build/bench-serve -j2 --target loanrisk >/dev/null
  BIN=build/bench-serve/src/cli/loanrisk
fi
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" synth --rows 10000 --seed 42 --out "$WORK/book.csv" >/dev/null
"$BIN" train --no-track --data "$WORK/book.csv" --out "$WORK/bundle" >/dev/null
THREADS=${LOANRISK_SERVE_THREADS:-1}
WRK_THREADS=${LOANRISK_WRK_THREADS:-1}
"$BIN" serve --model "$WORK/bundle" --port 0 --threads "$THREADS" --log-level off >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 200); do
  PORT=$(sed -n 's/.*at http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/serve.out")
  [ -n "$PORT" ] && break
  sleep 0.05
done
[ -n "$PORT" ] || { echo "bench_serve: server did not start:" >&2; cat "$WORK/serve.err" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"

cat >"$WORK/predict.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"customer_id":"a1","credit_lines_outstanding":3,"loan_amt_outstanding":5200,' ..
           '"total_debt_outstanding":21000,"income":40000,"years_employed":2,"fico_score":590}'
LUA

# run NAME PATH [SCRIPT]: prints "NAME req/s p50 p99" (latencies in ms) and stores req/s.
declare -A RPS
run() {
  local name=$1 path=$2 script=${3:-}
  local out
  out=$(wrk -t"$WRK_THREADS" -c64 -d"${DURATION}s" --latency ${script:+-s "$script"} "$URL$path")
  local rps p50 p99 non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  RPS[$name]=$rps
  printf '%-9s %10.0f req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
}

echo "loanrisk serve --threads $THREADS on $URL, wrk -t$WRK_THREADS -c64 -d${DURATION}s, keep-alive ($(nproc) cores shared by wrk and the server)"
run ceiling /healthz
run predict /api/v1/predict "$WORK/predict.lua"
run pd-only "/api/v1/predict?reasons=false" "$WORK/predict.lua"
awk -v c="${RPS[ceiling]}" -v p="${RPS[predict]}" -v q="${RPS[pd-only]}" 'BEGIN {
  printf "ratio predict/ceiling  %.1f%%\nratio pd-only/ceiling  %.1f%%\n", 100 * p / c, 100 * q / c }'
