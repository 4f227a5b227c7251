// SCCP connectionless messages (ITU-T Q.713 §4.10, 4.11, 4.18-4.21), party addresses (§3.4)
// and optional parameters (§3.17, §3.19). Digits and fields were checked against tshark on the
// same bytes (text2pcap -P sccp); tshark writes nibbles 0xB/0xC/0xF as "11"/"12"/"ST" and
// 0xA/0xD/0xE as "(spare)" where decode_bcd_digits writes 'B', 'C', 'F' and '?'.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "decode/limits.h"
#include "decode/sccp.h"

namespace sigwall {
namespace {

ByteView view_of(const std::vector<uint8_t>& bytes) {
  return ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())};
}

std::string text(const Digits& digits) { return std::string(digits.text, digits.count); }

// sigcorr/atk006_subscriber_dos.pcap frame 1: a MAP Begin in a UDT.
const std::vector<uint8_t> kUdt = {
    0x09,              // message type UDT
    0x00,              // protocol class 0, no special handling
    0x03, 0x0E, 0x19,  // pointers: called at 5, calling at 17, data at 29
    0x0B,              // called party address, 11 octets
    0x12,              //   AI: RI 0 (GT), GTI 4, SSN present, no PC
    0x06,              //   SSN 6 (HLR)
    0x00,              //   TT 0
    0x12,              //   NP 1 (E.164), ES 2 (BCD even)
    0x04,              //   NAI 4 (international)
    0x44, 0x21, 0x43, 0x65, 0x87, 0x09,  // digits 441234567890
    0x0B,              // calling party address, 11 octets
    0x12, 0x93,        //   AI: GTI 4, SSN; SSN 147 (gsmSCF)
    0x00, 0x12, 0x04,  //   TT 0, NP 1 / ES 2, NAI 4
    0x94, 0x71, 0x02, 0x00, 0x00, 0x00,  // digits 491720000000
    0x21,              // data, 33 octets (TCAP Begin)
    0x62, 0x1F, 0x48, 0x04, 0x00, 0x06, 0x00, 0x01, 0x6C, 0x17, 0xA1, 0x15, 0x02, 0x01, 0x01, 0x02, 0x01,
    0x03, 0x30, 0x0D, 0x04, 0x08, 0x32, 0x14, 0x10, 0x32, 0x54, 0x76, 0x98, 0xF0, 0x0A, 0x01, 0x00,
};

TEST(Sccp, UdtFromCapture) {
  AnomalySet anomalies;
  SccpView view;
  ASSERT_EQ(decode_sccp(view_of(kUdt), view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.message_type, sccp_type::kUdt);
  EXPECT_EQ(view.protocol_class, 0);
  EXPECT_EQ(view.message_handling, 0);
  EXPECT_FALSE(view.has_return_cause);
  EXPECT_FALSE(view.has_hop_counter);
  ASSERT_TRUE(view.called.present);
  EXPECT_EQ(view.called.indicator, 0x12);
  EXPECT_EQ(view.called.routing_indicator, 0);
  EXPECT_EQ(view.called.gti, 4);
  EXPECT_TRUE(view.called.has_ssn);
  EXPECT_EQ(view.called.ssn, 6);
  EXPECT_FALSE(view.called.has_pc);
  EXPECT_EQ(view.called.tt, 0);
  EXPECT_EQ(view.called.np, 1);
  EXPECT_EQ(view.called.es, 2);
  EXPECT_EQ(view.called.nai, 4);
  EXPECT_EQ(text(view.called.digits), "441234567890");  // tshark: sccp.called.digits
  EXPECT_EQ(view.calling.ssn, 147);
  EXPECT_EQ(text(view.calling.digits), "491720000000");
  ASSERT_EQ(view.data.size, 33u);
  EXPECT_EQ(view.data.data, kUdt.data() + 30);
  EXPECT_FALSE(view.segmentation.present);
  EXPECT_FALSE(anomalies.any());
}

// A segment of a segmented XUDT, as in pwnss7/overflow-acn.pcap frame 1 (data shortened).
const std::vector<uint8_t> kXudtFirstSegment = {
    0x11,                    // message type XUDT
    0x00,                    // protocol class 0
    0x0C,                    // hop counter 12
    0x04, 0x0E, 0x19, 0x1D,  // pointers: called at 7, calling at 18, data at 30, optional at 35
    0x0A,                    // called, 10 octets
    0x12, 0x93,              //   AI: GTI 4, SSN; SSN 147
    0x00, 0x11, 0x04,        //   TT 0, NP 1 / ES 1 (BCD odd), NAI 4
    0x72, 0x28, 0x19, 0x06, 0x00,  // digits 278291600 (9: the last high nibble is filler)
    0x0B,                    // calling, 11 octets
    0x12, 0x06,              //   AI: GTI 4, SSN; SSN 6
    0x00, 0x11, 0x04,        //   TT 0, NP 1 / ES 1, NAI 4
    0x72, 0x28, 0x19, 0x60, 0x41, 0x06,  // digits 27829106146
    0x04,                    // data, 4 octets
    0x62, 0x82, 0x04, 0x69,  //   the start of a TCAP Begin
    0x10, 0x04,              // optional: Segmentation, 4 octets
    0xC5,                    //   F 1, C 1, remaining 5
    0xD4, 0xEE, 0xB1,        //   local reference 0xB1EED4 (least significant first)
    0x00,                    // end of optional parameters
};

TEST(Sccp, XudtSegment) {
  AnomalySet anomalies;
  SccpView view;
  ASSERT_EQ(decode_sccp(view_of(kXudtFirstSegment), view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.message_type, sccp_type::kXudt);
  EXPECT_TRUE(view.has_hop_counter);
  EXPECT_EQ(view.hop_counter, 12);
  EXPECT_EQ(text(view.called.digits), "278291600");  // tshark: 278291600
  EXPECT_EQ(text(view.calling.digits), "27829106146");
  EXPECT_EQ(view.called.es, 1);
  ASSERT_EQ(view.data.size, 4u);
  ASSERT_TRUE(view.segmentation.present);
  EXPECT_TRUE(view.segmentation.first);
  EXPECT_EQ(view.segmentation.segment_class, 1);
  EXPECT_EQ(view.segmentation.remaining, 5);
  EXPECT_EQ(view.segmentation.local_reference, 0xB1EED4u);  // tshark: sccp.segmentation.slr
  EXPECT_FALSE(view.has_importance);
  EXPECT_FALSE(anomalies.any());
}

// LUDT (§4.20): two-octet pointers, counted from their second octet as tshark reads them,
// and a two-octet long data length.
const std::vector<uint8_t> kLudt = {
    0x13,        // message type LUDT
    0x00,        // protocol class 0
    0x0F,        // hop counter 15
    0x07, 0x00,  // pointer to called: 7 from offset 4 = 11
    0x08, 0x00,  // pointer to calling: 8 from offset 6 = 14
    0x09, 0x00,  // pointer to long data: 9 from offset 8 = 17
    0x0C, 0x00,  // pointer to optional part: 12 from offset 10 = 22
    0x02, 0x42, 0x06,  // called: AI RI 1 (SSN), SSN present; SSN 6
    0x02, 0x42, 0x08,  // calling: SSN 8
    0x03, 0x00,        // long data length 3 (least significant octet first)
    0xAA, 0xBB, 0xCC,  //   data
    0x12, 0x01, 0x05,  // optional: Importance 5
    0x00,              // end of optional parameters
};

TEST(Sccp, Ludt) {
  AnomalySet anomalies;
  SccpView view;
  ASSERT_EQ(decode_sccp(view_of(kLudt), view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.message_type, sccp_type::kLudt);
  EXPECT_EQ(view.hop_counter, 15);
  EXPECT_EQ(view.called.routing_indicator, 1);
  EXPECT_EQ(view.called.ssn, 6);
  EXPECT_EQ(view.calling.ssn, 8);
  ASSERT_EQ(view.data.size, 3u);
  EXPECT_EQ(view.data.data[0], 0xAA);
  EXPECT_TRUE(view.has_importance);
  EXPECT_EQ(view.importance, 5);
  EXPECT_FALSE(anomalies.any());
}

TEST(Sccp, Udts) {
  const std::vector<uint8_t> message = {
      0x0A,              // message type UDTS
      0x01,              // return cause 1 (no translation for an address of such nature)
      0x03, 0x05, 0x07,  // pointers: called at 5, calling at 8, data at 11
      0x02, 0x42, 0x06,  // called: SSN 6
      0x02, 0x42, 0x08,  // calling: SSN 8
      0x02, 0xA0, 0x00,  // data, 2 octets
  };
  AnomalySet anomalies;
  SccpView view;
  ASSERT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.message_type, sccp_type::kUdts);
  EXPECT_TRUE(view.has_return_cause);
  EXPECT_EQ(view.return_cause, 1);
  EXPECT_EQ(view.data.size, 2u);
  EXPECT_FALSE(anomalies.any());
}

TEST(Sccp, Xudts) {
  const std::vector<uint8_t> message = {
      0x12,                    // message type XUDTS
      0x01,                    // return cause 1
      0x05,                    // hop counter 5
      0x04, 0x06, 0x08, 0x00,  // pointers: called at 7, calling at 10, data at 13, no optional part
      0x02, 0x42, 0x06,        // called: SSN 6
      0x02, 0x42, 0x08,        // calling: SSN 8
      0x02, 0xA0, 0x00,        // data
  };
  AnomalySet anomalies;
  SccpView view;
  ASSERT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.message_type, sccp_type::kXudts);
  EXPECT_EQ(view.return_cause, 1);
  EXPECT_EQ(view.hop_counter, 5);
  EXPECT_FALSE(view.segmentation.present);
  EXPECT_FALSE(anomalies.any());
}

TEST(Sccp, Ludts) {
  const std::vector<uint8_t> message = {
      0x14,        // message type LUDTS
      0x03,        // return cause 3 (subsystem congestion)
      0x0A,        // hop counter 10
      0x07, 0x00,  // called at 4 + 7 = 11
      0x08, 0x00,  // calling at 6 + 8 = 14
      0x09, 0x00,  // long data at 8 + 9 = 17
      0x00, 0x00,  // no optional part
      0x02, 0x42, 0x06,  // called: SSN 6
      0x02, 0x42, 0x08,  // calling: SSN 8
      0x02, 0x00, 0xA0, 0x00,  // long data, 2 octets
  };
  AnomalySet anomalies;
  SccpView view;
  ASSERT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(view.message_type, sccp_type::kLudts);
  EXPECT_EQ(view.return_cause, 3);
  EXPECT_EQ(view.data.size, 2u);
  EXPECT_FALSE(anomalies.any());
}

// --- Party addresses (§3.4), decoded on their own. ---

TEST(SccpAddress, PointCodeAndSsn) {
  const std::vector<uint8_t> address = {
      0x43,        // AI: RI 1 (SSN), GTI 0, SSN present, PC present
      0xAA, 0x0A,  // PC 0x0AAA = 2730 (ossie/japan_tcap_over_m2pa.pcap frame 1)
      0x01,        // SSN 1 (SCCP management)
  };
  AnomalySet anomalies;
  SccpAddress out;
  ASSERT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(out.routing_indicator, 1);
  EXPECT_EQ(out.gti, 0);
  EXPECT_TRUE(out.has_pc);
  EXPECT_EQ(out.pc, 2730u);
  EXPECT_EQ(out.ssn, 1);
  EXPECT_EQ(out.digits.count, 0);
}

TEST(SccpAddress, PointCodeSpareBitsIgnored) {
  const std::vector<uint8_t> address = {
      0x41,        // AI: RI 1, PC present
      0xFF, 0xFF,  // 14-bit PC 16383; the two high bits are spare
  };
  AnomalySet anomalies;
  SccpAddress out;
  ASSERT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(out.pc, 16383u);  // tshark: sccp.called.pc 16383
  EXPECT_FALSE(out.has_ssn);
}

TEST(SccpAddress, Gti1OddDigits) {
  const std::vector<uint8_t> address = {
      0x06,              // AI: RI 0, GTI 1, SSN present
      0x06,              // SSN 6
      0x84,              // odd (bit 8), NAI 4
      0x21, 0x43, 0x05,  // digits 12345 (the last high nibble is filler)
  };
  AnomalySet anomalies;
  SccpAddress out;
  ASSERT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(out.gti, 1);
  EXPECT_TRUE(out.has_nai);
  EXPECT_EQ(out.nai, 4);
  EXPECT_FALSE(out.has_tt);
  EXPECT_FALSE(out.has_np);
  EXPECT_EQ(text(out.digits), "12345");
}

TEST(SccpAddress, Gti1EvenDigits) {
  const std::vector<uint8_t> address = {
      0x06, 0x06,        // AI: GTI 1, SSN; SSN 6
      0x04,              // even, NAI 4
      0x21, 0x43, 0x65,  // digits 123456
  };
  AnomalySet anomalies;
  SccpAddress out;
  ASSERT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(text(out.digits), "123456");
}

// GTI 2 has no encoding field: every nibble is a digit (tshark: "12345611(spare)").
TEST(SccpAddress, Gti2AllNibbles) {
  const std::vector<uint8_t> address = {
      0x0A, 0x08,              // AI: GTI 2, SSN; SSN 8
      0x00,                    // TT 0
      0x21, 0x43, 0x65, 0xAB,  // 1 2 3 4 5 6 B A
  };
  AnomalySet anomalies;
  SccpAddress out;
  ASSERT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(out.gti, 2);
  EXPECT_TRUE(out.has_tt);
  EXPECT_FALSE(out.has_np);
  EXPECT_EQ(text(out.digits), "123456B?");
}

// GTI 3, encoding scheme 1 (odd), with the nibbles tshark writes as "11", "(spare)", "12":
// tshark shows "11(spare)(spare)12(spare)".
TEST(SccpAddress, Gti3NonDecimalNibbles) {
  const std::vector<uint8_t> address = {
      0x0E, 0x06,        // AI: GTI 3, SSN; SSN 6
      0x00,              // TT 0
      0x11,              // NP 1, ES 1 (odd)
      0xAB, 0xCD, 0x0E,  // B A D C E (the last high nibble is filler)
  };
  AnomalySet anomalies;
  SccpAddress out;
  ASSERT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(out.gti, 3);
  EXPECT_TRUE(out.has_np);
  EXPECT_FALSE(out.has_nai);
  EXPECT_EQ(text(out.digits), "B??C?");
}

// Encoding schemes other than 2 (BCD even) read as odd, as tshark does (ES 0 "unknown" here).
TEST(SccpAddress, Gti3UnknownEncodingReadsAsOdd) {
  const std::vector<uint8_t> address = {
      0x0E, 0x07,        // AI: GTI 3, SSN; SSN 7
      0x00, 0x10,        // TT 0, NP 1 / ES 0
      0x21, 0x43, 0x65,  // tshark: "12345"
  };
  AnomalySet anomalies;
  SccpAddress out;
  ASSERT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(out.es, 0);
  EXPECT_EQ(text(out.digits), "12345");
}

// An even-coded GT whose last nibble is 0xF keeps it (tshark: "12345ST").
TEST(SccpAddress, Gti4EvenWithFillerNibble) {
  const std::vector<uint8_t> address = {
      0x12, 0x06,              // AI: GTI 4, SSN; SSN 6
      0x00, 0x12, 0x04,        // TT 0, NP 1 / ES 2, NAI 4
      0x21, 0x43, 0xF5,        // 1 2 3 4 5 F
  };
  AnomalySet anomalies;
  SccpAddress out;
  ASSERT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(text(out.digits), "12345F");
}

TEST(SccpAddress, NationalIndicatorBitKept) {
  const std::vector<uint8_t> address = {
      0x92,              // AI: national use bit, GTI 4, SSN
      0x06, 0x00, 0x12, 0x04,
      0x21, 0x43,        // 1234
  };
  AnomalySet anomalies;
  SccpAddress out;
  ASSERT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kOk);
  EXPECT_EQ(out.indicator, 0x92);
  EXPECT_EQ(out.gti, 4);
  EXPECT_EQ(text(out.digits), "1234");
}

TEST(SccpAddress, BadAddressEmpty) {
  AnomalySet anomalies;
  SccpAddress out;
  EXPECT_EQ(decode_sccp_address(ByteView{}, out, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpBadAddress));
}

TEST(SccpAddress, BadAddressShortPointCode) {
  const std::vector<uint8_t> address = {0x41, 0xAA};  // PC indicated, one of its two octets
  AnomalySet anomalies;
  SccpAddress out;
  EXPECT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpBadAddress));
}

TEST(SccpAddress, BadAddressMissingSsn) {
  const std::vector<uint8_t> address = {0x42};  // SSN indicated, absent
  AnomalySet anomalies;
  SccpAddress out;
  EXPECT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpBadAddress));
}

TEST(SccpAddress, BadAddressShortGlobalTitle) {
  const std::vector<uint8_t> address = {
      0x12, 0x06,  // AI: GTI 4, SSN; SSN 6
      0x00, 0x11,  // TT, NP/ES; the NAI octet is missing
  };
  AnomalySet anomalies;
  SccpAddress out;
  EXPECT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpBadAddress));
}

// GTI 5 is spare: flagged; the octets are still read as digits, as tshark shows them
// ("2143ST5").
TEST(SccpAddress, BadAddressReservedGti) {
  const std::vector<uint8_t> address = {
      0x16, 0x06,        // AI: GTI 5, SSN; SSN 6
      0x12, 0x34, 0x5F,  // unknown GT format
  };
  AnomalySet anomalies;
  SccpAddress out;
  EXPECT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpBadAddress));
  EXPECT_EQ(out.gti, 5);
  EXPECT_EQ(out.ssn, 6);
  EXPECT_EQ(text(out.digits), "2143F5");
}

TEST(SccpAddress, DigitsCap) {
  std::vector<uint8_t> address = {0x12, 0x06, 0x00, 0x12, 0x04};  // GTI 4, SSN 6, ES 2
  for (int i = 0; i < 17; ++i) address.push_back(0x21);           // 34 digits
  AnomalySet anomalies;
  SccpAddress out;
  EXPECT_EQ(decode_sccp_address(view_of(address), out, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpDigitsCap));
  EXPECT_EQ(out.digits.count, limits::kMaxDigits);
}

// --- Message-level anomalies. ---

TEST(Sccp, TruncatedFixedPart) {
  const std::vector<uint8_t> message = {0x11, 0x00};  // XUDT without its hop counter
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpTruncated));
}

TEST(Sccp, UnknownMessageType) {
  std::vector<uint8_t> message = kUdt;
  message[0] = 0x01;  // CR: connection-oriented, not handled here
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpUnknownMessageType));
}

// Check 1: the pointer itself must be inside the message.
TEST(Sccp, PointerOutsideTheMessage) {
  const std::vector<uint8_t> message = {0x09, 0x00, 0x03, 0x05};  // UDT with 2 of its 3 pointers
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpPointerOutOfRange));
}

// Check 2: its target must be inside the message.
TEST(Sccp, PointerTargetOutsideTheMessage) {
  std::vector<uint8_t> message = kUdt;
  message[4] = 0x40;  // data pointer: 4 + 64 = 68, past the 63-octet message
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpPointerOutOfRange));
}

// Check 3: target + length must be inside the message.
TEST(Sccp, PointerTargetPlusLengthOutsideTheMessage) {
  std::vector<uint8_t> message = kUdt;
  message[29] = 0x22;  // data length 34, 33 octets present
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpPointerOutOfRange));
}

// A target among the pointers themselves: the variable part begins after them (§1.4).
TEST(Sccp, PointerIntoThePointers) {
  std::vector<uint8_t> message = kUdt;
  message[2] = 0x01;  // called "at" offset 3, the calling pointer
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpPointerOutOfRange));
}

TEST(Sccp, MandatoryPointerZero) {
  std::vector<uint8_t> message = kUdt;
  message[3] = 0x00;  // 0 means "absent", impossible for the calling party address
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpPointerOutOfRange));
}

TEST(Sccp, OptionalPointerOutsideTheMessage) {
  std::vector<uint8_t> message = kXudtFirstSegment;
  message[6] = 0x30;  // optional part at 6 + 48, past the 42-octet message
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpPointerOutOfRange));
}

TEST(Sccp, LongDataLengthOutsideTheMessage) {
  std::vector<uint8_t> message = kLudt;
  message[18] = 0x01;  // long data length 0x0103, 3 + 4 octets follow
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpPointerOutOfRange));
}

TEST(Sccp, BadAddressInMessageIsMalformed) {
  const std::vector<uint8_t> message = {
      0x09, 0x00, 0x03, 0x04, 0x07,  // UDT; called at 5, calling at 7, data at 11
      0x01, 0x41,                    // called: 1 octet, PC indicated but absent
      0x02, 0x42, 0x08,              // calling: SSN 8
      0x00,                          // padding octet (not pointed at)
      0x00,                          // data, empty
  };
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kMalformed);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpBadAddress));
}

TEST(Sccp, MissingSsnWithoutSsn) {
  const std::vector<uint8_t> message = {
      0x09, 0x00, 0x03, 0x06, 0x08,  // UDT; called at 5, calling at 9, data at 12
      0x03, 0x01, 0x34, 0x12,        // called: PC 0x1234 only, no SSN
      0x02, 0x42, 0x08,              // calling: SSN 8
      0x01, 0xA0,                    // data
  };
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpMissingSsn));
  EXPECT_EQ(view.called.pc, 0x1234u);
  EXPECT_EQ(view.data.size, 1u);
}

TEST(Sccp, MissingSsnZero) {
  const std::vector<uint8_t> message = {
      0x09, 0x00, 0x03, 0x05, 0x07,  // UDT
      0x02, 0x42, 0x00,              // called: SSN 0 (unknown)
      0x02, 0x42, 0x08,              // calling: SSN 8
      0x01, 0xA0,                    // data
  };
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpMissingSsn));
}

// The calling party's SSN is not checked: only the called one says which application.
TEST(Sccp, CallingWithoutSsnIsNotFlagged) {
  const std::vector<uint8_t> message = {
      0x09, 0x00, 0x03, 0x05, 0x08,  // UDT
      0x02, 0x42, 0x06,              // called: SSN 6
      0x03, 0x41, 0x34, 0x12,        // calling: PC only
      0x01, 0xA0,                    // data
  };
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kOk);
  EXPECT_FALSE(anomalies.any());
}

TEST(Sccp, DigitsCapInMessage) {
  std::vector<uint8_t> message = {0x09, 0x00, 0x03, 0x19, 0x1B};  // UDT; called at 5, calling 28, data 31
  message.push_back(0x16);                                           // called: 22 octets
  message.insert(message.end(), {0x12, 0x06, 0x00, 0x12, 0x04});     //   GTI 4, SSN 6, ES 2
  for (int i = 0; i < 17; ++i) message.push_back(0x21);              //   34 digits
  message.insert(message.end(), {0x02, 0x42, 0x08});                 // calling: SSN 8
  message.insert(message.end(), {0x01, 0xA0});                       // data
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpDigitsCap));
  EXPECT_EQ(view.data.size, 1u);
}

TEST(Sccp, HopCounterZero) {
  std::vector<uint8_t> message = kXudtFirstSegment;
  message[2] = 0x00;
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpHopCounterLow));
  EXPECT_EQ(view.hop_counter, 0);
  EXPECT_TRUE(view.segmentation.present);
}

TEST(Sccp, HopCounterAboveFifteen) {
  std::vector<uint8_t> message = kXudtFirstSegment;
  message[2] = 0x10;
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(message), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpHopCounterLow));
}

// An XUDT whose optional part (at offset 13) is `optional`.
std::vector<uint8_t> xudt_with_optional(const std::vector<uint8_t>& optional) {
  std::vector<uint8_t> message = {
      0x11, 0x00, 0x0F,        // XUDT, class 0, hop counter 15
      0x04, 0x06, 0x08, 0x09,  // called at 7, calling at 10, data at 13... optional at 15
      0x02, 0x42, 0x06,        // called: SSN 6
      0x02, 0x42, 0x08,        // calling: SSN 8
      0x01, 0xA0,              // data
  };
  message.insert(message.end(), optional.begin(), optional.end());
  return message;
}

TEST(Sccp, OptionalPartEmpty) {
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(xudt_with_optional({0x00})), view, anomalies), DecodeStatus::kOk);
  EXPECT_FALSE(anomalies.any());
}

TEST(Sccp, UnknownOptionalParameterSkipped) {
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(xudt_with_optional({
                            0xFA, 0x02, 0x01, 0x02,  // ISNI (ANSI), 2 octets: not inspected
                            0x12, 0x01, 0x03,        // Importance 3
                            0x00,                    // end
                        })),
                        view, anomalies),
            DecodeStatus::kOk);
  EXPECT_EQ(view.importance, 3);
  EXPECT_FALSE(anomalies.any());
}

TEST(Sccp, BadOptionalUnterminated) {
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(xudt_with_optional({0x12, 0x01, 0x03})), view, anomalies),  // no end octet
            DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpBadOptional));
  EXPECT_EQ(view.importance, 3);
  EXPECT_EQ(view.data.size, 1u);
}

TEST(Sccp, BadOptionalParameterPastTheEnd) {
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(xudt_with_optional({0x10, 0x08, 0xC5, 0xD4})), view, anomalies),  // 8 claimed
            DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpBadOptional));
  EXPECT_FALSE(view.segmentation.present);
}

TEST(Sccp, BadOptionalSegmentationLength) {
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(xudt_with_optional({0x10, 0x03, 0xC5, 0xD4, 0xEE, 0x00})), view, anomalies),
            DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpBadOptional));
  EXPECT_FALSE(view.segmentation.present);
}

// Two Segmentation parameters: the destination may reassemble on either; the first is kept.
TEST(Sccp, BadOptionalSecondSegmentation) {
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(xudt_with_optional({
                            0x10, 0x04, 0xC5, 0x01, 0x02, 0x03,  // first, class 1, 5 remaining, ref 0x030201
                            0x10, 0x04, 0x40, 0x01, 0x02, 0x03,  // last, 0 remaining
                            0x00,
                        })),
                        view, anomalies),
            DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpBadOptional));
  EXPECT_TRUE(view.segmentation.first);
  EXPECT_EQ(view.segmentation.remaining, 5);
  EXPECT_EQ(view.segmentation.local_reference, 0x030201u);
}

TEST(Sccp, BadOptionalImportanceLength) {
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(xudt_with_optional({0x12, 0x02, 0x03, 0x00, 0x00})), view, anomalies),
            DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpBadOptional));
  EXPECT_FALSE(view.has_importance);
}

TEST(Sccp, BadOptionalTooManyParameters) {
  std::vector<uint8_t> optional;
  for (unsigned i = 0; i < limits::kMaxSccpOptionalParameters + 1; ++i) optional.insert(optional.end(), {0xF0, 0x00});
  optional.push_back(0x00);
  AnomalySet anomalies;
  SccpView view;
  EXPECT_EQ(decode_sccp(view_of(xudt_with_optional(optional)), view, anomalies), DecodeStatus::kAnomaly);
  EXPECT_TRUE(anomalies.has(Anomaly::kSccpBadOptional));
}

// Every prefix of a valid message is rejected cleanly (no read past the view; ASan checks).
// A cut inside the optional part leaves the mandatory part whole: only bad_optional then.
TEST(Sccp, EveryTruncationIsMalformed) {
  for (const std::vector<uint8_t>* message : {&kUdt, &kLudt}) {
    const uint32_t optional_start = message == &kLudt ? 22 : message->size();
    for (uint32_t size = 0; size < message->size(); ++size) {
      AnomalySet anomalies;
      SccpView view;
      const DecodeStatus status = decode_sccp(ByteView{message->data(), size}, view, anomalies);
      if (size <= optional_start) {
        EXPECT_EQ(status, DecodeStatus::kMalformed) << size;
      } else {
        EXPECT_EQ(status, DecodeStatus::kAnomaly) << size;
        EXPECT_TRUE(anomalies.has(Anomaly::kSccpBadOptional)) << size;
      }
    }
  }
}

}  // namespace
}  // namespace sigwall
