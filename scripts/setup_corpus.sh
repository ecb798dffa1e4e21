#!/usr/bin/env bash
# Installs what `clippo dataset corpus` reads, beside the main set-up (scripts/setup.sh), which
# stays light: the npm Iconify emoji sets pinned by datasets/npm-corpus/package-lock.json, and
# Debian's picture packages unpacked into data/packages/ with `dpkg-deb -x` (no system install,
# none of their dependencies: only their files are read). Idempotent: what is there is kept.
# Usage: bash scripts/setup_corpus.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d datasets/npm-corpus/node_modules/@iconify-json ]; then
  npm ci --prefix datasets/npm-corpus --no-audit --no-fund
fi

# Debian packages whose pictures and captions the corpus reads (datasets/corpus/*_sources.cpp).
DEBS=(pysiogame iso-flags-png-320x240 openclipart-svg sweethome3d-furniture dataset-fashion-mnist
      tuxpaint-stamps-default)
mkdir -p data/packages/.debs
missing=()
for p in "${DEBS[@]}"; do
  [ -f "data/packages/.debs/$p.unpacked" ] || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  for p in "${missing[@]}"; do
    # apt-get download writes into the current folder; a failure leaves the source to be skipped.
    if (cd data/packages/.debs && apt-get download -qq "$p" 2>/dev/null); then
      dpkg-deb -x data/packages/.debs/"$p"_*.deb data/packages
      rm -f data/packages/.debs/"$p"_*.deb
      touch "data/packages/.debs/$p.unpacked"
      echo "setup_corpus: unpacked $p into data/packages"
    else
      echo "setup_corpus: could not download Debian package $p; its source will be skipped" >&2
    fi
  done
else
  echo "setup_corpus: all corpus packages present"
fi
