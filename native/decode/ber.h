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

// Declared widest first so that the element packs into 32 bytes instead of 40. Decoders declare
// one per level and per loop (a dozen per message), so it is not zeroed when declared: every
// field is written by each next() that returns true, and nothing may be read from an element
// whose next() returned false (a reader that runs out writes nothing). `BerElement e{}` zeroes
// it where a default is wanted.
struct BerElement {
  ByteView value;          // contents octets (for indefinite length: without the end-of-contents)
  uint32_t tag_number;
  uint32_t offset;         // of the identifier octet, within the reader's view
  uint32_t total_length;   // identifier + length + contents (+ end-of-contents)
  BerClass tag_class;
  bool constructed;
  bool indefinite;

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
      : cursor_(view), anomalies_(&anomalies), level_(depth) {}

  bool at_end() const { return cursor_.at_end() || failed(); }
  // Reads the next element. False at the end or on a malformed element (then failed() is
  // true, the anomaly is set and no further element is returned).
  bool next(BerElement& out) {
    if (read_common_form(out)) return true;  // tried first: it also refuses a failed reader
    if (failed() || cursor_.at_end()) return false;  // every loop over a reader ends here
    bool cut;
    return read_element(out, false, cut);
  }
  // Like next(), but an element whose definite length runs past the view is returned cut at the
  // view's end (`cut` true, ber.truncated set, the reader not failed). For an outermost element
  // whose contents are complete but whose length overstates them: Wireshark decodes such a
  // message (arkime m3ua_test.pcap) and a lenient peer may act on it.
  bool next_allow_cut(BerElement& out, bool& cut) {
    cut = false;
    if (read_common_form(out)) return true;
    if (failed() || cursor_.at_end()) return false;
    return read_element(out, true, cut);
  }
  bool failed() const { return (level_ & kFailedBit) != 0; }
  unsigned depth() const { return level_ & ~kFailedBit; }
  // A reader over a constructed element's contents, one level deeper. Inline: TCAP and MAP
  // open a reader per constructed element, several per message.
  BerReader enter(const BerElement& element) const { return BerReader(element.value, *anomalies_, depth() + 1); }
  // Reads the next element and checks its tag; false (no anomaly) if absent or different,
  // in which case nothing is consumed.
  bool next_if(BerClass tag_class, uint32_t tag_number, BerElement& out);
  // Walks the elements left (a BER failure among them fails the reader, as next() would) and
  // returns how many there were. Inline for the usual case, nothing left: callers check for
  // stray elements after the one they expect, several times per message.
  unsigned skip_rest() { return at_end() ? 0 : skip_rest_slow(); }

 private:
  // Fast path for the form nearly every TCAP/MAP element has: a one-octet identifier (tag number
  // below 31) and a definite length that fits, in the short form or in one long-form octet
  // (X.690 §8.1.3.5; from 128 up, where that form is the minimal one). False, consuming
  // nothing, for everything else (a failed reader, the end, high tag numbers, other lengths,
  // truncation, the depth cap): the caller sorts those out, read_element setting the anomalies.
  bool read_common_form(BerElement& out) {
    const uint32_t remaining = cursor_.remaining();
    // One compare covers both a failed reader (kFailedBit) and the depth cap.
    if (level_ >= limits::kMaxBerDepth || remaining < 2) return false;
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
    const uint32_t offset = cursor_.offset();
    // The one check that the contents are inside the view (skip consumes nothing when not).
    if (!cursor_.skip(header + length)) return false;
    out.tag_class = static_cast<BerClass>(identifier >> 6);
    out.constructed = (identifier & 0x20) != 0;
    out.tag_number = identifier & 0x1F;
    out.indefinite = false;
    out.value = ByteView{here + header, length};
    out.offset = offset;
    out.total_length = header + length;
    return true;
  }
  void fail(Anomaly anomaly);
  unsigned skip_rest_slow();
  bool read_element(BerElement& out, bool allow_cut, bool& cut);
  bool read_header(Cursor& cursor, BerElement& out, bool& indefinite, uint32_t& length);
  bool find_end_of_contents(Cursor& cursor, unsigned depth);

  // The reader's view is cursor_.whole(): not kept twice, as a reader is built per constructed
  // element (about ten per message) and every member is a store.
  Cursor cursor_;
  AnomalySet* anomalies_;
  // The depth, with kFailedBit set once the reader has failed: one word, so that the fast path
  // refuses a failed reader and one at the depth cap with a single compare.
  static constexpr unsigned kFailedBit = 0x80000000u;
  static_assert(limits::kMaxBerDepth < kFailedBit, "the depth stays below the failed bit");
  unsigned level_;
};

// The general case of ber_integer, out of line: empty contents or more than four octets.
bool ber_integer_long(ByteView contents, int32_t& out);

// INTEGER contents (two's complement, big-endian). False if empty or if the value does not fit
// in 32 bits (redundant leading sign octets, invalid per X.690 §8.3.2, are skipped).
// Inline for one to four octets (invoke ids, opcodes, results: several per message); only the
// rest, which need the sign-octet check, make the call.
inline bool ber_integer(ByteView contents, int32_t& out) {
  if (contents.size == 0 || contents.size > 4) return ber_integer_long(contents, out);
  int32_t value = static_cast<int8_t>(contents.data[0]);
  for (uint32_t i = 1; i < contents.size; ++i)
    value = static_cast<int32_t>((static_cast<uint32_t>(value) << 8) | contents.data[i]);
  out = value;
  return true;
}

bool ber_unsigned(ByteView contents, uint32_t& out);

// Writes an OBJECT IDENTIFIER's contents as dotted text ("0.4.0.0.1.0.1.3"), as Wireshark
// prints it. Returns false (and writes what fitted) on malformed subidentifiers or overflow.
bool format_oid(ByteView contents, char* out, uint32_t capacity);

}  // namespace sigwall
