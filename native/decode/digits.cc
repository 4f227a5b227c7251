#include "digits.h"

namespace sigwall {

namespace {
constexpr char kSccpAlphabet[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                    '8', '9', '?', 'B', 'C', '?', '?', 'F'};
constexpr char kTbcdAlphabet[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                    '8', '9', '*', '#', 'a', 'b', 'c', 'F'};
}  // namespace

bool decode_bcd_digits(ByteView bytes, bool odd, DigitAlphabet alphabet, Digits& out) {
  const char* table = alphabet == DigitAlphabet::kTbcd ? kTbcdAlphabet : kSccpAlphabet;
  out.count = 0;
  bool fits = true;
  auto push = [&](uint8_t nibble) {
    if (out.count >= limits::kMaxDigits) {
      fits = false;
      return;
    }
    out.text[out.count++] = table[nibble];
  };
  for (uint32_t i = 0; i < bytes.size; ++i) {
    const uint8_t byte = bytes.data[i];
    push(byte & 0x0F);
    const bool last = i + 1 == bytes.size;
    const uint8_t high = byte >> 4;
    if (last && odd) break;
    if (alphabet == DigitAlphabet::kTbcd && high == 0x0F) break;  // filler
    push(high);
  }
  out.text[out.count] = '\0';
  return fits;
}

}  // namespace sigwall
