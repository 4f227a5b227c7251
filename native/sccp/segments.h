// Reassembly of SCCP segmented messages (XUDT/XUDTS/LUDT with a Segmentation parameter,
// Q.714 §4.1.1.2 / §4.1.2.2). Inspecting only the first segment lets an attacker put the
// operation in a later one, so TCAP is decoded only from the whole message. Segments are
// matched on the segmentation local reference, the calling party address and the route;
// the "remaining segments" count must go down by one each time. Bounded like the SCTP one.
#pragma once

#include <cstdint>
#include <memory>

#include "../decode/anomaly.h"
#include "../decode/cursor.h"
#include "../decode/limits.h"
#include "../decode/mtp3.h"
#include "../decode/sccp.h"

namespace sigwall {

struct SccpReassemblyStats {
  uint64_t messages_completed = 0;
  uint64_t segments_held = 0;
  uint64_t bound_hits = 0;
  uint64_t sequence_errors = 0;
  uint64_t timed_out = 0;
};

class SccpReassembler {
 public:
  enum class Result : uint8_t { kComplete, kPending, kRejected };

  SccpReassembler();
  ~SccpReassembler();
  SccpReassembler(const SccpReassembler&) = delete;
  SccpReassembler& operator=(const SccpReassembler&) = delete;

  // Feeds one segment (sccp.segmentation.present, not a lone "first with 0 remaining").
  // On kComplete `message` views the reassembled user data (valid until the next call) and
  // `segments` is how many segments it took.
  //
  // How the decode pipeline uses the result:
  //   kComplete  sccp.segmented is set here; decode TCAP from `message`, not segment.data,
  //              and report `segments` (Ss7Message::sccp_segments).
  //   kPending   the segment was held and nothing above SCCP may be inspected yet: the caller
  //              sets sccp.segment_incomplete (an anomaly, so the record still goes to the
  //              sink and a policy can drop or pass the segment) and stops at SCCP. Only the
  //              completing segment carries TCAP/MAP fields.
  //   kRejected  sccp.segment_sequence or sccp.segment_limit is set here and any partial
  //              message with this key was discarded; the caller treats the segment as
  //              malformed (no TCAP), never as a whole message.
  // A lone segment (first, 0 remaining) passed here anyway is returned as kComplete, one
  // segment, without sccp.segmented.
  Result add(const Mtp3Route& route, const SccpView& segment, uint64_t now_ns, ByteView& message,
             uint16_t& segments, AnomalySet& anomalies);

  // Drops partial messages whose first segment is limits::kReassemblyTimeoutNs old or older
  // (add() also drops them when it meets them), counting them in stats().timed_out.
  void expire(uint64_t now_ns);
  // Frees every slot (partial messages are dropped, not counted) and zeroes the statistics,
  // keeping the buffers: afterwards the reassembler behaves as a newly constructed one.
  void reset();
  const SccpReassemblyStats& stats() const { return stats_; }

 private:
  struct Slot;
  std::unique_ptr<Slot[]> slots_;
  std::unique_ptr<uint8_t[]> output_;
  SccpReassemblyStats stats_;
};

}  // namespace sigwall
