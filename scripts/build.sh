#!/usr/bin/env bash
# Configures and builds clippo into build/ (Release with debug info, Ninja, ccache).
#   bash scripts/build.sh [TARGET...]      (default: everything)
# Every caller configures build/ the same way, so the README's two commands share their objects:
# whichever runs second compiles nothing the first already did. Tests and benchmarks are on;
# warnings are errors (CI's rule; CLIPPO_WERROR=OFF relaxes it for another compiler, at the cost
# of a full rebuild).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${CLIPPO_JOBS:-2}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLIPPO_WERROR="${CLIPPO_WERROR:-ON}" \
  -DCLIPPO_BUILD_TESTS=ON -DCLIPPO_BUILD_BENCH=ON >/dev/null
if (($#)); then
  cmake --build build -j "$JOBS" --target "$@"
else
  cmake --build build -j "$JOBS"
fi
