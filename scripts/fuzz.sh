#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and runs each for
# the given number of seconds (default 30) from the seed corpus in fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-30}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCLIPPO_BUILD_FUZZ=ON -DCLIPPO_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j "${CLIPPO_JOBS:-2}" --target fuzz_text_renderer fuzz_image_decoder
for target in fuzz_text_renderer fuzz_image_decoder; do
  corpus=$(mktemp -d)
  cp -r "fuzz/corpus/${target#fuzz_}/." "$corpus/" 2>/dev/null || true
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
  mkdir -p build-fuzz/artifacts
  log="build-fuzz/artifacts/$target.log"
  set +e  # libFuzzer exits non-zero on a crash, leak or timeout: keep its code
  "build-fuzz/fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -rss_limit_mb=2048 \
    -artifact_prefix=build-fuzz/artifacts/ -print_final_stats=1 "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  grep -E "^(stat::number_of_executed_units|==[0-9]+==|SUMMARY)" "$log" || true
  rm -rf "$corpus"
  if [ "$rc" -ne 0 ]; then tail -40 "$log"; echo "fuzz: $target failed (exit $rc); input in build-fuzz/artifacts/"; exit "$rc"; fi
done
