#!/usr/bin/env bash
# HTTP load on loopback with wrk: POST /v1/search text queries against a running store.
#   bash bench/http_load.sh CLIPPO_BINARY STORE_DIR [seconds]
# Starts `clippo serve` on a free port, runs wrk at 1, 8 and 64 connections (2 wrk threads),
# prints requests/s, latency p50/p99 and error counts, and stops the server.
set -euo pipefail
CLIPPO=$1 STORE=$2 SECONDS_PER_RUN=${3:-10}
work=$(mktemp -d)
"$CLIPPO" serve --store "$STORE" --host 127.0.0.1 --port 0 --port-file "$work/port" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
cat > "$work/search.lua" <<'LUA'
-- Rotates through queries in several scripts; counts non-200 replies as errors.
local queries = {"a cat on a sofa", "eine Katze", "кошка", "猫", "قطة", "חתול", "बिल्ली", "แมว", "grinning face", "red heart"}
local i = 0
request = function()
  i = i % #queries + 1
  return wrk.format("POST", "/v1/search", {["Content-Type"] = "application/json"},
                    '{"query": "' .. queries[i] .. '", "k": 10}')
end
local bad = 0
response = function(status, headers, body) if status ~= 200 then bad = bad + 1 end end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests/s %.1f p50_ms %.2f p99_ms %.2f non200 %d socket_errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
printf "%-12s %s\n" connections result
for c in 1 8 64; do
  threads=$(( c < 2 ? 1 : 2 ))
  # --timeout: wrk's default 2 s would count queueing behind a CPU-bound encoder as errors.
  line=$(wrk -t"$threads" -c"$c" -d"${SECONDS_PER_RUN}s" --timeout 30s --latency -s "$work/search.lua" "http://127.0.0.1:$port" | grep RESULT)
  printf "%-12s %s\n" "$c" "${line#RESULT }"
done
