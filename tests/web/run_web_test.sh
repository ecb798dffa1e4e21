#!/usr/bin/env bash
# End-to-end test of the web page: builds a tiny model and a collection of 4 images and 2 texts
# with the real
# clippo binary, starts `clippo serve` on a free port, and runs the headless-browser test
# (search_page.test.mjs, node:test + playwright-core + Debian's /usr/bin/chromium) against it.
# Usage: tests/web/run_web_test.sh CLIPPO_BINARY WORK_DIR
#   WORK_DIR is created (its model, images, store and artifacts are replaced on every run);
#   screenshots land in WORK_DIR/artifacts, the server's log in WORK_DIR/serve.log.
# Needs: node >= 20, npm (only when tests/web/node_modules is missing), chromium.
# Exits with node's status; the server is always stopped (serve_store.sh).
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
rm -rf "$WORK/images" "$WORK/store" "$WORK/artifacts" "$WORK/port" "$WORK/model.npz"
mkdir -p "$WORK/images" "$WORK/artifacts"

echo "web test: model, images and index in $WORK"
"$CLIPPO" model init --variant mu/16 --out-dim 16 -o "$WORK/model.npz"
for f in photo.jpg photo.png gray.png palette.png; do
  cp "$REPO/tests/data/images/$f" "$WORK/images/"
done
"$CLIPPO" index build --model "$WORK/model.npz" --images "$WORK/images" --out "$WORK/store"
# Two text items beside the images, so the page shows text cards and its kinds filter.
printf 'a photo of a cat\ten\nقطة نائمة\tar\n' >"$WORK/texts.tsv"
"$CLIPPO" index build --model "$WORK/model.npz" --texts "$WORK/texts.tsv" --out "$WORK/store"

serve_store "$CLIPPO" "$WORK/store" "$WORK"
ensure_node_modules "$HERE"

export CLIPPO_BASE_URL="$BASE_URL"
export CLIPPO_QUERY_IMAGE="$WORK/images/photo.jpg"
export CLIPPO_ARTIFACTS="$WORK/artifacts"
status=0
(cd "$HERE" && node --test --test-reporter=spec search_page.test.mjs) || status=$?
echo "web test: screenshots in $CLIPPO_ARTIFACTS"
exit "$status"
