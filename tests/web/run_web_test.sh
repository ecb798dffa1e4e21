#!/usr/bin/env bash
# End-to-end tests of the web page: makes a collection and its store with the real clippo binary,
# starts `clippo serve` on a free port and runs one headless-browser suite (node:test +
# playwright-core + Debian's /usr/bin/chromium) against it.
# Usage: tests/web/run_web_test.sh SUITE CLIPPO_BINARY WORK_DIR, where SUITE is
#   search_page    a tiny random model over 4 images and 2 texts: the page's behaviour, any ranking
#                  (search_page.test.mjs)
#   default_model  the main job's collection (the 1,368 Noto emoji with CLDR's English names, as
#                  scripts/run.sh makes it) indexed with models/default.npz: the README's example
#                  queries find their picture first (default_model.test.mjs)
# WORK_DIR is created; its store and artifacts are made again on every run (the emoji collection
# is kept). Screenshots land in WORK_DIR/artifacts, the server's log in WORK_DIR/serve.log.
# Needs: node >= 20, npm (only when tests/web/node_modules is missing), chromium, and for
# default_model the emoji font and CLDR packages of scripts/setup.sh.
# Exits with node's status; the server is always stopped (serve_store.sh).
set -euo pipefail

if (($# != 3)) || [[ "$1" != search_page && "$1" != default_model ]]; then
  echo "usage: $0 search_page|default_model CLIPPO_BINARY WORK_DIR" >&2
  exit 2
fi

SUITE="$1"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CLIPPO="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
WORK="$3"
# shellcheck source=serve_store.sh
source "$HERE/serve_store.sh"
require_tools "$CLIPPO"

mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
rm -rf "$WORK/images" "$WORK/store" "$WORK/artifacts" "$WORK/model.npz"
mkdir -p "$WORK/artifacts"
echo "web test ($SUITE): model, images and index in $WORK"

if [ "$SUITE" = search_page ]; then
  mkdir -p "$WORK/images"
  "$CLIPPO" model init --variant mu/16 --out-dim 16 -o "$WORK/model.npz"
  for f in photo.jpg photo.png gray.png palette.png; do
    cp "$REPO/tests/data/images/$f" "$WORK/images/"
  done
  "$CLIPPO" index build --model "$WORK/model.npz" --images "$WORK/images" --out "$WORK/store"
  # Two text items beside the images, so the page shows text cards and its kinds filter.
  printf 'a photo of a cat\ten\nقطة نائمة\tar\n' >"$WORK/texts.tsv"
  "$CLIPPO" index build --model "$WORK/model.npz" --texts "$WORK/texts.tsv" --out "$WORK/store"
  export CLIPPO_QUERY_IMAGE="$WORK/images/photo.jpg"
else
  [ -f "$WORK/emoji/index.tsv" ] || "$CLIPPO" dataset emoji --out "$WORK/emoji" --locales en
  "$CLIPPO" index build --model "$REPO/models/default.npz" --images "$WORK/emoji/images" \
    --captions "$WORK/emoji/index.tsv" --out "$WORK/store"
fi

serve_store "$CLIPPO" "$WORK/store" "$WORK"
ensure_node_modules "$HERE"

export CLIPPO_BASE_URL="$BASE_URL"
export CLIPPO_ARTIFACTS="$WORK/artifacts"
status=0
(cd "$HERE" && node --test --test-reporter=spec "$SUITE.test.mjs") || status=$?
echo "web test: screenshots in $CLIPPO_ARTIFACTS"
exit "$status"
