#!/usr/bin/env bash
# Trains the shipped default model again, from nothing but this machine's packages:
#   bash scripts/train_default_model.sh        (extra arguments go to `clippo train`)
# sets up and builds, makes the corpus (clippo dataset corpus) and the iso-codes pairs, runs the
# four stages (configs/default_model.json, 12,000 steps; configs/default_model_stage2.json,
# 14,000 more from stage 1's last full-precision checkpoint; configs/default_model_stage3.json,
# 6,000 more from stage 2's model; configs/default_model_stage4.json, 12,000 more from stage 3's;
# each resumable: run the script again after an interruption), installs the result as models/default.npz and writes its
# held-out figures to models/default_eval/: unseen emoji concepts, the held-out art4apps
# source, and UDHR cross-lingual pairs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prepare_training.sh
"$CLIPPO" train --config configs/default_model.json "$@"
"$CLIPPO" train --config configs/default_model_stage2.json "$@"
"$CLIPPO" train --config configs/default_model_stage3.json "$@"
"$CLIPPO" train --config configs/default_model_stage4.json "$@"
cp runs/default_model_stage4/model.npz models/default.npz
bash scripts/eval_default_model.sh
