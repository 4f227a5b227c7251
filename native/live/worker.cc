#include "worker.h"

#include "clock.h"

#include <time.h>

#include <cstring>

namespace sigwall::live {

namespace {

uint64_t monotonic_coarse_ns() { return clock_ns(CLOCK_MONOTONIC_COARSE); }

// Receive waits at most this long, so a stop request or a new table is seen within it.
constexpr int kIdleTimeoutMs = 50;
constexpr uint64_t kStatsIntervalNs = 100ull * 1000 * 1000;
// An offline fast replay waiting for room in its event ring checks again this often.
constexpr long kEventRoomPollNs = 100 * 1000;

}  // namespace

PortPlan make_port_plan(const LiveConfig& config) {
  PortPlan plan;
  if (config.backend == BackendKind::kPcap) {
    // The capture is port 0; in inline mode (tests, benchmarks) its forwarded frames go back to
    // port 0, which the pcap backend counts instead of sending.
    plan.count = 1;
    plan.side[0] = config.replay.side;
    plan.peer[0] = config.mode == EngineMode::kInline ? 0 : -1;
    return plan;
  }
  plan.count = static_cast<uint32_t>(config.ports.size());
  int16_t external = -1, internal = -1;
  for (uint32_t p = 0; p < plan.count && p < kMaxPorts; ++p) {
    const PortRole role = config.ports[p].role;
    plan.side[p] = role == PortRole::kInternal ? table::IngressSide::kInternal
                   : role == PortRole::kExternal ? table::IngressSide::kExternal
                                                 : config.monitor_side;
    plan.peer[p] = -1;
    if (role == PortRole::kExternal) external = static_cast<int16_t>(p);
    if (role == PortRole::kInternal) internal = static_cast<int16_t>(p);
  }
  if (config.mode == EngineMode::kInline && external >= 0 && internal >= 0) {
    plan.peer[external] = internal;
    plan.peer[internal] = external;
  }
  return plan;
}

Worker::Worker(uint32_t index, const LiveConfig& config, const PortPlan& plan, WorkerIo& io, TableRegistry& tables,
               WorkerCounters counters, SpscRing<EventRecord>& events, const std::atomic<bool>& stop)
    : index_(index),
      config_(config),
      plan_(plan),
      io_(io),
      tables_(tables),
      counters_(counters),
      events_(events),
      stop_(stop),
      wait_for_event_room_(config.backend == BackendKind::kPcap && config.replay.pace == ReplayPace::kFast),
      pipeline_(std::make_unique<DecodePipeline>(config.decode)),
      refs_(std::make_unique<PacketRef[]>(config.batch ? config.batch : 1)),
      scratch_(std::make_unique<uint8_t[]>(kScratchBytes)) {}

void Worker::take_table() {
  const PublishedTable* current = tables_.current();
  if (current == table_ || current == nullptr) return;
  // Rule slots follow the table's rule order: hand the old table's counts over (the reader
  // carries them to the new table by rule id) and start over, then say which table they count
  // for, then let the control thread know the old one is released.
  if (table_ != nullptr) counters_.retire_rules(table_->generation);
  else counters_.clear_rules();
  counters_.set(CounterSlot::kTableGeneration, current->generation);
  table_ = current;
  tables_.announce(index_, current->generation);
}

void Worker::publish_stats() {
  const DecodeStats& stats = pipeline_->stats();
  for (uint32_t a = 0; a < kAnomalyCount; ++a) counters_.set_anomaly(a, stats.anomalies[a]);
  counters_.set(CounterSlot::kReassemblyBoundHits,
                pipeline_->sctp_reassembly().bound_hits + pipeline_->sccp_reassembly().bound_hits);
  IoStats io;
  io_.stats(io);
  counters_.set(CounterSlot::kRingDrops, io.ring_drops);
  counters_.set(CounterSlot::kTxErrors, io.tx_errors);
  counters_.set(CounterSlot::kReplayLoops, io.replay_loops);
}

void Worker::run() {
  const uint32_t batch = config_.batch ? config_.batch : 1;
  const bool inline_mode = config_.mode == EngineMode::kInline;
  WorkerExit exit = WorkerExit::kStopped;
  take_table();
  while (!stop_.load(std::memory_order_relaxed)) {
    take_table();
    const uint32_t n = io_.receive(refs_.get(), batch, kIdleTimeoutMs);
    if (n > 0) {
      counters_.add(CounterSlot::kBursts, 1);
      for (uint32_t i = 0; i < n; ++i) process(refs_[i]);
      if (inline_mode) io_.flush();
      io_.release();
    } else if (inline_mode) {
      // Frames the kernel could not take yet (send buffer full) are retried when idle too.
      io_.flush();
    }
    const uint64_t now = monotonic_coarse_ns();
    if (n == 0 || now - last_stats_ns_ >= kStatsIntervalNs) {
      last_stats_ns_ = now;
      publish_stats();
    }
    const IoState state = io_.state();
    if (state == IoState::kFinished) {
      exit = WorkerExit::kFinished;
      break;
    }
    if (state == IoState::kFailed) {
      exit = WorkerExit::kFailed;
      break;
    }
  }
  if (inline_mode) io_.flush();
  publish_stats();
  tables_.announce(index_, TableRegistry::kRetired);
  table_ = nullptr;
  exit_.store(exit, std::memory_order_release);
}

void Worker::process(const PacketRef& packet) {
  counters_.add(CounterSlot::kPackets, 1);
  counters_.add(CounterSlot::kBytes, packet.original_length);

  const uint8_t* bytes = packet.data;
  uint32_t length = packet.length;
  // A VLAN tag the kernel moved into metadata goes back in front of the EtherType, so that the
  // decoder sees the frame as it was on the wire and the forwarded copy keeps its VLAN.
  if ((packet.flags & kVlanStripped) && packet.link_type == 1 && length >= 12 && length + 4 <= kScratchBytes) {
    uint8_t* out = scratch_.get();
    std::memcpy(out, bytes, 12);
    const uint16_t tpid = packet.vlan_tpid ? packet.vlan_tpid : 0x8100;
    out[12] = static_cast<uint8_t>(tpid >> 8);
    out[13] = static_cast<uint8_t>(tpid);
    out[14] = static_cast<uint8_t>(packet.vlan_tci >> 8);
    out[15] = static_cast<uint8_t>(packet.vlan_tci);
    std::memcpy(out + 16, bytes + 12, length - 12);
    bytes = out;
    length += 4;
  }
  // A frame whose SCTP CRC32c was left to an offload that never ran (this host's own stack)
  // would decode as sctp.bad_crc and be discarded by the receiver: complete it, as the NIC would.
  if ((packet.flags & kChecksumNotReady) && packet.link_type == 1 && length <= kScratchBytes) {
    if (bytes != scratch_.get()) {
      std::memcpy(scratch_.get(), bytes, length);
      bytes = scratch_.get();
    }
    if (complete_sctp_checksum(scratch_.get(), length)) counters_.add(CounterSlot::kChecksumsCompleted, 1);
  }
  const uint16_t port = packet.port < plan_.count ? packet.port : 0;
  const int16_t peer = plan_.peer[port];

  packet_dropped_ = false;
  if (config_.inspect && table_ != nullptr) {
    side_ = plan_.side[port];
    frame_ = EventFrame{bytes, length, packet.original_length + (length - packet.length), packet.link_type, packet.frame,
                        packet.port};
    const uint64_t sctp_before = pipeline_->stats().sctp_packets;
    pipeline_->decode_frame(FrameInfo{packet.frame, packet.timestamp_ns, packet.link_type}, ByteView{bytes, length},
                            *this);
    const bool sctp = pipeline_->stats().sctp_packets != sctp_before;
    counters_.add(sctp ? CounterSlot::kSctpPackets : CounterSlot::kNonSctpPackets, 1);
  }

  if (peer < 0) return;  // monitor and offline never transmit
  if (packet_dropped_) {
    counters_.add(CounterSlot::kDroppedPackets, 1);
    return;
  }
  // A frame cut short by the ring is not what the sender sent: never forward a truncated copy.
  if (packet.flags & kTruncated) return;
  if (io_.transmit(static_cast<uint16_t>(peer), bytes, length)) counters_.add(CounterSlot::kForwardedPackets, 1);
}

void Worker::on_message(const Ss7Message& message) {
  counters_.add(CounterSlot::kMessages, 1);
  table::Verdict verdict;
  table::classify(*table_->image, message, side_, verdict);
  counters_.add(verdict.action == 1 ? CounterSlot::kVerdictDrop
                : verdict.action == 2 ? CounterSlot::kVerdictAlert
                                      : CounterSlot::kVerdictAllow,
                1);
  if (verdict.malformed) counters_.add(CounterSlot::kMalformed, 1);
  if (verdict.rule != table::kNoRule) {
    counters_.add_rule(verdict.rule);
    counters_.add(verdict.category == 1   ? CounterSlot::kCategory1
                  : verdict.category == 2 ? CounterSlot::kCategory2
                  : verdict.category == 3 ? CounterSlot::kCategory3
                                          : CounterSlot::kCategoryCustom,
                  1);
  }
  if (verdict.shadow_count > 0) {
    counters_.add(CounterSlot::kShadowHits, 1);
    // classify() keeps the first kVerdictShadows hits; a message matching more shadow rules
    // than that is rare and its later hits are not counted per rule (the event says truncated).
    for (unsigned i = 0; i < verdict.shadow_count; ++i) counters_.add_rule_shadow(verdict.shadow[i]);
  }
  if (verdict.action == 1) packet_dropped_ = true;

  if (verdict.malformed) record_event(EventKind::kMalformed, message, verdict);
  else if (verdict.action == 1) record_event(EventKind::kBlocked, message, verdict);
  else if (verdict.action == 2) record_event(EventKind::kAlerted, message, verdict);
  else if (verdict.shadow_count > 0) record_event(EventKind::kShadow, message, verdict);
}

EventRecord* Worker::wait_for_event_room() {
  counters_.add(CounterSlot::kEventRingWaits, 1);
  const timespec pause{0, kEventRoomPollNs};
  for (;;) {
    if (stop_.load(std::memory_order_relaxed)) return nullptr;
    nanosleep(&pause, nullptr);
    if (EventRecord* record = events_.reserve()) return record;
  }
}

void Worker::record_event(EventKind kind, const Ss7Message& message, const table::Verdict& verdict) {
  EventRecord* record = events_.reserve();
  // A live worker never waits: the link does not stop for a slow reader. An offline replay at
  // pace fast has no link to keep up with, and a forensic replay should lose nothing: it waits
  // until the control plane drains (or the engine is stopped, then the event counts as lost).
  if (record == nullptr && wait_for_event_room_) record = wait_for_event_room();
  if (record == nullptr) {
    counters_.add(CounterSlot::kEventsLost, 1);
    return;
  }
  fill_event(*record, kind, message, verdict, side_, frame_, static_cast<uint16_t>(index_), event_sequence_++,
             table_->generation);
  events_.commit();
  counters_.add(CounterSlot::kEvents, 1);
}

}  // namespace sigwall::live
