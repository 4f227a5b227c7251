// The XDP program against the engine's decoder on every Ethernet frame of the shared captures and
// the demo capture: no frame the engine decodes as SCTP may be one the program keeps from it
// (bridged or passed in the kernel), or an attacker's SCTP could cross unjudged. The program runs
// in the kernel with BPF_PROG_TEST_RUN on a monitor, fail-closed instance without a socket, where
// "treated as SCTP" is XDP_DROP. Needs root; compiled only when the build has the backend.
#ifdef SIGWALL_HAVE_AFXDP

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "afxdp_test_support.h"
#include "engine/decode_pipeline.h"
#include "io/capture_reader.h"
#include "live/afxdp_backend.h"
#include "live_test_support.h"

namespace sigwall::live {
namespace {

constexpr uint32_t kLinkTypeEthernet = 1;
// BPF_PROG_TEST_RUN takes a linear frame of at most a page minus the XDP headroom and tailroom.
constexpr uint32_t kMaxTestRunFrame = 3000;

struct NoMessages final : MessageSink {
  void on_message(const Ss7Message&) override {}
};

std::vector<std::filesystem::path> captures() {
  std::vector<std::filesystem::path> paths = {SIGWALL_DEMO_CAPTURE};
  std::error_code error;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(SIGWALL_SHARED_CAPTURES, error)) {
    const std::string extension = entry.path().extension().string();
    if (entry.is_regular_file() && (extension == ".pcap" || extension == ".pcapng" || extension == ".cap")) {
      paths.push_back(entry.path());
    }
  }
  return paths;
}

class AfxdpClassifyTest : public afxdp_testing::VethPairsTest {};

TEST_F(AfxdpClassifyTest, EveryFrameTheEngineDecodesAsSctpGoesToTheEngine) {
  XdpProgram program;
  BackendError error;
  XdpProgramOptions options;
  options.mode = EngineMode::kMonitor;
  options.fail_mode = FailMode::kClosed;
  ASSERT_TRUE(program.attach("mA", options, error)) << error.message;

  uint64_t ethernet_frames = 0;
  uint64_t sctp_frames = 0;
  uint64_t steered_not_sctp = 0;  // fragments and the like: the engine sees more, never less
  for (const std::filesystem::path& path : captures()) {
    const std::vector<uint8_t> bytes = testing::read_file(path.string());
    CaptureReader reader;
    CaptureError capture_error;
    if (!reader.open(testing::view(bytes), capture_error)) continue;  // not a capture the reader takes
    DecodePipeline pipeline{DecodeOptions{}};
    NoMessages sink;
    CaptureFrame frame;
    while (reader.next(frame, capture_error)) {
      if (frame.link_type != kLinkTypeEthernet || frame.bytes.size < 14 || frame.bytes.size > kMaxTestRunFrame) continue;
      ++ethernet_frames;
      const uint64_t sctp_before = pipeline.stats().sctp_packets;
      pipeline.decode_frame(FrameInfo{frame.number, frame.timestamp_ns, frame.link_type}, frame.bytes, sink);
      const bool engine_sctp = pipeline.stats().sctp_packets != sctp_before;

      std::vector<uint8_t> data(frame.bytes.data, frame.bytes.data + frame.bytes.size);
      DECLARE_LIBBPF_OPTS(bpf_test_run_opts, run_options, .data_in = data.data(),
                          .data_size_in = static_cast<uint32_t>(data.size()), .repeat = 1);
      ASSERT_EQ(bpf_prog_test_run_opts(program.program_fd(), &run_options), 0) << path << " frame " << frame.number;
      const bool steered = run_options.retval == XDP_DROP;
      EXPECT_TRUE(steered || !engine_sctp) << path << " frame " << frame.number
                                           << ": SCTP for the engine, but the XDP program keeps it in the kernel";
      sctp_frames += engine_sctp;
      steered_not_sctp += steered && !engine_sctp;
    }
  }
  // The differential means something only over real SCTP traffic.
  EXPECT_GT(ethernet_frames, 700u);
  EXPECT_GT(sctp_frames, 600u);
  RecordProperty("ethernet_frames", std::to_string(ethernet_frames));
  RecordProperty("steered_but_not_sctp_for_the_engine", std::to_string(steered_not_sctp));
}

// The same property on frames the captures do not have: SCTP frames of the demo capture with
// header bytes changed at random (seeded, so a failure reproduces): ethertypes, VLAN tags, IP
// versions, header lengths, fragment fields, next headers. Whatever the engine still decodes as
// SCTP, the program must steer to it.
TEST_F(AfxdpClassifyTest, MutatedHeadersNeverHideSctpFromTheEngine) {
  XdpProgram program;
  BackendError error;
  XdpProgramOptions options;
  options.mode = EngineMode::kMonitor;
  options.fail_mode = FailMode::kClosed;
  ASSERT_TRUE(program.attach("mA", options, error)) << error.message;

  const std::vector<uint8_t> capture = testing::demo_capture();
  CaptureReader reader;
  CaptureError capture_error;
  ASSERT_TRUE(reader.open(testing::view(capture), capture_error));
  std::vector<std::vector<uint8_t>> sctp_frames;
  {
    DecodePipeline pipeline{DecodeOptions{}};
    NoMessages sink;
    CaptureFrame frame;
    while (reader.next(frame, capture_error)) {
      const uint64_t before = pipeline.stats().sctp_packets;
      pipeline.decode_frame(FrameInfo{frame.number, frame.timestamp_ns, frame.link_type}, frame.bytes, sink);
      if (pipeline.stats().sctp_packets != before && frame.bytes.size <= kMaxTestRunFrame) {
        sctp_frames.emplace_back(frame.bytes.data, frame.bytes.data + frame.bytes.size);
      }
    }
  }
  ASSERT_GT(sctp_frames.size(), 100u);

  std::mt19937 random(20261204);
  uint64_t still_sctp = 0;
  DecodePipeline pipeline{DecodeOptions{}};
  NoMessages sink;
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> frame = sctp_frames[random() % sctp_frames.size()];
    // Header bytes only (Ethernet, tags, IP, the start of SCTP): 1 to 4 of the first 64.
    const int changes = 1 + static_cast<int>(random() % 4);
    for (int c = 0; c < changes; ++c) {
      const size_t at = random() % std::min<size_t>(64, frame.size());
      // Half the time a value that means something at a header boundary.
      static constexpr uint8_t kInteresting[] = {0x81, 0x00, 0x88, 0xa8, 0x91, 0x08, 0x86, 0xdd, 0x84, 0x2c,
                                                 0x3c, 0x2b, 0x33, 0x45, 0x46, 0x4f, 0x60, 0x20, 0xff, 0x11};
      frame[at] = (random() & 1) ? kInteresting[random() % sizeof kInteresting] : static_cast<uint8_t>(random());
    }
    const uint64_t before = pipeline.stats().sctp_packets;
    pipeline.decode_frame(FrameInfo{static_cast<uint64_t>(round) + 1, 0, kLinkTypeEthernet},
                          ByteView{frame.data(), static_cast<uint32_t>(frame.size())}, sink);
    const bool engine_sctp = pipeline.stats().sctp_packets != before;
    DECLARE_LIBBPF_OPTS(bpf_test_run_opts, run_options, .data_in = frame.data(),
                        .data_size_in = static_cast<uint32_t>(frame.size()), .repeat = 1);
    ASSERT_EQ(bpf_prog_test_run_opts(program.program_fd(), &run_options), 0);
    const bool steered = run_options.retval == XDP_DROP;
    still_sctp += engine_sctp;
    if (engine_sctp && !steered) {
      std::string bytes;
      char hex[4];
      for (size_t i = 0; i < frame.size() && i < 64; ++i) {
        snprintf(hex, sizeof hex, " %02x", frame[i]);
        bytes += hex;
      }
      ADD_FAILURE() << "round " << round << ": SCTP for the engine kept in the kernel:" << bytes;
      break;
    }
  }
  EXPECT_GT(still_sctp, 5000u) << "the mutations must leave plenty of SCTP for the property to bite";
}

}  // namespace
}  // namespace sigwall::live

#endif  // SIGWALL_HAVE_AFXDP
