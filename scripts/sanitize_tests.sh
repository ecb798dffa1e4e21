#!/usr/bin/env bash
# Runs the unit tests of the libraries under the model (base, render, index, datasets, the
# corpus readers, tokenizer baselines, the HTTP API) built with AddressSanitizer + UBSan: any
# out-of-bounds access, use after free, leak or undefined behaviour fails the run, naming it.
# The LibTorch suites (core/model, core/train, api/engine) stay in the plain build: LibTorch
# itself is not instrumented and they are dominated by its kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
SUITES=(clippo_base_tests clippo_render_tests clippo_index_tests clippo_datasets_tests clippo_corpus_tests
        clippo_tokenizer_baselines_tests clippo_http_tests)
start=$(date +%s)
bash scripts/sanitizer_build.sh "${SUITES[@]}"
built=$(date +%s)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for suite in "${SUITES[@]}"; do
  binary=$(find build-sanitize/tests -name "$suite" -type f -perm -u+x | head -1)
  t0=$(date +%s)
  if ! "$binary" --gtest_brief=1 >"build-sanitize/$suite.log" 2>&1; then
    tail -60 "build-sanitize/$suite.log"
    echo "sanitize: $suite failed (log: build-sanitize/$suite.log)"
    exit 1
  fi
  echo "sanitize: $suite passed ($(grep -m1 -oE '[0-9]+ tests? from [0-9]+ test suites? ran' "build-sanitize/$suite.log" || echo '?'), $(($(date +%s) - t0)) s)"
done
echo "sanitize: built in $((built - start)) s, ran in $(($(date +%s) - built)) s"
