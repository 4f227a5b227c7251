// The packet path below the SS7 layers on arbitrary bytes: link -> IPv4/IPv6 -> SCTP (CRC,
// chunk walk) -> DATA / I-DATA fields, plus address formatting. The first input byte picks the
// link type (mostly a known one, otherwise the byte itself as an unknown type).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "decode/ip.h"
#include "decode/link.h"
#include "decode/sctp.h"
#include "sctp/crc32c.h"

namespace {

constexpr uint32_t kLinkTypes[] = {
    static_cast<uint32_t>(sigwall::LinkType::kEthernet), static_cast<uint32_t>(sigwall::LinkType::kRaw),
    static_cast<uint32_t>(sigwall::LinkType::kLinuxSll),  static_cast<uint32_t>(sigwall::LinkType::kIpv4),
    static_cast<uint32_t>(sigwall::LinkType::kIpv6),      static_cast<uint32_t>(sigwall::LinkType::kLinuxSll2),
};
constexpr unsigned kLinkTypeCount = sizeof kLinkTypes / sizeof kLinkTypes[0];

void check(bool condition) {
  if (!condition) std::abort();
}

bool inside(const sigwall::ByteView& inner, const sigwall::ByteView& outer) {
  if (inner.size == 0) return true;
  return inner.data >= outer.data && inner.data + inner.size <= outer.data + outer.size;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sigwall;
  if (size < 1 || size > 70000) return 0;
  const uint8_t selector = data[0];
  const uint32_t link_type = selector < 240 ? kLinkTypes[selector % kLinkTypeCount] : selector;
  const ByteView frame{data + 1, static_cast<uint32_t>(size - 1)};

  // Both CRC paths must agree on every input.
  check(crc32c(frame.data, frame.size) == crc32c_portable(frame.data, frame.size));

  AnomalySet anomalies;
  LinkView link;
  if (decode_link(link_type, frame, link, anomalies) == DecodeStatus::kMalformed) {
    check(anomalies.any());
    return 0;
  }
  check(inside(link.payload, frame));
  check(link.vlan_count <= limits::kMaxVlanDepth);

  IpView ip;
  DecodeStatus ip_status;
  if (link.ethertype == kEthertypeIpv4) {
    ip_status = decode_ipv4(link.payload, ip, anomalies);
  } else {
    check(link.ethertype == kEthertypeIpv6);
    ip_status = decode_ipv6(link.payload, ip, anomalies);
  }
  char text[64];
  const uint32_t length = format_ip(ip, true, text, sizeof text);
  check(length < sizeof text && std::strlen(text) == length);
  format_ip(ip, false, text, 8);  // too small for most: must stay within the buffer
  if (ip_status == DecodeStatus::kMalformed) {
    check(anomalies.any());
    return 0;
  }
  check(inside(ip.payload, link.payload));
  if (ip.protocol != kIpProtocolSctp || ip.fragment) return 0;

  static SctpPacketView sctp;
  const DecodeStatus sctp_status = decode_sctp(ip.payload, (selector & 1) != 0, sctp, anomalies);
  check(sctp.chunk_count <= limits::kMaxSctpChunks);
  if (sctp_status != DecodeStatus::kOk) check(anomalies.any());
  for (unsigned i = 0; i < sctp.chunk_count; ++i) {
    const SctpChunkView& chunk = sctp.chunks[i];
    check(inside(chunk.value, ip.payload));
    if (chunk.type != sctp_chunk::kData && chunk.type != sctp_chunk::kIData) continue;
    SctpDataChunk data_chunk;
    AnomalySet chunk_anomalies;
    if (decode_sctp_data(chunk, data_chunk, chunk_anomalies) == DecodeStatus::kMalformed) continue;
    check(inside(data_chunk.user_data, chunk.value));
  }
  return 0;
}
