// The two digit-prefix lookups (table/digits_lookup.h) give the same answer: the walk over the
// image's trie, and the packed prefixes load() builds when the trie is small enough.
#include "table/digits_lookup.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "table_test_builder.h"

namespace sigwall::table {
namespace {

using testing::Trie;

// The trie's nodes as the image holds them (after the u32 node count).
std::vector<uint8_t> nodes_of(const Trie& trie) {
  std::vector<uint8_t> bytes;
  trie.write(bytes);
  return std::vector<uint8_t>(bytes.begin() + 4, bytes.end());
}

void set_digits(Digits& digits, const std::string& text, char stale = '7') {
  // What lies after `count` in a reused Digits is whatever an earlier message left: fill it.
  for (char& ch : digits.text) ch = stale;
  digits.text[limits::kMaxDigits] = '\0';
  digits.count = static_cast<uint8_t>(text.size());
  for (size_t i = 0; i < text.size(); ++i) digits.text[i] = text[i];
}

// pack_digits() as the spec says it, one character at a time.
uint64_t reference_pack(const Digits& digits, unsigned words) {
  uint64_t nibbles = 0;
  for (unsigned i = 0; i < digits.count && i < 8 * words; ++i) {
    const char ch = digits.text[i];
    if (ch < '0' || ch > '9') break;
    nibbles |= static_cast<uint64_t>(ch - '0' + 1) << (4 * i);
  }
  return nibbles;
}

uint16_t walk(const std::vector<uint8_t>& nodes, const Digits& digits) {
  return walk_trie(nodes.data(), digits.text, digits.count);
}

TEST(DigitsLookup, PackMatchesTheCharacterByCharacterReading) {
  std::mt19937 random(11);
  const std::string alphabet = "0123456789abcdef*#\x00\xff/:";
  Digits digits;
  for (int round = 0; round < 200000; ++round) {
    std::string text;
    const unsigned length = random() % (limits::kMaxDigits + 1);
    for (unsigned i = 0; i < length; ++i)
      text.push_back(random() % 8 == 0 ? alphabet[random() % alphabet.size()] : static_cast<char>('0' + random() % 10));
    set_digits(digits, text, static_cast<char>('0' + random() % 10));
    for (unsigned words = 1; words <= 2; ++words)
      ASSERT_EQ(pack_digits(digits, words).nibbles, reference_pack(digits, words)) << "'" << text << "' words " << words;
  }
}

TEST(DigitsLookup, ShortPrefixesDeepestFirst) {
  Trie trie;
  trie.add("44", 1).add("4477", 2).add("447712", 3).add("33", 4);
  const std::vector<uint8_t> nodes = nodes_of(trie);
  ShortPrefixes prefixes;
  ASSERT_TRUE(build_short_prefixes(nodes.data(), static_cast<uint32_t>(nodes.size() / 8), prefixes));
  EXPECT_EQ(prefixes.count, 4);
  EXPECT_EQ(prefixes.words, 1);
  EXPECT_EQ(prefixes.root_mark, kUnmarked);
  Digits digits;
  for (const auto& [text, mark] : std::vector<std::pair<std::string, uint16_t>>{
           {"4477123", 3}, {"447713", 2}, {"4478", 1}, {"44", 1}, {"4", kUnmarked}, {"", kUnmarked}, {"33", 4},
           {"44b77", 1}, {"4477 12", 2}, {"5", kUnmarked}}) {
    set_digits(digits, text);
    EXPECT_EQ(prefixes.deepest(pack_digits(digits, prefixes.words)), mark) << text;
    EXPECT_EQ(walk(nodes, digits), mark) << text;
  }
}

TEST(DigitsLookup, RootMarkAndSixteenDigitPrefixes) {
  Trie trie;
  trie.add("", 5).add("1234567890123456", 6).add("123456789", 7);
  const std::vector<uint8_t> nodes = nodes_of(trie);
  ShortPrefixes prefixes;
  ASSERT_TRUE(build_short_prefixes(nodes.data(), static_cast<uint32_t>(nodes.size() / 8), prefixes));
  EXPECT_EQ(prefixes.root_mark, 5);
  EXPECT_EQ(prefixes.words, 2);
  Digits digits;
  for (const auto& [text, mark] : std::vector<std::pair<std::string, uint16_t>>{
           {"12345678901234567", 6}, {"1234567890123456", 6}, {"123456789012345", 7}, {"12345678", 5}, {"9", 5}}) {
    set_digits(digits, text);
    EXPECT_EQ(prefixes.deepest(pack_digits(digits, prefixes.words)), mark) << text;
    EXPECT_EQ(walk(nodes, digits), mark) << text;
  }
}

TEST(DigitsLookup, TriesThatMustBeWalked) {
  ShortPrefixes prefixes;
  Trie deep;
  deep.add("12345678901234567", 1);  // 17 digits: longer than a packed word
  std::vector<uint8_t> nodes = nodes_of(deep);
  EXPECT_FALSE(build_short_prefixes(nodes.data(), static_cast<uint32_t>(nodes.size() / 8), prefixes));

  Trie many;
  for (uint16_t i = 0; i <= ShortPrefixes::kMaxPrefixes; ++i) many.add(std::to_string(100 + i), i);
  nodes = nodes_of(many);
  EXPECT_FALSE(build_short_prefixes(nodes.data(), static_cast<uint32_t>(nodes.size() / 8), prefixes));

  // Two parents of one node: load() accepts it (children after parents), the walk copes, and
  // the packed form is not built.
  std::vector<uint8_t> shared;
  testing::put16(shared, kUnmarked);  // root: children 1 ('1') and 2 ('2')
  testing::put16(shared, 0x6);
  testing::put32(shared, 1);
  for (int parent = 0; parent < 2; ++parent) {  // both point at node 3 ('5')
    testing::put16(shared, kUnmarked);
    testing::put16(shared, 1u << 5);
    testing::put32(shared, 3);
  }
  testing::put16(shared, 9);
  testing::put16(shared, 0);
  testing::put32(shared, 0);
  EXPECT_FALSE(build_short_prefixes(shared.data(), 4, prefixes));
  Digits digits;
  set_digits(digits, "25");
  EXPECT_EQ(walk(shared, digits), 9);
}

// Random tries (the shapes a policy's prefix lists give) against random digits, many of them
// extending a listed prefix: the packed lookup and the walk agree whenever the packed form is
// built, and it is built exactly when the trie has at most 16 marked prefixes of at most 16 digits.
TEST(DigitsLookup, PackedLookupEqualsTheWalkOnRandomTries) {
  std::mt19937 random(29);
  Digits digits;
  unsigned built = 0, walked = 0;
  for (int round = 0; round < 3000; ++round) {
    Trie trie;
    std::vector<std::string> listed;
    const unsigned count = random() % 22;
    const unsigned longest = 2 + random() % 18;
    bool fits = true;
    for (unsigned i = 0; i < count; ++i) {
      std::string prefix = i > 0 && random() % 3 == 0 ? listed[random() % listed.size()] : std::string();
      const unsigned extra = 1 + random() % longest;
      while (prefix.size() < extra) prefix.push_back(static_cast<char>('0' + random() % (random() % 2 ? 3 : 10)));
      listed.push_back(prefix);
      trie.add(prefix, static_cast<uint16_t>(random() % 50));
    }
    if (random() % 4 == 0) trie.add("", 60);
    unsigned marked = 0;
    for (size_t n = 1; n < trie.nodes.size(); ++n) marked += trie.nodes[n].mark != kUnmarked;
    for (const std::string& prefix : listed) fits = fits && prefix.size() <= kPackedDigits;
    fits = fits && marked <= ShortPrefixes::kMaxPrefixes;

    const std::vector<uint8_t> nodes = nodes_of(trie);
    ShortPrefixes prefixes;
    const bool packed = build_short_prefixes(nodes.data(), static_cast<uint32_t>(nodes.size() / 8), prefixes);
    ASSERT_EQ(packed, fits) << "round " << round;
    if (!packed) {
      ++walked;
      continue;
    }
    ++built;
    for (int probe = 0; probe < 60; ++probe) {
      std::string text = listed.empty() || random() % 4 == 0 ? std::string() : listed[random() % listed.size()];
      if (!text.empty() && random() % 3 == 0) text.resize(random() % text.size());
      const unsigned length = text.size() + random() % 12;
      while (text.size() < length && text.size() < limits::kMaxDigits)
        text.push_back(random() % 10 == 0 ? "bcf*#"[random() % 5] : static_cast<char>('0' + random() % 10));
      set_digits(digits, text, static_cast<char>('0' + random() % 10));
      ASSERT_EQ(prefixes.deepest(pack_digits(digits, prefixes.words)), walk(nodes, digits)) << "round " << round << " '" << text << "'";
    }
  }
  EXPECT_GT(built, 500u);
  EXPECT_GT(walked, 300u);
}

}  // namespace
}  // namespace sigwall::table
