#!/usr/bin/env bash
# Admission control under load, the short version of docs/BENCHMARKS.md's run: a random Ti/16
# store served with one worker and a one-place queue, 64 wrk connections for 5 s (clients that
# honour Retry-After). Every answer must be a 200 or a 503 from admission control, with no
# socket errors or timeouts; both kinds must occur (64 clients cannot all be admitted at once).
#   bash tests/api/http/load_test.sh CLIPPO_BINARY SOURCE_DIR
set -euo pipefail
clippo=$1 src=$2
command -v wrk >/dev/null || { echo "wrk is not installed (bash scripts/setup.sh)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$clippo" model init --variant Ti/16 -o "$tmp/ti16.npz" >/dev/null
"$clippo" index build --model "$tmp/ti16.npz" --images "$src/tests/data/images" --out "$tmp/store" >/dev/null 2>&1
out=$(SERVE_ARGS="--workers 1 --max-queued 1 --queue-deadline-ms 25" CLIENTS=honour-retry-after \
  bash "$src/bench/http_load.sh" "$clippo" "$tmp/store" 5 64)
echo "$out"
line=$(grep "^connections 64" <<<"$out")
field() { awk -v k="$1" '{for (i = 1; i < NF; ++i) if ($i == k) print $(i + 1)}' <<<"$line"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(field other)" = 0 ] || fail "answers other than 200 and 503"
[ "$(field socket_errors)" = 0 ] || fail "socket errors"
[ "$(field timeouts)" = 0 ] || fail "client timeouts"
[ "$(field ok)" -ge 1 ] || fail "no 200"
[ "$(field busy503)" -ge 1 ] || fail "no 503: admission control never refused"
echo "load under admission control: ok"
