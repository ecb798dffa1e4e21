#!/usr/bin/env bash
# cmake/Layering.cmake's include check: the real tree passes; a tree with an include pointing up a
# layer, or LibTorch outside core/, fails naming the file.
#   bash tests/cmake/layering_test.sh SOURCE_DIR
set -euo pipefail
src=$1
cmake -DROOT="$src" -P "$src/cmake/check_include_layering.cmake"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/core/base" "$tmp/api/engine" "$tmp/api/cli" "$tmp/datasets/corpus"
printf '#include "core/base/error.h"\n#include "render/png_codec.h"\n' >"$tmp/datasets/corpus/ok.cpp"
printf '#include "api/engine/search_engine.h"\n' >"$tmp/api/cli/ok.cpp"
cmake -DROOT="$tmp" -P "$src/cmake/check_include_layering.cmake"

check_fails() {  # FILE CONTENT EXPECTED-MESSAGE
  printf '%s\n' "$2" >"$tmp/$1"
  if out=$(cmake -DROOT="$tmp" -P "$src/cmake/check_include_layering.cmake" 2>&1); then
    echo "FAIL: $1 ($2) passed the layering check" >&2
    exit 1
  fi
  grep -qF "$3" <<<"$out" || { echo "FAIL: no '$3' in: $out" >&2; exit 1; }
  rm "$tmp/$1"
}
check_fails core/base/up.h '#include "api/http/api_handler.h"' "core/base/up.h: includes api/http/api_handler.h"
check_fails datasets/corpus/up.cpp '#include "evaluation/retrieval_eval.h"' "datasets (layer 2) may not depend on evaluation (layer 3)"
check_fails api/engine/sideways.cpp '#include "core/train/trainer.h"' "api/engine (layer 4) may not depend on core/train (layer 4)"
check_fails api/engine/torch.cpp '#include <torch/torch.h>' "api/engine/torch.cpp: includes LibTorch"
echo "layering check: ok"
