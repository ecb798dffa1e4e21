#!/usr/bin/env bash
# The README's test command: installs dependencies, builds with warnings as errors, runs every
# test (CTest), then runs each libFuzzer target for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j "${CLIPPO_JOBS:-2}"
bash scripts/fuzz.sh "${CLIPPO_FUZZ_SECONDS:-30}"
