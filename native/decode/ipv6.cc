#include <cstring>

#include "ip.h"

namespace sigwall {

namespace {

constexpr uint32_t kFixedHeaderBytes = 40;  // RFC 8200 §3
// See ipv4.cc: Ethernet pads short frames up to 46 bytes of payload.
constexpr uint32_t kMinEthernetPayloadBytes = 46;

// Next Header values that are extension headers we walk (IANA "IPv6 Extension Header Types").
namespace next_header {
inline constexpr uint8_t kHopByHop = 0, kRouting = 43, kFragment = 44, kAuthentication = 51,
                         kDestinationOptions = 60, kMobility = 135, kHip = 139, kShim6 = 140,
                         kExperiment1 = 253, kExperiment2 = 254;
}

enum class ExtensionFormat : uint8_t {
  kNone,      // an upper-layer protocol (or ESP / No Next Header: nothing to walk)
  kGeneric,   // RFC 8200 §4.3-4.6, RFC 6564: length in 8-octet units, not counting the first 8
  kFragment,  // RFC 8200 §4.5: fixed 8 bytes
  kAuth,      // RFC 4302 §2.2: length in 4-octet units, minus 2
};

ExtensionFormat extension_format(uint8_t value) {
  switch (value) {
    case next_header::kHopByHop:
    case next_header::kRouting:
    case next_header::kDestinationOptions:
    case next_header::kMobility:
    case next_header::kHip:
    case next_header::kShim6:
    case next_header::kExperiment1:
    case next_header::kExperiment2: return ExtensionFormat::kGeneric;
    case next_header::kFragment: return ExtensionFormat::kFragment;
    case next_header::kAuthentication: return ExtensionFormat::kAuth;
    default: return ExtensionFormat::kNone;
  }
}

}  // namespace

DecodeStatus decode_ipv6(ByteView packet, IpView& out, AnomalySet& anomalies) {
  out = IpView{};
  out.version = 6;
  Cursor cursor(packet);
  uint32_t version_class_flow;
  uint16_t payload_length;
  uint8_t next;
  ByteView src, dst;
  if (!cursor.read_be32(version_class_flow) || !cursor.read_be16(payload_length) || !cursor.read_u8(next) ||
      !cursor.read_u8(out.ttl) || !cursor.read_view(16, src) || !cursor.read_view(16, dst)) {
    anomalies.set(Anomaly::kIpv6Truncated);
    return DecodeStatus::kMalformed;
  }
  std::memcpy(out.src, src.data, 16);
  std::memcpy(out.dst, dst.data, 16);
  out.protocol = next;
  if ((version_class_flow >> 28) != 6) {
    anomalies.set(Anomaly::kIpv6BadHeader);
    return DecodeStatus::kMalformed;
  }
  // RFC 8200 §3: Payload Length counts everything after the fixed header, extension headers
  // included. (Zero with a Jumbo Payload option, RFC 2675, cannot occur in a frame this size.)
  const uint32_t datagram_bytes = kFixedHeaderBytes + payload_length;
  if (datagram_bytes > packet.size) {
    anomalies.set(Anomaly::kIpv6Truncated);
    return DecodeStatus::kMalformed;
  }

  DecodeStatus status = DecodeStatus::kOk;
  auto flag = [&](Anomaly anomaly) {
    anomalies.set(anomaly);
    status = worst(status, DecodeStatus::kAnomaly);
  };
  if (packet.size > datagram_bytes && packet.size > kMinEthernetPayloadBytes) flag(Anomaly::kIpTrailingBytes);

  // RFC 8200 §4: extension headers chain through Next Header until an upper-layer protocol.
  Cursor chain(packet.sub(kFixedHeaderBytes, payload_length));
  for (unsigned walked = 0;; ++walked) {
    const ExtensionFormat format = extension_format(next);
    if (format == ExtensionFormat::kNone) break;
    if (walked == limits::kMaxIpv6ExtensionHeaders) {
      anomalies.set(Anomaly::kIpv6ExtensionCap);
      return DecodeStatus::kMalformed;
    }
    Cursor header = chain;
    uint8_t following, length_field;
    if (!header.read_u8(following) || !header.read_u8(length_field)) {
      anomalies.set(Anomaly::kIpv6Truncated);
      return DecodeStatus::kMalformed;
    }
    uint32_t header_bytes = 8;
    if (format == ExtensionFormat::kGeneric) header_bytes = (uint32_t{length_field} + 1) * 8;
    if (format == ExtensionFormat::kAuth) header_bytes = (uint32_t{length_field} + 2) * 4;
    uint16_t offset_flags = 0;
    if (format == ExtensionFormat::kFragment && !header.read_be16(offset_flags)) {
      anomalies.set(Anomaly::kIpv6Truncated);
      return DecodeStatus::kMalformed;
    }
    if (!chain.skip(header_bytes)) {
      anomalies.set(Anomaly::kIpv6Truncated);
      return DecodeStatus::kMalformed;
    }
    next = following;
    if (format == ExtensionFormat::kFragment) {
      flag(Anomaly::kIpv6Fragment);
      // RFC 8200 §4.5: offset in the top 13 bits, M in bit 0. Offset 0 without M is an atomic
      // fragment (RFC 6946 §4): a whole packet, so the walk continues through it.
      if ((offset_flags >> 3) != 0 || (offset_flags & 1) != 0) {
        // Not reassembled: the caller must not hand `payload` to SCTP.
        out.fragment = true;
        break;
      }
    }
  }
  out.protocol = next;
  out.payload = chain.rest();
  return status;
}

namespace {

// Writes `text` (and a terminating NUL) when it fits; returns its length, or 0 when it does not.
uint32_t copy_out(const char* text, uint32_t length, char* out, uint32_t capacity) {
  if (length + 1 > capacity) {
    if (capacity > 0) out[0] = '\0';
    return 0;
  }
  std::memcpy(out, text, length);
  out[length] = '\0';
  return length;
}

uint32_t append_decimal(char* text, uint32_t at, uint8_t value) {
  if (value >= 100) text[at++] = static_cast<char>('0' + value / 100);
  if (value >= 10) text[at++] = static_cast<char>('0' + value / 10 % 10);
  text[at++] = static_cast<char>('0' + value % 10);
  return at;
}

uint32_t append_dotted_quad(char* text, uint32_t at, const uint8_t* address) {
  for (unsigned i = 0; i < 4; ++i) {
    if (i > 0) text[at++] = '.';
    at = append_decimal(text, at, address[i]);
  }
  return at;
}

// RFC 5952 §4: lowercase hex without leading zeros; the longest run of two or more zero
// groups (the first on a tie) becomes "::". Like tshark (which prints through inet_ntop),
// IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses end in a dotted quad
// (RFC 5952 §5 for the mapped form).
uint32_t format_ipv6(const uint8_t* address, char* text) {
  uint16_t groups[8];
  for (unsigned i = 0; i < 8; ++i) groups[i] = static_cast<uint16_t>((address[2 * i] << 8) | address[2 * i + 1]);
  int best_start = -1, best_length = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  if (best_length < 2) best_start = -1;

  const bool embedded_ipv4 =
      best_start == 0 && (best_length == 6 || (best_length == 5 && groups[5] == 0xFFFF));
  static constexpr char kHex[] = "0123456789abcdef";
  uint32_t at = 0;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      text[at++] = ':';
      if (i + best_length == 8) text[at++] = ':';
      i += best_length - 1;
      continue;
    }
    if (i > 0) text[at++] = ':';
    if (i == 6 && embedded_ipv4) return append_dotted_quad(text, at, address + 12);
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nibble = (groups[i] >> shift) & 0xF;
      if (nibble != 0 || started || shift == 0) {
        text[at++] = kHex[nibble];
        started = true;
      }
    }
  }
  return at;
}

}  // namespace

uint32_t format_ip(const IpView& ip, bool source, char* out, uint32_t capacity) {
  const uint8_t* address = source ? ip.src : ip.dst;
  char text[48];  // the longest IPv6 text is 45 characters
  uint32_t length = 0;
  if (ip.version == 4) length = append_dotted_quad(text, 0, address);
  if (ip.version == 6) length = format_ipv6(address, text);
  return copy_out(text, length, out, capacity);
}

}  // namespace sigwall
