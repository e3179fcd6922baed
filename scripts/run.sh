#!/usr/bin/env bash
# The main job: build loanrisk, generate the embedded default data (a synthetic loan book), train,
# evaluate on a fresh holdout book, write the bundle, score a CSV, and say where everything went.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD_DIR=${LOANRISK_BUILD_DIR:-build/release}
OUT=${LOANRISK_OUT:-out}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLOANRISK_BUILD_TESTS=OFF \
  -DLOANRISK_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target loanrisk
LR="$BUILD_DIR/src/cli/loanrisk"
mkdir -p "$OUT/data"

STORE_URI="sqlite:///$(pwd)/$OUT/store/loanrisk.db"
PORT=${LOANRISK_SERVE_PORT:-8080}

echo "== 1. data: synthetic loan book (training) and a second book (holdout)"
"$LR" synth --rows 10000 --seed 42 --out "$OUT/data/loans.csv"
"$LR" synth --rows 5000 --seed 4242 --out "$OUT/data/holdout.csv"
echo
echo "== 2. train, record the run and register the bundle as models:/loan-default@challenger"
"$LR" train --data "$OUT/data/loans.csv" --out "$OUT/bundle" --force --store "$STORE_URI" \
  --experiment quickstart --register loan-default --alias challenger --reason "scripts/run.sh"
echo
echo "== 3. validate it on the holdout book, attach the report, promote it to @champion"
rc=0
"$LR" validate --model models:/loan-default@challenger --store "$STORE_URI" \
  --data "$OUT/data/holdout.csv" --out "$OUT/validation" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] || exit "$rc" # 4: a red gate, reported above
"$LR" models attach-report loan-default challenger "$OUT/validation" --store "$STORE_URI"
if [ "$rc" -eq 0 ]; then
  "$LR" models alias loan-default champion challenger --store "$STORE_URI" \
    --reason "scripts/run.sh: validated on the holdout book"
else
  echo "The report has red gates (listed above, and in $OUT/validation/report.html). A bank would"
  echo "fix the model or set [validation] to its policy; the quick start promotes with an override,"
  echo "which the registry's history keeps (loanrisk models history loan-default)."
  "$LR" models alias loan-default champion challenger --store "$STORE_URI" --override \
    --reason "scripts/run.sh quick start on synthetic data: red gates reviewed in $OUT/validation/report.html"
fi
echo
echo "== 4. evaluate the champion on the holdout book"
"$LR" evaluate --model models:/loan-default@champion --store "$STORE_URI" \
  --data "$OUT/data/holdout.csv"
echo
echo "== 5. score the holdout book"
"$LR" predict --model models:/loan-default@champion --store "$STORE_URI" \
  --data "$OUT/data/holdout.csv" --out "$OUT/scores.csv"
echo
echo "Where everything went:"
echo "  binary         $LR"
echo "  training data  $OUT/data/loans.csv"
echo "  holdout data   $OUT/data/holdout.csv"
echo "  model bundle   $OUT/bundle  (model/, pipeline.json, metrics.json, lineage.json, card.md)"
echo "  validation     $OUT/validation/report.html  (attached to the version in the registry)"
echo "  tracking store $STORE_URI  (loanrisk runs list / models list --store ...)"
echo "  scores         $OUT/scores.csv"
echo
echo "== 6. serve the champion (Ctrl-C stops the server)"
echo "API at http://127.0.0.1:$PORT (POST /api/v1/predict, GET /api/v1/model, /openapi.json, /metrics)"
exec "$LR" serve --model models:/loan-default@champion --store "$STORE_URI" --host 127.0.0.1 \
  --port "$PORT"
