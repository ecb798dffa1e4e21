#!/usr/bin/env bash
# Times the README's two commands on a fresh clone with an empty compiler cache, in one order:
#   bash scripts/time_readme_commands.sh run-first|test-first
# run.sh is timed until its server answers /v1/health (then stopped); test.sh to its end. Debian
# and npm packages already on the machine are not installed again, so a really fresh machine adds
# their download time. Prints one line per command: "<command> <seconds> s".
set -euo pipefail
order=${1:?run-first or test-first}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q "$src" "$tmp/clippo"
export CCACHE_DIR=$tmp/ccache  # nothing compiled before
cd "$tmp/clippo"
# The npm packages the tests and dataset builders use, as setup.sh would fetch them.
for d in tests/web datasets/npm datasets/npm-corpus; do
  [ -d "$src/$d/node_modules" ] && cp -r "$src/$d/node_modules" "$d/"
done

time_run() {
  local port=18765 start=$SECONDS
  CLIPPO_PORT=$port bash scripts/run.sh >"$tmp/run.log" 2>&1 &
  local pid=$!
  until curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/run.log" >&2; exit 1; }
    sleep 1
  done
  echo "scripts/run.sh $((SECONDS - start)) s"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}
time_test() {
  local start=$SECONDS
  bash scripts/test.sh >"$tmp/test.log" 2>&1 || { tail -30 "$tmp/test.log" >&2; exit 1; }
  echo "scripts/test.sh $((SECONDS - start)) s"
}
case $order in
  run-first) time_run; time_test ;;
  test-first) time_test; time_run ;;
  *) echo "usage: $0 run-first|test-first" >&2; exit 2 ;;
esac
