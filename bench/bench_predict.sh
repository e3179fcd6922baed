#!/usr/bin/env bash
# Batch scoring, whole process, CSV in and CSV out (issue #24, part 2): `loanrisk predict` on a
# 1,000,000-row synthetic book against a pandas + XGBoost script (bench/predict_pandas.py: read_csv,
# the same capping and four engineered features, inplace_predict with the bundle's own model, the
# calibrator, to_csv) on the same file in the same run, on the cores given (default: 0,1). Prints
# rows/s and peak RSS (/usr/bin/time -v) of each, best of RUNS, and the ratio (goal: 3M rows/s,
# about 9x the script). Then a bounded-memory run: the book repeated to BIG_ROWS rows (default
# 20,000,000) and scored once, to show peak RSS does not grow with the file.
# Usage: bench/bench_predict.sh [BUILD] (default build/package when it holds a Release binary, else
# build/test, whose sanitizers make it several times slower). Env: ROWS, BIG_ROWS, RUNS, CPUS.
# Needs /usr/bin/python3 with python3-pandas and python3-xgboost (scripts/setup.sh --bench).
set -euo pipefail
PY=/usr/bin/python3  # Debian's python3, where apt installs pandas and xgboost
HERE=$(cd "$(dirname "$0")" && pwd)
ROWS=${ROWS:-1000000}
BIG_ROWS=${BIG_ROWS:-20000000}
RUNS=${RUNS:-3}
CPUS=${CPUS:-0,1}
if [ -n "${1:-}" ]; then
  BUILD=$1
elif [ -x "$HERE/../build/package/src/cli/loanrisk" ]; then
  BUILD=$HERE/../build/package
else
  BUILD=$HERE/../build/test
fi
BIN=$BUILD/src/cli/loanrisk
[ -x "$BIN" ] || { echo "bench_predict: $BIN not found; run scripts/package.sh first" >&2; exit 1; }
"$PY" -c 'import pandas, xgboost' 2>/dev/null ||
  { echo "bench_predict: install python3-pandas python3-xgboost (apt) for the baseline" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench_predict.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

kind=$(grep -E '^(CMAKE_BUILD_TYPE|LOANRISK_SANITIZE):' "$BUILD/CMakeCache.txt" | cut -d= -f2 | paste -sd' ')
case $kind in
  "Release OFF") note="Release" ;;
  *) note="$kind: NOT a Release build (sanitizers make loanrisk several times slower; the pandas script runs at full speed, so the ratio understates loanrisk)" ;;
esac
echo "binary: $BIN ($note)"
echo "cpus: $CPUS of $(nproc); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN" synth --rows 10000 --seed 1 --out "$WORK/train.csv" >/dev/null
"$BIN" train --data "$WORK/train.csv" --out "$WORK/bundle" --no-track >/dev/null
"$BIN" synth --rows "$ROWS" --seed 2 --out "$WORK/book.csv" >/dev/null
echo "book: $ROWS rows, $(du -m "$WORK/book.csv" | cut -f1) MiB; model: default xgboost, $("$PY" -c "import json,sys; print(len(json.load(open(sys.argv[1]))['learner']['gradient_booster']['model']['trees']))" "$WORK/bundle/model/xgboost.json") trees"

# Prints "seconds peak_rss_kib" of one run of the command.
timed() {
  local log=$WORK/time.log
  /usr/bin/time -v taskset -c "$CPUS" "$@" >/dev/null 2>"$log" ||
    { cat "$log" >&2; echo "bench_predict: $* failed" >&2; exit 1; }
  awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]}
              /Maximum resident set size/ {rss = $2} END {printf "%.3f %d\n", s, rss}' "$log"
}
# Best of RUNS: "seconds peak_rss_kib".
best() {
  local i out best_s="" best_line=""
  for ((i = 0; i < RUNS; i++)); do
    out=$(timed "$@")
    if [ -z "$best_s" ] || awk -v a="${out%% *}" -v b="$best_s" 'BEGIN {exit !(a < b)}'; then
      best_s=${out%% *}
      best_line=$out
    fi
  done
  echo "$best_line"
}

read -r lr_s lr_rss < <(best "$BIN" predict --model "$WORK/bundle" --data "$WORK/book.csv" --out "$WORK/scored.csv")
read -r py_s py_rss < <(best "$PY" "$HERE/predict_pandas.py" "$WORK/bundle" "$WORK/book.csv" "$WORK/pandas.csv")
"$PY" - "$ROWS" "$lr_s" "$lr_rss" "$py_s" "$py_rss" <<'PY'
import sys
rows, lr_s, lr_rss, py_s, py_rss = int(sys.argv[1]), *map(float, sys.argv[2:])
print(f"loanrisk predict: {lr_s:.3f} s, {rows / lr_s / 1e6:.2f}M rows/s, peak RSS {lr_rss / 1024:.0f} MiB")
print(f"pandas + xgboost: {py_s:.3f} s, {rows / py_s / 1e6:.2f}M rows/s, peak RSS {py_rss / 1024:.0f} MiB")
print(f"ratio: {py_s / lr_s:.1f}x the pandas script (goal 9x); goal 3M rows/s: "
      f"{'met' if rows / lr_s >= 3e6 else 'missed by %.0f%%' % (100 * (1 - rows / lr_s / 3e6))}")
PY
# The two outputs score the same rows: compare PDs where both are printed.
"$PY" - "$WORK/scored.csv" "$WORK/pandas.csv" <<'PY'
import sys
import pandas as pd
a, b = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
print(f"outputs: {len(a)} and {len(b)} rows; largest |pd difference| {abs(a['pd'] - b['pd']).max():.2e}")
PY

# Bounded memory: the book's rows repeated to BIG_ROWS, scored once.
free_mib=$(df -Pm "$WORK" | awk 'NR == 2 {print $4}')
need_mib=$(( $(du -m "$WORK/book.csv" | cut -f1) * (BIG_ROWS / ROWS) * 2 ))
if [ "$free_mib" -lt "$need_mib" ]; then
  echo "bounded memory: skipped ($need_mib MiB needed, $free_mib MiB free)"
  exit 0
fi
{
  cat "$WORK/book.csv"
  for ((i = 1; i < BIG_ROWS / ROWS; i++)); do tail -n +2 "$WORK/book.csv"; done
} >"$WORK/big.csv"
rm -f "$WORK/pandas.csv"
read -r big_s big_rss < <(timed "$BIN" predict --model "$WORK/bundle" --data "$WORK/big.csv" --out "$WORK/big-scored.csv")
"$PY" - "$BIG_ROWS" "$big_s" "$big_rss" "$(du -m "$WORK/big.csv" | cut -f1)" "$lr_rss" <<'PY'
import sys
rows, s, rss, mib, small_rss = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], float(sys.argv[5])
print(f"bounded memory: {rows} rows ({mib} MiB) in {s:.1f} s, {rows / s / 1e6:.2f}M rows/s, "
      f"peak RSS {rss / 1024:.0f} MiB (1M rows: {small_rss / 1024:.0f} MiB)")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
