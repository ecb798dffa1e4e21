#!/usr/bin/env bash
# The paper's comparison at this machine's scale (docs/REPORTS.md): trains the 1T-CLIP and CLIP*
# baselines on exactly the default model's data and budget (configs/default_1tclip.json,
# configs/default_clipstar.json; resumable), then puts them beside the shipped CLIPPO default
# model in the same reports:
#   bash scripts/compare_baselines.sh            (extra arguments go to both `clippo train` runs)
# Writes docs/reports/baselines/{heldout_concepts,heldout_source}/xm3600.{md,svg,json} and pairs_*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prepare_training.sh
"$CLIPPO" train --config configs/default_1tclip.json "$@"
"$CLIPPO" train --config configs/default_clipstar.json "$@"
# Control: 1T-CLIP given about as much text as CLIPPO's 64 px canvas shows (16 ids).
"$CLIPPO" train --config configs/default_1tclip_seq16.json "$@"
MODELS=(--model clippo=models/default.npz --model 1t-clip=runs/default_1tclip/model.npz
        --model clip-star=runs/default_clipstar/model.npz --model 1t-clip-seq16=runs/default_1tclip_seq16/model.npz)
OUT=docs/reports/baselines
mkdir -p "$OUT"
# Held out: the emoji concepts no model trained on (one picture each, named in every CLDR locale),
# and the art4apps source no training picture comes from.
"$CLIPPO" report xm3600 "${MODELS[@]}" --data data/corpus/heldout_concepts --out "$OUT/heldout_concepts"
"$CLIPPO" report xm3600 "${MODELS[@]}" --data data/corpus/heldout_source --out "$OUT/heldout_source"
for m in clippo=models/default.npz 1t-clip=runs/default_1tclip/model.npz clip-star=runs/default_clipstar/model.npz \
         1t-clip-seq16=runs/default_1tclip_seq16/model.npz; do
  "$CLIPPO" eval pairs --model "${m#*=}" --data data/udhr/udhr_pairs_heldout.tsv --json > "$OUT/pairs_${m%%=*}.json"
done
