// M2UA (RFC 3331): MAUP DATA carrying an MTP3 MSU, and one test per anomaly.
#include <gtest/gtest.h>

#include <vector>

#include "decode/m2ua.h"

namespace sigwall {
namespace {

ByteView view_of(const std::vector<uint8_t>& bytes) { return ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())}; }

// MAUP DATA: Interface Identifier (Integer) 7, Protocol Data 1 with an ITU MSU carrying SCCP.
std::vector<uint8_t> data_message() {
  return {
      0x01, 0x00, 0x06, 0x01,  // version 1, spare, class 6 (MAUP), type 1 (DATA)
      0x00, 0x00, 0x00, 0x20,  // length 32
      0x00, 0x01, 0x00, 0x08,  // Interface Identifier (Integer), length 8
      0x00, 0x00, 0x00, 0x07,  //   7
      0x03, 0x00, 0x00, 0x0F,  // Protocol Data 1, length 15 (11 bytes of MSU)
      0x83,                    //   SIO: NI 2 (national), SI 3 (SCCP)
      0x64, 0x80, 0x02, 0x00,  //   routing label: DPC 100, OPC 10, SLS 0 (14/14/4 bits, LE)
      0x09, 0x00, 0x03, 0x05,  //   SIF: the start of a UDT (not decoded here)
      0x07, 0x02,
      0x00,                    //   padding to a multiple of 4
  };
}

TEST(M2ua, DataCarriesTheMtp3Msu) {
  const std::vector<uint8_t> message = data_message();
  AnomalySet anomalies;
  M2uaView view;
  ASSERT_EQ(decode_m2ua(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kOk);
  EXPECT_TRUE(view.is_data());
  EXPECT_TRUE(view.has_interface_id);
  EXPECT_EQ(view.interface_id, 7u);
  ASSERT_TRUE(view.route.present);
  EXPECT_EQ(view.route.si, 3);
  EXPECT_EQ(view.route.ni, 2);
  EXPECT_EQ(view.route.dpc, 100u);
  EXPECT_EQ(view.route.opc, 10u);
  EXPECT_EQ(view.user_data.size, 6u);
  EXPECT_EQ(view.user_data.data[0], 0x09);
  EXPECT_FALSE(anomalies.any());
}

TEST(M2ua, ProtocolData2SkipsTheTtcPriorityOctet) {
  std::vector<uint8_t> message = data_message();
  message[17] = 0x01;  // tag 0x0301
  message[19] = 0x10;  // length 16: one more octet
  message.insert(message.begin() + 20, 0x02);  // TTC priority octet
  message.pop_back();                          // the padding is no longer needed
  AnomalySet anomalies;
  M2uaView view;
  ASSERT_EQ(decode_m2ua(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.route.dpc, 100u);
  EXPECT_EQ(view.route.opc, 10u);
}

TEST(M2uaAnomaly, Truncated) {
  const std::vector<uint8_t> message = {0x01, 0x00, 0x06, 0x01, 0x00, 0x00};
  AnomalySet anomalies;
  M2uaView view;
  EXPECT_EQ(decode_m2ua(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2uaTruncated));
}

TEST(M2uaAnomaly, BadVersion) {
  std::vector<uint8_t> message = data_message();
  message[0] = 2;
  AnomalySet anomalies;
  M2uaView view;
  EXPECT_EQ(decode_m2ua(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2uaBadVersion));
}

TEST(M2uaAnomaly, LengthBeyondTheBytesIsMalformed) {
  std::vector<uint8_t> message = data_message();
  message[7] = 0x40;  // claims 64 bytes
  AnomalySet anomalies;
  M2uaView view;
  EXPECT_EQ(decode_m2ua(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2uaBadLength));
}

TEST(M2uaAnomaly, TrailingBytesAreFlagged) {
  std::vector<uint8_t> message = data_message();
  message.insert(message.end(), {0xDE, 0xAD, 0xBE, 0xEF});  // after the declared 32 bytes
  AnomalySet anomalies;
  M2uaView view;
  EXPECT_EQ(decode_m2ua(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2uaBadLength));
  EXPECT_EQ(view.route.dpc, 100u);  // the declared message is still decoded
}

TEST(M2uaAnomaly, UnknownClass) {
  std::vector<uint8_t> message = {0x01, 0x00, 0x06, 0x63, 0x00, 0x00, 0x00, 0x08};  // MAUP type 99
  AnomalySet anomalies;
  M2uaView view;
  EXPECT_EQ(decode_m2ua(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2uaUnknownClass));
}

TEST(M2uaAnomaly, BadParameterLength) {
  std::vector<uint8_t> message = data_message();
  message[11] = 0x02;  // Interface Identifier length 2: below the TLV header
  AnomalySet anomalies;
  M2uaView view;
  EXPECT_EQ(decode_m2ua(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2uaBadParameter));
}

TEST(M2uaAnomaly, SecondProtocolDataIsFlaggedAndTheFirstKept) {
  std::vector<uint8_t> message = data_message();
  const std::vector<uint8_t> second = {0x03, 0x00, 0x00, 0x0C, 0x83, 0x01, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00};
  message.insert(message.end(), second.begin(), second.end());
  message[7] = static_cast<uint8_t>(message.size());
  AnomalySet anomalies;
  M2uaView view;
  EXPECT_EQ(decode_m2ua(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2uaBadParameter));
  EXPECT_EQ(view.route.dpc, 100u);
}

TEST(M2uaAnomaly, DataWithoutProtocolData) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x06, 0x01, 0x00, 0x00, 0x00, 0x10,  // MAUP DATA, length 16
      0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x07,  // Interface Identifier only
  };
  AnomalySet anomalies;
  M2uaView view;
  EXPECT_EQ(decode_m2ua(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kM2uaMissingProtocolData));
  EXPECT_FALSE(view.route.present);
}

TEST(M2ua, EveryTruncationIsRejectedCleanly) {
  const std::vector<uint8_t> full = data_message();
  for (size_t cut = 0; cut < full.size(); ++cut) {
    const std::vector<uint8_t> message(full.begin(), full.begin() + cut);
    AnomalySet anomalies;
    M2uaView view;
    EXPECT_EQ(decode_m2ua(view_of(message), Mtp3Variant::kItu, view, anomalies), DecodeStatus::kMalformed) << cut;
  }
}

}  // namespace
}  // namespace sigwall
