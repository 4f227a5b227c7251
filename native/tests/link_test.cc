// Link layer: Ethernet II, 802.1Q / 802.1ad tags, Linux cooked capture v1/v2, raw IP.
#include <gtest/gtest.h>

#include <vector>

#include "decode/link.h"

namespace sigwall {
namespace {

struct Decoded {
  DecodeStatus status;
  LinkView view;
  AnomalySet anomalies;
};

Decoded decode(uint32_t link_type, const std::vector<uint8_t>& frame) {
  Decoded d;
  d.status = decode_link(link_type, ByteView{frame.data(), static_cast<uint32_t>(frame.size())}, d.view, d.anomalies);
  return d;
}

uint32_t offset_of(const ByteView& view, const std::vector<uint8_t>& frame) {
  return static_cast<uint32_t>(view.data - frame.data());
}

constexpr uint32_t kEthernet = static_cast<uint32_t>(LinkType::kEthernet);

// The first bytes of an IPv4 header, standing in for the network-layer packet.
const std::vector<uint8_t> kIpv4Start = {0x45, 0x00, 0x00, 0x14};
const std::vector<uint8_t> kIpv6Start = {0x60, 0x00, 0x00, 0x00};

std::vector<uint8_t> concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(Link, EthernetIpv4) {
  const std::vector<uint8_t> frame = concat(
      {
          0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // destination MAC
          0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  // source MAC
          0x08, 0x00,                          // ethertype IPv4
      },
      kIpv4Start);
  const Decoded d = decode(kEthernet, frame);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_FALSE(d.anomalies.any());
  EXPECT_EQ(d.view.ethertype, kEthertypeIpv4);
  EXPECT_EQ(d.view.vlan_count, 0);
  EXPECT_EQ(offset_of(d.view.payload, frame), 14u);
  EXPECT_EQ(d.view.payload.size, 4u);
}

TEST(Link, EthernetIpv6) {
  const std::vector<uint8_t> frame = concat(
      {
          0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // destination MAC
          0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  // source MAC
          0x86, 0xdd,                          // ethertype IPv6
      },
      kIpv6Start);
  const Decoded d = decode(kEthernet, frame);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.ethertype, kEthertypeIpv6);
  EXPECT_EQ(offset_of(d.view.payload, frame), 14u);
}

TEST(Link, Ethernet8021QTag) {
  const std::vector<uint8_t> frame = concat(
      {
          0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // destination MAC
          0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  // source MAC
          0x81, 0x00,                          // 802.1Q tag
          0xa0, 0x64,                          // TCI: PCP 5, DEI 0, VID 100
          0x08, 0x00,                          // ethertype IPv4
      },
      kIpv4Start);
  const Decoded d = decode(kEthernet, frame);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.vlan_count, 1);
  EXPECT_EQ(d.view.vlan_ids[0], 100);
  EXPECT_EQ(d.view.ethertype, kEthertypeIpv4);
  EXPECT_EQ(offset_of(d.view.payload, frame), 18u);
}

TEST(Link, EthernetQinQ) {
  const std::vector<uint8_t> frame = concat(
      {
          0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // destination MAC
          0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  // source MAC
          0x88, 0xa8,                          // 802.1ad service tag
          0x0f, 0xff,                          // TCI: VID 4095
          0x81, 0x00,                          // 802.1Q customer tag
          0x10, 0x07,                          // TCI: DEI 1, VID 7
          0x86, 0xdd,                          // ethertype IPv6
      },
      kIpv6Start);
  const Decoded d = decode(kEthernet, frame);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.vlan_count, 2);
  EXPECT_EQ(d.view.vlan_ids[0], 4095);
  EXPECT_EQ(d.view.vlan_ids[1], 7);
  EXPECT_EQ(d.view.ethertype, kEthertypeIpv6);
  EXPECT_EQ(offset_of(d.view.payload, frame), 22u);
}

TEST(Link, VlanDepthCap) {
  const std::vector<uint8_t> frame = concat(
      {
          0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // destination MAC
          0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  // source MAC
          0x88, 0xa8, 0x00, 0x01,              // 802.1ad tag, VID 1
          0x81, 0x00, 0x00, 0x02,              // 802.1Q tag, VID 2
          0x81, 0x00, 0x00, 0x03,              // a third tag: beyond kMaxVlanDepth
          0x08, 0x00,                          // ethertype IPv4
      },
      kIpv4Start);
  const Decoded d = decode(kEthernet, frame);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kLinkVlanDepth));
}

TEST(Link, TruncatedEthernetHeader) {
  const std::vector<uint8_t> frame = {
      0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // destination MAC
      0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  // source MAC
      0x08,                                // half an ethertype
  };
  const Decoded d = decode(kEthernet, frame);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kLinkTruncated));
}

TEST(Link, TruncatedInsideVlanTag) {
  const std::vector<uint8_t> frame = {
      0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // destination MAC
      0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  // source MAC
      0x81, 0x00,                          // 802.1Q tag
      0x00, 0x64,                          // TCI, then no inner ethertype
  };
  const Decoded d = decode(kEthernet, frame);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kLinkTruncated));
}

TEST(Link, NonIpEthertype) {
  const std::vector<uint8_t> frame = {
      0x00, 0x11, 0x22, 0x33, 0x44, 0x55,  // destination MAC
      0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  // source MAC
      0x08, 0x06,                          // ethertype ARP
      0x00, 0x01, 0x08, 0x00,              // ARP body
  };
  const Decoded d = decode(kEthernet, frame);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kLinkUnknownType));
}

TEST(Link, Ieee8023LengthIsNotIp) {
  const std::vector<uint8_t> frame = {
      0x01, 0x80, 0xc2, 0x00, 0x00, 0x00,  // destination MAC (STP)
      0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  // source MAC
      0x00, 0x26,                          // 802.3 length 38, not an ethertype
      0x42, 0x42, 0x03,                    // LLC
  };
  const Decoded d = decode(kEthernet, frame);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kLinkUnknownType));
}

TEST(Link, LinuxCookedV1) {
  const std::vector<uint8_t> frame = concat(
      {
          0x00, 0x04,                                      // packet type: sent by us
          0x00, 0x01,                                      // ARPHRD_ETHER
          0x00, 0x06,                                      // link-layer address length
          0x00, 0x0c, 0xf1, 0xda, 0xac, 0x56, 0x20, 0x4e,  // address, padded to 8
          0x08, 0x00,                                      // protocol IPv4
      },
      kIpv4Start);
  const Decoded d = decode(static_cast<uint32_t>(LinkType::kLinuxSll), frame);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.ethertype, kEthertypeIpv4);
  EXPECT_EQ(offset_of(d.view.payload, frame), 16u);
}

TEST(Link, LinuxCookedV1WithVlanTag) {
  const std::vector<uint8_t> frame = concat(
      {
          0x00, 0x00,                                      // packet type: to us
          0x00, 0x01,                                      // ARPHRD_ETHER
          0x00, 0x06,                                      // address length
          0x00, 0x0c, 0xf1, 0xda, 0xac, 0x56, 0x00, 0x00,  // address
          0x81, 0x00,                                      // protocol: 802.1Q (tag re-inserted by libpcap)
          0x00, 0x2a,                                      // TCI: VID 42
          0x86, 0xdd,                                      // ethertype IPv6
      },
      kIpv6Start);
  const Decoded d = decode(static_cast<uint32_t>(LinkType::kLinuxSll), frame);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.vlan_count, 1);
  EXPECT_EQ(d.view.vlan_ids[0], 42);
  EXPECT_EQ(d.view.ethertype, kEthertypeIpv6);
  EXPECT_EQ(offset_of(d.view.payload, frame), 20u);
}

TEST(Link, LinuxCookedV1Truncated) {
  const std::vector<uint8_t> frame = {
      0x00, 0x04, 0x00, 0x01, 0x00, 0x06,              // packet type, ARPHRD, address length
      0x00, 0x0c, 0xf1, 0xda, 0xac, 0x56, 0x20, 0x4e,  // address
      0x08,                                            // protocol cut short
  };
  const Decoded d = decode(static_cast<uint32_t>(LinkType::kLinuxSll), frame);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kLinkTruncated));
}

TEST(Link, LinuxCookedV2) {
  const std::vector<uint8_t> frame = concat(
      {
          0x86, 0xdd,                                      // protocol IPv6
          0x00, 0x00,                                      // reserved
          0x00, 0x00, 0x00, 0x02,                          // interface index
          0x00, 0x01,                                      // ARPHRD_ETHER
          0x00,                                            // packet type: to us
          0x06,                                            // address length
          0x00, 0x0c, 0xf1, 0xda, 0xac, 0x56, 0x00, 0x00,  // address
      },
      kIpv6Start);
  const Decoded d = decode(static_cast<uint32_t>(LinkType::kLinuxSll2), frame);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.ethertype, kEthertypeIpv6);
  EXPECT_EQ(offset_of(d.view.payload, frame), 20u);
}

TEST(Link, LinuxCookedV2NonIp) {
  const std::vector<uint8_t> frame = {
      0x00, 0x03,                                      // protocol ETH_P_ALL-style value, not IP
      0x00, 0x00, 0x00, 0x00, 0x00, 0x02,              // reserved, interface index
      0x03, 0x04,                                      // ARPHRD_LOOPBACK
      0x00, 0x00,                                      // packet type, address length
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // address
      0xde, 0xad,
  };
  const Decoded d = decode(static_cast<uint32_t>(LinkType::kLinuxSll2), frame);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kLinkUnknownType));
}

TEST(Link, RawIpVersionNibble) {
  const uint32_t raw = static_cast<uint32_t>(LinkType::kRaw);
  Decoded d = decode(raw, kIpv4Start);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.ethertype, kEthertypeIpv4);
  EXPECT_EQ(d.view.payload.size, 4u);

  d = decode(raw, kIpv6Start);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.ethertype, kEthertypeIpv6);

  d = decode(raw, {0x50, 0x00});  // version 5 (ST-II): not IP here
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kLinkUnknownType));
}

TEST(Link, RawIpEmptyFrame) {
  const Decoded d = decode(static_cast<uint32_t>(LinkType::kRaw), {});
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kLinkTruncated));
}

TEST(Link, LinktypeIpv4AndIpv6) {
  Decoded d = decode(static_cast<uint32_t>(LinkType::kIpv4), kIpv4Start);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.ethertype, kEthertypeIpv4);
  d = decode(static_cast<uint32_t>(LinkType::kIpv6), kIpv6Start);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.ethertype, kEthertypeIpv6);
}

TEST(Link, UnknownLinkType) {
  const Decoded d = decode(140 /* LINKTYPE_MTP2 */, {0x01, 0x02, 0x03});
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kLinkUnknownType));
  EXPECT_EQ(d.view.ethertype, 0);
}

}  // namespace
}  // namespace sigwall
