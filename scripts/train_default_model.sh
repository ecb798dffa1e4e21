#!/usr/bin/env bash
# Trains the shipped default model again, from nothing but this machine's packages:
#   bash scripts/train_default_model.sh        (extra arguments go to `clippo train`)
# builds the corpora (emoji in every CLDR locale, iso-codes and UDHR translation pairs), runs
# configs/default_model.json (resumable: run it again after an interruption), installs the result
# as models/default.npz and writes its held-out figures to models/default_eval/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
CLIPPO=build/api/cli/clippo
[ -f data/emoji-all/captions.jsonl ] || "$CLIPPO" dataset emoji --out data/emoji-all
[ -f data/pairs/iso_codes.tsv ] || { mkdir -p data/pairs && "$CLIPPO" dataset iso-codes --out data/pairs/iso_codes.tsv; }
[ -f data/udhr/udhr_pairs_train.tsv ] || "$CLIPPO" dataset udhr --out data/udhr
"$CLIPPO" train --config configs/default_model.json "$@"
cp runs/default_model/model.npz models/default.npz
mkdir -p models/default_eval
"$CLIPPO" report xm3600 --model default=models/default.npz --data data/emoji-all --split heldout \
  --out models/default_eval
"$CLIPPO" eval pairs --model models/default.npz --data data/udhr/udhr_pairs_heldout.tsv --json \
  > models/default_eval/udhr_heldout_pairs.json
