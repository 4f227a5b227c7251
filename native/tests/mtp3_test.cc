// MTP3 SIO and routing label (Q.704 §14.2, §2.2; TTC JT-Q704; ANSI T1.111.4), checked against
// tshark with -o mtp3.standard:ITU / Japan / ANSI on the same bytes.
#include <gtest/gtest.h>

#include <vector>

#include "decode/mtp3.h"

namespace sigwall {
namespace {

ByteView view_of(const std::vector<uint8_t>& bytes) {
  return ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())};
}

// sigcorr/isup.cap frame 1 (ISUP IAM), the MSU inside the draft-6 Protocol Data 1.
const std::vector<uint8_t> kItuIsupMsu = {
    0xC5,                    // SIO: NI 3 (national reserved), spare 0, SI 5 (ISUP)
    0x83, 0xAF, 0x40, 0x5B,  // label 0x5B40AF83: DPC 12163, OPC 11522, SLS 5
    0xD5, 0x00,              // SIF: ISUP CIC 213 ...
    0x01,                    //   message type IAM
};

TEST(Mtp3, ItuLabel) {
  AnomalySet anomalies;
  Mtp3Route route;
  ByteView user_data;
  ASSERT_EQ(decode_mtp3(view_of(kItuIsupMsu), Mtp3Variant::kItu, route, user_data, anomalies), DecodeStatus::kOk);
  EXPECT_TRUE(route.present);
  EXPECT_EQ(route.si, mtp3_si::kIsup);
  EXPECT_EQ(route.ni, 3);
  EXPECT_EQ(route.mp, 0);
  EXPECT_EQ(route.dpc, 12163u);  // tshark: mtp3.dpc 12163
  EXPECT_EQ(route.opc, 11522u);  // tshark: mtp3.opc 11522
  EXPECT_EQ(route.sls, 5);
  ASSERT_EQ(user_data.size, 3u);
  EXPECT_EQ(user_data.data, kItuIsupMsu.data() + 5);
  EXPECT_FALSE(anomalies.any());
}

// The SIO's spare bits (B-A of the subservice field) carry the message priority in national
// use; they are reported as mp whatever the variant.
TEST(Mtp3, SubserviceSpareBitsAreMessagePriority) {
  const std::vector<uint8_t> msu = {
      0xB3,                    // SIO: NI 2, MP 3, SI 3 (SCCP)
      0x01, 0x02, 0x03, 0x04,  // label 0x04030201: DPC 513, OPC 4108, SLS 0
  };
  AnomalySet anomalies;
  Mtp3Route route;
  ByteView user_data;
  ASSERT_EQ(decode_mtp3(view_of(msu), Mtp3Variant::kItu, route, user_data, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(route.ni, 2);
  EXPECT_EQ(route.mp, 3);
  EXPECT_EQ(route.si, mtp3_si::kSccp);
  EXPECT_EQ(route.dpc, 513u);
  EXPECT_EQ(route.opc, 4108u);
  EXPECT_EQ(route.sls, 0);
  EXPECT_TRUE(user_data.empty());
}

// ossie/japan_tcap_over_m2pa.pcap frame 1 (tshark -o mtp3.standard:Japan).
const std::vector<uint8_t> kJapanMsu = {
    0x03,        // SIO: NI 0, SI 3 (SCCP)
    0xAA, 0x0A,  // DPC 0x0AAA = 2730 (16 bits)
    0xBB, 0x0B,  // OPC 0x0BBB = 3003 (16 bits)
    0x00,        // SLS 0 (low 4 bits), spare 0
    0x09,        // SCCP UDT ...
};

TEST(Mtp3, JapanLabel) {
  AnomalySet anomalies;
  Mtp3Route route;
  ByteView user_data;
  ASSERT_EQ(decode_mtp3(view_of(kJapanMsu), Mtp3Variant::kJapan, route, user_data, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(route.dpc, 2730u);
  EXPECT_EQ(route.opc, 3003u);
  EXPECT_EQ(route.sls, 0);
  EXPECT_EQ(route.si, mtp3_si::kSccp);
  ASSERT_EQ(user_data.size, 1u);
  EXPECT_EQ(user_data.data[0], 0x09);
}

// Wireshark's default for Japan is a 4-bit SLS (mtp3.japan_5_bit_sls off): the octet's high
// bits are not part of it.
TEST(Mtp3, JapanSlsIsFourBits) {
  const std::vector<uint8_t> msu = {
      0x83,                    // SIO: NI 2, SI 3
      0x01, 0x02, 0x03, 0x04,  // DPC 0x0201 = 513, OPC 0x0403 = 1027
      0xF5,                    // SLS 5, spare 0xF
  };
  AnomalySet anomalies;
  Mtp3Route route;
  ByteView user_data;
  ASSERT_EQ(decode_mtp3(view_of(msu), Mtp3Variant::kJapan, route, user_data, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(route.dpc, 513u);
  EXPECT_EQ(route.opc, 1027u);
  EXPECT_EQ(route.sls, 5);
}

TEST(Mtp3, AnsiLabel) {
  const std::vector<uint8_t> msu = {
      0x83,              // SIO: NI 2, priority 0, SI 3
      0x01, 0x02, 0x03,  // DPC member 1, cluster 2, network 3 = 0x030201 = 197121
      0x04, 0x05, 0x06,  // OPC 0x060504 = 394500
      0x07,              // SLS 7 (8 bits)
      0x09,              // SCCP ...
  };
  AnomalySet anomalies;
  Mtp3Route route;
  ByteView user_data;
  ASSERT_EQ(decode_mtp3(view_of(msu), Mtp3Variant::kAnsi, route, user_data, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(route.dpc, 197121u);  // tshark -o mtp3.standard:ANSI: mtp3.dpc 197121
  EXPECT_EQ(route.opc, 394500u);
  EXPECT_EQ(route.sls, 7);
  EXPECT_EQ(route.ni, 2);
  ASSERT_EQ(user_data.size, 1u);
}

TEST(Mtp3, TruncatedWithoutSio) {
  AnomalySet anomalies;
  Mtp3Route route;
  ByteView user_data;
  EXPECT_EQ(decode_mtp3(ByteView{}, Mtp3Variant::kItu, route, user_data, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kMtp3Truncated));
  EXPECT_FALSE(route.present);
}

// A label one octet short, for each variant.
TEST(Mtp3, TruncatedLabel) {
  const struct {
    Mtp3Variant variant;
    std::vector<uint8_t> msu;
  } cases[] = {
      {Mtp3Variant::kItu, {0x83, 0x01, 0x02, 0x03}},                    // 3 of 4 label octets
      {Mtp3Variant::kJapan, {0x83, 0x01, 0x02, 0x03, 0x04}},            // 4 of 5
      {Mtp3Variant::kAnsi, {0x83, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06}}, // 6 of 7
  };
  for (const auto& c : cases) {
    AnomalySet anomalies;
    Mtp3Route route;
    ByteView user_data;
    EXPECT_EQ(decode_mtp3(view_of(c.msu), c.variant, route, user_data, anomalies), DecodeStatus::kMalformed);
    EXPECT_TRUE(anomalies.has(Anomaly::kMtp3Truncated));
    EXPECT_FALSE(route.present);
  }
}

}  // namespace
}  // namespace sigwall
