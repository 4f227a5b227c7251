// One worker: a native thread that owns one WorkerIo (its RX queue on every port and a TX path),
// one DecodePipeline (association and reassembly state), its counter stride and its event ring.
// Loop: take a newly published table (the quiescent point), receive a burst, decode -> classify
// -> act per packet, transmit, flush, release. No allocation, exception or lock per packet.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "../engine/decode_pipeline.h"
#include "backend.h"
#include "counters.h"
#include "event_record.h"
#include "event_ring.h"
#include "live_config.h"
#include "table_registry.h"

namespace sigwall::live {

// What a worker does with the packets of each port: the side its messages come from, and the
// port it forwards them to (inline) or -1.
struct PortPlan {
  uint32_t count = 0;
  table::IngressSide side[kMaxPorts] = {};
  int16_t peer[kMaxPorts] = {};
};

PortPlan make_port_plan(const LiveConfig& config);

enum class WorkerExit : uint8_t { kRunning = 0, kStopped = 1, kFinished = 2, kFailed = 3 };

class Worker final : public MessageSink {
 public:
  Worker(uint32_t index, const LiveConfig& config, const PortPlan& plan, WorkerIo& io, TableRegistry& tables,
         WorkerCounters counters, SpscRing<EventRecord>& events, const std::atomic<bool>& stop);

  // The thread body; returns when stop is set or the backend reports finished/failed.
  void run();
  WorkerExit exit_state() const { return exit_.load(std::memory_order_acquire); }

  // Handles one packet (public for the tests that drive a worker without a thread).
  void process(const PacketRef& packet);
  void take_table();     // the quiescent point
  void publish_stats();  // pipeline and backend counters into the counter slots

 private:
  void on_message(const Ss7Message& message) override;
  void record_event(EventKind kind, const Ss7Message& message, const table::Verdict& verdict);
  // Offline fast replay only: sleeps in short steps until the event ring has a free slot;
  // nullptr when the engine is stopped meanwhile.
  EventRecord* wait_for_event_room();

  static constexpr uint32_t kScratchBytes = 64 * 1024 + 4;  // a stripped VLAN tag put back

  uint32_t index_;
  const LiveConfig& config_;
  const PortPlan& plan_;
  WorkerIo& io_;
  TableRegistry& tables_;
  WorkerCounters counters_;
  SpscRing<EventRecord>& events_;
  const std::atomic<bool>& stop_;
  std::atomic<WorkerExit> exit_{WorkerExit::kRunning};
  const bool wait_for_event_room_;  // backend pcap at pace fast: a full event ring is waited for

  std::unique_ptr<DecodePipeline> pipeline_;
  std::unique_ptr<PacketRef[]> refs_;
  std::unique_ptr<uint8_t[]> scratch_;
  const PublishedTable* table_ = nullptr;
  uint64_t event_sequence_ = 0;
  uint64_t last_stats_ns_ = 0;

  // The packet being processed (valid during decode_frame's callbacks).
  bool packet_dropped_ = false;
  table::IngressSide side_ = table::IngressSide::kExternal;
  EventFrame frame_;
};

}  // namespace sigwall::live
