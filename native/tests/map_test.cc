// GSM MAP (TS 29.002): operation names, and the screened fields of each screened operation's
// argument and result in their v1/v2/v3 shapes. Parameters are built by hand from the ASN.1
// (§17.7) with a small BER builder, one comment per field; a few are real bytes from the
// captures in ../shared/captures (named after their file and frame).
#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "decode/map.h"

namespace sigwall {
namespace {

using Bytes = std::vector<uint8_t>;

// ---- a tiny BER builder (X.690 definite lengths) -------------------------------------------

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes length_octets(size_t n) {
  if (n < 0x80) return {static_cast<uint8_t>(n)};
  if (n <= 0xFF) return {0x81, static_cast<uint8_t>(n)};
  return {0x82, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
}

// Identifier octets for class (0 universal, 2 context), constructed flag and tag number.
Bytes identifier(uint8_t cls, bool constructed, uint32_t number) {
  const uint8_t first = static_cast<uint8_t>((cls << 6) | (constructed ? 0x20 : 0));
  if (number < 31) return {static_cast<uint8_t>(first | number)};
  return {static_cast<uint8_t>(first | 0x1F), static_cast<uint8_t>(number)};  // numbers < 128 here
}

Bytes tlv(const Bytes& id, const Bytes& value) { return cat({id, length_octets(value.size()), value}); }

Bytes seq(std::initializer_list<Bytes> parts) { return tlv({0x30}, cat(parts)); }
Bytes os(const Bytes& v) { return tlv({0x04}, v); }                                   // OCTET STRING
Bytes ctx(uint32_t n, const Bytes& v) { return tlv(identifier(2, false, n), v); }       // [n] primitive
Bytes ctxc(uint32_t n, std::initializer_list<Bytes> parts) {                          // [n] constructed
  return tlv(identifier(2, true, n), cat(parts));
}
Bytes integer(uint8_t v) { return tlv({0x02}, {v}); }
Bytes enumerated(uint8_t v) { return tlv({0x0a}, {v}); }
Bytes null() { return {0x05, 0x00}; }

// TBCD (TS 29.002 §17.7.8): two digits per octet, low nibble first, 0xF filler.
Bytes tbcd(const std::string& digits) {
  Bytes out;
  for (size_t i = 0; i < digits.size(); i += 2) {
    const uint8_t lo = static_cast<uint8_t>(digits[i] - '0');
    const uint8_t hi = i + 1 < digits.size() ? static_cast<uint8_t>(digits[i + 1] - '0') : 0x0F;
    out.push_back(static_cast<uint8_t>(lo | (hi << 4)));
  }
  return out;
}

// AddressString: nature-of-address octet (0x91: no extension, international, E.164), then TBCD.
Bytes address(const std::string& digits, uint8_t nature = 0x91) { return cat({{nature}, tbcd(digits)}); }

// ---- the values used throughout -------------------------------------------------------------

const std::string kImsi = "234101234567890";
const Bytes kImsiBytes = {0x32, 0x14, 0x10, 0x32, 0x54, 0x76, 0x98, 0xf0};  // 234101234567890
const Bytes kMsisdnBytes = address("447700900123");                          // 91 44 77 00 09 10 32
const Bytes kMscBytes = address("447700000001");
const Bytes kVlrBytes = address("447700000002");
const Bytes kSgsnBytes = address("447700000003");
const Bytes kHlrBytes = address("447700000004");
const Bytes kScfBytes = address("447700000005");
const Bytes kScaBytes = address("447700000006");
const Bytes kLmsi = {0x01, 0x02, 0x03, 0x04};
const Bytes kSmRpUi = {0x04, 0x0b, 0x91, 0x44, 0x77, 0x00};  // a TPDU fragment (not decoded)

// ---- running the decoder -----------------------------------------------------------------

struct Decoded {
  DecodeStatus status;
  MapFields fields;
  AnomalySet anomalies;
};

Decoded decode(int32_t opcode, const Bytes& parameter, ComponentType type = ComponentType::kInvoke) {
  Decoded d;
  TcapComponent component;
  component.type = type;
  component.parameter = ByteView{parameter.data(), static_cast<uint32_t>(parameter.size())};
  d.status = decode_map_component(component, opcode, d.fields, d.anomalies);
  return d;
}

Decoded result(int32_t opcode, const Bytes& parameter) {
  return decode(opcode, parameter, ComponentType::kReturnResultLast);
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

// ---- names --------------------------------------------------------------------------------

TEST(MapNames, AsWiresharkShowsThem) {
  EXPECT_STREQ(map_operation_name(2), "updateLocation");
  EXPECT_STREQ(map_operation_name(3), "cancelLocation");
  EXPECT_STREQ(map_operation_name(7), "insertSubscriberData");
  EXPECT_STREQ(map_operation_name(9), "sendParameters");  // reserved for v1 (§17.5)
  EXPECT_STREQ(map_operation_name(22), "sendRoutingInfo");
  EXPECT_STREQ(map_operation_name(44), "mt-forwardSM");
  EXPECT_STREQ(map_operation_name(45), "sendRoutingInfoForSM");
  EXPECT_STREQ(map_operation_name(46), "mo-forwardSM");
  EXPECT_STREQ(map_operation_name(56), "sendAuthenticationInfo");
  EXPECT_STREQ(map_operation_name(59), "processUnstructuredSS-Request");
  EXPECT_STREQ(map_operation_name(62), "anyTimeSubscriptionInterrogation");
  EXPECT_STREQ(map_operation_name(71), "anyTimeInterrogation");
  EXPECT_STREQ(map_operation_name(78), "secureTransportClass1");
  EXPECT_STREQ(map_operation_name(85), "sendRoutingInfoForLCS");
  EXPECT_STREQ(map_operation_name(89), "noteMM-Event");
}

TEST(MapNames, UndefinedOpcodesHaveNoName) {
  for (int32_t opcode : {-666, -1, 0, 1, 16, 27, 82, 90, 109, 126, 127, 255, 100000})
    EXPECT_EQ(map_operation_name(opcode), nullptr) << opcode;
  int defined = 0;
  for (int32_t opcode = 0; opcode < 256; ++opcode) defined += map_operation_name(opcode) != nullptr;
  EXPECT_EQ(defined, 85);  // 2..89 less 16, 27 and 82
}

TEST(MapNames, UnknownOperationIsFlagged) {
  const Decoded d = decode(27, seq({os(kImsiBytes)}));
  expect_only(d, Anomaly::kMapUnknownOperation);
  EXPECT_FALSE(d.fields.any());
}

// Real bytes: pwnss7/negative-opcode.pcap carries a USSD argument under opcode -666.
TEST(MapNames, NegativeOpcodeIsUnknown) {
  const Bytes ussd = {0x30, 0x1c, 0x04, 0x01, 0x0f, 0x04, 0x0e, 0xaa, 0x18, 0x0d, 0xa6, 0x82, 0xdd, 0x6c, 0x31, 0x19,
                      0x2d, 0x36, 0xbb, 0xdd, 0x46, 0x80, 0x07, 0x91, 0x72, 0x67, 0x41, 0x58, 0x27, 0xf2};
  expect_only(decode(-666, ussd), Anomaly::kMapUnknownOperation);
}

// ---- location management -------------------------------------------------------------------

TEST(MapUpdateLocation, V3Arg) {
  const Bytes arg = seq({
      os(kImsiBytes),       // imsi IMSI
      ctx(1, kMscBytes),    // msc-Number [1] ISDN-AddressString
      os(kVlrBytes),        // vlr-Number ISDN-AddressString
      ctx(10, kLmsi),       // lmsi [10] LMSI
      ctxc(6, {ctx(0, {0x03, 0xc0})}),  // vlr-Capability [6] { supportedCamelPhases [0] }
  });
  const Decoded d = decode(2, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
  EXPECT_EQ(d.fields.imsi.nature, 0);
  EXPECT_EQ(text(d.fields.msc_number), "447700000001");
  EXPECT_EQ(d.fields.msc_number.nature, 0x91);
  EXPECT_EQ(text(d.fields.vlr_number), "447700000002");
  EXPECT_FALSE(d.fields.msisdn.present);
}

TEST(MapUpdateLocation, V1ArgWithRoamingNumber) {
  const Bytes arg = seq({
      os(kImsiBytes),                     // imsi
      ctx(0, address("447700000009")),    // locationInfo CHOICE: roamingNumber [0]
      os(kVlrBytes),                      // vlr-Number
  });
  const Decoded d = decode(2, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
  EXPECT_FALSE(d.fields.msc_number.present);
  EXPECT_EQ(text(d.fields.vlr_number), "447700000002");
}

// Real bytes: sigcorr/atk021_imsi_catcher.pcap frame 1, an updateLocation without vlr-Number.
TEST(MapUpdateLocation, MissingVlrNumberIsMalformed) {
  const Bytes arg = {
      0x30, 0x13,                                                  // UpdateLocationArg
      0x04, 0x08, 0x32, 0x14, 0x10, 0x32, 0x54, 0x76, 0x98, 0xf0,  // imsi 234101234567890
      0x81, 0x07, 0x91, 0x94, 0x71, 0x02, 0x00, 0x00, 0x00,        // msc-Number 491720000000
  };
  const Decoded d = decode(2, arg);
  expect_only(d, Anomaly::kMapMalformedArgument);
  EXPECT_EQ(text(d.fields.imsi), kImsi);  // what was decoded is kept
  EXPECT_EQ(text(d.fields.msc_number), "491720000000");
}

TEST(MapUpdateLocation, Results) {
  const Decoded v3 = result(2, seq({os(kHlrBytes)}));  // UpdateLocationRes { hlr-Number }
  expect_clean(v3);
  EXPECT_EQ(text(v3.fields.hlr_number), "447700000004");
  const Decoded v1 = result(2, os(kHlrBytes));  // v1: the hlr-Number alone
  expect_clean(v1);
  EXPECT_EQ(text(v1.fields.hlr_number), "447700000004");
}

TEST(MapUpdateLocation, UnknownExtensionsAreSkipped) {
  const Bytes arg = seq({
      os(kImsiBytes), ctx(1, kMscBytes), os(kVlrBytes),
      seq({ctxc(0, {seq({tlv({0x06}, {0x2a, 0x03}), null()})})}),  // extensionContainer { privateExtensionList }
      ctx(20, {0x01, 0x02}),                                        // an extension not yet defined
      tlv({0xbf, 0x40}, {0x80, 0x00}),                              // [64] constructed, ditto
  });
  const Decoded d = decode(2, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.vlr_number), "447700000002");
}

TEST(MapUpdateLocation, IndefiniteLengthIsReadThrough) {
  const Bytes arg = cat({{0x30, 0x80}, os(kImsiBytes), ctx(1, kMscBytes), os(kVlrBytes), {0x00, 0x00}});
  const Decoded d = decode(2, arg);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kBerIndefiniteLength));
  EXPECT_FALSE(d.anomalies.has(Anomaly::kMapMalformedArgument));
  EXPECT_EQ(text(d.fields.imsi), kImsi);
  EXPECT_EQ(text(d.fields.vlr_number), "447700000002");
}

TEST(MapUpdateGprsLocation, ArgAndResult) {
  const Bytes arg = seq({
      os(kImsiBytes),                                   // imsi
      os(kSgsnBytes),                                   // sgsn-Number
      os({0x04, 0xc0, 0xa8, 0x00, 0x01}),               // sgsn-Address GSN-Address (not a number)
      ctxc(0, {null()}),                                // sgsn-Capability [0]
  });
  const Decoded d = decode(23, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
  EXPECT_EQ(text(d.fields.sgsn_number), "447700000003");
  const Decoded res = result(23, seq({os(kHlrBytes)}));  // UpdateGprsLocationRes { hlr-Number }
  expect_clean(res);
  EXPECT_EQ(text(res.fields.hlr_number), "447700000004");
}

TEST(MapCancelLocation, V3WithImsi) {
  const Bytes arg = ctxc(3, {   // CancelLocationArg ::= [3] SEQUENCE
      os(kImsiBytes),           // identity: imsi
      enumerated(0),            // cancellationType updateProcedure
  });
  const Decoded d = decode(3, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
}

TEST(MapCancelLocation, V3WithImsiWithLmsi) {
  const Bytes arg = ctxc(3, {
      seq({os(kImsiBytes), os(kLmsi)}),  // identity: imsi-WithLMSI { imsi, lmsi }
      enumerated(1),                     // cancellationType subscriptionWithdraw
      seq({}),                           // extensionContainer (a SEQUENCE too, not the identity)
  });
  const Decoded d = decode(3, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
}

TEST(MapCancelLocation, V2IdentityAlone) {
  const Decoded bare = decode(3, os(kImsiBytes));  // v1/v2: CancelLocationArg ::= Identity (imsi)
  expect_clean(bare);
  EXPECT_EQ(text(bare.fields.imsi), kImsi);
  const Decoded with_lmsi = decode(3, seq({os(kImsiBytes), os(kLmsi)}));  // Identity: imsi-WithLMSI
  expect_clean(with_lmsi);
  EXPECT_EQ(text(with_lmsi.fields.imsi), kImsi);
}

// Real bytes: sigcorr/atk006_subscriber_dos.pcap frame 1. A v3 body without its [3] tag reads
// as v2's IMSI-WithLMSI, whose lmsi is missing (Wireshark reports the same).
TEST(MapCancelLocation, ImsiWithLmsiWithoutLmsiIsMalformed) {
  const Bytes arg = {
      0x30, 0x0d,                                                  // IMSI-WithLMSI
      0x04, 0x08, 0x32, 0x14, 0x10, 0x32, 0x54, 0x76, 0x98, 0xf0,  // imsi 234101234567890
      0x0a, 0x01, 0x00,                                            // an ENUMERATED, not an LMSI
  };
  const Decoded d = decode(3, arg);
  expect_only(d, Anomaly::kMapMalformedArgument);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
}

TEST(MapPurgeMs, V3AndV2) {
  const Bytes v3 = ctxc(3, {    // PurgeMS-Arg ::= [3] SEQUENCE
      os(kImsiBytes),           // imsi
      ctx(0, kVlrBytes),        // vlr-Number [0]
      ctx(1, kSgsnBytes),       // sgsn-Number [1]
  });
  const Decoded d3 = decode(67, v3);
  expect_clean(d3);
  EXPECT_EQ(text(d3.fields.imsi), kImsi);
  EXPECT_EQ(text(d3.fields.vlr_number), "447700000002");
  EXPECT_EQ(text(d3.fields.sgsn_number), "447700000003");
  const Bytes v2 = seq({os(kImsiBytes), os(kVlrBytes)});  // PurgeMSArgV2 { imsi, vlr-Number }
  const Decoded d2 = decode(67, v2);
  expect_clean(d2);
  EXPECT_EQ(text(d2.fields.imsi), kImsi);
  EXPECT_EQ(text(d2.fields.vlr_number), "447700000002");
}

TEST(MapSendIdentification, ArgAndResults) {
  const Bytes arg = seq({
      os({0x01, 0x02, 0x03, 0x04}),  // tmsi
      integer(3),                    // numberOfRequestedVectors
      os(kMscBytes),                 // msc-Number (v3 extension)
  });
  const Decoded d = decode(55, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.msc_number), "447700000001");
  expect_clean(decode(55, os({0x01, 0x02, 0x03, 0x04})));  // v2: the TMSI alone
  const Decoded v3 = result(55, ctxc(3, {os(kImsiBytes)}));  // SendIdentificationRes [3] { imsi }
  expect_clean(v3);
  EXPECT_EQ(text(v3.fields.imsi), kImsi);
  const Decoded v2 = result(55, seq({os(kImsiBytes)}));  // v2 SEQUENCE { imsi, tripletList }
  expect_clean(v2);
  EXPECT_EQ(text(v2.fields.imsi), kImsi);
}

TEST(MapSendAuthenticationInfo, V3AndV2) {
  const Bytes v3 = seq({ctx(0, kImsiBytes), integer(5)});  // imsi [0], numberOfRequestedVectors
  const Decoded d3 = decode(56, v3);
  expect_clean(d3);
  EXPECT_EQ(text(d3.fields.imsi), kImsi);
  const Decoded d2 = decode(56, os(kImsiBytes));  // v2: SendAuthenticationInfoArg ::= IMSI
  expect_clean(d2);
  EXPECT_EQ(text(d2.fields.imsi), kImsi);
}

TEST(MapAuthenticationFailureReport, Arg) {
  const Decoded d = decode(15, seq({os(kImsiBytes), enumerated(0), ctx(0, kVlrBytes)}));
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
  EXPECT_EQ(text(d.fields.vlr_number), "447700000002");
}

TEST(MapCheckImei, V3AndV2) {
  const Bytes imei = tbcd("3534910512345670");  // IMEI, 16 nibbles (8 octets)
  const Decoded d3 = decode(43, seq({os(imei), tlv({0x03}, {0x06, 0x80})}));  // imei, requestedEquipmentInfo
  expect_clean(d3);
  EXPECT_EQ(text(d3.fields.imei), "3534910512345670");
  EXPECT_FALSE(d3.fields.imsi.present);
  const Decoded d2 = decode(43, os(imei));  // v2: CheckIMEI-Arg ::= IMEI
  expect_clean(d2);
  EXPECT_EQ(text(d2.fields.imei), "3534910512345670");
}

TEST(MapReset, V2AndV1) {
  const Bytes v2 = seq({
      os(kHlrBytes),                                 // sendingNodenumber: hlr-Number
      seq({os({0x32, 0x14, 0x10}), os({0x32, 0x14, 0x20})}),  // hlr-List
  });
  const Decoded d2 = decode(37, v2);
  expect_clean(d2);
  EXPECT_EQ(text(d2.fields.hlr_number), "447700000004");
  const Decoded d1 = decode(37, seq({enumerated(1), os(kHlrBytes)}));  // v1: networkResource hlr, hlr-Number
  expect_clean(d1);
  EXPECT_EQ(text(d1.fields.hlr_number), "447700000004");
}

TEST(MapRestoreData, ArgAndResult) {
  const Decoded d = decode(57, seq({os(kImsiBytes), os(kLmsi)}));
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
  const Decoded r = result(57, seq({os(kHlrBytes), null()}));  // hlr-Number, msNotReachable
  expect_clean(r);
  EXPECT_EQ(text(r.fields.hlr_number), "447700000004");
}

// ---- subscriber management -------------------------------------------------------------------

TEST(MapInsertSubscriberData, ImsiMsisdnAndOCsiGsmScf) {
  const Bytes arg = seq({
      ctx(0, kImsiBytes),            // imsi [0]
      ctx(1, kMsisdnBytes),          // SubscriberData msisdn [1]
      ctx(2, {0x0a}),                // category [2]
      ctxc(13, {                     // vlrCamelSubscriptionInfo [13]
          ctxc(0, {                  //   o-CSI [0]
              seq({                  //     o-BcsmCamelTDPDataList
                  seq({              //       O-BcsmCamelTDPData
                      enumerated(2),           // o-BcsmTriggerDetectionPoint collectedInfo
                      integer(11),             // serviceKey
                      ctx(0, kScfBytes),       // gsmSCF-Address [0]
                      ctx(1, {0x00}),          // defaultCallHandling [1]
                  }),
              }),
              ctx(0, {0x02}),        //     camelCapabilityHandling [0]
          }),
      }),
      ctx(34, kSgsnBytes),           // sgsn-Number [34] (high tag number form)
  });
  const Decoded d = decode(7, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
  EXPECT_EQ(text(d.fields.msisdn), "447700900123");
  EXPECT_EQ(text(d.fields.gsmscf_address), "447700000005");
  EXPECT_EQ(text(d.fields.sgsn_number), "447700000003");
}

TEST(MapInsertSubscriberData, GsmScfInSmsAndTerminatingCsi) {
  const Bytes sms = seq({
      ctxc(13, {                      // vlrCamelSubscriptionInfo [13]
          ctxc(6, {                   //   mo-sms-CSI [6] SMS-CSI
              ctxc(0, {               //     sms-CAMEL-TDP-DataList [0]
                  seq({ctx(0, {0x01}), ctx(1, {0x05}), ctx(2, kScfBytes), ctx(3, {0x00})}),
              }),                     //       trigger [0], serviceKey [1], gsmSCF-Address [2], default [3]
          }),
      }),
  });
  const Decoded d = decode(7, sms);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.gsmscf_address), "447700000005");
  EXPECT_FALSE(d.fields.imsi.present);  // imsi [0] is OPTIONAL in ISD

  const Bytes vt = seq({
      ctx(0, kImsiBytes),
      ctxc(13, {ctxc(7, {seq({seq({enumerated(12), integer(1), ctx(0, kScfBytes), ctx(1, {0x00})})})})}),  // vt-CSI [7]
  });
  const Decoded t = decode(7, vt);
  expect_clean(t);
  EXPECT_EQ(text(t.fields.gsmscf_address), "447700000005");
}

// Real bytes: sigcorr/ss7_interception_setup.pcap frame 2 (ISD with only an IMSI).
TEST(MapInsertSubscriberData, RealCaptureImsiOnly) {
  const Bytes arg = {0x30, 0x0a, 0x80, 0x08, 0x32, 0x14, 0x90, 0x78, 0x56, 0x34, 0x12, 0xf0};  // imsi [0]
  const Decoded d = decode(7, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), "234109876543210");
}

TEST(MapDeleteSubscriberData, Arg) {
  const Decoded d = decode(8, seq({ctx(0, kImsiBytes), ctxc(1, {ctx(3, {0x11})})}));  // imsi [0], basicServiceList [1]
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
}

TEST(MapNoteSubscriberDataModified, ImsiMsisdnAndCsi) {
  const Bytes arg = seq({
      os(kImsiBytes), os(kMsisdnBytes),  // imsi, msisdn
      ctxc(3, {ctxc(12, {seq({os({0x00})}), integer(3), ctx(0, kScfBytes)})}),  // camel-SubscriptionInfo { m-CSI [12] }
  });
  const Decoded d = decode(5, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.msisdn), "447700900123");
  EXPECT_EQ(text(d.fields.gsmscf_address), "447700000005");
}

// ---- call handling ------------------------------------------------------------------------

// Real bytes: sigcorr/normal_traffic.pcap frame 1.
TEST(MapSendRoutingInfo, Arg) {
  const Bytes arg = {
      0x30, 0x0c,                                            // SendRoutingInfoArg
      0x80, 0x07, 0x91, 0x44, 0x77, 0x00, 0x00, 0x00, 0x10,  // msisdn [0] 447700000001
      0x83, 0x01, 0x00,                                      // interrogationType [3] basicCall
  };
  const Decoded d = decode(22, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.msisdn), "447700000001");
  EXPECT_EQ(d.fields.msisdn.nature, 0x91);
}

TEST(MapSendRoutingInfo, ResultV3AndV2) {
  const Bytes v3 = ctxc(3, {      // SendRoutingInfoRes ::= [3] SEQUENCE
      ctx(9, kImsiBytes),         // imsi [9]
      os(address("447700000009")),  // extendedRoutingInfo: routingInfo: roamingNumber
      ctx(2, kMscBytes),          // vmsc-Address [2]
      ctx(12, kMsisdnBytes),      // msisdn [12]
  });
  const Decoded d3 = result(22, v3);
  expect_clean(d3);
  EXPECT_EQ(text(d3.fields.imsi), kImsi);
  EXPECT_EQ(text(d3.fields.msc_number), "447700000001");
  EXPECT_EQ(text(d3.fields.msisdn), "447700900123");
  const Decoded d2 = result(22, seq({os(kImsiBytes), os(address("447700000009"))}));  // v2 { imsi, roamingNumber }
  expect_clean(d2);
  EXPECT_EQ(text(d2.fields.imsi), kImsi);
  EXPECT_FALSE(d2.fields.msc_number.present);
}

TEST(MapProvideRoamingNumber, ArgAndResult) {
  const Bytes arg = seq({
      ctx(0, kImsiBytes),     // imsi [0]
      ctx(1, kMscBytes),      // msc-Number [1]
      ctx(2, kMsisdnBytes),   // msisdn [2]
      ctx(8, kHlrBytes),      // gmsc-Address [8] (not screened)
  });
  const Decoded d = decode(4, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
  EXPECT_EQ(text(d.fields.msc_number), "447700000001");
  EXPECT_EQ(text(d.fields.msisdn), "447700900123");
  const Decoded r = result(4, seq({os(address("447700000009")), null(), os(kMscBytes)}));  // roamingNumber, ..., vmsc-Address
  expect_clean(r);
  EXPECT_EQ(text(r.fields.msc_number), "447700000001");
  expect_clean(result(4, os(address("447700000009"))));  // v2: the roaming number alone
}

// ---- short messages --------------------------------------------------------------------------

TEST(MapSendRoutingInfoForSm, Arg) {
  const Bytes arg = seq({
      ctx(0, kMsisdnBytes),   // msisdn [0]
      ctx(1, {0xff}),         // sm-RP-PRI [1] BOOLEAN
      ctx(2, kScaBytes),      // serviceCentreAddress [2] AddressString
      ctx(12, kImsiBytes),    // imsi [12]
  });
  const Decoded d = decode(45, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.msisdn), "447700900123");
  EXPECT_EQ(text(d.fields.service_centre_address), "447700000006");
  EXPECT_EQ(text(d.fields.imsi), kImsi);
}

// Real bytes: velyfirewall/output.pcap frame 5, tshark: e212.imsi 368016991122338,
// networkNode-Number e164.msisdn 9999999999.
TEST(MapSendRoutingInfoForSm, ResultFromCapture) {
  const Bytes res = {
      0x30, 0x14,                                                  // RoutingInfoForSM-Res
      0x04, 0x08, 0x63, 0x08, 0x61, 0x99, 0x11, 0x22, 0x33, 0xf8,  // imsi
      0xa0, 0x08,                                                  // locationInfoWithLMSI [0]
      0x81, 0x06, 0x91, 0x99, 0x99, 0x99, 0x99, 0x99,              //   networkNode-Number [1]
  };
  const Decoded d = result(45, res);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), "368016991122338");
  EXPECT_EQ(text(d.fields.msc_number), "9999999999");
  EXPECT_FALSE(d.fields.sgsn_number.present);
}

TEST(MapSendRoutingInfoForSm, ResultWithGprsNodeAndAdditionalNumber) {
  const Bytes res = seq({
      os(kImsiBytes),                    // imsi
      ctxc(0, {                          // locationInfoWithLMSI [0]
          ctx(1, kSgsnBytes),            //   networkNode-Number [1]
          os(kLmsi),                     //   lmsi
          ctx(5, {}),                    //   gprsNodeIndicator [5]: the node number is the SGSN's
          ctxc(6, {ctx(0, kMscBytes)}),  //   additional-Number [6] { msc-Number [0] }
      }),
  });
  const Decoded d = result(45, res);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.sgsn_number), "447700000003");
  EXPECT_EQ(text(d.fields.msc_number), "447700000001");
}

TEST(MapSendRoutingInfoForSm, ResultV1) {
  const Bytes res = seq({
      os(kImsiBytes),                    // imsi
      ctxc(0, {ctx(1, kMscBytes), os(kLmsi)}),  // locationInfoWithLMSI { locationInfo: msc-Number [1], lmsi }
      ctx(2, {0x00}),                    // mwd-Set [2] (v1)
  });
  const Decoded d = result(45, res);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.msc_number), "447700000001");
}

TEST(MapMtForwardSm, ImsiDestinationAndServiceCentreOrigin) {
  const Bytes arg = seq({
      ctx(0, kImsiBytes),   // sm-RP-DA: imsi [0]
      ctx(4, kScaBytes),    // sm-RP-OA: serviceCentreAddressOA [4]
      os(kSmRpUi),          // sm-RP-UI
      null(),               // moreMessagesToSend
  });
  const Decoded d = decode(44, arg);
  expect_clean(d);
  EXPECT_EQ(d.fields.sm_rp_da_kind, SmRpDaKind::kImsi);
  EXPECT_EQ(text(d.fields.sm_rp_da), kImsi);
  EXPECT_EQ(d.fields.sm_rp_oa_kind, SmRpOaKind::kServiceCentre);
  EXPECT_EQ(text(d.fields.sm_rp_oa), "447700000006");
  EXPECT_EQ(d.fields.sm_rp_oa.nature, 0x91);
  EXPECT_FALSE(d.fields.imsi.present);  // the DA's IMSI stays in sm_rp_da
}

TEST(MapMtForwardSm, LmsiAndNoOrigin) {
  const Decoded d = decode(44, seq({ctx(1, kLmsi), ctx(5, {}), os(kSmRpUi)}));  // lmsi [1], noSM-RP-OA [5]
  expect_clean(d);
  EXPECT_EQ(d.fields.sm_rp_da_kind, SmRpDaKind::kLmsi);
  EXPECT_EQ(text(d.fields.sm_rp_da), "01020304");
  EXPECT_EQ(d.fields.sm_rp_oa_kind, SmRpOaKind::kNoSmRpOa);
}

TEST(MapMoForwardSm, V3WithSenderImsi) {
  const Bytes arg = seq({
      ctx(4, kScaBytes),      // sm-RP-DA: serviceCentreAddressDA [4]
      ctx(2, kMsisdnBytes),   // sm-RP-OA: msisdn [2]
      os(kSmRpUi),            // sm-RP-UI
      seq({}),                // extensionContainer
      os(kImsiBytes),         // imsi (v3 extension)
  });
  const Decoded d = decode(46, arg);
  expect_clean(d);
  EXPECT_EQ(d.fields.sm_rp_da_kind, SmRpDaKind::kServiceCentre);
  EXPECT_EQ(text(d.fields.sm_rp_da), "447700000006");
  EXPECT_EQ(d.fields.sm_rp_oa_kind, SmRpOaKind::kMsisdn);
  EXPECT_EQ(text(d.fields.sm_rp_oa), "447700900123");
  EXPECT_EQ(text(d.fields.imsi), kImsi);
}

TEST(MapMoForwardSm, V2ForwardSm) {
  const Bytes arg = seq({
      ctx(0, kImsiBytes),   // sm-RP-DA: imsi [0]   (MAP v2 forwardSM, opcode 46)
      ctx(4, kScaBytes),    // sm-RP-OA: serviceCentreAddressOA [4]
      os(kSmRpUi),          // sm-RP-UI
      null(),               // moreMessagesToSend
  });
  const Decoded d = decode(46, arg);
  expect_clean(d);
  EXPECT_EQ(d.fields.sm_rp_da_kind, SmRpDaKind::kImsi);
  EXPECT_EQ(text(d.fields.sm_rp_da), kImsi);
  EXPECT_EQ(d.fields.sm_rp_oa_kind, SmRpOaKind::kServiceCentre);
  EXPECT_FALSE(d.fields.imsi.present);
}

TEST(MapMoForwardSm, NoDestination) {
  const Decoded d = decode(46, seq({ctx(5, {}), ctx(2, kMsisdnBytes), os(kSmRpUi)}));  // noSM-RP-DA [5]
  expect_clean(d);
  EXPECT_EQ(d.fields.sm_rp_da_kind, SmRpDaKind::kNoSmRpDa);
  EXPECT_FALSE(d.fields.sm_rp_da.present);
}

// Real bytes: sigcorr/atk011_sms_interception.pcap frame 2: the origin is tagged [1], which is
// no SM-RP-OA alternative, and sm-RP-UI is missing.
TEST(MapMoForwardSm, BadOriginIsMalformed) {
  const Bytes arg = {
      0x30, 0x16,                                                  // MO-ForwardSM-Arg
      0x80, 0x08, 0x32, 0x14, 0x10, 0x32, 0x54, 0x76, 0x98, 0xf0,  // sm-RP-DA imsi [0]
      0x81, 0x0a, 0x04, 0x0b, 0x91, 0x44, 0x77, 0x12, 0x34, 0x56, 0x78, 0x00,  // [1]: not an SM-RP-OA
  };
  const Decoded d = decode(46, arg);
  expect_only(d, Anomaly::kMapMalformedArgument);
  EXPECT_EQ(text(d.fields.sm_rp_da), kImsi);
}

TEST(MapReportSmDeliveryStatus, Arg) {
  const Decoded d = decode(47, seq({os(kMsisdnBytes), os(kScaBytes), enumerated(1)}));
  expect_clean(d);
  EXPECT_EQ(text(d.fields.msisdn), "447700900123");
  EXPECT_EQ(text(d.fields.service_centre_address), "447700000006");
}

// ---- supplementary services and USSD -------------------------------------------------------

// Real bytes: sigcorr/gsm_map_ussd.pcap frame 1; tshark: gsm_map.ss.msisdn e164.msisdn 27761485722.
TEST(MapUssd, ProcessUnstructuredSsRequestFromCapture) {
  const Bytes arg = {
      0x30, 0x1c,                                                  // USSD-Arg
      0x04, 0x01, 0x0f,                                            // ussd-DataCodingScheme
      0x04, 0x0e, 0xaa, 0x18, 0x0d, 0xa6, 0x82, 0xdd, 0x6c, 0x31,  // ussd-String
      0x19, 0x2d, 0x36, 0xbb, 0xdd, 0x46,
      0x80, 0x07, 0x91, 0x72, 0x67, 0x41, 0x58, 0x27, 0xf2,        // msisdn [0] 27761485722
  };
  const Decoded d = decode(59, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.msisdn), "27761485722");
}

TEST(MapUssd, NetworkInitiatedWithoutMsisdn) {
  const Bytes arg = seq({os({0x0f}), os({0xaa, 0x18})});  // dcs, string
  for (int32_t opcode : {60, 61}) {
    const Decoded d = decode(opcode, arg);
    expect_clean(d);
    EXPECT_FALSE(d.fields.any());
  }
}

TEST(MapSupplementaryServices, DecodeNothing) {
  const Bytes register_ss = seq({os({0x21}), ctx(3, {0x11}), ctx(4, kMsisdnBytes)});  // ss-Code, basicService, forwardedToNumber
  for (int32_t opcode : {10, 11, 12, 13, 14}) {
    const Decoded d = decode(opcode, register_ss);
    expect_clean(d);
    EXPECT_FALSE(d.fields.any());
  }
}

// ---- subscriber information ------------------------------------------------------------------

TEST(MapAnyTimeInterrogation, ImsiIdentity) {
  const Bytes arg = seq({
      ctxc(0, {ctx(0, kImsiBytes)}),   // subscriberIdentity [0] { imsi [0] } (explicit: a CHOICE)
      ctxc(1, {ctx(0, {}), ctx(1, {})}),  // requestedInfo [1] { locationInformation, subscriberState }
      ctx(3, kScfBytes),               // gsmSCF-Address [3]
  });
  const Decoded d = decode(71, arg);
  expect_clean(d);
  EXPECT_EQ(d.fields.subscriber_identity_kind, SubscriberIdKind::kImsi);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
  EXPECT_EQ(text(d.fields.gsmscf_address), "447700000005");
}

TEST(MapAnyTimeInterrogation, MsisdnIdentity) {
  const Bytes arg = seq({ctxc(0, {ctx(1, kMsisdnBytes)}), ctxc(1, {ctx(0, {})}), ctx(3, kScfBytes)});
  const Decoded d = decode(71, arg);
  expect_clean(d);
  EXPECT_EQ(d.fields.subscriber_identity_kind, SubscriberIdKind::kMsisdn);
  EXPECT_EQ(text(d.fields.msisdn), "447700900123");
}

// Real bytes: sigcorr/ss7_location_tracking.pcap frame 2: no gsmSCF-Address.
TEST(MapAnyTimeInterrogation, MissingGsmScfIsMalformed) {
  const Bytes arg = {
      0x30, 0x10,                                                              // AnyTimeInterrogationArg
      0xa0, 0x0a, 0x80, 0x08, 0x32, 0x14, 0x10, 0x32, 0x54, 0x76, 0x98, 0xf0,  // subscriberIdentity { imsi }
      0xa1, 0x02, 0x80, 0x00,                                                  // requestedInfo { locationInformation }
  };
  const Decoded d = decode(71, arg);
  expect_only(d, Anomaly::kMapMalformedArgument);
  EXPECT_EQ(d.fields.subscriber_identity_kind, SubscriberIdKind::kImsi);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
}

TEST(MapAnyTimeInterrogation, IdentityWithTwoAlternativesIsMalformed) {
  const Bytes arg = seq({ctxc(0, {ctx(0, kImsiBytes), ctx(1, kMsisdnBytes)}), ctxc(1, {}), ctx(3, kScfBytes)});
  expect_only(decode(71, arg), Anomaly::kMapMalformedArgument);
}

const Bytes kSubscriberInfoResult = seq({
    seq({                                   // subscriberInfo
        ctxc(0, {                           //   locationInformation [0]
            integer(5),                     //     ageOfLocationInformation
            ctx(1, kVlrBytes),              //     vlr-number [1]
            ctxc(3, {ctx(0, {0x32, 0xf4, 0x51, 0x00, 0x01, 0x00, 0x02})}),  // cellGlobalId... [3]
            ctx(6, kMscBytes),              //     msc-Number [6]
        }),
        ctxc(1, {ctx(0, {})}),              //   subscriberState [1] assumedIdle
        ctxc(3, {ctx(3, kSgsnBytes)}),      //   locationInformationGPRS [3] { sgsn-Number [3] }
        ctx(5, tbcd("3534910512345670")),   //   imei [5]
    }),
});

TEST(MapAnyTimeInterrogation, Result) {
  const Decoded d = result(71, kSubscriberInfoResult);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.vlr_number), "447700000002");
  EXPECT_EQ(text(d.fields.msc_number), "447700000001");
  EXPECT_EQ(text(d.fields.sgsn_number), "447700000003");
  EXPECT_EQ(text(d.fields.imei), "3534910512345670");
}

TEST(MapProvideSubscriberInfo, ArgAndResult) {
  const Decoded d = decode(70, seq({ctx(0, kImsiBytes), ctx(1, kLmsi), ctxc(2, {ctx(0, {})})}));  // imsi, lmsi, requestedInfo
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
  const Decoded r = result(70, kSubscriberInfoResult);
  expect_clean(r);
  EXPECT_EQ(text(r.fields.vlr_number), "447700000002");
}

TEST(MapAnyTimeSubscriptionInterrogation, Arg) {
  const Bytes arg = seq({
      ctxc(0, {ctx(1, kMsisdnBytes)}),  // subscriberIdentity [0] { msisdn [1] }
      ctxc(1, {ctx(2, {})}),            // requestedSubscriptionInfo [1] { odb [2] }
      ctx(2, kScfBytes),                // gsmSCF-Address [2]
  });
  const Decoded d = decode(62, arg);
  expect_clean(d);
  EXPECT_EQ(d.fields.subscriber_identity_kind, SubscriberIdKind::kMsisdn);
  EXPECT_EQ(text(d.fields.msisdn), "447700900123");
  EXPECT_EQ(text(d.fields.gsmscf_address), "447700000005");
}

TEST(MapAnyTimeModification, Arg) {
  const Bytes arg = seq({
      ctxc(0, {ctx(0, kImsiBytes)}),  // subscriberIdentity [0] { imsi [0] }
      ctx(1, kScfBytes),              // gsmSCF-Address [1]
      ctxc(2, {ctx(0, {0x21})}),      // modificationRequestFor-CF-Info [2] { ss-Code [0] }
  });
  const Decoded d = decode(65, arg);
  expect_clean(d);
  EXPECT_EQ(d.fields.subscriber_identity_kind, SubscriberIdKind::kImsi);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
  EXPECT_EQ(text(d.fields.gsmscf_address), "447700000005");
}

TEST(MapSendImsi, ArgAndResult) {
  const Decoded a = decode(58, os(kMsisdnBytes));  // ARGUMENT ISDN-AddressString
  expect_clean(a);
  EXPECT_EQ(text(a.fields.msisdn), "447700900123");
  const Decoded r = result(58, os(kImsiBytes));    // RESULT IMSI
  expect_clean(r);
  EXPECT_EQ(text(r.fields.imsi), kImsi);
}

// ---- GPRS and location services -------------------------------------------------------------

// Real bytes: sigcorr/atk011_sms_interception.pcap frame 1.
TEST(MapSendRoutingInfoForGprs, Arg) {
  const Bytes arg = {0x30, 0x0a, 0x80, 0x08, 0x32, 0x14, 0x10, 0x32, 0x54, 0x76, 0x98, 0xf0};  // imsi [0]
  const Decoded d = decode(24, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
}

TEST(MapProvideSubscriberLocation, Arg) {
  const Bytes arg = seq({
      seq({enumerated(0)}),   // locationType
      os(kHlrBytes),          // mlc-Number
      ctx(2, kImsiBytes),     // imsi [2]
      ctx(3, kMsisdnBytes),   // msisdn [3]
  });
  const Decoded d = decode(83, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
  EXPECT_EQ(text(d.fields.msisdn), "447700900123");
  EXPECT_EQ(d.fields.subscriber_identity_kind, SubscriberIdKind::kNone);  // no SubscriberIdentity in PSL
}

TEST(MapSendRoutingInfoForLcs, ArgAndResult) {
  const Bytes arg = seq({ctx(0, kHlrBytes), ctxc(1, {ctx(1, kMsisdnBytes)})});  // mlcNumber [0], targetMS [1] { msisdn }
  const Decoded d = decode(85, arg);
  expect_clean(d);
  EXPECT_EQ(d.fields.subscriber_identity_kind, SubscriberIdKind::kMsisdn);
  EXPECT_EQ(text(d.fields.msisdn), "447700900123");

  const Bytes res = seq({
      ctxc(0, {ctx(0, kImsiBytes)}),                 // targetMS [0] { imsi }
      ctxc(1, {os(kSgsnBytes), ctx(2, {})}),         // lcsLocationInfo [1] { networkNode-Number, gprsNodeIndicator [2] }
  });
  const Decoded r = result(85, res);
  expect_clean(r);
  EXPECT_EQ(r.fields.subscriber_identity_kind, SubscriberIdKind::kImsi);
  EXPECT_EQ(text(r.fields.imsi), kImsi);
  EXPECT_EQ(text(r.fields.sgsn_number), "447700000003");
  EXPECT_FALSE(r.fields.msc_number.present);
}

TEST(MapNoteMmEvent, Arg) {
  const Bytes arg = seq({integer(1), ctx(0, {0x01}), ctx(1, kImsiBytes), ctx(2, kMsisdnBytes), ctxc(3, {ctx(1, kVlrBytes)})});
  const Decoded d = decode(89, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.imsi), kImsi);
  EXPECT_EQ(text(d.fields.msisdn), "447700900123");
  EXPECT_EQ(text(d.fields.vlr_number), "447700000002");
}

TEST(MapOtherImsiCarriers, ImsiAtTagZero) {
  for (int32_t opcode : {25, 26, 50, 51, 66, 73, 74, 75, 87, 88}) {
    const Decoded d = decode(opcode, seq({ctx(0, kImsiBytes), ctx(1, {0x01})}));
    expect_clean(d);
    EXPECT_EQ(text(d.fields.imsi), kImsi) << opcode;
  }
}

// ---- components that carry nothing -------------------------------------------------------------

TEST(MapComponents, ErrorsAndRejectsAreNotRead) {
  for (ComponentType type : {ComponentType::kReturnError, ComponentType::kReject}) {
    const Decoded d = decode(2, {0x30, 0x03, 0x02, 0x01, 0x01}, type);
    expect_clean(d);
    EXPECT_FALSE(d.fields.any());
  }
}

TEST(MapComponents, ResultWithoutParameterIsFine) {
  expect_clean(result(2, {}));
}

TEST(MapComponents, InvokeWithoutArgumentIsMalformed) {
  expect_only(decode(2, {}), Anomaly::kMapMalformedArgument);
}

TEST(MapComponents, Any) {
  MapFields f;
  EXPECT_FALSE(f.any());
  f.sm_rp_oa_kind = SmRpOaKind::kNoSmRpOa;
  EXPECT_TRUE(f.any());
  MapFields g;
  g.imei.present = true;
  EXPECT_TRUE(g.any());
}

// ---- malformed arguments ------------------------------------------------------------------

TEST(MapMalformed, WrongOutermostTag) {
  expect_only(decode(2, os(kImsiBytes)), Anomaly::kMapMalformedArgument);           // UL is a SEQUENCE in every version
  expect_only(decode(56, ctx(0, kImsiBytes)), Anomaly::kMapMalformedArgument);      // neither SEQUENCE nor IMSI
}

TEST(MapMalformed, SequenceSentPrimitive) {
  expect_only(decode(2, {0x10, 0x02, 0x04, 0x00}), Anomaly::kMapMalformedArgument);  // universal 16, primitive
}

TEST(MapMalformed, DuplicateComponent) {
  // Two msc-Number [1]: which one the HLR reads is unknown, so the argument is not MAP.
  const Bytes arg = seq({os(kImsiBytes), ctx(1, kMscBytes), ctx(1, address("999")), os(kVlrBytes)});
  const Decoded d = decode(2, arg);
  expect_only(d, Anomaly::kMapMalformedArgument);
  EXPECT_EQ(text(d.fields.msc_number), "447700000001");  // the first is kept
}

TEST(MapMalformed, ConstructedOctetString) {
  const Bytes arg = seq({tlv({0x24}, os(kImsiBytes)), ctx(1, kMscBytes), os(kVlrBytes)});  // imsi in segments
  const Decoded d = decode(2, arg);
  expect_only(d, Anomaly::kMapMalformedArgument);
  EXPECT_FALSE(d.fields.imsi.present);
}

TEST(MapMalformed, InnerLengthPastTheSequence) {
  const Bytes arg = {0x30, 0x0a, 0x80, 0x09, 0x32, 0x14, 0x10, 0x32, 0x54, 0x76, 0x98, 0xf0};  // imsi [0] says 9, has 8
  const Decoded d = decode(24, arg);
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kMapMalformedArgument));
  EXPECT_TRUE(d.anomalies.has(Anomaly::kBerTruncated));
}

TEST(MapMalformed, NullWithContents) {
  expect_only(decode(44, seq({ctx(5, {0x00}), ctx(4, kScaBytes), os(kSmRpUi)})), Anomaly::kMapMalformedArgument);
}

TEST(MapMalformed, TooManyElements) {
  Bytes body;
  for (int i = 0; i < 70; ++i) body.insert(body.end(), {0x05, 0x00});  // 70 NULLs
  const Bytes arg = cat({{0x30, 0x81, static_cast<uint8_t>(body.size())}, body});
  expect_only(decode(9, arg), Anomaly::kMapMalformedArgument);  // sendParameters: nothing else required
}

// ---- bad addresses ----------------------------------------------------------------------------

TEST(MapBadAddress, ImsiTooShort) {
  const Decoded d = decode(56, os({0x32, 0x14}));  // IMSI SIZE (3..8)
  expect_only(d, Anomaly::kMapBadAddress);
  EXPECT_EQ(text(d.fields.imsi), "2341");
}

TEST(MapBadAddress, ImsiWithSixteenDigits) {
  // sixteen digits; Wireshark prints them all and reports "Malformed IMSI"
  const Decoded d = decode(56, os({0x32, 0x14, 0x10, 0x32, 0x54, 0x76, 0x98, 0x01}));
  expect_only(d, Anomaly::kMapBadAddress);
  EXPECT_EQ(text(d.fields.imsi), "2341012345678910");
}

TEST(MapBadAddress, ImsiWithNonDecimalDigits) {
  // 32 14 ab 3f ...: Wireshark's e212.imsi shows 2341???34567890
  const Decoded d = decode(56, os({0x32, 0x14, 0xab, 0x3f, 0x54, 0x76, 0x98, 0xf0}));
  expect_only(d, Anomaly::kMapBadAddress);
  EXPECT_EQ(text(d.fields.imsi), "2341???34567890");
}

TEST(MapBadAddress, MsisdnTooLong) {
  const Bytes msisdn = address("4477009001234567891");  // 11 octets > maxISDN-AddressLength 9
  const Decoded d = decode(22, seq({ctx(0, msisdn)}));
  expect_only(d, Anomaly::kMapBadAddress);
  EXPECT_EQ(text(d.fields.msisdn), "4477009001234567891");
}

TEST(MapBadAddress, MsisdnFillerInTheMiddle) {
  // 91 4a bc de f0 00 10: Wireshark's e164.msisdn stops at the filler: ?4????0
  const Decoded d = decode(22, seq({ctx(0, {0x91, 0x4a, 0xbc, 0xde, 0xf0, 0x00, 0x10})}));
  expect_only(d, Anomaly::kMapBadAddress);
  EXPECT_EQ(text(d.fields.msisdn), "?4????0");
}

TEST(MapBadAddress, EmptyAddressString) {
  const Decoded d = decode(22, seq({ctx(0, {})}));
  expect_only(d, Anomaly::kMapBadAddress);
  EXPECT_FALSE(d.fields.msisdn.present);
}

TEST(MapBadAddress, ServiceCentreAddressMayCarryTbcdSymbols) {
  // AddressString (not ISDN) allows *, #, a, b, c; written '?' like Wireshark, not flagged.
  const Bytes arg = seq({ctx(0, kMsisdnBytes), ctx(1, {0xff}), ctx(2, {0x91, 0xab, 0x21})});
  const Decoded d = decode(45, arg);
  expect_clean(d);
  EXPECT_EQ(text(d.fields.service_centre_address), "??12");
}

TEST(MapBadAddress, LmsiOfWrongSize) {
  const Decoded d = decode(44, seq({ctx(1, {0x01, 0x02, 0x03}), ctx(4, kScaBytes), os(kSmRpUi)}));
  expect_only(d, Anomaly::kMapBadAddress);
  EXPECT_EQ(text(d.fields.sm_rp_da), "010203");
}

TEST(MapBadAddress, ImeiOfWrongSize) {
  expect_only(decode(43, os({0x35, 0x34, 0x91})), Anomaly::kMapBadAddress);
}

// ---- truncation ----------------------------------------------------------------------------

void sweep(int32_t opcode, const Bytes& full, ComponentType type) {
  for (size_t n = 0; n < full.size(); ++n) {
    const Bytes prefix(full.begin(), full.begin() + static_cast<long>(n));
    const Decoded d = decode(opcode, prefix, type);
    if (n == 0 && type != ComponentType::kInvoke) continue;  // an absent result is allowed
    EXPECT_EQ(d.status, DecodeStatus::kAnomaly) << "opcode " << opcode << " length " << n;
  }
  expect_clean(decode(opcode, full, type));
}

TEST(MapTruncation, EveryLengthOfSeveralArguments) {
  sweep(2, seq({os(kImsiBytes), ctx(1, kMscBytes), os(kVlrBytes)}), ComponentType::kInvoke);
  sweep(7, seq({ctx(0, kImsiBytes), ctx(1, kMsisdnBytes),
                ctxc(13, {ctxc(0, {seq({seq({enumerated(2), integer(1), ctx(0, kScfBytes), ctx(1, {0x00})})})})}),
                ctx(34, kSgsnBytes)}),
        ComponentType::kInvoke);
  sweep(46, seq({ctx(4, kScaBytes), ctx(2, kMsisdnBytes), os(kSmRpUi), os(kImsiBytes)}), ComponentType::kInvoke);
  sweep(71, seq({ctxc(0, {ctx(0, kImsiBytes)}), ctxc(1, {ctx(0, {})}), ctx(3, kScfBytes)}), ComponentType::kInvoke);
  sweep(45, seq({os(kImsiBytes), ctxc(0, {ctx(1, kMscBytes)})}), ComponentType::kReturnResultLast);
  sweep(71, kSubscriberInfoResult, ComponentType::kReturnResultLast);
}

// ---- MapFields::clear --------------------------------------------------------------------------

// The pipeline reuses one MapFields per component slot and clears only what was written: after
// any decode, clear() must leave exactly a default-constructed MapFields (every octet of every
// digit buffer too), or one message's numbers would leak into the next.
void expect_default(const MapFields& f, const std::string& where) {
  const MapFields fresh;
  const AddressField MapFields::*fields[] = {&MapFields::imsi, &MapFields::msisdn, &MapFields::msc_number,
                                             &MapFields::vlr_number, &MapFields::sgsn_number, &MapFields::hlr_number,
                                             &MapFields::service_centre_address, &MapFields::gsmscf_address,
                                             &MapFields::sm_rp_da, &MapFields::sm_rp_oa, &MapFields::imei};
  for (const auto field : fields) {
    const AddressField& a = f.*field;
    const AddressField& b = fresh.*field;
    EXPECT_EQ(a.present, b.present) << where;
    EXPECT_EQ(a.nature, b.nature) << where;
    EXPECT_EQ(a.digits.count, b.digits.count) << where;
    EXPECT_EQ(std::memcmp(a.digits.text, b.digits.text, sizeof a.digits.text), 0) << where;
  }
  EXPECT_EQ(f.sm_rp_da_kind, fresh.sm_rp_da_kind) << where;
  EXPECT_EQ(f.sm_rp_oa_kind, fresh.sm_rp_oa_kind) << where;
  EXPECT_EQ(f.subscriber_identity_kind, fresh.subscriber_identity_kind) << where;
}

TEST(MapFieldsClear, LeavesADefaultAfterEveryOperationAndShape) {
  // Every context tag 0..12 holding an address (and an IMSI, an LMSI, an empty and an
  // over-long address among them), as the argument and as the result of every opcode: each
  // operation's shape picks what it knows, including the CHOICEs and nested sequences.
  std::vector<Bytes> parameters;
  Bytes tagged;
  for (uint32_t n = 0; n <= 12; ++n) tagged = cat({tagged, ctx(n, n == 1 ? kLmsi : address("4477009001" + std::to_string(n)))});
  parameters.push_back(tlv({0x30}, cat({os(kImsiBytes), tagged})));
  parameters.push_back(tlv({0x30}, cat({ctx(0, kImsiBytes), ctx(1, kMsisdnBytes), ctx(2, {}), ctx(4, Bytes(30, 0x11))})));
  parameters.push_back(os(kMsisdnBytes));
  parameters.push_back(os(kImsiBytes));
  parameters.push_back(tlv(identifier(2, true, 3), cat({os(kImsiBytes), tagged})));
  for (int32_t opcode = 0; opcode < 100; ++opcode) {
    for (const Bytes& parameter : parameters) {
      for (ComponentType type : {ComponentType::kInvoke, ComponentType::kReturnResultLast}) {
        Decoded d = decode(opcode, parameter, type);
        d.fields.clear();
        expect_default(d.fields, "opcode " + std::to_string(opcode));
      }
    }
  }
}

}  // namespace
}  // namespace sigwall
