#include "table_image.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "../decode/anomaly.h"
#include "../sctp/crc32c.h"
#include "fields.generated.h"

namespace sigwall::table {

namespace {

// The registry's field types and scopes come from the generated header (fields.generated.h,
// from src/policy/fields.ts): they decide the lookup kinds a dimension on the field may use.
Scope field_scope(uint16_t field) { return kFieldSpecs[field].component ? Scope::kComponent : Scope::kMessage; }

bool lookup_fits(FieldType type, LookupKind lookup) {
  switch (type) {
    case FieldType::kSmallInt:
    case FieldType::kEnum: return lookup == LookupKind::kSmall || lookup == LookupKind::kSortedU32;
    case FieldType::kPointCode:
    case FieldType::kUint32: return lookup == LookupKind::kSortedU32;
    case FieldType::kDigits: return lookup == LookupKind::kDigits;
    case FieldType::kOid: return lookup == LookupKind::kBytes;
    case FieldType::kAnomaly: return lookup == LookupKind::kAnomaly;
    case FieldType::kOperation: return lookup == LookupKind::kOperation;
  }
  return false;
}

const char* section_name(uint32_t kind) {
  switch (static_cast<SectionKind>(kind)) {
    case SectionKind::kRules: return "RULES";
    case SectionKind::kStrings: return "STRINGS";
    case SectionKind::kDimension: return "DIMENSION";
    case SectionKind::kPhase: return "PHASE";
    case SectionKind::kResults: return "RESULTS";
    case SectionKind::kRuleLists: return "RULE_LISTS";
    case SectionKind::kNetworks: return "NETWORKS";
    case SectionKind::kPolicyName: return "POLICY_NAME";
    case SectionKind::kSparse: return "SPARSE";
    case SectionKind::kAccept: return "ACCEPT";
  }
  return "unknown";
}

constexpr uint32_t kSmallSize = 256 * 2;
constexpr uint32_t kOperationEntries = 513;  // 2 x 256 local opcodes + "global or none"
constexpr uint32_t kRelationEntries = 3;
constexpr uint32_t kTrieNodeSize = 8;  // u16 mark, u16 child bitmap, u32 first child
constexpr uint32_t kDirectoryEntrySize = 16;
constexpr uint32_t kRuleSize = 16;
constexpr uint32_t kResultSize = 8;
constexpr uint32_t kRootsSize = 16;
constexpr uint32_t kSparseHeadSize = 8;
constexpr uint32_t kSparseClassSize = 12;
constexpr uint32_t kAcceptHeadSize = 8;
constexpr uint32_t kMaxSectionKind = 10;

struct Section {
  uint32_t entry = 0;  // index in the directory
  uint32_t kind = 0;
  uint32_t offset = 0;
  uint32_t size = 0;
  uint32_t count = 0;
};

}  // namespace

// Validation, one section at a time. Every failure names the section (kind, directory entry,
// offset) and the absolute offset of the offending bytes where there is one.
class Loader {
 public:
  Loader(const uint8_t* data, uint32_t size, TableImage& image, TableError& error)
      : d_(data), size_(size), t_(image), error_(error) {}

  bool run();

 private:
  bool fail(const char* format, ...) __attribute__((format(printf, 2, 3)));
  void enter(const Section& s, int ordinal = -1);

  bool header();
  bool directory();
  bool rules(const Section& s);
  bool policy_name(const Section& s);
  bool rule_lists(const Section& s);
  bool rule_metadata();
  bool sparse(const Section& s, uint32_t ordinal);
  bool accept(const Section& s);
  // Checks that RULE_LISTS entries [offset, offset + count) lie inside the section, strictly
  // ascend and satisfy `fits`, in O(1) per list after one O(entries) pass per `run` vector.
  template <class Fits>
  void build_run(std::vector<uint32_t>& run, Fits fits) const;
  template <class Fits>
  bool check_list(const std::vector<uint32_t>& run, uint32_t offset, uint32_t count, Fits fits, const char* what,
                  uint32_t at);
  bool networks(const Section& s);
  bool trie(uint32_t at, uint32_t nodes, uint32_t limit, const char* what);
  uint16_t add_short_prefixes(uint32_t at, uint32_t nodes);
  bool dimension(const Section& s, uint32_t ordinal);
  bool phase(const Section& s, uint32_t ordinal, bool final);
  bool results(const Section& s);
  bool roots_and_final();

  uint32_t input_bound(InputKind kind, uint32_t index) const {
    return kind == InputKind::kDimension ? t_.dimensions_[index].class_count : phase_bounds_[index];
  }
  Scope input_scope(InputKind kind, uint32_t index) const {
    return kind == InputKind::kDimension ? t_.dimensions_[index].scope : t_.phases_[index].scope;
  }

  const uint8_t* d_;
  uint32_t size_;
  TableImage& t_;
  TableError& error_;
  std::string where_;

  uint32_t section_count_ = 0;
  uint32_t directory_offset_ = 0;
  uint32_t header_rule_count_ = 0;
  const Section* single_[kMaxSectionKind + 1] = {};  // by kind, for the kinds that appear at most once
  std::vector<Section> sections_;
  std::vector<const Section*> dimension_sections_;
  std::vector<const Section*> phase_sections_;
  std::vector<const Section*> sparse_sections_;
  uint32_t strings_ = 0;
  uint32_t strings_size_ = 0;
  uint32_t list_entries_ = 0;
  std::vector<uint32_t> result_run_;  // strictly ascending runs of rules a result list may hold
  std::vector<uint32_t> phase_bounds_;
};

bool Loader::fail(const char* format, ...) {
  char text[384];
  va_list args;
  va_start(args, format);
  std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  error_.message = "table image: " + where_ + text;
  return false;
}

void Loader::enter(const Section& s, int ordinal) {
  char text[160];
  if (ordinal >= 0)
    std::snprintf(text, sizeof text, "%s #%d (directory entry %u, offset %u, size %u): ", section_name(s.kind), ordinal,
                  s.entry, s.offset, s.size);
  else
    std::snprintf(text, sizeof text, "%s (directory entry %u, offset %u, size %u): ", section_name(s.kind), s.entry,
                  s.offset, s.size);
  where_ = text;
}

bool Loader::header() {
  where_ = "header: ";
  if (size_ < kHeaderSize) return fail("image is %u bytes, shorter than the %u-byte header", size_, kHeaderSize);
  if (std::memcmp(d_, "SGWLTBL1", 8) != 0) return fail("bad magic at offset 0 (not a sigwall table image)");
  const uint32_t version = read_u32(d_ + 8);
  if (version != kFormatVersion) return fail("format version %u at offset 8, this loader reads %u", version, kFormatVersion);
  const uint32_t header_size = read_u32(d_ + 12);
  if (header_size != kHeaderSize) return fail("header size %u at offset 12, expected %u", header_size, kHeaderSize);
  const uint32_t image_size = read_u32(d_ + 16);
  if (image_size != size_) return fail("image size field %u at offset 16 but %u bytes were given", image_size, size_);
  const uint64_t hash = read_u64(d_ + 24);
  if (hash != kRegistryHash)
    return fail("registry hash 0x%016llx at offset 24 differs from this build's 0x%016llx (table compiled for another field registry)",
                static_cast<unsigned long long>(hash), static_cast<unsigned long long>(kRegistryHash));
  t_.features_ = read_u32(d_ + 32);
  if (t_.features_ & ~0xFu) return fail("unknown feature bits 0x%x at offset 32", t_.features_ & ~0xFu);
  section_count_ = read_u32(d_ + 36);
  directory_offset_ = read_u32(d_ + 40);
  t_.malformed_action_ = d_[44];
  t_.default_action_ = d_[45];
  if (t_.malformed_action_ > 2) return fail("malformed action %u at offset 44 is not 0..2", t_.malformed_action_);
  if (t_.default_action_ > 2) return fail("default action %u at offset 45 is not 0..2", t_.default_action_);
  if (read_u16(d_ + 46) != 0) return fail("reserved field at offset 46 is not 0");
  header_rule_count_ = read_u32(d_ + 48);
  if (header_rule_count_ > 0xFFFF) return fail("rule count %u at offset 48 exceeds 65535", header_rule_count_);
  for (uint32_t at = 52; at < 64; at += 4)
    if (read_u32(d_ + at) != 0) return fail("reserved field at offset %u is not 0", at);
  return true;
}

bool Loader::directory() {
  where_ = "section directory: ";
  if (static_cast<uint64_t>(directory_offset_) + static_cast<uint64_t>(section_count_) * kDirectoryEntrySize > size_)
    return fail("%u entries at offset %u run past the image end (%u bytes)", section_count_, directory_offset_, size_);
  if (directory_offset_ < kHeaderSize) return fail("offset %u overlaps the header", directory_offset_);
  sections_.reserve(section_count_);
  for (uint32_t i = 0; i < section_count_; ++i) {
    const uint8_t* e = d_ + directory_offset_ + i * kDirectoryEntrySize;
    Section s{i, read_u32(e), read_u32(e + 4), read_u32(e + 8), read_u32(e + 12)};
    const uint32_t at = directory_offset_ + i * kDirectoryEntrySize;
    if (s.kind < 1 || s.kind > kMaxSectionKind) return fail("entry %u (offset %u): unknown section kind %u", i, at, s.kind);
    if (static_cast<uint64_t>(s.offset) + s.size > size_)
      return fail("entry %u (offset %u, %s): section [%u, %u + %u) runs past the image end (%u bytes)", i, at,
                  section_name(s.kind), s.offset, s.offset, s.size, size_);
    sections_.push_back(s);
  }
  for (const Section& s : sections_) {
    const auto kind = static_cast<SectionKind>(s.kind);
    if (kind == SectionKind::kDimension) {
      dimension_sections_.push_back(&s);
    } else if (kind == SectionKind::kPhase) {
      phase_sections_.push_back(&s);
    } else if (kind == SectionKind::kSparse) {
      sparse_sections_.push_back(&s);
    } else {
      if (single_[s.kind]) return fail("entry %u: a second %s section (the first is entry %u)", s.entry, section_name(s.kind), single_[s.kind]->entry);
      single_[s.kind] = &s;
    }
  }
  for (SectionKind kind : {SectionKind::kRules, SectionKind::kStrings, SectionKind::kResults, SectionKind::kRuleLists,
                           SectionKind::kAccept})
    if (!single_[static_cast<uint32_t>(kind)]) return fail("no %s section", section_name(static_cast<uint32_t>(kind)));
  if (dimension_sections_.empty()) return fail("no DIMENSION section");
  if (dimension_sections_.size() > kMaxDimensions)
    return fail("%zu DIMENSION sections, at most %u", dimension_sections_.size(), kMaxDimensions);
  if (phase_sections_.empty()) return fail("no PHASE section (the final phase is required)");
  if (phase_sections_.size() > kMaxPhases) return fail("%zu PHASE sections, at most %u", phase_sections_.size(), kMaxPhases);
  if (sparse_sections_.size() > kMaxSparse) return fail("%zu SPARSE sections, at most %u", sparse_sections_.size(), kMaxSparse);
  return true;
}

bool Loader::rules(const Section& s) {
  enter(s);
  if (s.count != header_rule_count_) return fail("count %u differs from the header's rule count %u", s.count, header_rule_count_);
  if (static_cast<uint64_t>(s.count) * kRuleSize != s.size)
    return fail("size %u is not %u rules x %u bytes", s.size, s.count, kRuleSize);
  t_.rules_.resize(s.count);
  for (uint32_t i = 0; i < s.count; ++i) {
    const uint32_t at = s.offset + i * kRuleSize;
    const uint8_t* r = d_ + at;
    RuleInfo& rule = t_.rules_[i];
    const uint32_t id_offset = read_u32(r);
    rule.id_length = read_u16(r + 4);
    rule.action = r[6];
    rule.mode = r[7];
    rule.category = r[8];
    rule.flags = r[9];
    rule.designated = r[10];
    rule.sparse_mask = read_u16(r + 12);
    rule.negative_mask = read_u16(r + 14);
    if (static_cast<uint64_t>(id_offset) + rule.id_length > strings_size_)
      return fail("rule %u (offset %u): id [%u, +%u) is outside STRINGS (%u bytes)", i, at, id_offset, rule.id_length, strings_size_);
    rule.id_offset = strings_ + id_offset;
    if (rule.action > 2) return fail("rule %u (offset %u): action %u is not 0..2", i, at + 6, rule.action);
    if (rule.mode > 1) return fail("rule %u (offset %u): mode %u is not 0 (enforce) or 1 (shadow)", i, at + 7, rule.mode);
    if (rule.category > 3) return fail("rule %u (offset %u): category %u is not 0..3", i, at + 8, rule.category);
    if (rule.flags & ~kRuleNeedsComponent) return fail("rule %u (offset %u): unknown flag bits 0x%x", i, at + 9, rule.flags);
    if (r[11] != 0) return fail("rule %u (offset %u): reserved byte is not 0", i, at + 11);
    const uint32_t sparse_count = static_cast<uint32_t>(sparse_sections_.size());
    if (rule.sparse_mask >> sparse_count)
      return fail("rule %u (offset %u): sparse mask 0x%x names a sparse dimension >= the %u SPARSE sections", i, at + 12,
                  rule.sparse_mask, sparse_count);
    if (rule.negative_mask & ~rule.sparse_mask)
      return fail("rule %u (offset %u): negative-type mask 0x%x outside its sparse mask 0x%x", i, at + 14, rule.negative_mask,
                  rule.sparse_mask);
    const uint32_t positive = rule.sparse_mask & ~rule.negative_mask;
    const uint8_t designated = positive == 0 ? kNoSparse : static_cast<uint8_t>(__builtin_ctz(positive));
    if (rule.designated != designated)
      return fail("rule %u (offset %u): designated sparse dimension %u, its first positive-type one is %u", i, at + 10,
                  rule.designated, designated);
  }
  return true;
}

bool Loader::policy_name(const Section& s) {
  t_.policy_name_offset_ = s.offset;
  t_.policy_name_length_ = s.size;
  return true;
}

bool Loader::rule_lists(const Section& s) {
  enter(s);
  if (static_cast<uint64_t>(s.count) * 2 != s.size) return fail("size %u is not %u entries x 2 bytes", s.size, s.count);
  list_entries_ = s.count;
  t_.rule_lists_ = s.offset;
  const uint32_t rules = t_.rule_count();
  for (uint32_t i = 0; i < s.count; ++i) {
    const uint16_t rule = read_u16(d_ + s.offset + 2 * i);
    if (rule >= rules) return fail("entry %u (offset %u) = rule %u >= rule count %u", i, s.offset + 2 * i, rule, rules);
  }
  // A result list holds only rules without a positive-type sparse condition.
  build_run(result_run_, [&](uint16_t rule) { return (t_.rules_[rule].sparse_mask & ~t_.rules_[rule].negative_mask) == 0; });
  return true;
}

// Lists may be shared and overlap; checking each list entry by entry could cost lists x
// entries. run[i] is the length of the strictly ascending run of fitting entries from i, which
// makes each list's check O(1).
template <class Fits>
void Loader::build_run(std::vector<uint32_t>& run, Fits fits) const {
  run.assign(list_entries_ + 1, 0);
  for (uint32_t i = list_entries_; i-- > 0;) {
    const uint16_t rule = read_u16(d_ + t_.rule_lists_ + 2 * i);
    if (!fits(rule)) continue;  // run 0
    const bool ascends = i + 1 < list_entries_ && run[i + 1] > 0 && read_u16(d_ + t_.rule_lists_ + 2 * (i + 1)) > rule;
    run[i] = ascends ? run[i + 1] + 1 : 1;
  }
}

template <class Fits>
bool Loader::check_list(const std::vector<uint32_t>& run, uint32_t offset, uint32_t count, Fits fits, const char* what,
                        uint32_t at) {
  if (static_cast<uint64_t>(offset) + count > list_entries_)
    return fail("%s (offset %u): list [%u, +%u) is outside RULE_LISTS (%u entries)", what, at, offset, count, list_entries_);
  if (count == 0 || run[offset] >= count) return true;
  // Say which entry is wrong.
  for (uint32_t k = 0; k < count; ++k) {
    const uint32_t e = t_.rule_lists_ + 2 * (offset + k);
    const uint16_t rule = read_u16(d_ + e);
    if (!fits(rule)) return fail("%s: entry %u (offset %u) = rule %u does not belong in this list (RULES metadata)", what, k, e, rule);
    if (k > 0 && read_u16(d_ + e - 2) >= rule)
      return fail("%s: entry %u (offset %u) = rule %u is not above the previous one", what, k, e, rule);
  }
  return fail("%s (offset %u): list is not valid", what, at);  // not reached: the run said so
}

bool Loader::sparse(const Section& s, uint32_t ordinal) {
  enter(s, static_cast<int>(ordinal));
  if (s.size < kSparseHeadSize) return fail("size %u is shorter than the %u-byte head", s.size, kSparseHeadSize);
  const uint16_t dimension = read_u16(d_ + s.offset);
  if (read_u16(d_ + s.offset + 2) != 0 || read_u32(d_ + s.offset + 4) != 0)
    return fail("reserved head bytes at offset %u are not 0", s.offset + 2);
  if (dimension >= t_.dimensions_.size())
    return fail("names dimension %u, there are %zu", dimension, t_.dimensions_.size());
  DimensionInfo& dim = t_.dimensions_[dimension];
  if (dim.sparse != kNoSparse) return fail("dimension %u already has SPARSE section #%u", dimension, dim.sparse);
  if (s.count != dim.class_count) return fail("count %u differs from dimension %u's class count %u", s.count, dimension, dim.class_count);
  if (static_cast<uint64_t>(s.count) * kSparseClassSize + kSparseHeadSize != s.size)
    return fail("size %u is not %u + %u classes x %u", s.size, kSparseHeadSize, s.count, kSparseClassSize);
  dim.sparse = static_cast<uint8_t>(ordinal);
  SparseInfo info;
  info.dimension = dimension;
  info.scope = dim.scope;
  info.classes = s.offset + kSparseHeadSize;
  const uint16_t bit = static_cast<uint16_t>(1u << ordinal);
  auto positive = [&](uint16_t rule) { return (t_.rules_[rule].sparse_mask & bit) && !(t_.rules_[rule].negative_mask & bit); };
  auto negative = [&](uint16_t rule) { return (t_.rules_[rule].negative_mask & bit) != 0; };
  std::vector<uint32_t> positive_run, negative_run;
  build_run(positive_run, positive);
  build_run(negative_run, negative);
  for (uint32_t c = 0; c < s.count; ++c) {
    const uint32_t at = info.classes + kSparseClassSize * c;
    char what[64];
    std::snprintf(what, sizeof what, "class %u positive list", c);
    if (!check_list(positive_run, read_u32(d_ + at), read_u16(d_ + at + 8), positive, what, at)) return false;
    std::snprintf(what, sizeof what, "class %u negative list", c);
    if (!check_list(negative_run, read_u32(d_ + at + 4), read_u16(d_ + at + 10), negative, what, at + 4)) return false;
  }
  t_.sparse_.push_back(info);
  return true;
}

// Rules on a component-scope sparse dimension must carry the component flag: without a
// component that dimension has no class, and the classifier skips such rules by the flag.
bool Loader::rule_metadata() {
  where_ = "RULES: ";
  for (uint32_t i = 0; i < t_.rule_count(); ++i) {
    const RuleInfo& rule = t_.rules_[i];
    for (uint32_t k = 0; k < t_.sparse_.size(); ++k)
      if ((rule.sparse_mask >> k & 1) && t_.sparse_[k].scope == Scope::kComponent && !(rule.flags & kRuleNeedsComponent))
        return fail("rule %u constrains component-scope sparse dimension %u but lacks the component flag", i, k);
  }
  return true;
}

bool Loader::accept(const Section& s) {
  enter(s);
  if (s.size < kAcceptHeadSize) return fail("size %u is shorter than the %u-byte head", s.size, kAcceptHeadSize);
  const uint32_t words = read_u32(d_ + s.offset);
  if (read_u32(d_ + s.offset + 4) != 0) return fail("reserved head field at offset %u is not 0", s.offset + 4);
  const uint32_t expected = (t_.rule_count() + 63) / 64;
  if (words != expected) return fail("%u words per bitset, %u rules need %u", words, t_.rule_count(), expected);
  uint64_t classes = 0;
  for (const DimensionInfo& dim : t_.dimensions_)
    if (dim.sparse == kNoSparse) classes += dim.class_count;
  if (s.count != classes) return fail("count %u is not the dense dimensions' %llu classes", s.count, static_cast<unsigned long long>(classes));
  if (classes * words * 8 + kAcceptHeadSize != s.size)
    return fail("size %u is not %u + %llu classes x %u words x 8", s.size, kAcceptHeadSize, static_cast<unsigned long long>(classes), words);
  t_.accept_words_ = words;
  uint32_t at = s.offset + kAcceptHeadSize;
  for (uint32_t i = 0; i < t_.dimensions_.size(); ++i) {
    DimensionInfo& dim = t_.dimensions_[i];
    if (dim.sparse != kNoSparse) continue;
    dim.accept = at;
    at += dim.class_count * words * 8;
    (dim.scope == Scope::kMessage ? t_.dense_message_ : t_.dense_component_).push_back(static_cast<uint16_t>(i));
  }
  return true;
}

// Children of a node are consecutive nodes after it (first > n), one per bit of its bitmap, so a
// walk from the root only moves forward and every child index it computes is < the node count.
bool Loader::trie(uint32_t at, uint32_t nodes, uint32_t limit, const char* what) {
  for (uint32_t n = 0; n < nodes; ++n) {
    const uint32_t node = at + n * kTrieNodeSize;
    const uint16_t mark = read_u16(d_ + node);
    if (mark != kUnmarked && mark >= limit)
      return fail("%s node %u (offset %u): %s %u >= %u", what, n, node, what[0] == 'n' ? "network" : "class", mark, limit);
    const uint16_t bitmap = read_u16(d_ + node + 2);
    const uint32_t first = read_u32(d_ + node + 4);
    if (bitmap > 0x3FF) return fail("%s node %u (offset %u): child bitmap 0x%x has bits above digit 9", what, n, node + 2, bitmap);
    if (bitmap == 0) {
      if (first != 0) return fail("%s node %u (offset %u): first child %u without children (must be 0)", what, n, node + 4, first);
      continue;
    }
    const uint32_t children = static_cast<uint32_t>(__builtin_popcount(bitmap));
    if (first <= n || static_cast<uint64_t>(first) + children > nodes)
      return fail("%s node %u (offset %u): children [%u, +%u) are not after it and below the node count %u", what, n, node + 4,
                  first, children, nodes);
  }
  return true;
}

// After trie() accepted it: the trie's ShortPrefixes index, or kNoShortPrefixes when it must be
// walked (digits_lookup.h).
uint16_t Loader::add_short_prefixes(uint32_t at, uint32_t nodes) {
  ShortPrefixes prefixes;
  if (!build_short_prefixes(d_ + at, nodes, prefixes) || t_.short_prefixes_.size() >= kNoShortPrefixes) return kNoShortPrefixes;
  t_.short_prefixes_.push_back(prefixes);
  return static_cast<uint16_t>(t_.short_prefixes_.size() - 1);
}

bool Loader::networks(const Section& s) {
  enter(s);
  if (s.size < 4) return fail("size %u is shorter than the network count", s.size);
  t_.network_count_ = read_u32(d_ + s.offset);
  if (t_.network_count_ > 0xFFFF) return fail("network count %u exceeds 65535", t_.network_count_);
  uint32_t at = s.offset + 4;
  const uint32_t end = s.offset + s.size;
  uint32_t tries[2];
  for (int i = 0; i < 2; ++i) {
    const char* what = i == 0 ? "network GT trie" : "network MCC+MNC trie";
    if (end - at < 4) return fail("%s: node count at offset %u is past the section end", what, at);
    const uint32_t nodes = read_u32(d_ + at);
    if (nodes == 0) return fail("%s at offset %u has no root node", what, at);
    if (static_cast<uint64_t>(nodes) * kTrieNodeSize > end - at - 4)
      return fail("%s at offset %u: %u nodes run past the section end", what, at, nodes);
    tries[i] = at + 4;
    if (!trie(at + 4, nodes, t_.network_count_, what)) return false;
    at += 4 + nodes * kTrieNodeSize;
  }
  if (at != end) return fail("%u trailing bytes after the two tries (offset %u)", end - at, at);
  t_.networks_present_ = true;
  t_.gt_trie_ = tries[0];
  t_.mcc_mnc_trie_ = tries[1];
  t_.gt_short_prefixes_ = add_short_prefixes(tries[0], read_u32(d_ + tries[0] - 4));
  t_.mcc_mnc_short_prefixes_ = add_short_prefixes(tries[1], read_u32(d_ + tries[1] - 4));
  return true;
}

bool Loader::dimension(const Section& s, uint32_t ordinal) {
  enter(s, static_cast<int>(ordinal));
  if (s.size < 8) return fail("size %u is shorter than the 8-byte head", s.size);
  const uint8_t* h = d_ + s.offset;
  DimensionInfo dim;
  dim.field = read_u16(h);
  const uint8_t lookup = h[2];
  const uint8_t scope = h[3];
  dim.absent_class = read_u16(h + 4);
  dim.default_class = read_u16(h + 6);
  dim.class_count = s.count;
  if (lookup > 6) return fail("unknown lookup kind %u at offset %u", lookup, s.offset + 2);
  if (scope > 1) return fail("scope %u at offset %u is not 0 (message) or 1 (component)", scope, s.offset + 3);
  dim.lookup = static_cast<LookupKind>(lookup);
  dim.scope = static_cast<Scope>(scope);
  if (dim.field == kRelationField) {
    if (dim.lookup != LookupKind::kRelation) return fail("the relation dimension (field 0xFFFF) must use lookup kind 6 RELATION, not %u", lookup);
    if (dim.scope != Scope::kComponent) return fail("the relation dimension must have component scope");
    if (!t_.networks_present_) return fail("a RELATION dimension needs a NETWORKS section");
  } else {
    if (dim.field >= kFieldCount) return fail("field id %u at offset %u is not < %u (registry size)", dim.field, s.offset, kFieldCount);
    if (!lookup_fits(kFieldSpecs[dim.field].type, dim.lookup)) return fail("field %u cannot use lookup kind %u", dim.field, lookup);
    if (field_scope(dim.field) != dim.scope) return fail("scope %u differs from field %u's registry scope", scope, dim.field);
  }
  if (dim.class_count == 0 || dim.class_count > 0xFFFF) return fail("class count %u is not 1..65535", dim.class_count);
  if (dim.absent_class >= dim.class_count)
    return fail("absent class %u at offset %u >= class count %u", dim.absent_class, s.offset + 4, dim.class_count);
  if (dim.default_class >= dim.class_count)
    return fail("default class %u at offset %u >= class count %u", dim.default_class, s.offset + 6, dim.class_count);
  if (dim.scope == Scope::kMessage && t_.message_dimensions_ != ordinal)
    return fail("a message-scope dimension after a component-scope one (message dimensions come first)");
  if (dim.scope == Scope::kMessage) ++t_.message_dimensions_;

  const uint32_t body = s.offset + 8;
  const uint32_t body_size = s.size - 8;
  dim.structure = body;
  dim.table = body;
  const uint32_t classes = dim.class_count;
  auto check_u16s = [&](uint32_t at, uint32_t n, const char* what) {
    for (uint32_t i = 0; i < n; ++i) {
      const uint16_t c = read_u16(d_ + at + 2 * i);
      if (c >= classes) return fail("%s entry %u (offset %u): class %u >= class count %u", what, i, at + 2 * i, c, classes);
    }
    return true;
  };
  switch (dim.lookup) {
    case LookupKind::kSmall:
      if (body_size != kSmallSize) return fail("SMALL lookup is %u bytes, expected %u", body_size, kSmallSize);
      if (!check_u16s(body, 256, "SMALL")) return false;
      break;
    case LookupKind::kSortedU32: {
      if (body_size < 4) return fail("SORTED_U32 lookup has no entry count");
      dim.entries = read_u32(d_ + body);
      if (static_cast<uint64_t>(dim.entries) * 8 + 4 != body_size)
        return fail("SORTED_U32 lookup is %u bytes, expected 4 + %u x 8", body_size, dim.entries);
      dim.table = body + 4;
      for (uint32_t i = 0; i < dim.entries; ++i) {
        const uint32_t at = dim.table + 8 * i;
        const uint16_t c = read_u16(d_ + at + 4);
        if (c >= classes) return fail("SORTED_U32 entry %u (offset %u): class %u >= class count %u", i, at + 4, c, classes);
        if (i > 0 && read_u32(d_ + at - 8) >= read_u32(d_ + at))
          return fail("SORTED_U32 entry %u (offset %u): value %u is not above the previous %u", i, at, read_u32(d_ + at),
                      read_u32(d_ + at - 8));
      }
      break;
    }
    case LookupKind::kDigits: {
      if (body_size < 4) return fail("DIGITS lookup has no node count");
      dim.entries = read_u32(d_ + body);
      if (dim.entries == 0) return fail("DIGITS lookup has no root node");
      if (static_cast<uint64_t>(dim.entries) * kTrieNodeSize + 4 != body_size)
        return fail("DIGITS lookup is %u bytes, expected 4 + %u x %u", body_size, dim.entries, kTrieNodeSize);
      dim.table = body + 4;
      if (!trie(dim.table, dim.entries, classes, "DIGITS")) return false;
      dim.short_prefixes = add_short_prefixes(dim.table, dim.entries);
      break;
    }
    case LookupKind::kBytes: {
      if (body_size < 4) return fail("BYTES lookup has no entry count");
      dim.entries = read_u32(d_ + body);
      if (static_cast<uint64_t>(dim.entries) * 8 + 4 != body_size)
        return fail("BYTES lookup is %u bytes, expected 4 + %u x 8", body_size, dim.entries);
      dim.table = body + 4;
      for (uint32_t i = 0; i < dim.entries; ++i) {
        const uint32_t at = dim.table + 8 * i;
        const uint32_t offset = read_u32(d_ + at);
        const uint16_t length = read_u16(d_ + at + 4);
        const uint16_t c = read_u16(d_ + at + 6);
        if (static_cast<uint64_t>(offset) + length > strings_size_)
          return fail("BYTES entry %u (offset %u): key [%u, +%u) is outside STRINGS (%u bytes)", i, at, offset, length, strings_size_);
        if (c >= classes) return fail("BYTES entry %u (offset %u): class %u >= class count %u", i, at + 6, c, classes);
        if (i > 0) {
          const uint32_t prev_offset = read_u32(d_ + at - 8);
          const uint16_t prev_length = read_u16(d_ + at - 4);
          const uint32_t common = prev_length < length ? prev_length : length;
          const int order = std::memcmp(d_ + strings_ + prev_offset, d_ + strings_ + offset, common);
          if (order > 0 || (order == 0 && prev_length >= length))
            return fail("BYTES entry %u (offset %u): key is not above the previous one (keys must be strictly ascending)", i, at);
        }
      }
      break;
    }
    case LookupKind::kAnomaly: {
      if (body_size < 4) return fail("ANOMALY lookup has no mask count");
      dim.entries = read_u32(d_ + body);
      if (dim.entries > kMaxAnomalyMasks) return fail("ANOMALY mask count %u at offset %u exceeds %u", dim.entries, body, kMaxAnomalyMasks);
      const uint32_t table_entries = 1u << dim.entries;
      if (4 + 16 * dim.entries + 2 * table_entries != body_size)
        return fail("ANOMALY lookup is %u bytes, expected 4 + %u x 16 + %u x 2", body_size, dim.entries, table_entries);
      constexpr unsigned kKnown = static_cast<unsigned>(Anomaly::kCount);
      for (uint32_t j = 0; j < dim.entries; ++j) {
        const uint32_t at = body + 4 + 16 * j;
        for (unsigned bit = kKnown; bit < 128; ++bit)
          if ((d_[at + bit / 8] >> (bit % 8)) & 1)
            return fail("ANOMALY mask %u (offset %u) names anomaly bit %u, beyond the %u of anomalies.def", j, at, bit, kKnown);
      }
      dim.table = body + 4 + 16 * dim.entries;
      if (!check_u16s(dim.table, table_entries, "ANOMALY")) return false;
      break;
    }
    case LookupKind::kOperation:
      if (body_size != kOperationEntries * 2) return fail("OPERATION lookup is %u bytes, expected %u", body_size, kOperationEntries * 2);
      if (!check_u16s(body, kOperationEntries, "OPERATION")) return false;
      break;
    case LookupKind::kRelation:
      if (body_size != kRelationEntries * 2) return fail("RELATION lookup is %u bytes, expected %u", body_size, kRelationEntries * 2);
      if (!check_u16s(body, kRelationEntries, "RELATION")) return false;
      break;
  }
  t_.dimensions_.push_back(dim);
  return true;
}

bool Loader::phase(const Section& s, uint32_t ordinal, bool final) {
  enter(s, static_cast<int>(ordinal));
  if (s.size < 8) return fail("size %u is shorter than the 8-byte head", s.size);
  const uint8_t* h = d_ + s.offset;
  PhaseInfo p;
  if (h[0] > 1) return fail("left input kind %u at offset %u is not 0 (dimension) or 1 (phase)", h[0], s.offset);
  if (h[2] > 1) return fail("right input kind %u at offset %u is not 0 (dimension) or 1 (phase)", h[2], s.offset + 2);
  p.left_kind = static_cast<InputKind>(h[0]);
  p.left_index = h[1];
  p.right_kind = static_cast<InputKind>(h[2]);
  p.right_index = h[3];
  p.rows = read_u16(h + 4);
  p.columns = read_u16(h + 6);
  p.table = s.offset + 8;
  if (p.rows == 0 || p.columns == 0) return fail("empty table (%u rows x %u columns)", p.rows, p.columns);
  if (static_cast<uint64_t>(p.rows) * p.columns * 2 + 8 != s.size)
    return fail("size %u is not 8 + %u rows x %u columns x 2", s.size, p.rows, p.columns);
  const uint32_t dims = static_cast<uint32_t>(t_.dimensions_.size());
  for (int side = 0; side < 2; ++side) {
    const InputKind kind = side == 0 ? p.left_kind : p.right_kind;
    const uint32_t index = side == 0 ? p.left_index : p.right_index;
    const char* name = side == 0 ? "left" : "right";
    if (kind == InputKind::kDimension && index >= dims)
      return fail("%s input names dimension %u, there are %u", name, index, dims);
    if (kind == InputKind::kPhase && index >= ordinal)
      return fail("%s input names phase %u, not an earlier phase", name, index);
    if (kind == InputKind::kDimension && t_.dimensions_[index].sparse != kNoSparse)
      return fail("%s input names dimension %u, a sparse dimension (sparse dimensions are not combined)", name, index);
  }
  const Scope left_scope = input_scope(p.left_kind, p.left_index);
  const Scope right_scope = input_scope(p.right_kind, p.right_index);
  const uint32_t left_bound = input_bound(p.left_kind, p.left_index);
  const uint32_t right_bound = input_bound(p.right_kind, p.right_index);
  if (final) {
    if (left_scope != Scope::kMessage || right_scope != Scope::kComponent)
      return fail("the final phase must combine the message root (left) with the component root (right)");
    if (left_bound > p.rows) return fail("message root yields classes up to %u but the final phase has %u rows", left_bound - 1, p.rows);
    if (right_bound + 1 > p.columns)
      return fail("component root yields classes up to %u but the final phase has %u columns (the last is \"no component\")",
                  right_bound - 1, p.columns);
    p.scope = Scope::kComponent;
  } else {
    if (left_scope != right_scope) return fail("combines a message-scope input with a component-scope one");
    p.scope = left_scope;
    if (p.scope == Scope::kMessage && t_.message_phases_ != ordinal)
      return fail("a message-scope phase after a component-scope one (message phases come first)");
    if (p.scope == Scope::kMessage) ++t_.message_phases_;
    if (left_bound > p.rows) return fail("left input yields classes up to %u but the table has %u rows", left_bound - 1, p.rows);
    if (right_bound > p.columns)
      return fail("right input yields classes up to %u but the table has %u columns", right_bound - 1, p.columns);
  }
  // The bound of this phase's output: what a consumer's rows or columns must cover. For the
  // final phase, entries are result indices, checked against RESULTS later.
  uint32_t max = 0;
  const uint64_t entries = static_cast<uint64_t>(p.rows) * p.columns;
  for (uint64_t i = 0; i < entries; ++i) {
    const uint16_t v = read_u16(d_ + p.table + 2 * i);
    if (v > max) max = v;
  }
  phase_bounds_.push_back(max + 1);
  t_.phases_.push_back(p);
  return true;
}

bool Loader::results(const Section& s) {
  enter(s);
  if (s.size < kRootsSize) return fail("size %u is shorter than the %u-byte roots record", s.size, kRootsSize);
  if (static_cast<uint64_t>(s.count) * kResultSize + kRootsSize != s.size)
    return fail("size %u is not %u + %u results x %u", s.size, kRootsSize, s.count, kResultSize);
  const uint8_t* r = d_ + s.offset;
  if (r[0] > 1 || r[4] > 1) return fail("root kinds %u / %u are not 0 (dimension) or 1 (phase)", r[0], r[4]);
  t_.message_root_kind_ = static_cast<InputKind>(r[0]);
  t_.message_root_index_ = read_u16(r + 2);
  t_.component_root_kind_ = static_cast<InputKind>(r[4]);
  t_.component_root_index_ = read_u16(r + 6);
  const uint16_t final_phase = read_u16(r + 8);
  if (final_phase != t_.phases_.size() - 1)
    return fail("final phase index %u at offset %u is not the last phase (%zu)", final_phase, s.offset + 8, t_.phases_.size() - 1);
  t_.results_ = s.offset + kRootsSize;
  t_.result_count_ = s.count;
  auto fits = [&](uint16_t rule) { return (t_.rules_[rule].sparse_mask & ~t_.rules_[rule].negative_mask) == 0; };
  for (uint32_t i = 0; i < s.count; ++i) {
    const uint32_t at = t_.results_ + kResultSize * i;
    if (read_u16(d_ + at + 6) != 0) return fail("result %u (offset %u): reserved field is not 0", i, at + 6);
    char what[32];
    std::snprintf(what, sizeof what, "result %u", i);
    if (!check_list(result_run_, read_u32(d_ + at), read_u16(d_ + at + 4), fits, what, at)) return false;
  }
  return true;
}

bool Loader::roots_and_final() {
  where_ = "RESULTS roots: ";
  const PhaseInfo& final = t_.phases_.back();
  const uint32_t phases = static_cast<uint32_t>(t_.phases_.size());
  const uint32_t dims = static_cast<uint32_t>(t_.dimensions_.size());
  auto check_root = [&](InputKind kind, uint16_t index, Scope scope, const char* name) {
    if (kind == InputKind::kDimension) {
      if (index >= dims) return fail("%s root names dimension %u, there are %u", name, index, dims);
      if (t_.dimensions_[index].scope != scope) return fail("%s root dimension %u has the other scope", name, index);
      if (t_.dimensions_[index].sparse != kNoSparse) return fail("%s root dimension %u is a sparse dimension", name, index);
    } else {
      if (index + 1u >= phases) return fail("%s root names phase %u, not a phase before the final one", name, index);
      if (t_.phases_[index].scope != scope) return fail("%s root phase %u has the other scope", name, index);
    }
    return true;
  };
  if (!check_root(t_.message_root_kind_, t_.message_root_index_, Scope::kMessage, "message")) return false;
  if (!check_root(t_.component_root_kind_, t_.component_root_index_, Scope::kComponent, "component")) return false;
  if (final.left_kind != t_.message_root_kind_ || final.left_index != t_.message_root_index_ ||
      final.right_kind != t_.component_root_kind_ || final.right_index != t_.component_root_index_)
    return fail("the final phase's inputs are not the message root and the component root");
  if (phase_bounds_.back() > t_.result_count_)
    return fail("the final phase names result %u, there are %u results", phase_bounds_.back() - 1, t_.result_count_);
  return true;
}

bool Loader::run() {
  if (!header() || !directory()) return false;
  const Section& strings = *single_[static_cast<uint32_t>(SectionKind::kStrings)];
  strings_ = strings.offset;
  strings_size_ = strings.size;
  t_.strings_ = strings.offset;
  if (!rules(*single_[static_cast<uint32_t>(SectionKind::kRules)])) return false;
  if (const Section* s = single_[static_cast<uint32_t>(SectionKind::kPolicyName)]) {
    policy_name(*s);
  } else if (t_.rule_count() > 0) {
    // An image from a compiler that does not write POLICY_NAME: ids are "<policy>#<rule>".
    const std::string_view id = t_.rule_id(0);
    const size_t hash = id.find('#');
    t_.policy_name_offset_ = t_.rules_[0].id_offset;
    t_.policy_name_length_ = static_cast<uint32_t>(hash == std::string_view::npos ? id.size() : hash);
  }
  if (!rule_lists(*single_[static_cast<uint32_t>(SectionKind::kRuleLists)])) return false;
  if (const Section* s = single_[static_cast<uint32_t>(SectionKind::kNetworks)]; s && !networks(*s)) return false;
  for (uint32_t i = 0; i < dimension_sections_.size(); ++i)
    if (!dimension(*dimension_sections_[i], i)) return false;
  for (uint32_t i = 0; i < sparse_sections_.size(); ++i)
    if (!sparse(*sparse_sections_[i], i)) return false;
  if (!rule_metadata()) return false;
  if (!accept(*single_[static_cast<uint32_t>(SectionKind::kAccept)])) return false;
  for (uint32_t i = 0; i < phase_sections_.size(); ++i)
    if (!phase(*phase_sections_[i], i, i + 1 == phase_sections_.size())) return false;
  if (!results(*single_[static_cast<uint32_t>(SectionKind::kResults)])) return false;
  return roots_and_final();
}

bool TableImage::load(ByteView bytes, std::unique_ptr<TableImage>& out, TableError& error) {
  std::unique_ptr<TableImage> image(new TableImage());
  const uint32_t words = (bytes.size + 7) / 8;
  image->storage_ = std::make_unique_for_overwrite<uint64_t[]>(words == 0 ? 1 : words);  // filled just below
  uint8_t* copy = reinterpret_cast<uint8_t*>(image->storage_.get());
  if (bytes.size) std::memcpy(copy, bytes.data, bytes.size);
  image->data_ = copy;
  image->size_ = bytes.size;

  Loader loader(copy, bytes.size, *image, error);
  // The CRC covers the whole image with its own field taken as 0; checked right after the
  // header's size fields so that a corrupted image is named as such, not by a random symptom.
  if (bytes.size >= kHeaderSize && std::memcmp(copy, "SGWLTBL1", 8) == 0 && read_u32(copy + 16) == bytes.size) {
    const uint32_t stored = read_u32(copy + 20);
    std::memset(copy + 20, 0, 4);
    const uint32_t computed = crc32c(copy, bytes.size);
    std::memcpy(copy + 20, bytes.data + 20, 4);
    if (read_u32(copy + 8) == kFormatVersion && read_u32(copy + 12) == kHeaderSize && stored != computed) {
      char text[160];
      std::snprintf(text, sizeof text, "table image: header: CRC32c 0x%08x at offset 20 but the image's is 0x%08x (corrupted)", stored,
                    computed);
      error.message = text;
      return false;
    }
  }
  if (!loader.run()) return false;
  out = std::move(image);
  return true;
}

}  // namespace sigwall::table
