#!/usr/bin/env bash
# Shared by the training scripts (sourced): sets the machine up, builds clippo, and makes the
# corpora the default recipes read (emoji in every CLDR locale, iso-codes and UDHR translation
# pairs) when they are not there yet. Leaves CLIPPO naming the binary.
bash scripts/setup.sh
bash scripts/build.sh
CLIPPO=build/api/cli/clippo
[ -f data/emoji-all/captions.jsonl ] || "$CLIPPO" dataset emoji --out data/emoji-all
[ -f data/pairs/iso_codes.tsv ] || { mkdir -p data/pairs && "$CLIPPO" dataset iso-codes --out data/pairs/iso_codes.tsv; }
[ -f data/udhr/udhr_pairs_train.tsv ] || "$CLIPPO" dataset udhr --out data/udhr
