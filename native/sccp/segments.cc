#include "segments.h"

#include <cstring>

namespace sigwall {

// One message being reassembled. The key is what Q.714 §4.1.1.2 uses to tell segmented
// messages apart (the segmentation local reference together with the calling party address),
// plus the MTP route, so that two originators reusing a reference never mix.
struct SccpReassembler::Slot {
  bool in_use = false;
  uint64_t started_ns = 0;  // the first segment's time: Q.714's reassembly timer starts there

  uint32_t local_reference = 0;
  uint32_t opc = 0;
  uint32_t dpc = 0;
  bool calling_has_pc = false;
  uint32_t calling_pc = 0;
  bool calling_has_ssn = false;
  uint8_t calling_ssn = 0;
  Digits calling_digits;

  uint8_t segment_class = 0;       // the C bit of the first segment
  uint8_t expected_remaining = 0;  // what the next segment's "remaining segments" must be
  uint16_t segments = 0;
  uint32_t length = 0;
  uint8_t bytes[limits::kMaxSccpReassembledBytes];
};

namespace {

bool same_digits(const Digits& a, const Digits& b) {
  return a.count == b.count && std::memcmp(a.text, b.text, a.count) == 0;
}

}  // namespace

SccpReassembler::SccpReassembler()
    : slots_(std::make_unique<Slot[]>(limits::kMaxPendingSccpMessages)),
      output_(std::make_unique<uint8_t[]>(limits::kMaxSccpReassembledBytes)) {}

SccpReassembler::~SccpReassembler() = default;

SccpReassembler::Result SccpReassembler::add(const Mtp3Route& route, const SccpView& segment, uint64_t now_ns,
                                             ByteView& message, uint16_t& segments, AnomalySet& anomalies) {
  message = ByteView{};
  segments = 0;
  const SccpSegmentation& segmentation = segment.segmentation;
  const SccpAddress& calling = segment.calling;

  auto reject = [&](Slot* slot, Anomaly anomaly) {
    if (slot != nullptr) slot->in_use = false;  // the partial message goes with the bad segment
    anomalies.set(anomaly);
    if (anomaly == Anomaly::kSccpSegmentLimit)
      ++stats_.bound_hits;
    else
      ++stats_.sequence_errors;
    return Result::kRejected;
  };
  if (!segmentation.present) return reject(nullptr, Anomaly::kSccpSegmentSequence);

  // One pass over the slots: drop the timed-out ones, find this message's, note a free one.
  Slot* match = nullptr;
  Slot* free_slot = nullptr;
  for (unsigned i = 0; i < limits::kMaxPendingSccpMessages; ++i) {
    Slot& slot = slots_[i];
    if (slot.in_use && now_ns > slot.started_ns && now_ns - slot.started_ns >= limits::kReassemblyTimeoutNs) {
      slot.in_use = false;
      ++stats_.timed_out;
    }
    if (!slot.in_use) {
      if (free_slot == nullptr) free_slot = &slot;
      continue;
    }
    if (match == nullptr && slot.local_reference == segmentation.local_reference && slot.opc == route.opc &&
        slot.dpc == route.dpc && slot.calling_has_pc == calling.has_pc && slot.calling_pc == calling.pc &&
        slot.calling_has_ssn == calling.has_ssn && slot.calling_ssn == calling.ssn &&
        same_digits(slot.calling_digits, calling.digits))
      match = &slot;
  }

  const ByteView data = segment.data;
  if (segmentation.first) {
    // Q.714 §4.1.1.2: a first segment while one with the same key is in progress. Neither
    // can be trusted to be the one the destination reassembles: both go.
    if (match != nullptr) return reject(match, Anomaly::kSccpSegmentSequence);
    if (segmentation.remaining == 0) {  // a lone segment: already whole (callers skip these)
      if (data.size > limits::kMaxSccpReassembledBytes) return reject(nullptr, Anomaly::kSccpSegmentLimit);
      if (data.size != 0) std::memcpy(output_.get(), data.data, data.size);
      message = ByteView{output_.get(), data.size};
      segments = 1;
      return Result::kComplete;
    }
    if (uint32_t{segmentation.remaining} + 1 > limits::kMaxSccpSegments ||
        data.size > limits::kMaxSccpReassembledBytes || free_slot == nullptr)
      return reject(nullptr, Anomaly::kSccpSegmentLimit);
    Slot& slot = *free_slot;
    slot.in_use = true;
    slot.started_ns = now_ns;
    slot.local_reference = segmentation.local_reference;
    slot.opc = route.opc;
    slot.dpc = route.dpc;
    slot.calling_has_pc = calling.has_pc;
    slot.calling_pc = calling.pc;
    slot.calling_has_ssn = calling.has_ssn;
    slot.calling_ssn = calling.ssn;
    slot.calling_digits = calling.digits;
    slot.segment_class = segmentation.segment_class;
    slot.expected_remaining = static_cast<uint8_t>(segmentation.remaining - 1);
    slot.segments = 1;
    slot.length = data.size;
    if (data.size != 0) std::memcpy(slot.bytes, data.data, data.size);
    ++stats_.segments_held;
    return Result::kPending;
  }

  // A following segment: its first must have been seen, its "remaining segments" must be one
  // less than the previous one's and its class the same (Q.714 §4.1.1.2). Anything else
  // would let the destination and the firewall see different messages.
  if (match == nullptr) return reject(nullptr, Anomaly::kSccpSegmentSequence);
  Slot& slot = *match;
  if (segmentation.remaining != slot.expected_remaining || segmentation.segment_class != slot.segment_class)
    return reject(&slot, Anomaly::kSccpSegmentSequence);
  if (slot.segments + 1u > limits::kMaxSccpSegments ||
      data.size > limits::kMaxSccpReassembledBytes - slot.length)
    return reject(&slot, Anomaly::kSccpSegmentLimit);
  if (data.size != 0) std::memcpy(slot.bytes + slot.length, data.data, data.size);
  slot.length += data.size;
  ++slot.segments;

  if (segmentation.remaining != 0) {
    --slot.expected_remaining;
    ++stats_.segments_held;
    return Result::kPending;
  }
  if (slot.length != 0) std::memcpy(output_.get(), slot.bytes, slot.length);
  message = ByteView{output_.get(), slot.length};
  segments = slot.segments;
  slot.in_use = false;
  ++stats_.messages_completed;
  anomalies.set(Anomaly::kSccpSegmented);
  return Result::kComplete;
}

void SccpReassembler::expire(uint64_t now_ns) {
  if (stats_.segments_held == 0) return;  // no slot taken since construction or reset(): nothing to expire
  for (unsigned i = 0; i < limits::kMaxPendingSccpMessages; ++i) {
    Slot& slot = slots_[i];
    if (slot.in_use && now_ns > slot.started_ns && now_ns - slot.started_ns >= limits::kReassemblyTimeoutNs) {
      slot.in_use = false;
      ++stats_.timed_out;
    }
  }
}

void SccpReassembler::reset() {
  // A slot is taken only by a first segment, which counts in segments_held: with none since
  // construction or the last reset every slot is already free.
  if (stats_.segments_held != 0)
    for (unsigned i = 0; i < limits::kMaxPendingSccpMessages; ++i) slots_[i].in_use = false;
  stats_ = SccpReassemblyStats{};
}

}  // namespace sigwall
