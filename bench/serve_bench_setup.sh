# shellcheck shell=bash
# Sourced by bench_serve.sh and bench_serve_instructions.sh (bash, set -euo pipefail): sets BIN (env
# LOANRISK_BIN, else a Release build of loanrisk), WORK (a folder removed on exit, together with the
# server whose pid is in SERVER_PID) and trains $WORK/bundle on a synthetic book of 10,000 rows.
# server_port FILE: the port `loanrisk serve` printed into FILE, waited for up to 60 s (empty when
# it never did).
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

server_port() {
  local port=""
  for _ in $(seq 1 600); do
    port=$(sed -n 's/.*at http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1")
    [ -n "$port" ] && break
    sleep 0.1
  done
  printf '%s' "$port"
}
