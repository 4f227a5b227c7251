// CAP (TS 29.078): operation names, and initialDP / initialDPSMS / initialDPGPRS /
// eventReportBCSM fields. Real initialDP bytes from ../shared/captures (velyfirewall/camel2.pcap,
// sigcorr/camel.pcap, arkime/m3ua_synthetic.pcap) with the values tshark shows for them, and
// arguments built by hand from the ASN.1 for the rest.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "decode/cap.h"

namespace sigwall {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// [n] IMPLICIT, primitive or constructed (n < 128; the CAP modules use IMPLICIT TAGS).
Bytes ctx(uint32_t n, const Bytes& v, bool constructed = false) {
  const uint8_t first = static_cast<uint8_t>(0x80 | (constructed ? 0x20 : 0));
  Bytes id = n < 31 ? Bytes{static_cast<uint8_t>(first | n)} : Bytes{static_cast<uint8_t>(first | 0x1F), static_cast<uint8_t>(n)};
  return cat({id, {static_cast<uint8_t>(v.size())}, v});
}
Bytes ctxc(uint32_t n, std::initializer_list<Bytes> parts) { return ctx(n, cat(parts), true); }
Bytes seq(std::initializer_list<Bytes> parts) {
  const Bytes body = cat(parts);
  return cat({{0x30, static_cast<uint8_t>(body.size())}, body});
}

struct Decoded {
  DecodeStatus status;
  CapFields fields;
  AnomalySet anomalies;
};

Decoded decode(int32_t opcode, const Bytes& parameter, ComponentType type = ComponentType::kInvoke) {
  Decoded d;
  TcapComponent component;
  component.type = type;
  component.parameter = ByteView{parameter.data(), static_cast<uint32_t>(parameter.size())};
  d.status = decode_cap_component(component, opcode, d.fields, d.anomalies);
  return d;
}

std::string text(const AddressField& f) { return f.present ? std::string(f.digits.text) : std::string("<absent>"); }

void expect_clean(const Decoded& d) {
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  for (unsigned i = 0; i < static_cast<unsigned>(Anomaly::kCount); ++i)
    EXPECT_FALSE(d.anomalies.has(static_cast<Anomaly>(i))) << anomaly_name(static_cast<Anomaly>(i));
}

void expect_only(const Decoded& d, Anomaly anomaly) {
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  for (unsigned i = 0; i < static_cast<unsigned>(Anomaly::kCount); ++i)
    EXPECT_EQ(d.anomalies.has(static_cast<Anomaly>(i)), static_cast<Anomaly>(i) == anomaly)
        << anomaly_name(static_cast<Anomaly>(i));
}

// velyfirewall/camel2.pcap frame 1 (CAP v2 initialDP).
const Bytes kCamel2InitialDp = {
    0x30, 0x6b,                                                  // InitialDPArgument
    0x80, 0x01, 0x6e,                                            // serviceKey [0] 110
    0x82, 0x08, 0x83, 0x90, 0x21, 0x72, 0x10, 0x90, 0x00, 0x0f,  // calledPartyNumber [2]: odd, NAI 3, INN 1, NPI 1
    0x83, 0x03, 0x03, 0x97, 0x57,                                // callingPartyNumber [3]: even, NAI 3, "75"
    0x85, 0x01, 0x0a,                                            // callingPartysCategory [5]
    0x8c, 0x06, 0x83, 0x14, 0x07, 0x01, 0x09, 0x00,              // originalCalledPartyID [12]
    0xbb, 0x05, 0x80, 0x03, 0x80, 0x90, 0xa3,                    // bearerCapability [27]
    0x9c, 0x01, 0x02,                                            // eventTypeBCSM [28] collectedInfo
    0x9d, 0x06, 0x83, 0x14, 0x07, 0x01, 0x09, 0x00,              // redirectingPartyID [29]
    0x9e, 0x02, 0x03, 0x61,                                      // redirectionInformation [30]
    0x9f, 0x32, 0x08, 0x06, 0x07, 0x92, 0x09, 0x10, 0x04, 0x91, 0xf9,  // iMSI [50] 607029900140199
    0xbf, 0x35, 0x03, 0x83, 0x01, 0x11,                          // ext-basicServiceCode [53]
    0x9f, 0x36, 0x05, 0x13, 0xfa, 0x3d, 0x3d, 0xea,              // callReferenceNumber [54]
    0x9f, 0x37, 0x06, 0x91, 0x22, 0x70, 0x57, 0x00, 0x70,        // mscAddress [55] 2207750007
    0x9f, 0x39, 0x08, 0x02, 0x50, 0x11, 0x42, 0x31, 0x01, 0x65, 0x00,  // timeAndTimezone [57]
    0xbf, 0x3b, 0x08, 0x81, 0x06, 0x91, 0x22, 0x70, 0x57, 0x00, 0x70,  // initialDPArgExtension [59]
};

// sigcorr/camel.pcap frame 1 (CAP v2 initialDP over M2UA).
const Bytes kSigcorrInitialDp = {
    0x30, 0x57,                                                  // InitialDPArgument
    0x80, 0x01, 0x2a,                                            // serviceKey [0] 42
    0x83, 0x08, 0x84, 0x11, 0x14, 0x87, 0x09, 0x50, 0x40, 0xf7,  // callingPartyNumber [3]: odd, NAI 4
    0x9c, 0x01, 0x02,                                            // eventTypeBCSM [28]
    0x9f, 0x32, 0x06, 0x14, 0x87, 0x57, 0x25, 0x86, 0xf9,        // iMSI [50] 41787552689
    0xbf, 0x34, 0x14,                                            // locationInformation [52]
    0x81, 0x07, 0x91, 0x33, 0x66, 0x02, 0x00, 0x00, 0xf0,        //   vlr-number [1] 33662000000
    0xa3, 0x09, 0x80, 0x07, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,  // cellGlobalId...[3] { [0] 7 octets }
    0x9f, 0x36, 0x05, 0xa1, 0x23, 0x45, 0x67, 0x8f,              // callReferenceNumber [54]
    0x9f, 0x37, 0x07, 0x91, 0x33, 0x66, 0x02, 0x00, 0x00, 0xf0,  // mscAddress [55]
    0x9f, 0x38, 0x07, 0x11, 0x14, 0x87, 0x08, 0x50, 0x40, 0xf7,  // calledPartyBCDNumber [56]: ext 0, octet 3a 0x14
    0x9f, 0x39, 0x08, 0x02, 0x30, 0x90, 0x02, 0x11, 0x22, 0x33, 0x70,  // timeAndTimezone [57]
};

TEST(CapNames, AsWiresharkShowsThem) {
  EXPECT_STREQ(cap_operation_name(0), "initialDP");
  EXPECT_STREQ(cap_operation_name(20), "connect");
  EXPECT_STREQ(cap_operation_name(22), "releaseCall");
  EXPECT_STREQ(cap_operation_name(23), "requestReportBCSMEvent");
  EXPECT_STREQ(cap_operation_name(24), "eventReportBCSM");
  EXPECT_STREQ(cap_operation_name(31), "continue");
  EXPECT_STREQ(cap_operation_name(35), "applyCharging");
  EXPECT_STREQ(cap_operation_name(60), "initialDPSMS");
  EXPECT_STREQ(cap_operation_name(62), "connectSMS");
  EXPECT_STREQ(cap_operation_name(74), "connectGPRS");
  EXPECT_STREQ(cap_operation_name(78), "initialDPGPRS");
  EXPECT_STREQ(cap_operation_name(86), "disconnectForwardConnectionWithArgument");
  EXPECT_STREQ(cap_operation_name(88), "continueWithArgument");
  EXPECT_STREQ(cap_operation_name(97), "playTone");
  for (int32_t opcode : {-1, 1, 15, 21, 56, 84, 98, 255}) EXPECT_EQ(cap_operation_name(opcode), nullptr) << opcode;
  int defined = 0;
  for (int32_t opcode = 0; opcode < 256; ++opcode) defined += cap_operation_name(opcode) != nullptr;
  EXPECT_EQ(defined, 54);
}

TEST(CapNames, UnknownOperationIsFlagged) {
  expect_only(decode(56, seq({ctx(0, {0x01})})), Anomaly::kCapUnknownOperation);
}

TEST(CapInitialDp, Camel2Capture) {
  const Decoded d = decode(0, kCamel2InitialDp);
  expect_clean(d);
  ASSERT_TRUE(d.fields.has_service_key);
  EXPECT_EQ(d.fields.service_key, 110u);                              // camel.serviceKey
  EXPECT_EQ(text(d.fields.called_party_number), "1227010900F");       // isup.called (0xF is ST)
  EXPECT_EQ(d.fields.called_party_number.nature, 3);
  EXPECT_EQ(text(d.fields.calling_party_number), "75");               // isup.calling
  EXPECT_EQ(d.fields.calling_party_number.nature, 3);
  EXPECT_TRUE(d.fields.has_event_type_bcsm);
  EXPECT_EQ(d.fields.event_type_bcsm, 2);                             // camel.eventTypeBCSM
  EXPECT_EQ(text(d.fields.imsi), "607029900140199");                  // e212.imsi
  EXPECT_EQ(text(d.fields.msc_address), "2207750007");                // e164.msisdn under mscAddress
  EXPECT_EQ(d.fields.msc_address.nature, 0x91);
  EXPECT_FALSE(d.fields.has_cell_id);
}

TEST(CapInitialDp, SigcorrCapture) {
  const Decoded d = decode(0, kSigcorrInitialDp);
  expect_clean(d);
  EXPECT_EQ(d.fields.service_key, 42u);
  EXPECT_EQ(text(d.fields.calling_party_number), "41789005047");
  EXPECT_EQ(d.fields.calling_party_number.nature, 4);
  EXPECT_EQ(text(d.fields.imsi), "41787552689");
  EXPECT_EQ(text(d.fields.location_vlr_number), "33662000000");
  EXPECT_EQ(text(d.fields.msc_address), "33662000000");
  EXPECT_EQ(text(d.fields.called_party_bcd_number), "788005047");     // gsm_a.dtap.cld_party_bcd_num
  EXPECT_EQ(d.fields.called_party_bcd_number.nature, 0x11);
  // The cell id is ASCII "1234567" in this sample: read as TS 23.003 digits all the same.
  ASSERT_TRUE(d.fields.has_cell_id);
  EXPECT_EQ(d.fields.mcc, 132);
  EXPECT_EQ(d.fields.mnc, 333);
  EXPECT_EQ(d.fields.mnc_digits, 3);
  EXPECT_EQ(d.fields.lac, 0x3435);
  EXPECT_EQ(d.fields.cell_id, 0x3637);
}

// arkime/m3ua_synthetic.pcap frame 5: a seven-octet serviceKey. tshark shows its low 32 bits
// (1703348721); it is not an Integer4, so the argument is flagged.
TEST(CapInitialDp, OverlongServiceKey) {
  const Bytes arg = {
      0x30, 0x12,                                                  // InitialDPArgument
      0x80, 0x07, 0x91, 0x21, 0x43, 0x65, 0x87, 0x09, 0xf1,        // serviceKey [0], 7 octets
      0x83, 0x07, 0x91, 0x98, 0x76, 0x54, 0x32, 0x10, 0xf0,        // callingPartyNumber [3]: odd, NAI 17, APRI 2
  };
  const Decoded d = decode(0, arg);
  expect_only(d, Anomaly::kCapMalformedArgument);
  EXPECT_EQ(d.fields.service_key, 1703348721u);
  EXPECT_EQ(text(d.fields.calling_party_number), "674523010");      // isup.calling
  EXPECT_EQ(d.fields.calling_party_number.nature, 17);
}

TEST(CapInitialDp, NegativeServiceKeyIsMalformed) {
  const Decoded d = decode(0, seq({ctx(0, {0x80, 0x00, 0x00, 0x01})}));  // below 0
  expect_only(d, Anomaly::kCapMalformedArgument);
  EXPECT_EQ(d.fields.service_key, 0x80000001u);
}

TEST(CapInitialDp, BuiltWithLocationAndBcdNumber) {
  const Bytes arg = seq({
      ctx(0, {0x01, 0x00}),                                  // serviceKey [0] 256
      ctx(2, {0x84, 0x10, 0x21, 0x43, 0x05}),                // calledPartyNumber [2]: odd, NAI 4, "12345"
      ctx(3, {0x04, 0x13, 0x21, 0x43}),                      // callingPartyNumber [3]: even, NAI 4, "1234"
      ctx(28, {0x02}),                                       // eventTypeBCSM [28]
      ctx(50, {0x32, 0x54, 0x10, 0x32, 0x54, 0x76, 0x98, 0xf0}),  // iMSI [50] 234501234567890
      ctxc(52, {                                             // locationInformation [52]
          {0x02, 0x01, 0x05},                                //   ageOfLocationInformation 5
          ctx(1, {0x91, 0x44, 0x77, 0x00, 0x00, 0x00, 0x20}),  // vlr-number [1] 447700000002
          ctxc(3, {ctx(0, {0x32, 0xf4, 0x51, 0x12, 0x34, 0xab, 0xcd})}),  // [3] { cgi [0]: 234/15, LAC, CI }
      }),
      ctx(55, {0x91, 0x44, 0x77, 0x00, 0x00, 0x00, 0x10}),   // mscAddress [55] 447700000001
      ctx(56, {0x81, 0x21, 0x43, 0xf5}),                     // calledPartyBCDNumber [56]: octet 3, "12345"
  });
  const Decoded d = decode(0, arg);
  expect_clean(d);
  EXPECT_EQ(d.fields.service_key, 256u);
  EXPECT_EQ(text(d.fields.called_party_number), "12345");
  EXPECT_EQ(text(d.fields.calling_party_number), "1234");
  EXPECT_EQ(text(d.fields.imsi), "234501234567890");
  EXPECT_EQ(text(d.fields.location_vlr_number), "447700000002");
  EXPECT_EQ(text(d.fields.msc_address), "447700000001");
  EXPECT_EQ(text(d.fields.called_party_bcd_number), "12345");
  EXPECT_EQ(d.fields.called_party_bcd_number.nature, 0x81);
  ASSERT_TRUE(d.fields.has_cell_id);
  EXPECT_FALSE(d.fields.has_lai);
  EXPECT_EQ(d.fields.mcc, 234);
  EXPECT_EQ(d.fields.mnc, 15);
  EXPECT_EQ(d.fields.mnc_digits, 2);
  EXPECT_EQ(d.fields.lac, 0x1234);
  EXPECT_EQ(d.fields.cell_id, 0xabcd);
}

TEST(CapInitialDp, LaiFormAndThreeDigitMnc) {
  const Bytes arg = seq({
      ctx(0, {0x05}),                                                         // serviceKey [0]
      ctxc(52, {ctxc(3, {ctx(1, {0x13, 0x00, 0x62, 0x00, 0x2a})})}),          // [3] { laiFixedLength [1]: 310/260 }
  });
  const Decoded d = decode(0, arg);
  expect_clean(d);
  EXPECT_FALSE(d.fields.has_cell_id);
  ASSERT_TRUE(d.fields.has_lai);
  EXPECT_EQ(d.fields.mcc, 310);
  EXPECT_EQ(d.fields.mnc, 260);
  EXPECT_EQ(d.fields.mnc_digits, 3);
  EXPECT_EQ(d.fields.lac, 0x002a);
}

TEST(CapInitialDp, IsupHexDigits) {
  // 21 ab 3c de 0e 0f, odd: tshark's isup.called is 12BAC3EDE0F (hex, B/C codes 11/12, F = ST)
  const Decoded d = decode(0, seq({ctx(0, {0x01}), ctx(2, {0x83, 0x90, 0x21, 0xab, 0x3c, 0xde, 0x0e, 0x0f})}));
  expect_clean(d);
  EXPECT_EQ(text(d.fields.called_party_number), "12BAC3EDE0F");
}

TEST(CapInitialDp, BcdEndMarkInTheMiddle) {
  // 91 ab cd e0 2f 43 f5: Wireshark prints #*ba0c?2345 and reports the misplaced end mark
  const Decoded d = decode(0, seq({ctx(0, {0x01}), ctx(56, {0x91, 0xab, 0xcd, 0xe0, 0x2f, 0x43, 0xf5})}));
  expect_only(d, Anomaly::kCapBadAddress);
  EXPECT_EQ(text(d.fields.called_party_bcd_number), "#*ba0c?2345");
}

TEST(CapInitialDp, UnknownExtensionsAreSkipped) {
  const Bytes arg = seq({ctx(0, {0x07}), ctx(100, {0x01}), {0x04, 0x01, 0x00}, ctxc(59, {ctx(1, {0x91, 0x21})})});
  const Decoded d = decode(0, arg);
  expect_clean(d);
  EXPECT_EQ(d.fields.service_key, 7u);
}

TEST(CapInitialDp, MissingServiceKeyIsMalformed) {
  const Decoded d = decode(0, seq({ctx(3, {0x04, 0x13, 0x21, 0x43})}));
  expect_only(d, Anomaly::kCapMalformedArgument);
  EXPECT_EQ(text(d.fields.calling_party_number), "1234");
}

TEST(CapInitialDp, DuplicateComponentIsMalformed) {
  const Decoded d = decode(0, seq({ctx(0, {0x07}), ctx(0, {0x08})}));
  expect_only(d, Anomaly::kCapMalformedArgument);
  EXPECT_EQ(d.fields.service_key, 7u);
}

TEST(CapInitialDp, NotASequenceIsMalformed) {
  expect_only(decode(0, ctx(0, {0x07})), Anomaly::kCapMalformedArgument);
  expect_only(decode(0, {}), Anomaly::kCapMalformedArgument);
}

TEST(CapInitialDp, CellIdChoiceWithTwoAlternativesIsMalformed) {
  const Bytes cgi = {0x32, 0xf4, 0x51, 0x12, 0x34, 0xab, 0xcd};
  const Decoded d = decode(0, seq({ctx(0, {0x01}), ctxc(52, {ctxc(3, {ctx(0, cgi), ctx(0, cgi)})})}));
  expect_only(d, Anomaly::kCapMalformedArgument);
}

TEST(CapBadAddress, CallingPartyNumberOfOneOctet) {
  const Decoded d = decode(0, seq({ctx(0, {0x01}), ctx(3, {0x04})}));
  expect_only(d, Anomaly::kCapBadAddress);
  EXPECT_FALSE(d.fields.calling_party_number.present);
}

TEST(CapBadAddress, CalledPartyNumberTooLong) {
  Bytes number = {0x04, 0x10};
  number.insert(number.end(), 17, 0x11);  // 19 octets > 18
  const Decoded d = decode(0, seq({ctx(0, {0x01}), ctx(2, number)}));
  expect_only(d, Anomaly::kCapBadAddress);
}

TEST(CapBadAddress, ImsiTooLong) {
  const Decoded d = decode(0, seq({ctx(0, {0x01}), ctx(50, {0x32, 0x14, 0x10, 0x32, 0x54, 0x76, 0x98, 0x10, 0x32})}));
  expect_only(d, Anomaly::kCapBadAddress);
}

TEST(CapBadAddress, CellIdOfWrongSize) {
  const Decoded d = decode(0, seq({ctx(0, {0x01}), ctxc(52, {ctxc(3, {ctx(0, {0x32, 0xf4, 0x51})})})}));
  expect_only(d, Anomaly::kCapBadAddress);
  EXPECT_FALSE(d.fields.has_cell_id);
}

TEST(CapBadAddress, NonDecimalMcc) {
  const Decoded d = decode(0, seq({ctx(0, {0x01}), ctxc(52, {ctxc(3, {ctx(1, {0x3a, 0xf4, 0x51, 0x00, 0x01})})})}));
  expect_only(d, Anomaly::kCapBadAddress);
}

TEST(CapInitialDpSms, Fields) {
  const Bytes arg = seq({
      ctx(0, {0x02}),                                          // serviceKey [0]
      ctx(1, {0x91, 0x44, 0x77, 0x00, 0x00, 0x00, 0x30}),      // destinationSubscriberNumber [1] (BCD)
      ctx(2, {0x91, 0x44, 0x77, 0x00, 0x90, 0x10, 0x32}),      // callingPartyNumber [2] SMS-AddressString
      ctx(3, {0x01}),                                          // eventTypeSMS [3]
      ctx(4, {0x32, 0x14, 0x10, 0x32, 0x54, 0x76, 0x98, 0xf0}),  // iMSI [4]
      ctxc(5, {ctx(1, {0x91, 0x44, 0x77, 0x00, 0x00, 0x00, 0x20})}),  // locationInformationMSC [5]
      ctx(7, {0x91, 0x44, 0x77, 0x00, 0x00, 0x00, 0x60}),      // sMSCAddress [7] (not kept)
      ctx(15, {0x91, 0x44, 0x77, 0x00, 0x00, 0x00, 0x10}),     // mscAddress [15]
  });
  const Decoded d = decode(60, arg);
  expect_clean(d);
  EXPECT_EQ(d.fields.service_key, 2u);
  EXPECT_EQ(text(d.fields.called_party_bcd_number), "447700000003");
  EXPECT_EQ(text(d.fields.calling_party_number), "447700090123");
  EXPECT_EQ(d.fields.calling_party_number.nature, 0x91);
  EXPECT_EQ(text(d.fields.imsi), "234101234567890");
  EXPECT_EQ(text(d.fields.location_vlr_number), "447700000002");
  EXPECT_EQ(text(d.fields.msc_address), "447700000001");
}

TEST(CapInitialDpGprs, Fields) {
  const Bytes arg = seq({
      ctx(0, {0x03}),                                            // serviceKey [0]
      ctx(1, {0x0b}),                                            // gPRSEventType [1]
      ctx(2, {0x91, 0x44, 0x77, 0x00, 0x90, 0x10, 0x32}),        // mSISDN [2] (not kept)
      ctx(3, {0x32, 0x14, 0x10, 0x32, 0x54, 0x76, 0x98, 0xf0}),  // iMSI [3]
      ctx(4, {0x02, 0x30, 0x90, 0x02, 0x11, 0x22, 0x33, 0x70}),  // timeAndTimeZone [4]
  });
  const Decoded d = decode(78, arg);
  expect_clean(d);
  EXPECT_EQ(d.fields.service_key, 3u);
  EXPECT_EQ(text(d.fields.imsi), "234101234567890");
  expect_only(decode(78, seq({ctx(0, {0x03})})), Anomaly::kCapMalformedArgument);  // iMSI is mandatory
}

// velyfirewall/camel2.pcap frame 3: eventReportBCSM { eventTypeBCSM [0] oAnswer, ... }.
TEST(CapEventReportBcsm, FromCapture) {
  const Bytes arg = {0x30, 0x10, 0x80, 0x01, 0x04, 0xa2, 0x06, 0xa2, 0x04, 0x80, 0x02, 0x84, 0x90, 0xa3, 0x03, 0x81, 0x01, 0x02};
  const Decoded d = decode(24, arg);
  expect_clean(d);
  ASSERT_TRUE(d.fields.has_event_type_bcsm);
  EXPECT_EQ(d.fields.event_type_bcsm, 4);
  EXPECT_FALSE(d.fields.has_service_key);
}

TEST(CapOtherOperations, DecodeNothing) {
  // releaseCall (velyfirewall/camel2.pcap frame 4: Cause 84 95) and continue without argument.
  expect_clean(decode(22, {0x04, 0x02, 0x84, 0x95}));
  expect_clean(decode(31, {}));
  const Decoded connect = decode(20, {0x30, 0x09, 0xa0, 0x07, 0x04, 0x05, 0x02, 0x10, 0x79, 0x22, 0x10});
  expect_clean(connect);
  EXPECT_FALSE(connect.fields.any());
}

TEST(CapComponents, OnlyInvokesAreRead) {
  for (ComponentType type : {ComponentType::kReturnResultLast, ComponentType::kReturnError, ComponentType::kReject}) {
    const Decoded d = decode(0, kCamel2InitialDp, type);
    expect_clean(d);
    EXPECT_FALSE(d.fields.any());
  }
}

TEST(CapComponents, Any) {
  CapFields f;
  EXPECT_FALSE(f.any());
  f.has_lai = true;
  EXPECT_TRUE(f.any());
  CapFields g;
  g.called_party_bcd_number.present = true;
  EXPECT_TRUE(g.any());
}

TEST(CapTruncation, EveryLengthOfInitialDp) {
  for (const Bytes* full : {&kCamel2InitialDp, &kSigcorrInitialDp}) {
    for (size_t n = 0; n < full->size(); ++n) {
      const Bytes prefix(full->begin(), full->begin() + static_cast<long>(n));
      const Decoded d = decode(0, prefix);
      EXPECT_EQ(d.status, DecodeStatus::kAnomaly) << n;
      EXPECT_TRUE(d.anomalies.has(Anomaly::kCapMalformedArgument)) << n;
    }
    expect_clean(decode(0, *full));
  }
}

}  // namespace
}  // namespace sigwall
