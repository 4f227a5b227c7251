// The decode path from a captured frame to SS7 messages: link -> IP -> SCTP (CRC, chunk walk,
// fragment reassembly) -> M3UA / M2PA / SUA -> SCCP (segment reassembly) -> TCAP -> MAP / CAP.
// One pipeline per worker (it owns the reassembly state); no allocation per frame.
#pragma once

#include <cstdint>

#include "../decode/anomaly.h"
#include "../decode/mtp3.h"
#include "../sccp/segments.h"
#include "../sctp/reassembly.h"
#include "message.h"

namespace sigwall {

struct DecodeOptions {
  bool verify_crc = true;
  Mtp3Variant mtp3_variant = Mtp3Variant::kItu;
  // SSNs whose TCAP is CAP rather than MAP when no application context tells (Wireshark's
  // camel.tcap.ssn, default 146).
  uint8_t cap_ssn_count = 1;
  uint8_t cap_ssns[8] = {146};
};

struct FrameInfo {
  uint64_t number = 0;  // 1-based
  uint64_t timestamp_ns = 0;
  uint32_t link_type = 0;
};

// Per-pipeline counters of what did not become an SS7 message (single writer).
struct DecodeStats {
  uint64_t frames = 0;
  uint64_t bytes = 0;
  uint64_t non_ip = 0;
  uint64_t non_sctp = 0;
  uint64_t sctp_packets = 0;
  uint64_t sctp_bad_crc = 0;
  uint64_t data_chunks = 0;
  uint64_t messages = 0;          // SCTP user messages (records), whatever they carry
  uint64_t malformed_frames = 0;  // frames that stopped below SCTP with an anomaly
  uint64_t ip_fragments = 0;      // SCTP in IP fragments: counted, not inspected
  uint64_t tcap_messages = 0;     // messages that reached TCAP
  uint64_t anomalies[static_cast<unsigned>(Anomaly::kCount)] = {};
};

class MessageSink {
 public:
  virtual ~MessageSink() = default;
  virtual void on_message(const Ss7Message& message) = 0;
};

class DecodePipeline {
 public:
  explicit DecodePipeline(const DecodeOptions& options);

  // Decodes one frame and calls `sink` once per complete SS7 message it carries.
  void decode_frame(const FrameInfo& frame, ByteView bytes, MessageSink& sink);

  // Decodes one complete SCTP user message as if it had arrived whole in a single DATA chunk
  // with `ppid` between `src_port` and `dst_port` (a zero PPID falls back to the ports, as in
  // decode_frame): adaptation layer, SCCP with segment reassembly, TCAP, MAP/CAP. Calls `sink`
  // exactly once. The record has no link/IP/SCTP header fields (zero) and frame.number as its
  // frame. For tools and tests, and for a path that gets user messages from an SCTP stack.
  void decode_user_message_bytes(const FrameInfo& frame, uint32_t ppid, uint16_t src_port, uint16_t dst_port,
                                 ByteView payload, MessageSink& sink);

  // Forgets every partial message held by both reassemblers and zeroes all statistics, without
  // reallocating: afterwards the pipeline decodes exactly as a newly constructed one.
  void reset();

  const DecodeStats& stats() const { return stats_; }
  const SctpReassemblyStats& sctp_reassembly() const { return sctp_reassembler_.stats(); }
  const SccpReassemblyStats& sccp_reassembly() const { return sccp_reassembler_.stats(); }

 private:
  static constexpr uint64_t kExpiryIntervalNs = 1000ull * 1000 * 1000;

  void expire_if_due(uint64_t now_ns);
  void reset_message(Ss7Message& message);
  void finish(Ss7Message& message, MessageSink& sink);
  void decode_user_message(ByteView payload, Ss7Message& message);
  void decode_sccp_and_above(ByteView sccp_bytes, Ss7Message& message);
  void decode_segments_and_tcap(Ss7Message& message);
  void decode_tcap_and_above(ByteView tcap_bytes, Ss7Message& message);
  Application application_of(const Ss7Message& message) const;
  void count(const AnomalySet& anomalies);
  void count_message_anomalies(const AnomalySet& anomalies);

  DecodeOptions options_;
  DecodeStats stats_;
  SctpReassembler sctp_reassembler_;
  SccpReassembler sccp_reassembler_;
  Ss7Message message_;  // reused: Ss7Message is large
  AnomalySet counted_packet_bits_;  // the current packet's bits, already counted once
  uint64_t last_expiry_ns_ = 0;
  SctpPacketView sctp_;
};

}  // namespace sigwall
