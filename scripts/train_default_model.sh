#!/usr/bin/env bash
# Trains the shipped default model again, from nothing but this machine's packages:
#   bash scripts/train_default_model.sh        (extra arguments go to `clippo train`)
# sets up and builds, makes the corpus (clippo dataset corpus) and the iso-codes pairs, runs
# configs/default_model.json (resumable: run it again after an interruption), installs the result
# as models/default.npz and writes its held-out figures to models/default_eval/: unseen emoji
# concepts, the held-out art4apps source, and UDHR cross-lingual pairs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prepare_training.sh
"$CLIPPO" train --config configs/default_model.json "$@"
cp runs/default_model/model.npz models/default.npz
bash scripts/eval_default_model.sh
