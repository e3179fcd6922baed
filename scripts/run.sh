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

echo "== 1. data: synthetic loan book (training) and a second book (holdout)"
"$LR" synth --rows 10000 --seed 42 --out "$OUT/data/loans.csv"
"$LR" synth --rows 5000 --seed 4242 --out "$OUT/data/holdout.csv"
echo
echo "== 2. train"
"$LR" train --data "$OUT/data/loans.csv" --out "$OUT/bundle" --force
echo
echo "== 3. evaluate on the holdout book"
"$LR" evaluate --model "$OUT/bundle" --data "$OUT/data/holdout.csv"
echo
echo "== 4. score the holdout book"
"$LR" predict --model "$OUT/bundle" --data "$OUT/data/holdout.csv" --out "$OUT/scores.csv"
echo
echo "Where everything went:"
echo "  binary        $LR"
echo "  training data $OUT/data/loans.csv"
echo "  holdout data  $OUT/data/holdout.csv"
echo "  model bundle  $OUT/bundle  (model/, pipeline.json, metrics.json, lineage.json, card.md)"
echo "  scores        $OUT/scores.csv"
