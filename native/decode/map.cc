// GSM MAP (3GPP TS 29.002): the operation names, and the screened fields of each operation's
// argument (Invoke) and result (ReturnResult). The ASN.1 shapes of §17.7 (MAP-MS/CH/SM/SS/LCS/
// OM-DataTypes) are data tables below: for each operation, the forms its parameter may take (the
// current one and those of MAP v1/v2, told apart by the outermost tag) and, per SEQUENCE, which
// element carries which field. One walker interprets them; the few CHOICEs that are not tagged
// by position in a SEQUENCE (sm-RP-DA/OA) have their own small decoders.
#include "map.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <iterator>

#include "ber.h"
#include "limits.h"

namespace sigwall {

void MapFields::clear() {
  static_assert(sizeof(MapFields) == 11 * sizeof(AddressField) + 3,
                "a MapFields field was added or removed: update MapFields::clear");
  auto clear_if_written = [](AddressField& field) {
    if (field.present) field = AddressField{};
  };
  clear_if_written(imsi);
  clear_if_written(msisdn);
  clear_if_written(msc_number);
  clear_if_written(vlr_number);
  clear_if_written(sgsn_number);
  clear_if_written(hlr_number);
  clear_if_written(service_centre_address);
  clear_if_written(gsmscf_address);
  clear_if_written(sm_rp_da);
  clear_if_written(sm_rp_oa);
  clear_if_written(imei);
  sm_rp_da_kind = SmRpDaKind::kNone;
  sm_rp_oa_kind = SmRpOaKind::kNone;
  subscriber_identity_kind = SubscriberIdKind::kNone;
}

bool MapFields::any() const {
  return imsi.present || msisdn.present || msc_number.present || vlr_number.present ||
         sgsn_number.present || hlr_number.present || service_centre_address.present ||
         gsmscf_address.present || imei.present || sm_rp_da_kind != SmRpDaKind::kNone ||
         sm_rp_oa_kind != SmRpOaKind::kNone || subscriber_identity_kind != SubscriberIdKind::kNone;
}

namespace {

// ------------------------------------------------------------------------------------------
// Operation names
// ------------------------------------------------------------------------------------------

struct NamedOperation {
  int32_t opcode;
  const char* name;
};

// TS 29.002 §17.5 (MAP-Protocol): the operations of the current release, plus the codes it
// reserves for operations of earlier versions (sendParameters 9, processUnstructuredSS-Data 19,
// performHandover 28, performSubsequentHandover 30, provideSIWFSNumber 31, siwfs-SignallingModify
// 32, noteInternalHandover 35, noteSubscriberPresent 48, alertServiceCentreWithoutResult 49,
// traceSubscriberActivity 52, beginSubscriberActivity 54), and MAPsec's secureTransportClass1..4
// (TS 33.200). Spelled as Wireshark's gsm_map prints them. Left out: 27 and 82 (unallocated) and
// 16, 109..126 (TS 24.080 operations of the radio interface, which Wireshark's table shares).
constexpr NamedOperation kOperations[] = {
    {2, "updateLocation"},
    {3, "cancelLocation"},
    {4, "provideRoamingNumber"},
    {5, "noteSubscriberDataModified"},
    {6, "resumeCallHandling"},
    {7, "insertSubscriberData"},
    {8, "deleteSubscriberData"},
    {9, "sendParameters"},
    {10, "registerSS"},
    {11, "eraseSS"},
    {12, "activateSS"},
    {13, "deactivateSS"},
    {14, "interrogateSS"},
    {15, "authenticationFailureReport"},
    {17, "registerPassword"},
    {18, "getPassword"},
    {19, "processUnstructuredSS-Data"},
    {20, "releaseResources"},
    {21, "mt-ForwardSM-VGCS"},
    {22, "sendRoutingInfo"},
    {23, "updateGprsLocation"},
    {24, "sendRoutingInfoForGprs"},
    {25, "failureReport"},
    {26, "noteMsPresentForGprs"},
    {28, "performHandover"},
    {29, "sendEndSignal"},
    {30, "performSubsequentHandover"},
    {31, "provideSIWFSNumber"},
    {32, "sIWFSSignallingModify"},
    {33, "processAccessSignalling"},
    {34, "forwardAccessSignalling"},
    {35, "noteInternalHandover"},
    {36, "cancelVcsgLocation"},
    {37, "reset"},
    {38, "forwardCheckSS"},
    {39, "prepareGroupCall"},
    {40, "sendGroupCallEndSignal"},
    {41, "processGroupCallSignalling"},
    {42, "forwardGroupCallSignalling"},
    {43, "checkIMEI"},
    {44, "mt-forwardSM"},
    {45, "sendRoutingInfoForSM"},
    {46, "mo-forwardSM"},
    {47, "reportSM-DeliveryStatus"},
    {48, "noteSubscriberPresent"},
    {49, "alertServiceCentreWithoutResult"},
    {50, "activateTraceMode"},
    {51, "deactivateTraceMode"},
    {52, "traceSubscriberActivity"},
    {53, "updateVcsgLocation"},
    {54, "beginSubscriberActivity"},
    {55, "sendIdentification"},
    {56, "sendAuthenticationInfo"},
    {57, "restoreData"},
    {58, "sendIMSI"},
    {59, "processUnstructuredSS-Request"},
    {60, "unstructuredSS-Request"},
    {61, "unstructuredSS-Notify"},
    {62, "anyTimeSubscriptionInterrogation"},
    {63, "informServiceCentre"},
    {64, "alertServiceCentre"},
    {65, "anyTimeModification"},
    {66, "readyForSM"},
    {67, "purgeMS"},
    {68, "prepareHandover"},
    {69, "prepareSubsequentHandover"},
    {70, "provideSubscriberInfo"},
    {71, "anyTimeInterrogation"},
    {72, "ss-InvocationNotification"},
    {73, "setReportingState"},
    {74, "statusReport"},
    {75, "remoteUserFree"},
    {76, "registerCC-Entry"},
    {77, "eraseCC-Entry"},
    {78, "secureTransportClass1"},
    {79, "secureTransportClass2"},
    {80, "secureTransportClass3"},
    {81, "secureTransportClass4"},
    {83, "provideSubscriberLocation"},
    {84, "sendGroupCallInfo"},
    {85, "sendRoutingInfoForLCS"},
    {86, "subscriberLocationReport"},
    {87, "ist-Alert"},
    {88, "ist-Command"},
    {89, "noteMM-Event"},
};

constexpr int32_t kHighestOpcode = 89;

struct NameIndex {
  const char* names[kHighestOpcode + 1] = {};
};

constexpr NameIndex build_name_index() {
  NameIndex index;
  for (const NamedOperation& op : kOperations) index.names[op.opcode] = op.name;
  return index;
}

constexpr NameIndex kNameIndex = build_name_index();

// ------------------------------------------------------------------------------------------
// Digits
// ------------------------------------------------------------------------------------------

// TS 29.002 §17.7.8 maxAddressLength / maxISDN-AddressLength.
constexpr uint32_t kAddressStringOctets = 20;
constexpr uint32_t kIsdnAddressOctets = 9;

struct TbcdCheck {
  bool decimal = true;        // every nibble before the end was 0-9
  bool ended_early = false;   // a 0xF filler before the last octet (the rest is not read)
  bool overflow = false;      // more than kMaxDigits digits
};

// TBCD-STRING (TS 29.002 §17.7.8): low nibble first; 1111 is the filler of an odd count. The
// text is what Wireshark's e164/e212 fields print: '?' for a non-decimal nibble, and a 0xF high
// nibble ends the string wherever it is.
// Both digits of every octet value as Wireshark prints them, and whether both are decimal: one
// lookup per octet in tbcd_digits' main loop.
struct DecimalPair {
  char low, high;  // adjacent: copied together
  bool decimal;
};
static_assert(offsetof(DecimalPair, high) == offsetof(DecimalPair, low) + 1, "copied as two octets");

constexpr char decimal_digit(unsigned nibble) { return nibble <= 9 ? static_cast<char>('0' + nibble) : '?'; }

constexpr std::array<DecimalPair, 256> make_decimal_pairs() {
  std::array<DecimalPair, 256> pairs{};
  for (unsigned byte = 0; byte < 256; ++byte)
    pairs[byte] = DecimalPair{decimal_digit(byte & 0x0F), decimal_digit(byte >> 4), (byte & 0x0F) <= 9 && (byte >> 4) <= 9};
  return pairs;
}

constexpr std::array<DecimalPair, 256> kDecimalPairs = make_decimal_pairs();

[[gnu::always_inline]] inline TbcdCheck tbcd_digits(ByteView bytes, Digits& out) {
  TbcdCheck check;
  uint32_t count = 0;
  // An octet at a time, not a nibble (addresses are decoded several times per message). Every
  // octet but the last holds two digits until the cap or a filler: this first loop takes those
  // with one test per octet; the general loop below finishes from where it stopped.
  const uint32_t bulk = bytes.size == 0 ? 0 : std::min(bytes.size - 1, limits::kMaxDigits / 2);
  uint32_t i = 0;
  for (; i < bulk; ++i) {
    const uint8_t byte = bytes.data[i];
    if ((byte >> 4) == 0x0F) break;
    const DecimalPair& pair = kDecimalPairs[byte];
    check.decimal &= pair.decimal;
    std::memcpy(out.text + count, &pair.low, 2);  // low and high: both digits in one copy
    count += 2;
  }
  for (; i < bytes.size; ++i) {
    const uint8_t low = bytes.data[i] & 0x0F, high = bytes.data[i] >> 4;
    const bool filler = high == 0x0F;
    const uint32_t digits = filler ? 1 : 2;
    if (count + digits > limits::kMaxDigits) {
      // Over the cap: keep what fits; the rest is not read.
      if (count < limits::kMaxDigits) {
        if (low > 9) check.decimal = false;
        out.text[count++] = low <= 9 ? static_cast<char>('0' + low) : '?';
      }
      check.overflow = true;
      // The digits beyond the cap are not kept, but where the string ends still counts.
      for (; i < bytes.size; ++i) {
        if ((bytes.data[i] >> 4) == 0x0F) {
          if (i + 1 != bytes.size) check.ended_early = true;
          break;
        }
      }
      break;
    }
    if (low > 9 || (!filler && high > 9)) check.decimal = false;
    out.text[count] = low <= 9 ? static_cast<char>('0' + low) : '?';
    out.text[count + 1] = high <= 9 ? static_cast<char>('0' + high) : '?';  // the NUL below when filler
    count += digits;
    if (filler) {
      if (i + 1 != bytes.size) check.ended_early = true;
      break;
    }
  }
  out.count = static_cast<uint8_t>(count);
  out.text[count] = '\0';
  return check;
}

// LMSI (TS 29.002 §17.7.8: OCTET STRING (SIZE (4))) is not a digit string; kept as hex.
bool lmsi_digits(ByteView bytes, AddressField& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.present = true;
  out.digits.count = 0;
  for (uint32_t i = 0; i < bytes.size && out.digits.count + 2u <= limits::kMaxDigits; ++i) {
    out.digits.text[out.digits.count++] = kHex[bytes.data[i] >> 4];
    out.digits.text[out.digits.count++] = kHex[bytes.data[i] & 0x0F];
  }
  out.digits.text[out.digits.count] = '\0';
  return bytes.size == 4;
}

// ------------------------------------------------------------------------------------------
// The shape tables
// ------------------------------------------------------------------------------------------

enum class Target : uint8_t {
  kSkip,               // must be there (when required), not kept
  kImsi,
  kMsisdn,
  kMscNumber,
  kVlrNumber,
  kSgsnNumber,
  kHlrNumber,
  kServiceCentre,      // AddressString (up to 20 octets)
  kGsmScf,
  kImei,
  kSubscriberImsi,     // SubscriberIdentity alternatives: the field and the kind
  kSubscriberMsisdn,
  kSmRpDa,             // the element is the chosen alternative of SM-RP-DA
  kSmRpOa,             // ... of SM-RP-OA
  kNetworkNode,        // the MSC's number, or the SGSN's when the SEQUENCE has gprsNodeIndicator
  kNested,             // a constructed element: apply `nested`
};

enum class ShapeKind : uint8_t {
  kSequence,    // components have distinct tags (X.680 §25): a repeated context tag is malformed
  kSequenceOf,  // elements repeat
  kChoice,      // an explicitly tagged CHOICE: exactly one element, one of the rules
};

struct Shape;

constexpr uint8_t kAnyTag = 0xFF;

struct Rule {
  int8_t position;      // index of the element in the SEQUENCE, or -1 for any
  BerClass tag_class;
  uint8_t tag_number;   // kAnyTag: any tag (for position-matched CHOICEs)
  uint8_t occurrence;   // among the elements with this tag: universal types repeat positionally
  Target target;
  bool required;
  const Shape* nested;
};

struct Shape {
  const Rule* rules;
  uint8_t count;
  ShapeKind kind;
  int8_t gprs_node_indicator;  // context tag of gprsNodeIndicator (see kNetworkNode), or -1
  uint64_t required;           // bit i: rules[i].required (one test per walk, not one per rule)
};

template <size_t N>
constexpr uint64_t required_rules(const Rule (&rules)[N]) {
  static_assert(N <= 64, "satisfied-rule bits are 64");
  uint64_t mask = 0;
  for (size_t i = 0; i < N; ++i)
    if (rules[i].required) mask |= uint64_t{1} << i;
  return mask;
}

template <size_t N>
constexpr Shape sequence(const Rule (&rules)[N], int8_t gprs_node_indicator = -1) {
  return Shape{rules, static_cast<uint8_t>(N), ShapeKind::kSequence, gprs_node_indicator, required_rules(rules)};
}
template <size_t N>
constexpr Shape sequence_of(const Rule (&rules)[N]) {
  return Shape{rules, static_cast<uint8_t>(N), ShapeKind::kSequenceOf, -1, required_rules(rules)};
}
template <size_t N>
constexpr Shape choice(const Rule (&rules)[N]) {
  return Shape{rules, static_cast<uint8_t>(N), ShapeKind::kChoice, -1, required_rules(rules)};
}

constexpr bool kRequired = true;

// [n] IMPLICIT field.
constexpr Rule ctx(uint8_t tag, Target target, bool required = false) {
  return Rule{-1, BerClass::kContext, tag, 0, target, required, nullptr};
}
// [n] field whose type is a SEQUENCE, or an explicitly tagged CHOICE.
constexpr Rule ctx(uint8_t tag, const Shape& nested, bool required = false) {
  return Rule{-1, BerClass::kContext, tag, 0, Target::kNested, required, &nested};
}
// The `occurrence`-th untagged OCTET STRING of the SEQUENCE (IMSI, ISDN-AddressString, ...).
constexpr Rule octets(uint8_t occurrence, Target target, bool required = false) {
  return Rule{-1, BerClass::kUniversal, ber_tag::kOctetString, occurrence, target, required, nullptr};
}
// The `occurrence`-th untagged SEQUENCE.
constexpr Rule seq(uint8_t occurrence, const Shape& nested, bool required = false) {
  return Rule{-1, BerClass::kUniversal, ber_tag::kSequence, occurrence, Target::kNested, required, &nested};
}
// The element at `position` when it is an untagged OCTET STRING / SEQUENCE.
constexpr Rule octets_at(int8_t position, Target target, bool required = false) {
  return Rule{position, BerClass::kUniversal, ber_tag::kOctetString, 0, target, required, nullptr};
}
constexpr Rule seq_at(int8_t position, const Shape& nested, bool required = false) {
  return Rule{position, BerClass::kUniversal, ber_tag::kSequence, 0, Target::kNested, required, &nested};
}
// The element at `position`, whatever its tag (an untagged CHOICE such as SM-RP-DA).
constexpr Rule any_at(int8_t position, Target target, bool required = false) {
  return Rule{position, BerClass::kContext, kAnyTag, 0, target, required, nullptr};
}

// ---- MAP-CommonDataTypes (§17.7.8)

// SubscriberIdentity ::= CHOICE { imsi [0] IMSI, msisdn [1] ISDN-AddressString }; tagged in
// the SEQUENCEs that carry it, so explicitly ([0] { [0] imsi }), as X.680 §31.2.7 requires.
constexpr Rule kSubscriberIdentityRules[] = {ctx(0, Target::kSubscriberImsi), ctx(1, Target::kSubscriberMsisdn)};
constexpr Shape kSubscriberIdentity = choice(kSubscriberIdentityRules);

// IMSI-WithLMSI ::= SEQUENCE { imsi IMSI, lmsi LMSI, ... }
constexpr Rule kImsiWithLmsiRules[] = {octets(0, Target::kImsi, kRequired), octets(1, Target::kSkip, kRequired)};
constexpr Shape kImsiWithLmsi = sequence(kImsiWithLmsiRules);

// Additional-Number ::= CHOICE { msc-Number [0], sgsn-Number [1] } (MAP-SM-DataTypes)
constexpr Rule kAdditionalNumberRules[] = {ctx(0, Target::kMscNumber), ctx(1, Target::kSgsnNumber)};
constexpr Shape kAdditionalNumber = choice(kAdditionalNumberRules);

// ---- MAP-MS-DataTypes (§17.7.1): CAMEL subscription information, where gsmSCF-Address lives

// O-CSI / T-CSI ::= SEQUENCE { o-BcsmCamelTDPDataList SEQUENCE OF SEQUENCE { ...,
//   gsmSCF-Address [0], ... }, ... }
constexpr Rule kBcsmTdpDataRules[] = {ctx(0, Target::kGsmScf)};
constexpr Shape kBcsmTdpData = sequence(kBcsmTdpDataRules);
constexpr Rule kBcsmTdpListRules[] = {seq(0, kBcsmTdpData)};
constexpr Shape kBcsmTdpList = sequence_of(kBcsmTdpListRules);
constexpr Rule kBcsmCsiRules[] = {seq_at(0, kBcsmTdpList)};
constexpr Shape kBcsmCsi = sequence(kBcsmCsiRules);

// SMS-CSI / GPRS-CSI ::= SEQUENCE { ...-TDP-DataList [0] SEQUENCE OF SEQUENCE { ...,
//   gsmSCF-Address [2], ... }, ... }
constexpr Rule kTdpData2Rules[] = {ctx(2, Target::kGsmScf)};
constexpr Shape kTdpData2 = sequence(kTdpData2Rules);
constexpr Rule kTdpList2Rules[] = {seq(0, kTdpData2)};
constexpr Shape kTdpList2 = sequence_of(kTdpList2Rules);
constexpr Rule kListAt0CsiRules[] = {ctx(0, kTdpList2)};
constexpr Shape kListAt0Csi = sequence(kListAt0CsiRules);

// M-CSI / MG-CSI ::= SEQUENCE { mobilityTriggers, serviceKey, gsmSCF-Address [0], ... }
constexpr Rule kMobilityCsiRules[] = {ctx(0, Target::kGsmScf)};
constexpr Shape kMobilityCsi = sequence(kMobilityCsiRules);

// SS-CSI ::= SEQUENCE { ss-CamelData SEQUENCE { ss-EventList, gsmSCF-Address, ... }, ... }
constexpr Rule kSsCamelDataRules[] = {octets(0, Target::kGsmScf)};
constexpr Shape kSsCamelData = sequence(kSsCamelDataRules);
constexpr Rule kSsCsiRules[] = {seq_at(0, kSsCamelData)};
constexpr Shape kSsCsi = sequence(kSsCsiRules);

// D-CSI ::= SEQUENCE { dp-AnalysedInfoCriteriaList [0] SEQUENCE OF SEQUENCE { dialledNumber,
//   serviceKey, gsmSCF-Address, ... }, ... }
constexpr Rule kDpCriteriumRules[] = {octets(1, Target::kGsmScf)};
constexpr Shape kDpCriterium = sequence(kDpCriteriumRules);
constexpr Rule kDpListRules[] = {seq(0, kDpCriterium)};
constexpr Shape kDpList = sequence_of(kDpListRules);
constexpr Rule kDCsiRules[] = {ctx(0, kDpList)};
constexpr Shape kDCsi = sequence(kDCsiRules);

// VlrCamelSubscriptionInfo: o-CSI [0], ss-CSI [2], m-CSI [5], mo-sms-CSI [6], vt-CSI [7],
// d-CSI [9], mt-sms-CSI [10].
constexpr Rule kVlrCamelRules[] = {ctx(0, kBcsmCsi),  ctx(2, kSsCsi),     ctx(5, kMobilityCsi), ctx(6, kListAt0Csi),
                                   ctx(7, kBcsmCsi),  ctx(9, kDCsi),      ctx(10, kListAt0Csi)};
constexpr Shape kVlrCamel = sequence(kVlrCamelRules);

// SGSN-CAMEL-SubscriptionInfo: gprs-CSI [0], mo-sms-CSI [1], mt-sms-CSI [3], mg-csi [5].
constexpr Rule kSgsnCamelRules[] = {ctx(0, kListAt0Csi), ctx(1, kListAt0Csi), ctx(3, kListAt0Csi),
                                    ctx(5, kMobilityCsi)};
constexpr Shape kSgsnCamel = sequence(kSgsnCamelRules);

// CAMEL-SubscriptionInfo (NoteSubscriberDataModified): o-CSI [0], d-CSI [2], t-CSI [3],
// vt-CSI [5], gprs-CSI [9], mo-sms-CSI [10], ss-CSI [11], m-CSI [12], mt-sms-CSI [15], mg-csi [17].
constexpr Rule kCamelSubscriptionRules[] = {ctx(0, kBcsmCsi),     ctx(2, kDCsi),        ctx(3, kBcsmCsi),
                                            ctx(5, kBcsmCsi),     ctx(9, kListAt0Csi),  ctx(10, kListAt0Csi),
                                            ctx(11, kSsCsi),      ctx(12, kMobilityCsi), ctx(15, kListAt0Csi),
                                            ctx(17, kMobilityCsi)};
constexpr Shape kCamelSubscription = sequence(kCamelSubscriptionRules);

// LocationInformation: vlr-number [1], msc-Number [6]. LocationInformationGPRS: sgsn-Number [3].
constexpr Rule kLocationInformationRules[] = {ctx(1, Target::kVlrNumber), ctx(6, Target::kMscNumber)};
constexpr Shape kLocationInformation = sequence(kLocationInformationRules);
constexpr Rule kLocationInformationGprsRules[] = {ctx(3, Target::kSgsnNumber)};
constexpr Shape kLocationInformationGprs = sequence(kLocationInformationGprsRules);

// SubscriberInfo: locationInformation [0], locationInformationGPRS [3], imei [5].
constexpr Rule kSubscriberInfoRules[] = {ctx(0, kLocationInformation), ctx(3, kLocationInformationGprs),
                                         ctx(5, Target::kImei)};
constexpr Shape kSubscriberInfo = sequence(kSubscriberInfoRules);

// ---- Arguments and results, by operation

// updateLocation (§17.7.1 UpdateLocationArg): imsi, msc-Number [1], vlr-Number. In MAP v1 the
// second element is locationInfo CHOICE { roamingNumber [0], msc-Number [1] }.
constexpr Rule kUpdateLocationArgRules[] = {octets(0, Target::kImsi, kRequired), ctx(1, Target::kMscNumber),
                                            octets(1, Target::kVlrNumber, kRequired)};
// UpdateLocationRes / UpdateGprsLocationRes / RestoreDataRes: hlr-Number first.
constexpr Rule kHlrNumberResRules[] = {octets(0, Target::kHlrNumber, kRequired)};
// cancelLocation v3: [3] SEQUENCE { identity Identity, ... }; Identity ::= CHOICE { imsi,
// imsi-WithLMSI }. Also cancelVcsgLocation's SEQUENCE { identity, ... }.
constexpr Rule kCancelLocationArgRules[] = {octets_at(0, Target::kImsi), seq_at(0, kImsiWithLmsi)};
// provideRoamingNumber (MAP-CH-DataTypes): imsi [0], msc-Number [1], msisdn [2].
constexpr Rule kProvideRoamingNumberArgRules[] = {ctx(0, Target::kImsi, kRequired),
                                                  ctx(1, Target::kMscNumber, kRequired),
                                                  ctx(2, Target::kMsisdn)};
// ProvideRoamingNumberRes v3: roamingNumber, ..., vmsc-Address (the second OCTET STRING).
constexpr Rule kProvideRoamingNumberResRules[] = {octets(0, Target::kSkip, kRequired), octets(1, Target::kMscNumber)};
// noteSubscriberDataModified: imsi, msisdn, ..., camel-SubscriptionInfo [3].
constexpr Rule kNoteSubscriberDataModifiedArgRules[] = {octets(0, Target::kImsi, kRequired),
                                                        octets(1, Target::kMsisdn, kRequired),
                                                        ctx(3, kCamelSubscription)};
// resumeCallHandling: imsi [3], o-CSI [5], msisdn [9].
constexpr Rule kResumeCallHandlingArgRules[] = {ctx(3, Target::kImsi), ctx(5, kBcsmCsi), ctx(9, Target::kMsisdn)};
// insertSubscriberData: imsi [0], SubscriberData's msisdn [1] and vlrCamelSubscriptionInfo [13],
// sgsn-CAMEL-SubscriptionInfo [17], sgsn-Number [34].
constexpr Rule kInsertSubscriberDataArgRules[] = {ctx(0, Target::kImsi), ctx(1, Target::kMsisdn), ctx(13, kVlrCamel),
                                                  ctx(17, kSgsnCamel), ctx(34, Target::kSgsnNumber)};
// deleteSubscriberData, sendRoutingInfoForGprs, readyForSM, statusReport, remoteUserFree,
// ist-Alert, ist-Command: imsi [0] first and mandatory.
constexpr Rule kImsi0RequiredRules[] = {ctx(0, Target::kImsi, kRequired)};
// activate/deactivateTraceMode, setReportingState, failureReport, noteMsPresentForGprs (whose
// imsi [0] is mandatory but not checked), sendParameters (v1 SubscriberId CHOICE { imsi [0],
// tmsi [1] }): imsi [0].
constexpr Rule kImsi0Rules[] = {ctx(0, Target::kImsi)};
// authenticationFailureReport: imsi, ..., vlr-Number [0], sgsn-Number [1].
constexpr Rule kAuthenticationFailureReportArgRules[] = {octets(0, Target::kImsi, kRequired),
                                                         ctx(0, Target::kVlrNumber),
                                                         ctx(1, Target::kSgsnNumber)};
// sendRoutingInfo: msisdn [0]. SendRoutingInfoRes v3 ([3] SEQUENCE): imsi [9], vmsc-Address [2],
// msisdn [12]; v1/v2 (SEQUENCE): imsi, routingInfo.
constexpr Rule kMsisdn0RequiredRules[] = {ctx(0, Target::kMsisdn, kRequired)};
constexpr Rule kSendRoutingInfoResV3Rules[] = {ctx(9, Target::kImsi), ctx(2, Target::kMscNumber),
                                               ctx(12, Target::kMsisdn)};
constexpr Rule kImsiFirstRules[] = {octets(0, Target::kImsi, kRequired)};
// updateGprsLocation: imsi, sgsn-Number, sgsn-Address.
constexpr Rule kUpdateGprsLocationArgRules[] = {octets(0, Target::kImsi, kRequired),
                                                octets(1, Target::kSgsnNumber, kRequired)};
// reset: v2/v3 sendingNodenumber CHOICE { hlr-Number, css-Number [1] }; v1 networkResource,
// hlr-Number. The HLR's number is the first OCTET STRING either way.
constexpr Rule kResetArgRules[] = {octets(0, Target::kHlrNumber)};
// checkIMEI v3: imei, requestedEquipmentInfo.
constexpr Rule kCheckImeiArgRules[] = {octets_at(0, Target::kImei, kRequired)};
// mt-forwardSM / mo-forwardSM / MAP v1-v2 forwardSM: sm-RP-DA, sm-RP-OA, sm-RP-UI, ...; the
// mo-forwardSM v3 extension adds the sender's imsi after them (the second OCTET STRING).
constexpr Rule kMtForwardSmArgRules[] = {any_at(0, Target::kSmRpDa, kRequired), any_at(1, Target::kSmRpOa, kRequired),
                                         octets(0, Target::kSkip, kRequired)};
constexpr Rule kMoForwardSmArgRules[] = {any_at(0, Target::kSmRpDa, kRequired), any_at(1, Target::kSmRpOa, kRequired),
                                         octets(0, Target::kSkip, kRequired), octets(1, Target::kImsi)};
// sendRoutingInfoForSM: msisdn [0], sm-RP-PRI [1], serviceCentreAddress [2], imsi [12].
constexpr Rule kRoutingInfoForSmArgRules[] = {ctx(0, Target::kMsisdn, kRequired),
                                              ctx(2, Target::kServiceCentre, kRequired),
                                              ctx(12, Target::kImsi)};
// LocationInfoWithLMSI: networkNode-Number [1], ..., gprsNodeIndicator [5], additional-Number [6]
// (v1 locationInfo CHOICE { roamingNumber [0], msc-Number [1] }).
constexpr Rule kLocationInfoWithLmsiRules[] = {ctx(1, Target::kNetworkNode), ctx(6, kAdditionalNumber)};
constexpr Shape kLocationInfoWithLmsi = sequence(kLocationInfoWithLmsiRules, 5);
// RoutingInfoForSM-Res: imsi, locationInfoWithLMSI [0].
constexpr Rule kRoutingInfoForSmResRules[] = {octets(0, Target::kImsi, kRequired),
                                              ctx(0, kLocationInfoWithLmsi, kRequired)};
// reportSM-DeliveryStatus: msisdn, serviceCentreAddress, ..., imsi [9].
constexpr Rule kReportSmDeliveryStatusArgRules[] = {octets(0, Target::kMsisdn, kRequired),
                                                    octets(1, Target::kServiceCentre, kRequired), ctx(9, Target::kImsi)};
// alertServiceCentre (and v1 alertServiceCentreWithoutResult): msisdn, serviceCentreAddress, imsi.
constexpr Rule kAlertServiceCentreArgRules[] = {octets(0, Target::kMsisdn, kRequired),
                                                octets(1, Target::kServiceCentre, kRequired), octets(2, Target::kImsi)};
// updateVcsgLocation: imsi, msisdn [2], vlr-Number [0], sgsn-Number [1].
constexpr Rule kUpdateVcsgLocationArgRules[] = {octets(0, Target::kImsi, kRequired), ctx(2, Target::kMsisdn),
                                                ctx(0, Target::kVlrNumber), ctx(1, Target::kSgsnNumber)};
// sendIdentification v3: tmsi, ..., msc-Number (second OCTET STRING). Res v3 [3] SEQUENCE and
// v2 SEQUENCE: imsi first (optional in both).
constexpr Rule kSendIdentificationArgRules[] = {octets(0, Target::kSkip, kRequired), octets(1, Target::kMscNumber)};
constexpr Rule kImsiFirstOptionalRules[] = {octets(0, Target::kImsi)};
// sendAuthenticationInfo v3: imsi [0], numberOfRequestedVectors, ...
constexpr Rule kSendAuthenticationInfoArgRules[] = {ctx(0, Target::kImsi, kRequired)};
// USSD-Arg (MAP-SS-DataTypes): ussd-DataCodingScheme, ussd-String, ..., msisdn [0].
constexpr Rule kUssdArgRules[] = {octets(0, Target::kSkip, kRequired), octets(1, Target::kSkip, kRequired),
                                  ctx(0, Target::kMsisdn)};
// anyTimeSubscriptionInterrogation: subscriberIdentity [0], gsmSCF-Address [2].
constexpr Rule kAnyTimeSubscriptionInterrogationArgRules[] = {ctx(0, kSubscriberIdentity, kRequired),
                                                              ctx(2, Target::kGsmScf, kRequired)};
// anyTimeModification: subscriberIdentity [0], gsmSCF-Address [1].
constexpr Rule kAnyTimeModificationArgRules[] = {ctx(0, kSubscriberIdentity, kRequired),
                                                 ctx(1, Target::kGsmScf, kRequired)};
// anyTimeInterrogation: subscriberIdentity [0], requestedInfo [1], gsmSCF-Address [3].
constexpr Rule kAnyTimeInterrogationArgRules[] = {ctx(0, kSubscriberIdentity, kRequired),
                                                  ctx(3, Target::kGsmScf, kRequired)};
// ProvideSubscriberInfoRes / AnyTimeInterrogationRes: subscriberInfo first.
constexpr Rule kSubscriberInfoResRules[] = {seq_at(0, kSubscriberInfo, kRequired)};
// purgeMS v3 [3] SEQUENCE: imsi, vlr-Number [0], sgsn-Number [1]; v2 SEQUENCE: imsi, vlr-Number.
constexpr Rule kPurgeMsArgV3Rules[] = {octets(0, Target::kImsi, kRequired), ctx(0, Target::kVlrNumber),
                                       ctx(1, Target::kSgsnNumber)};
constexpr Rule kPurgeMsArgV2Rules[] = {octets(0, Target::kImsi, kRequired), octets(1, Target::kVlrNumber)};
// provideSubscriberLocation (MAP-LCS-DataTypes): ..., imsi [2], msisdn [3] (one of them).
constexpr Rule kProvideSubscriberLocationArgRules[] = {ctx(2, Target::kImsi), ctx(3, Target::kMsisdn)};
// sendRoutingInfoForLCS: mlcNumber [0], targetMS [1] SubscriberIdentity. Res: targetMS [0],
// lcsLocationInfo [1] SEQUENCE { networkNode-Number, ..., gprsNodeIndicator [2],
// additional-Number [3], ... }.
constexpr Rule kRoutingInfoForLcsArgRules[] = {ctx(1, kSubscriberIdentity, kRequired)};
constexpr Rule kLcsLocationInfoRules[] = {octets(0, Target::kNetworkNode, kRequired), ctx(3, kAdditionalNumber)};
constexpr Shape kLcsLocationInfo = sequence(kLcsLocationInfoRules, 2);
constexpr Rule kRoutingInfoForLcsResRules[] = {ctx(0, kSubscriberIdentity, kRequired),
                                               ctx(1, kLcsLocationInfo, kRequired)};
// noteMM-Event: serviceKey, eventMet [0], imsi [1], msisdn [2], locationInformation [3].
constexpr Rule kNoteMmEventArgRules[] = {ctx(1, Target::kImsi, kRequired), ctx(2, Target::kMsisdn, kRequired),
                                         ctx(3, kLocationInformation)};

constexpr Shape kUpdateLocationArg = sequence(kUpdateLocationArgRules);
constexpr Shape kHlrNumberRes = sequence(kHlrNumberResRules);
constexpr Shape kCancelLocationArg = sequence(kCancelLocationArgRules);
constexpr Shape kProvideRoamingNumberArg = sequence(kProvideRoamingNumberArgRules);
constexpr Shape kProvideRoamingNumberRes = sequence(kProvideRoamingNumberResRules);
constexpr Shape kNoteSubscriberDataModifiedArg = sequence(kNoteSubscriberDataModifiedArgRules);
constexpr Shape kResumeCallHandlingArg = sequence(kResumeCallHandlingArgRules);
constexpr Shape kInsertSubscriberDataArg = sequence(kInsertSubscriberDataArgRules);
constexpr Shape kImsi0Required = sequence(kImsi0RequiredRules);
constexpr Shape kImsi0 = sequence(kImsi0Rules);
constexpr Shape kAuthenticationFailureReportArg = sequence(kAuthenticationFailureReportArgRules);
constexpr Shape kMsisdn0Required = sequence(kMsisdn0RequiredRules);
constexpr Shape kSendRoutingInfoResV3 = sequence(kSendRoutingInfoResV3Rules);
constexpr Shape kImsiFirst = sequence(kImsiFirstRules);
constexpr Shape kUpdateGprsLocationArg = sequence(kUpdateGprsLocationArgRules);
constexpr Shape kResetArg = sequence(kResetArgRules);
constexpr Shape kCheckImeiArg = sequence(kCheckImeiArgRules);
constexpr Shape kMtForwardSmArg = sequence(kMtForwardSmArgRules);
constexpr Shape kMoForwardSmArg = sequence(kMoForwardSmArgRules);
constexpr Shape kRoutingInfoForSmArg = sequence(kRoutingInfoForSmArgRules);
constexpr Shape kRoutingInfoForSmRes = sequence(kRoutingInfoForSmResRules);
constexpr Shape kReportSmDeliveryStatusArg = sequence(kReportSmDeliveryStatusArgRules);
constexpr Shape kAlertServiceCentreArg = sequence(kAlertServiceCentreArgRules);
constexpr Shape kUpdateVcsgLocationArg = sequence(kUpdateVcsgLocationArgRules);
constexpr Shape kSendIdentificationArg = sequence(kSendIdentificationArgRules);
constexpr Shape kImsiFirstOptional = sequence(kImsiFirstOptionalRules);
constexpr Shape kSendAuthenticationInfoArg = sequence(kSendAuthenticationInfoArgRules);
constexpr Shape kUssdArg = sequence(kUssdArgRules);
constexpr Shape kAnyTimeSubscriptionInterrogationArg = sequence(kAnyTimeSubscriptionInterrogationArgRules);
constexpr Shape kAnyTimeModificationArg = sequence(kAnyTimeModificationArgRules);
constexpr Shape kAnyTimeInterrogationArg = sequence(kAnyTimeInterrogationArgRules);
constexpr Shape kSubscriberInfoRes = sequence(kSubscriberInfoResRules);
constexpr Shape kPurgeMsArgV3 = sequence(kPurgeMsArgV3Rules);
constexpr Shape kPurgeMsArgV2 = sequence(kPurgeMsArgV2Rules);
constexpr Shape kProvideSubscriberLocationArg = sequence(kProvideSubscriberLocationArgRules);
constexpr Shape kRoutingInfoForLcsArg = sequence(kRoutingInfoForLcsArgRules);
constexpr Shape kRoutingInfoForLcsRes = sequence(kRoutingInfoForLcsResRules);
constexpr Shape kNoteMmEventArg = sequence(kNoteMmEventArgRules);

// A form the parameter may take: its outermost tag, and either the field it is (a bare IMSI or
// ISDN-AddressString, as several MAP v1/v2 arguments are) or the SEQUENCE shape inside it.
struct Form {
  BerClass tag_class;
  uint8_t tag_number;
  Target bare;
  const Shape* shape;
};

constexpr Form as_sequence(const Shape& shape) {
  return Form{BerClass::kUniversal, ber_tag::kSequence, Target::kSkip, &shape};
}
// [3] SEQUENCE: how v3 wraps arguments whose v2 form was an untagged type (TS 29.002 §17.7).
constexpr Form as_tagged3(const Shape& shape) { return Form{BerClass::kContext, 3, Target::kSkip, &shape}; }
constexpr Form as_octets(Target target) {
  return Form{BerClass::kUniversal, ber_tag::kOctetString, target, nullptr};
}

constexpr bool kArg = false;
constexpr bool kRes = true;

struct OperationForms {
  int32_t opcode;
  bool result;
  uint8_t count;
  Form forms[3];
};

// Operations without a row carry no screened field (registerSS..interrogateSS, the handover
// operations, ...): their parameters are not read.
constexpr OperationForms kForms[] = {
    {2, kArg, 1, {as_sequence(kUpdateLocationArg)}},
    {2, kRes, 2, {as_sequence(kHlrNumberRes), as_octets(Target::kHlrNumber)}},
    {3, kArg, 3, {as_tagged3(kCancelLocationArg), as_octets(Target::kImsi), as_sequence(kImsiWithLmsi)}},
    {4, kArg, 1, {as_sequence(kProvideRoamingNumberArg)}},
    {4, kRes, 2, {as_sequence(kProvideRoamingNumberRes), as_octets(Target::kSkip)}},
    {5, kArg, 1, {as_sequence(kNoteSubscriberDataModifiedArg)}},
    {6, kArg, 1, {as_sequence(kResumeCallHandlingArg)}},
    {7, kArg, 1, {as_sequence(kInsertSubscriberDataArg)}},
    {8, kArg, 1, {as_sequence(kImsi0Required)}},
    {9, kArg, 1, {as_sequence(kImsi0)}},
    {15, kArg, 1, {as_sequence(kAuthenticationFailureReportArg)}},
    {22, kArg, 1, {as_sequence(kMsisdn0Required)}},
    {22, kRes, 2, {as_tagged3(kSendRoutingInfoResV3), as_sequence(kImsiFirst)}},
    {23, kArg, 1, {as_sequence(kUpdateGprsLocationArg)}},
    {23, kRes, 1, {as_sequence(kHlrNumberRes)}},
    {24, kArg, 1, {as_sequence(kImsi0Required)}},
    {25, kArg, 1, {as_sequence(kImsi0)}},
    {26, kArg, 1, {as_sequence(kImsi0)}},
    {36, kArg, 1, {as_sequence(kCancelLocationArg)}},
    {37, kArg, 1, {as_sequence(kResetArg)}},
    {43, kArg, 2, {as_sequence(kCheckImeiArg), as_octets(Target::kImei)}},
    {44, kArg, 1, {as_sequence(kMtForwardSmArg)}},
    {45, kArg, 1, {as_sequence(kRoutingInfoForSmArg)}},
    {45, kRes, 1, {as_sequence(kRoutingInfoForSmRes)}},
    {46, kArg, 1, {as_sequence(kMoForwardSmArg)}},
    {47, kArg, 1, {as_sequence(kReportSmDeliveryStatusArg)}},
    {48, kArg, 1, {as_octets(Target::kImsi)}},
    {49, kArg, 1, {as_sequence(kAlertServiceCentreArg)}},
    {50, kArg, 1, {as_sequence(kImsi0)}},
    {51, kArg, 1, {as_sequence(kImsi0)}},
    {53, kArg, 1, {as_sequence(kUpdateVcsgLocationArg)}},
    {54, kArg, 1, {as_sequence(kImsiFirst)}},
    {55, kArg, 2, {as_sequence(kSendIdentificationArg), as_octets(Target::kSkip)}},
    {55, kRes, 2, {as_tagged3(kImsiFirstOptional), as_sequence(kImsiFirstOptional)}},
    {56, kArg, 2, {as_sequence(kSendAuthenticationInfoArg), as_octets(Target::kImsi)}},
    {57, kArg, 1, {as_sequence(kImsiFirst)}},
    {57, kRes, 1, {as_sequence(kHlrNumberRes)}},
    {58, kArg, 1, {as_octets(Target::kMsisdn)}},
    {58, kRes, 1, {as_octets(Target::kImsi)}},
    {59, kArg, 1, {as_sequence(kUssdArg)}},
    {60, kArg, 1, {as_sequence(kUssdArg)}},
    {61, kArg, 1, {as_sequence(kUssdArg)}},
    {62, kArg, 1, {as_sequence(kAnyTimeSubscriptionInterrogationArg)}},
    {64, kArg, 1, {as_sequence(kAlertServiceCentreArg)}},
    {65, kArg, 1, {as_sequence(kAnyTimeModificationArg)}},
    {66, kArg, 1, {as_sequence(kImsi0Required)}},
    {67, kArg, 2, {as_tagged3(kPurgeMsArgV3), as_sequence(kPurgeMsArgV2)}},
    {70, kArg, 1, {as_sequence(kImsi0Required)}},
    {70, kRes, 1, {as_sequence(kSubscriberInfoRes)}},
    {71, kArg, 1, {as_sequence(kAnyTimeInterrogationArg)}},
    {71, kRes, 1, {as_sequence(kSubscriberInfoRes)}},
    {73, kArg, 1, {as_sequence(kImsi0)}},
    {74, kArg, 1, {as_sequence(kImsi0Required)}},
    {75, kArg, 1, {as_sequence(kImsi0Required)}},
    {83, kArg, 1, {as_sequence(kProvideSubscriberLocationArg)}},
    {85, kArg, 1, {as_sequence(kRoutingInfoForLcsArg)}},
    {85, kRes, 1, {as_sequence(kRoutingInfoForLcsRes)}},
    {87, kArg, 1, {as_sequence(kImsi0Required)}},
    {88, kArg, 1, {as_sequence(kImsi0Required)}},
    {89, kArg, 1, {as_sequence(kNoteMmEventArg)}},
};

// kForms indexed by opcode and argument/result, built at compile time: the lookup runs for
// every component, and scanning the table was about a fifth of MAP's decoding time.
struct FormsIndex {
  static constexpr uint8_t kNone = 0xFF;
  uint8_t entry[kHighestOpcode + 1][2] = {};
};

constexpr FormsIndex build_forms_index() {
  FormsIndex index;
  for (auto& row : index.entry) row[0] = row[1] = FormsIndex::kNone;
  for (size_t i = 0; i < std::size(kForms); ++i) {
    const OperationForms& entry = kForms[i];
    uint8_t& slot = index.entry[entry.opcode][entry.result ? 1 : 0];
    if (slot == FormsIndex::kNone) slot = static_cast<uint8_t>(i);  // the first row wins, as in a scan
  }
  return index;
}

constexpr FormsIndex kFormsIndex = build_forms_index();
static_assert(std::size(kForms) < FormsIndex::kNone, "kForms rows fit the index");

const OperationForms* find_forms(int32_t opcode, bool result) {
  if (opcode < 0 || opcode > kHighestOpcode) return nullptr;
  const uint8_t slot = kFormsIndex.entry[opcode][result ? 1 : 0];
  return slot == FormsIndex::kNone ? nullptr : &kForms[slot];
}

// ------------------------------------------------------------------------------------------
// The walker
// ------------------------------------------------------------------------------------------

struct Decoder {
  MapFields& out;
  bool malformed = false;
  bool bad_address = false;

  // An OCTET STRING may be sent constructed (X.690 §8.7.3); no MAP peer does, and reassembling
  // segments would need a copy, so it is reported instead of read.
  bool primitive(const BerElement& e) {
    if (e.constructed) malformed = true;
    return !e.constructed;
  }

  void address(const BerElement& e, AddressField& field, uint32_t max_octets, bool decimal_only) {
    if (!primitive(e) || field.present) return;  // the first occurrence is the one kept
    if (!decode_address_string(e.value, max_octets, decimal_only, field)) bad_address = true;
  }

  void isdn(const BerElement& e, AddressField& field) { address(e, field, kIsdnAddressOctets, true); }

  void imsi(const BerElement& e, AddressField& field) {
    if (!primitive(e) || field.present) return;
    if (!decode_imsi(e.value, field)) bad_address = true;
  }

  // IMEI ::= TBCD-STRING (SIZE (8)) (§17.7.8): 15 digits and a filler, or IMEISV's 16.
  void imei(const BerElement& e) {
    if (!primitive(e) || out.imei.present) return;
    out.imei.present = true;
    const TbcdCheck check = tbcd_digits(e.value, out.imei.digits);
    if (e.value.size != 8 || !check.decimal || check.ended_early) bad_address = true;
  }

  // SM-RP-DA ::= CHOICE { imsi [0], lmsi [1], serviceCentreAddressDA [4], noSM-RP-DA [5] NULL }
  // (MAP-SM-DataTypes; the same in v1/v2 ForwardSM-Arg).
  void sm_rp_da(const BerElement& e) {
    if (e.tag_class != BerClass::kContext || out.sm_rp_da_kind != SmRpDaKind::kNone) {
      malformed = malformed || e.tag_class != BerClass::kContext;
      return;
    }
    switch (e.tag_number) {
      case 0:
        out.sm_rp_da_kind = SmRpDaKind::kImsi;
        imsi(e, out.sm_rp_da);
        break;
      case 1:
        out.sm_rp_da_kind = SmRpDaKind::kLmsi;
        if (primitive(e) && !lmsi_digits(e.value, out.sm_rp_da)) bad_address = true;
        break;
      case 4:
        out.sm_rp_da_kind = SmRpDaKind::kServiceCentre;
        address(e, out.sm_rp_da, kAddressStringOctets, false);
        break;
      case 5:
        out.sm_rp_da_kind = SmRpDaKind::kNoSmRpDa;
        if (e.constructed || !e.value.empty()) malformed = true;  // NULL (X.690 §8.8)
        break;
      default:
        malformed = true;
    }
  }

  // SM-RP-OA ::= CHOICE { msisdn [2], serviceCentreAddressOA [4], noSM-RP-OA [5] NULL }.
  void sm_rp_oa(const BerElement& e) {
    if (e.tag_class != BerClass::kContext || out.sm_rp_oa_kind != SmRpOaKind::kNone) {
      malformed = malformed || e.tag_class != BerClass::kContext;
      return;
    }
    switch (e.tag_number) {
      case 2:
        out.sm_rp_oa_kind = SmRpOaKind::kMsisdn;
        isdn(e, out.sm_rp_oa);
        break;
      case 4:
        out.sm_rp_oa_kind = SmRpOaKind::kServiceCentre;
        address(e, out.sm_rp_oa, kAddressStringOctets, false);
        break;
      case 5:
        out.sm_rp_oa_kind = SmRpOaKind::kNoSmRpOa;
        if (e.constructed || !e.value.empty()) malformed = true;
        break;
      default:
        malformed = true;
    }
  }

  void apply(const Rule& rule, const BerElement& e, const BerReader& reader, AddressField& node_number) {
    switch (rule.target) {
      case Target::kSkip: break;
      case Target::kImsi: imsi(e, out.imsi); break;
      case Target::kMsisdn: isdn(e, out.msisdn); break;
      case Target::kMscNumber: isdn(e, out.msc_number); break;
      case Target::kVlrNumber: isdn(e, out.vlr_number); break;
      case Target::kSgsnNumber: isdn(e, out.sgsn_number); break;
      case Target::kHlrNumber: isdn(e, out.hlr_number); break;
      case Target::kServiceCentre: address(e, out.service_centre_address, kAddressStringOctets, false); break;
      case Target::kGsmScf: isdn(e, out.gsmscf_address); break;
      case Target::kImei: imei(e); break;
      case Target::kSubscriberImsi:
        if (out.subscriber_identity_kind == SubscriberIdKind::kNone)
          out.subscriber_identity_kind = SubscriberIdKind::kImsi;
        imsi(e, out.imsi);
        break;
      case Target::kSubscriberMsisdn:
        if (out.subscriber_identity_kind == SubscriberIdKind::kNone)
          out.subscriber_identity_kind = SubscriberIdKind::kMsisdn;
        isdn(e, out.msisdn);
        break;
      case Target::kSmRpDa: sm_rp_da(e); break;
      case Target::kSmRpOa: sm_rp_oa(e); break;
      case Target::kNetworkNode: isdn(e, node_number); break;
      case Target::kNested:
        if (!e.constructed) {
          malformed = true;
        } else {
          BerReader inner = reader.enter(e);
          walk(*rule.nested, inner);
        }
        break;
    }
  }

  static bool matches(const Rule& rule, const BerElement& e, unsigned index, uint8_t occurrence) {
    if (rule.position >= 0 && static_cast<unsigned>(rule.position) != index) return false;
    if (rule.tag_number == kAnyTag) return true;
    if (e.tag_class != rule.tag_class || e.tag_number != rule.tag_number) return false;
    return rule.position >= 0 || occurrence == rule.occurrence;
  }

  // Walks the elements of one SEQUENCE / SEQUENCE OF / CHOICE. Recursion follows the static
  // shape tables (at most six levels, ISD's CSIs) and the reader refuses depth beyond
  // kMaxBerDepth; each loop is capped by kMaxArgumentElements.
  void walk(const Shape& shape, BerReader& reader) {
    uint8_t universal_seen[32] = {};
    uint64_t context_seen = 0;
    uint64_t satisfied = 0;
    AddressField node_number;
    bool gprs_node = false;
    unsigned index = 0;
    BerElement e;
    while (reader.next(e)) {
      if (index == limits::kMaxArgumentElements) {
        malformed = true;  // more components than any MAP type has
        break;
      }
      uint8_t occurrence = 0;
      if (e.tag_class == BerClass::kUniversal && e.tag_number < 32) {
        occurrence = universal_seen[e.tag_number];
        if (occurrence < 0xFF) ++universal_seen[e.tag_number];
      } else if (e.tag_class == BerClass::kContext && shape.kind == ShapeKind::kSequence && e.tag_number < 64) {
        // X.680 §25.3: the components of a SEQUENCE have distinct tags. A second [1] is not a
        // MAP message, and which copy the peer reads is anyone's guess (an evasion).
        const uint64_t bit = uint64_t{1} << e.tag_number;
        if (context_seen & bit) malformed = true;
        context_seen |= bit;
      }
      if (shape.gprs_node_indicator >= 0 && e.is_context(static_cast<uint32_t>(shape.gprs_node_indicator)))
        gprs_node = true;
      bool matched = false;
      for (uint8_t i = 0; i < shape.count; ++i) {
        if (!matches(shape.rules[i], e, index, occurrence)) continue;
        apply(shape.rules[i], e, reader, node_number);
        satisfied |= uint64_t{1} << i;
        matched = true;
        break;
      }
      if (shape.kind == ShapeKind::kChoice && (!matched || index > 0)) malformed = true;
      ++index;
    }
    if (reader.failed()) malformed = true;
    if (shape.kind == ShapeKind::kChoice && index == 0) malformed = true;
    if ((satisfied & shape.required) != shape.required) malformed = true;  // a required rule unmatched
    if (node_number.present) {
      // LocationInfoWithLMSI / LCSLocationInfo: "gprsNodeIndicator is set only if the SGSN
      // number is sent as the Network Node Number".
      AddressField& node = gprs_node ? out.sgsn_number : out.msc_number;
      if (!node.present) node = node_number;
    }
  }
};

}  // namespace

bool decode_address_string(ByteView contents, uint32_t max_octets, bool decimal_only, AddressField& out) {
  out = AddressField{};
  if (contents.empty()) return false;  // SIZE (1..maxAddressLength)
  out.present = true;
  out.nature = contents.data[0];
  const TbcdCheck check = tbcd_digits(contents.from(1), out.digits);
  return contents.size <= max_octets && !check.ended_early && !check.overflow && (check.decimal || !decimal_only);
}

bool decode_imsi(ByteView contents, AddressField& out) {
  out = AddressField{};
  out.present = true;
  const TbcdCheck check = tbcd_digits(contents, out.digits);
  // IMSI ::= TBCD-STRING (SIZE (3..8)); TS 23.003 §2.2: at most 15 decimal digits.
  return contents.size >= 3 && contents.size <= 8 && out.digits.count <= 15 && check.decimal && !check.ended_early;
}

const char* map_operation_name(int32_t opcode) {
  if (opcode < 0 || opcode > kHighestOpcode) return nullptr;
  return kNameIndex.names[opcode];
}

DecodeStatus decode_map_component(const TcapComponent& component, int32_t opcode, MapFields& out,
                                  AnomalySet& anomalies) {
  if (map_operation_name(opcode) == nullptr) {
    anomalies.set(Anomaly::kMapUnknownOperation);
    return DecodeStatus::kAnomaly;
  }
  bool result;
  switch (component.type) {
    case ComponentType::kInvoke: result = false; break;
    case ComponentType::kReturnResultLast:
    case ComponentType::kReturnResultNotLast: result = true; break;
    default: return DecodeStatus::kOk;  // errors and rejects carry no screened field
  }
  const OperationForms* forms = find_forms(opcode, result);
  if (forms == nullptr) return DecodeStatus::kOk;

  Decoder decoder{out};
  if (component.parameter.empty()) {
    // Every operation with a row has a mandatory ARGUMENT; a RESULT may be left out.
    if (!result) {
      anomalies.set(Anomaly::kMapMalformedArgument);
      return DecodeStatus::kAnomaly;
    }
    return DecodeStatus::kOk;
  }

  BerReader top(component.parameter, anomalies);
  BerElement parameter;
  bool cut = false;
  if (!top.next_allow_cut(parameter, cut)) {
    decoder.malformed = true;
  } else {
    if (cut) decoder.malformed = true;  // decode what is there, as Wireshark does
    const Form* form = nullptr;
    for (uint8_t i = 0; i < forms->count; ++i) {
      const Form& f = forms->forms[i];
      if (parameter.tag_class == f.tag_class && parameter.tag_number == f.tag_number) {
        form = &f;
        break;
      }
    }
    if (form == nullptr) {
      decoder.malformed = true;  // not this operation's argument in any MAP version
    } else if (form->shape == nullptr) {
      Rule bare{-1, form->tag_class, form->tag_number, 0, form->bare, false, nullptr};
      AddressField unused;
      decoder.apply(bare, parameter, top, unused);
    } else if (!parameter.constructed) {
      decoder.malformed = true;
    } else {
      BerReader inner = top.enter(parameter);
      decoder.walk(*form->shape, inner);
    }
  }

  if (decoder.malformed) anomalies.set(Anomaly::kMapMalformedArgument);
  if (decoder.bad_address) anomalies.set(Anomaly::kMapBadAddress);
  return decoder.malformed || decoder.bad_address ? DecodeStatus::kAnomaly : DecodeStatus::kOk;
}

}  // namespace sigwall
