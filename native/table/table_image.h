// The compiled table image (docs/table-format.md, format 1): loaded once, validated as
// untrusted input, then read by the classifier on every message.
//
// Invariant. TableImage::load() returns true only after checking every offset, size, count and
// index the classifier will ever follow: section bounds (without overflow), exact section sizes,
// every class id stored in a lookup structure < its dimension's class count, every phase entry
// < the row/column count of each phase that consumes it, final-phase entries < the result
// count, trie children < the node count, network indices < the network count, rule indices
// < the rule count, shadow lists inside SHADOW_LISTS, rule ids and BYTES keys inside STRINGS,
// and that each dimension's field takes the lookup kind the classifier extracts for it. So
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
  kShadowLists = 6,
  kNetworks = 7,
  kPolicyName = 8,
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
inline constexpr uint16_t kUnmarked = 0xFFFF;
inline constexpr uint32_t kHeaderSize = 64;
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr unsigned kMaxAnomalyMasks = 12;
// Phase inputs are u8 indices; the classifier keeps one class per dimension and per phase in
// fixed arrays of these sizes.
inline constexpr unsigned kMaxDimensions = 256;
inline constexpr unsigned kMaxPhases = 256;

// Little-endian reads; the byte-wise form compiles to one load and needs no alignment.
inline uint16_t read_u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t read_u32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}
inline uint64_t read_u64(const uint8_t* p) {
  return static_cast<uint64_t>(read_u32(p)) | (static_cast<uint64_t>(read_u32(p + 4)) << 32);
}

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

  // Result record r: decision rule, shadow list (absolute offset of its first u16) and count.
  uint16_t result_decision(uint32_t r) const { return read_u16(data_ + results_ + 8 * r); }
  const uint8_t* result_shadows(uint32_t r) const {
    return data_ + shadow_lists_ + 2u * read_u16(data_ + results_ + 8 * r + 2);
  }
  uint16_t result_shadow_count(uint32_t r) const { return read_u16(data_ + results_ + 8 * r + 4); }

  // NETWORKS: the GT trie and the MCC+MNC trie (offsets of their first node), when present.
  bool has_networks() const { return networks_present_; }
  uint32_t network_count() const { return network_count_; }
  uint32_t gt_trie() const { return gt_trie_; }
  uint32_t mcc_mnc_trie() const { return mcc_mnc_trie_; }

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
  uint32_t shadow_lists_ = 0;  // offset of SHADOW_LISTS
  bool networks_present_ = false;
  uint32_t network_count_ = 0;
  uint32_t gt_trie_ = 0;
  uint32_t mcc_mnc_trie_ = 0;

  friend class Loader;
};

}  // namespace sigwall::table
