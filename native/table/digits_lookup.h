// The deepest marked prefix of a digit string in one of the image's digit tries (a DIGITS
// dimension's, or a NETWORKS trie): the class (or network) of the longest listed prefix the
// digits start with, kUnmarked when none. A non-decimal digit ends the digits, as in evaluate.ts.
//
// Two ways to find it, with the same answer for every trie TableImage::load() accepts:
//  - walk_trie() follows one node per digit and works for any trie;
//  - ShortPrefixes holds a trie's marked prefixes as nibble-packed words, deepest first, when the
//    trie marks few prefixes and none longer than 16 digits. That is the usual case on a real
//    interconnect (a few home-network GT ranges, the home MCC+MNCs), and then a lookup is one
//    masked compare per prefix on digits packed once, instead of a dependent load per digit.
// load() builds a ShortPrefixes for every trie where one applies (build_short_prefixes()), and
// the classifier uses it instead of the walk.
#pragma once

#include <cstdint>
#include <cstring>

#include "../decode/digits.h"
#include "le_bytes.h"

namespace sigwall::table {

// A trie node's mark when no listed prefix ends there.
inline constexpr uint16_t kUnmarked = 0xFFFF;

// A message's leading decimal digits, at most kPackedDigits of them, digit i stored as i + 1 in
// bits [4i, 4i + 4): an unused nibble is 0, which no stored digit is, so a prefix longer than
// the digits can never compare equal.
inline constexpr unsigned kPackedDigits = 16;

struct PackedDigits {
  uint64_t nibbles = 0;
};

// Eight characters per step (SWAR): a character is a decimal digit when its byte XOR '0' is at
// most 9; the digits' values + 1 are then folded from bytes into nibbles. Characters after the
// first non-decimal one, or after `count`, are masked off.
// `words`: 1 packs the first 8 characters only (enough for prefixes of at most 8 digits), 2 all 16.
inline PackedDigits pack_digits(const Digits& digits, unsigned words = 2) {
  static_assert(sizeof(digits.text) >= kPackedDigits, "the 16-byte read stays inside Digits::text");
  uint64_t chunks[2];
  std::memcpy(chunks, digits.text, sizeof chunks);
  uint64_t nibbles = 0;
  uint32_t decimal = 0;  // leading decimal characters among the 16
  for (unsigned half = 0; half < words; ++half) {
    const uint64_t x = chunks[half] ^ 0x3030303030303030ull;
    const uint64_t low = x & 0x0F0F0F0F0F0F0F0Full;
    // Per byte: a high nibble, or a low nibble above 9 (+6 carries into bit 4; no byte carries out).
    const uint64_t not_decimal = (x & 0xF0F0F0F0F0F0F0F0ull) | ((low + 0x0606060606060606ull) & 0x1010101010101010ull);
    const uint32_t run = not_decimal == 0 ? 8 : static_cast<uint32_t>(__builtin_ctzll(not_decimal)) / 8;
    // Each byte's low nibble + 1 (1..16; a 16 only ever follows the run, and spills only into the
    // nibble above it, which is masked too), then bytes -> nibbles.
    uint64_t t = low + 0x0101010101010101ull;
    t = (t | (t >> 4)) & 0x00FF00FF00FF00FFull;
    t = (t | (t >> 8)) & 0x0000FFFF0000FFFFull;
    t = (t | (t >> 16)) & 0x00000000FFFFFFFFull;
    nibbles |= t << (32 * half);
    decimal += run;
    if (run < 8) break;
  }
  // Past the words packed nothing is compared (the prefixes are that short), so `decimal`
  // counting only them is enough.
  const uint32_t kept = decimal < digits.count ? decimal : digits.count;
  PackedDigits packed;
  packed.nibbles = kept >= kPackedDigits ? nibbles : nibbles & ((1ull << (4 * kept)) - 1);
  return packed;
}

// A trie's marked prefixes (those of the root excepted) as packed words, deepest first.
struct ShortPrefixes {
  static constexpr unsigned kMaxPrefixes = 16;

  uint16_t root_mark = kUnmarked;  // the empty prefix's mark: what matches when nothing longer does
  uint8_t count = 0;
  uint8_t words = 1;  // packed words the longest prefix needs (pack_digits())
  uint64_t value[kMaxPrefixes] = {};  // the prefix, packed as pack_digits() packs
  uint64_t mask[kMaxPrefixes] = {};   // its nibbles
  uint16_t mark[kMaxPrefixes] = {};

  // Deepest first, and prefixes of one length are distinct: the first match is the deepest.
  uint16_t deepest(PackedDigits digits) const {
    for (unsigned i = 0; i < count; ++i)
      if (((digits.nibbles ^ value[i]) & mask[i]) == 0) return mark[i];
    return root_mark;
  }
};

// Fills `out` from the trie of `node_count` nodes at `nodes` (validated by load()); false when
// the trie does not fit (more than kMaxPrefixes marked prefixes, one longer than kPackedDigits
// digits, or any node deeper than that) and must be walked.
bool build_short_prefixes(const uint8_t* nodes, uint32_t node_count, ShortPrefixes& out);

// Set bits of a 10-bit child bitmap (no reliance on a popcount instruction being enabled).
struct TrieBitCounts {
  uint8_t of[1024] = {};
  constexpr TrieBitCounts() {
    for (unsigned v = 1; v < 1024; ++v) of[v] = static_cast<uint8_t>(of[v >> 1] + (v & 1));
  }
};
inline constexpr TrieBitCounts kTrieBitCounts;

// The walk: from the root, one node per digit while the digit has a child.
inline uint16_t walk_trie(const uint8_t* nodes, const char* text, uint32_t count) {
  // A node is one 8-byte word: mark (bits 0..15), child bitmap (16..31), first child (32..63).
  uint64_t word = read_u64(nodes);
  uint16_t best = static_cast<uint16_t>(word);
  for (uint32_t i = 0; i < count; ++i) {
    const char ch = text[i];
    if (ch < '0' || ch > '9') break;
    const uint32_t digit = static_cast<uint32_t>(ch - '0');
    const uint32_t bitmap = static_cast<uint32_t>(word >> 16) & 0xFFFF;
    if (!((bitmap >> digit) & 1)) break;
    // Children are consecutive, in digit order, from `first`; a single child (most nodes below
    // the first digits) needs no rank.
    const uint32_t below = bitmap & ((1u << digit) - 1);
    const uint32_t node = static_cast<uint32_t>(word >> 32) + (below == 0 ? 0u : kTrieBitCounts.of[below]);
    word = read_u64(nodes + 8 * static_cast<uint64_t>(node));
    const uint16_t mark = static_cast<uint16_t>(word);
    if (mark != kUnmarked) best = mark;
  }
  return best;
}

}  // namespace sigwall::table
