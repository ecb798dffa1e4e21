#!/usr/bin/env bash
# The README's main command: installs dependencies, builds, makes the bundled collection (the
# emoji of Debian's Noto Color Emoji, captioned with CLDR's English names), indexes it with the
# default model and serves the web page and API on http://127.0.0.1:8080/ (Ctrl-C stops).
#
# The default model is models/default.npz (trained by scripts/train_default_model.sh, see
# models/README.md); without it this script falls back to a randomly initialised Ti/16
# (data/model.npz): the engine works end to end, but rankings are then meaningless.
# CLIPPO_MODEL picks another model: a file, an http(s) URL, or a published checkpoint by name
# (`clippo model fetch --list`), downloaded once into the cache:
#   CLIPPO_MODEL=clippo_b16_yfcc100m bash scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${CLIPPO_PORT:-8080}
bash scripts/setup.sh
bash scripts/build.sh clippo  # the program only; scripts/test.sh builds the rest on the same objects
CLIPPO=build/api/cli/clippo
mkdir -p data
MODEL=${CLIPPO_MODEL:-models/default.npz}
if [ -n "${CLIPPO_MODEL:-}" ] && [ ! -f "$MODEL" ]; then
  MODEL=$("$CLIPPO" model fetch "$MODEL")  # a known name or a URL: the cached file's path
fi
if [ ! -f "$MODEL" ]; then
  MODEL=data/model.npz
  [ -f "$MODEL" ] || "$CLIPPO" model init --variant Ti/16 --seed 0 -o "$MODEL"
  echo "run: models/default.npz is not there yet; using a random Ti/16 ($MODEL): results are not meaningful" >&2
fi
[ -f data/emoji/index.tsv ] || "$CLIPPO" dataset emoji --out data/emoji --locales en
# One store per model content: a retrained model gets a fresh index, never a mismatched one.
STORE=data/emoji-$(sha256sum "$MODEL" | cut -c1-12).store
"$CLIPPO" index build --model "$MODEL" --images data/emoji/images --captions data/emoji/index.tsv --out "$STORE"
exec "$CLIPPO" serve --store "$STORE" --host 127.0.0.1 --port "$PORT"
