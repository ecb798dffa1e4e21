#!/usr/bin/env bash
# The default model's held-out figures (models/README.md), written to models/default_eval/:
#   bash scripts/eval_default_model.sh [MODEL.npz]       (default: models/default.npz)
# CORPUS (default data/corpus, drawn at 64 px) names the corpus whose held-out sets are read: a
# model trained at another size is judged on pictures drawn at that size (data/corpus112 for
# 112 px, from `clippo dataset corpus --size 112`). OUT (default models/default_eval) the folder.
# heldout_concepts/: the emoji concepts no training picture shows, in any style, one picture
# each, named in every CLDR locale; heldout_source/: art4apps (pysiogame), a source no training
# picture comes from, in its 15 locales; udhr_heldout_pairs.json: UDHR articles never trained on.
# Each report lists chance beside the figures. Needs the corpora (scripts/prepare_training.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
CLIPPO=${CLIPPO:-build/api/cli/clippo}
MODEL=${1:-models/default.npz}
CORPUS=${CORPUS:-data/corpus}
OUT=${OUT:-models/default_eval}
mkdir -p "$OUT"
"$CLIPPO" report xm3600 --model default="$MODEL" --data "$CORPUS/heldout_concepts" --out "$OUT/heldout_concepts"
"$CLIPPO" report xm3600 --model default="$MODEL" --data "$CORPUS/heldout_source" --out "$OUT/heldout_source"
"$CLIPPO" eval pairs --model "$MODEL" --data data/udhr/udhr_pairs_heldout.tsv --json > "$OUT/udhr_heldout_pairs.json"
