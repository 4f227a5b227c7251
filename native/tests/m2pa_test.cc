// M2PA (RFC 4165): common header (§2.1), M2PA header (§2.2), User Data (§2.3.2) carrying an
// MTP3 MSU, Link Status (§2.3.1). The User Data vector is a real one, checked with tshark.
#include <gtest/gtest.h>

#include <vector>

#include "decode/m2pa.h"

namespace sigwall {
namespace {

ByteView view_of(const std::vector<uint8_t>& bytes) {
  return ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())};
}

// ossie/japan_tcap_over_m2pa.pcap frame 1 (tshark -o mtp3.standard:Japan): SCCP SSA.
const std::vector<uint8_t> kJapanUserData = {
    0x01, 0x00, 0x0B, 0x01,  // version 1, spare, class 11 (M2PA), type 1 (User Data)
    0x00, 0x00, 0x00, 0x2A,  // length 42
    0x00, 0x00, 0x00, 0x07,  // unused, BSN 7
    0x00, 0x00, 0x00, 0x08,  // unused, FSN 8
    0x00,                    // priority 0, spare
    0x03,                    // SIO: NI 0, SI 3 (SCCP)
    0xAA, 0x0A, 0xBB, 0x0B, 0x00,  // TTC label: DPC 2730, OPC 3003, SLS 0
    0x09, 0x00, 0x03, 0x07, 0x09,  // SCCP UDT, class 0, pointers 3/7/9
    0x04, 0x43, 0xAA, 0x0A, 0x01,  //   called: PC 2730, SSN 1
    0x02, 0x42, 0x01,              //   calling: SSN 1
    0x05, 0x01, 0x05, 0xBB, 0x0B, 0x01,  // SCMG SSA: SSN 5, PC 3003, SMI 1
};

TEST(M2pa, JapanUserData) {
  AnomalySet anomalies;
  M2paView view;
  ASSERT_EQ(decode_m2pa(view_of(kJapanUserData), Mtp3Variant::kJapan, view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.version, 1);
  EXPECT_EQ(view.message_class, 11);
  EXPECT_EQ(view.message_type, 1);
  EXPECT_TRUE(view.is_user_data());
  EXPECT_EQ(view.length, 42u);
  EXPECT_EQ(view.bsn, 7u);  // tshark: m2pa.bsn 7
  EXPECT_EQ(view.fsn, 8u);
  EXPECT_EQ(view.priority, 0);
  ASSERT_TRUE(view.route.present);
  EXPECT_EQ(view.route.dpc, 2730u);  // tshark: mtp3.dpc 2730
  EXPECT_EQ(view.route.opc, 3003u);
  EXPECT_EQ(view.route.si, 3);
  EXPECT_EQ(view.route.ni, 0);
  EXPECT_EQ(view.route.sls, 0);
  ASSERT_EQ(view.user_data.size, 19u);
  EXPECT_EQ(view.user_data.data[0], 0x09);  // the SCCP message type
  EXPECT_FALSE(anomalies.any());
}

// Frame 2 of the same capture: User Data without data acknowledges (§2.3.2): no MSU.
const std::vector<uint8_t> kEmptyUserData = {
    0x01, 0x00, 0x0B, 0x01,  // version 1, class 11, type 1 (User Data)
    0x00, 0x00, 0x00, 0x10,  // length 16: headers only
    0x00, 0x00, 0x00, 0x08,  // BSN 8
    0x00, 0x00, 0x00, 0x07,  // FSN 7
};

TEST(M2pa, EmptyUserDataIsAnAcknowledgement) {
  AnomalySet anomalies;
  M2paView view;
  ASSERT_EQ(decode_m2pa(view_of(kEmptyUserData), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kOk);
  EXPECT_TRUE(view.is_user_data());
  EXPECT_EQ(view.bsn, 8u);
  EXPECT_EQ(view.fsn, 7u);
  EXPECT_FALSE(view.route.present);
  EXPECT_TRUE(view.user_data.empty());
  EXPECT_FALSE(anomalies.any());
}

TEST(M2pa, PriorityIsTheTwoHighBits) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x0B, 0x01,  // User Data
      0x00, 0x00, 0x00, 0x16,  // length 22
      0x00, 0xFF, 0xFF, 0xFF,  // BSN 0xFFFFFF (24 bits)
      0x00, 0x00, 0x00, 0x01,  // FSN 1
      0xC0,                    // priority 3, spare 0
      0x83,                    // SIO: NI 2, SI 3
      0x01, 0x02, 0x03, 0x04,  // ITU label: DPC 513, OPC 4108, SLS 0
  };
  AnomalySet anomalies;
  M2paView view;
  ASSERT_EQ(decode_m2pa(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.bsn, 0xFFFFFFu);
  EXPECT_EQ(view.priority, 3);
  EXPECT_EQ(view.route.dpc, 513u);
  EXPECT_EQ(view.route.opc, 4108u);
  EXPECT_TRUE(view.user_data.empty());
}

TEST(M2pa, LinkStatus) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x0B, 0x02,  // version 1, class 11, type 2 (Link Status)
      0x00, 0x00, 0x00, 0x14,  // length 20
      0x00, 0x00, 0x00, 0x01,  // BSN 1
      0x00, 0x00, 0x00, 0x02,  // FSN 2
      0x00, 0x00, 0x00, 0x04,  // state 4 (Ready)
  };
  AnomalySet anomalies;
  M2paView view;
  ASSERT_EQ(decode_m2pa(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.message_type, 2);
  EXPECT_FALSE(view.is_user_data());
  EXPECT_FALSE(view.route.present);
}

TEST(M2pa, TruncatedCommonHeader) {
  const std::vector<uint8_t> message = {0x01, 0x00, 0x0B, 0x01, 0x00};  // 5 of 8 octets
  AnomalySet anomalies;
  M2paView view;
  EXPECT_EQ(decode_m2pa(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2paTruncated));
}

TEST(M2pa, TruncatedM2paHeader) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x0B, 0x01,  // User Data
      0x00, 0x00, 0x00, 0x0C,  // length 12: the BSN/FSN header needs 8 more than the 8 here
      0x00, 0x00, 0x00, 0x08,  // BSN, no FSN
  };
  AnomalySet anomalies;
  M2paView view;
  EXPECT_EQ(decode_m2pa(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2paTruncated));
}

TEST(M2pa, BadVersion) {
  std::vector<uint8_t> message = kJapanUserData;
  message[0] = 0x02;
  AnomalySet anomalies;
  M2paView view;
  EXPECT_EQ(decode_m2pa(view_of(message), Mtp3Variant::kJapan, view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2paBadVersion));
  EXPECT_FALSE(view.route.present);
}

TEST(M2pa, UnknownClass) {
  std::vector<uint8_t> message = kJapanUserData;
  message[2] = 0x06;  // class 6 is M2UA's, not M2PA's
  AnomalySet anomalies;
  M2paView view;
  EXPECT_EQ(decode_m2pa(view_of(message), Mtp3Variant::kJapan, view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2paUnknownClass));
  EXPECT_FALSE(view.route.present);
}

TEST(M2pa, UnknownType) {
  std::vector<uint8_t> message = kEmptyUserData;
  message[3] = 0x03;  // RFC 4165 defines types 1 and 2 only
  AnomalySet anomalies;
  M2paView view;
  EXPECT_EQ(decode_m2pa(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2paUnknownClass));
}

TEST(M2pa, BadLengthLongerThanTheBytes) {
  std::vector<uint8_t> message = kJapanUserData;
  message[7] = 0x2B;  // 43, 42 present
  AnomalySet anomalies;
  M2paView view;
  EXPECT_EQ(decode_m2pa(view_of(message), Mtp3Variant::kJapan, view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2paBadLength));
  EXPECT_FALSE(view.route.present);
}

// Trailing bytes after the declared message: flagged; the declared message is decoded, so
// the MSU ends where the length says.
TEST(M2pa, BadLengthTrailingBytes) {
  std::vector<uint8_t> message = kJapanUserData;
  message.push_back(0x00);
  message.push_back(0x00);
  AnomalySet anomalies;
  M2paView view;
  EXPECT_EQ(decode_m2pa(view_of(message), Mtp3Variant::kJapan, view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2paBadLength));
  EXPECT_TRUE(view.route.present);
  EXPECT_EQ(view.user_data.size, 19u);
}

// User Data with a priority octet and an SIO but no routing label.
TEST(M2pa, Mtp3TruncatedInUserData) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x0B, 0x01,  // User Data
      0x00, 0x00, 0x00, 0x12,  // length 18
      0x00, 0x00, 0x00, 0x01,  // BSN 1
      0x00, 0x00, 0x00, 0x02,  // FSN 2
      0x00,                    // priority
      0x83,                    // SIO, then nothing
  };
  AnomalySet anomalies;
  M2paView view;
  EXPECT_EQ(decode_m2pa(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kMtp3Truncated));
  EXPECT_FALSE(view.route.present);
}

TEST(M2pa, EveryTruncationIsMalformed) {
  for (uint32_t size = 0; size < kJapanUserData.size(); ++size) {
    AnomalySet anomalies;
    M2paView view;
    EXPECT_EQ(decode_m2pa(ByteView{kJapanUserData.data(), size}, Mtp3Variant::kJapan, view, anomalies),
              DecodeStatus::kMalformed)
        << size;
  }
}

}  // namespace
}  // namespace sigwall
