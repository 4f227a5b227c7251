// CAMEL Application Part (3GPP TS 29.078): the operation names of CAP v1-v4 (circuit-switched,
// SMS and GPRS), and the fields screened in initialDP, initialDPSMS, initialDPGPRS and
// eventReportBCSM. The element tags of each argument are data tables; one walker reads them.
#include "cap.h"

#include "ber.h"
#include "limits.h"

namespace sigwall {

bool CapFields::any() const {
  return has_service_key || calling_party_number.present || called_party_number.present ||
         called_party_bcd_number.present || imsi.present || msc_address.present ||
         location_vlr_number.present || has_cell_id || has_lai || has_event_type_bcsm;
}

namespace {

// ------------------------------------------------------------------------------------------
// Operation names
// ------------------------------------------------------------------------------------------

struct NamedOperation {
  int32_t opcode;
  const char* name;
};

// TS 29.078 module CAP-operationcodes (opcode-initialDP ... opcode-playTone), spelled as Wireshark's
// camel dissector prints them. dFCWithArgument is 86 and continueWithArgument 88 (the module's
// comment notes 56 was an error).
constexpr NamedOperation kOperations[] = {
    {0, "initialDP"},
    {16, "assistRequestInstructions"},
    {17, "establishTemporaryConnection"},
    {18, "disconnectForwardConnection"},
    {19, "connectToResource"},
    {20, "connect"},
    {22, "releaseCall"},
    {23, "requestReportBCSMEvent"},
    {24, "eventReportBCSM"},
    {27, "collectInformation"},
    {31, "continue"},
    {32, "initiateCallAttempt"},
    {33, "resetTimer"},
    {34, "furnishChargingInformation"},
    {35, "applyCharging"},
    {36, "applyChargingReport"},
    {41, "callGap"},
    {44, "callInformationReport"},
    {45, "callInformationRequest"},
    {46, "sendChargingInformation"},
    {47, "playAnnouncement"},
    {48, "promptAndCollectUserInformation"},
    {49, "specializedResourceReport"},
    {53, "cancel"},
    {55, "activityTest"},
    {60, "initialDPSMS"},
    {61, "furnishChargingInformationSMS"},
    {62, "connectSMS"},
    {63, "requestReportSMSEvent"},
    {64, "eventReportSMS"},
    {65, "continueSMS"},
    {66, "releaseSMS"},
    {67, "resetTimerSMS"},
    {70, "activityTestGPRS"},
    {71, "applyChargingGPRS"},
    {72, "applyChargingReportGPRS"},
    {73, "cancelGPRS"},
    {74, "connectGPRS"},
    {75, "continueGPRS"},
    {76, "entityReleasedGPRS"},
    {77, "furnishChargingInformationGPRS"},
    {78, "initialDPGPRS"},
    {79, "releaseGPRS"},
    {80, "eventReportGPRS"},
    {81, "requestReportGPRSEvent"},
    {82, "resetTimerGPRS"},
    {83, "sendChargingInformationGPRS"},
    {86, "disconnectForwardConnectionWithArgument"},
    {88, "continueWithArgument"},
    {90, "disconnectLeg"},
    {93, "moveLeg"},
    {95, "splitLeg"},
    {96, "entityReleased"},
    {97, "playTone"},
};

constexpr int32_t kHighestOpcode = 97;

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
// Argument tables
// ------------------------------------------------------------------------------------------

enum class Target : uint8_t {
  kServiceKey,            // ServiceKey ::= Integer4 (0..2147483647)
  kCalledPartyNumber,     // ISUP Called Party Number (Q.763 §3.9)
  kCallingPartyNumber,    // ISUP Calling Party Number (Q.763 §3.10)
  kCalledPartyBcdNumber,  // TS 24.008 §10.5.4.7
  kSmsAddress,            // SMS-AddressString ::= AddressString (SIZE (1..11))
  kImsi,
  kMscAddress,            // ISDN-AddressString
  kEventTypeBcsm,         // ENUMERATED
  kLocationInformation,   // TS 29.002 LocationInformation
};

struct Rule {
  uint8_t tag;  // [n] IMPLICIT (CAP modules use IMPLICIT TAGS)
  Target target;
  bool required;
};

struct Operation {
  int32_t opcode;
  const Rule* rules;
  uint8_t count;
};

// CAP-gsmSSF-gsmSCF-ops-args InitialDPArgument: serviceKey [0], calledPartyNumber [2],
// callingPartyNumber [3], eventTypeBCSM [28], iMSI [50], locationInformation [52],
// mscAddress [55], calledPartyBCDNumber [56]. CAMEL phase 1 uses the same tags.
constexpr Rule kInitialDpRules[] = {
    {0, Target::kServiceKey, true},           {2, Target::kCalledPartyNumber, false},
    {3, Target::kCallingPartyNumber, false},  {28, Target::kEventTypeBcsm, false},
    {50, Target::kImsi, false},               {52, Target::kLocationInformation, false},
    {55, Target::kMscAddress, false},         {56, Target::kCalledPartyBcdNumber, false},
};
// CAP-SMS-ops-args InitialDPSMSArg: serviceKey [0], destinationSubscriberNumber [1],
// callingPartyNumber [2], iMSI [4], locationInformationMSC [5], mscAddress [15].
constexpr Rule kInitialDpSmsRules[] = {
    {0, Target::kServiceKey, true},  {1, Target::kCalledPartyBcdNumber, false}, {2, Target::kSmsAddress, false},
    {4, Target::kImsi, false},       {5, Target::kLocationInformation, false},  {15, Target::kMscAddress, false},
};
// CAP-gprsSSF-gsmSCF-ops-args InitialDPGPRSArg: serviceKey [0], ..., iMSI [3] (mandatory).
constexpr Rule kInitialDpGprsRules[] = {{0, Target::kServiceKey, true}, {3, Target::kImsi, true}};
// EventReportBCSMArg: eventTypeBCSM [0], ...
constexpr Rule kEventReportBcsmRules[] = {{0, Target::kEventTypeBcsm, true}};

template <size_t N>
constexpr Operation operation(int32_t opcode, const Rule (&rules)[N]) {
  return Operation{opcode, rules, static_cast<uint8_t>(N)};
}

constexpr Operation kDecoded[] = {
    operation(0, kInitialDpRules),
    operation(24, kEventReportBcsmRules),
    operation(60, kInitialDpSmsRules),
    operation(78, kInitialDpGprsRules),
};

// CAP-datatypes bounds (cAPSpecificBoundSet): min/max octets of each number.
constexpr uint32_t kCalledPartyNumberOctets[2] = {2, 18};
constexpr uint32_t kCallingPartyNumberOctets[2] = {2, 10};
constexpr uint32_t kCalledPartyBcdNumberOctets[2] = {1, 41};
constexpr uint32_t kSmsAddressOctets = 11;
constexpr uint32_t kIsdnAddressOctets = 9;

// ------------------------------------------------------------------------------------------
// Decoding
// ------------------------------------------------------------------------------------------

// Q.763 address signals, two per octet, the first in bits 4-1; the odd/even indicator says
// whether the last octet's high nibble is a signal or filler. Written as Wireshark's ISUP
// dissector writes them: 0-9 and A-F (B and C are codes 11 and 12, F is ST).
bool isup_digits(ByteView signals, bool odd, Digits& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.count = 0;
  bool fits = true;
  for (uint32_t i = 0; i < signals.size; ++i) {
    const uint8_t nibbles[2] = {static_cast<uint8_t>(signals.data[i] & 0x0F),
                                static_cast<uint8_t>(signals.data[i] >> 4)};
    const unsigned n = (odd && i + 1 == signals.size) ? 1 : 2;
    for (unsigned k = 0; k < n; ++k) {
      if (out.count >= limits::kMaxDigits) {
        fits = false;
        break;
      }
      out.text[out.count++] = kHex[nibbles[k]];
    }
  }
  out.text[out.count] = '\0';
  return fits;
}

// TS 24.008 §10.5.4.7 BCD digits: 0-9, *, #, a, b, c; 1111 is the end mark, which may only
// fill the last high nibble (elsewhere written '?', as Wireshark does, and flagged).
bool bcd_number_digits(ByteView bytes, Digits& out) {
  static constexpr char kBcd[] = "0123456789*#abc?";
  out.count = 0;
  bool ok = true;
  for (uint32_t i = 0; i < bytes.size; ++i) {
    const uint8_t low = bytes.data[i] & 0x0F, high = bytes.data[i] >> 4;
    const bool last = i + 1 == bytes.size;
    const uint8_t nibbles[2] = {low, high};
    for (unsigned k = 0; k < 2; ++k) {
      if (k == 1 && last && high == 0x0F) break;  // the end mark of an odd count
      if (nibbles[k] == 0x0F) ok = false;
      if (out.count >= limits::kMaxDigits) {
        ok = false;
        break;
      }
      out.text[out.count++] = kBcd[nibbles[k]];
    }
  }
  out.text[out.count] = '\0';
  return ok;
}

struct Decoder {
  CapFields& out;
  bool malformed = false;
  bool bad_address = false;

  bool primitive(const BerElement& e) {
    if (e.constructed) malformed = true;  // a constructed OCTET STRING: see map.cc
    return !e.constructed;
  }

  // Low 32 bits of an INTEGER's contents; ok when it is a value of Integer4 (0..2^31-1).
  // Wireshark shows the low 32 bits of an over-long value too, so the two agree.
  void service_key(const BerElement& e) {
    if (!primitive(e) || out.has_service_key) return;
    if (e.value.empty()) {
      malformed = true;
      return;
    }
    uint32_t low = 0;
    const uint32_t from = e.value.size > 4 ? e.value.size - 4 : 0;
    for (uint32_t i = from; i < e.value.size; ++i) low = (low << 8) | e.value.data[i];
    out.has_service_key = true;
    out.service_key = low;
    int32_t value;
    if (!ber_integer(e.value, value) || value < 0) malformed = true;
  }

  void event_type_bcsm(const BerElement& e) {
    if (!primitive(e) || out.has_event_type_bcsm) return;
    int32_t value;
    if (!ber_integer(e.value, value) || value < 0 || value > 255) {
      malformed = true;
      return;
    }
    out.has_event_type_bcsm = true;
    out.event_type_bcsm = static_cast<uint8_t>(value);
  }

  // Q.763 §3.9 / §3.10: octet 1 odd/even and nature of address; octet 2 INN or NI, numbering
  // plan (and for the calling number presentation and screening); then the address signals.
  void isup_number(const BerElement& e, AddressField& field, const uint32_t (&bounds)[2]) {
    if (!primitive(e) || field.present) return;
    if (e.value.size < 2) {
      bad_address = true;
      return;
    }
    field.present = true;
    field.nature = e.value.data[0] & 0x7F;
    const bool odd = (e.value.data[0] & 0x80) != 0;
    const ByteView signals = e.value.from(2);
    if (!isup_digits(signals, odd, field.digits) || e.value.size > bounds[1] || (odd && signals.empty()))
      bad_address = true;
  }

  // TS 24.008 §10.5.4.7: octet 3 ext / type of number / numbering plan; ext 0 announces an
  // octet 3a (as in its calling-party sibling), which Wireshark also steps over.
  void bcd_number(const BerElement& e, AddressField& field) {
    if (!primitive(e) || field.present) return;
    if (e.value.size < kCalledPartyBcdNumberOctets[0]) {
      bad_address = true;
      return;
    }
    field.present = true;
    field.nature = e.value.data[0];
    const uint32_t digits_from = (e.value.data[0] & 0x80) ? 1 : 2;
    if (!bcd_number_digits(e.value.from(digits_from), field.digits) || e.value.size > kCalledPartyBcdNumberOctets[1] ||
        e.value.size < digits_from)
      bad_address = true;
  }

  void address(const BerElement& e, AddressField& field, uint32_t max_octets, bool decimal_only) {
    if (!primitive(e) || field.present) return;
    if (!decode_address_string(e.value, max_octets, decimal_only, field)) bad_address = true;
  }

  void imsi(const BerElement& e) {
    if (!primitive(e) || out.imsi.present) return;
    if (!decode_imsi(e.value, out.imsi)) bad_address = true;
  }

  // CellGlobalIdOrServiceAreaIdFixedLength / LAIFixedLength (TS 29.002 §17.7.8, TS 23.003
  // §4.3): MCC digits 1-2, MCC digit 3 and MNC digit 3 (1111 for a two-digit MNC), MNC digits
  // 1-2, then LAC and, in the 7-octet form, CI or SAC.
  void cell_id(const BerElement& e, bool with_cell) {
    if (!primitive(e)) return;
    if (e.value.size != (with_cell ? 7u : 5u)) {
      bad_address = true;
      return;
    }
    const uint8_t* b = e.value.data;
    const uint8_t mcc[3] = {static_cast<uint8_t>(b[0] & 0x0F), static_cast<uint8_t>(b[0] >> 4),
                            static_cast<uint8_t>(b[1] & 0x0F)};
    const uint8_t mnc[3] = {static_cast<uint8_t>(b[2] & 0x0F), static_cast<uint8_t>(b[2] >> 4),
                            static_cast<uint8_t>(b[1] >> 4)};
    const bool two_digit_mnc = mnc[2] == 0x0F;
    for (uint8_t d : mcc) bad_address = bad_address || d > 9;
    for (unsigned i = 0; i < (two_digit_mnc ? 2u : 3u); ++i) bad_address = bad_address || mnc[i] > 9;
    out.mcc = static_cast<uint16_t>(mcc[0] * 100 + mcc[1] * 10 + mcc[2]);
    out.mnc = static_cast<uint16_t>(mnc[0] * 10 + mnc[1]);
    if (!two_digit_mnc) out.mnc = static_cast<uint16_t>(out.mnc * 10 + mnc[2]);
    out.mnc_digits = two_digit_mnc ? 2 : 3;
    out.lac = static_cast<uint16_t>((b[3] << 8) | b[4]);
    if (with_cell) {
      out.cell_id = static_cast<uint16_t>((b[5] << 8) | b[6]);
      out.has_cell_id = true;
    } else {
      out.has_lai = true;
    }
  }

  // TS 29.002 LocationInformation: ageOfLocationInformation, ..., vlr-number [1], ...,
  // cellGlobalIdOrServiceAreaIdOrLAI [3] (an explicitly tagged CHOICE: [0] the 7-octet
  // cell / service area id, [1] the LAI).
  void location_information(const BerElement& element, const BerReader& parent) {
    if (!element.constructed) {
      malformed = true;
      return;
    }
    BerReader reader = parent.enter(element);
    BerElement e;
    uint64_t seen = 0;
    unsigned count = 0;
    while (reader.next(e)) {
      if (++count > limits::kMaxArgumentElements) {
        malformed = true;
        break;
      }
      if (e.tag_class != BerClass::kContext) continue;
      if (e.tag_number < 64) {
        const uint64_t bit = uint64_t{1} << e.tag_number;
        if (seen & bit) malformed = true;  // X.680 §25.3: SEQUENCE components have distinct tags
        seen |= bit;
      }
      if (e.tag_number == 1) {
        address(e, out.location_vlr_number, kIsdnAddressOctets, true);
      } else if (e.tag_number == 3) {
        if (!e.constructed) {
          malformed = true;
          continue;
        }
        BerReader choice = reader.enter(e);
        BerElement alternative;
        if (!choice.next(alternative) || alternative.tag_class != BerClass::kContext || alternative.tag_number > 1 ||
            !choice.at_end()) {
          malformed = true;
          continue;
        }
        if (!out.has_cell_id && !out.has_lai) cell_id(alternative, alternative.tag_number == 0);
      }
    }
    if (reader.failed()) malformed = true;
  }

  void apply(Target target, const BerElement& e, const BerReader& reader) {
    switch (target) {
      case Target::kServiceKey: service_key(e); break;
      case Target::kCalledPartyNumber: isup_number(e, out.called_party_number, kCalledPartyNumberOctets); break;
      case Target::kCallingPartyNumber: isup_number(e, out.calling_party_number, kCallingPartyNumberOctets); break;
      case Target::kCalledPartyBcdNumber: bcd_number(e, out.called_party_bcd_number); break;
      case Target::kSmsAddress: address(e, out.calling_party_number, kSmsAddressOctets, false); break;
      case Target::kImsi: imsi(e); break;
      case Target::kMscAddress: address(e, out.msc_address, kIsdnAddressOctets, true); break;
      case Target::kEventTypeBcsm: event_type_bcsm(e); break;
      case Target::kLocationInformation: location_information(e, reader); break;
    }
  }

  void walk(const Operation& op, BerReader& reader) {
    uint64_t seen = 0, satisfied = 0;
    unsigned count = 0;
    BerElement e;
    while (reader.next(e)) {
      if (++count > limits::kMaxArgumentElements) {
        malformed = true;
        break;
      }
      if (e.tag_class != BerClass::kContext) continue;  // unknown extension: skipped
      if (e.tag_number < 64) {
        const uint64_t bit = uint64_t{1} << e.tag_number;
        if (seen & bit) malformed = true;  // a repeated component: which one the SCF reads is unknown
        seen |= bit;
      }
      for (uint8_t i = 0; i < op.count; ++i) {
        if (op.rules[i].tag != e.tag_number) continue;
        apply(op.rules[i].target, e, reader);
        satisfied |= uint64_t{1} << i;
        break;
      }
    }
    if (reader.failed()) malformed = true;
    for (uint8_t i = 0; i < op.count; ++i)
      if (op.rules[i].required && !(satisfied & (uint64_t{1} << i))) malformed = true;
  }
};

}  // namespace

const char* cap_operation_name(int32_t opcode) {
  if (opcode < 0 || opcode > kHighestOpcode) return nullptr;
  return kNameIndex.names[opcode];
}

DecodeStatus decode_cap_component(const TcapComponent& component, int32_t opcode, CapFields& out,
                                  AnomalySet& anomalies) {
  if (cap_operation_name(opcode) == nullptr) {
    anomalies.set(Anomaly::kCapUnknownOperation);
    return DecodeStatus::kAnomaly;
  }
  // The screened operations are all SSF -> SCF requests: only their Invoke carries the fields.
  if (component.type != ComponentType::kInvoke) return DecodeStatus::kOk;
  const Operation* op = nullptr;
  for (const Operation& candidate : kDecoded)
    if (candidate.opcode == opcode) op = &candidate;
  if (op == nullptr) return DecodeStatus::kOk;

  Decoder decoder{out};
  if (component.parameter.empty()) {
    decoder.malformed = true;  // each of these operations has a mandatory ARGUMENT
  } else {
    BerReader top(component.parameter, anomalies);
    BerElement argument;
    bool cut = false;
    if (!top.next_allow_cut(argument, cut) || !argument.is_universal(ber_tag::kSequence) || !argument.constructed) {
      decoder.malformed = true;
    } else {
      if (cut) decoder.malformed = true;  // decode what is there, as Wireshark does
      BerReader inner = top.enter(argument);
      decoder.walk(*op, inner);
    }
  }
  if (decoder.malformed) anomalies.set(Anomaly::kCapMalformedArgument);
  if (decoder.bad_address) anomalies.set(Anomaly::kCapBadAddress);
  return decoder.malformed || decoder.bad_address ? DecodeStatus::kAnomaly : DecodeStatus::kOk;
}

}  // namespace sigwall
