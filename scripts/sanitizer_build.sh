#!/usr/bin/env bash
# Configures build-sanitize/ (clang; every library built with AddressSanitizer, UBSan and
# libFuzzer's coverage hooks) and builds the given targets. One tree serves both the
# sanitized unit tests (scripts/sanitize_tests.sh) and the fuzzers (scripts/fuzz.sh), so the
# libraries are compiled once for both.
#   bash scripts/sanitizer_build.sh TARGET...
set -euo pipefail
cd "$(dirname "$0")/.."
# No precompiled headers: clang 14 cannot precompile LibTorch 1.13's headers (incomplete c10::IValue)
# with -fpch-instantiate-templates.
CC=clang CXX=clang++ cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCLIPPO_BUILD_FUZZ=ON -DCLIPPO_BUILD_TESTS=ON -DCLIPPO_BUILD_BENCH=OFF \
  -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON >/dev/null
cmake --build build-sanitize -j "${CLIPPO_JOBS:-2}" --target "$@"
