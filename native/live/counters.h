// Per-worker counters in a buffer the control plane allocates (a BigUint64Array of
// counter_layout(...).size elements). Worker w owns the stride [w * stride, (w + 1) * stride) and
// is its only writer; it stores whole 64-bit values with relaxed atomics, so the reader (once a
// second, from JavaScript) sees each counter either before or after an update, never torn. The
// stride is a multiple of one cache line so that two workers never write the same line.
#pragma once

#include <cstdint>

#include "../decode/anomaly.h"

namespace sigwall::live {

// The fixed slots of a worker's stride, in order. Names are src/dataplane/live-native.ts's
// LiveCounterSlot; counterLayout() hands the mapping to TypeScript so neither side hard-codes
// an index.
#define SIGWALL_COUNTER_SLOTS(X)                                                          \
  X(kPackets, "packets")                                                                  \
  X(kBytes, "bytes")                                                                      \
  X(kSctpPackets, "sctpPackets")                                                          \
  X(kNonSctpPackets, "nonSctpPackets")                                                    \
  X(kMessages, "messages")                                                                \
  X(kForwardedPackets, "forwardedPackets")                                                \
  X(kDroppedPackets, "droppedPackets")                                                    \
  X(kVerdictAllow, "verdictAllow")                                                        \
  X(kVerdictDrop, "verdictDrop")                                                          \
  X(kVerdictAlert, "verdictAlert")                                                        \
  X(kMalformed, "malformed")                                                              \
  X(kShadowHits, "shadowHits")                                                            \
  X(kCategoryCustom, "categoryCustom")                                                    \
  X(kCategory1, "category1")                                                              \
  X(kCategory2, "category2")                                                              \
  X(kCategory3, "category3")                                                              \
  X(kRingDrops, "ringDrops")                                                              \
  X(kTxErrors, "txErrors")                                                                \
  X(kReassemblyBoundHits, "reassemblyBoundHits")                                          \
  X(kEventsLost, "eventsLost")                                                            \
  X(kEvents, "events")                                                                    \
  X(kBursts, "bursts")                                                                    \
  X(kTableGeneration, "tableGeneration")                                                  \
  X(kReplayLoops, "replayLoops")                                                          \
  X(kChecksumsCompleted, "checksumsCompleted")                                          \
  X(kEventRingWaits, "eventRingWaits")                                                  \
  X(kPreviousTableGeneration, "previousTableGeneration")

enum class CounterSlot : uint32_t {
#define X(id, name) id,
  SIGWALL_COUNTER_SLOTS(X)
#undef X
  kCount
};

inline constexpr const char* kCounterSlotNames[] = {
#define X(id, name) name,
    SIGWALL_COUNTER_SLOTS(X)
#undef X
};

inline constexpr uint32_t kCounterSlotCount = static_cast<uint32_t>(CounterSlot::kCount);
inline constexpr uint32_t kAnomalyCount = static_cast<uint32_t>(Anomaly::kCount);
inline constexpr uint32_t kCacheLineCounters = 8;  // 64 bytes of u64

// Offsets within one worker's stride: the fixed slots, one counter per anomaly (bit order of
// anomalies.def), then rule_capacity decision counters and rule_capacity shadow-hit counters for
// the table in use, then the same two for the table used before it (kPreviousTableGeneration):
// what the worker had counted when it took a new table, so that the reader can carry each rule's
// count over to the new table by rule id instead of losing it.
struct CounterLayout {
  uint32_t workers = 0;
  uint32_t rule_capacity = 0;
  uint32_t anomalies = kCounterSlotCount;
  uint32_t rules = 0;
  uint32_t rule_shadow = 0;
  uint32_t rules_previous = 0;
  uint32_t rule_shadow_previous = 0;
  uint32_t stride = 0;
  uint64_t size = 0;  // elements in the whole buffer
};

inline CounterLayout counter_layout(uint32_t rule_capacity, uint32_t workers) {
  CounterLayout layout;
  layout.workers = workers;
  layout.rule_capacity = rule_capacity;
  layout.anomalies = kCounterSlotCount;
  layout.rules = layout.anomalies + kAnomalyCount;
  layout.rule_shadow = layout.rules + rule_capacity;
  layout.rules_previous = layout.rule_shadow + rule_capacity;
  layout.rule_shadow_previous = layout.rules_previous + rule_capacity;
  const uint32_t used = layout.rule_shadow_previous + rule_capacity;
  layout.stride = (used + kCacheLineCounters - 1) / kCacheLineCounters * kCacheLineCounters;
  layout.size = static_cast<uint64_t>(layout.stride) * workers;
  return layout;
}

// One worker's view of its own stride. Single writer: read-modify-write without a lock, the
// store itself atomic (relaxed) for the concurrent reader.
class WorkerCounters {
 public:
  WorkerCounters() = default;
  WorkerCounters(uint64_t* stride_base, const CounterLayout& layout) : base_(stride_base), layout_(layout) {}

  void add(CounterSlot slot, uint64_t n) { bump(static_cast<uint32_t>(slot), n); }
  void set(CounterSlot slot, uint64_t value) { store(static_cast<uint32_t>(slot), value); }
  uint64_t get(CounterSlot slot) const { return load(static_cast<uint32_t>(slot)); }
  void set_anomaly(uint32_t anomaly, uint64_t value) { store(layout_.anomalies + anomaly, value); }
  // Rule indices at or above the capacity never occur: setTable refuses such a table.
  void add_rule(uint32_t rule) { bump(layout_.rules + rule, 1); }
  void add_rule_shadow(uint32_t rule) { bump(layout_.rule_shadow + rule, 1); }
  uint64_t rule(uint32_t rule) const { return load(layout_.rules + rule); }
  uint64_t rule_shadow(uint32_t rule) const { return load(layout_.rule_shadow + rule); }
  void clear_rules() {
    for (uint32_t i = 0; i < 2 * layout_.rule_capacity; ++i) store(layout_.rules + i, 0);
  }
  // A new table is taken (once per swap, never per packet): the counts of the table in use
  // (`generation`) move to the previous-table slots, the generation is published after them
  // (release: a reader that sees it sees the counts), and the current slots start over.
  void retire_rules(uint64_t generation) {
    for (uint32_t i = 0; i < 2 * layout_.rule_capacity; ++i) store(layout_.rules_previous + i, load(layout_.rules + i));
    __atomic_store_n(base_ + static_cast<uint32_t>(CounterSlot::kPreviousTableGeneration), generation, __ATOMIC_RELEASE);
    clear_rules();
  }
  const CounterLayout& layout() const { return layout_; }

 private:
  void bump(uint32_t index, uint64_t n) { store(index, load(index) + n); }
  void store(uint32_t index, uint64_t value) { __atomic_store_n(base_ + index, value, __ATOMIC_RELAXED); }
  uint64_t load(uint32_t index) const { return __atomic_load_n(base_ + index, __ATOMIC_RELAXED); }

  uint64_t* base_ = nullptr;
  CounterLayout layout_;
};

}  // namespace sigwall::live
