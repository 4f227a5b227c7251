#!/usr/bin/env bash
# The native lane: the GoogleTest suite and the truncation sweep built with AddressSanitizer +
# UndefinedBehaviorSanitizer, then every libFuzzer target for a short run.
#   FUZZ_SECONDS   seconds per fuzz target (default 15; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "== native unit tests (clang, ASan+UBSan)"
cmake -S native -B build/native-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DSIGWALL_TESTS=ON -DSIGWALL_SANITIZE=ON >/dev/null
cmake --build build/native-asan -j "$jobs"
mkdir -p build/reports
GTEST_OUTPUT="xml:$PWD/build/reports/" ctest --test-dir build/native-asan --output-on-failure

seconds=${FUZZ_SECONDS:-15}
if [ "$seconds" != "0" ]; then
  echo "== fuzz targets (libFuzzer, ASan+UBSan, ${seconds}s each)"
  cmake -S native -B build/native-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DSIGWALL_FUZZ=ON -DSIGWALL_SANITIZE=ON >/dev/null
  cmake --build build/native-fuzz -j "$jobs"
  for target in build/native-fuzz/fuzz_*; do
    [ -x "$target" ] || continue
    name=$(basename "$target")
    corpus=build/fuzz-corpus/$name
    mkdir -p "$corpus"
    echo "-- $name"
    "$target" -max_total_time="$seconds" -print_final_stats=0 "$corpus" 2>&1 | tail -n 2
  done
fi
