#!/usr/bin/env bash
# End-to-end test of the web page: builds a tiny model and a collection of 4 images and 2 texts
# with the real
# clippo binary, starts `clippo serve` on a free port, and runs the headless-browser test
# (search_page.test.mjs, node:test + playwright-core + Debian's /usr/bin/chromium) against it.
# Usage: tests/web/run_web_test.sh CLIPPO_BINARY WORK_DIR
#   WORK_DIR is created (its model, images, store and artifacts are replaced on every run);
#   screenshots land in WORK_DIR/artifacts, the server's log in WORK_DIR/serve.log.
# Needs: node >= 20, npm (only when tests/web/node_modules is missing), chromium.
# Exits with node's status; the server is always stopped.
set -euo pipefail

if (($# != 2)); then
  echo "usage: $0 CLIPPO_BINARY WORK_DIR" >&2
  exit 2
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CLIPPO="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
WORK="$2"
SERVER_PID=""

if [ ! -x "$CLIPPO" ]; then
  echo "error: $CLIPPO is not an executable" >&2
  exit 2
fi
for tool in node chromium; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found (run scripts/setup.sh)" >&2; exit 2; }
done

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

"$CLIPPO" serve --store "$WORK/store" --host 127.0.0.1 --port 0 --port-file "$WORK/port" \
  >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!

# Wait (at most 30 s) for the port file, then for /v1/health to answer 200.
BASE_URL=""
deadline=$((SECONDS + 30))
while ((SECONDS < deadline)); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "error: clippo serve exited early; its log:" >&2
    cat "$WORK/serve.log" >&2
    exit 1
  fi
  if [ -s "$WORK/port" ]; then
    port="$(tr -d '[:space:]' <"$WORK/port")"
    if [[ "$port" =~ ^[0-9]+$ ]]; then
      code="$(node -e '
        fetch(process.argv[1]).then((r) => console.log(r.status), () => console.log(0));
      ' "http://127.0.0.1:$port/v1/health")"
      if [ "$code" = 200 ]; then
        BASE_URL="http://127.0.0.1:$port"
        break
      fi
    fi
  fi
  sleep 0.2
done
if [ -z "$BASE_URL" ]; then
  echo "error: clippo serve did not become healthy within 30 s; its log:" >&2
  cat "$WORK/serve.log" >&2
  exit 1
fi
echo "web test: server ready at $BASE_URL"

if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  npm ci --prefix "$HERE" --no-audit --no-fund
fi

export CLIPPO_BASE_URL="$BASE_URL"
export CLIPPO_QUERY_IMAGE="$WORK/images/photo.jpg"
export CLIPPO_ARTIFACTS="$WORK/artifacts"
status=0
(cd "$HERE" && node --test --test-reporter=spec search_page.test.mjs) || status=$?
echo "web test: screenshots in $CLIPPO_ARTIFACTS"
exit "$status"
