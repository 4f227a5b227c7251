// The live engine without a network: the event ring, the counter layout, event records, and the
// whole engine (workers, counters, events, table swap, inline decisions) driven by the pcap
// backend or by a scripted backend, checked against DecodePipeline + classify() on the same
// frames (live_test_support.h).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "live/counters.h"
#include "live/engine.h"
#include "live/event_record.h"
#include "live/event_ring.h"
#include "live_test_support.h"

namespace sigwall::live {
namespace {

using namespace sigwall::live::testing;
using Clock = std::chrono::steady_clock;

// --- the SPSC event ring ---------------------------------------------------------------------

struct Numbered {
  uint64_t value = 0;
  uint8_t padding[56] = {};
};

uint64_t value_at(const std::vector<uint8_t>& bytes, size_t index) {
  uint64_t value;
  std::memcpy(&value, bytes.data() + index * sizeof(Numbered), sizeof value);
  return value;
}

TEST(LiveEventRing, CapacityIsAPowerOfTwo) {
  EXPECT_EQ(SpscRing<Numbered>(5).capacity(), 8u);
  EXPECT_EQ(SpscRing<Numbered>(8).capacity(), 8u);
  EXPECT_EQ(SpscRing<Numbered>(0).capacity(), 2u);
}

TEST(LiveEventRing, FullRingRefusesAndDrainKeepsOrderAcrossTheWrap) {
  SpscRing<Numbered> ring(4);
  uint64_t next = 0;
  for (int i = 0; i < 4; ++i) {
    Numbered* slot = ring.reserve();
    ASSERT_NE(slot, nullptr);
    slot->value = next++;
    ring.commit();
  }
  EXPECT_EQ(ring.reserve(), nullptr) << "a full ring must refuse, not overwrite";
  std::vector<uint8_t> out(8 * sizeof(Numbered));
  ASSERT_EQ(ring.drain(out.data(), 3), 3u);
  EXPECT_EQ(value_at(out, 0), 0u);
  EXPECT_EQ(value_at(out, 2), 2u);
  for (int i = 0; i < 3; ++i) {  // wraps around the slot array
    Numbered* slot = ring.reserve();
    ASSERT_NE(slot, nullptr);
    slot->value = next++;
    ring.commit();
  }
  EXPECT_EQ(ring.reserve(), nullptr);
  ASSERT_EQ(ring.drain(out.data(), 8), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(value_at(out, i), 3 + i);
  EXPECT_EQ(ring.drain(out.data(), 8), 0u);
}

TEST(LiveEventRing, ConcurrentProducerNeverBlocksAndLosesOnlyWhatItCounts) {
  SpscRing<Numbered> ring(64);
  constexpr uint64_t kCount = 200000;
  uint64_t lost = 0;
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (uint64_t i = 0; i < kCount; ++i) {
      Numbered* slot = ring.reserve();
      if (!slot) {
        ++lost;
        continue;
      }
      slot->value = i;
      ring.commit();
    }
    done.store(true);
  });
  std::vector<uint8_t> out(16 * sizeof(Numbered));
  uint64_t received = 0;
  uint64_t last = 0;
  bool ordered = true;
  for (;;) {
    const bool finished = done.load();  // read before draining: nothing is committed after it
    const uint32_t n = ring.drain(out.data(), 16);
    for (uint32_t i = 0; i < n; ++i) {
      const uint64_t value = value_at(out, i);
      if (received > 0 && value <= last) ordered = false;
      last = value;
      ++received;
    }
    if (finished && n == 0) break;
  }
  producer.join();
  EXPECT_TRUE(ordered) << "records must come out in the order they were committed";
  EXPECT_EQ(received + lost, kCount);
}

// --- counters ----------------------------------------------------------------------------------

TEST(LiveCounters, LayoutKeepsWorkersOnTheirOwnCacheLines) {
  const CounterLayout layout = counter_layout(10, 3);
  EXPECT_EQ(layout.stride % 8, 0u);
  EXPECT_EQ(layout.size, 3ull * layout.stride);
  EXPECT_EQ(layout.anomalies, kCounterSlotCount);
  EXPECT_EQ(layout.rules, layout.anomalies + kAnomalyCount);
  EXPECT_EQ(layout.rule_shadow, layout.rules + 10);
  EXPECT_EQ(layout.rules_previous, layout.rule_shadow + 10);
  EXPECT_EQ(layout.rule_shadow_previous, layout.rules_previous + 10);
  EXPECT_LE(layout.rule_shadow_previous + 10, layout.stride);
  const CounterLayout empty = counter_layout(0, 1);
  EXPECT_EQ(empty.rule_shadow, empty.rules);
  EXPECT_GE(empty.stride, kCounterSlotCount + kAnomalyCount);
}

TEST(LiveCounters, SlotNamesAreUniqueAndComplete) {
  std::set<std::string> names;
  for (uint32_t i = 0; i < kCounterSlotCount; ++i) names.insert(kCounterSlotNames[i]);
  EXPECT_EQ(names.size(), kCounterSlotCount);
  EXPECT_TRUE(names.count("packets") && names.count("eventsLost") && names.count("tableGeneration"));
}

TEST(LiveCounters, AWorkerWritesOnlyItsOwnStride) {
  const CounterLayout layout = counter_layout(4, 3);
  std::vector<uint64_t> buffer(layout.size, 0xAAAAAAAAAAAAAAAAull);
  std::fill(buffer.begin() + layout.stride, buffer.begin() + 2 * layout.stride, 0);
  WorkerCounters worker(buffer.data() + layout.stride, layout);
  for (uint32_t s = 0; s < kCounterSlotCount; ++s) worker.add(static_cast<CounterSlot>(s), s + 1);
  for (uint32_t a = 0; a < kAnomalyCount; ++a) worker.set_anomaly(a, 7);
  for (uint32_t r = 0; r < 4; ++r) {
    worker.add_rule(r);
    worker.add_rule_shadow(r);
  }
  for (uint64_t i = 0; i < layout.stride; ++i) {
    EXPECT_EQ(buffer[i], 0xAAAAAAAAAAAAAAAAull) << "worker 0's slot " << i;
    EXPECT_EQ(buffer[2 * layout.stride + i], 0xAAAAAAAAAAAAAAAAull) << "worker 2's slot " << i;
  }
  EXPECT_EQ(worker.get(CounterSlot::kPackets), 1u);
  EXPECT_EQ(buffer[layout.stride + layout.rules + 3], 1u);
  worker.clear_rules();
  EXPECT_EQ(worker.rule(3), 0u);
  EXPECT_EQ(worker.rule_shadow(0), 0u);
  EXPECT_EQ(worker.get(CounterSlot::kBytes), 2u) << "clearing rules leaves the fixed slots";
}

TEST(LiveCounters, TakingANewTableHandsTheOldTablesRuleCountsOver) {
  const CounterLayout layout = counter_layout(3, 1);
  std::vector<uint64_t> buffer(layout.size, 0);
  WorkerCounters worker(buffer.data(), layout);
  worker.add_rule(0);
  worker.add_rule(2);
  worker.add_rule(2);
  worker.add_rule_shadow(1);
  worker.retire_rules(7);
  EXPECT_EQ(worker.get(CounterSlot::kPreviousTableGeneration), 7u);
  EXPECT_EQ(buffer[layout.rules_previous + 0], 1u);
  EXPECT_EQ(buffer[layout.rules_previous + 1], 0u);
  EXPECT_EQ(buffer[layout.rules_previous + 2], 2u);
  EXPECT_EQ(buffer[layout.rule_shadow_previous + 1], 1u);
  for (uint32_t r = 0; r < 3; ++r) {
    EXPECT_EQ(worker.rule(r), 0u) << "the new table counts from zero";
    EXPECT_EQ(worker.rule_shadow(r), 0u);
  }
  worker.add_rule(1);
  worker.retire_rules(8);  // the next swap replaces what the reader has taken by now
  EXPECT_EQ(worker.get(CounterSlot::kPreviousTableGeneration), 8u);
  EXPECT_EQ(buffer[layout.rules_previous + 0], 0u);
  EXPECT_EQ(buffer[layout.rules_previous + 1], 1u);
}

// --- the engine on the pcap backend ------------------------------------------------------------

LiveConfig pcap_config(const std::vector<uint8_t>& capture, uint32_t workers, ReplayPace pace = ReplayPace::kFast) {
  LiveConfig config;
  config.backend = BackendKind::kPcap;
  config.mode = EngineMode::kOffline;
  config.replay.capture = view(capture);
  config.replay.pace = pace;
  config.workers = workers;
  config.batch = 16;
  config.event_slots = 4096;
  return config;
}

struct EngineRun {
  CounterLayout layout;
  std::vector<uint64_t> counters;
  std::vector<EventRecord> events;

  uint64_t sum(CounterSlot slot) const {
    uint64_t total = 0;
    for (uint32_t w = 0; w < layout.workers; ++w) total += counters[w * layout.stride + static_cast<uint32_t>(slot)];
    return total;
  }
  uint64_t at(uint32_t worker, CounterSlot slot) const { return counters[worker * layout.stride + static_cast<uint32_t>(slot)]; }
  uint64_t rule(uint32_t r) const {
    uint64_t total = 0;
    for (uint32_t w = 0; w < layout.workers; ++w) total += counters[w * layout.stride + layout.rules + r];
    return total;
  }
  uint64_t rule_shadow(uint32_t r) const {
    uint64_t total = 0;
    for (uint32_t w = 0; w < layout.workers; ++w) total += counters[w * layout.stride + layout.rule_shadow + r];
    return total;
  }
};

void drain_into(LiveEngine& engine, std::vector<EventRecord>& events) {
  std::vector<uint8_t> buffer(64 * kEventRecordSize);
  for (;;) {
    const uint32_t n = engine.drain_events(buffer.data(), 64);
    for (uint32_t i = 0; i < n; ++i) {
      EventRecord record;
      std::memcpy(&record, buffer.data() + static_cast<size_t>(i) * kEventRecordSize, kEventRecordSize);
      events.push_back(record);
    }
    if (n == 0) return;
  }
}

bool wait_for_state(LiveEngine& engine, EngineState wanted, std::vector<EventRecord>* events, int seconds = 60) {
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    if (events) drain_into(engine, *events);
    if (engine.state() == wanted) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

// Starts `engine`, lets it replay to the end (draining events when `drain_while_running`), stops.
EngineRun run_to_end(LiveEngine& engine, bool drain_while_running = true) {
  EngineRun run;
  run.layout = counter_layout(engine.rule_capacity(), engine.workers());
  run.counters.assign(run.layout.size, 0);
  EngineError error;
  EXPECT_TRUE(engine.start(run.counters.data(), run.counters.size(), error)) << error.message;
  EXPECT_TRUE(wait_for_state(engine, EngineState::kFinished, drain_while_running ? &run.events : nullptr));
  engine.stop();
  drain_into(engine, run.events);
  return run;
}

const ReferenceMessage* find_message(const Reference& reference, uint64_t frame, uint16_t chunk) {
  for (const ReferenceMessage& m : reference.messages)
    if (m.frame == frame && m.chunk == chunk) return &m;
  return nullptr;
}

void expect_matches_reference(const EngineRun& run, const Reference& reference, uint32_t rules) {
  EXPECT_EQ(run.sum(CounterSlot::kPackets), reference.frames);
  EXPECT_EQ(run.sum(CounterSlot::kSctpPackets), reference.sctp_packets);
  EXPECT_EQ(run.sum(CounterSlot::kNonSctpPackets), reference.frames - reference.sctp_packets);
  EXPECT_EQ(run.sum(CounterSlot::kMessages), reference.messages.size());
  EXPECT_EQ(run.sum(CounterSlot::kVerdictAllow), reference.verdicts[0]);
  EXPECT_EQ(run.sum(CounterSlot::kVerdictDrop), reference.verdicts[1]);
  EXPECT_EQ(run.sum(CounterSlot::kVerdictAlert), reference.verdicts[2]);
  EXPECT_EQ(run.sum(CounterSlot::kMalformed), reference.malformed);
  EXPECT_EQ(run.sum(CounterSlot::kShadowHits), reference.shadow_messages);
  EXPECT_EQ(run.sum(CounterSlot::kCategoryCustom), reference.categories[0]);
  EXPECT_EQ(run.sum(CounterSlot::kCategory1), reference.categories[1]);
  EXPECT_EQ(run.sum(CounterSlot::kCategory2), reference.categories[2]);
  EXPECT_EQ(run.sum(CounterSlot::kCategory3), reference.categories[3]);
  for (uint32_t r = 0; r < rules; ++r) {
    EXPECT_EQ(run.rule(r), reference.rule_hits[r]) << "rule " << r;
    EXPECT_EQ(run.rule_shadow(r), reference.rule_shadow_hits[r]) << "rule " << r;
  }
  EXPECT_EQ(run.sum(CounterSlot::kEventsLost), 0u);
  const uint64_t expected_events = reference.events[0] + reference.events[1] + reference.events[2] + reference.events[3];
  EXPECT_EQ(run.sum(CounterSlot::kEvents), expected_events);
  ASSERT_EQ(run.events.size(), expected_events);
  uint64_t kinds[4] = {0, 0, 0, 0};
  for (const EventRecord& event : run.events) {
    ++kinds[event.kind];
    const ReferenceMessage* m = find_message(reference, event.frame, event.chunk);
    ASSERT_NE(m, nullptr) << "event for frame " << event.frame << " chunk " << event.chunk;
    EXPECT_EQ(event.action, m->verdict.action) << "frame " << event.frame;
    EXPECT_EQ(event.rule, m->verdict.rule) << "frame " << event.frame;
    EXPECT_EQ(event.shadow_count, std::min<unsigned>(m->verdict.shadow_count, kEventShadows));
    EXPECT_EQ(event.table_generation, 1u);
    EXPECT_GT(event.captured_length, 0u);
    EXPECT_TRUE(event.flags & kEventHasIp);
  }
  for (int k = 0; k < 4; ++k) EXPECT_EQ(kinds[k], reference.events[k]) << "event kind " << k;
}

TEST(LivePcap, OneWorkerCountsAndReportsExactlyWhatDecodeAndClassifyGive) {
  const std::vector<uint8_t> capture = demo_capture();
  ASSERT_FALSE(capture.empty());
  const std::vector<uint8_t> image = opcode_table(0);
  auto table = load_table(image);
  ASSERT_TRUE(table);
  const Reference reference = reference_of(capture, *table, table::IngressSide::kExternal);
  ASSERT_GT(reference.verdicts[1], 0u);
  ASSERT_GT(reference.verdicts[2], 0u);
  ASSERT_GT(reference.shadow_messages, 0u);

  LiveEngine engine(pcap_config(capture, 1));
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(image), error)) << error.message;
  EXPECT_EQ(engine.rule_capacity(), table->rule_count());
  const EngineRun run = run_to_end(engine);
  expect_matches_reference(run, reference, table->rule_count());
  EXPECT_EQ(run.sum(CounterSlot::kForwardedPackets), 0u) << "offline mode never transmits";
  EXPECT_EQ(run.at(0, CounterSlot::kTableGeneration), 1u);
}

TEST(LivePcap, TwoWorkersSplitTheAssociationsAndTogetherGiveTheSameResult) {
  const std::vector<uint8_t> capture = demo_capture();
  const std::vector<uint8_t> image = opcode_table(0);
  auto table = load_table(image);
  const Reference reference = reference_of(capture, *table, table::IngressSide::kExternal);
  LiveEngine engine(pcap_config(capture, 2));
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(image), error));
  ASSERT_EQ(engine.workers(), 2u);
  const EngineRun run = run_to_end(engine);
  expect_matches_reference(run, reference, table->rule_count());
  EXPECT_GT(run.at(0, CounterSlot::kPackets), 0u);
  EXPECT_GT(run.at(1, CounterSlot::kPackets), 0u);
}

TEST(LivePcap, AFullEventRingCountsLostEventsAndTheWorkerGoesOn) {
  const std::vector<uint8_t> capture = demo_capture();
  const std::vector<uint8_t> image = opcode_table(0);
  auto table = load_table(image);
  const Reference reference = reference_of(capture, *table, table::IngressSide::kExternal);
  // A paced replay behaves as a live link: a full ring loses the event, the worker goes on.
  LiveConfig config = pcap_config(capture, 1, ReplayPace::kRate);
  config.replay.rate = 1e6;
  config.event_slots = 4;
  LiveEngine engine(config);
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(image), error));
  const EngineRun run = run_to_end(engine, /*drain_while_running=*/false);
  const uint64_t expected = reference.events[0] + reference.events[1] + reference.events[2] + reference.events[3];
  ASSERT_GT(expected, 4u);
  EXPECT_EQ(run.sum(CounterSlot::kEvents), 4u);
  EXPECT_EQ(run.sum(CounterSlot::kEventsLost), expected - 4);
  EXPECT_EQ(run.events.size(), 4u);
  EXPECT_EQ(run.sum(CounterSlot::kMessages), reference.messages.size()) << "losing events never loses packets";
}

TEST(LivePcap, AFastReplayWaitsForTheDrainInsteadOfLosingEvents) {
  const std::vector<uint8_t> capture = demo_capture();
  const std::vector<uint8_t> image = opcode_table(0);
  auto table = load_table(image);
  const Reference reference = reference_of(capture, *table, table::IngressSide::kExternal);
  const uint64_t expected = reference.events[0] + reference.events[1] + reference.events[2] + reference.events[3];
  LiveConfig config = pcap_config(capture, 1);  // pace fast: nothing to keep up with
  config.event_slots = 4;
  ASSERT_GT(expected, 4u * 4u) << "the ring must fill several times over";

  // Nobody drains: the worker fills the ring, then waits (it does not finish, loses nothing).
  {
    LiveEngine engine(config);
    EngineError error;
    ASSERT_TRUE(engine.load_table(view(image), error));
    const CounterLayout layout = counter_layout(engine.rule_capacity(), 1);
    std::vector<uint64_t> counters(layout.size);
    ASSERT_TRUE(engine.start(counters.data(), counters.size(), error)) << error.message;
    const auto at = [&](CounterSlot slot) { return __atomic_load_n(&counters[static_cast<uint32_t>(slot)], __ATOMIC_RELAXED); };
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (at(CounterSlot::kEventRingWaits) == 0 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(engine.state(), EngineState::kRunning) << "a waiting worker has not finished";
    EXPECT_GE(at(CounterSlot::kEventRingWaits), 1u);
    EXPECT_EQ(at(CounterSlot::kEventsLost), 0u);
    // Stopping a waiting worker ends the wait; what it was holding counts as lost.
    engine.stop();
    EXPECT_EQ(engine.state(), EngineState::kStopped);
    EXPECT_GE(counters[static_cast<uint32_t>(CounterSlot::kEventsLost)], 1u);
  }
  // A slow drainer: every event arrives, none is lost.
  LiveEngine engine(config);
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(image), error));
  const EngineRun run = run_to_end(engine);
  expect_matches_reference(run, reference, table->rule_count());
  EXPECT_GE(run.sum(CounterSlot::kEventRingWaits), 1u);
}

// Frame number -> capture timestamp, for checking which clock the events carry.
std::map<uint64_t, uint64_t> capture_times(const std::vector<uint8_t>& capture) {
  std::map<uint64_t, uint64_t> times;
  CaptureReader reader;
  CaptureError error;
  reader.open(view(capture), error);
  CaptureFrame frame;
  while (reader.next(frame, error)) times[frame.number] = frame.timestamp_ns;
  return times;
}

uint64_t wall_now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

TEST(LivePcap, AForensicReplayKeepsTheCaptureTimeAndAPacedOrLoopingOneIsStampedWithNow) {
  const std::vector<uint8_t> capture = demo_capture();
  const std::vector<uint8_t> image = opcode_table(0);
  const std::map<uint64_t, uint64_t> times = capture_times(capture);
  ASSERT_EQ(times.size(), 475u);
  const uint64_t hour = 3600ull * 1000000000ull;

  {  // pace fast, no loop: the capture's own timestamps
    LiveEngine engine(pcap_config(capture, 1));
    EngineError error;
    ASSERT_TRUE(engine.load_table(view(image), error));
    const EngineRun run = run_to_end(engine);
    ASSERT_FALSE(run.events.empty());
    for (const EventRecord& event : run.events) EXPECT_EQ(event.timestamp_ns, times.at(event.frame)) << "frame " << event.frame;
  }
  {  // pace rate: the time each frame was due, on the wall clock, in release order
    LiveConfig config = pcap_config(capture, 1, ReplayPace::kRate);
    config.replay.rate = 4000;
    LiveEngine engine(config);
    EngineError error;
    ASSERT_TRUE(engine.load_table(view(image), error));
    const uint64_t before = wall_now_ns();
    const EngineRun run = run_to_end(engine);
    const uint64_t after = wall_now_ns();
    ASSERT_FALSE(run.events.empty());
    uint64_t previous = 0;
    for (const EventRecord& event : run.events) {
      EXPECT_GE(event.timestamp_ns + 1000000ull, before) << "frame " << event.frame;  // 1 ms of clock skew between the two reads
      EXPECT_LE(event.timestamp_ns, after) << "frame " << event.frame;
      EXPECT_GE(event.timestamp_ns, previous);
      previous = event.timestamp_ns;
    }
  }
  {  // pace fast, looping: the wall-clock time of the burst, rounds after rounds
    LiveConfig config = pcap_config(capture, 1);
    config.replay.loop = true;
    LiveEngine engine(config);
    EngineError error;
    ASSERT_TRUE(engine.load_table(view(image), error));
    const CounterLayout layout = counter_layout(engine.rule_capacity(), 1);
    std::vector<uint64_t> counters(layout.size);
    const uint64_t before = wall_now_ns();
    ASSERT_TRUE(engine.start(counters.data(), counters.size(), error)) << error.message;
    std::vector<EventRecord> events;
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (__atomic_load_n(&counters[static_cast<uint32_t>(CounterSlot::kReplayLoops)], __ATOMIC_RELAXED) < 2 &&
           Clock::now() < deadline) {
      drain_into(engine, events);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    engine.stop();
    drain_into(engine, events);
    const uint64_t after = wall_now_ns();
    ASSERT_FALSE(events.empty());
    for (const EventRecord& event : events) {
      EXPECT_GE(event.timestamp_ns + 1000000ull, before);
      EXPECT_LE(event.timestamp_ns, after);
      EXPECT_GT(event.timestamp_ns, times.at(event.frame) + hour) << "not the capture's time";
    }
  }
}

TEST(LivePcap, LoopingReplayRunsUntilStopped) {
  const std::vector<uint8_t> capture = demo_capture();
  const std::vector<uint8_t> image = opcode_table(0);
  LiveConfig config = pcap_config(capture, 1);
  config.replay.loop = true;
  LiveEngine engine(config);
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(image), error));
  const CounterLayout layout = counter_layout(engine.rule_capacity(), 1);
  std::vector<uint64_t> counters(layout.size);
  ASSERT_TRUE(engine.start(counters.data(), counters.size(), error)) << error.message;
  std::vector<EventRecord> events;
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (__atomic_load_n(&counters[static_cast<uint32_t>(CounterSlot::kReplayLoops)], __ATOMIC_RELAXED) < 3 &&
         Clock::now() < deadline) {
    drain_into(engine, events);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(engine.state(), EngineState::kRunning);
  engine.stop();
  EXPECT_EQ(engine.state(), EngineState::kStopped);
  EXPECT_GE(counters[static_cast<uint32_t>(CounterSlot::kReplayLoops)], 3u);
  EXPECT_GE(counters[static_cast<uint32_t>(CounterSlot::kPackets)], 3u * 475u);
}

TEST(LivePcap, RatePacingSpreadsTheReplay) {
  const std::vector<uint8_t> capture = demo_capture();
  const std::vector<uint8_t> image = opcode_table(0);
  LiveConfig config = pcap_config(capture, 1, ReplayPace::kRate);
  config.replay.rate = 2000;  // 475 frames: about 0.24 s
  LiveEngine engine(config);
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(image), error));
  const auto start = Clock::now();
  const EngineRun run = run_to_end(engine);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(run.sum(CounterSlot::kPackets), 475u);
  EXPECT_GE(seconds, 474.0 / 2000.0 * 0.95) << "the last frame is due 474/2000 s after the first";
}

TEST(LivePcap, TableSwapsWhileReplayingLoseNothingAndEachMessageIsDecidedByOneTable) {
  const std::vector<uint8_t> capture = demo_capture();
  const std::vector<uint8_t> images[2] = {opcode_table(0), opcode_table(1)};
  auto table0 = load_table(images[0]);
  auto table1 = load_table(images[1]);
  const Reference references[2] = {reference_of(capture, *table0, table::IngressSide::kExternal),
                                   reference_of(capture, *table1, table::IngressSide::kExternal)};
  LiveConfig config = pcap_config(capture, 2, ReplayPace::kRate);
  config.replay.rate = 1500;  // about 0.3 s of replay to swap tables under
  LiveEngine engine(config);
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(images[0]), error));
  const CounterLayout layout = counter_layout(engine.rule_capacity(), engine.workers());
  std::vector<uint64_t> counters(layout.size);
  ASSERT_TRUE(engine.start(counters.data(), counters.size(), error)) << error.message;

  std::vector<int> variant_of_generation = {-1, 0};  // generation 1 is the first table
  std::vector<EventRecord> events;
  while (engine.state() == EngineState::kRunning) {
    const int variant = static_cast<int>(variant_of_generation.size() % 2);
    uint32_t generation = 0;
    ASSERT_TRUE(engine.set_table(view(images[variant]), generation, error)) << error.message;
    ASSERT_EQ(generation, variant_of_generation.size());
    variant_of_generation.push_back(variant);
    drain_into(engine, events);
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
    EXPECT_LE(engine.tables_held(), 3u + engine.workers()) << "retired tables are reclaimed while running";
  }
  EXPECT_EQ(engine.state(), EngineState::kFinished);
  engine.stop();
  drain_into(engine, events);

  const uint64_t messages = references[0].messages.size();
  uint64_t decided = 0;
  for (CounterSlot s : {CounterSlot::kVerdictAllow, CounterSlot::kVerdictDrop, CounterSlot::kVerdictAlert})
    for (uint32_t w = 0; w < layout.workers; ++w) decided += counters[w * layout.stride + static_cast<uint32_t>(s)];
  uint64_t counted = 0, packets = 0, lost = 0;
  for (uint32_t w = 0; w < layout.workers; ++w) {
    counted += counters[w * layout.stride + static_cast<uint32_t>(CounterSlot::kMessages)];
    packets += counters[w * layout.stride + static_cast<uint32_t>(CounterSlot::kPackets)];
    lost += counters[w * layout.stride + static_cast<uint32_t>(CounterSlot::kEventsLost)];
  }
  EXPECT_EQ(packets, references[0].frames);
  EXPECT_EQ(counted, messages);
  EXPECT_EQ(decided, messages);
  EXPECT_EQ(lost, 0u);

  ASSERT_GT(variant_of_generation.size(), 4u) << "the replay should have outlasted several swaps";
  std::set<uint32_t> generations_seen;
  uint64_t last_generation[2] = {0, 0};
  for (const EventRecord& event : events) {
    ASSERT_LT(event.table_generation, variant_of_generation.size());
    const int variant = variant_of_generation[event.table_generation];
    const ReferenceMessage* m = find_message(references[variant], event.frame, event.chunk);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(event.action, m->verdict.action) << "frame " << event.frame << " generation " << event.table_generation;
    EXPECT_EQ(event.rule, m->verdict.rule) << "frame " << event.frame << " generation " << event.table_generation;
    EXPECT_GE(event.table_generation, last_generation[event.worker]) << "a worker never goes back to an older table";
    last_generation[event.worker] = event.table_generation;
    generations_seen.insert(event.table_generation);
  }
  EXPECT_GE(generations_seen.size(), 2u);
  const std::vector<uint32_t> active = engine.active_generations();
  for (uint32_t g : active) EXPECT_EQ(g, variant_of_generation.size() - 1);
  EXPECT_EQ(engine.tables_held(), 1u) << "after stop only the current table is held";
}

TEST(LivePcap, ARefusedTableLeavesTheCurrentOneInPlace) {
  const std::vector<uint8_t> capture = demo_capture();
  const std::vector<uint8_t> image = opcode_table(0);
  LiveEngine engine(pcap_config(capture, 1));
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(image), error));
  std::vector<uint8_t> corrupt = image;
  corrupt[corrupt.size() / 2] ^= 0xFF;
  uint32_t generation = 0;
  EXPECT_FALSE(engine.set_table(view(corrupt), generation, error));
  EXPECT_EQ(error.code, "SIGWALL_ERR_TABLE");
  EXPECT_FALSE(error.message.empty());

  // More rules than the counters hold.
  sigwall::table::testing::ImageBuilder big = sigwall::table::testing::minimal_builder();
  for (int i = 0; i < 8; ++i) big.rules.push_back({"big#r" + std::to_string(i), 1, 0, 0});
  const std::vector<uint8_t> big_image = big.build();
  ASSERT_TRUE(load_table(big_image)) << "the oversized table itself is valid";
  EXPECT_FALSE(engine.set_table(view(big_image), generation, error));
  EXPECT_EQ(error.code, "SIGWALL_ERR_TABLE");
  EXPECT_NE(error.message.find("ruleCapacity"), std::string::npos) << error.message;

  const EngineRun run = run_to_end(engine);
  EXPECT_EQ(run.at(0, CounterSlot::kTableGeneration), 1u);
  EXPECT_EQ(run.sum(CounterSlot::kPackets), 475u);
}

TEST(LivePcap, StartRefusesADamagedCaptureAndASmallCountersBuffer) {
  std::vector<uint8_t> capture = demo_capture();
  const std::vector<uint8_t> image = opcode_table(0);
  {
    LiveEngine engine(pcap_config(capture, 1));
    EngineError error;
    ASSERT_TRUE(engine.load_table(view(image), error));
    std::vector<uint64_t> counters(counter_layout(engine.rule_capacity(), 1).size - 1);
    EXPECT_FALSE(engine.start(counters.data(), counters.size(), error));
    EXPECT_EQ(error.code, "SIGWALL_ERR_ENGINE");
    EXPECT_NE(error.message.find("counterLayout"), std::string::npos) << error.message;
  }
  capture.resize(capture.size() - 7);  // the last record is cut short
  LiveEngine engine(pcap_config(capture, 1));
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(image), error));
  std::vector<uint64_t> counters(counter_layout(engine.rule_capacity(), 1).size);
  EXPECT_FALSE(engine.start(counters.data(), counters.size(), error));
  EXPECT_EQ(error.code, "SIGWALL_ERR_CAPTURE");
  EXPECT_NE(error.message.find("offset"), std::string::npos) << error.message;
  EXPECT_EQ(engine.state(), EngineState::kIdle);
}

TEST(LivePcap, WorkersArePinnedWhereAskedAndAMissingCpuIsAnError) {
  const std::vector<uint8_t> capture = demo_capture();
  const std::vector<uint8_t> image = opcode_table(0);
  {
    LiveConfig config = pcap_config(capture, 2);
    config.cpus = {0};  // both workers on CPU 0
    LiveEngine engine(config);
    EngineError error;
    ASSERT_TRUE(engine.load_table(view(image), error));
    const EngineRun run = run_to_end(engine);
    EXPECT_EQ(run.sum(CounterSlot::kPackets), 475u);
  }
  const unsigned cpus = std::thread::hardware_concurrency();
  if (cpus >= 1023) GTEST_SKIP() << "this machine has CPU 1023";
  LiveConfig config = pcap_config(capture, 1);
  config.cpus = {1023};
  LiveEngine engine(config);
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(image), error));
  std::vector<uint64_t> counters(counter_layout(engine.rule_capacity(), 1).size);
  EXPECT_FALSE(engine.start(counters.data(), counters.size(), error));
  EXPECT_EQ(error.code, "SIGWALL_ERR_ENGINE");
  EXPECT_NE(error.message.find("cpu 1023"), std::string::npos) << error.message;
}

// --- inline decisions, through a scripted backend ------------------------------------------------

// Hands a fixed list of frames to one worker and records what it transmits. Test-only: it
// allocates per transmitted frame, which a real backend never does.
class ScriptedBackend final : public Backend {
 public:
  struct Frame {
    std::vector<uint8_t> bytes;
    uint16_t port = 0;
    uint16_t flags = 0;
    uint16_t vlan_tci = 0;
  };
  struct Sent {
    uint16_t port;
    std::vector<uint8_t> bytes;
  };

  explicit ScriptedBackend(std::vector<Frame> frames) : io_(std::move(frames)) {}
  const char* name() const override { return "scripted"; }
  bool open(const LiveConfig&, uint32_t workers, BackendError& error) override {
    if (workers != 1) {
      std::snprintf(error.message, sizeof error.message, "one worker only");
      return false;
    }
    return true;
  }
  uint32_t worker_count() const override { return 1; }
  WorkerIo& worker(uint32_t) override { return io_; }
  void close() override {}
  const BackendError& error() const override { return error_; }
  const std::vector<Sent>& sent() const { return io_.sent; }
  uint32_t flushes() const { return io_.flushes; }

 private:
  struct Io final : WorkerIo {
    explicit Io(std::vector<Frame> frames) : frames(std::move(frames)) {}
    uint32_t receive(PacketRef* refs, uint32_t max, int) override {
      uint32_t n = 0;
      while (n < max && next < frames.size()) {
        const Frame& f = frames[next];
        PacketRef& ref = refs[n++];
        ref = PacketRef{};
        ref.data = f.bytes.data();
        ref.length = static_cast<uint32_t>(f.bytes.size());
        ref.original_length = ref.length;
        ref.frame = ++next;
        ref.timestamp_ns = 1'700'000'000'000'000'000ull + next * 1000;
        ref.port = f.port;
        ref.flags = f.flags;
        ref.vlan_tci = f.vlan_tci;
        ref.vlan_tpid = f.flags & kVlanStripped ? 0x8100 : 0;
      }
      return n;
    }
    void release() override {}
    bool transmit(uint16_t port, const uint8_t* frame, uint32_t length) override {
      sent.push_back(Sent{port, std::vector<uint8_t>(frame, frame + length)});
      return true;
    }
    void flush() override { ++flushes; }
    void stats(IoStats& out) override { out = IoStats{}; }
    IoState state() const override { return next >= frames.size() ? IoState::kFinished : IoState::kRunning; }
    std::vector<Frame> frames;
    size_t next = 0;
    std::vector<Sent> sent;
    uint32_t flushes = 0;
  };
  Io io_;
  BackendError error_;
};

// An ARP request: not IP, so never inspected, always bridged.
std::vector<uint8_t> arp_frame() {
  std::vector<uint8_t> frame = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06,
                                0, 1, 0x08, 0x00, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 1, 10, 99, 0, 1,
                                0, 0, 0, 0, 0, 0, 10, 99, 0, 2};
  frame.resize(60, 0);
  return frame;
}

struct InlineCase {
  std::vector<ScriptedBackend::Frame> frames;
  Reference reference;
};

// The demo capture's frames alternately on the external (0) and internal (1) port, plus ARP.
InlineCase inline_case(const std::vector<uint8_t>& image) {
  InlineCase out;
  const std::vector<uint8_t> capture = demo_capture();
  auto table = load_table(image);
  out.reference = reference_of(capture, *table, table::IngressSide::kExternal);
  CaptureReader reader;
  CaptureError error;
  reader.open(view(capture), error);
  CaptureFrame frame;
  while (reader.next(frame, error))
    out.frames.push_back({std::vector<uint8_t>(frame.bytes.data, frame.bytes.data + frame.bytes.size),
                          static_cast<uint16_t>(frame.number % 2), 0, 0});
  out.frames.push_back({arp_frame(), 0, 0, 0});
  out.frames.push_back({arp_frame(), 1, 0, 0});
  return out;
}

LiveConfig inline_config(EngineMode mode) {
  LiveConfig config;
  config.backend = BackendKind::kAfPacket;  // the ports and roles matter; the backend is injected
  config.mode = mode;
  if (mode == EngineMode::kMonitor) {
    config.ports = {PortConfig{"ext0", PortRole::kMonitor, {}}, PortConfig{"int0", PortRole::kMonitor, {}}};
  } else {
    config.ports = {PortConfig{"ext0", PortRole::kExternal, {}}, PortConfig{"int0", PortRole::kInternal, {}}};
  }
  config.workers = 1;
  config.batch = 8;
  return config;
}

EngineRun run_scripted(LiveConfig config, const std::vector<uint8_t>& image, std::vector<ScriptedBackend::Frame> frames,
                 const ScriptedBackend** backend_out, std::unique_ptr<LiveEngine>& holder) {
  auto backend = std::make_unique<ScriptedBackend>(std::move(frames));
  *backend_out = backend.get();
  holder = std::make_unique<LiveEngine>(std::move(config), std::move(backend));
  EngineError error;
  EXPECT_TRUE(holder->load_table(view(image), error)) << error.message;
  return run_to_end(*holder);
}

TEST(LiveInline, ForwardsEveryPacketWithoutADroppedMessageUnchangedAndNothingElse) {
  // The side of each message is its port's role; the opcode rules here do not look at it.
  const std::vector<uint8_t> image = opcode_table(0);
  InlineCase c = inline_case(image);
  const std::vector<ScriptedBackend::Frame> frames = c.frames;
  const ScriptedBackend* backend = nullptr;
  std::unique_ptr<LiveEngine> engine;
  const EngineRun run = run_scripted(inline_config(EngineMode::kInline), image, c.frames, &backend, engine);

  std::vector<size_t> expected;  // indices into frames
  for (size_t i = 0; i < frames.size(); ++i) {
    const uint64_t number = i + 1;
    const bool is_capture_frame = number <= c.reference.frames;
    if (!is_capture_frame || !c.reference.frame_dropped.at(number)) expected.push_back(i);
  }
  uint64_t dropped_frames = 0;
  for (const auto& [frame, dropped] : c.reference.frame_dropped) dropped_frames += dropped;
  ASSERT_GT(dropped_frames, 0u);
  ASSERT_EQ(backend->sent().size(), expected.size());
  for (size_t k = 0; k < expected.size(); ++k) {
    const ScriptedBackend::Frame& in = frames[expected[k]];
    EXPECT_EQ(backend->sent()[k].port, 1 - in.port) << "forwarded to the other port";
    EXPECT_EQ(backend->sent()[k].bytes, in.bytes) << "forwarded byte for byte (frame " << expected[k] + 1 << ")";
  }
  EXPECT_EQ(run.sum(CounterSlot::kForwardedPackets), expected.size());
  EXPECT_EQ(run.sum(CounterSlot::kDroppedPackets), dropped_frames);
  EXPECT_EQ(run.sum(CounterSlot::kNonSctpPackets), 2u + c.reference.frames - c.reference.sctp_packets);
  EXPECT_GT(backend->flushes(), 0u);
}

TEST(LiveInline, MonitorModeNeverTransmits) {
  const std::vector<uint8_t> image = opcode_table(0);
  InlineCase c = inline_case(image);
  const ScriptedBackend* backend = nullptr;
  std::unique_ptr<LiveEngine> engine;
  const EngineRun run = run_scripted(inline_config(EngineMode::kMonitor), image, c.frames, &backend, engine);
  EXPECT_TRUE(backend->sent().empty());
  EXPECT_EQ(run.sum(CounterSlot::kForwardedPackets), 0u);
  EXPECT_EQ(run.sum(CounterSlot::kDroppedPackets), 0u);
  EXPECT_EQ(run.sum(CounterSlot::kMessages), c.reference.messages.size());
  EXPECT_EQ(run.sum(CounterSlot::kVerdictDrop), c.reference.verdicts[1]);
}

TEST(LiveInline, InspectOffForwardsEverythingWithoutDecoding) {
  const std::vector<uint8_t> image = opcode_table(0);
  InlineCase c = inline_case(image);
  LiveConfig config = inline_config(EngineMode::kInline);
  config.inspect = false;
  const ScriptedBackend* backend = nullptr;
  std::unique_ptr<LiveEngine> engine;
  const EngineRun run = run_scripted(config, image, c.frames, &backend, engine);
  EXPECT_EQ(backend->sent().size(), c.frames.size());
  EXPECT_EQ(run.sum(CounterSlot::kMessages), 0u);
  EXPECT_EQ(run.sum(CounterSlot::kForwardedPackets), c.frames.size());
  EXPECT_TRUE(run.events.empty());
}

TEST(LiveInline, AVlanTagTheKernelStrippedIsPutBackBeforeDecodingAndForwarding) {
  const std::vector<uint8_t> image = opcode_table(0);
  InlineCase c = inline_case(image);
  // Frame 1 as it reaches a packet socket when the kernel took VLAN 100 off into metadata.
  ScriptedBackend::Frame stripped = c.frames[0];
  stripped.flags = kVlanStripped;
  stripped.vlan_tci = 100;
  const ScriptedBackend* backend = nullptr;
  std::unique_ptr<LiveEngine> engine;
  const EngineRun run = run_scripted(inline_config(EngineMode::kInline), image, {stripped}, &backend, engine);
  ASSERT_EQ(backend->sent().size(), c.reference.frame_dropped.at(1) ? 0u : 1u);
  EXPECT_EQ(run.sum(CounterSlot::kSctpPackets), 1u) << "the tagged frame still decodes as SCTP";
  if (!backend->sent().empty()) {
    const std::vector<uint8_t>& out = backend->sent()[0].bytes;
    ASSERT_EQ(out.size(), stripped.bytes.size() + 4);
    EXPECT_EQ(out[12], 0x81);
    EXPECT_EQ(out[13], 0x00);
    EXPECT_EQ(out[15], 100);
    EXPECT_TRUE(std::equal(out.begin() + 16, out.end(), stripped.bytes.begin() + 12));
  }
}

TEST(LiveInline, AnSctpChecksumLeftToOffloadIsCompletedBeforeDecodingAndForwarding) {
  const std::vector<uint8_t> image = opcode_table(0);
  InlineCase c = inline_case(image);
  // The first plain IPv4 SCTP frame of the capture, its CRC32c zeroed as a sender that relies on
  // checksum offload leaves it (the packet socket then reports TP_STATUS_CSUMNOTREADY).
  size_t index = 0;
  while (index < c.frames.size() &&
         !(c.frames[index].bytes.size() > 34 && c.frames[index].bytes[12] == 0x08 && c.frames[index].bytes[13] == 0x00 &&
           c.frames[index].bytes[23] == 132))
    ++index;
  ASSERT_LT(index, c.frames.size());
  ASSERT_FALSE(c.reference.frame_dropped.at(index + 1));
  const std::vector<uint8_t> original = c.frames[index].bytes;
  ScriptedBackend::Frame partial = c.frames[index];
  const uint32_t sctp = 14 + (partial.bytes[14] & 0x0F) * 4u;
  std::fill(partial.bytes.begin() + sctp + 8, partial.bytes.begin() + sctp + 12, 0);
  ASSERT_NE(partial.bytes, original);
  partial.flags = kChecksumNotReady;
  const ScriptedBackend* backend = nullptr;
  std::unique_ptr<LiveEngine> engine;
  const EngineRun run = run_scripted(inline_config(EngineMode::kInline), image, {partial}, &backend, engine);
  ASSERT_EQ(backend->sent().size(), 1u);
  EXPECT_EQ(backend->sent()[0].bytes, original) << "forwarded with the CRC32c the offload would have written";
  EXPECT_EQ(run.sum(CounterSlot::kChecksumsCompleted), 1u);
  EXPECT_EQ(run.counters[run.layout.anomalies + static_cast<uint32_t>(Anomaly::kSctpBadCrc)], 0u);

  // Without the flag a zeroed CRC is what it looks like: flagged, and forwarded as received.
  partial.flags = 0;
  const EngineRun plain = run_scripted(inline_config(EngineMode::kInline), image, {partial}, &backend, engine);
  EXPECT_EQ(plain.counters[plain.layout.anomalies + static_cast<uint32_t>(Anomaly::kSctpBadCrc)], 1u);
  EXPECT_EQ(plain.sum(CounterSlot::kChecksumsCompleted), 0u);
}

// Both builds are checked wherever this runs: a build without the afxdp backend refuses it and
// says why (and how to get it); a build with it gets past that point and fails on the port
// itself (ports that do not exist), never with "not built".
TEST(LiveEngineBackends, AfxdpIsBuiltOrSaysWhyNot) {
  LiveConfig config = inline_config(EngineMode::kInline);
  config.backend = BackendKind::kAfXdp;
  config.ports = {PortConfig{"sgwnoext0", PortRole::kExternal, {}}, PortConfig{"sgwnoint0", PortRole::kInternal, {}}};
  const bool built = make_afxdp_backend() != nullptr;
  LiveEngine engine(config);
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(opcode_table(0)), error));
  std::vector<uint64_t> counters(counter_layout(engine.rule_capacity(), engine.workers()).size);
  EXPECT_FALSE(engine.start(counters.data(), counters.size(), error));
  EXPECT_EQ(error.code, "SIGWALL_ERR_ENGINE");
  if (built) {
    EXPECT_EQ(error.message.find("not built"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("sgwnoext0"), std::string::npos) << error.message;
  } else {
    EXPECT_NE(error.message.find("not built"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("libxdp-dev"), std::string::npos) << error.message;
  }
}

}  // namespace
}  // namespace sigwall::live
