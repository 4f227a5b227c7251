// The whole live engine on the afxdp backend: the demo capture injected at host A crosses
// sigwall inline (mA <-> mB) to host B, judged by a real table. Every frame without a dropped
// message arrives byte for byte, no frame carrying a dropped message does, and the engine's
// counters agree with the reference decode (live_test_support.h). Needs root; compiled only
// when the build has the backend.
#ifdef SIGWALL_HAVE_AFXDP

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "afxdp_test_support.h"
#include "live/afxdp_backend.h"
#include "live/counters.h"
#include "live/engine.h"
#include "live_test_support.h"

namespace sigwall::live {
namespace {

using afxdp_testing::Frame;
using afxdp_testing::PacketPort;
using testing::demo_capture;
using testing::opcode_table;
using testing::reference_of;
using testing::view;

class AfxdpEngineTest : public afxdp_testing::VethPairsTest {
 protected:
  static LiveConfig config(EngineMode mode) {
    LiveConfig config;
    config.backend = BackendKind::kAfXdp;
    config.mode = mode;
    if (mode == EngineMode::kInline) {
      config.ports = {PortConfig{"mA", PortRole::kExternal, {}}, PortConfig{"mB", PortRole::kInternal, {}}};
    } else {
      config.ports = {PortConfig{"mA", PortRole::kMonitor, {}}};
    }
    config.workers = 1;
    config.ring_frames = 2048;
    config.batch = 64;
    config.fail_mode = FailMode::kClosed;
    return config;
  }

  static std::vector<Frame> capture_frames(const std::vector<uint8_t>& capture) {
    std::vector<Frame> frames;
    CaptureReader reader;
    CaptureError error;
    EXPECT_TRUE(reader.open(view(capture), error));
    CaptureFrame frame;
    while (reader.next(frame, error)) frames.emplace_back(frame.bytes.data, frame.bytes.data + frame.bytes.size);
    return frames;
  }

  static std::string describe(const Frame& frame) {
    std::string text = std::to_string(frame.size()) + " bytes:";
    char hex[4];
    for (size_t i = 0; i < frame.size() && i < 48; ++i) {
      snprintf(hex, sizeof hex, " %02x", frame[i]);
      text += hex;
    }
    return text;
  }

  static uint64_t sum(const std::vector<uint64_t>& counters, const CounterLayout& layout, CounterSlot slot) {
    uint64_t total = 0;
    for (uint32_t w = 0; w < layout.workers; ++w) total += counters[w * layout.stride + static_cast<uint32_t>(slot)];
    return total;
  }

  // Waits until the engine has seen `packets` packets (counters are written by the worker).
  static bool wait_for_packets(const std::vector<uint64_t>& counters, const CounterLayout& layout, uint64_t packets) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      uint64_t seen = 0;
      for (uint32_t w = 0; w < layout.workers; ++w) {
        seen += __atomic_load_n(&counters[w * layout.stride + static_cast<uint32_t>(CounterSlot::kPackets)],
                                __ATOMIC_RELAXED);
      }
      if (seen >= packets) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
};

TEST_F(AfxdpEngineTest, InlineForwardsAllowedSctpUnchangedAndNeverAFrameWithADroppedMessage) {
  const std::vector<uint8_t> image = opcode_table(0);
  const std::vector<uint8_t> capture = demo_capture();
  auto table = testing::load_table(image);
  ASSERT_NE(table, nullptr);
  const testing::Reference reference = reference_of(capture, *table, table::IngressSide::kExternal);
  const std::vector<Frame> frames = capture_frames(capture);
  ASSERT_EQ(frames.size(), reference.frames);

  LiveEngine engine(config(EngineMode::kInline));
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(image), error)) << error.message;
  const CounterLayout layout = counter_layout(engine.rule_capacity(), engine.workers());
  std::vector<uint64_t> counters(layout.size);
  ASSERT_TRUE(engine.start(counters.data(), counters.size(), error)) << error.message;

  PacketPort host_a("vA");
  PacketPort host_b("vB");
  ASSERT_TRUE(host_a.ok() && host_b.ok());
  std::vector<Frame> expected;
  uint64_t dropped_frames = 0;
  uint64_t sctp_expected_at_engine = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    ASSERT_TRUE(host_a.send(frames[i])) << "frame " << i + 1;
    if (reference.frame_dropped.at(i + 1)) {
      ++dropped_frames;
    } else {
      expected.push_back(frames[i]);
    }
    // Paced in small bursts: the test checks the verdicts, not the ring sizes.
    if (i % 32 == 31) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  sctp_expected_at_engine = reference.sctp_packets;
  std::vector<Frame> received = host_b.receive_all(expected.size() + 1, 1000);
  ASSERT_TRUE(wait_for_packets(counters, layout, sctp_expected_at_engine));
  // The XDP program's own counters, as the addon hands them to TypeScript: every SCTP frame
  // from A went to the engine on mA, the rest crossed in the kernel, and with sockets bound on
  // every queue no fail action applied.
  const std::vector<KernelPortCounters> kernel = engine.kernel_counters();
  engine.stop();
  ASSERT_EQ(kernel.size(), 2u);
  const KernelPortCounters& on_a = kernel[0];
  EXPECT_EQ(on_a.packets[SIGWALL_XDP_REDIRECTED_TO_XSK], reference.sctp_packets);
  EXPECT_EQ(on_a.bytes[SIGWALL_XDP_REDIRECTED_TO_XSK], sum(counters, layout, CounterSlot::kBytes));
  // Stray frames of the hosts' own stacks (IPv6 neighbour discovery) may cross too.
  EXPECT_GE(on_a.packets[SIGWALL_XDP_NON_SCTP_BRIDGED], frames.size() - reference.sctp_packets);
  for (const KernelPortCounters& port : kernel) {
    EXPECT_EQ(port.packets[SIGWALL_XDP_FAIL_OPEN_FORWARDED], 0u);
    EXPECT_EQ(port.packets[SIGWALL_XDP_FAIL_CLOSED_DROPPED], 0u);
    EXPECT_EQ(port.packets[SIGWALL_XDP_FAIL_OPEN_PASSED] + port.packets[SIGWALL_XDP_NON_SCTP_PASSED], 0u);
  }
  EXPECT_TRUE(engine.kernel_counters().empty()) << "a stopped engine has no program to read";

  ASSERT_GT(dropped_frames, 0u) << "the table must drop something for this test to mean anything";
  // Kernel-bridged non-SCTP frames and engine-forwarded SCTP frames take different paths, so
  // compare as multisets; each is byte for byte.
  std::sort(expected.begin(), expected.end());
  std::sort(received.begin(), received.end());
  EXPECT_EQ(received.size(), expected.size());
  std::vector<Frame> missing;
  std::set_difference(expected.begin(), expected.end(), received.begin(), received.end(), std::back_inserter(missing));
  std::vector<Frame> unexpected;
  std::set_difference(received.begin(), received.end(), expected.begin(), expected.end(), std::back_inserter(unexpected));
  EXPECT_TRUE(missing.empty() && unexpected.empty())
      << missing.size() << " expected frame(s) did not reach B, " << unexpected.size() << " other frame(s) did; first missing: "
      << (missing.empty() ? std::string("-") : describe(missing[0]))
      << "; first unexpected: " << (unexpected.empty() ? std::string("-") : describe(unexpected[0]));

  // Only SCTP reaches the engine; the rest was bridged by the XDP program.
  EXPECT_EQ(sum(counters, layout, CounterSlot::kPackets), reference.sctp_packets);
  EXPECT_EQ(sum(counters, layout, CounterSlot::kMessages), reference.messages.size());
  EXPECT_EQ(sum(counters, layout, CounterSlot::kDroppedPackets), dropped_frames);
  EXPECT_EQ(sum(counters, layout, CounterSlot::kForwardedPackets), reference.sctp_packets - dropped_frames);
  EXPECT_EQ(sum(counters, layout, CounterSlot::kVerdictDrop), reference.verdicts[1]);
  EXPECT_EQ(sum(counters, layout, CounterSlot::kRingDrops), 0u);
  EXPECT_EQ(sum(counters, layout, CounterSlot::kTxErrors), 0u);

  AttachedXdpProgram attached;
  EXPECT_FALSE(query_attached_xdp_program("mA", attached)) << "stop() left the program on mA";
  EXPECT_FALSE(query_attached_xdp_program("mB", attached)) << "stop() left the program on mB";
}

TEST_F(AfxdpEngineTest, MonitorCountsEveryMessageAndForwardsNothing) {
  const std::vector<uint8_t> image = opcode_table(0);
  const std::vector<uint8_t> capture = demo_capture();
  auto table = testing::load_table(image);
  ASSERT_NE(table, nullptr);
  LiveConfig monitor = config(EngineMode::kMonitor);
  monitor.monitor_side = table::IngressSide::kExternal;
  const testing::Reference reference = reference_of(capture, *table, monitor.monitor_side);
  const std::vector<Frame> frames = capture_frames(capture);

  LiveEngine engine(monitor);
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(image), error)) << error.message;
  const CounterLayout layout = counter_layout(engine.rule_capacity(), engine.workers());
  std::vector<uint64_t> counters(layout.size);
  ASSERT_TRUE(engine.start(counters.data(), counters.size(), error)) << error.message;
  PacketPort host_a("vA");
  PacketPort host_b("vB");
  ASSERT_TRUE(host_a.ok() && host_b.ok());
  for (size_t i = 0; i < frames.size(); ++i) {
    ASSERT_TRUE(host_a.send(frames[i]));
    if (i % 32 == 31) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_TRUE(wait_for_packets(counters, layout, reference.sctp_packets));
  EXPECT_TRUE(host_b.receive_all(1, 300).empty()) << "a monitor port forwarded something";
  const std::vector<KernelPortCounters> kernel = engine.kernel_counters();
  engine.stop();
  ASSERT_EQ(kernel.size(), 1u);
  EXPECT_EQ(kernel[0].packets[SIGWALL_XDP_REDIRECTED_TO_XSK], reference.sctp_packets);
  EXPECT_GE(kernel[0].packets[SIGWALL_XDP_NON_SCTP_PASSED], frames.size() - reference.sctp_packets);
  EXPECT_EQ(kernel[0].packets[SIGWALL_XDP_NON_SCTP_BRIDGED] + kernel[0].packets[SIGWALL_XDP_FAIL_CLOSED_DROPPED], 0u);
  EXPECT_EQ(sum(counters, layout, CounterSlot::kPackets), reference.sctp_packets);
  EXPECT_EQ(sum(counters, layout, CounterSlot::kMessages), reference.messages.size());
  EXPECT_EQ(sum(counters, layout, CounterSlot::kVerdictDrop), reference.verdicts[1]);
  EXPECT_EQ(sum(counters, layout, CounterSlot::kVerdictAlert), reference.verdicts[2]);
  EXPECT_EQ(sum(counters, layout, CounterSlot::kForwardedPackets), 0u);
}

}  // namespace
}  // namespace sigwall::live

#endif  // SIGWALL_HAVE_AFXDP
