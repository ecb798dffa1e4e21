#!/usr/bin/env bash
# Builds clippo against a CUDA LibTorch 2.x (PyTorch's own, from its Python package) into
# build-gpu/. The CPU build is unaffected; GPU code paths switch on at run time when LibTorch
# sees a GPU (--device cuda|auto). Extra arguments go to CMake.
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH_PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="${TORCH_PREFIX};${CLIPPO_EXTRA_PREFIX:-/usr}" \
  -DCMAKE_POLICY_VERSION_MINIMUM=3.5 -DCLIPPO_BUILD_BENCH=ON -DCLIPPO_BUILD_TESTS=ON "$@"
cmake --build build-gpu -j "${CLIPPO_JOBS:-$(nproc)}"
