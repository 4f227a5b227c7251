#!/usr/bin/env bash
# Debian packages the live data plane needs to build and to be tested end to end (test/live,
# bench/inline.mjs): the afxdp backend (clang, libbpf, libxdp), the usrsctp test peer, and the
# tools the namespace rig drives. CI runs this before `npm test` (as root: the live tests use
# network namespaces, raw sockets and XDP, and fail rather than skip under CI).
#   scripts/live-deps.sh          install what is missing
#   scripts/live-deps.sh --check  only report what is missing (exit 1 if anything is)
set -euo pipefail

packages=(
  iproute2 ethtool tcpdump iputils-ping util-linux procps  # namespaces, offloads, captures, setpriv
  gcc pkg-config libusrsctp-dev                             # test/rig/sctp-peer.c, bench/inline-pktgen.c
  clang llvm libbpf-dev libxdp-dev                          # the XDP program and the afxdp backend
  python3 make g++                                          # node-gyp build of the raw-socket package
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "live data plane prerequisites: all installed"
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "live data plane prerequisites missing: ${missing[*]}" >&2
  echo "install: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
