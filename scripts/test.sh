#!/usr/bin/env bash
# The README's test command: installs dependencies, builds with warnings as errors, runs every
# test (CTest), runs the unit tests of the libraries under the model again with ASan + UBSan,
# then runs each libFuzzer target for a bounded time (both in the clang tree build-sanitize/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j "${CLIPPO_JOBS:-2}"
bash scripts/sanitize_tests.sh
bash scripts/fuzz.sh "${CLIPPO_FUZZ_SECONDS:-30}"
