#include "sccp.h"

#include "limits.h"

namespace sigwall {

namespace {

// The connectionless messages (Q.713 §4.10, 4.11, 4.18-4.21). Every one has
// three mandatory variable parameters: called party address, calling party address and
// (long) data. What differs is the second fixed octet (protocol class or return cause), the
// hop counter, the optional part and the width of the pointers and of the data length.
struct MessageFormat {
  uint8_t type;
  bool has_return_cause;   // else a protocol class
  bool has_hop_counter;
  bool has_optional_part;
  uint8_t pointer_bytes;   // §2.3: one octet, two for LUDT/LUDTS
  uint8_t data_length_bytes;  // §3.16 Data: one octet; §3.20 Long data: two
};

constexpr MessageFormat kFormats[] = {
    {sccp_type::kUdt, false, false, false, 1, 1},    // §4.10
    {sccp_type::kUdts, true, false, false, 1, 1},    // §4.11
    {sccp_type::kXudt, false, true, true, 1, 1},     // §4.18
    {sccp_type::kXudts, true, true, true, 1, 1},     // §4.19
    {sccp_type::kLudt, false, true, true, 2, 2},     // §4.20
    {sccp_type::kLudts, true, true, true, 2, 2},     // §4.21
};

const MessageFormat* format_of(uint8_t type) {
  for (const MessageFormat& format : kFormats)
    if (format.type == type) return &format;
  return nullptr;
}

// Optional parameter name codes (Q.713 §3).
namespace optional_tag {
constexpr uint8_t kEndOfOptionalParameters = 0x00, kSegmentation = 0x10, kImportance = 0x12;
}
constexpr uint8_t kSegmentationBytes = 4;  // §3.17
constexpr uint8_t kImportanceBytes = 1;    // §3.19

// Hop counter range (§3.18): 1..15; 0 means the message should already have been dropped.
constexpr uint8_t kMaxHopCounter = 15;

// Global title indicator values (§3.4.1).
namespace gti {
constexpr uint8_t kNone = 0, kNaiOnly = 1, kTtOnly = 2, kTtNpEs = 3, kTtNpEsNai = 4;
}
constexpr uint8_t kEncodingBcdEven = 2;  // §3.4.2.3.3 encoding scheme

enum class GtHeader : uint8_t { kNone, kDigitsFollow, kShort, kReserved };  // kReserved: digits follow too

// Reads the global title's fixed octets (§3.4.2.3.1-4) and says whether the last digit octet
// holds one digit or two. That follows Wireshark's reading so that digits compare equal:
// GTI 1 by its odd/even bit, GTI 3/4 even only for encoding scheme 2 (BCD, even), GTI 2
// (no encoding field; the translation type implies it) always even.
GtHeader read_global_title_header(Cursor& cursor, SccpAddress& out, bool& odd) {
  uint8_t octet;
  switch (out.gti) {
    case gti::kNone:
      return GtHeader::kNone;
    case gti::kNaiOnly:  // odd/even (bit 8), nature of address (bits 7-1)
      if (!cursor.read_u8(octet)) return GtHeader::kShort;
      odd = (octet & 0x80) != 0;
      out.has_nai = true;
      out.nai = octet & 0x7F;
      return GtHeader::kDigitsFollow;
    case gti::kTtOnly:  // translation type
      if (!cursor.read_u8(out.tt)) return GtHeader::kShort;
      out.has_tt = true;
      odd = false;
      return GtHeader::kDigitsFollow;
    case gti::kTtNpEs:     // translation type, numbering plan (bits 8-5) + encoding scheme (4-1)
    case gti::kTtNpEsNai:  // the same, then nature of address (bits 7-1)
      if (!cursor.read_u8(out.tt) || !cursor.read_u8(octet)) return GtHeader::kShort;
      out.has_tt = true;
      out.has_np = true;
      out.np = octet >> 4;
      out.es = octet & 0x0F;
      odd = out.es != kEncodingBcdEven;
      if (out.gti == gti::kTtNpEsNai) {
        if (!cursor.read_u8(octet)) return GtHeader::kShort;
        out.has_nai = true;
        out.nai = octet & 0x7F;
      }
      return GtHeader::kDigitsFollow;
    default:
      odd = false;
      return GtHeader::kReserved;
  }
}

uint32_t read_pointer_value(Cursor& cursor, uint8_t width, bool& ok) {
  if (width == 1) {
    uint8_t value;
    ok = cursor.read_u8(value);
    return value;
  }
  uint16_t value;
  ok = cursor.read_le16(value);  // §1.7: least significant octet first
  return value;
}

// The three checks of a pointer (§2.3): the pointer is inside the message (it was read from
// the fixed part, already bounds-checked), its target is inside and after the pointers (the
// variable part begins there, §1.4), and target + length indicator + length is inside.
[[gnu::always_inline]] inline bool resolve_parameter(ByteView message, uint32_t pointer_offset, uint32_t pointer_value,
                       uint32_t variable_part_start, uint8_t length_bytes, ByteView& value) {
  if (pointer_value == 0) return false;  // 0 means "absent", impossible for a mandatory one
  const uint32_t target = pointer_offset + pointer_value;
  if (target < variable_part_start || target >= message.size) return false;
  Cursor cursor(message.from(target));
  uint32_t length;
  if (length_bytes == 1) {
    uint8_t length8;
    if (!cursor.read_u8(length8)) return false;
    length = length8;
  } else {
    uint16_t length16;
    if (!cursor.read_le16(length16)) return false;
    length = length16;
  }
  return cursor.read_view(length, value);
}

// The optional part (§1.5, §2.3): parameter name, length, value, ended by the "end of
// optional parameters" octet (§3.1). Problems here leave the mandatory part intact, so they
// are an anomaly; the message is still decoded.
DecodeStatus decode_optional_part(ByteView part, SccpView& out, AnomalySet& anomalies) {
  Cursor cursor(part);
  bool malformed = false;
  for (unsigned count = 0;; ++count) {
    uint8_t name;
    if (!cursor.read_u8(name)) {  // ran off the end without the terminating octet
      malformed = true;
      break;
    }
    if (name == optional_tag::kEndOfOptionalParameters) break;
    uint8_t length;
    ByteView value;
    if (count == limits::kMaxSccpOptionalParameters || !cursor.read_u8(length) ||
        !cursor.read_view(length, value)) {
      malformed = true;
      break;
    }
    switch (name) {
      case optional_tag::kSegmentation: {
        // §3.17: F bit (8), C bit (7), spare (6-5), remaining segments (4-1); then the
        // segmentation local reference (3 octets, §3.3 coding: least significant first).
        // A second Segmentation parameter could be what a peer reassembles on: keep the
        // first and flag.
        if (length != kSegmentationBytes || out.segmentation.present) {
          malformed = true;
          break;
        }
        Cursor field(value);
        uint8_t flags, low, middle, high;
        field.read_u8(flags);
        field.read_u8(low);
        field.read_u8(middle);
        field.read_u8(high);
        out.segmentation.present = true;
        out.segmentation.first = (flags & 0x80) != 0;
        out.segmentation.segment_class = (flags >> 6) & 0x01;
        out.segmentation.remaining = flags & 0x0F;
        out.segmentation.local_reference = low | (uint32_t{middle} << 8) | (uint32_t{high} << 16);
        break;
      }
      case optional_tag::kImportance:  // §3.19: bits 3-1
        if (length != kImportanceBytes || out.has_importance) {
          malformed = true;
          break;
        }
        out.has_importance = true;
        Cursor(value).read_u8(out.importance);
        out.importance &= 0x07;
        break;
      default:
        break;  // other optional parameters (ISNI, INS, MTI, national ones): not inspected
    }
  }
  if (!malformed) return DecodeStatus::kOk;
  anomalies.set(Anomaly::kSccpBadOptional);
  return DecodeStatus::kAnomaly;
}

}  // namespace

DecodeStatus decode_sccp_address(ByteView address, SccpAddress& out, AnomalySet& anomalies) {
  out = SccpAddress{};
  Cursor cursor(address);
  // §3.4.1 address indicator: bit 8 national use, bit 7 routing indicator, bits 6-3 GTI,
  // bit 2 SSN indicator, bit 1 point code indicator.
  if (!cursor.read_u8(out.indicator)) {
    anomalies.set(Anomaly::kSccpBadAddress);
    return DecodeStatus::kMalformed;
  }
  out.present = true;
  out.routing_indicator = (out.indicator >> 6) & 0x01;
  out.gti = (out.indicator >> 2) & 0x0F;

  // §3.4.2.1: the signalling point code, 14 bits, least significant octet first; the two
  // high bits of the second octet are spare.
  if (out.indicator & 0x01) {
    uint16_t pc;
    if (!cursor.read_le16(pc)) {
      anomalies.set(Anomaly::kSccpBadAddress);
      return DecodeStatus::kMalformed;
    }
    out.has_pc = true;
    out.pc = pc & 0x3FFF;
  }
  // §3.4.2.2: subsystem number.
  if (out.indicator & 0x02) {
    if (!cursor.read_u8(out.ssn)) {
      anomalies.set(Anomaly::kSccpBadAddress);
      return DecodeStatus::kMalformed;
    }
    out.has_ssn = true;
  }

  // §3.4.2.3: global title, then its digits.
  DecodeStatus status = DecodeStatus::kOk;
  bool odd = false;
  switch (read_global_title_header(cursor, out, odd)) {
    case GtHeader::kNone:
      return DecodeStatus::kOk;
    case GtHeader::kShort:
      anomalies.set(Anomaly::kSccpBadAddress);
      return DecodeStatus::kMalformed;
    case GtHeader::kReserved:
      // 0101-1111: spare or reserved for extension, so the GT's format is unknown. Flagged;
      // the octets are still read as digits, as Wireshark shows them, so that GT rules see
      // what there is.
      anomalies.set(Anomaly::kSccpBadAddress);
      status = DecodeStatus::kAnomaly;
      break;
    case GtHeader::kDigitsFollow:
      break;
  }
  if (!decode_bcd_digits(cursor.rest(), odd, DigitAlphabet::kSccpGlobalTitle, out.digits)) {
    anomalies.set(Anomaly::kSccpDigitsCap);
    return DecodeStatus::kAnomaly;
  }
  return status;
}

namespace {

// Everything but the two party addresses, which decode_sccp_address resets as it decodes them
// (each is most of the view: resetting them here too would clear them twice per message). A
// field added to SccpView must be reset here too (the static_assert is a reminder).
void reset_all_but_addresses(SccpView& view) {
  static_assert(sizeof(SccpView) == 2 * sizeof(SccpAddress) + sizeof(SccpSegmentation) + 32,
                "an SccpView field was added or removed: update reset_all_but_addresses");
  view.message_type = 0;
  view.protocol_class = 0;
  view.message_handling = 0;
  view.has_return_cause = false;
  view.return_cause = 0;
  view.has_hop_counter = false;
  view.hop_counter = 0;
  view.segmentation = SccpSegmentation{};
  view.has_importance = false;
  view.importance = 0;
  view.data = ByteView{};
}

// A message that stops before its addresses are decoded leaves them empty, not the previous
// message's.
DecodeStatus malformed_before_addresses(SccpView& view, AnomalySet& anomalies, Anomaly anomaly) {
  view.called = SccpAddress{};
  view.calling = SccpAddress{};
  anomalies.set(anomaly);
  return DecodeStatus::kMalformed;
}

}  // namespace

DecodeStatus decode_sccp(ByteView message, SccpView& out, AnomalySet& anomalies) {
  reset_all_but_addresses(out);
  Cursor cursor(message);
  if (!cursor.read_u8(out.message_type)) return malformed_before_addresses(out, anomalies, Anomaly::kSccpTruncated);
  const MessageFormat* format = format_of(out.message_type);
  if (format == nullptr) return malformed_before_addresses(out, anomalies, Anomaly::kSccpUnknownMessageType);

  // Mandatory fixed part.
  uint8_t second;
  if (!cursor.read_u8(second) || (format->has_hop_counter && !cursor.read_u8(out.hop_counter)))
    return malformed_before_addresses(out, anomalies, Anomaly::kSccpTruncated);
  if (format->has_return_cause) {  // §3.12
    out.has_return_cause = true;
    out.return_cause = second;
  } else {  // §3.6: class in bits 4-1, message handling in bits 8-5
    out.protocol_class = second & 0x0F;
    out.message_handling = second >> 4;
  }
  DecodeStatus status = DecodeStatus::kOk;
  if (format->has_hop_counter) {
    out.has_hop_counter = true;
    if (out.hop_counter == 0 || out.hop_counter > kMaxHopCounter) {
      anomalies.set(Anomaly::kSccpHopCounterLow);
      status = DecodeStatus::kAnomaly;
    }
  }

  // Pointers: three mandatory, then the optional-part pointer.
  const unsigned pointer_count = format->has_optional_part ? 4 : 3;
  uint32_t pointer_offsets[4];
  uint32_t pointer_values[4];
  for (unsigned i = 0; i < pointer_count; ++i) {
    // §2.3: a two-octet pointer counts from its second (most significant) octet, as
    // Wireshark reads it; for one-octet pointers that is the pointer octet itself.
    pointer_offsets[i] = cursor.offset() + format->pointer_bytes - 1;
    bool ok;
    pointer_values[i] = read_pointer_value(cursor, format->pointer_bytes, ok);
    if (!ok)  // the first of the three checks: the pointer itself is inside the message
      return malformed_before_addresses(out, anomalies, Anomaly::kSccpPointerOutOfRange);
  }
  const uint32_t variable_part_start = cursor.offset();

  ByteView called, calling;
  if (!resolve_parameter(message, pointer_offsets[0], pointer_values[0], variable_part_start, 1, called) ||
      !resolve_parameter(message, pointer_offsets[1], pointer_values[1], variable_part_start, 1, calling) ||
      !resolve_parameter(message, pointer_offsets[2], pointer_values[2], variable_part_start,
                         format->data_length_bytes, out.data))
    return malformed_before_addresses(out, anomalies, Anomaly::kSccpPointerOutOfRange);

  const DecodeStatus called_status = decode_sccp_address(called, out.called, anomalies);
  if (called_status == DecodeStatus::kMalformed) {
    out.calling = SccpAddress{};
    return called_status;
  }
  status = worst(status, called_status);
  const DecodeStatus calling_status = decode_sccp_address(calling, out.calling, anomalies);
  if (calling_status == DecodeStatus::kMalformed) return calling_status;
  status = worst(status, calling_status);
  // §3.4.2.2: SSN 0 is "not known / not used". A called address without a usable SSN hides
  // which application the message is for, and SSN-based screening with it.
  if (!out.called.has_ssn || out.called.ssn == 0) {
    anomalies.set(Anomaly::kSccpMissingSsn);
    status = worst(status, DecodeStatus::kAnomaly);
  }

  if (format->has_optional_part && pointer_values[3] != 0) {
    const uint32_t target = pointer_offsets[3] + pointer_values[3];
    if (target < variable_part_start || target >= message.size) {
      anomalies.set(Anomaly::kSccpPointerOutOfRange);
      return DecodeStatus::kMalformed;
    }
    status = worst(status, decode_optional_part(message.from(target), out, anomalies));
  }
  return status;
}

}  // namespace sigwall
