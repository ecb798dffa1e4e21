#!/usr/bin/env bash
# Run here (Debian, after scripts/prepare_training.sh): packs what the default model's GPU run
# reads (configs/default_model_gpu.json) into .deps/gpu_corpus.tar.xz, small enough to travel
# with the repository to the lent GPU machine (64 MiB in all, with .deps/deps.tar.xz):
#   data/gpu_corpus/train.tsv + images/*.jpg   the training pictures, drawn at 96 px, as JPEG q75
#   data/gpu_corpus/text_pairs.tsv, iso_codes.tsv   the text/text pairs
#   data/gpu_corpus/heldout_concepts/          the held-out concepts (PNG), for the run's own curve
# The held-out source stays here: the run is judged on it afterwards (scripts/eval_default_model.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIPPO=${CLIPPO:-build/api/cli/clippo}
SIZE=${PACK_SIZE:-96} QUALITY=${PACK_QUALITY:-75}
corpus=data/corpus$SIZE
[ -f "$corpus/summary.json" ] || "$CLIPPO" dataset corpus --out "$corpus" --size "$SIZE" -j "$(nproc)"
rm -rf data/gpu_corpus
"$CLIPPO" dataset pack --tsv "$corpus/train.tsv" --out data/gpu_corpus --quality "$QUALITY" -j "$(nproc)"
cp "$corpus/text_pairs.tsv" data/gpu_corpus/
cp data/pairs/iso_codes.tsv data/gpu_corpus/
cp -r "$corpus/heldout_concepts" data/gpu_corpus/
grep -qx '/.deps/' .git/info/exclude 2>/dev/null || echo '/.deps/' >> .git/info/exclude
mkdir -p .deps
tar -C data -cf - gpu_corpus | xz -T"$(nproc)" -6 > .deps/gpu_corpus.tar.xz
du -sh .deps/gpu_corpus.tar.xz
