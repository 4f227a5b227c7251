#include "engine.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace sigwall::live {

const char* engine_state_name(EngineState state) {
  switch (state) {
    case EngineState::kIdle: return "idle";
    case EngineState::kRunning: return "running";
    case EngineState::kFinished: return "finished";
    case EngineState::kFailed: return "failed";
    case EngineState::kStopped: return "stopped";
  }
  return "failed";
}

LiveEngine::LiveEngine(LiveConfig config, std::unique_ptr<Backend> backend)
    : config_(std::move(config)), backend_(std::move(backend)) {
  if (config_.batch == 0) config_.batch = 1;
  if (config_.batch > kMaxBatch) config_.batch = kMaxBatch;
  workers_ = resolve_workers();
  plan_ = make_port_plan(config_);
}

LiveEngine::~LiveEngine() { stop(); }

uint32_t LiveEngine::resolve_workers() const {
  uint32_t workers = config_.workers;
  if (workers == 0) {
    if (config_.backend == BackendKind::kPcap) {
      workers = 1;
    } else {
      // One worker per RX queue: the most queues any monitor port is read on; inline, the fewer
      // of the two ports' (every worker needs a queue of its own on both ports to bridge).
      bool first = true;
      for (const PortConfig& port : config_.ports) {
        const uint32_t queues =
            port.queues.empty() ? interface_rx_queues(port.interface.c_str()) : static_cast<uint32_t>(port.queues.size());
        if (config_.mode == EngineMode::kInline) workers = first ? queues : std::min(workers, queues);
        else workers = std::max(workers, queues);
        first = false;
      }
    }
  }
  return std::clamp<uint32_t>(workers, 1, kMaxWorkers);
}

bool LiveEngine::fail(EngineError& error, const char* code, std::string message, std::string port, int error_number) {
  error.code = code;
  error.message = std::move(message);
  error.port = std::move(port);
  error.error_number = error_number;
  return false;
}

bool LiveEngine::load_table(ByteView image, EngineError& error) {
  table::TableError table_error;
  std::unique_ptr<table::TableImage> table;
  if (!table::TableImage::load(image, table, table_error)) return fail(error, "SIGWALL_ERR_TABLE", table_error.message);
  if (config_.rule_capacity == 0) config_.rule_capacity = table->rule_count();
  if (table->rule_count() > config_.rule_capacity)
    return fail(error, "SIGWALL_ERR_TABLE",
                "the table has " + std::to_string(table->rule_count()) + " rules; the engine's counters hold " +
                    std::to_string(config_.rule_capacity) + " (ruleCapacity)");
  first_table_ = std::move(table);
  return true;
}

bool LiveEngine::start(uint64_t* counters, uint64_t elements, EngineError& error) {
  if (state_ != EngineState::kIdle) return fail(error, "SIGWALL_ERR_ENGINE", "the engine was already started");
  if (!first_table_) return fail(error, "SIGWALL_ERR_TABLE", "no table: load one before start");
  layout_ = counter_layout(config_.rule_capacity, workers_);
  if (counters == nullptr || elements < layout_.size)
    return fail(error, "SIGWALL_ERR_ENGINE",
                "the counters buffer holds " + std::to_string(elements) + " elements; counterLayout(" +
                    std::to_string(config_.rule_capacity) + ", " + std::to_string(workers_) + ") needs " +
                    std::to_string(layout_.size));
  if (config_.backend != BackendKind::kPcap) {
    if (config_.ports.empty()) return fail(error, "SIGWALL_ERR_ENGINE", "no ports configured");
    if (config_.ports.size() > kMaxPorts)
      return fail(error, "SIGWALL_ERR_ENGINE", "at most " + std::to_string(kMaxPorts) + " ports");
  }
  for (uint32_t cpu : config_.cpus)
    if (cpu >= CPU_SETSIZE) return fail(error, "SIGWALL_ERR_ENGINE", "cpu " + std::to_string(cpu) + " is out of range");

  if (!backend_) {
    switch (config_.backend) {
      case BackendKind::kPcap: backend_ = make_pcap_backend(); break;
      case BackendKind::kAfPacket: backend_ = make_afpacket_backend(); break;
      case BackendKind::kAfXdp:
        backend_ = make_afxdp_backend();
        if (!backend_)
          return fail(error, "SIGWALL_ERR_ENGINE",
                      "backend afxdp was not built: the build found no clang, libxdp and libbpf "
                      "(install clang, libxdp-dev and libbpf-dev and rebuild), or use backend afpacket");
        break;
    }
  }
  BackendError backend_error;
  if (!backend_->open(config_, workers_, backend_error)) {
    const std::string port =
        backend_error.port >= 0 && static_cast<size_t>(backend_error.port) < config_.ports.size()
            ? config_.ports[backend_error.port].interface
            : "";
    const bool capture = config_.backend == BackendKind::kPcap && backend_error.error_number == 0;
    return fail(error, capture ? "SIGWALL_ERR_CAPTURE" : "SIGWALL_ERR_ENGINE",
                std::string(backend_->name()) + ": " + backend_error.message, port, backend_error.error_number);
  }
  if (backend_->worker_count() != workers_) {
    backend_->close();
    return fail(error, "SIGWALL_ERR_ENGINE",
                std::string(backend_->name()) + " opened " + std::to_string(backend_->worker_count()) +
                    " worker queues, expected " + std::to_string(workers_));
  }

  tables_ = std::make_unique<TableRegistry>(workers_);
  tables_->publish(std::move(first_table_));
  std::fill(counters, counters + layout_.size, 0);
  stop_.store(false);
  for (uint32_t w = 0; w < workers_; ++w) {
    rings_.push_back(std::make_unique<SpscRing<EventRecord>>(config_.event_slots));
    worker_objects_.push_back(std::make_unique<Worker>(w, config_, plan_, backend_->worker(w), *tables_,
                                                       WorkerCounters(counters + static_cast<uint64_t>(w) * layout_.stride, layout_),
                                                       *rings_.back(), stop_));
  }
  for (uint32_t w = 0; w < workers_; ++w) {
    threads_.emplace_back([worker = worker_objects_[w].get()] { worker->run(); });
    // A name operators and profilers can find the worker by (top -H, perf, /proc/PID/task/*/comm;
    // the benchmark reads each worker's CPU time through it). 15 characters at most.
    char name[16];
    std::snprintf(name, sizeof name, "sigwall-w%u", w);
    pthread_setname_np(threads_.back().native_handle(), name);
    if (!config_.cpus.empty()) {
      cpu_set_t set;
      CPU_ZERO(&set);
      const uint32_t cpu = config_.cpus[w % config_.cpus.size()];
      CPU_SET(cpu, &set);
      const int rc = pthread_setaffinity_np(threads_.back().native_handle(), sizeof set, &set);
      if (rc != 0) {
        state_ = EngineState::kRunning;
        stop();
        return fail(error, "SIGWALL_ERR_ENGINE",
                    "cannot pin worker " + std::to_string(w) + " to cpu " + std::to_string(cpu) + ": " + std::strerror(rc),
                    "", rc);
      }
    }
  }
  state_ = EngineState::kRunning;
  return true;
}

void LiveEngine::stop() {
  if (state_ == EngineState::kIdle || state_ == EngineState::kStopped) return;
  stop_.store(true);
  for (std::thread& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
  if (backend_) backend_->close();
  if (tables_) tables_->reclaim();
  state_ = EngineState::kStopped;
}

bool LiveEngine::set_table(ByteView image, uint32_t& generation, EngineError& error) {
  table::TableError table_error;
  std::unique_ptr<table::TableImage> table;
  if (!table::TableImage::load(image, table, table_error)) return fail(error, "SIGWALL_ERR_TABLE", table_error.message);
  if (table->rule_count() > config_.rule_capacity)
    return fail(error, "SIGWALL_ERR_TABLE",
                "the table has " + std::to_string(table->rule_count()) + " rules; the engine's counters hold " +
                    std::to_string(config_.rule_capacity) + " (ruleCapacity): restart the engine to grow them");
  if (!tables_) {  // not started yet: this becomes the first table
    first_table_ = std::move(table);
    generation = 1;
    return true;
  }
  generation = tables_->publish(std::move(table));
  return true;
}

std::vector<uint32_t> LiveEngine::active_generations() {
  if (!tables_) return std::vector<uint32_t>(workers_, first_table_ ? 1 : 0);
  tables_->reclaim();
  return tables_->active_generations();
}

uint32_t LiveEngine::drain_events(uint8_t* out, uint32_t max) {
  uint32_t copied = 0;
  const uint32_t rings = static_cast<uint32_t>(rings_.size());
  for (uint32_t i = 0; i < rings && copied < max; ++i) {
    SpscRing<EventRecord>& ring = *rings_[(drain_cursor_ + i) % rings];
    copied += ring.drain(out + static_cast<size_t>(copied) * sizeof(EventRecord), max - copied);
  }
  if (rings) drain_cursor_ = (drain_cursor_ + 1) % rings;
  return copied;
}

std::vector<KernelPortCounters> LiveEngine::kernel_counters() const {
  std::vector<KernelPortCounters> out;
  if (!backend_ || state_ == EngineState::kIdle || state_ == EngineState::kStopped) return out;
  out.resize(config_.ports.size());
  for (size_t port = 0; port < out.size(); ++port) {
    if (!backend_->kernel_counters(static_cast<uint16_t>(port), out[port])) return {};
  }
  return out;
}

std::vector<InheritedKernelCounters> LiveEngine::inherited_kernel_counters() const {
  std::vector<InheritedKernelCounters> out;
  if (!backend_ || state_ == EngineState::kIdle || state_ == EngineState::kStopped) return out;
  out.resize(config_.ports.size());
  for (size_t port = 0; port < out.size(); ++port) {
    if (!backend_->inherited_kernel_counters(static_cast<uint16_t>(port), out[port])) return {};
  }
  return out;
}

EngineState LiveEngine::state() const {
  if (state_ != EngineState::kRunning) return state_;
  bool all_finished = !worker_objects_.empty();
  for (const auto& worker : worker_objects_) {
    const WorkerExit exit = worker->exit_state();
    if (exit == WorkerExit::kFailed) return EngineState::kFailed;
    if (exit != WorkerExit::kFinished) all_finished = false;
  }
  return all_finished ? EngineState::kFinished : EngineState::kRunning;
}

EngineError LiveEngine::last_error() const {
  EngineError error;
  if (state() == EngineState::kFailed && backend_) {
    const BackendError& failure = backend_->error();
    error.code = "SIGWALL_ERR_ENGINE";
    error.message = std::string(backend_->name()) + ": " + failure.message;
    if (failure.port >= 0 && static_cast<size_t>(failure.port) < config_.ports.size())
      error.port = config_.ports[failure.port].interface;
    error.error_number = failure.error_number;
  }
  return error;
}

}  // namespace sigwall::live
