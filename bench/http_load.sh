#!/usr/bin/env bash
# HTTP load on loopback with wrk: POST /v1/search text queries against a store.
#   bash bench/http_load.sh CLIPPO_BINARY STORE_DIR [seconds] [connections...]
# Starts `clippo serve` on a free port (extra serve options in SERVE_ARGS, e.g.
# SERVE_ARGS="--workers 1 --max-queued 1"), runs wrk at each connection count (default 1 8 64;
# 2 wrk threads, wrk's own 2 s timeout), and prints per run: answers/s, 200s and 503s, other
# statuses, socket errors and timeouts, the 200s' p50/p99, and the slowest 503 (an upper bound,
# see below). The server's resident memory is printed before and after (KiB). CLIENTS=
# honour-retry-after makes each 503 delay that wrk thread's next request by 1 s, as a client
# honouring Retry-After would; the default, retry-at-once, retries at once (a retry storm).
#
# wrk reports latency for all answers together. A 503 from admission control is written by the
# I/O thread before any work, a 200 runs the model (30+ ms for Ti/16 here); so the n503 fastest
# answers are taken as the 503s and the rest as the 200s, and the script checks that this holds:
# the n503-th fastest answer ("slowest 503") must be faster than the fastest 200 could be.
set -euo pipefail
CLIPPO=$1 STORE=$2 SECONDS_PER_RUN=${3:-10}
shift $(( $# < 3 ? $# : 3 ))
CONNECTIONS=("$@")
((${#CONNECTIONS[@]})) || CONNECTIONS=(1 8 64)
work=$(mktemp -d)
# shellcheck disable=SC2086  # SERVE_ARGS is a list of options
"$CLIPPO" serve --store "$STORE" --host 127.0.0.1 --port 0 --port-file "$work/port" ${SERVE_ARGS:-} > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 300); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
cat > "$work/search.lua" <<'LUA'
-- Rotates through queries in several scripts; counts answers by status in every wrk thread.
local queries = {"a cat on a sofa", "eine Katze", "кошка", "猫", "قطة", "חתול", "बिल्ली", "แมว", "grinning face", "red heart"}
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) i = 0; ok = 0; busy = 0; other = 0; backoff = 0; honour = args[1] == "honour-retry-after" end
-- A client that honours Retry-After waits 1 s after a 503 before its next request. wrk asks
-- delay() once before each request; one pending back-off per 503 seen by this thread.
delay = function()
  if backoff > 0 then backoff = backoff - 1; return 1000 end
  return 0
end
request = function()
  i = i % #queries + 1
  return wrk.format("POST", "/v1/search", {["Content-Type"] = "application/json"},
                    '{"query": "' .. queries[i] .. '", "k": 10}')
end
response = function(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 503 then busy = busy + 1 else other = other + 1 end
  if status == 503 and honour then backoff = backoff + 1 end
end
done = function(summary, latency, requests)
  local ok, busy, other = 0, 0, 0
  for _, t in ipairs(threads) do ok = ok + t:get("ok"); busy = busy + t:get("busy"); other = other + t:get("other") end
  -- latency(i) = the i-th distinct latency in microseconds, ascending, and how many answers took it.
  local n, at = 0, {}
  local want = {busy, busy + math.max(1, math.ceil(0.5 * ok)), busy + math.max(1, math.ceil(0.99 * ok)), busy + 1}
  for i = 1, #latency do
    local us, c = latency(i)
    for k, w in ipairs(want) do if not at[k] and n + c >= w then at[k] = us end end
    n = n + c
  end
  local e = summary.errors
  io.write(string.format("RESULT answers/s %.1f ok %d busy503 %d other %d socket_errors %d timeouts %d ok_p50_ms %.1f ok_p99_ms %.1f slowest503_ms %.2f fastest200_ms %.1f\n",
    summary.requests / (summary.duration / 1e6), ok, busy, other, e.connect + e.read + e.write, e.timeout,
    (at[2] or 0) / 1000, (at[3] or 0) / 1000, busy > 0 and (at[1] or 0) / 1000 or 0, (at[4] or 0) / 1000))
end
LUA
echo "server RSS before: $(rss) KiB"
# RSS_EVERY=N: the server's resident memory every N seconds during the runs (a soak's check).
if [ -n "${RSS_EVERY:-}" ]; then
  (while kill -0 "$server" 2>/dev/null; do sleep "$RSS_EVERY"; echo "$(date +%s) $(rss)" >> "$work/rss.log"; done) &
fi
for c in "${CONNECTIONS[@]}"; do
  threads=$(( c < 2 ? 1 : 2 ))
  line=$(wrk -t"$threads" -c"$c" -d"${SECONDS_PER_RUN}s" -s "$work/search.lua" "http://127.0.0.1:$port" -- "${CLIENTS:-retry-at-once}" | grep RESULT)
  printf "connections %-4s %s\n" "$c" "${line#RESULT }"
done
echo "server RSS after: $(rss) KiB"
[ -s "$work/rss.log" ] && awk 'NR == 1 {t0 = $1} {printf "  RSS at %4d s: %d KiB\n", $1 - t0 + '"${RSS_EVERY:-0}"', $2}' "$work/rss.log"
curl -s "http://127.0.0.1:$port/metrics" | grep -E "^clippo_http_(queue_depth|rejected_total|deadline_dropped_total)" || true
