#include <cstring>

#include "ip.h"

namespace sigwall {

namespace {

constexpr uint32_t kMinHeaderBytes = 20;  // RFC 791 §3.1: IHL is at least 5 words
constexpr uint16_t kFlagMoreFragments = 0x2000;
constexpr uint16_t kFragmentOffsetMask = 0x1FFF;
// An Ethernet frame is at least 60 bytes before the FCS (IEEE 802.3 §4.2.3.3), so a short
// datagram reaches us padded up to 46 bytes after a 14-byte header (a little less under VLAN
// tags). Bytes beyond the datagram are only worth flagging when they exceed that padding.
constexpr uint32_t kMinEthernetPayloadBytes = 46;

// RFC 791 §3.1 "Header Checksum": the 16-bit one's complement of the one's complement sum of
// the header's 16-bit words. Summing a header that includes its checksum gives 0xFFFF. Summed
// here in 32-bit words and folded at the end, as RFC 1071 §2 (B)/(C) allow (2^16 is 1 modulo
// 0xFFFF, so the folded sum does not depend on the word size): half the iterations, per packet.
// The words are also taken in host byte order (RFC 1071 §2 (B): byte order independence): a
// byte-swapped sum folds to the byte-swapped checksum, and 0xFFFF reads the same either way.
// Folds a sum of 32-bit words (at most 2^36 for the 15 words of the largest header) to 16 bits
// with the end-around carry. Four fixed folds reach the same value as folding until no carry
// is left: 2^36 -> < 2^33 -> < 2^17 + 2^16 -> <= 0xFFFF + 2 -> <= 0xFFFF; a fold of a value
// that already fits is the identity. No loop: every packet takes the same few instructions.
uint32_t fold_to_16_bits(uint64_t sum) {
  sum = (sum & 0xFFFFFFFFu) + (sum >> 32);
  sum = (sum & 0xFFFF) + (sum >> 16);
  sum = (sum & 0xFFFF) + (sum >> 16);
  sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint32_t>(sum);
}

uint32_t word_at(const uint8_t* data) {
  uint32_t word;
  std::memcpy(&word, data, 4);
  return word;
}

bool header_checksum_ok(ByteView header) {
  uint64_t sum = 0;
  if (header.size == kMinHeaderBytes) {
    // Nearly every header has no options: five words, summed without a loop.
    sum = uint64_t{word_at(header.data)} + word_at(header.data + 4) + word_at(header.data + 8) +
          word_at(header.data + 12) + word_at(header.data + 16);
    return fold_to_16_bits(sum) == 0xFFFF;
  }
  uint32_t i = 0;
  for (; i + 4 <= header.size; i += 4) sum += word_at(header.data + i);
  if (i + 2 <= header.size) {  // IHL counts 32-bit words, so there is none in a real header
    uint16_t half;
    std::memcpy(&half, header.data + i, 2);
    sum += half;
  }
  return fold_to_16_bits(sum) == 0xFFFF;
}

}  // namespace

DecodeStatus decode_ipv4(ByteView packet, IpView& out, AnomalySet& anomalies) {
  out = IpView{};
  out.version = 4;
  // RFC 791 §3.1: the fixed 20 octets, read after one bounds check.
  Cursor cursor(packet);
  FixedBytes<kMinHeaderBytes> header;
  if (!cursor.read_fixed(header)) {
    anomalies.set(Anomaly::kIpv4Truncated);
    return DecodeStatus::kMalformed;
  }
  const uint8_t version_ihl = header.u8<0>();
  const uint16_t total_length = header.be16<2>();
  const uint16_t flags_offset = header.be16<6>();
  out.ttl = header.u8<8>();
  out.protocol = header.u8<9>();
  std::memcpy(out.src, header.view<12, 4>().data, 4);
  std::memcpy(out.dst, header.view<16, 4>().data, 4);

  const uint32_t header_bytes = uint32_t{version_ihl & 0x0Fu} * 4;
  if ((version_ihl >> 4) != 4 || header_bytes < kMinHeaderBytes) {
    anomalies.set(Anomaly::kIpv4BadHeader);
    return DecodeStatus::kMalformed;
  }
  if (header_bytes > packet.size) {
    anomalies.set(Anomaly::kIpv4Truncated);
    return DecodeStatus::kMalformed;
  }

  DecodeStatus status = DecodeStatus::kOk;
  auto flag = [&](Anomaly anomaly) {
    anomalies.set(anomaly);
    status = worst(status, DecodeStatus::kAnomaly);
  };

  uint32_t datagram_bytes = total_length;
  if (total_length == 0) {
    // Captured on a sender with segmentation offload: the NIC fills the length in later.
    // Never valid on a wire; decoded like tshark (ip.tso_support) with the frame's length.
    flag(Anomaly::kIpv4BadHeader);
    datagram_bytes = packet.size;
  } else if (total_length < header_bytes) {
    anomalies.set(Anomaly::kIpv4BadHeader);
    return DecodeStatus::kMalformed;
  } else if (total_length > packet.size) {
    anomalies.set(Anomaly::kIpv4Truncated);
    return DecodeStatus::kMalformed;
  }

  if (header_bytes > kMinHeaderBytes) flag(Anomaly::kIpv4Options);
  if (!header_checksum_ok(packet.sub(0, header_bytes))) flag(Anomaly::kIpv4BadChecksum);
  if (packet.size > datagram_bytes && packet.size > kMinEthernetPayloadBytes) flag(Anomaly::kIpTrailingBytes);

  // RFC 791 §3.2: a datagram is a fragment when More Fragments is set or the offset is not zero.
  // Fragments are not reassembled, so no fragment is a whole SCTP packet: the caller must not
  // hand `payload` to SCTP when `fragment` is set.
  if ((flags_offset & kFlagMoreFragments) != 0 || (flags_offset & kFragmentOffsetMask) != 0) {
    out.fragment = true;
    flag(Anomaly::kIpv4Fragment);
  }

  out.payload = packet.sub(header_bytes, datagram_bytes - header_bytes);
  return status;
}

}  // namespace sigwall
