// The compiled table image (docs/table-format.md, format 2): loaded once, validated as
// untrusted input, then read by the classifier on every message.
//
// Invariant. TableImage::load() returns true only after checking every offset, size, count and
// index the classifier will ever follow: section bounds (without overflow), exact section sizes,
// every class id stored in a lookup structure < its dimension's class count, every phase entry
// < the row/column count of each phase that consumes it, final-phase entries < the result
// count, trie children < the node count, network indices < the network count, rule indices
// < the rule count, every rule list (results, sparse classes) inside RULE_LISTS, strictly
// ascending and holding only rules whose RULES metadata fits the list (a result list: no
// positive-type sparse condition; a sparse class's positive / negative list: positive- /
// negative-type on that dimension), the rule metadata itself (sparse masks, designated
// dimension, the component flag of a rule on a component-scope sparse dimension), the ACCEPT
// bitsets' size, no sparse dimension as a phase input or root, rule ids and BYTES keys inside
// STRINGS, and that each dimension's field takes the lookup kind the classifier extracts for it. So
// classify() (classifier.h) does no bounds check on the hot path and cannot fail or fault;
// any image that would break this is refused here with a TableError naming the section, the
// offset and the problem.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../decode/cursor.h"
#include "digits_lookup.h"
#include "le_bytes.h"

namespace sigwall::table {

struct TableError {
  std::string message;
};

enum class SectionKind : uint32_t {
  kRules = 1,
  kStrings = 2,
  kDimension = 3,
  kPhase = 4,
  kResults = 5,
  kRuleLists = 6,
  kNetworks = 7,
  kPolicyName = 8,
  kSparse = 9,
  kAccept = 10,
};

enum class LookupKind : uint8_t {
  kSmall = 0,
  kSortedU32 = 1,
  kDigits = 2,
  kBytes = 3,
  kAnomaly = 4,
  kOperation = 5,
  kRelation = 6,
};

enum class Scope : uint8_t { kMessage = 0, kComponent = 1 };

// Phase inputs: an index among the DIMENSION sections, or among the PHASE sections.
enum class InputKind : uint8_t { kDimension = 0, kPhase = 1 };

inline constexpr uint16_t kRelationField = 0xFFFF;
inline constexpr uint16_t kNoRule = 0xFFFF;
inline constexpr uint16_t kNoShortPrefixes = 0xFFFF;
inline constexpr uint32_t kHeaderSize = 64;
inline constexpr uint32_t kFormatVersion = 2;
// RULES: a rule's designated sparse dimension when it has no positive-type sparse condition.
inline constexpr uint8_t kNoSparse = 0xFF;
// RULES flags bit 0: the rule has a component-scope condition (it never matches without one).
inline constexpr uint8_t kRuleNeedsComponent = 1;
// The RULES sparse masks are u16.
inline constexpr unsigned kMaxSparse = 16;
inline constexpr unsigned kMaxAnomalyMasks = 12;
// Phase inputs are u8 indices; the classifier keeps one class per dimension and per phase in
// fixed arrays of these sizes.
inline constexpr unsigned kMaxDimensions = 256;
inline constexpr unsigned kMaxPhases = 256;

// A dimension as the classifier uses it: offsets are into the image and already validated.
struct DimensionInfo {
  uint16_t field = 0;  // FieldId, or kRelationField
  LookupKind lookup = LookupKind::kSmall;
  Scope scope = Scope::kMessage;
  uint16_t absent_class = 0;
  uint16_t default_class = 0;
  uint32_t class_count = 0;
  uint32_t structure = 0;  // offset of the lookup structure (after the 8-byte head)
  uint32_t entries = 0;    // SORTED_U32/BYTES: n; DIGITS: node count; ANOMALY: k
  uint32_t table = 0;      // ANOMALY: offset of u16[2^k]; otherwise = structure (or its entries)
  uint8_t sparse = kNoSparse;  // its sparse index, or kNoSparse for a dense dimension
  uint16_t short_prefixes = kNoShortPrefixes;  // DIGITS: its trie's ShortPrefixes, when it has one
  uint32_t accept = 0;         // dense: offset of its class 0 ACCEPT bitset
};

// A sparse dimension: per class a 12-byte record (u32 positive offset, u32 negative offset,
// u16 positive count, u16 negative count), offsets in entries of RULE_LISTS.
struct SparseInfo {
  uint16_t dimension = 0;
  Scope scope = Scope::kMessage;
  uint32_t classes = 0;  // offset of the class 0 record
};

struct PhaseInfo {
  InputKind left_kind = InputKind::kDimension;
  uint8_t left_index = 0;
  InputKind right_kind = InputKind::kDimension;
  uint8_t right_index = 0;
  uint16_t rows = 0;
  uint16_t columns = 0;
  Scope scope = Scope::kMessage;  // of its inputs; the final phase is marked by final_phase()
  uint32_t table = 0;             // offset of u16[rows x columns]
};

struct RuleInfo {
  uint32_t id_offset = 0;  // absolute offset into the image
  uint16_t id_length = 0;
  uint8_t action = 0;      // 0 allow, 1 drop, 2 alert
  uint8_t mode = 0;        // 0 enforce, 1 shadow
  uint8_t category = 0;    // 0 custom, 1, 2, 3
  uint8_t flags = 0;       // kRuleNeedsComponent
  uint8_t designated = kNoSparse;  // the lowest sparse index where it is positive-type
  uint16_t sparse_mask = 0;        // sparse indices it constrains
  uint16_t negative_mask = 0;      // of those, the negative-type ones
};

class TableImage {
 public:
  // Copies `bytes` into owned, aligned storage and validates all of it (see the invariant
  // above). On failure `out` is left untouched and `error.message` says what is wrong.
  static bool load(ByteView bytes, std::unique_ptr<TableImage>& out, TableError& error);

  uint32_t size() const { return size_; }
  const uint8_t* data() const { return data_; }

  uint8_t malformed_action() const { return malformed_action_; }
  uint8_t default_action() const { return default_action_; }
  uint32_t features() const { return features_; }

  uint32_t rule_count() const { return static_cast<uint32_t>(rules_.size()); }
  const RuleInfo& rule(uint32_t index) const { return rules_[index]; }
  std::string_view rule_id(uint32_t index) const {
    const RuleInfo& r = rules_[index];
    return std::string_view(reinterpret_cast<const char*>(data_ + r.id_offset), r.id_length);
  }
  std::string_view policy_name() const {
    return std::string_view(reinterpret_cast<const char*>(data_ + policy_name_offset_), policy_name_length_);
  }

  uint32_t strings_offset() const { return strings_; }  // BYTES keys are relative to it

  const std::vector<DimensionInfo>& dimensions() const { return dimensions_; }
  uint32_t message_dimension_count() const { return message_dimensions_; }
  const std::vector<PhaseInfo>& phases() const { return phases_; }
  uint32_t message_phase_count() const { return message_phases_; }  // phases [0, this) are message scope
  // The final phase is the last one; the component phases lie between.
  uint32_t final_phase() const { return static_cast<uint32_t>(phases_.size() - 1); }
  InputKind message_root_kind() const { return message_root_kind_; }
  uint16_t message_root_index() const { return message_root_index_; }
  InputKind component_root_kind() const { return component_root_kind_; }
  uint16_t component_root_index() const { return component_root_index_; }

  // Result record r: its rule list (absolute offset of its first u16) and length.
  const uint8_t* result_list(uint32_t r) const { return rule_list(read_u32(data_ + results_ + 8 * r)); }
  uint16_t result_list_count(uint32_t r) const { return read_u16(data_ + results_ + 8 * r + 4); }
  const uint8_t* rule_list(uint32_t entry) const { return data_ + rule_lists_ + 2u * entry; }

  const std::vector<SparseInfo>& sparse() const { return sparse_; }
  // Dense dimensions by scope (indices into dimensions()), for the ACCEPT checks.
  const std::vector<uint16_t>& dense_dimensions(Scope scope) const {
    return scope == Scope::kMessage ? dense_message_ : dense_component_;
  }
  uint32_t accept_words() const { return accept_words_; }  // u64 words per ACCEPT bitset

  // NETWORKS: the GT trie and the MCC+MNC trie (offsets of their first node), when present.
  bool has_networks() const { return networks_present_; }
  uint32_t network_count() const { return network_count_; }
  uint32_t gt_trie() const { return gt_trie_; }
  uint32_t mcc_mnc_trie() const { return mcc_mnc_trie_; }

  // A trie's marked prefixes for a lookup without the walk (digits_lookup.h), when it has them:
  // index from DimensionInfo::short_prefixes, gt_short_prefixes() or mcc_mnc_short_prefixes();
  // kNoShortPrefixes says walk the trie.
  const ShortPrefixes& short_prefixes(uint16_t index) const { return short_prefixes_[index]; }
  uint16_t gt_short_prefixes() const { return gt_short_prefixes_; }
  uint16_t mcc_mnc_short_prefixes() const { return mcc_mnc_short_prefixes_; }

 private:
  TableImage() = default;

  std::unique_ptr<uint64_t[]> storage_;  // 8-byte aligned copy of the image
  const uint8_t* data_ = nullptr;
  uint32_t size_ = 0;
  uint8_t malformed_action_ = 0;
  uint8_t default_action_ = 0;
  uint32_t features_ = 0;
  std::vector<RuleInfo> rules_;
  uint32_t strings_ = 0;
  uint32_t policy_name_offset_ = 0;
  uint32_t policy_name_length_ = 0;
  std::vector<DimensionInfo> dimensions_;
  uint32_t message_dimensions_ = 0;
  std::vector<PhaseInfo> phases_;
  uint32_t message_phases_ = 0;
  InputKind message_root_kind_ = InputKind::kDimension;
  uint16_t message_root_index_ = 0;
  InputKind component_root_kind_ = InputKind::kDimension;
  uint16_t component_root_index_ = 0;
  uint32_t results_ = 0;       // offset of the first result record
  uint32_t result_count_ = 0;
  uint32_t rule_lists_ = 0;    // offset of RULE_LISTS
  std::vector<SparseInfo> sparse_;
  std::vector<uint16_t> dense_message_;
  std::vector<uint16_t> dense_component_;
  uint32_t accept_words_ = 0;
  bool networks_present_ = false;
  uint32_t network_count_ = 0;
  uint32_t gt_trie_ = 0;
  uint32_t mcc_mnc_trie_ = 0;
  std::vector<ShortPrefixes> short_prefixes_;
  uint16_t gt_short_prefixes_ = kNoShortPrefixes;
  uint16_t mcc_mnc_short_prefixes_ = kNoShortPrefixes;

  friend class Loader;
};

}  // namespace sigwall::table
