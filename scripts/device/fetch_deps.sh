#!/usr/bin/env bash
# Run here (Debian): packs the Debian libraries and the fonts that the lent GPU machine lacks
# into .deps/ (ignored by git; carried with `carry: [".deps"]`, under the 64 MiB limit):
# one .tar.xz of the packages' /usr without static libraries (gtest's excepted) or docs.
# `fetch_deps.sh trainer`: only what a -DCLIPPO_TRAINER_ONLY build and a training run need (no
# FAISS, GoogleTest or Noto fonts), leaving room for the packed corpus (pack_training_corpus.sh).
set -euo pipefail
mode=${1:-all}
cd "$(dirname "$0")/../.."
grep -qx '/.deps/' .git/info/exclude 2>/dev/null || echo '/.deps/' >> .git/info/exclude
stage=$(mktemp -d) debs=$(mktemp -d)
packages=(libharfbuzz-dev libharfbuzz0b libfreetype-dev libfreetype6 libicu-dev libicu72
  libwebp-dev libwebp7 libwebpdemux2 libwebpmux3 libgraphite2-3 libbrotli1 libcli11-dev nlohmann-json3-dev libglib2.0-0)
[ "$mode" = trainer ] || packages+=(libgtest-dev libgmock-dev googletest libfaiss-dev)
(cd "$debs" && apt-get download "${packages[@]}")
for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$stage"; done
find "$stage" -name '*.a' ! -name 'libgtest*' ! -name 'libgmock*' ! -name 'libfaiss*' -delete
rm -rf "$stage"/usr/share/{doc,man,gir-1.0,gtk-doc,locale,lintian} "$stage"/usr/src
rm -rf .deps/fonts && mkdir -p .deps/fonts
tar -C "$stage" -cJf .deps/deps.tar.xz usr
cp /usr/share/unifont/unifont.hex /usr/share/fonts/opentype/unifont/unifont_upper.otf .deps/fonts/
if [ "$mode" != trainer ]; then
  cp /usr/share/fonts/opentype/unifont/unifont.otf /usr/share/fonts/opentype/unifont/unifont_upper.otf \
    /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc .deps/fonts/
  cp /usr/share/fonts/truetype/noto/NotoSans{,Arabic,Hebrew,Devanagari,Thai}-Regular.ttf .deps/fonts/
fi
rm -rf "$stage" "$debs"
du -sh .deps
