// M3UA (RFC 4666): common header (§3.1), parameters (§3.2) and DATA's Protocol Data (§3.3.1).
// Vectors were checked with tshark (text2pcap -P m3ua); the real ones name their capture.
#include <gtest/gtest.h>

#include <vector>

#include "decode/limits.h"
#include "decode/m3ua.h"

namespace sigwall {
namespace {

ByteView view_of(const std::vector<uint8_t>& bytes) {
  return ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())};
}

// DATA with every parameter the view keeps; Protocol Data is not first.
const std::vector<uint8_t> kData = {
    0x01, 0x00, 0x01, 0x01,  // version 1, reserved, class 1 (Transfer), type 1 (DATA)
    0x00, 0x00, 0x00, 0x3C,  // message length 60
    0x02, 0x00, 0x00, 0x08,  // Network Appearance, length 8
    0x00, 0x00, 0x00, 0x05,  //   5
    0x00, 0x06, 0x00, 0x0C,  // Routing Context, length 12 (two contexts)
    0x00, 0x00, 0x00, 0x64,  //   100 (the one kept)
    0x00, 0x00, 0x00, 0x65,  //   101
    0x02, 0x10, 0x00, 0x15,  // Protocol Data, length 21
    0x00, 0x00, 0x02, 0x9A,  //   OPC 666
    0x00, 0x00, 0x05, 0x39,  //   DPC 1337
    0x03, 0x02, 0x00, 0x07,  //   SI 3 (SCCP), NI 2, MP 0, SLS 7
    0x09, 0x00, 0x03, 0x05, 0x07,  // user protocol data (5 octets)
    0x00, 0x00, 0x00,        //   padding
    0x00, 0x13, 0x00, 0x08,  // Correlation Id, length 8
    0x00, 0x00, 0x00, 0x2A,  //   42
};

TEST(M3ua, DataWithAllParameters) {
  AnomalySet anomalies;
  M3uaView view;
  ASSERT_EQ(decode_m3ua(view_of(kData), view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.version, 1);
  EXPECT_EQ(view.message_class, m3ua_class::kTransfer);
  EXPECT_EQ(view.message_type, 1);
  EXPECT_TRUE(view.is_data());
  EXPECT_EQ(view.length, 60u);
  EXPECT_TRUE(view.has_network_appearance);
  EXPECT_EQ(view.network_appearance, 5u);
  EXPECT_TRUE(view.has_routing_context);
  EXPECT_EQ(view.routing_context, 100u);  // tshark lists 100|101; the first is kept
  EXPECT_TRUE(view.has_correlation_id);
  EXPECT_EQ(view.correlation_id, 42u);
  ASSERT_TRUE(view.route.present);
  EXPECT_EQ(view.route.opc, 666u);
  EXPECT_EQ(view.route.dpc, 1337u);
  EXPECT_EQ(view.route.si, 3);
  EXPECT_EQ(view.route.ni, 2);
  EXPECT_EQ(view.route.mp, 0);
  EXPECT_EQ(view.route.sls, 7);
  ASSERT_EQ(view.user_data.size, 5u);
  EXPECT_EQ(view.user_data.data, kData.data() + 44);
  EXPECT_FALSE(anomalies.any());
}

// xcodec/decode_1.pcap: a Management NTFY (not DATA): recognised, parameters walked.
const std::vector<uint8_t> kNotify = {
    0x01, 0x00, 0x00, 0x01,  // version 1, reserved, class 0 (MGMT), type 1 (NTFY)
    0x00, 0x00, 0x00, 0x20,  // length 32
    0x00, 0x0D, 0x00, 0x08,  // Status, length 8
    0x00, 0x01, 0x00, 0x02,  //   AS state change, AS inactive
    0x00, 0x11, 0x00, 0x08,  // ASP Identifier, length 8
    0x00, 0x00, 0x00, 0x4D,  //   77
    0x00, 0x06, 0x00, 0x08,  // Routing Context, length 8
    0x00, 0x00, 0x00, 0x01,  //   1
};

TEST(M3ua, ManagementNotify) {
  AnomalySet anomalies;
  M3uaView view;
  ASSERT_EQ(decode_m3ua(view_of(kNotify), view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.message_class, m3ua_class::kMgmt);
  EXPECT_EQ(view.message_type, 1);
  EXPECT_FALSE(view.is_data());
  EXPECT_TRUE(view.has_routing_context);
  EXPECT_EQ(view.routing_context, 1u);
  EXPECT_FALSE(view.route.present);
  EXPECT_FALSE(anomalies.any());
}

// pwnss7's captures leave the last parameter's padding out of the message length (RFC 4666
// §3.1.4 says it counts); zero padding alone is tolerated, as Wireshark does.
TEST(M3ua, LengthWithoutFinalPaddingIsTolerated) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x01, 0x01,  // DATA
      0x00, 0x00, 0x00, 0x1D,  // length 29: excludes the 3 padding octets
      0x02, 0x10, 0x00, 0x15,  // Protocol Data, length 21
      0x00, 0x00, 0x02, 0x9A,  //   OPC 666
      0x00, 0x00, 0x05, 0x39,  //   DPC 1337
      0x03, 0x02, 0x00, 0x00,  //   SI 3, NI 2, MP 0, SLS 0
      0x09, 0x00, 0x03, 0x05, 0x07,  // user data
      0x00, 0x00, 0x00,        //   padding, outside the declared length
  };
  AnomalySet anomalies;
  M3uaView view;
  ASSERT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kOk);
  EXPECT_TRUE(view.route.present);
  EXPECT_EQ(view.user_data.size, 5u);
  EXPECT_FALSE(anomalies.any());
}

TEST(M3ua, TruncatedHeader) {
  const std::vector<uint8_t> message = {0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00};  // 7 of 8 octets
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaTruncated));
}

TEST(M3ua, TruncatedParameterValue) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x01, 0x01,  // DATA
      0x00, 0x00, 0x00, 0x10,  // length 16 (agrees with the bytes)
      0x02, 0x10, 0x00, 0x15,  // Protocol Data claims 21 octets
      0x00, 0x00, 0x02, 0x9A,  //   only 4 of its 17 value octets are here
  };
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaTruncated));
  EXPECT_FALSE(view.route.present);
}

TEST(M3ua, BadVersion) {
  std::vector<uint8_t> message = kData;
  message[0] = 0x02;  // version 2 does not exist
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaBadVersion));
  EXPECT_FALSE(view.route.present);
}

TEST(M3ua, BadLengthLongerThanTheBytes) {
  std::vector<uint8_t> message = kData;
  message[7] = 0x40;  // length 64, 60 octets present
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaBadLength));
}

TEST(M3ua, BadLengthShorterThanTheHeader) {
  std::vector<uint8_t> message = kData;
  message[7] = 0x04;  // length 4 < the 8-octet common header
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaBadLength));
}

// Bytes after the declared message that are not just padding: what a peer does with them is
// unknown. The declared message is still decoded.
TEST(M3ua, BadLengthTrailingBytes) {
  std::vector<uint8_t> message = kData;
  message.insert(message.end(), {0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x07});  // an extra RC
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaBadLength));
  EXPECT_TRUE(view.route.present);
  EXPECT_EQ(view.routing_context, 100u);  // the extra one, outside the message, is ignored
}

TEST(M3ua, UnknownClass) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x07, 0x01,  // class 7 is SUA's connectionless class, not M3UA's
      0x00, 0x00, 0x00, 0x08,  // length 8, no parameters
  };
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaUnknownClass));
}

TEST(M3ua, UnknownTypeInKnownClass) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x03, 0x07,  // ASPSM defines types 1..6
      0x00, 0x00, 0x00, 0x08,  // length 8
  };
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaUnknownClass));
}

// sigcorr/isup.cap frame 2: pre-RFC draft 6 format. Its "Protocol Data 1" (tag 0x0002) holds
// a whole MSU; tshark decodes it only with -o "m3ua.version:Internet Draft version 6".
// sigwall does not guess the draft format: DATA without RFC 4666 Protocol Data is flagged
// and the layer stops (arkime/m3ua_synthetic.pcap frame 81 hides a CAP initialDP this way).
const std::vector<uint8_t> kDraft6Data = {
    0x01, 0x00, 0x01, 0x01,  // version 1, class 1, type 1 (DATA)
    0x00, 0x00, 0x00, 0x1C,  // length 28
    0x00, 0x02, 0x00, 0x12,  // draft-6 Protocol Data 1, length 18
    0xC5,                    //   SIO: NI 3, SI 5 (ISUP)
    0x02, 0xED, 0xE0, 0x5B,  //   label: DPC 11522, OPC 12163, SLS 5
    0xD5, 0x00, 0x2F, 0x02, 0x00, 0x03, 0x84, 0xE3, 0xF4,  // ISUP CFN
    0x00, 0x00,              //   padding
};

TEST(M3ua, MissingProtocolDataInDraft6Data) {
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(kDraft6Data), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaMissingProtocolData));
  EXPECT_TRUE(view.is_data());
  EXPECT_FALSE(view.route.present);
  EXPECT_TRUE(view.user_data.empty());
}

TEST(M3ua, BadParameterLengthBelowHeader) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x03, 0x01,  // ASPUP
      0x00, 0x00, 0x00, 0x0C,  // length 12
      0x00, 0x11, 0x00, 0x02,  // ASP Identifier with length 2 (< its own 4-octet header)
  };
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaBadParameter));
}

TEST(M3ua, BadParameterRoutingContextLength) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x01, 0x01,  // DATA
      0x00, 0x00, 0x00, 0x24,  // length 36
      0x00, 0x06, 0x00, 0x06,  // Routing Context, length 6: not a whole 32-bit context
      0x00, 0x64, 0x00, 0x00,  //   2 octets + padding
      0x02, 0x10, 0x00, 0x11,  // Protocol Data, length 17
      0x00, 0x00, 0x02, 0x9A,  //   OPC 666
      0x00, 0x00, 0x05, 0x39,  //   DPC 1337
      0x03, 0x02, 0x00, 0x00,  //   SI 3, NI 2, MP 0, SLS 0
      0x09, 0x00, 0x00, 0x00,  //   1 octet of user data + padding
  };
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaBadParameter));
  EXPECT_FALSE(view.has_routing_context);
  EXPECT_TRUE(view.route.present);
  EXPECT_EQ(view.user_data.size, 1u);
}

TEST(M3ua, BadParameterShortProtocolData) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x01, 0x01,  // DATA
      0x00, 0x00, 0x00, 0x14,  // length 20
      0x02, 0x10, 0x00, 0x0C,  // Protocol Data, length 12: OPC and DPC only, no SI..SLS
      0x00, 0x00, 0x02, 0x9A,  //   OPC
      0x00, 0x00, 0x05, 0x39,  //   DPC
  };
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaBadParameter));
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaMissingProtocolData));
  EXPECT_FALSE(view.route.present);
}

// Two Protocol Data parameters: a signalling gateway could forward either. The first is kept
// and the second flagged.
TEST(M3ua, BadParameterSecondProtocolData) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x01, 0x01,  // DATA
      0x00, 0x00, 0x00, 0x28,  // length 40
      0x02, 0x10, 0x00, 0x10,  // Protocol Data, length 16, no user data
      0x00, 0x00, 0x00, 0x01,  //   OPC 1
      0x00, 0x00, 0x00, 0x02,  //   DPC 2
      0x03, 0x02, 0x00, 0x00,  //   SI 3, NI 2, MP 0, SLS 0
      0x02, 0x10, 0x00, 0x10,  // Protocol Data again
      0x00, 0x00, 0x00, 0x03,  //   OPC 3
      0x00, 0x00, 0x00, 0x04,  //   DPC 4
      0x05, 0x02, 0x00, 0x00,  //   SI 5, NI 2, MP 0, SLS 0
  };
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaBadParameter));
  EXPECT_EQ(view.route.opc, 1u);
  EXPECT_EQ(view.route.dpc, 2u);
}

TEST(M3ua, ParameterCap) {
  // 33 empty Info String parameters (4 octets each): one more than kMaxAdaptationParameters.
  std::vector<uint8_t> message = {0x01, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00};  // BEAT
  const unsigned count = limits::kMaxAdaptationParameters + 1;
  for (unsigned i = 0; i < count; ++i) message.insert(message.end(), {0x00, 0x04, 0x00, 0x04});
  message[6] = static_cast<uint8_t>((8 + 4 * count) >> 8);
  message[7] = static_cast<uint8_t>(8 + 4 * count);
  AnomalySet anomalies;
  M3uaView view;
  EXPECT_EQ(decode_m3ua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kM3uaParameterCap));
}

// Every prefix of a valid message is rejected cleanly (no read past the view; ASan checks).
TEST(M3ua, EveryTruncationIsMalformed) {
  for (uint32_t size = 0; size < kData.size(); ++size) {
    AnomalySet anomalies;
    M3uaView view;
    EXPECT_EQ(decode_m3ua(ByteView{kData.data(), size}, view, anomalies), DecodeStatus::kMalformed) << size;
  }
}

}  // namespace
}  // namespace sigwall
