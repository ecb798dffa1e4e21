# Sourced by run_web_test.sh: starts `clippo serve` on a free port, waits until it
# answers /v1/health, and stops it when the script exits.
#   serve_store CLIPPO STORE WORK   sets BASE_URL and SERVER_PID (the log is WORK/serve.log)
#   require_tools CLIPPO             exits 2 unless CLIPPO is executable and node and chromium exist
#   ensure_node_modules DIR          installs the pinned playwright-core when DIR lacks it
# The caller uses `set -euo pipefail`; the server is stopped on EXIT, INT and TERM.

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
