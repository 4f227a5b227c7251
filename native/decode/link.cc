#include "link.h"

namespace sigwall {

namespace {

// Linux cooked capture headers (tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and
// LINKTYPE_LINUX_SLL2.html). Only the protocol field matters here: it is an ethertype for
// every ARPHRD type that carries IP.
constexpr uint32_t kEthernetHeaderBytes = 14;  // destination, source, ethertype
constexpr uint32_t kSllHeaderBytes = 16;
constexpr uint32_t kSllProtocolOffset = 14;   // after packet type, ARPHRD, address length, address
constexpr uint32_t kSll2HeaderBytes = 20;
constexpr uint32_t kSll2ProtocolOffset = 0;   // SLL2 moved the protocol to the front

bool is_vlan_tag(uint16_t ethertype) { return ethertype == kEthertypeVlan || ethertype == kEthertypeQinQ; }

bool is_ip(uint16_t ethertype) { return ethertype == kEthertypeIpv4 || ethertype == kEthertypeIpv6; }

DecodeStatus truncated(AnomalySet& anomalies) {
  anomalies.set(Anomaly::kLinkTruncated);
  return DecodeStatus::kMalformed;
}

DecodeStatus unknown_type(AnomalySet& anomalies) {
  anomalies.set(Anomaly::kLinkUnknownType);
  return DecodeStatus::kMalformed;
}

// `cursor` stands just after an ethertype field holding `ethertype`. Walks 802.1Q (C-tag) and
// 802.1ad (S-tag) tags: each is a 16-bit TCI (PCP 3, DEI 1, VID 12 bits, IEEE 802.1Q §9.6)
// followed by the next ethertype. Tags are allowed after any header that carries an
// ethertype, since libpcap re-inserts stripped tags into cooked captures too.
[[gnu::always_inline]] inline DecodeStatus walk_ethertype(uint16_t ethertype, Cursor& cursor, LinkView& out, AnomalySet& anomalies) {
  while (is_vlan_tag(ethertype)) {
    if (out.vlan_count == limits::kMaxVlanDepth) {
      anomalies.set(Anomaly::kLinkVlanDepth);
      return DecodeStatus::kMalformed;
    }
    uint16_t tci;
    if (!cursor.read_be16(tci) || !cursor.read_be16(ethertype)) return truncated(anomalies);
    out.vlan_ids[out.vlan_count++] = tci & 0x0FFF;
  }
  out.ethertype = ethertype;
  // Values below 0x0600 are IEEE 802.3 lengths (LLC frames), not ethertypes: no IP either way.
  if (!is_ip(ethertype)) return unknown_type(anomalies);
  out.payload = cursor.rest();
  return DecodeStatus::kOk;
}

DecodeStatus decode_ethernet(ByteView frame, LinkView& out, AnomalySet& anomalies) {
  Cursor cursor(frame);
  FixedBytes<kEthernetHeaderBytes> header;  // destination, source, ethertype
  if (!cursor.read_fixed(header)) return truncated(anomalies);
  return walk_ethertype(header.be16<12>(), cursor, out, anomalies);
}

DecodeStatus decode_cooked(ByteView frame, uint32_t header_bytes, uint32_t protocol_offset, LinkView& out,
                           AnomalySet& anomalies) {
  if (frame.size < header_bytes) return truncated(anomalies);
  Cursor field(frame.sub(protocol_offset, 2));
  uint16_t protocol;
  field.read_be16(protocol);
  Cursor cursor(frame);
  cursor.skip(header_bytes);
  return walk_ethertype(protocol, cursor, out, anomalies);
}

// LINKTYPE_RAW: no header; the IP version nibble (RFC 791 §3.1, RFC 8200 §3) says which.
DecodeStatus decode_raw(ByteView frame, LinkView& out, AnomalySet& anomalies) {
  uint8_t first;
  if (!Cursor(frame).peek_u8(first)) return truncated(anomalies);
  switch (first >> 4) {
    case 4: out.ethertype = kEthertypeIpv4; break;
    case 6: out.ethertype = kEthertypeIpv6; break;
    default: return unknown_type(anomalies);
  }
  out.payload = frame;
  return DecodeStatus::kOk;
}

}  // namespace

DecodeStatus decode_link(uint32_t link_type, ByteView frame, LinkView& out, AnomalySet& anomalies) {
  out = LinkView{};
  switch (static_cast<LinkType>(link_type)) {
    case LinkType::kEthernet: return decode_ethernet(frame, out, anomalies);
    case LinkType::kLinuxSll: return decode_cooked(frame, kSllHeaderBytes, kSllProtocolOffset, out, anomalies);
    case LinkType::kLinuxSll2: return decode_cooked(frame, kSll2HeaderBytes, kSll2ProtocolOffset, out, anomalies);
    case LinkType::kRaw: return decode_raw(frame, out, anomalies);
    case LinkType::kIpv4:
      out.ethertype = kEthertypeIpv4;
      out.payload = frame;
      return DecodeStatus::kOk;
    case LinkType::kIpv6:
      out.ethertype = kEthertypeIpv6;
      out.payload = frame;
      return DecodeStatus::kOk;
  }
  return unknown_type(anomalies);
}

}  // namespace sigwall
