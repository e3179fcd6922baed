#!/usr/bin/env bash
# The server's own user-space instructions per request, counted by valgrind (callgrind) while one
# keep-alive client sends requests to `loanrisk serve` on 127.0.0.1: GET /healthz (the trivial
# handler, the baseline), POST /api/v1/predict with reasons and with ?reasons=false, one applicant
# each. Unlike bench_serve.sh's req/s, the count does not move with the machine's speed, so two
# builds can be compared from one run each; it leaves out the kernel's share of a request (the
# socket calls), which bench_serve.sh includes. Prints instructions per request and the ratio to
# the baseline.
# Usage: bench/bench_serve_instructions.sh [REQUESTS] (default 2000; env LOANRISK_BIN: a built
# loanrisk binary). Needs valgrind and python3 (scripts/setup.sh --bench).
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${1:-2000}
for tool in valgrind callgrind_control python3; do
  command -v "$tool" >/dev/null ||
    { echo "bench_serve_instructions: $tool is missing: run scripts/setup.sh --bench" >&2; exit 2; }
done
# shellcheck source=bench/serve_bench_setup.sh
source bench/serve_bench_setup.sh

# client.py PORT TARGET N: N requests on one keep-alive connection, each answer read in full.
cat >"$WORK/client.py" <<'PY'
import socket, sys
port, target, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
body = (b'{"customer_id":"a1","credit_lines_outstanding":3,"loan_amt_outstanding":5200,'
        b'"total_debt_outstanding":21000,"income":40000,"years_employed":2,"fico_score":590}')
if target.startswith("/api/"):
    request = (b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n" % (target.encode(), len(body))) + body
else:
    request = b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % target.encode()
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
pending = b""
for _ in range(n):
    s.sendall(request)
    while True:
        end = pending.find(b"\r\n\r\n")
        if end >= 0:
            head = pending[:end].decode().lower()
            if not head.startswith("http/1.1 200"):
                sys.exit("bench_serve_instructions: %s answered %s" % (target, head.splitlines()[0]))
            length = int(head.split("content-length:")[1].split("\r\n")[0])
            if len(pending) >= end + 4 + length:
                pending = pending[end + 4 + length:]
                break
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("bench_serve_instructions: the server closed the connection")
        pending += chunk
PY

# toggle on|off: callgrind's instrumentation of the server (its chatter shown only on failure).
toggle() {
  local said
  said=$(callgrind_control -i "$1" "$SERVER_PID" 2>&1) ||
    { echo "bench_serve_instructions: callgrind_control -i $1 failed: $said" >&2; exit 1; }
}

# count TARGET: instructions per request of TARGET (after 200 requests of warm-up, uncounted).
count() {
  local target=$1 out="$WORK/callgrind.out"
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
    "$BIN" serve --model "$WORK/bundle" --port 0 --threads 1 --log-level off \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  local port
  port=$(server_port "$WORK/serve.out")
  [ -n "$port" ] || { echo "bench_serve_instructions: server did not start:" >&2; cat "$WORK/serve.err" >&2; exit 1; }
  python3 "$WORK/client.py" "$port" "$target" 200
  toggle on
  python3 "$WORK/client.py" "$port" "$target" "$REQUESTS"
  toggle off
  kill -INT "$SERVER_PID"
  wait "$SERVER_PID" || true
  SERVER_PID=""
  awk -v n="$REQUESTS" '/^(summary|totals):/ { t = $2 } END { printf "%.0f", t / n }' "$out"
}

echo "loanrisk serve --threads 1, one keep-alive client, $REQUESTS requests per route (callgrind)"
healthz=$(count /healthz)
predict=$(count /api/v1/predict)
pd_only=$(count "/api/v1/predict?reasons=false")
printf '  %-9s %9d instructions/request\n' ceiling "$healthz" predict "$predict" pd-only "$pd_only"
awk -v c="$healthz" -v p="$predict" -v q="$pd_only" 'BEGIN {
  printf "ratio predict/ceiling  %.2f\nratio pd-only/ceiling  %.2f\n", p / c, q / c }'
