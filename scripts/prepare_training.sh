#!/usr/bin/env bash
# Shared by the training scripts (sourced): sets the machine up, builds clippo, and makes the
# corpora the default recipes read when they are not there yet: the multi-source picture corpus
# (clippo dataset corpus: Iconify emoji sets, Openclipart, iso-flags, Sweet Home 3D, Tux Paint stamps, Fashion-MNIST, art4apps held out) and the
# iso-codes translation pairs; the baselines' scripts also read the emoji collection and the UDHR
# pairs. Leaves CLIPPO naming the binary.
bash scripts/setup.sh
bash scripts/setup_corpus.sh
bash scripts/build.sh clippo
CLIPPO=build/api/cli/clippo
[ -f data/corpus/summary.json ] || "$CLIPPO" dataset corpus --out data/corpus
[ -f data/pairs/iso_codes.tsv ] || { mkdir -p data/pairs && "$CLIPPO" dataset iso-codes --out data/pairs/iso_codes.tsv; }
[ -f data/udhr/udhr_pairs_train.tsv ] || "$CLIPPO" dataset udhr --out data/udhr
