// Reassembly of SCTP user messages fragmented over several DATA / I-DATA chunks (RFC 9260
// §6.9, RFC 8260). A firewall that inspects fragments one by one can be walked around with a
// forbidden operation split across chunks (PAN-OS's documented gap), so nothing is inspected
// before it is whole. Memory and time are bounded: fixed slots preallocated once, a byte and
// fragment cap per message, a timeout; whatever exceeds a bound is reported, never passed on
// as if it were complete.
#pragma once

#include <cstdint>
#include <memory>

#include "../decode/anomaly.h"
#include "../decode/cursor.h"
#include "../decode/limits.h"
#include "../decode/sctp.h"

namespace sigwall {

// Identifies the stream a fragment belongs to, in one direction of one association.
struct SctpStreamKey {
  uint8_t ip_version = 0;
  uint8_t src[16] = {0};
  uint8_t dst[16] = {0};
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint32_t verification_tag = 0;
  uint16_t stream_id = 0;
  bool unordered = false;
  uint32_t mid = 0;  // I-DATA message id (0 for DATA)
};

struct SctpReassemblyStats {
  uint64_t messages_completed = 0;
  uint64_t fragments_held = 0;
  uint64_t bound_hits = 0;        // byte, fragment or slot cap hit: the message was discarded
  uint64_t sequence_errors = 0;   // orphan middle/end fragments, TSN gaps, second first fragments
  uint64_t timed_out = 0;
  uint64_t duplicates = 0;        // retransmitted fragments already held (ignored, as the receiver does)
};

class SctpReassembler {
 public:
  enum class Result : uint8_t {
    kComplete,  // `message` holds the whole user message
    kPending,   // fragment held; nothing to inspect yet
    kRejected,  // a bound or sequence error: anomalies were set, the partial message dropped
  };

  SctpReassembler();
  ~SctpReassembler();
  SctpReassembler(const SctpReassembler&) = delete;
  SctpReassembler& operator=(const SctpReassembler&) = delete;

  // Feeds one fragment (a chunk that is not both B and E). On kComplete, `message` views the
  // reassembled bytes (valid until the next call) and `fragments` is how many chunks it took.
  Result add(const SctpStreamKey& key, const SctpDataChunk& chunk, uint64_t now_ns, ByteView& message,
             uint16_t& fragments, AnomalySet& anomalies);

  // Drops partial messages older than limits::kReassemblyTimeoutNs.
  void expire(uint64_t now_ns);

  // Frees every slot (partial messages are dropped, not counted) and zeroes the statistics,
  // keeping the buffers: afterwards the reassembler behaves as a newly constructed one.
  void reset();

  const SctpReassemblyStats& stats() const { return stats_; }
  unsigned pending() const;
  // The PPID of the message last returned kComplete, from its first fragment: an I-DATA
  // fragment other than the first carries an FSN where DATA carries the PPID (RFC 8260 §2.1).
  uint32_t completed_ppid() const { return completed_ppid_; }

 private:
  struct Slot;
  static bool is_duplicate(const Slot& slot, const SctpDataChunk& chunk);
  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<uint8_t[]> output_;  // the last completed message
  SctpReassemblyStats stats_;
  uint32_t completed_ppid_ = 0;
};

}  // namespace sigwall
