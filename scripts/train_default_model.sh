#!/usr/bin/env bash
# Trains the shipped default model again, from nothing but this machine's packages:
#   bash scripts/train_default_model.sh        (extra arguments go to `clippo train`)
# builds the corpora (emoji in every CLDR locale, iso-codes and UDHR translation pairs), runs
# configs/default_model.json (resumable: run it again after an interruption), installs the result
# as models/default.npz and writes its held-out figures to models/default_eval/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prepare_training.sh
"$CLIPPO" train --config configs/default_model.json "$@"
cp runs/default_model/model.npz models/default.npz
mkdir -p models/default_eval
"$CLIPPO" report xm3600 --model default=models/default.npz --data data/emoji-all --split heldout \
  --out models/default_eval
"$CLIPPO" eval pairs --model models/default.npz --data data/udhr/udhr_pairs_heldout.tsv --json \
  > models/default_eval/udhr_heldout_pairs.json
