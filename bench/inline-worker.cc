// The live worker's own cost per frame, without any io: bench/inline.mjs compiles this against
// the addon's build (build/native/libsigwall_core.a) and runs it on the frames it sends through
// the bridge, so the rates it measures on veth can be split into io (kernel, rings) and the
// worker's code. Each frame of the capture goes through Worker::process() (the code the live
// backends run per packet) with an io that only copies forwarded frames into a buffer, first
// with inspect false (forward-only), then with inspect true (decode + classify + counters +
// events, the table given), interleaved over several rounds; thread CPU time per frame.
//
//   inline-worker CAPTURE TABLE [ROUNDS]
//
// CAPTURE: pcap, LINKTYPE_RAW (`sigwall inject --write`): each packet gets an Ethernet header,
// as the bridge's ports see it. TABLE: a compiled table image. Prints one JSON object.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "io/capture_reader.h"
#include "live/worker.h"

namespace {

using namespace sigwall;
using namespace sigwall::live;

// Forwarded frames are copied once, as every live backend copies them into its TX ring.
class CopyOnlyIo final : public WorkerIo {
 public:
  uint32_t receive(PacketRef*, uint32_t, int) override { return 0; }
  void release() override {}
  bool transmit(uint16_t, const uint8_t* frame, uint32_t length) override {
    std::memcpy(tx_, frame, std::min<uint32_t>(length, sizeof tx_));
    return true;
  }
  void flush() override {}
  void stats(IoStats& out) override { out = IoStats{}; }
  IoState state() const override { return IoState::kRunning; }

 private:
  uint8_t tx_[65536];
};

std::vector<uint8_t> read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "inline-worker: cannot read %s\n", path);
    std::exit(2);
  }
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

double thread_cpu_ns() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

struct Run {
  double ns_per_frame = 0;
  uint64_t frames = 0, messages = 0, forwarded = 0, dropped = 0, events = 0, events_lost = 0;
};

// One worker over every frame, `rounds` times; a fresh worker (and pipeline) per call.
Run run_worker(const std::vector<std::vector<uint8_t>>& frames, const std::vector<uint8_t>& image_bytes, bool inspect,
               int rounds) {
  LiveConfig config;
  config.backend = BackendKind::kAfPacket;  // any live backend: the port plan is what matters
  config.mode = EngineMode::kInline;
  config.ports = {PortConfig{"external", PortRole::kExternal, {}}, PortConfig{"internal", PortRole::kInternal, {}}};
  config.inspect = inspect;
  std::unique_ptr<table::TableImage> image;
  table::TableError error;
  if (!table::TableImage::load(ByteView{image_bytes.data(), static_cast<uint32_t>(image_bytes.size())}, image, error)) {
    std::fprintf(stderr, "inline-worker: table refused: %s\n", error.message.c_str());
    std::exit(2);
  }
  config.rule_capacity = image->rule_count();
  const PortPlan plan = make_port_plan(config);
  const CounterLayout layout = counter_layout(config.rule_capacity, 1);
  std::vector<uint64_t> counters(layout.size);
  TableRegistry tables(1);
  tables.publish(std::move(image));
  SpscRing<EventRecord> events(config.event_slots);
  std::atomic<bool> stop{false};
  CopyOnlyIo io;
  Worker worker(0, config, plan, io, tables, WorkerCounters(counters.data(), layout), events, stop);
  worker.take_table();

  Run run;
  const double start = thread_cpu_ns();
  for (int round = 0; round < rounds; ++round) {
    for (const std::vector<uint8_t>& frame : frames) {
      PacketRef ref;
      ref.data = frame.data();
      ref.length = ref.original_length = static_cast<uint32_t>(frame.size());
      ref.frame = ++run.frames;
      ref.timestamp_ns = 1'700'000'000'000'000'000ull + run.frames * 1000;  // 1 Mpps
      worker.process(ref);
    }
  }
  run.ns_per_frame = (thread_cpu_ns() - start) / static_cast<double>(run.frames ? run.frames : 1);
  const auto slot = [&](CounterSlot s) { return counters[static_cast<uint32_t>(s)]; };
  run.messages = slot(CounterSlot::kMessages);
  run.forwarded = slot(CounterSlot::kForwardedPackets);
  run.dropped = slot(CounterSlot::kDroppedPackets);
  run.events = slot(CounterSlot::kEvents);
  run.events_lost = slot(CounterSlot::kEventsLost);
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: inline-worker CAPTURE TABLE [ROUNDS]\n");
    return 2;
  }
  const std::vector<uint8_t> capture = read_file(argv[1]);
  const std::vector<uint8_t> image = read_file(argv[2]);
  const int rounds = argc > 3 ? std::max(1, std::atoi(argv[3])) : 10;

  CaptureReader reader;
  CaptureError error;
  if (!reader.open(ByteView{capture.data(), static_cast<uint32_t>(capture.size())}, error)) {
    std::fprintf(stderr, "inline-worker: %s\n", error.message);
    return 2;
  }
  std::vector<std::vector<uint8_t>> frames;
  CaptureFrame frame;
  while (reader.next(frame, error)) {
    // Locally administered MACs, EtherType IPv4 (the capture holds IPv4 only).
    std::vector<uint8_t> bytes = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00};
    bytes.insert(bytes.end(), frame.bytes.data, frame.bytes.data + frame.bytes.size);
    frames.push_back(std::move(bytes));
  }
  if (error.failed || frames.empty()) {
    std::fprintf(stderr, "inline-worker: no frames in %s\n", argv[1]);
    return 2;
  }

  // Interleaved (forward, inspect) pairs; the median pair by inspect cost is reported.
  constexpr int kPairs = 5;
  std::vector<std::pair<Run, Run>> pairs;
  for (int i = 0; i < kPairs; ++i) pairs.emplace_back(run_worker(frames, image, false, rounds), run_worker(frames, image, true, rounds));
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.second.ns_per_frame < b.second.ns_per_frame; });
  const Run& forward = pairs[kPairs / 2].first;
  const Run& inspect = pairs[kPairs / 2].second;
  std::printf(
      "{\"frames\":%llu,\"forwardNsPerFrame\":%.1f,\"inspectNsPerFrame\":%.1f,\"messagesPerFrame\":%.3f,"
      "\"inspectForwarded\":%llu,\"inspectDropped\":%llu,\"events\":%llu,\"eventsLost\":%llu}\n",
      static_cast<unsigned long long>(inspect.frames), forward.ns_per_frame, inspect.ns_per_frame,
      static_cast<double>(inspect.messages) / static_cast<double>(inspect.frames),
      static_cast<unsigned long long>(inspect.forwarded), static_cast<unsigned long long>(inspect.dropped),
      static_cast<unsigned long long>(inspect.events), static_cast<unsigned long long>(inspect.events_lost));
  return 0;
}
