#!/usr/bin/env bash
# The addon under AddressSanitizer + UBSan: builds build/native-asan-addon/Release/sigwall.node
# with the sanitizers (npm run build:native:asan) and runs the decode tests through it, with
# the ASan runtime preloaded into node.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run --silent build:native:asan
runtime=$(gcc -print-file-name=libasan.so)
ubsan=$(gcc -print-file-name=libubsan.so)
echo "== TypeScript decode tests with the ASan+UBSan addon"
LD_PRELOAD="$runtime $ubsan" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  SIGWALL_ADDON="$PWD/build/native-asan-addon/Release/sigwall.node" \
  npx vitest run --reporter=default --reporter=json --outputFile.json=build/reports/vitest-asan.json test/dataplane test/corpus
