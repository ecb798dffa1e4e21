#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, ASan + UBSan, in build-sanitize/) and runs each for the
# given number of seconds (default 30) from its seed corpus fuzz/corpus/<target without fuzz_>,
# with fuzz/<target without fuzz_>.dict when there is one.
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]     (default: every target)
#   FUZZ_RUNS=10000000 bash scripts/fuzz.sh 7200 fuzz_po_catalog   (a long run: stops at N executions)
#   FUZZ_FORK=2 ...   (libFuzzer's fork mode: N worker processes share one corpus, and FUZZ_RUNS
#                      counts the executions of all of them: one run on N cores)
# A crash, leak or sanitizer report stops the run; the input is kept in build-sanitize/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-30}
shift || true
TARGETS=("$@")
if ((${#TARGETS[@]} == 0)); then
  TARGETS=(fuzz_text_renderer fuzz_image_decoder fuzz_npz_model_loader fuzz_write_ahead_log fuzz_tar_reader
           fuzz_mo_catalog fuzz_po_catalog fuzz_properties_catalog fuzz_stamp_description fuzz_svg_rasterizer fuzz_api_handler)
fi
bash scripts/sanitizer_build.sh "${TARGETS[@]}"
mkdir -p build-sanitize/artifacts
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0}
# ASan stores each allocation's stack. Through libraries built without frame pointers (FAISS,
# OpenMP, OpenBLAS) its fast unwinder reads stack garbage past the first frames, so every trace
# is new and its stack depot grows without bound: about 1.4 KB per execution of a store-opening
# target, which would pass the 2 GB RSS limit long before 10M executions (the same loop without
# ASan stays flat). Three frames keep the depot bounded and name the allocating function; a
# finding's input is saved, so a rerun with full stacks is one command away. Options the caller
# sets come after, so theirs win.
export ASAN_OPTIONS="malloc_context_size=3${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
# The sanitized tree is built without -fno-sanitize-recover, so by default UBSan prints a report
# and the run goes on: a long run of the log printed one (a float converted to an integer out of
# range) and still ended "Done". Halting makes every report a crash, saved with its input.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
for target in "${TARGETS[@]}"; do
  name=${target#fuzz_}
  corpus=$(mktemp -d)
  cp -r "fuzz/corpus/$name/." "$corpus/" 2>/dev/null || true
  runs=()
  if [ -n "${FUZZ_RUNS:-}" ]; then runs=(-runs="$FUZZ_RUNS"); fi
  fork=()
  if [ -n "${FUZZ_FORK:-}" ]; then fork=(-fork="$FUZZ_FORK"); fi
  dict=()
  if [ -f "fuzz/$name.dict" ]; then dict=(-dict="fuzz/$name.dict"); fi
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
  log="build-sanitize/artifacts/$target.log"
  set +e  # libFuzzer exits non-zero on a crash, leak or timeout: keep its code
  "build-sanitize/fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -rss_limit_mb=2048 \
    -timeout=60 -artifact_prefix=build-sanitize/artifacts/ -print_final_stats=1 "${runs[@]}" "${fork[@]}" "${dict[@]}" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  # Fork mode prints no final stats: its last "#N:" line has the executions of all workers.
  grep -E "^(stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+==|SUMMARY)" "$log" || true
  if ((${#fork[@]})); then grep -E "^#[0-9]+:" "$log" | tail -1 || true; fi
  rm -rf "$corpus"
  if [ "$rc" -ne 0 ]; then tail -40 "$log"; echo "fuzz: $target failed (exit $rc); input in build-sanitize/artifacts/"; exit "$rc"; fi
done
