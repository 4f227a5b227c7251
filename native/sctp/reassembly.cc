#include "reassembly.h"

#include <cstring>
#include <utility>

namespace sigwall {

// One user message in progress. Collecting: fragments arrive in sequence and are appended.
// Discarding: a bound was hit; the slot stays taken until the message's last fragment (or the
// timeout) so that its remaining fragments are reported as that bound, not as orphans.
struct SctpReassembler::Slot {
  enum class State : uint8_t { kFree, kCollecting, kDiscarding };

  State state = State::kFree;
  bool idata = false;
  SctpStreamKey key;        // key.mid is the I-DATA MID, 0 for DATA
  uint16_t ssn = 0;         // ordered DATA: every fragment carries the message's SSN
  uint32_t first_tsn = 0;   // DATA: the first fragment's TSN
  uint32_t next_tsn = 0;    // DATA: the TSN the next fragment must have
  uint32_t next_fsn = 0;    // I-DATA: the FSN the next fragment must have
  uint32_t ppid = 0;        // from the first fragment
  uint16_t fragments = 0;
  uint32_t size = 0;
  uint64_t started_ns = 0;  // arrival of the first fragment
  std::unique_ptr<uint8_t[]> buffer;  // kMaxReassembledMessageBytes, allocated once
};

namespace {

bool same_stream(const SctpStreamKey& a, const SctpStreamKey& b) {
  return a.ip_version == b.ip_version && std::memcmp(a.src, b.src, sizeof a.src) == 0 &&
         std::memcmp(a.dst, b.dst, sizeof a.dst) == 0 && a.src_port == b.src_port && a.dst_port == b.dst_port &&
         a.verification_tag == b.verification_tag && a.stream_id == b.stream_id && a.unordered == b.unordered;
}

bool older_than_timeout(uint64_t started_ns, uint64_t now_ns) {
  // Capture timestamps can step backwards; a message is never "older" than a later clock.
  return now_ns > started_ns && now_ns - started_ns > limits::kReassemblyTimeoutNs;
}

}  // namespace

// True when the fragment is one this slot already holds: for DATA a TSN in [first, next) in
// serial-number arithmetic (RFC 9260 §1.6), for I-DATA an FSN below the next expected one.
bool SctpReassembler::is_duplicate(const Slot& slot, const SctpDataChunk& chunk) {
  if (chunk.idata) return chunk.begin ? slot.next_fsn > 0 && chunk.fsn == 0 : chunk.fsn < slot.next_fsn;
  return chunk.tsn - slot.first_tsn < slot.next_tsn - slot.first_tsn;
}

SctpReassembler::SctpReassembler()
    : slots_(new Slot[limits::kMaxPendingSctpMessages]), output_(new uint8_t[limits::kMaxReassembledMessageBytes]) {
  // All memory up front: add() never allocates. (Uninitialised on purpose: pages are touched
  // only when a message of that size is actually held.)
  for (unsigned i = 0; i < limits::kMaxPendingSctpMessages; ++i)
    slots_[i].buffer.reset(new uint8_t[limits::kMaxReassembledMessageBytes]);
}

SctpReassembler::~SctpReassembler() = default;

// Occupied slots: messages being collected, and those being discarded after a bound until
// their last fragment or the timeout frees the slot.
unsigned SctpReassembler::pending() const {
  unsigned count = 0;
  for (unsigned i = 0; i < limits::kMaxPendingSctpMessages; ++i)
    if (slots_[i].state != Slot::State::kFree) ++count;
  return count;
}

void SctpReassembler::expire(uint64_t now_ns) {
  if (stats_.fragments_held == 0) return;  // no slot taken since construction or reset(): nothing to expire
  for (unsigned i = 0; i < limits::kMaxPendingSctpMessages; ++i) {
    Slot& slot = slots_[i];
    if (slot.state == Slot::State::kFree || !older_than_timeout(slot.started_ns, now_ns)) continue;
    // A discarding slot was already counted as a bound hit.
    if (slot.state == Slot::State::kCollecting) ++stats_.timed_out;
    slot.state = Slot::State::kFree;
  }
}

void SctpReassembler::reset() {
  // A slot is taken only by a first fragment, which counts in fragments_held: with none since
  // construction or the last reset every slot is already free (a pipeline reused for many
  // short decodes, as the truncation sweep does, then pays nothing here).
  if (stats_.fragments_held != 0)
    for (unsigned i = 0; i < limits::kMaxPendingSctpMessages; ++i) slots_[i].state = Slot::State::kFree;
  stats_ = SctpReassemblyStats{};
  completed_ppid_ = 0;
}

SctpReassembler::Result SctpReassembler::add(const SctpStreamKey& key, const SctpDataChunk& chunk, uint64_t now_ns,
                                             ByteView& message, uint16_t& fragments, AnomalySet& anomalies) {
  message = ByteView{};
  fragments = 0;

  if (chunk.begin && chunk.end) {
    // Not a fragment: the chunk is the whole message (callers normally do not feed these).
    message = chunk.user_data;
    fragments = 1;
    completed_ppid_ = chunk.ppid;
    return Result::kComplete;
  }

  // The message this fragment belongs to: for DATA the one in progress on the stream (RFC 9260
  // §6.9: a stream's fragments are consecutive TSNs, so one message at a time), for I-DATA the
  // one with this MID (RFC 8260 §2.1: messages of different MIDs may interleave).
  Slot* slot = nullptr;
  for (unsigned i = 0; i < limits::kMaxPendingSctpMessages && slot == nullptr; ++i) {
    Slot& candidate = slots_[i];
    if (candidate.state != Slot::State::kFree && candidate.idata == chunk.idata && same_stream(candidate.key, key) &&
        (!chunk.idata || candidate.key.mid == chunk.mid))
      slot = &candidate;
  }
  if (slot != nullptr && older_than_timeout(slot->started_ns, now_ns)) {
    if (slot->state == Slot::State::kCollecting) ++stats_.timed_out;
    slot->state = Slot::State::kFree;
    slot = nullptr;
  }

  // A retransmission of a fragment already held (its T3 timer fired before the SACK came back)
  // is normal SCTP behaviour, not an attack on reassembly: the receiver keeps its first copy
  // and discards the duplicate TSN (RFC 9260 §6.2), and so does this reassembler.
  if (slot != nullptr && slot->state == Slot::State::kCollecting && is_duplicate(*slot, chunk)) {
    ++stats_.duplicates;
    return Result::kPending;
  }

  if (chunk.begin) {
    Result result = Result::kPending;
    if (slot != nullptr) {
      // A second first fragment while a message is in progress on the stream (or MID): the
      // receiver can never complete the old one, so it is dropped and the new one starts.
      anomalies.set(Anomaly::kSctpFragmentSequence);
      ++stats_.sequence_errors;
      slot->state = Slot::State::kFree;
      result = Result::kRejected;
    }
    // A free slot, or one whose message has timed out (expire() may not have run yet).
    for (unsigned i = 0; i < limits::kMaxPendingSctpMessages && slot == nullptr; ++i) {
      Slot& candidate = slots_[i];
      const bool stale = candidate.state != Slot::State::kFree && older_than_timeout(candidate.started_ns, now_ns);
      if (stale && candidate.state == Slot::State::kCollecting) ++stats_.timed_out;
      if (stale || candidate.state == Slot::State::kFree) slot = &candidate;
    }
    if (slot == nullptr) {
      // Every slot holds a live message: the new one is refused rather than evicting one
      // (eviction would let a flood of first fragments flush a message before inspection).
      anomalies.set(Anomaly::kSctpFragmentLimit);
      ++stats_.bound_hits;
      return Result::kRejected;
    }
    if (chunk.user_data.size > limits::kMaxReassembledMessageBytes) {  // cannot happen with a 16-bit chunk length
      anomalies.set(Anomaly::kSctpFragmentLimit);
      ++stats_.bound_hits;
      slot->state = Slot::State::kFree;
      return Result::kRejected;
    }
    slot->state = Slot::State::kCollecting;
    slot->idata = chunk.idata;
    slot->key = key;
    slot->key.mid = chunk.idata ? chunk.mid : 0;
    slot->ssn = chunk.ssn;
    slot->first_tsn = chunk.tsn;
    slot->next_tsn = chunk.tsn + 1;
    slot->next_fsn = 1;  // the first fragment's FSN is 0 (RFC 8260 §2.1)
    slot->ppid = chunk.ppid;
    slot->fragments = 1;
    slot->size = chunk.user_data.size;
    slot->started_ns = now_ns;
    if (chunk.user_data.size > 0) std::memcpy(slot->buffer.get(), chunk.user_data.data, chunk.user_data.size);
    ++stats_.fragments_held;
    return result;
  }

  if (slot == nullptr) {
    // A middle or last fragment whose first fragment was never seen (or was discarded).
    anomalies.set(Anomaly::kSctpFragmentSequence);
    ++stats_.sequence_errors;
    return Result::kRejected;
  }

  // In-order arrival is required (a capture or an inline path sees the sender's order). DATA
  // fragments carry consecutive TSNs and, when ordered, the same SSN (RFC 9260 §6.9); I-DATA
  // fragments carry FSNs counting up from 0 on the first (RFC 8260 §2.1). Anything else (a gap,
  // a reordering, a retransmitted or forged duplicate) cannot be reassembled as the receiver
  // would, so the message is dropped, never passed on in part.
  const bool in_sequence = chunk.idata ? chunk.fsn == slot->next_fsn
                                       : chunk.tsn == slot->next_tsn && (chunk.unordered || chunk.ssn == slot->ssn);
  if (!in_sequence) {
    anomalies.set(Anomaly::kSctpFragmentSequence);
    ++stats_.sequence_errors;
    slot->state = Slot::State::kFree;
    return Result::kRejected;
  }
  slot->next_tsn = chunk.tsn + 1;
  slot->next_fsn = chunk.fsn + 1;

  if (slot->state == Slot::State::kDiscarding) {
    anomalies.set(Anomaly::kSctpFragmentLimit);
    if (chunk.end) slot->state = Slot::State::kFree;
    return Result::kRejected;
  }

  if (slot->fragments >= limits::kMaxFragmentsPerMessage ||
      chunk.user_data.size > limits::kMaxReassembledMessageBytes - slot->size) {
    anomalies.set(Anomaly::kSctpFragmentLimit);
    ++stats_.bound_hits;
    slot->state = chunk.end ? Slot::State::kFree : Slot::State::kDiscarding;
    return Result::kRejected;
  }

  if (chunk.user_data.size > 0) std::memcpy(slot->buffer.get() + slot->size, chunk.user_data.data, chunk.user_data.size);
  slot->size += chunk.user_data.size;
  ++slot->fragments;

  if (!chunk.end) {
    ++stats_.fragments_held;
    return Result::kPending;
  }

  // Complete. The slot's buffer becomes the output (no copy) and the old output buffer takes
  // its place in the slot.
  std::swap(slot->buffer, output_);
  message = ByteView{output_.get(), slot->size};
  fragments = slot->fragments;
  completed_ppid_ = slot->ppid;
  slot->state = Slot::State::kFree;
  anomalies.set(Anomaly::kSctpReassembled);
  ++stats_.messages_completed;
  return Result::kComplete;
}

}  // namespace sigwall
