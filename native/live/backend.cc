// Backend helpers shared by every backend: RX queue discovery and the software flow hash.
#include <dirent.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "../sctp/crc32c.h"
#include "backend.h"

namespace sigwall::live {

namespace {

// The number in a small sysfs file, or -1.
long read_sysfs_number(const char* path) {
  FILE* file = std::fopen(path, "r");
  if (file == nullptr) return -1;
  long value = -1;
  if (std::fscanf(file, "%ld", &value) != 1) value = -1;
  std::fclose(file);
  return value;
}

}  // namespace

uint32_t interface_rx_queues(const char* interface) {
  if (interface == nullptr || interface[0] == '\0' || std::strchr(interface, '/') != nullptr ||
      std::strlen(interface) >= IF_NAMESIZE)
    return 0;
  // Resolved in the calling thread's network namespace (the one the packet sockets will use).
  const unsigned ifindex = if_nametoindex(interface);
  if (ifindex == 0) return 0;
  // sysfs shows the namespace it was mounted in, which is not always the caller's (a thread that
  // unshared its namespace; `ip netns exec` remounts it): trust it only for the same interface.
  char path[96];
  std::snprintf(path, sizeof path, "/sys/class/net/%s/ifindex", interface);
  if (read_sysfs_number(path) == static_cast<long>(ifindex)) {
    std::snprintf(path, sizeof path, "/sys/class/net/%s/queues", interface);
    if (DIR* directory = opendir(path)) {
      uint32_t queues = 0;
      while (const dirent* entry = readdir(directory))
        if (std::strncmp(entry->d_name, "rx-", 3) == 0) ++queues;
      closedir(directory);
      if (queues > 0) return queues;
    }
  }
  // Otherwise the driver's channel count (ETHTOOL_GCHANNELS), asked through a socket of the
  // caller's namespace; a driver without channels has one queue.
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 1;
  ethtool_channels channels{};
  channels.cmd = ETHTOOL_GCHANNELS;
  ifreq request{};
  std::snprintf(request.ifr_name, sizeof request.ifr_name, "%s", interface);
  request.ifr_data = reinterpret_cast<char*>(&channels);
  const bool ok = ioctl(fd, SIOCETHTOOL, &request) == 0;
  close(fd);
  if (!ok) return 1;
  const uint32_t queues = channels.combined_count + channels.rx_count;
  return queues > 0 ? queues : 1;
}

namespace {

inline uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

// The 64-bit finaliser of MurmurHash3: full avalanche, so the low bits (hash % workers) are as
// good as the high ones.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

inline uint64_t endpoint_hash(const uint8_t* address, uint32_t length, uint16_t port) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ port;
  for (uint32_t i = 0; i < length; i += 4) {
    uint32_t word = 0;
    std::memcpy(&word, address + i, 4);
    h = mix64(h ^ word);
  }
  return h;
}

}  // namespace

uint32_t symmetric_flow_hash(const uint8_t* frame, uint32_t length) {
  if (length < 14) return 0;
  uint32_t offset = 12;
  uint16_t ether_type = be16(frame + offset);
  // Up to two VLAN tags (802.1ad outer, 802.1Q inner), as the link decoder accepts.
  for (int depth = 0; depth < 2 && (ether_type == 0x8100 || ether_type == 0x88A8 || ether_type == 0x9100); ++depth) {
    if (length < offset + 6) return 0;
    offset += 4;
    ether_type = be16(frame + offset);
  }
  offset += 2;
  const uint8_t* src = nullptr;
  const uint8_t* dst = nullptr;
  uint32_t address_length = 0;
  uint8_t protocol = 0;
  uint32_t l4 = 0;
  bool ports_valid = false;
  if (ether_type == 0x0800) {
    if (length < offset + 20) return 0;
    const uint8_t* ip = frame + offset;
    const uint32_t header = (ip[0] & 0x0F) * 4u;
    if (header < 20) return 0;
    src = ip + 12;
    dst = ip + 16;
    address_length = 4;
    protocol = ip[9];
    // A fragment after the first has no ports, and the first one must go where the rest go.
    const bool fragment = (be16(ip + 6) & 0x3FFF) != 0;
    l4 = offset + header;
    ports_valid = !fragment;
  } else if (ether_type == 0x86DD) {
    if (length < offset + 40) return 0;
    const uint8_t* ip = frame + offset;
    src = ip + 8;
    dst = ip + 24;
    address_length = 16;
    protocol = ip[6];
    l4 = offset + 40;
    ports_valid = true;  // extension headers: hashed on the addresses alone (protocol check below)
  } else {
    return 0;
  }
  uint16_t src_port = 0, dst_port = 0;
  if (ports_valid && (protocol == 6 || protocol == 17 || protocol == 132 || protocol == 33 || protocol == 136) &&
      length >= l4 + 4) {
    src_port = be16(frame + l4);
    dst_port = be16(frame + l4 + 2);
  }
  const uint64_t a = endpoint_hash(src, address_length, src_port);
  const uint64_t b = endpoint_hash(dst, address_length, dst_port);
  // Order-independent combination: the same value for A->B and B->A.
  const uint64_t low = a < b ? a : b;
  const uint64_t high = a < b ? b : a;
  return static_cast<uint32_t>(mix64((low * 31 + high) ^ protocol) >> 32);
}

bool complete_sctp_checksum(uint8_t* frame, uint32_t length) {
  if (length < 14) return false;
  uint32_t offset = 12;
  uint16_t ether_type = be16(frame + offset);
  for (int depth = 0; depth < 2 && (ether_type == 0x8100 || ether_type == 0x88A8 || ether_type == 0x9100); ++depth) {
    if (length < offset + 6) return false;
    offset += 4;
    ether_type = be16(frame + offset);
  }
  offset += 2;
  uint32_t sctp = 0, end = 0;
  if (ether_type == 0x0800) {
    if (length < offset + 20) return false;
    const uint8_t* ip = frame + offset;
    const uint32_t header = (ip[0] & 0x0F) * 4u;
    const uint32_t total = be16(ip + 2);
    if (header < 20 || ip[9] != 132 || (be16(ip + 6) & 0x3FFF) != 0 || total < header || offset + total > length) return false;
    sctp = offset + header;
    end = offset + total;
  } else if (ether_type == 0x86DD) {
    if (length < offset + 40) return false;
    const uint8_t* ip = frame + offset;
    // Extension headers are not walked: a partial checksum comes from this host's own stack,
    // which puts SCTP straight after the fixed header.
    if (ip[6] != 132 || offset + 40u + be16(ip + 4) > length) return false;
    sctp = offset + 40;
    end = sctp + be16(ip + 4);
  } else {
    return false;
  }
  if (end < sctp + 12) return false;
  // RFC 9260 §6.8 / Appendix A: CRC32c over the packet with the checksum field zero, stored
  // least significant byte first (as the decoder checks it).
  std::memset(frame + sctp + 8, 0, 4);
  const uint32_t crc = crc32c(frame + sctp, end - sctp);
  for (int i = 0; i < 4; ++i) frame[sctp + 8 + i] = static_cast<uint8_t>(crc >> (8 * i));
  return true;
}

#ifndef SIGWALL_HAVE_AFXDP
// This build found no clang + libxdp + libbpf (native/cmake/afxdp.cmake): the engine reports
// that the afxdp backend was not built.
std::unique_ptr<Backend> make_afxdp_backend() { return nullptr; }
#endif

}  // namespace sigwall::live
