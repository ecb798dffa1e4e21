#!/usr/bin/env bash
# For this workplace's lent GPU machine (Ubuntu, CUDA PyTorch, no HarfBuzz/FreeType/ICU/WebP
# headers, no fonts, no network): unpacks the Debian libraries and fonts carried in .deps/
# (made here by scripts/device/fetch_deps.sh) into /opt/deps and the standard font paths,
# and writes .deps/env.sh for the build. Run there from the repository root; idempotent.
set -euo pipefail
mkdir -p /opt/deps
tar -C /opt/deps -xJf .deps/deps.tar.xz
# The carried .pc files name /usr (prefix, libdir, includedir...); point them at /opt/deps,
# and drop Requires.private, whose glib/graphite headers only static linking would need.
for pc in /opt/deps/usr/lib/x86_64-linux-gnu/pkgconfig/*.pc /opt/deps/usr/share/pkgconfig/*.pc; do
  [ -f "$pc" ] || continue
  sed -i -E -e 's#^([a-z_]+)=/usr(/|$)#\1=/opt/deps/usr\2#' -e '/^Requires.private:/d' "$pc"
done
# Fonts are plain data: install them where clippo looks by default.
mkdir -p /usr/share/unifont /usr/share/fonts/opentype/unifont /usr/share/fonts/truetype/noto /usr/share/fonts/opentype/noto
# unifont.hex always travels; the rest only without `fetch_deps.sh trainer`.
cp .deps/fonts/unifont.hex /usr/share/unifont/
for f in .deps/fonts/unifont*.otf; do [ -e "$f" ] && cp "$f" /usr/share/fonts/opentype/unifont/; done
for f in .deps/fonts/Noto*.ttf; do [ -e "$f" ] && cp "$f" /usr/share/fonts/truetype/noto/; done
for f in .deps/fonts/Noto*.ttc; do [ -e "$f" ] && cp "$f" /usr/share/fonts/opentype/noto/; done
cat > .deps/env.sh <<'ENV'
export PKG_CONFIG_PATH=/opt/deps/usr/lib/x86_64-linux-gnu/pkgconfig:/opt/deps/usr/share/pkgconfig:${PKG_CONFIG_PATH:-}
export LD_LIBRARY_PATH=/opt/deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
export CLIPPO_EXTRA_PREFIX=/opt/deps/usr
ENV
echo "prepare: libraries in /opt/deps, fonts installed"
