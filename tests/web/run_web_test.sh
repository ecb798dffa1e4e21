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
# Exits with node's status; the server is always stopped (on EXIT, INT and TERM).
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
SERVER_PID=""
BASE_URL=""

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM

require_tools() {
  if [ ! -x "$1" ]; then
    echo "error: $1 is not an executable" >&2
    exit 2
  fi
  local tool
  for tool in node chromium; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found (run scripts/setup.sh)" >&2; exit 2; }
  done
}

serve_store() {
  local clippo="$1" store="$2" work="$3"
  rm -f "$work/port"
  "$clippo" serve --store "$store" --host 127.0.0.1 --port 0 --port-file "$work/port" \
    >"$work/serve.log" 2>&1 &
  SERVER_PID=$!
  # Wait (at most 30 s) for the port file, then for /v1/health to answer 200.
  local deadline=$((SECONDS + 30)) port code
  while ((SECONDS < deadline)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "error: clippo serve exited early; its log:" >&2
      cat "$work/serve.log" >&2
      exit 1
    fi
    if [ -s "$work/port" ]; then
      port="$(tr -d '[:space:]' <"$work/port")"
      if [[ "$port" =~ ^[0-9]+$ ]]; then
        code="$(node -e '
          fetch(process.argv[1]).then((r) => console.log(r.status), () => console.log(0));
        ' "http://127.0.0.1:$port/v1/health")"
        if [ "$code" = 200 ]; then
          BASE_URL="http://127.0.0.1:$port"
          echo "web test: server ready at $BASE_URL"
          return 0
        fi
      fi
    fi
    sleep 0.2
  done
  echo "error: clippo serve did not become healthy within 30 s; its log:" >&2
  cat "$work/serve.log" >&2
  exit 1
}

ensure_node_modules() {
  if [ ! -d "$1/node_modules/playwright-core" ]; then
    npm ci --prefix "$1" --no-audit --no-fund
  fi
}

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
