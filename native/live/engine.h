// The live engine without any Node type: configuration in, backend opened, workers started and
// pinned, tables published, events drained, clean stop. native/addon/live_engine.cc wraps it;
// the tests drive it directly.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "backend.h"
#include "counters.h"
#include "event_record.h"
#include "event_ring.h"
#include "live_config.h"
#include "table_registry.h"
#include "worker.h"

namespace sigwall::live {

struct EngineError {
  std::string code;     // SIGWALL_ERR_ENGINE, SIGWALL_ERR_TABLE, SIGWALL_ERR_CAPTURE
  std::string message;
  std::string port;     // the interface at fault, if any
  int error_number = 0;
};

enum class EngineState : uint8_t { kIdle, kRunning, kFinished, kFailed, kStopped };
const char* engine_state_name(EngineState state);

class LiveEngine {
 public:
  // `backend`: injected by tests; nullptr picks the backend config.backend names at start().
  explicit LiveEngine(LiveConfig config, std::unique_ptr<Backend> backend = nullptr);
  ~LiveEngine();
  LiveEngine(const LiveEngine&) = delete;
  LiveEngine& operator=(const LiveEngine&) = delete;

  // Validates the first table (before start). Sets rule_capacity to its rule count when the
  // configuration left it 0.
  bool load_table(ByteView image, EngineError& error);
  uint32_t workers() const { return workers_; }
  uint32_t rule_capacity() const { return config_.rule_capacity; }
  const LiveConfig& config() const { return config_; }

  // `counters`: counter_layout(rule_capacity(), workers()).size elements, kept alive by the caller
  // until stop() has returned.
  bool start(uint64_t* counters, uint64_t elements, EngineError& error);
  void stop();
  // Validates and publishes; workers take it at their next burst boundary.
  bool set_table(ByteView image, uint32_t& generation, EngineError& error);
  std::vector<uint32_t> active_generations();
  // Copies up to `max` whole records (kEventRecordSize bytes each) into `out`, worker by worker,
  // oldest first per worker.
  uint32_t drain_events(uint8_t* out, uint32_t max);
  // Per port (config order), the backend's kernel counters read now (afxdp: the XDP program's
  // map). Empty when the backend keeps none (pcap, afpacket) or is not open (before start, after
  // stop: a clean stop detaches the program and its map goes with it).
  std::vector<KernelPortCounters> kernel_counters() const;
  // Per port (config order), what the stale program this start replaced had counted
  // (InheritedKernelCounters, fixed once started). Empty under the same conditions.
  std::vector<InheritedKernelCounters> inherited_kernel_counters() const;
  EngineState state() const;
  EngineError last_error() const;
  // The tables still held (current + retired not yet reclaimed): for the reclamation tests.
  size_t tables_held() const { return tables_ ? tables_->held() : 0; }

 private:
  uint32_t resolve_workers() const;
  bool fail(EngineError& error, const char* code, std::string message, std::string port = "", int error_number = 0);

  LiveConfig config_;
  uint32_t workers_ = 1;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<table::TableImage> first_table_;
  std::unique_ptr<TableRegistry> tables_;
  CounterLayout layout_;
  PortPlan plan_;
  std::vector<std::unique_ptr<SpscRing<EventRecord>>> rings_;
  std::vector<std::unique_ptr<Worker>> worker_objects_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  EngineState state_ = EngineState::kIdle;
  uint32_t drain_cursor_ = 0;  // the worker whose ring drain_events() starts with (fairness)
};

}  // namespace sigwall::live
