// Link layer: Ethernet II with up to kMaxVlanDepth 802.1Q/802.1ad tags, Linux cooked capture
// (SLL, SLL2) and raw IP. Produces the network-layer payload and its ethertype.
#pragma once

#include <cstdint>

#include "anomaly.h"
#include "cursor.h"
#include "limits.h"
#include "status.h"

namespace sigwall {

// pcap LINKTYPE_* values (tcpdump.org/linktypes.html); the io layer passes them through.
enum class LinkType : uint32_t {
  kEthernet = 1,
  kRaw = 101,        // raw IPv4 or IPv6, version nibble decides
  kLinuxSll = 113,
  kIpv4 = 228,
  kIpv6 = 229,
  kLinuxSll2 = 276,
};

inline constexpr uint16_t kEthertypeIpv4 = 0x0800;
inline constexpr uint16_t kEthertypeIpv6 = 0x86DD;
inline constexpr uint16_t kEthertypeVlan = 0x8100;
inline constexpr uint16_t kEthertypeQinQ = 0x88A8;

struct LinkView {
  uint16_t ethertype = 0;  // of the network layer (after VLAN tags); 0 if unknown
  uint8_t vlan_count = 0;
  uint16_t vlan_ids[limits::kMaxVlanDepth] = {0, 0};
  ByteView payload;  // the network-layer packet
};

// Decodes `frame` of pcap link type `link_type`. Malformed when the header does not fit;
// an unknown link type or a non-IP ethertype sets link.unknown_type and returns malformed
// (there is nothing for the upper layers).
DecodeStatus decode_link(uint32_t link_type, ByteView frame, LinkView& out, AnomalySet& anomalies);

}  // namespace sigwall
