// IPv4 (RFC 791) and IPv6 (RFC 8200) decoding, and address formatting as tshark prints it.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "decode/ip.h"

namespace sigwall {
namespace {

struct Decoded {
  DecodeStatus status;
  IpView view;
  AnomalySet anomalies;
};

ByteView view_of(const std::vector<uint8_t>& bytes) {
  return ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())};
}

Decoded decode4(const std::vector<uint8_t>& packet) {
  Decoded d;
  d.status = decode_ipv4(view_of(packet), d.view, d.anomalies);
  return d;
}

Decoded decode6(const std::vector<uint8_t>& packet) {
  Decoded d;
  d.status = decode_ipv6(view_of(packet), d.view, d.anomalies);
  return d;
}

uint32_t offset_of(const ByteView& view, const std::vector<uint8_t>& packet) {
  return static_cast<uint32_t>(view.data - packet.data());
}

std::vector<uint8_t> concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Writes the RFC 1071 header checksum (bytes 10-11) of an IPv4 header of `header_bytes`.
std::vector<uint8_t> with_checksum(std::vector<uint8_t> packet, size_t header_bytes = 20) {
  packet[10] = packet[11] = 0;
  uint32_t sum = 0;
  for (size_t i = 0; i < header_bytes; i += 2) sum += (packet[i] << 8) | packet[i + 1];
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
  packet[10] = static_cast<uint8_t>(~sum >> 8);
  packet[11] = static_cast<uint8_t>(~sum);
  return packet;
}

// IPv4 header, 20 bytes, total length 28: 8 bytes of SCTP-ish payload follow.
const std::vector<uint8_t> kIpv4Header = {
    0x45,                    // version 4, IHL 5
    0x00,                    // DSCP/ECN
    0x00, 0x1c,              // total length 28
    0x12, 0x34,              // identification
    0x40, 0x00,              // flags: DF, fragment offset 0
    0x40,                    // TTL 64
    0x84,                    // protocol 132 (SCTP)
    0x14, 0x28,              // header checksum
    0x0a, 0x00, 0x00, 0x01,  // source 10.0.0.1
    0x0a, 0x00, 0x00, 0x02,  // destination 10.0.0.2
};
const std::vector<uint8_t> kPayload8 = {0x0b, 0x59, 0x0b, 0x59, 0x00, 0x00, 0x00, 0x01};

TEST(Ipv4, DecodesHeader) {
  const std::vector<uint8_t> packet = concat(kIpv4Header, kPayload8);
  const Decoded d = decode4(packet);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_FALSE(d.anomalies.any());
  EXPECT_EQ(d.view.version, 4);
  EXPECT_EQ(d.view.protocol, kIpProtocolSctp);
  EXPECT_EQ(d.view.ttl, 64);
  EXPECT_FALSE(d.view.fragment);
  EXPECT_EQ(d.view.src[0], 10);
  EXPECT_EQ(d.view.src[3], 1);
  EXPECT_EQ(d.view.dst[3], 2);
  EXPECT_EQ(offset_of(d.view.payload, packet), 20u);
  EXPECT_EQ(d.view.payload.size, 8u);
}

TEST(Ipv4, EthernetPaddingIsNotTrailing) {
  // A 28-byte datagram in a minimum-size Ethernet frame arrives with 18 bytes of padding
  // (46 bytes after the Ethernet header); the payload stops at the total length.
  std::vector<uint8_t> packet = concat(kIpv4Header, kPayload8);
  packet.resize(46, 0x00);
  const Decoded d = decode4(packet);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_FALSE(d.anomalies.has(Anomaly::kIpTrailingBytes));
  EXPECT_EQ(d.view.payload.size, 8u);
}

TEST(Ipv4, TrailingBytesBeyondPadding) {
  std::vector<uint8_t> packet = concat(kIpv4Header, kPayload8);
  packet.resize(47, 0xAA);  // one byte more than any Ethernet padding would add
  const Decoded d = decode4(packet);
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpTrailingBytes));
  EXPECT_EQ(d.view.payload.size, 8u);
}

TEST(Ipv4, Options) {
  const std::vector<uint8_t> packet = with_checksum(
      {
          0x46,                    // version 4, IHL 6: one word of options
          0x00, 0x00, 0x20,        // DSCP/ECN, total length 32
          0x12, 0x34, 0x00, 0x00,  // identification, flags/offset
          0x40, 0x84, 0x00, 0x00,  // TTL, protocol SCTP, checksum (filled in)
          0x0a, 0x00, 0x00, 0x01,  // source
          0x0a, 0x00, 0x00, 0x02,  // destination
          0x94, 0x04, 0x00, 0x00,  // option: router alert (RFC 2113)
          0x0b, 0x59, 0x0b, 0x59, 0x00, 0x00, 0x00, 0x01,  // payload
      },
      24);
  const Decoded d = decode4(packet);
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv4Options));
  EXPECT_FALSE(d.anomalies.has(Anomaly::kIpv4BadChecksum));
  EXPECT_EQ(offset_of(d.view.payload, packet), 24u);
  EXPECT_EQ(d.view.payload.size, 8u);
}

TEST(Ipv4, MoreFragmentsFlag) {
  std::vector<uint8_t> packet = concat(kIpv4Header, kPayload8);
  packet[6] = 0x20;  // flags: MF
  packet[7] = 0x00;  // offset 0: the first fragment
  const Decoded d = decode4(with_checksum(packet));
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv4Fragment));
  EXPECT_TRUE(d.view.fragment);
}

TEST(Ipv4, FragmentOffset) {
  std::vector<uint8_t> packet = concat(kIpv4Header, kPayload8);
  packet[6] = 0x00;  // no MF: the last fragment
  packet[7] = 0xb9;  // offset 185 * 8 bytes
  const Decoded d = decode4(with_checksum(packet));
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv4Fragment));
  EXPECT_TRUE(d.view.fragment);
}

TEST(Ipv4, BadChecksum) {
  std::vector<uint8_t> packet = concat(kIpv4Header, kPayload8);
  packet[11] ^= 0x01;
  const Decoded d = decode4(packet);
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv4BadChecksum));
  EXPECT_EQ(d.view.payload.size, 8u);  // still decoded: checksum offload leaves it wrong in captures
}

// The 20-octet header is summed without a loop and folded a fixed number of times: every
// single-bit change of TTL, protocol, checksum or addresses must still be caught, and a header
// whose words carry on every fold (all 0xFF addresses) must still check out.
TEST(Ipv4, ChecksumCatchesEveryBitOfTheHeaderTail) {
  const std::vector<uint8_t> packet = concat(kIpv4Header, kPayload8);
  for (size_t bit = 8 * 8; bit < 20 * 8; ++bit) {
    std::vector<uint8_t> flipped = packet;
    flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    const Decoded d = decode4(flipped);
    EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv4BadChecksum)) << "bit " << bit;
  }
}

TEST(Ipv4, ChecksumWithCarriesOnEveryFold) {
  std::vector<uint8_t> packet = concat(kIpv4Header, kPayload8);
  for (size_t i = 12; i < 20; ++i) packet[i] = 0xFF;  // source and destination 255.255.255.255
  packet[8] = 0xFF;                                   // TTL 255
  const Decoded d = decode4(with_checksum(packet));
  EXPECT_FALSE(d.anomalies.has(Anomaly::kIpv4BadChecksum));
  packet = with_checksum(packet);
  packet[10] ^= 0x80;
  EXPECT_TRUE(decode4(packet).anomalies.has(Anomaly::kIpv4BadChecksum));
}

TEST(Ipv4, TruncatedHeader) {
  const std::vector<uint8_t> packet(kIpv4Header.begin(), kIpv4Header.begin() + 19);
  const Decoded d = decode4(packet);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv4Truncated));
}

TEST(Ipv4, HeaderLengthBeyondPacket) {
  std::vector<uint8_t> packet = kIpv4Header;
  packet[0] = 0x4f;  // IHL 15: 60 bytes of header in a 20-byte packet
  const Decoded d = decode4(packet);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv4Truncated));
}

TEST(Ipv4, TotalLengthBeyondPacket) {
  std::vector<uint8_t> packet = concat(kIpv4Header, kPayload8);
  packet[3] = 0x40;  // total length 64 in a 28-byte packet
  const Decoded d = decode4(with_checksum(packet));
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv4Truncated));
}

TEST(Ipv4, HeaderLengthBelowFiveWords) {
  std::vector<uint8_t> packet = concat(kIpv4Header, kPayload8);
  packet[0] = 0x44;  // IHL 4
  const Decoded d = decode4(packet);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv4BadHeader));
}

TEST(Ipv4, WrongVersion) {
  std::vector<uint8_t> packet = concat(kIpv4Header, kPayload8);
  packet[0] = 0x65;  // version 6 under an IPv4 ethertype
  const Decoded d = decode4(packet);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv4BadHeader));
}

TEST(Ipv4, TotalLengthShorterThanHeader) {
  std::vector<uint8_t> packet = concat(kIpv4Header, kPayload8);
  packet[3] = 0x10;  // total length 16 < 20-byte header
  const Decoded d = decode4(with_checksum(packet));
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv4BadHeader));
}

TEST(Ipv4, ZeroTotalLengthFromSegmentationOffload) {
  std::vector<uint8_t> packet = concat(kIpv4Header, kPayload8);
  packet[2] = packet[3] = 0x00;  // total length 0: filled in by the NIC after capture
  const Decoded d = decode4(with_checksum(packet));
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv4BadHeader));
  EXPECT_EQ(d.view.payload.size, 8u);  // the frame's length, as tshark's ip.tso_support
}

// IPv6 fixed header, payload length 8, next header SCTP.
const std::vector<uint8_t> kIpv6Header = {
    0x60, 0x00, 0x00, 0x00,  // version 6, traffic class 0, flow label 0
    0x00, 0x08,              // payload length 8
    0x84,                    // next header 132 (SCTP)
    0x40,                    // hop limit 64
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,  // source 2001:db8::1
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,  // destination 2001:db8::2
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
};

// Builds an IPv6 packet whose fixed header says `first` and whose payload is `chain` + the
// 8-byte payload.
std::vector<uint8_t> ipv6_with(uint8_t first, const std::vector<uint8_t>& chain) {
  std::vector<uint8_t> packet = concat(concat(kIpv6Header, chain), kPayload8);
  const size_t payload_length = chain.size() + kPayload8.size();
  packet[4] = static_cast<uint8_t>(payload_length >> 8);
  packet[5] = static_cast<uint8_t>(payload_length);
  packet[6] = first;
  return packet;
}

TEST(Ipv6, DecodesHeader) {
  const std::vector<uint8_t> packet = concat(kIpv6Header, kPayload8);
  const Decoded d = decode6(packet);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_FALSE(d.anomalies.any());
  EXPECT_EQ(d.view.version, 6);
  EXPECT_EQ(d.view.protocol, kIpProtocolSctp);
  EXPECT_EQ(d.view.ttl, 64);
  EXPECT_EQ(d.view.src[15], 1);
  EXPECT_EQ(d.view.dst[15], 2);
  EXPECT_EQ(offset_of(d.view.payload, packet), 40u);
  EXPECT_EQ(d.view.payload.size, 8u);
}

TEST(Ipv6, WalksExtensionHeaders) {
  const std::vector<uint8_t> packet = ipv6_with(0,  // hop-by-hop first
                                                {
                                                    60, 0,                    // hop-by-hop: next dest opts, 8 bytes
                                                    0x01, 0x04, 0, 0, 0, 0,   // PadN
                                                    43, 1,                    // dest opts: next routing, 16 bytes
                                                    0x01, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // PadN
                                                    51, 0,                    // routing: next AH, 8 bytes
                                                    0x00, 0x00, 0, 0, 0, 0,   // type 0, segments left 0
                                                    132, 2,                   // AH: next SCTP, (2+2)*4 = 16 bytes
                                                    0x00, 0x00,               // reserved
                                                    0, 0, 1, 0,               // SPI
                                                    0, 0, 0, 1,               // sequence number
                                                    0, 0, 0, 0,               // ICV (4 bytes here)
                                                });
  const Decoded d = decode6(packet);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_FALSE(d.anomalies.any());
  EXPECT_EQ(d.view.protocol, kIpProtocolSctp);
  EXPECT_EQ(offset_of(d.view.payload, packet), 40u + 8 + 16 + 8 + 16);
  EXPECT_EQ(d.view.payload.size, 8u);
}

std::vector<uint8_t> destination_options_chain(unsigned count) {
  std::vector<uint8_t> chain;
  for (unsigned i = 0; i < count; ++i) {
    const uint8_t next = i + 1 == count ? 132 : 60;  // destination options again, then SCTP
    chain.insert(chain.end(), {next, 0, 0x01, 0x04, 0, 0, 0, 0});
  }
  return chain;
}

TEST(Ipv6, ExtensionHeadersUpToTheCap) {
  const Decoded d = decode6(ipv6_with(60, destination_options_chain(limits::kMaxIpv6ExtensionHeaders)));
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.protocol, kIpProtocolSctp);
}

TEST(Ipv6, ExtensionHeaderCap) {
  const Decoded d = decode6(ipv6_with(60, destination_options_chain(limits::kMaxIpv6ExtensionHeaders + 1)));
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv6ExtensionCap));
}

TEST(Ipv6, Fragment) {
  const std::vector<uint8_t> packet = ipv6_with(44, {
                                                        132, 0,                  // fragment: next SCTP, reserved
                                                        0x00, 0x01,              // offset 0, M = 1
                                                        0x00, 0x00, 0xab, 0xcd,  // identification
                                                    });
  const Decoded d = decode6(packet);
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv6Fragment));
  EXPECT_TRUE(d.view.fragment);
  EXPECT_EQ(d.view.protocol, kIpProtocolSctp);
}

TEST(Ipv6, AtomicFragmentIsWalkedThrough) {
  // RFC 6946: offset 0 and M = 0 is a whole packet that happens to carry a fragment header.
  const std::vector<uint8_t> packet = ipv6_with(44, {
                                                        132, 0,                  // fragment: next SCTP
                                                        0x00, 0x00,              // offset 0, M = 0
                                                        0x00, 0x00, 0xab, 0xcd,  // identification
                                                    });
  const Decoded d = decode6(packet);
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv6Fragment));
  EXPECT_FALSE(d.view.fragment);
  EXPECT_EQ(d.view.protocol, kIpProtocolSctp);
  EXPECT_EQ(offset_of(d.view.payload, packet), 48u);
}

TEST(Ipv6, TruncatedFixedHeader) {
  const std::vector<uint8_t> packet(kIpv6Header.begin(), kIpv6Header.begin() + 39);
  const Decoded d = decode6(packet);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv6Truncated));
}

TEST(Ipv6, PayloadLengthBeyondPacket) {
  std::vector<uint8_t> packet = concat(kIpv6Header, kPayload8);
  packet[5] = 0x09;  // payload length 9, 8 bytes present
  const Decoded d = decode6(packet);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv6Truncated));
}

TEST(Ipv6, ExtensionHeaderBeyondPayload) {
  // Hop-by-hop claims 8 * (3 + 1) = 32 bytes; only 8 + 8 bytes of payload follow.
  const Decoded d = decode6(ipv6_with(0, {132, 3, 0x01, 0x04, 0, 0, 0, 0}));
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv6Truncated));
}

TEST(Ipv6, WrongVersion) {
  std::vector<uint8_t> packet = concat(kIpv6Header, kPayload8);
  packet[0] = 0x40;  // version 4 under an IPv6 ethertype
  const Decoded d = decode6(packet);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpv6BadHeader));
}

TEST(Ipv6, TrailingBytes) {
  std::vector<uint8_t> packet = concat(kIpv6Header, kPayload8);
  packet.resize(packet.size() + 4, 0xAA);  // 52 bytes: more than Ethernet padding explains
  const Decoded d = decode6(packet);
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kIpTrailingBytes));
  EXPECT_EQ(d.view.payload.size, 8u);
}

std::string format(const IpView& ip, bool source) {
  char text[64];
  const uint32_t length = format_ip(ip, source, text, sizeof text);
  EXPECT_EQ(length, std::string(text).size());
  return text;
}

IpView ipv6_address(std::initializer_list<uint16_t> groups) {
  IpView ip;
  ip.version = 6;
  unsigned i = 0;
  for (uint16_t g : groups) {
    ip.src[2 * i] = static_cast<uint8_t>(g >> 8);
    ip.src[2 * i + 1] = static_cast<uint8_t>(g);
    ++i;
  }
  return ip;
}

TEST(FormatIp, Ipv4DottedQuad) {
  IpView ip;
  ip.version = 4;
  const uint8_t src[] = {192, 168, 0, 101};
  const uint8_t dst[] = {0, 10, 255, 9};
  std::memcpy(ip.src, src, 4);
  std::memcpy(ip.dst, dst, 4);
  EXPECT_EQ(format(ip, true), "192.168.0.101");
  EXPECT_EQ(format(ip, false), "0.10.255.9");
}

// Expected strings are what tshark 4.0 prints for ipv6.src (checked on crafted captures).
TEST(FormatIp, Ipv6Rfc5952) {
  EXPECT_EQ(format(ipv6_address({0, 0, 0, 0, 0, 0, 0, 0}), true), "::");
  EXPECT_EQ(format(ipv6_address({0, 0, 0, 0, 0, 0, 0, 1}), true), "::1");
  EXPECT_EQ(format(ipv6_address({1, 0, 0, 0, 0, 0, 0, 0}), true), "1::");
  EXPECT_EQ(format(ipv6_address({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1}), true), "2001:db8::1");
  // The longest zero run is compressed; on a tie, the first one.
  EXPECT_EQ(format(ipv6_address({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}), true), "2001:db8::1:0:0:1");
  EXPECT_EQ(format(ipv6_address({1, 0, 0, 2, 0, 0, 0, 3}), true), "1:0:0:2::3");
  // A single zero group is not compressed.
  EXPECT_EQ(format(ipv6_address({1, 0, 2, 0, 3, 0, 4, 0}), true), "1:0:2:0:3:0:4:0");
  EXPECT_EQ(format(ipv6_address({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}), true), "2001:db8:0:1:1:1:1:1");
  // Lowercase, no leading zeros.
  EXPECT_EQ(format(ipv6_address({0xFE80, 0, 0, 0, 0x0001, 0x0ABC, 0x00D0, 0xFFFF}), true), "fe80::1:abc:d0:ffff");
}

TEST(FormatIp, Ipv6EmbeddedIpv4) {
  EXPECT_EQ(format(ipv6_address({0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304}), true), "::ffff:1.2.3.4");
  EXPECT_EQ(format(ipv6_address({0, 0, 0, 0, 0, 0, 0x0102, 0x0304}), true), "::1.2.3.4");
  EXPECT_EQ(format(ipv6_address({0, 0, 0, 0, 0, 0xffff, 0, 0}), true), "::ffff:0.0.0.0");
  EXPECT_EQ(format(ipv6_address({0, 0, 0, 0, 0, 0, 0, 0x0100}), true), "::100");  // not ::0.0.1.0
  EXPECT_EQ(format(ipv6_address({0x64, 0xff9b, 0, 0, 0, 0, 0x0102, 0x0304}), true), "64:ff9b::102:304");
}

TEST(FormatIp, CapacityTooSmall) {
  IpView ip = ipv6_address({0x2001, 0xdb8, 0, 0, 0, 0, 0, 1});
  char text[11];  // "2001:db8::1" needs 12 with the NUL
  EXPECT_EQ(format_ip(ip, true, text, sizeof text), 0u);
  EXPECT_EQ(text[0], '\0');
  char enough[12];
  EXPECT_EQ(format_ip(ip, true, enough, sizeof enough), 11u);
}

TEST(FormatIp, NoAddress) {
  IpView ip;  // version 0: nothing decoded
  char text[8] = "x";
  EXPECT_EQ(format_ip(ip, true, text, sizeof text), 0u);
  EXPECT_EQ(text[0], '\0');
}

}  // namespace
}  // namespace sigwall
