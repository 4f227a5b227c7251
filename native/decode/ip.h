// IPv4 (RFC 791) and IPv6 (RFC 8200). Only what the SCTP layer and association tracking need:
// addresses, the upper protocol and its payload. Fragments are flagged and not reassembled
// (SIGTRAN stacks do not rely on IP fragmentation; a fragmented SCTP packet is an anomaly).
#pragma once

#include <cstdint>

#include "anomaly.h"
#include "cursor.h"
#include "limits.h"
#include "status.h"

namespace sigwall {

inline constexpr uint8_t kIpProtocolSctp = 132;

struct IpView {
  uint8_t version = 0;   // 4 or 6
  uint8_t protocol = 0;  // upper-layer protocol (after IPv6 extension headers)
  uint8_t ttl = 0;       // or hop limit
  bool fragment = false;
  uint8_t src[16] = {0};  // IPv4 uses the first 4 bytes
  uint8_t dst[16] = {0};
  ByteView payload;       // bounded by the IP length field, not the frame (Ethernet padding)
};

DecodeStatus decode_ipv4(ByteView packet, IpView& out, AnomalySet& anomalies);
DecodeStatus decode_ipv6(ByteView packet, IpView& out, AnomalySet& anomalies);

// Formats an address as text ("10.0.0.1", "2001:db8::1"); returns the length written.
uint32_t format_ip(const IpView& ip, bool source, char* out, uint32_t capacity);

}  // namespace sigwall
