// Packed-BCD / TBCD digit strings (Q.713 §3.4.2.3 global-title digits, TS 29.002 TBCD-STRING
// and AddressString, TS 24.008 §10.5.1.4 IMSI). Low nibble first. Decoded into a fixed,
// NUL-terminated char array: digits are what rules and tries match, so they are kept as text.
#pragma once

#include <cstdint>

#include "cursor.h"
#include "limits.h"

namespace sigwall {

struct Digits {
  uint8_t count = 0;
  char text[limits::kMaxDigits + 1] = {0};
};

// How each nibble value 0..15 is written. The alphabets follow Wireshark's renderings so that
// the tshark differential compares like with like.
enum class DigitAlphabet : uint8_t {
  kSccpGlobalTitle,  // Q.713: 0-9, 0xB "code 11", 0xC "code 12", 0xF end (ST)
  kTbcd,             // TS 29.002 TBCD: 0-9, *, #, a, b, c, 0xF filler
};

// Decodes `bytes` into `out`. `odd` says the last byte holds one digit only (SCCP's O/E bit);
// for TBCD pass odd=false and a 0xF high nibble ends the string. Returns false when there are
// more digits than kMaxDigits (the first kMaxDigits are kept) so the caller can flag it.
bool decode_bcd_digits(ByteView bytes, bool odd, DigitAlphabet alphabet, Digits& out);

}  // namespace sigwall
