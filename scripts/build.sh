#!/usr/bin/env bash
# Configures and builds clippo into build/ (Release with debug info, Ninja, ccache).
# Extra arguments go to CMake, e.g. -DCLIPPO_BUILD_BENCH=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${CLIPPO_JOBS:-2}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build -j "$JOBS"
