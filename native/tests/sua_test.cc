// SUA (RFC 3868): common header (§3.1), connectionless CLDT/CLDR (§3.3.1, §3.3.2) and the
// Source/Destination Address (§3.10.2) mapped onto SccpView. No public SUA capture exists:
// these vectors were built from the RFC and checked with tshark (text2pcap -S 14001,14001,4:
// sua.source.global_title_digits, sua.destination.ssn, sua.segmentation_reference, ...).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decode/limits.h"
#include "decode/sua.h"

namespace sigwall {
namespace {

ByteView view_of(const std::vector<uint8_t>& bytes) {
  return ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())};
}

std::string text(const Digits& digits) { return std::string(digits.text, digits.count); }

const std::vector<uint8_t> kCldt = {
    0x01, 0x00, 0x07, 0x01,  // version 1, reserved, class 7 (connectionless), type 1 (CLDT)
    0x00, 0x00, 0x00, 0x90,  // length 144
    0x00, 0x06, 0x00, 0x08,  // Routing Context, length 8
    0x00, 0x00, 0x00, 0x05,  //   5
    0x01, 0x15, 0x00, 0x08,  // Protocol Class, length 8
    0x00, 0x00, 0x00, 0x81,  //   return on error, class 1
    0x01, 0x02, 0x00, 0x2C,  // Source Address, length 44
    0x00, 0x01, 0x00, 0x07,  //   routing indicator 1 (GT), address indicator GT + PC + SSN
    0x80, 0x01, 0x00, 0x12,  //   Global Title, length 18
    0x00, 0x00, 0x00, 0x04,  //     reserved, GTI 4
    0x0B, 0x00, 0x01, 0x04,  //     11 digits, TT 0, NP 1, NAI 4
    0x72, 0x28, 0x19, 0x60,  //     digits 27829106146 ...
    0x41, 0xF6, 0x00, 0x00,  //     ... (0xF filler), padding
    0x80, 0x02, 0x00, 0x08,  //   Point Code, length 8
    0x00, 0x00, 0x04, 0xD2,  //     1234
    0x80, 0x03, 0x00, 0x08,  //   SSN, length 8
    0x00, 0x00, 0x00, 0x06,  //     SSN 6
    0x01, 0x03, 0x00, 0x24,  // Destination Address, length 36
    0x00, 0x01, 0x00, 0x05,  //   routing indicator 1 (GT), address indicator GT + SSN
    0x80, 0x01, 0x00, 0x11,  //   Global Title, length 17
    0x00, 0x00, 0x00, 0x04,  //     GTI 4
    0x09, 0x00, 0x01, 0x04,  //     9 digits, TT 0, NP 1, NAI 4
    0x72, 0x28, 0x19, 0x06,  //     digits 278291600 ...
    0xF0, 0x00, 0x00, 0x00,  //     ... (0xF filler), padding
    0x80, 0x03, 0x00, 0x08,  //   SSN, length 8
    0x00, 0x00, 0x00, 0x93,  //     SSN 147
    0x01, 0x16, 0x00, 0x08,  // Sequence Control, length 8
    0x00, 0x00, 0x00, 0x00,  //   0
    0x01, 0x01, 0x00, 0x08,  // SS7 Hop Counter, length 8
    0x00, 0x00, 0x00, 0x0C,  //   12
    0x01, 0x13, 0x00, 0x08,  // Importance, length 8
    0x00, 0x00, 0x00, 0x05,  //   5
    0x01, 0x17, 0x00, 0x08,  // Segmentation, length 8
    0x85, 0x12, 0x34, 0x56,  //   first, 5 remaining; reference 0x123456
    0x01, 0x0B, 0x00, 0x06,  // Data, length 6
    0xA0, 0x00, 0x00, 0x00,  //   2 octets, padding
};

TEST(Sua, CldtMappedOntoSccp) {
  AnomalySet anomalies;
  SuaView view;
  ASSERT_EQ(decode_sua(view_of(kCldt), view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.version, 1);
  EXPECT_EQ(view.message_class, 7);
  EXPECT_EQ(view.message_type, 1);
  EXPECT_TRUE(view.is_connectionless_data());
  EXPECT_EQ(view.length, 144u);
  EXPECT_TRUE(view.has_routing_context);
  EXPECT_EQ(view.routing_context, 5u);

  const SccpView& sccp = view.sccp;
  EXPECT_EQ(sccp.message_type, 0);  // no SCCP message on the wire
  EXPECT_EQ(sccp.protocol_class, 1);
  EXPECT_EQ(sccp.message_handling, 0x08);  // return on error
  EXPECT_TRUE(sccp.has_hop_counter);
  EXPECT_EQ(sccp.hop_counter, 12);
  EXPECT_TRUE(sccp.has_importance);
  EXPECT_EQ(sccp.importance, 5);

  // calling = Source Address.
  ASSERT_TRUE(sccp.calling.present);
  EXPECT_EQ(sccp.calling.routing_indicator, 0);  // route on GT
  EXPECT_EQ(sccp.calling.indicator, 0x07);
  EXPECT_EQ(sccp.calling.gti, 4);
  EXPECT_EQ(text(sccp.calling.digits), "27829106146");  // tshark: sua.source.global_title_digits
  EXPECT_EQ(sccp.calling.es, 1);                       // odd number of digits
  EXPECT_TRUE(sccp.calling.has_tt);
  EXPECT_TRUE(sccp.calling.has_np);
  EXPECT_EQ(sccp.calling.np, 1);
  EXPECT_TRUE(sccp.calling.has_nai);
  EXPECT_EQ(sccp.calling.nai, 4);
  EXPECT_TRUE(sccp.calling.has_pc);
  EXPECT_EQ(sccp.calling.pc, 1234u);  // tshark: sua.source.point_code
  EXPECT_TRUE(sccp.calling.has_ssn);
  EXPECT_EQ(sccp.calling.ssn, 6);

  // called = Destination Address.
  ASSERT_TRUE(sccp.called.present);
  EXPECT_EQ(text(sccp.called.digits), "278291600");  // tshark: sua.destination.global_title_digits
  EXPECT_EQ(sccp.called.ssn, 147);
  EXPECT_FALSE(sccp.called.has_pc);

  ASSERT_TRUE(sccp.segmentation.present);
  EXPECT_TRUE(sccp.segmentation.first);
  EXPECT_EQ(sccp.segmentation.remaining, 5);
  EXPECT_EQ(sccp.segmentation.local_reference, 0x123456u);  // tshark: 1193046
  EXPECT_EQ(sccp.segmentation.segment_class, 1);           // the message's own class

  ASSERT_EQ(sccp.data.size, 2u);
  EXPECT_EQ(sccp.data.data[0], 0xA0);
  EXPECT_FALSE(anomalies.any());
}

const std::vector<uint8_t> kCldr = {
    0x01, 0x00, 0x07, 0x02,  // version 1, class 7, type 2 (CLDR)
    0x00, 0x00, 0x00, 0x48,  // length 72
    0x00, 0x06, 0x00, 0x08,  // Routing Context
    0x00, 0x00, 0x00, 0x05,  //   5
    0x01, 0x06, 0x00, 0x08,  // SCCP Cause, length 8
    0x00, 0x00, 0x01, 0x05,  //   reserved, cause type 1 (return cause), value 5
    0x01, 0x02, 0x00, 0x18,  // Source Address, length 24
    0x00, 0x01, 0x00, 0x04,  //   RI 1 (GT), AI GT
    0x80, 0x01, 0x00, 0x0E,  //   Global Title, length 14
    0x00, 0x00, 0x00, 0x02,  //     GTI 2
    0x04, 0x09, 0x01, 0x04,  //     4 digits, TT 9, NP 1, NAI 4
    0x21, 0x43, 0x00, 0x00,  //     1234, padding
    0x01, 0x03, 0x00, 0x18,  // Destination Address, length 24
    0x00, 0x01, 0x00, 0x04,  //   RI 1 (GT), AI GT
    0x80, 0x01, 0x00, 0x0F,  //   Global Title, length 15
    0x00, 0x00, 0x00, 0x01,  //     GTI 1
    0x05, 0x00, 0x01, 0x03,  //     5 digits, TT 0, NP 1, NAI 3
    0x21, 0x43, 0xF5, 0x00,  //     12345 (0xF filler), padding
};

// CLDR: no Data needed (§3.3.2); the cause becomes the return cause. The destination address
// carries no SSN, which is flagged as for SCCP.
TEST(Sua, CldrReturnCause) {
  AnomalySet anomalies;
  SuaView view;
  ASSERT_EQ(decode_sua(view_of(kCldr), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(view.is_connectionless_data());
  EXPECT_TRUE(view.sccp.has_return_cause);
  EXPECT_EQ(view.sccp.return_cause, 5);  // tshark: sua.sccp_cause_value 5
  EXPECT_EQ(view.sccp.calling.gti, 2);
  EXPECT_TRUE(view.sccp.calling.has_tt);
  EXPECT_EQ(view.sccp.calling.tt, 9);
  EXPECT_FALSE(view.sccp.calling.has_np);
  EXPECT_FALSE(view.sccp.calling.has_nai);
  EXPECT_EQ(text(view.sccp.calling.digits), "1234");
  EXPECT_EQ(view.sccp.called.gti, 1);
  EXPECT_FALSE(view.sccp.called.has_tt);
  EXPECT_TRUE(view.sccp.called.has_nai);
  EXPECT_EQ(view.sccp.called.nai, 3);
  EXPECT_EQ(text(view.sccp.called.digits), "12345");
  EXPECT_TRUE(view.sccp.data.empty());
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpMissingSsn));
  EXPECT_FALSE(anomalies.has(Anomaly::kSuaMissingData));
}

TEST(Sua, RouteOnSsnAndPointCode) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x07, 0x01,  // CLDT
      0x00, 0x00, 0x00, 0x38,  // length 56
      0x01, 0x03, 0x00, 0x18,  // Destination Address, length 24
      0x00, 0x02, 0x00, 0x03,  //   RI 2 (SSN + PC), AI PC + SSN
      0x80, 0x02, 0x00, 0x08,  //   Point Code
      0x00, 0x00, 0x00, 0x64,  //     100
      0x80, 0x03, 0x00, 0x08,  //   SSN
      0x00, 0x00, 0x00, 0x06,  //     6
      0x01, 0x02, 0x00, 0x10,  // Source Address, length 16
      0x00, 0x04, 0x00, 0x00,  //   RI 4 (SSN + IP), AI none
      0x80, 0x04, 0x00, 0x08,  //   IPv4 address (recognised, not mapped)
      0x0A, 0x00, 0x00, 0x01,  //     10.0.0.1
      0x01, 0x0B, 0x00, 0x05,  // Data, length 5
      0xA0, 0x00, 0x00, 0x00,  //   1 octet, padding
  };
  AnomalySet anomalies;
  SuaView view;
  ASSERT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.sccp.called.routing_indicator, 1);  // route on SSN
  EXPECT_EQ(view.sccp.called.pc, 100u);
  EXPECT_EQ(view.sccp.called.ssn, 6);
  EXPECT_EQ(view.sccp.called.gti, 0);
  EXPECT_EQ(view.sccp.calling.routing_indicator, 1);
  EXPECT_FALSE(view.sccp.calling.has_pc);
  EXPECT_EQ(view.sccp.data.size, 1u);
  EXPECT_FALSE(anomalies.any());
}

// Other classes are recognised by their header only.
TEST(Sua, AspUpHeaderOnly) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x03, 0x01,  // version 1, class 3 (ASPSM), type 1 (ASPUP)
      0x00, 0x00, 0x00, 0x08,  // length 8
  };
  AnomalySet anomalies;
  SuaView view;
  ASSERT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.message_class, 3);
  EXPECT_FALSE(view.is_connectionless_data());
  EXPECT_FALSE(anomalies.any());
}

TEST(Sua, AspActiveRoutingContextIsKept) {
  // Any class may carry a Routing Context; rules see it on ASP traffic management too.
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x04, 0x01,  // version 1, class 4 (ASPTM), type 1 (ASPAC)
      0x00, 0x00, 0x00, 0x18,  // length 24
      0x00, 0x0B, 0x00, 0x08,  // Traffic Mode Type, length 8
      0x00, 0x00, 0x00, 0x02,  //   loadshare
      0x00, 0x06, 0x00, 0x08,  // Routing Context, length 8
      0x00, 0x00, 0x01, 0x2C,  //   300
  };
  AnomalySet anomalies;
  SuaView view;
  ASSERT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kOk);
  EXPECT_TRUE(view.has_routing_context);
  EXPECT_EQ(view.routing_context, 300u);
  EXPECT_FALSE(view.sccp.called.present);
  EXPECT_FALSE(anomalies.any());
}

TEST(Sua, ConnectionOrientedRecognised) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x08, 0x08,  // class 8 (connection-oriented), type 8 (CODT)
      0x00, 0x00, 0x00, 0x08,
  };
  AnomalySet anomalies;
  SuaView view;
  ASSERT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kOk);
  EXPECT_FALSE(view.is_connectionless_data());
}

TEST(Sua, Truncated) {
  const std::vector<uint8_t> message = {0x01, 0x00, 0x07, 0x01, 0x00, 0x00};  // 6 of 8 octets
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaTruncated));
}

TEST(Sua, BadLengthBeyondTheBytes) {
  std::vector<uint8_t> message = kCldt;
  message[7] = 0x94;  // 148, 144 present
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaBadLength));
}

TEST(Sua, BadLengthShorterThanTheHeader) {
  std::vector<uint8_t> message = kCldt;
  message[7] = 0x04;  // 4 < the 8-octet common header
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaBadLength));
}

// Bytes after the declared message that are not only padding: flagged, the message decoded.
TEST(Sua, BadLengthTrailingBytes) {
  std::vector<uint8_t> message = kCldt;
  message.insert(message.end(), {0x01, 0x0B, 0x00, 0x05, 0xA1, 0x00, 0x00, 0x00});  // another Data
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaBadLength));
  ASSERT_EQ(view.sccp.data.size, 2u);
  EXPECT_EQ(view.sccp.data.data[0], 0xA0);  // the declared message's Data
}

// The last parameter's zero padding left out of the length: tolerated, as for M3UA.
TEST(Sua, LengthWithoutFinalPaddingIsTolerated) {
  std::vector<uint8_t> message = kCldt;
  message[7] = 0x8E;  // 142: the Data parameter's 2 padding octets are outside
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.sccp.data.size, 2u);
  EXPECT_FALSE(anomalies.any());
}

TEST(Sua, TruncatedParameter) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x07, 0x01,  // CLDT
      0x00, 0x00, 0x00, 0x0C,  // length 12
      0x01, 0x0B, 0x00, 0x10,  // Data claims 12 value octets; none follow
  };
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaTruncated));
}

TEST(Sua, BadVersion) {
  std::vector<uint8_t> message = kCldt;
  message[0] = 0x02;
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaBadVersion));
  EXPECT_FALSE(view.sccp.called.present);
}

TEST(Sua, UnknownClass) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x01, 0x01,  // class 1 (M3UA transfer) is not SUA's
      0x00, 0x00, 0x00, 0x08,
  };
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaUnknownClass));
}

TEST(Sua, UnknownConnectionlessType) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x07, 0x03,  // class 7 has types 1 and 2 only
      0x00, 0x00, 0x00, 0x08,
  };
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaUnknownClass));
  EXPECT_FALSE(view.is_connectionless_data());
}

TEST(Sua, MissingData) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x07, 0x01,  // CLDT
      0x00, 0x00, 0x00, 0x20,  // length 32
      0x01, 0x03, 0x00, 0x18,  // Destination Address, length 24
      0x00, 0x02, 0x00, 0x03,  //   RI 2, AI PC + SSN
      0x80, 0x02, 0x00, 0x08,  //   Point Code 100
      0x00, 0x00, 0x00, 0x64,
      0x80, 0x03, 0x00, 0x08,  //   SSN 6
      0x00, 0x00, 0x00, 0x06,
  };
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaMissingData));
  EXPECT_FALSE(anomalies.has(Anomaly::kSccpMissingSsn));
}

TEST(Sua, MissingSsnWithoutDestinationAddress) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x07, 0x01,  // CLDT
      0x00, 0x00, 0x00, 0x10,  // length 16
      0x01, 0x0B, 0x00, 0x05,  // Data, 1 octet
      0xA0, 0x00, 0x00, 0x00,
  };
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpMissingSsn));
  EXPECT_FALSE(view.sccp.called.present);
}

TEST(Sua, BadParameterLengthBelowHeader) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x07, 0x01,  // CLDT
      0x00, 0x00, 0x00, 0x0C,  // length 12
      0x01, 0x0B, 0x00, 0x03,  // Data with length 3 (< its own header)
  };
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaBadParameter));
}

TEST(Sua, BadParameterHopCounterLength) {
  std::vector<uint8_t> message = kCldt;
  // SS7 Hop Counter at offset 112: make its length 6 (value 2 octets + 2 padding).
  ASSERT_EQ(message[112], 0x01);
  ASSERT_EQ(message[113], 0x01);
  message[115] = 0x06;
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaBadParameter));
  EXPECT_FALSE(view.sccp.has_hop_counter);
  EXPECT_EQ(view.sccp.data.size, 2u);
}

TEST(Sua, BadParameterGlobalTitleDigitsBeyondIt) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x07, 0x01,  // CLDT
      0x00, 0x00, 0x00, 0x2C,  // length 44
      0x01, 0x03, 0x00, 0x1C,  // Destination Address, length 28
      0x00, 0x01, 0x00, 0x05,  //   RI 1, AI GT + SSN
      0x80, 0x01, 0x00, 0x0C,  //   Global Title, length 12: no room for digits
      0x00, 0x00, 0x00, 0x04,  //     GTI 4
      0x0A, 0x00, 0x01, 0x04,  //     10 digits claimed, TT 0, NP 1, NAI 4
      0x80, 0x03, 0x00, 0x08,  //   SSN 6
      0x00, 0x00, 0x00, 0x06,
      0x01, 0x0B, 0x00, 0x05,  // Data, 1 octet
      0xA0, 0x00, 0x00, 0x00,
  };
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaBadParameter));
  EXPECT_EQ(view.sccp.called.digits.count, 0);
  EXPECT_EQ(view.sccp.called.ssn, 6);
}

TEST(Sua, BadParameterReservedRoutingIndicator) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x07, 0x01,  // CLDT
      0x00, 0x00, 0x00, 0x20,  // length 32
      0x01, 0x03, 0x00, 0x10,  // Destination Address, length 16
      0x00, 0x00, 0x00, 0x01,  //   RI 0 (reserved), AI SSN
      0x80, 0x03, 0x00, 0x08,  //   SSN 6
      0x00, 0x00, 0x00, 0x06,
      0x01, 0x0B, 0x00, 0x05,  // Data, 1 octet
      0xA0, 0x00, 0x00, 0x00,
  };
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaBadParameter));
  EXPECT_EQ(view.sccp.called.ssn, 6);
}

TEST(Sua, BadParameterAddressTooShort) {
  const std::vector<uint8_t> message = {
      0x01, 0x00, 0x07, 0x01,  // CLDT
      0x00, 0x00, 0x00, 0x10,  // length 16
      0x01, 0x03, 0x00, 0x06,  // Destination Address, length 6: routing indicator only
      0x00, 0x01, 0x00, 0x00,  //   RI 1, padding
  };
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaBadParameter));
}

TEST(Sua, HopCounterLow) {
  std::vector<uint8_t> message = kCldt;
  ASSERT_EQ(message[119], 0x0C);
  message[119] = 0x00;  // SS7 Hop Counter 0
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpHopCounterLow));
}

TEST(Sua, DigitsCap) {
  std::vector<uint8_t> message = {
      0x01, 0x00, 0x07, 0x01,  // CLDT
      0x00, 0x00, 0x00, 0x40,  // length 64
      0x01, 0x03, 0x00, 0x30,  // Destination Address, length 48
      0x00, 0x01, 0x00, 0x05,  //   RI 1, AI GT + SSN
      0x80, 0x01, 0x00, 0x20,  //   Global Title, length 32
      0x00, 0x00, 0x00, 0x04,  //     GTI 4
      0x28, 0x00, 0x01, 0x04,  //     40 digits, TT 0, NP 1, NAI 4
  };
  for (int i = 0; i < 20; ++i) message.push_back(0x21);  // 40 digits
  message.insert(message.end(), {0x80, 0x03, 0x00, 0x08, 0x00, 0x00, 0x00, 0x06});  // SSN 6
  message.insert(message.end(), {0x01, 0x0B, 0x00, 0x05, 0xA0, 0x00, 0x00, 0x00});  // Data
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpDigitsCap));
  EXPECT_EQ(view.sccp.called.digits.count, limits::kMaxDigits);
}

TEST(Sua, ParameterCap) {
  std::vector<uint8_t> message = {0x01, 0x00, 0x07, 0x01, 0x00, 0x00, 0x00, 0x00};  // CLDT
  const unsigned count = limits::kMaxAdaptationParameters + 1;
  for (unsigned i = 0; i < count; ++i)  // Correlation ID parameters, not inspected
    message.insert(message.end(), {0x00, 0x13, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01});
  message[6] = static_cast<uint8_t>((8 + 8 * count) >> 8);
  message[7] = static_cast<uint8_t>(8 + 8 * count);
  AnomalySet anomalies;
  SuaView view;
  EXPECT_EQ(decode_sua(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSuaParameterCap));
}

TEST(Sua, EveryTruncationIsMalformed) {
  for (uint32_t size = 0; size < kCldt.size(); ++size) {
    AnomalySet anomalies;
    SuaView view;
    EXPECT_EQ(decode_sua(ByteView{kCldt.data(), size}, view, anomalies), DecodeStatus::kMalformed) << size;
  }
}

}  // namespace
}  // namespace sigwall
