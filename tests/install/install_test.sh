#!/usr/bin/env bash
# The Debian package end to end: cpack builds it from the build tree, it unpacks into an empty
# prefix (as dpkg would, without touching the system), and the installed files alone answer:
# --version, model info of the bundled default model, an index build, and a server whose page,
# OpenAPI document and search come from the prefix.
#   bash tests/install/install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(realpath "$1")
src=$(realpath "$2")
tmp=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$build" && cpack -G DEB -B "$tmp/pkg" >/dev/null)
deb=$(ls "$tmp"/pkg/clippo_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for p in libtorch libsentencepiece0 libcurl4 unifont fonts-noto-core; do  # FAISS is linked statically
  grep -q "$p" <<<"$depends" || { echo "FAIL: $p missing from Depends" >&2; exit 1; }
done
dpkg-deb -x "$deb" "$tmp/root"
prefix=$tmp/root/usr
clippo=$prefix/bin/clippo
for f in share/clippo/web/index.html share/clippo/openapi.json share/clippo/models/default.npz \
         lib/clippo/libclippo_sentencepiece.so; do
  [ -f "$prefix/$f" ] || { echo "FAIL: $f not installed" >&2; exit 1; }
done

# Out of the source tree, so nothing resolves there by accident.
cd "$tmp"
version=$("$clippo" --version)
echo "$version"
grep -Eq '^clippo [0-9.]+ \((CPU|CUDA) build; LibTorch [0-9.]+, FAISS [0-9.]+\)$' <<<"$version" ||
  { echo "FAIL: --version says '$version'" >&2; exit 1; }
info=$("$clippo" model info default --json)
grep -q "\"path\": \"$prefix/share/clippo/models/default.npz\"" <<<"$info" ||
  { echo "FAIL: model info default does not read the installed model" >&2; exit 1; }

mkdir images
cp "$src/tests/data/images/photo.png" "$src/tests/data/images/gray.png" images/
"$clippo" index build --model default --images images --out store --json
"$clippo" serve --store store --port 0 --port-file port >serve.log 2>&1 &
server=$!
# Says what went wrong with the server's own log (a loaded CI machine is slow, not broken: 60 s).
fail() { echo "FAIL: $*" >&2; echo "--- serve.log:" >&2; cat serve.log >&2; exit 1; }
for _ in $(seq 300); do [ -s port ] && break; sleep 0.2; done
[ -s port ] || fail "no port file after 60 s"
port=$(cat port)
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null || fail "not ready after 60 s"
# Each body whole first: `curl | grep -q` fails under pipefail whenever grep's early exit
# closes the pipe while curl still writes (the flaky "page not served" of loaded runs).
page=$(curl -sf "http://127.0.0.1:$port/") || fail "page not served"
grep -q "<title>clippo" <<<"$page" || fail "the page has no clippo title"
openapi=$(curl -sf "http://127.0.0.1:$port/v1/openapi.json") || fail "no OpenAPI"
grep -q '"openapi"' <<<"$openapi" || fail "the OpenAPI document has no version"
hits=$(curl -s -X POST -H 'Content-Type: application/json' -d '{"query": "a grey square", "k": 2}' \
  "http://127.0.0.1:$port/v1/search")
grep -q '"results":\[{' <<<"$hits" || fail "search answered $hits"
echo "install test: ok"
