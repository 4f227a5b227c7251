#include "ber.h"

#include <cstdio>

namespace sigwall {

void BerReader::fail(Anomaly anomaly) {
  anomalies_->set(anomaly);
  level_ |= kFailedBit;
}

// X.690 §8.1.2 (identifier) and §8.1.3 (length).
bool BerReader::read_header(Cursor& cursor, BerElement& out, bool& indefinite, uint32_t& length) {
  uint8_t first;
  if (!cursor.read_u8(first)) return false;
  out.tag_class = static_cast<BerClass>(first >> 6);
  out.constructed = (first & 0x20) != 0;
  uint32_t number = first & 0x1F;
  if (number == 0x1F) {  // high tag number form: base-128, at most 4 octets here
    number = 0;
    for (unsigned i = 0;; ++i) {
      uint8_t b;
      if (i == 4 || !cursor.read_u8(b)) {
        anomalies_->set(Anomaly::kBerBadTag);
        return false;
      }
      // §8.1.2.4.2 c): no leading 0x80 octet. Decodable, but a second spelling of the tag.
      if (i == 0 && b == 0x80) anomalies_->set(Anomaly::kBerBadTag);
      number = (number << 7) | (b & 0x7F);
      if ((b & 0x80) == 0) break;
    }
    // §8.1.2.3: numbers below 31 use the low form; [1] spelled 0xBF 0x01 is still [1].
    if (number < 0x1F) anomalies_->set(Anomaly::kBerBadTag);
  }
  out.tag_number = number;

  uint8_t len0;
  if (!cursor.read_u8(len0)) return false;
  indefinite = false;
  if (len0 < 0x80) {
    length = len0;
  } else if (len0 == 0x80) {
    if (!out.constructed) {  // §8.1.3.2: indefinite form only for constructed encodings
      anomalies_->set(Anomaly::kBerIndefiniteLength);
      return false;
    }
    indefinite = true;
    length = 0;
    anomalies_->set(Anomaly::kBerIndefiniteLength);
  } else {
    const unsigned count = len0 & 0x7F;
    if (count == 0x7F) return false;  // §8.1.3.5 c) reserved
    // BER (unlike DER) allows leading zero length octets, so their number is not capped at 4;
    // only the value must fit in 32 bits (anything larger is beyond any message anyway).
    length = 0;
    for (unsigned i = 0; i < count; ++i) {
      uint8_t b;
      if (!cursor.read_u8(b)) return false;
      if (length > 0xFFFFFF) return false;
      length = (length << 8) | b;
    }
    // Minimal would have been the short form, or fewer length octets (§10.1 for DER).
    const unsigned needed = length < 0x80 ? 0 : length <= 0xFF ? 1 : length <= 0xFFFF ? 2 : length <= 0xFFFFFF ? 3 : 4;
    if (count != needed) anomalies_->set(Anomaly::kBerNonMinimalLength);
  }
  return true;
}

// Skips nested elements until the end-of-contents octets (00 00) of an indefinite element.
bool BerReader::find_end_of_contents(Cursor& cursor, unsigned depth) {
  if (depth >= limits::kMaxBerDepth) {
    anomalies_->set(Anomaly::kBerDepthCap);
    return false;
  }
  while (true) {
    if (cursor.remaining() >= 2 && cursor.here()[0] == 0 && cursor.here()[1] == 0) {
      cursor.skip(2);
      return true;
    }
    BerElement inner;
    bool indefinite;
    uint32_t length;
    if (!read_header(cursor, inner, indefinite, length)) return false;
    if (indefinite) {
      if (!find_end_of_contents(cursor, depth + 1)) return false;
    } else if (!cursor.skip(length)) {
      return false;
    }
  }
}

bool BerReader::read_element(BerElement& out, bool allow_cut, bool& cut) {
  cut = false;
  if (failed() || cursor_.at_end()) return false;
  if (depth() >= limits::kMaxBerDepth) {
    fail(Anomaly::kBerDepthCap);
    return false;
  }
  Cursor probe = cursor_;
  out = BerElement{};
  out.offset = probe.offset();
  bool indefinite;
  uint32_t length;
  if (!read_header(probe, out, indefinite, length)) {
    fail(Anomaly::kBerTruncated);
    return false;
  }
  const uint32_t contents_start = probe.offset();
  if (indefinite) {
    if (!find_end_of_contents(probe, depth() + 1)) {
      fail(Anomaly::kBerTruncated);
      return false;
    }
    out.indefinite = true;
    out.value = cursor_.whole().sub(contents_start, probe.offset() - 2 - contents_start);
  } else {
    if (!probe.read_view(length, out.value)) {
      if (!allow_cut) {
        fail(Anomaly::kBerTruncated);
        return false;
      }
      anomalies_->set(Anomaly::kBerTruncated);
      cut = true;
      out.value = probe.rest();
      probe.skip(out.value.size);
    }
  }
  out.total_length = probe.offset() - out.offset;
  cursor_ = probe;
  return true;
}

bool BerReader::next_if(BerClass tag_class, uint32_t tag_number, BerElement& out) {
  if (failed() || cursor_.at_end()) return false;
  // Peek the identifier without committing.
  const uint8_t first = cursor_.here()[0];
  if (static_cast<BerClass>(first >> 6) != tag_class) return false;
  if ((first & 0x1F) != 0x1F && (first & 0x1Fu) != tag_number) return false;
  Cursor saved = cursor_;
  if (!next(out)) return false;
  if (!out.is(tag_class, tag_number)) {
    cursor_ = saved;
    return false;
  }
  return true;
}

unsigned BerReader::skip_rest_slow() {
  unsigned count = 0;
  BerElement element;
  while (next(element)) ++count;
  return count;
}

bool ber_integer_long(ByteView contents, int32_t& out) {
  if (contents.size == 0) return false;
  // Redundant leading sign octets (00 00 00 00 02; invalid per §8.3.2 but accepted by lenient
  // peers) do not widen the value: skip them so the opcode is still seen.
  uint32_t first = 0;
  while (contents.size - first > 4) {
    const uint8_t b = contents.data[first], next = contents.data[first + 1];
    const bool sign_extension = (b == 0x00 && (next & 0x80) == 0) || (b == 0xFF && (next & 0x80) != 0);
    if (!sign_extension) return false;
    ++first;
  }
  int32_t value = static_cast<int8_t>(contents.data[first]);
  for (uint32_t i = first + 1; i < contents.size; ++i)
    value = static_cast<int32_t>((static_cast<uint32_t>(value) << 8) | contents.data[i]);
  out = value;
  return true;
}

bool ber_unsigned(ByteView contents, uint32_t& out) {
  if (contents.size == 0 || contents.size > 5) return false;
  if (contents.size == 5 && contents.data[0] != 0) return false;
  uint32_t value = 0;
  for (uint32_t i = 0; i < contents.size; ++i) value = (value << 8) | contents.data[i];
  out = value;
  return true;
}

bool format_oid(ByteView contents, char* out, uint32_t capacity) {
  if (capacity == 0) return false;
  out[0] = '\0';
  if (contents.size == 0) return false;
  uint32_t written = 0;
  auto append = [&](uint64_t number, bool dot) {
    char buf[24];
    const int n = std::snprintf(buf, sizeof buf, dot ? ".%llu" : "%llu", static_cast<unsigned long long>(number));
    if (n < 0 || written + static_cast<uint32_t>(n) + 1 > capacity) return false;
    for (int i = 0; i < n; ++i) out[written++] = buf[i];
    out[written] = '\0';
    return true;
  };
  uint64_t value = 0;
  bool first = true;
  unsigned octets = 0;
  for (uint32_t i = 0; i < contents.size; ++i) {
    const uint8_t b = contents.data[i];
    if (++octets > 9) return false;  // > 63 bits
    value = (value << 7) | (b & 0x7F);
    if (b & 0x80) continue;
    if (first) {  // X.690 §8.19.4: the first subidentifier packs the first two arcs
      const uint64_t arc0 = value < 40 ? 0 : value < 80 ? 1 : 2;
      if (!append(arc0, false) || !append(value - arc0 * 40, true)) return false;
      first = false;
    } else if (!append(value, true)) {
      return false;
    }
    value = 0;
    octets = 0;
  }
  return octets == 0;  // a trailing octet with the continuation bit set is malformed
}

}  // namespace sigwall
