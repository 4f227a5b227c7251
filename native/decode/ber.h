// BER (ITU-T X.690) element reader for TCAP, MAP and CAP. Reads one TLV at a time from a
// bounded view; definite and indefinite lengths; nesting depth is the caller's (a reader per
// level) and capped with limits::kMaxBerDepth. Deviations from DER that an evasion could use
// (long-form lengths where the short form fits, indefinite lengths) are flagged, not refused:
// the HLR on the other side would accept them, so the firewall must see through them too.
#pragma once

#include <cstdint>

#include "anomaly.h"
#include "cursor.h"
#include "limits.h"
#include "status.h"

namespace sigwall {

enum class BerClass : uint8_t { kUniversal = 0, kApplication = 1, kContext = 2, kPrivate = 3 };

// Declared widest first so that the element packs into 32 bytes instead of 40: decoders declare
// one per level and per loop, and each is zeroed when declared.
struct BerElement {
  ByteView value;          // contents octets (for indefinite length: without the end-of-contents)
  uint32_t tag_number = 0;
  uint32_t offset = 0;     // of the identifier octet, within the reader's view
  uint32_t total_length = 0;  // identifier + length + contents (+ end-of-contents)
  BerClass tag_class = BerClass::kUniversal;
  bool constructed = false;
  bool indefinite = false;

  bool is(BerClass c, uint32_t number) const { return tag_class == c && tag_number == number; }
  bool is_context(uint32_t number) const { return is(BerClass::kContext, number); }
  bool is_universal(uint32_t number) const { return is(BerClass::kUniversal, number); }
};

// Universal tags used by TCAP/MAP/CAP.
namespace ber_tag {
inline constexpr uint32_t kBoolean = 1, kInteger = 2, kBitString = 3, kOctetString = 4,
                          kNull = 5, kObjectIdentifier = 6, kExternal = 8, kEnumerated = 10,
                          kSequence = 16, kSet = 17;
}

class BerReader {
 public:
  // `depth` is how deep this level is; an element opened at kMaxBerDepth is refused.
  BerReader(ByteView view, AnomalySet& anomalies, unsigned depth = 0)
      : cursor_(view), view_(view), anomalies_(&anomalies), depth_(depth) {}

  bool at_end() const { return cursor_.at_end() || failed_; }
  // Reads the next element. False at the end or on a malformed element (then failed() is
  // true, the anomaly is set and no further element is returned).
  bool next(BerElement& out) {
    if (failed_ || cursor_.at_end()) return false;  // every loop over a reader ends here
    if (read_common_form(out)) return true;
    bool cut;
    return read_element(out, false, cut);
  }
  // Like next(), but an element whose definite length runs past the view is returned cut at the
  // view's end (`cut` true, ber.truncated set, the reader not failed). For an outermost element
  // whose contents are complete but whose length overstates them: Wireshark decodes such a
  // message (arkime m3ua_test.pcap) and a lenient peer may act on it.
  bool next_allow_cut(BerElement& out, bool& cut) {
    cut = false;
    if (failed_ || cursor_.at_end()) return false;
    if (read_common_form(out)) return true;
    return read_element(out, true, cut);
  }
  bool failed() const { return failed_; }
  unsigned depth() const { return depth_; }
  // A reader over a constructed element's contents, one level deeper. Inline: TCAP and MAP
  // open a reader per constructed element, several per message.
  BerReader enter(const BerElement& element) const { return BerReader(element.value, *anomalies_, depth_ + 1); }
  // Reads the next element and checks its tag; false (no anomaly) if absent or different,
  // in which case nothing is consumed.
  bool next_if(BerClass tag_class, uint32_t tag_number, BerElement& out);

 private:
  // Fast path for the form nearly every TCAP/MAP element has: a one-octet identifier (tag number
  // below 31) and a definite length that fits, in the short form or in one long-form octet
  // (X.690 §8.1.3.5; from 128 up, where that form is the minimal one). False, consuming
  // nothing, for everything else (high tag numbers, other lengths, truncation, the depth cap):
  // read_element decodes it and sets the anomalies.
  bool read_common_form(BerElement& out) {
    const uint32_t remaining = cursor_.remaining();
    if (depth_ >= limits::kMaxBerDepth || remaining < 2) return false;
    const uint8_t* here = cursor_.here();
    const uint8_t identifier = here[0];
    if ((identifier & 0x1F) == 0x1F) return false;
    uint32_t header = 2, length = here[1];
    if (length == 0x81 && remaining >= 3 && here[2] >= 0x80) {
      header = 3;
      length = here[2];
    } else if (length >= 0x80) {
      return false;
    }
    if (length > remaining - header) return false;
    out.tag_class = static_cast<BerClass>(identifier >> 6);
    out.constructed = (identifier & 0x20) != 0;
    out.tag_number = identifier & 0x1F;
    out.indefinite = false;
    out.value = ByteView{here + header, length};
    out.offset = cursor_.offset();
    out.total_length = header + length;
    cursor_.skip(out.total_length);
    return true;
  }
  void fail(Anomaly anomaly);
  bool read_element(BerElement& out, bool allow_cut, bool& cut);
  bool read_header(Cursor& cursor, BerElement& out, bool& indefinite, uint32_t& length);
  bool find_end_of_contents(Cursor& cursor, unsigned depth);

  Cursor cursor_;
  ByteView view_;
  AnomalySet* anomalies_;
  unsigned depth_;
  bool failed_ = false;
};

// INTEGER contents (two's complement, big-endian). False if empty or if the value does not fit
// in 32 bits (redundant leading sign octets, invalid per X.690 §8.3.2, are skipped).
bool ber_integer(ByteView contents, int32_t& out);
bool ber_unsigned(ByteView contents, uint32_t& out);

// Writes an OBJECT IDENTIFIER's contents as dotted text ("0.4.0.0.1.0.1.3"), as Wireshark
// prints it. Returns false (and writes what fitted) on malformed subidentifiers or overflow.
bool format_oid(ByteView contents, char* out, uint32_t capacity);

}  // namespace sigwall
