#!/usr/bin/env bash
# End-to-end test of the shipped model as the main job serves it: makes the bundled collection
# (the 1,368 Noto emoji with CLDR's English names, as scripts/run.sh does), indexes it with
# models/default.npz, starts `clippo serve` on a free port and runs default_model.test.mjs, which
# types the README's example queries into the page and checks the picture each finds first.
# Usage: tests/web/run_default_model_test.sh CLIPPO_BINARY WORK_DIR
#   WORK_DIR keeps the collection between runs; the store and artifacts are made again each run.
# Needs: node >= 20, npm (only when tests/web/node_modules is missing), chromium, and the emoji
# font and CLDR packages of scripts/setup.sh. Exits with node's status; the server is always stopped.
set -euo pipefail

if (($# != 2)); then
  echo "usage: $0 CLIPPO_BINARY WORK_DIR" >&2
  exit 2
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CLIPPO="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
WORK="$2"
# shellcheck source=serve_store.sh
source "$HERE/serve_store.sh"
require_tools "$CLIPPO"

mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
rm -rf "$WORK/store" "$WORK/artifacts"
mkdir -p "$WORK/artifacts"

[ -f "$WORK/emoji/index.tsv" ] || "$CLIPPO" dataset emoji --out "$WORK/emoji" --locales en
"$CLIPPO" index build --model "$REPO/models/default.npz" --images "$WORK/emoji/images" \
  --captions "$WORK/emoji/index.tsv" --out "$WORK/store"

serve_store "$CLIPPO" "$WORK/store" "$WORK"
ensure_node_modules "$HERE"

export CLIPPO_BASE_URL="$BASE_URL"
export CLIPPO_ARTIFACTS="$WORK/artifacts"
status=0
(cd "$HERE" && node --test --test-reporter=spec default_model.test.mjs) || status=$?
echo "web test: screenshots in $CLIPPO_ARTIFACTS"
exit "$status"
