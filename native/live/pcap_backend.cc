// The pcap backend: replays a capture held in memory through the same workers as the live
// backends (offline mode, the demo, tests, benchmarks). Every worker reads the whole capture with
// its own CaptureReader and keeps the frames whose symmetric flow hash selects it, so both
// directions of an association land on one worker, exactly as with a live symmetric fanout, and
// the workers share nothing. Pacing: as fast as the workers go, at the capture's own timing, or
// at a given aggregate packets-per-second rate.
//
// Packet time (PacketRef::timestamp_ns, which events, reassembly and dialogue timers use):
// - a forensic replay (pace fast, no loop) keeps the capture's own timestamps: its events say
//   when the messages were captured, which is what an investigation reads;
// - a paced or looping replay plays the capture as live traffic: each frame carries the
//   wall-clock time it is released (pace capture / rate: the time it is due, mapped onto
//   CLOCK_REALTIME; fast and looping: the time of the burst), so daily event files, `since`
//   filters and the pcapng export read like a live link's and time keeps increasing from one
//   round to the next.
#include <time.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <vector>

#include "../io/capture_reader.h"
#include "backend.h"
#include "clock.h"

namespace sigwall::live {

namespace {

uint64_t monotonic_ns() { return clock_ns(CLOCK_MONOTONIC); }
uint64_t realtime_ns() { return clock_ns(CLOCK_REALTIME); }

void sleep_until(uint64_t deadline_ns) {
  timespec ts;
  ts.tv_sec = static_cast<time_t>(deadline_ns / 1000000000ull);
  ts.tv_nsec = static_cast<long>(deadline_ns % 1000000000ull);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

struct CaptureSummary {
  uint64_t frames = 0;
  uint64_t first_ns = 0;
  uint64_t last_ns = 0;
};

class PcapWorkerIo final : public WorkerIo {
 public:
  PcapWorkerIo(const ReplayConfig& replay, const CaptureSummary& summary, uint32_t index, uint32_t workers,
               uint64_t start_ns, uint64_t wall_start_ns)
      : replay_(replay),
        summary_(summary),
        index_(index),
        workers_(workers),
        start_ns_(start_ns),
        wall_start_ns_(wall_start_ns),
        capture_time_(replay.pace == ReplayPace::kFast && !replay.loop) {
    CaptureError open_error;
    reader_.open(replay_.capture, open_error);  // checked by PcapBackend::open
    // One round lasts the capture's span plus one mean inter-frame gap (so the first frame of
    // the next round does not coincide with the last of this one).
    const uint64_t span = summary_.last_ns - summary_.first_ns;
    round_ns_ = span + (summary_.frames > 1 ? span / (summary_.frames - 1) : 1000000ull);
    if (round_ns_ == 0) round_ns_ = 1000000ull;
  }

  uint32_t receive(PacketRef* refs, uint32_t max, int timeout_ms) override {
    uint32_t count = 0;
    const bool paced = replay_.pace != ReplayPace::kFast;
    const uint64_t now = paced ? monotonic_ns() : 0;
    const uint64_t wait_limit = now + static_cast<uint64_t>(timeout_ms) * 1000000ull;
    // Fast and looping: one wall-clock reading per burst stamps all of it.
    const uint64_t burst_wall_ns = !paced && !capture_time_ ? realtime_ns() : 0;
    while (count < max && state_ == IoState::kRunning) {
      if (!have_pending_ && !advance()) break;
      uint64_t timestamp = capture_time_ ? pending_.timestamp_ns : burst_wall_ns;
      if (paced) {
        const uint64_t due = due_ns();
        if (due > now) {
          // Not yet: hand over what is due now, or sleep until the next frame (bounded by the
          // timeout so that stop requests and table swaps are still seen).
          if (count == 0) sleep_until(due < wait_limit ? due : wait_limit);
          break;
        }
        timestamp = wall_start_ns_ + (due - start_ns_);
      }
      PacketRef& ref = refs[count++];
      ref.data = pending_.bytes.data;
      ref.length = pending_.bytes.size;
      ref.original_length = pending_.original_length;
      ref.timestamp_ns = timestamp;
      ref.frame = pending_.number;
      ref.link_type = pending_.link_type;
      ref.port = 0;
      ref.flags = pending_.bytes.size < pending_.original_length ? kTruncated : 0;
      ref.vlan_tci = 0;
      ref.vlan_tpid = 0;
      have_pending_ = false;
    }
    return count;
  }

  void release() override {}
  // Inline replays (tests, benchmarks) "transmit" into nothing: the worker counts forwarded
  // frames; there is no wire.
  bool transmit(uint16_t, const uint8_t*, uint32_t) override { return true; }
  void flush() override {}
  void stats(IoStats& out) override {
    out.ring_drops = 0;
    out.tx_errors = 0;
    out.replay_loops = round_;
  }
  IoState state() const override { return state_; }
  const BackendError& error() const { return error_; }

 private:
  // Reads the next frame this worker owns into pending_; false at the end (or on an error).
  bool advance() {
    CaptureError error;
    for (;;) {
      if (!reader_.next(pending_, error)) {
        if (error.failed) {
          std::snprintf(error_.message, sizeof error_.message, "capture: %s", error.message);
          state_ = IoState::kFailed;
          return false;
        }
        if (!replay_.loop || summary_.frames == 0) {
          state_ = IoState::kFinished;
          return false;
        }
        ++round_;
        reader_.open(replay_.capture, error);
        continue;
      }
      ++sequence_;  // the frame's index in the whole replay, over all workers
      if (workers_ > 1 && symmetric_flow_hash(pending_.bytes.data, pending_.bytes.size) % workers_ != index_) continue;
      have_pending_ = true;
      return true;
    }
  }

  uint64_t due_ns() const {
    if (replay_.pace == ReplayPace::kRate) {
      const double seconds = static_cast<double>(sequence_ - 1) / replay_.rate;
      return start_ns_ + static_cast<uint64_t>(seconds * 1e9);
    }
    const uint64_t offset = pending_.timestamp_ns >= summary_.first_ns ? pending_.timestamp_ns - summary_.first_ns : 0;
    return start_ns_ + round_ * round_ns_ + offset;
  }

  const ReplayConfig& replay_;
  const CaptureSummary& summary_;
  uint32_t index_;
  uint32_t workers_;
  uint64_t start_ns_;       // CLOCK_MONOTONIC at open: pacing
  uint64_t wall_start_ns_;  // CLOCK_REALTIME at the same moment: paced packet times
  bool capture_time_;       // forensic replay: packets keep the capture's timestamps
  BackendError error_;  // written by this worker only, read after it reported kFailed
  CaptureReader reader_;
  CaptureFrame pending_;
  bool have_pending_ = false;
  uint64_t sequence_ = 0;
  uint64_t round_ = 0;
  uint64_t round_ns_ = 0;
  // Written by the worker, read by the control thread (Backend::error()).
  std::atomic<IoState> state_{IoState::kRunning};
};

class PcapBackend final : public Backend {
 public:
  const char* name() const override { return "pcap"; }

  bool open(const LiveConfig& config, uint32_t workers, BackendError& error) override {
    close();
    // The whole capture is checked once up front: a damaged file is refused at start, not
    // discovered by a worker halfway through.
    CaptureReader reader;
    CaptureError capture_error;
    if (!reader.open(config.replay.capture, capture_error)) {
      std::snprintf(error.message, sizeof error.message, "replay capture: %s", capture_error.message);
      return false;
    }
    CaptureFrame frame;
    summary_ = CaptureSummary{};
    while (reader.next(frame, capture_error)) {
      if (summary_.frames == 0) summary_.first_ns = frame.timestamp_ns;
      summary_.last_ns = frame.timestamp_ns > summary_.last_ns ? frame.timestamp_ns : summary_.last_ns;
      ++summary_.frames;
    }
    if (capture_error.failed) {
      std::snprintf(error.message, sizeof error.message, "replay capture: %s", capture_error.message);
      return false;
    }
    if (config.replay.pace == ReplayPace::kRate && !(config.replay.rate > 0)) {
      std::snprintf(error.message, sizeof error.message, "replay pace 'rate' needs a rate above 0 packets/s");
      return false;
    }
    const uint64_t start = monotonic_ns();
    const uint64_t wall_start = realtime_ns();
    for (uint32_t w = 0; w < workers; ++w)
      workers_.push_back(std::make_unique<PcapWorkerIo>(config.replay, summary_, w, workers, start, wall_start));
    return true;
  }

  uint32_t worker_count() const override { return static_cast<uint32_t>(workers_.size()); }
  WorkerIo& worker(uint32_t index) override { return *workers_[index]; }
  void close() override { workers_.clear(); }
  const BackendError& error() const override {
    for (const auto& worker : workers_)
      if (worker->state() == IoState::kFailed) return worker->error();
    return no_error_;
  }

 private:
  CaptureSummary summary_;
  std::vector<std::unique_ptr<PcapWorkerIo>> workers_;
  BackendError no_error_;
};

}  // namespace

std::unique_ptr<Backend> make_pcap_backend() { return std::make_unique<PcapBackend>(); }

}  // namespace sigwall::live
