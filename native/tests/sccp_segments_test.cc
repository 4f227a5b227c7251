// SCCP segment reassembly (Q.714 §4.1.1.2 / §4.1.2.2): sequence rules, bounds, timeout, and
// the pwnss7 reassembly attacks (shared captures, compared with tshark).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "decode/ip.h"
#include "decode/limits.h"
#include "decode/link.h"
#include "decode/m3ua.h"
#include "decode/sccp.h"
#include "decode/sctp.h"
#include "io/capture_reader.h"
#include "sccp/segments.h"

namespace sigwall {
namespace {

constexpr uint64_t kSecond = 1000ull * 1000 * 1000;

// The route and calling party of every segment below unless a test changes them.
Mtp3Route route_666_to_1337() {
  Mtp3Route route;
  route.present = true;
  route.opc = 666;
  route.dpc = 1337;
  route.si = mtp3_si::kSccp;
  return route;
}

// A decoded XUDT segment: what decode_sccp fills for the reassembler.
struct Segment {
  SccpView view;
  std::vector<uint8_t> data;

  Segment(bool first, uint8_t remaining, std::vector<uint8_t> bytes, uint32_t reference = 0xB1EED4,
          uint8_t segment_class = 1)
      : data(std::move(bytes)) {
    view.message_type = sccp_type::kXudt;
    view.calling.present = true;
    view.calling.gti = 4;
    view.calling.has_ssn = true;
    view.calling.ssn = 6;
    const char digits[] = "27829106146";
    view.calling.digits.count = sizeof digits - 1;
    for (unsigned i = 0; i < sizeof digits; ++i) view.calling.digits.text[i] = digits[i];
    view.segmentation.present = true;
    view.segmentation.first = first;
    view.segmentation.remaining = remaining;
    view.segmentation.segment_class = segment_class;
    view.segmentation.local_reference = reference;
    view.data = ByteView{data.data(), static_cast<uint32_t>(data.size())};
  }
};

struct Fed {
  SccpReassembler::Result result;
  ByteView message;
  uint16_t segments = 0;
  AnomalySet anomalies;
};

Fed feed(SccpReassembler& reassembler, const Segment& segment, uint64_t now_ns = 0,
         const Mtp3Route& route = route_666_to_1337()) {
  Fed fed;
  fed.result = reassembler.add(route, segment.view, now_ns, fed.message, fed.segments, fed.anomalies);
  return fed;
}

std::vector<uint8_t> bytes_of(ByteView view) { return std::vector<uint8_t>(view.data, view.data + view.size); }

TEST(SccpSegments, ThreeSegmentsInOrder) {
  SccpReassembler reassembler;
  const Segment first(true, 2, {0x62, 0x10});
  const Segment second(false, 1, {0x48, 0x04});
  const Segment last(false, 0, {0x01, 0x02, 0x03});

  Fed fed = feed(reassembler, first);
  EXPECT_EQ(fed.result, SccpReassembler::Result::kPending);
  EXPECT_FALSE(fed.anomalies.any());  // sccp.segment_incomplete is the caller's to set
  EXPECT_TRUE(fed.message.empty());
  EXPECT_EQ(feed(reassembler, second).result, SccpReassembler::Result::kPending);

  fed = feed(reassembler, last);
  ASSERT_EQ(fed.result, SccpReassembler::Result::kComplete);
  EXPECT_EQ(fed.segments, 3);
  EXPECT_TRUE(fed.anomalies.has(Anomaly::kSccpSegmented));
  EXPECT_EQ(bytes_of(fed.message), (std::vector<uint8_t>{0x62, 0x10, 0x48, 0x04, 0x01, 0x02, 0x03}));
  EXPECT_EQ(reassembler.stats().messages_completed, 1u);
  EXPECT_EQ(reassembler.stats().segments_held, 2u);

  // The slot is free again: the same reference starts a new message.
  EXPECT_EQ(feed(reassembler, first).result, SccpReassembler::Result::kPending);
}

TEST(SccpSegments, LoneSegmentIsWhole) {
  SccpReassembler reassembler;
  const Fed fed = feed(reassembler, Segment(true, 0, {0x62, 0x00}));
  ASSERT_EQ(fed.result, SccpReassembler::Result::kComplete);
  EXPECT_EQ(fed.segments, 1);
  EXPECT_FALSE(fed.anomalies.has(Anomaly::kSccpSegmented));
  EXPECT_EQ(bytes_of(fed.message), (std::vector<uint8_t>{0x62, 0x00}));
}

TEST(SccpSegments, SequenceWithoutSegmentation) {
  SccpReassembler reassembler;
  Segment segment(true, 1, {0x62});
  segment.view.segmentation.present = false;
  const Fed fed = feed(reassembler, segment);
  EXPECT_EQ(fed.result, SccpReassembler::Result::kRejected);
  EXPECT_TRUE(fed.anomalies.has(Anomaly::kSccpSegmentSequence));
}

TEST(SccpSegments, SequenceFollowingSegmentWithoutFirst) {
  SccpReassembler reassembler;
  const Fed fed = feed(reassembler, Segment(false, 3, {0x01}));
  EXPECT_EQ(fed.result, SccpReassembler::Result::kRejected);
  EXPECT_TRUE(fed.anomalies.has(Anomaly::kSccpSegmentSequence));
  EXPECT_EQ(reassembler.stats().sequence_errors, 1u);
}

// overflow-xudt-trick-remaining's pattern: the count does not go down. The partial message is
// dropped, so what follows is orphaned too.
TEST(SccpSegments, SequenceRemainingNotDecreasing) {
  SccpReassembler reassembler;
  EXPECT_EQ(feed(reassembler, Segment(true, 2, {0x01})).result, SccpReassembler::Result::kPending);
  Fed fed = feed(reassembler, Segment(false, 2, {0x02}));
  EXPECT_EQ(fed.result, SccpReassembler::Result::kRejected);
  EXPECT_TRUE(fed.anomalies.has(Anomaly::kSccpSegmentSequence));
  fed = feed(reassembler, Segment(false, 1, {0x03}));
  EXPECT_EQ(fed.result, SccpReassembler::Result::kRejected);
  EXPECT_TRUE(fed.anomalies.has(Anomaly::kSccpSegmentSequence));
}

TEST(SccpSegments, SequenceSkippedSegment) {
  SccpReassembler reassembler;
  feed(reassembler, Segment(true, 3, {0x01}));
  const Fed fed = feed(reassembler, Segment(false, 1, {0x02}));  // 2 expected
  EXPECT_EQ(fed.result, SccpReassembler::Result::kRejected);
  EXPECT_TRUE(fed.anomalies.has(Anomaly::kSccpSegmentSequence));
}

TEST(SccpSegments, SequenceClassChange) {
  SccpReassembler reassembler;
  feed(reassembler, Segment(true, 1, {0x01}, 0xB1EED4, 1));
  const Fed fed = feed(reassembler, Segment(false, 0, {0x02}, 0xB1EED4, 0));
  EXPECT_EQ(fed.result, SccpReassembler::Result::kRejected);
  EXPECT_TRUE(fed.anomalies.has(Anomaly::kSccpSegmentSequence));
}

// A second first segment for a message in progress: neither can be trusted; both go.
TEST(SccpSegments, SequenceDuplicateFirst) {
  SccpReassembler reassembler;
  feed(reassembler, Segment(true, 1, {0x01}));
  Fed fed = feed(reassembler, Segment(true, 1, {0x0A}));
  EXPECT_EQ(fed.result, SccpReassembler::Result::kRejected);
  EXPECT_TRUE(fed.anomalies.has(Anomaly::kSccpSegmentSequence));
  fed = feed(reassembler, Segment(false, 0, {0x02}));
  EXPECT_EQ(fed.result, SccpReassembler::Result::kRejected);
}

// Messages are told apart by reference, calling party and route; interleaving never mixes them.
TEST(SccpSegments, InterleavedMessagesStayApart) {
  SccpReassembler reassembler;
  Mtp3Route other_route = route_666_to_1337();
  other_route.opc = 667;
  Segment other_caller(true, 1, {0xC1});
  other_caller.view.calling.digits.text[10] = '7';  // 27829106147

  EXPECT_EQ(feed(reassembler, Segment(true, 1, {0xA1})).result, SccpReassembler::Result::kPending);
  EXPECT_EQ(feed(reassembler, Segment(true, 1, {0xB1}, 0x000001)).result, SccpReassembler::Result::kPending);
  EXPECT_EQ(feed(reassembler, other_caller).result, SccpReassembler::Result::kPending);
  EXPECT_EQ(feed(reassembler, Segment(true, 1, {0xD1}), 0, other_route).result, SccpReassembler::Result::kPending);

  Fed fed = feed(reassembler, Segment(false, 0, {0xB2}, 0x000001));
  ASSERT_EQ(fed.result, SccpReassembler::Result::kComplete);
  EXPECT_EQ(bytes_of(fed.message), (std::vector<uint8_t>{0xB1, 0xB2}));
  fed = feed(reassembler, Segment(false, 0, {0xD2}), 0, other_route);
  ASSERT_EQ(fed.result, SccpReassembler::Result::kComplete);
  EXPECT_EQ(bytes_of(fed.message), (std::vector<uint8_t>{0xD1, 0xD2}));
  Segment other_last(false, 0, {0xC2});
  other_last.view.calling.digits.text[10] = '7';
  fed = feed(reassembler, other_last);
  ASSERT_EQ(fed.result, SccpReassembler::Result::kComplete);
  EXPECT_EQ(bytes_of(fed.message), (std::vector<uint8_t>{0xC1, 0xC2}));
  fed = feed(reassembler, Segment(false, 0, {0xA2}));
  ASSERT_EQ(fed.result, SccpReassembler::Result::kComplete);
  EXPECT_EQ(bytes_of(fed.message), (std::vector<uint8_t>{0xA1, 0xA2}));
}

TEST(SccpSegments, LimitReassembledBytes) {
  SccpReassembler reassembler;
  const uint32_t half = limits::kMaxSccpReassembledBytes / 2;
  EXPECT_EQ(feed(reassembler, Segment(true, 2, std::vector<uint8_t>(half, 0x61))).result,
            SccpReassembler::Result::kPending);
  EXPECT_EQ(feed(reassembler, Segment(false, 1, std::vector<uint8_t>(half, 0x62))).result,
            SccpReassembler::Result::kPending);
  Fed fed = feed(reassembler, Segment(false, 0, {0x63}));  // one octet over the bound
  EXPECT_EQ(fed.result, SccpReassembler::Result::kRejected);
  EXPECT_TRUE(fed.anomalies.has(Anomaly::kSccpSegmentLimit));
  EXPECT_EQ(reassembler.stats().bound_hits, 1u);
}

// SUA's segmentation counts up to 127 remaining segments; Q.714 allows 16 in all.
TEST(SccpSegments, LimitSegmentCount) {
  SccpReassembler reassembler;
  const Fed fed = feed(reassembler, Segment(true, limits::kMaxSccpSegments, {0x01}));
  EXPECT_EQ(fed.result, SccpReassembler::Result::kRejected);
  EXPECT_TRUE(fed.anomalies.has(Anomaly::kSccpSegmentLimit));
}

TEST(SccpSegments, LimitPendingMessages) {
  SccpReassembler reassembler;
  for (uint32_t reference = 0; reference < limits::kMaxPendingSccpMessages; ++reference)
    ASSERT_EQ(feed(reassembler, Segment(true, 1, {0x01}, reference)).result, SccpReassembler::Result::kPending);
  const Fed fed = feed(reassembler, Segment(true, 1, {0x01}, limits::kMaxPendingSccpMessages));
  EXPECT_EQ(fed.result, SccpReassembler::Result::kRejected);
  EXPECT_TRUE(fed.anomalies.has(Anomaly::kSccpSegmentLimit));
  // The held ones are intact.
  EXPECT_EQ(feed(reassembler, Segment(false, 0, {0x02}, 7)).result, SccpReassembler::Result::kComplete);
}

TEST(SccpSegments, ExpireDropsOldMessages) {
  SccpReassembler reassembler;
  feed(reassembler, Segment(true, 1, {0x01}), 5 * kSecond);
  reassembler.expire(5 * kSecond + limits::kReassemblyTimeoutNs - 1);  // not yet
  EXPECT_EQ(reassembler.stats().timed_out, 0u);
  reassembler.expire(5 * kSecond + limits::kReassemblyTimeoutNs);
  EXPECT_EQ(reassembler.stats().timed_out, 1u);
  const Fed fed = feed(reassembler, Segment(false, 0, {0x02}), 16 * kSecond);
  EXPECT_EQ(fed.result, SccpReassembler::Result::kRejected);
  EXPECT_TRUE(fed.anomalies.has(Anomaly::kSccpSegmentSequence));
}

// add() drops a timed-out message it meets, so a new first segment is not a duplicate.
TEST(SccpSegments, TimedOutMessageIsNotADuplicate) {
  SccpReassembler reassembler;
  feed(reassembler, Segment(true, 1, {0x01}), 0);
  EXPECT_EQ(feed(reassembler, Segment(true, 1, {0x0A}), limits::kReassemblyTimeoutNs).result,
            SccpReassembler::Result::kPending);
  EXPECT_EQ(reassembler.stats().timed_out, 1u);
  const Fed fed = feed(reassembler, Segment(false, 0, {0x0B}), limits::kReassemblyTimeoutNs + 1);
  ASSERT_EQ(fed.result, SccpReassembler::Result::kComplete);
  EXPECT_EQ(bytes_of(fed.message), (std::vector<uint8_t>{0x0A, 0x0B}));
}

// --- The pwnss7 reassembly attacks: Ethernet / IPv4 / SCTP / M3UA DATA / XUDT. ---

struct CaptureOutcome {
  unsigned frames = 0;
  unsigned segments = 0;
  unsigned pending = 0;
  unsigned completed = 0;
  unsigned rejected = 0;
  unsigned unsegmented = 0;
  uint32_t completed_bytes = 0;
  uint16_t completed_segments = 0;
  AnomalySet anomalies;  // every frame's
};

bool replay(const std::string& path, CaptureOutcome& outcome) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  CaptureReader reader;
  CaptureError error;
  if (!reader.open(ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())}, error)) return false;
  SccpReassembler reassembler;
  CaptureFrame frame;
  SctpPacketView sctp;
  while (reader.next(frame, error)) {
    ++outcome.frames;
    AnomalySet anomalies;
    LinkView link;
    IpView ip;
    if (decode_link(frame.link_type, frame.bytes, link, anomalies) == DecodeStatus::kMalformed ||
        decode_ipv4(link.payload, ip, anomalies) == DecodeStatus::kMalformed ||
        decode_sctp(ip.payload, false, sctp, anomalies) == DecodeStatus::kMalformed)
      continue;
    for (unsigned i = 0; i < sctp.chunk_count; ++i) {
      SctpDataChunk data;
      if (sctp.chunks[i].type != sctp_chunk::kData ||
          decode_sctp_data(sctp.chunks[i], data, anomalies) == DecodeStatus::kMalformed || !data.begin || !data.end)
        continue;
      M3uaView m3ua;
      SccpView sccp;
      if (decode_m3ua(data.user_data, m3ua, anomalies) == DecodeStatus::kMalformed || !m3ua.is_data() ||
          decode_sccp(m3ua.user_data, sccp, anomalies) == DecodeStatus::kMalformed)
        continue;
      if (!sccp.segmentation.present || (sccp.segmentation.first && sccp.segmentation.remaining == 0)) {
        ++outcome.unsegmented;
        continue;
      }
      ++outcome.segments;
      ByteView message;
      uint16_t segments;
      switch (reassembler.add(m3ua.route, sccp, frame.timestamp_ns, message, segments, anomalies)) {
        case SccpReassembler::Result::kPending:
          ++outcome.pending;
          break;
        case SccpReassembler::Result::kRejected:
          ++outcome.rejected;
          break;
        case SccpReassembler::Result::kComplete:
          ++outcome.completed;
          outcome.completed_bytes = message.size;
          outcome.completed_segments = segments;
          break;
      }
    }
    outcome.anomalies.merge(anomalies);
  }
  return !error.failed;
}

#ifdef SIGWALL_SHARED_CAPTURES
bool shared_captures_present() {
  if (std::filesystem::is_directory(SIGWALL_SHARED_CAPTURES)) return true;
  std::printf("skipped: %s absent (the shared captures exist in CI, not in a user's clone)\n",
              SIGWALL_SHARED_CAPTURES);
  return false;
}
#define SHARED_CAPTURE(name) (std::string(SIGWALL_SHARED_CAPTURES) + "/" + (name))
#else
bool shared_captures_present() {
  std::printf("skipped: SIGWALL_SHARED_CAPTURES not defined (CMake defines it)\n");
  return false;
}
#define SHARED_CAPTURE(name) std::string(name)
#endif

// 6 XUDT segments (remaining 5..0) carrying an over-long application context. tshark
// reassembles them too: "6 Message fragments (1133 bytes)", TCAP on frame 6.
TEST(SccpSegmentsCapture, OverflowAcnReassembles) {
  if (!shared_captures_present()) GTEST_SKIP();
  CaptureOutcome outcome;
  ASSERT_TRUE(replay(SHARED_CAPTURE("pwnss7/overflow-acn.pcap"), outcome));
  EXPECT_EQ(outcome.frames, 6u);
  EXPECT_EQ(outcome.pending, 5u);
  EXPECT_EQ(outcome.completed, 1u);
  EXPECT_EQ(outcome.completed_segments, 6);
  EXPECT_EQ(outcome.completed_bytes, 1133u);
  EXPECT_EQ(outcome.rejected, 0u);
  EXPECT_TRUE(outcome.anomalies.has(Anomaly::kSccpSegmented));
  EXPECT_FALSE(outcome.anomalies.has(Anomaly::kSccpSegmentSequence));
}

// 11 segments (remaining 10..0), 2048 bytes: within Q.714's 16 segments and the byte bound,
// so it is reassembled, as tshark does ("11 Message fragments (2048 bytes)"); the TCAP inside
// is the next layer's to judge (tshark: BER error). tshark shows no segmentation fields on
// frame 11 because its TCAP exception ends the SCCP tree first; the segment is there.
TEST(SccpSegmentsCapture, OverflowXudtReassemblesWithinBounds) {
  if (!shared_captures_present()) GTEST_SKIP();
  CaptureOutcome outcome;
  ASSERT_TRUE(replay(SHARED_CAPTURE("pwnss7/overflow-xudt.pcap"), outcome));
  EXPECT_EQ(outcome.frames, 11u);
  EXPECT_EQ(outcome.pending, 10u);
  EXPECT_EQ(outcome.completed, 1u);
  EXPECT_EQ(outcome.completed_segments, 11);
  EXPECT_EQ(outcome.completed_bytes, 2048u);
  EXPECT_EQ(outcome.rejected, 0u);
}

// 41 segments: first with 1 remaining, then forty more all saying 1 remaining. tshark
// ignores the counts and reassembles 41 fragments (8192 bytes); Q.714 does not allow it: the
// second segment breaks the count and every later one is an orphan.
TEST(SccpSegmentsCapture, TrickRemainingIsRejected) {
  if (!shared_captures_present()) GTEST_SKIP();
  CaptureOutcome outcome;
  ASSERT_TRUE(replay(SHARED_CAPTURE("pwnss7/overflow-xudt-trick-remaining.pcap"), outcome));
  EXPECT_EQ(outcome.frames, 41u);
  EXPECT_EQ(outcome.segments, 41u);
  EXPECT_EQ(outcome.pending, 1u);
  EXPECT_EQ(outcome.rejected, 40u);
  EXPECT_EQ(outcome.completed, 0u);
  EXPECT_TRUE(outcome.anomalies.has(Anomaly::kSccpSegmentSequence));
  EXPECT_FALSE(outcome.anomalies.has(Anomaly::kSccpSegmented));
}

}  // namespace
}  // namespace sigwall
