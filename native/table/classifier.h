// Classifying one SS7 message against a loaded table image (docs/table-format.md, format 2): one
// lookup per dimension, one table read per phase over the dense dimensions, then short rule-list
// scans (the final cell's list, each sparse dimension's candidates). The semantics are
// the reference evaluator's (src/policy/evaluate.ts); field values are read from the Ss7Message
// exactly as evaluate.ts's FIELD_VALUES reads them from the record that
// native/addon/record_builder.cc builds from the same Ss7Message.
#pragma once

#include <cstdint>
#include <vector>

#include "../decode/limits.h"
#include "../engine/message.h"
#include "table_image.h"

namespace sigwall::table {

// ingress.side, in the registry's value order (INGRESS_SIDES).
enum class IngressSide : uint8_t { kExternal = 0, kInternal = 1 };

inline constexpr unsigned kVerdictShadows = 16;

struct Verdict {
  uint8_t action = 0;      // 0 allow, 1 drop, 2 alert
  uint16_t rule = kNoRule;  // the deciding rule's index; kNoRule: the default or malformed action
  bool malformed = false;
  uint8_t category = 0;    // the deciding rule's (0 custom, 1, 2, 3); 0 when rule == kNoRule
  uint8_t shadow_count = 0;            // entries in shadow[]
  bool shadow_truncated = false;       // more shadow rules matched than shadow[] holds
  uint16_t shadow[kVerdictShadows] = {};  // the first shadow rules that matched, ascending
  // The result record (final-phase cell) of each component, or of "no component"; diagnostic.
  uint8_t result_count = 0;
  uint16_t results[limits::kMaxComponents] = {};
};

// const, allocation-free, cannot fail: the image was validated by TableImage::load().
void classify(const TableImage& table, const Ss7Message& message, IngressSide side, Verdict& out);

// Every shadow hit of the message's verdict, ascending (classify() keeps the first
// kVerdictShadows): classifies the message again, keeping them all. For the control plane
// (records, replay, a verdict with shadow_truncated); allocates.
void all_shadow_hits(const TableImage& table, const Ss7Message& message, IngressSide side, std::vector<uint16_t>& out);

}  // namespace sigwall::table
