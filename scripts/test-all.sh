#!/usr/bin/env bash
# The whole test suite (README: `npm test`): native lane under sanitizers, then the TypeScript
# suite (unit, differential against tshark, CLI), then the TypeScript suite again with the
# addon built under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in cmake ninja clang clang++ g++ tshark ip ethtool tcpdump pkg-config; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ -f /usr/include/gtest/gtest.h ] || missing+=("libgtest-dev")
pkg-config --exists usrsctp 2>/dev/null || [ -f /usr/include/usrsctp.h ] || missing+=("libusrsctp-dev")
pkg-config --exists libxdp libbpf 2>/dev/null || missing+=("libxdp-dev libbpf-dev")
[ -n "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null | grep /)" ] && [ -f "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ] || missing+=("libclang-rt-14-dev")
if [ ${#missing[@]} -gt 0 ]; then
  echo "npm test: missing ${missing[*]}" >&2
  echo "install on Debian 12: apt-get install cmake ninja-build g++ clang libclang-rt-14-dev llvm libgtest-dev tshark iproute2 ethtool tcpdump pkg-config libusrsctp-dev libxdp-dev libbpf-dev bpftool" >&2
  exit 1
fi

mkdir -p build/reports
rm -f build/reports/*
npm run --silent build
echo "== type check (src, tests, shipped policies)"
npm run --silent typecheck
bash scripts/test-native.sh
echo "== TypeScript suite"
npx vitest run --reporter=default --reporter=json --outputFile.json=build/reports/vitest.json
bash scripts/test-addon-asan.sh
node scripts/test-summary.mjs build/reports/*.json build/reports/*.xml
