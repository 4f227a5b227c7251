#include "sua.h"

#include "limits.h"
#include "sigtran_common.h"

namespace sigwall {

namespace {

constexpr uint8_t kVersion = 1;        // RFC 3868 §3.1
constexpr uint32_t kHeaderBytes = kSigtranHeaderBytes;  // §3.1: version, reserved, class, type, length
constexpr uint32_t kTlvHeaderBytes = 4;

namespace sua_class {
constexpr uint8_t kMgmt = 0, kSsnm = 2, kAspsm = 3, kAsptm = 4, kConnectionless = 7,
                  kConnectionOriented = 8, kRkm = 9;
}
namespace cl_type {
constexpr uint8_t kCldt = 1, kCldr = 2;
}

// The message classes and types RFC 3868 §3.1 defines (SUA has no class 1).
constexpr SigtranClassTypes kClassTypes[] = {
    {sua_class::kMgmt, 0, 1},                // ERR, NTFY
    {sua_class::kSsnm, 1, 6},                // DUNA, DAVA, DAUD, SCON, DUPU, DRST
    {sua_class::kAspsm, 1, 6},               // ASPUP, ASPDN, BEAT and their ACKs
    {sua_class::kAsptm, 1, 4},               // ASPAC, ASPIA and their ACKs
    {sua_class::kConnectionless, 1, 2},      // CLDT, CLDR
    {sua_class::kConnectionOriented, 1, 11}, // CORE, COAK, COREF, RELRE, RELCO, RESCO, RESRE,
                                             // CODT, CODA, COERR, COIT
    {sua_class::kRkm, 1, 4},                 // REG REQ, REG RSP, DEREG REQ, DEREG RSP
};


// Parameter tags (§3.10): the common ones and the SUA-specific ones used by CLDT/CLDR.
namespace tag {
constexpr uint16_t kRoutingContext = 0x0006, kHopCount = 0x0101, kSourceAddress = 0x0102,
                   kDestinationAddress = 0x0103, kCause = 0x0106, kData = 0x010B,
                   kImportance = 0x0113, kProtocolClass = 0x0115, kSequenceControl = 0x0116,
                   kSegmentation = 0x0117;
}
// Address parameters inside Source/Destination Address (§3.10.2).
namespace address_tag {
constexpr uint16_t kGlobalTitle = 0x8001, kPointCode = 0x8002, kSsn = 0x8003, kIpv4 = 0x8004,
                   kHostname = 0x8005, kIpv6 = 0x8006;
}
// §3.10.2 routing indicator values. SCCP's routing indicator (Q.713 §3.4.1) has two values:
// route on GT (0) and route on SSN (1); SSN + PC and SSN + IP map onto the latter.
namespace routing {
constexpr uint16_t kGlobalTitle = 1, kSsnPc = 2, kHostname = 3, kSsnIp = 4;
}
constexpr uint8_t kSccpRouteOnGt = 0, kSccpRouteOnSsn = 1;
constexpr uint8_t kMaxHopCounter = 15;  // Q.713 §3.18, which the SS7 Hop Count carries
constexpr uint8_t kGtiMax = 4;          // GTI 1..4 as in Q.713 §3.4.1

// One TLV from a parameter list (the message's or an address's): tag, length (header
// included, padding excluded), value, padding to a multiple of 4 (§3.1, as in M3UA).
enum class Tlv : uint8_t { kOk, kEnd, kTruncated, kBadLength };

Tlv next_tlv(Cursor& cursor, uint16_t& parameter_tag, ByteView& value) {
  if (cursor.at_end()) return Tlv::kEnd;
  uint16_t length;
  if (!cursor.read_be16(parameter_tag) || !cursor.read_be16(length)) return Tlv::kTruncated;
  if (length < kTlvHeaderBytes) return Tlv::kBadLength;
  if (!cursor.read_view(length - kTlvHeaderBytes, value)) return Tlv::kTruncated;
  // The last parameter's padding may be missing on the wire; nothing follows it then.
  const uint32_t padding = (4 - length % 4) % 4;
  if (!cursor.skip(padding)) cursor.skip(cursor.remaining());
  return Tlv::kOk;
}

// "Reserved (24 bits), value (8 bits)": SS7 Hop Count, Importance, Protocol Class, SSN.
bool read_low_octet(ByteView value, uint8_t& out) {
  if (value.size != 4) return false;
  Cursor cursor(value);
  return cursor.skip(3) && cursor.read_u8(out);
}

// §3.10.2 Global Title (0x8001): reserved (24), GTI (8), number of digits, translation type,
// numbering plan, nature of address, then the digits, packed BCD low nibble first.
DecodeStatus decode_global_title(ByteView value, SccpAddress& out, AnomalySet& anomalies) {
  Cursor cursor(value);
  uint8_t gti, digit_count, np, nai;
  if (!cursor.skip(3) || !cursor.read_u8(gti) || !cursor.read_u8(digit_count) || !cursor.read_u8(out.tt) ||
      !cursor.read_u8(np) || !cursor.read_u8(nai)) {
    anomalies.set(Anomaly::kSuaBadParameter);
    return DecodeStatus::kAnomaly;
  }
  out.gti = gti;
  if (gti == 0 || gti > kGtiMax) {  // the digits' meaning is unknown: no GT to screen on
    anomalies.set(Anomaly::kSuaBadParameter);
    return DecodeStatus::kAnomaly;
  }
  // Which fields the GTI says are meaningful, as in Q.713 §3.4.2.3.1-4, so that rules see
  // the same fields whichever adaptation carried the address.
  out.has_tt = gti != 1;
  out.has_np = gti >= 3;
  out.np = np;
  out.has_nai = gti == 1 || gti == 4;
  out.nai = nai & 0x7F;
  const bool odd = (digit_count & 1) != 0;
  out.es = odd ? 1 : 2;  // SUA gives a digit count; Q.713's encoding scheme says the same
  ByteView digits;
  if (!cursor.read_view((uint32_t{digit_count} + 1) / 2, digits)) {
    anomalies.set(Anomaly::kSuaBadParameter);
    return DecodeStatus::kAnomaly;
  }
  if (!decode_bcd_digits(digits, odd, DigitAlphabet::kSccpGlobalTitle, out.digits)) {
    anomalies.set(Anomaly::kSccpDigitsCap);
    return DecodeStatus::kAnomaly;
  }
  return DecodeStatus::kOk;
}

// §3.10.2 Source / Destination Address: routing indicator (16), address indicator (16), then
// address parameters. Mapped onto Q.713's party address.
DecodeStatus decode_address(ByteView value, SccpAddress& out, AnomalySet& anomalies) {
  out = SccpAddress{};
  Cursor cursor(value);
  uint16_t routing_indicator, address_indicator;
  if (!cursor.read_be16(routing_indicator) || !cursor.read_be16(address_indicator)) {
    anomalies.set(Anomaly::kSuaBadParameter);
    return DecodeStatus::kMalformed;
  }
  out.present = true;
  out.indicator = static_cast<uint8_t>(address_indicator);  // bits: 1 SSN, 2 PC, 3 GT
  DecodeStatus status = DecodeStatus::kOk;
  switch (routing_indicator) {
    case routing::kGlobalTitle:
    case routing::kHostname:
      out.routing_indicator = kSccpRouteOnGt;
      break;
    case routing::kSsnPc:
    case routing::kSsnIp:
      out.routing_indicator = kSccpRouteOnSsn;
      break;
    default:  // 0 is reserved, 5+ undefined: the peer's routing cannot be known
      anomalies.set(Anomaly::kSuaBadParameter);
      status = DecodeStatus::kAnomaly;
      break;
  }

  bool has_gt = false;
  for (unsigned count = 0;; ++count) {
    uint16_t parameter_tag;
    ByteView parameter;
    const Tlv tlv = next_tlv(cursor, parameter_tag, parameter);
    if (tlv == Tlv::kEnd) break;
    if (tlv != Tlv::kOk) {
      anomalies.set(Anomaly::kSuaBadParameter);
      return DecodeStatus::kMalformed;
    }
    if (count == limits::kMaxAdaptationParameters) {
      anomalies.set(Anomaly::kSuaParameterCap);
      return DecodeStatus::kMalformed;
    }
    bool bad = false;
    switch (parameter_tag) {
      case address_tag::kGlobalTitle:
        if (has_gt) {  // a second GT: a peer may route on either; keep the first, flag
          bad = true;
          break;
        }
        has_gt = true;
        status = worst(status, decode_global_title(parameter, out, anomalies));
        break;
      case address_tag::kPointCode:  // 32 bits
        if (parameter.size != 4 || out.has_pc) {
          bad = true;
          break;
        }
        out.has_pc = true;
        Cursor(parameter).read_be32(out.pc);
        break;
      case address_tag::kSsn:  // reserved (24), SSN (8)
        if (out.has_ssn || !read_low_octet(parameter, out.ssn)) {
          bad = true;
          break;
        }
        out.has_ssn = true;
        break;
      case address_tag::kIpv4:      // recognised; an IP address has no SCCP equivalent
      case address_tag::kHostname:
      case address_tag::kIpv6:
        break;
      default:
        bad = true;  // §3.10.2 defines no other address parameter
        break;
    }
    if (bad) {
      anomalies.set(Anomaly::kSuaBadParameter);
      status = worst(status, DecodeStatus::kAnomaly);
    }
  }
  return status;
}

}  // namespace

DecodeStatus decode_sua(ByteView message, SuaView& out, AnomalySet& anomalies) {
  out = SuaView{};
  if (!read_sigtran_header(message, out)) {
    anomalies.set(Anomaly::kSuaTruncated);
    return DecodeStatus::kMalformed;
  }
  if (out.version != kVersion) {
    anomalies.set(Anomaly::kSuaBadVersion);
    return DecodeStatus::kMalformed;
  }
  // §3.1: the length covers the header and the parameters; one SCTP user message is one
  // SUA message. Longer than the bytes: cut short. Shorter: trailing bytes a peer might read
  // differently, flagged while the declared message is decoded (unless they are only the
  // last parameter's zero padding left out of the length, as for M3UA).
  if (out.length < kHeaderBytes || out.length > message.size) {
    anomalies.set(Anomaly::kSuaBadLength);
    return DecodeStatus::kMalformed;
  }
  DecodeStatus status = DecodeStatus::kOk;
  if (out.length != message.size && !is_final_padding(message, out.length)) {
    anomalies.set(Anomaly::kSuaBadLength);
    status = DecodeStatus::kAnomaly;
  }
  if (!defined_class_and_type(kClassTypes, out.message_class, out.message_type)) {
    anomalies.set(Anomaly::kSuaUnknownClass);
    return worst(status, DecodeStatus::kAnomaly);
  }
  // Every class may carry a Routing Context (a rule input, as for M3UA); only CLDT/CLDR carry
  // SCCP user data, so the other parameters of other classes are not inspected.
  const bool connectionless = out.is_connectionless_data();

  // sccp.message_type stays 0: no SCCP message is on the wire, and rules on the SCCP message
  // type should not match a SUA message by a guess.
  SccpView& sccp = out.sccp;
  const bool is_cldr = out.message_type == cl_type::kCldr;

  Cursor parameters(message.sub(kHeaderBytes, out.length - kHeaderBytes));
  bool has_data = false;
  for (unsigned count = 0;; ++count) {
    uint16_t parameter_tag;
    ByteView value;
    const Tlv tlv = next_tlv(parameters, parameter_tag, value);
    if (tlv == Tlv::kEnd) break;
    if (tlv == Tlv::kTruncated) {
      anomalies.set(Anomaly::kSuaTruncated);
      return DecodeStatus::kMalformed;
    }
    if (tlv == Tlv::kBadLength) {
      anomalies.set(Anomaly::kSuaBadParameter);
      return DecodeStatus::kMalformed;
    }
    if (count == limits::kMaxAdaptationParameters) {
      anomalies.set(Anomaly::kSuaParameterCap);
      return DecodeStatus::kMalformed;
    }
    if (!connectionless && parameter_tag != tag::kRoutingContext) continue;
    bool bad = false;
    switch (parameter_tag) {
      case tag::kRoutingContext:  // common parameter: one or more 32-bit contexts
        if (value.size == 0 || value.size % 4 != 0) {
          bad = true;
        } else if (!out.has_routing_context) {
          out.has_routing_context = true;
          Cursor(value).read_be32(out.routing_context);
        }
        break;
      case tag::kProtocolClass: {  // §3.10 Protocol Class: return on error (bit 8), class
        uint8_t octet;
        if (!read_low_octet(value, octet)) {
          bad = true;
          break;
        }
        sccp.protocol_class = octet & 0x7F;
        sccp.message_handling = (octet & 0x80) ? 0x08 : 0x00;  // Q.713 §3.6 "return on error"
        break;
      }
      case tag::kSourceAddress:
      case tag::kDestinationAddress: {
        SccpAddress& address = parameter_tag == tag::kSourceAddress ? sccp.calling : sccp.called;
        if (address.present) {  // a second address: a peer may route on either; flag
          bad = true;
          break;
        }
        const DecodeStatus address_status = decode_address(value, address, anomalies);
        if (address_status == DecodeStatus::kMalformed) return address_status;
        status = worst(status, address_status);
        break;
      }
      case tag::kSequenceControl:  // §3.10 Sequence Control: 32 bits, nothing to screen on
        bad = value.size != 4;
        break;
      case tag::kHopCount:  // §3.10 SS7 Hop Counter
        if (!read_low_octet(value, sccp.hop_counter)) {
          bad = true;
          break;
        }
        sccp.has_hop_counter = true;
        if (sccp.hop_counter == 0 || sccp.hop_counter > kMaxHopCounter) {
          anomalies.set(Anomaly::kSccpHopCounterLow);
          status = worst(status, DecodeStatus::kAnomaly);
        }
        break;
      case tag::kSegmentation: {  // §3.10 Segmentation: first (bit 8), remaining (7-1), reference (24)
        Cursor field(value);
        uint8_t flags;
        if (value.size != 4 || sccp.segmentation.present || !field.read_u8(flags)) {
          bad = true;
          break;
        }
        sccp.segmentation.present = true;
        sccp.segmentation.first = (flags & 0x80) != 0;
        sccp.segmentation.remaining = flags & 0x7F;
        field.read_be24(sccp.segmentation.local_reference);
        break;
      }
      case tag::kImportance:  // §3.10 Importance: 0..7
        if (!read_low_octet(value, sccp.importance)) {
          bad = true;
          break;
        }
        sccp.has_importance = true;
        break;
      case tag::kData:
        if (has_data) {  // a second Data: a peer may deliver either; keep the first, flag
          bad = true;
          break;
        }
        has_data = true;
        sccp.data = value;
        break;
      case tag::kCause: {  // §3.10 SCCP Cause: reserved (16), cause type (8), cause value (8)
        Cursor field(value);
        uint8_t cause_type, cause_value;
        if (value.size != 4 || !field.skip(2) || !field.read_u8(cause_type) || !field.read_u8(cause_value)) {
          bad = true;
          break;
        }
        sccp.has_return_cause = true;
        sccp.return_cause = cause_value;
        break;
      }
      default:
        break;  // Message Priority, Correlation ID, ...: not inspected
    }
    if (bad) {
      anomalies.set(Anomaly::kSuaBadParameter);
      status = worst(status, DecodeStatus::kAnomaly);
    }
  }

  if (!connectionless) return status;
  // §3.3.1: Data is mandatory in CLDT (optional in CLDR, which returns it when it can).
  if (!is_cldr && !has_data) {
    anomalies.set(Anomaly::kSuaMissingData);
    status = worst(status, DecodeStatus::kAnomaly);
  }
  // As for SCCP (Q.713 §3.4.2.2): no usable SSN in the called (destination) address hides
  // which application the message is for; an absent Destination Address has none either.
  if (!sccp.called.has_ssn || sccp.called.ssn == 0) {
    anomalies.set(Anomaly::kSccpMissingSsn);
    status = worst(status, DecodeStatus::kAnomaly);
  }
  // SUA's segmentation has no class bit: the class of the segmented message is its own.
  if (sccp.segmentation.present) sccp.segmentation.segment_class = sccp.protocol_class & 0x01;
  return status;
}

}  // namespace sigwall
