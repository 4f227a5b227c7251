#include "digits.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace sigwall {

namespace {
constexpr char kSccpAlphabet[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                    '8', '9', '?', 'B', 'C', '?', '?', 'F'};
constexpr char kTbcdAlphabet[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                    '8', '9', '*', '#', 'a', 'b', 'c', 'F'};

// Both digits of every octet value, low nibble first: one lookup per octet instead of two
// alphabet lookups and cap checks per nibble (digits are decoded several times per message).
struct DigitPair {
  char low, high;
};
using DigitPairs = std::array<DigitPair, 256>;
static_assert(sizeof(DigitPair) == 2, "copied as two octets");

constexpr DigitPairs make_pairs(const char (&alphabet)[16]) {
  DigitPairs pairs{};
  for (unsigned byte = 0; byte < 256; ++byte) pairs[byte] = DigitPair{alphabet[byte & 0x0F], alphabet[byte >> 4]};
  return pairs;
}

constexpr DigitPairs kSccpPairs = make_pairs(kSccpAlphabet);
constexpr DigitPairs kTbcdPairs = make_pairs(kTbcdAlphabet);

// One instance per alphabet, so that the TBCD filler test is not in the SCCP loop (two global
// titles per message) at all rather than tested per octet.
template <bool tbcd>
bool decode_digits(ByteView bytes, bool odd, const DigitPairs& pairs, Digits& out) {
  uint32_t count = 0;
  bool fits = true;
  // Every octet but the last holds two digits until the cap or (TBCD) a filler: this first loop
  // takes those with one test per octet. The general loop below finishes from where it stopped.
  const uint32_t bulk = bytes.size == 0 ? 0 : std::min(bytes.size - 1, limits::kMaxDigits / 2);
  uint32_t i = 0;
  for (; i < bulk; ++i) {
    const uint8_t byte = bytes.data[i];
    if (tbcd && (byte >> 4) == 0x0F) break;
    std::memcpy(out.text + count, &pairs[byte], 2);  // both digits in one two-octet copy
    count += 2;
  }
  for (; i < bytes.size; ++i) {
    const uint8_t byte = bytes.data[i];
    const DigitPair pair = pairs[byte];
    // The high nibble is no digit in the last octet of an odd count, nor when it is TBCD's
    // filler (which also ends the string).
    const bool low_only = (odd && i + 1 == bytes.size) || (tbcd && (byte >> 4) == 0x0F);
    const uint32_t digits = low_only ? 1 : 2;
    if (count + digits > limits::kMaxDigits) {
      // Over the cap: keep what fits; the rest is not read (the caller flags the cap).
      if (count < limits::kMaxDigits) out.text[count++] = pair.low;
      fits = false;
      break;
    }
    out.text[count] = pair.low;
    out.text[count + 1] = pair.high;  // overwritten by the NUL below when low_only
    count += digits;
    if (low_only) break;
  }
  out.count = static_cast<uint8_t>(count);
  out.text[count] = '\0';
  return fits;
}

}  // namespace

bool decode_bcd_digits(ByteView bytes, bool odd, DigitAlphabet alphabet, Digits& out) {
  if (alphabet == DigitAlphabet::kTbcd) return decode_digits<true>(bytes, odd, kTbcdPairs, out);
  return decode_digits<false>(bytes, odd, kSccpPairs, out);
}

}  // namespace sigwall
