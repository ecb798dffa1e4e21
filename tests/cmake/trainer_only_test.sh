#!/usr/bin/env bash
# -DCLIPPO_TRAINER_ONLY=ON (what the GPU machine builds): configures without FAISS, Boost and
# libcurl being asked for, and offers clippo-train, not clippo, the index or the server.
#   bash tests/cmake/trainer_only_test.sh SOURCE_DIR
set -euo pipefail
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake -S "$src" -B "$tmp" -G Ninja -DCLIPPO_TRAINER_ONLY=ON >"$tmp/configure.log" 2>&1 ||
  { cat "$tmp/configure.log"; exit 1; }
targets=$(ninja -C "$tmp" -t targets all)
has() { grep -q "^$1: " <<<"$targets" || { echo "FAIL: no target $1" >&2; exit 1; }; }
lacks() { ! grep -q "^$1: " <<<"$targets" || { echo "FAIL: target $1 is built" >&2; exit 1; }; }
has clippo-train
has core/train/libclippo_train.a
lacks api/cli/clippo
lacks index/libclippo_index.a
lacks api/http/libclippo_http.a
lacks model_hub/libclippo_model_hub.a
if grep -qi "faiss\|boost\|curl" "$tmp/CMakeCache.txt"; then
  echo "FAIL: the trainer-only configure looked for FAISS, Boost or libcurl:" >&2
  grep -i "faiss\|boost\|curl" "$tmp/CMakeCache.txt" | head -5 >&2
  exit 1
fi
echo "trainer-only configure: ok"
