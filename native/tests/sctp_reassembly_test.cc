// Reassembly of fragmented SCTP user messages (RFC 9260 §6.9, RFC 8260 §2.1) and its bounds.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sctp/reassembly.h"

namespace sigwall {
namespace {

using Result = SctpReassembler::Result;

constexpr uint64_t kSecond = 1000ull * 1000 * 1000;

SctpStreamKey stream(uint16_t stream_id, uint16_t src_port = 2905) {
  SctpStreamKey key;
  key.ip_version = 4;
  key.src[0] = 10, key.src[3] = 1;
  key.dst[0] = 10, key.dst[3] = 2;
  key.src_port = src_port;
  key.dst_port = 2905;
  key.verification_tag = 0x11223344;
  key.stream_id = stream_id;
  return key;
}

// A fragment's fields; the chunk views `text`, which must outlive the add() call (literals do).
SctpDataChunk data(uint32_t tsn, bool begin, bool end, std::string_view text, uint16_t ssn = 0) {
  SctpDataChunk chunk;
  chunk.tsn = tsn;
  chunk.begin = begin;
  chunk.end = end;
  chunk.ssn = ssn;
  chunk.ppid = 3;
  chunk.user_data = ByteView{reinterpret_cast<const uint8_t*>(text.data()), static_cast<uint32_t>(text.size())};
  return chunk;
}

SctpDataChunk idata(uint32_t tsn, uint32_t mid, uint32_t fsn, bool begin, bool end, std::string_view text) {
  SctpDataChunk chunk = data(tsn, begin, end, text);
  chunk.idata = true;
  chunk.mid = mid;
  chunk.fsn = begin ? 0 : fsn;
  chunk.ppid = begin ? 5 : 0;  // the PPID travels on the first fragment only
  return chunk;
}

struct Feed {
  Result result;
  std::string message;
  uint16_t fragments;
  AnomalySet anomalies;
};

class Reassembly : public ::testing::Test {
 protected:
  Feed add(const SctpStreamKey& key, const SctpDataChunk& chunk, uint64_t now = 0) {
    Feed f;
    ByteView message;
    f.result = reassembler_->add(key, chunk, now, message, f.fragments, f.anomalies);
    f.message.assign(reinterpret_cast<const char*>(message.data), message.size);
    return f;
  }
  std::unique_ptr<SctpReassembler> reassembler_ = std::make_unique<SctpReassembler>();
};

TEST_F(Reassembly, DataInOrder) {
  const SctpStreamKey key = stream(1);
  Feed f = add(key, data(100, true, false, "Hello, ", 4));
  EXPECT_EQ(f.result, Result::kPending);
  EXPECT_FALSE(f.anomalies.any());
  EXPECT_EQ(reassembler_->pending(), 1u);
  f = add(key, data(101, false, false, "fragmented ", 4));
  EXPECT_EQ(f.result, Result::kPending);
  f = add(key, data(102, false, true, "world", 4));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "Hello, fragmented world");
  EXPECT_EQ(f.fragments, 3);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpReassembled));
  EXPECT_EQ(reassembler_->completed_ppid(), 3u);
  EXPECT_EQ(reassembler_->pending(), 0u);
  EXPECT_EQ(reassembler_->stats().messages_completed, 1u);
  EXPECT_EQ(reassembler_->stats().fragments_held, 2u);
}

TEST_F(Reassembly, TsnWrapsAround) {
  const SctpStreamKey key = stream(1);
  EXPECT_EQ(add(key, data(0xFFFFFFFF, true, false, "a")).result, Result::kPending);
  const Feed f = add(key, data(0, false, true, "b"));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "ab");
}

TEST_F(Reassembly, UnorderedDataIgnoresSsn) {
  SctpStreamKey key = stream(1);
  key.unordered = true;
  SctpDataChunk first = data(7, true, false, "un", 1);
  SctpDataChunk last = data(8, false, true, "ordered", 99);  // SSN is meaningless with U set
  first.unordered = last.unordered = true;
  EXPECT_EQ(add(key, first).result, Result::kPending);
  const Feed f = add(key, last);
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "unordered");
}

TEST_F(Reassembly, IData) {
  SctpStreamKey key = stream(2);
  key.mid = 9;
  EXPECT_EQ(add(key, idata(500, 9, 0, true, false, "I-")).result, Result::kPending);
  // I-DATA fragments need not have consecutive TSNs: other messages may sit between them.
  EXPECT_EQ(add(key, idata(503, 9, 1, false, false, "DA")).result, Result::kPending);
  const Feed f = add(key, idata(510, 9, 2, false, true, "TA"));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "I-DATA");
  EXPECT_EQ(f.fragments, 3);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpReassembled));
  EXPECT_EQ(reassembler_->completed_ppid(), 5u);  // from the first fragment
}

TEST_F(Reassembly, IDataInterleavedMessagesOnOneStream) {
  SctpStreamKey key_a = stream(2), key_b = stream(2);
  key_a.mid = 1;
  key_b.mid = 2;
  EXPECT_EQ(add(key_a, idata(1, 1, 0, true, false, "a1")).result, Result::kPending);
  EXPECT_EQ(add(key_b, idata(2, 2, 0, true, false, "b1")).result, Result::kPending);
  EXPECT_EQ(reassembler_->pending(), 2u);
  Feed f = add(key_b, idata(3, 2, 1, false, true, "b2"));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "b1b2");
  f = add(key_a, idata(4, 1, 1, false, true, "a2"));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "a1a2");
}

TEST_F(Reassembly, InterleavedStreams) {
  // Two associations (different ports) each with one DATA message in progress, and I-DATA on
  // two streams of a third.
  const SctpStreamKey first = stream(1, 2905), second = stream(1, 2906);
  SctpStreamKey x = stream(3, 3000), y = stream(4, 3000);
  x.mid = y.mid = 0;
  EXPECT_EQ(add(first, data(10, true, false, "one-")).result, Result::kPending);
  EXPECT_EQ(add(second, data(77, true, false, "two-")).result, Result::kPending);
  EXPECT_EQ(add(x, idata(1, 0, 0, true, false, "x-")).result, Result::kPending);
  EXPECT_EQ(add(y, idata(2, 0, 0, true, false, "y-")).result, Result::kPending);
  EXPECT_EQ(add(first, data(11, false, false, "a-")).result, Result::kPending);
  Feed f = add(second, data(78, false, true, "b"));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "two-b");
  f = add(y, idata(3, 0, 1, false, true, "y"));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "y-y");
  f = add(first, data(12, false, true, "c"));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "one-a-c");
  f = add(x, idata(4, 0, 1, false, true, "x"));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "x-x");
  EXPECT_EQ(reassembler_->pending(), 0u);
  EXPECT_EQ(reassembler_->stats().messages_completed, 4u);
}

TEST_F(Reassembly, UnfragmentedChunkPassesThrough) {
  const Feed f = add(stream(1), data(5, true, true, "whole"));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "whole");
  EXPECT_EQ(f.fragments, 1);
  EXPECT_FALSE(f.anomalies.has(Anomaly::kSctpReassembled));
}

TEST_F(Reassembly, OrphanMiddleFragment) {
  const Feed f = add(stream(1), data(5, false, false, "middle"));
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentSequence));
  EXPECT_EQ(reassembler_->stats().sequence_errors, 1u);
  EXPECT_EQ(reassembler_->pending(), 0u);
}

TEST_F(Reassembly, OrphanEndFragment) {
  const Feed f = add(stream(1), data(5, false, true, "end"));
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentSequence));
  EXPECT_TRUE(f.message.empty());
}

TEST_F(Reassembly, DuplicateFirstFragmentRestartsTheMessage) {
  const SctpStreamKey key = stream(1);
  EXPECT_EQ(add(key, data(1, true, false, "benign", 0)).result, Result::kPending);
  Feed f = add(key, data(2, true, false, "evil-", 1));
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentSequence));
  // The receiver can only complete the second message: that is the one inspected.
  f = add(key, data(3, false, true, "operation", 1));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "evil-operation");
}

TEST_F(Reassembly, TsnGap) {
  const SctpStreamKey key = stream(1);
  EXPECT_EQ(add(key, data(1, true, false, "a")).result, Result::kPending);
  Feed f = add(key, data(3, false, true, "c"));  // TSN 2 missing
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentSequence));
  EXPECT_EQ(reassembler_->pending(), 0u);
  // The late fragment is now an orphan too: nothing is ever passed on as complete.
  f = add(key, data(2, false, false, "b"));
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentSequence));
}

TEST_F(Reassembly, RetransmittedFragmentIsIgnoredLikeTheReceiverDoes) {
  // RFC 9260 §6.2: a duplicate TSN is discarded by the receiver, which keeps its first copy;
  // a retransmission (T3 fired before the SACK arrived) must not cost the message.
  const SctpStreamKey key = stream(1);
  EXPECT_EQ(add(key, data(1, true, false, "a")).result, Result::kPending);
  EXPECT_EQ(add(key, data(2, false, false, "b")).result, Result::kPending);
  Feed f = add(key, data(2, false, false, "B"));  // same TSN again, other bytes
  EXPECT_EQ(f.result, Result::kPending);
  EXPECT_FALSE(f.anomalies.any());
  f = add(key, data(1, true, false, "A"));  // the first fragment retransmitted too
  EXPECT_EQ(f.result, Result::kPending);
  EXPECT_FALSE(f.anomalies.any());
  f = add(key, data(3, false, true, "c"));
  EXPECT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "abc");  // the first copies, as the receiver assembles them
  EXPECT_EQ(reassembler_->stats().duplicates, 2u);
  EXPECT_EQ(reassembler_->stats().sequence_errors, 0u);
}

TEST_F(Reassembly, RetransmittedIDataFragmentIsIgnored) {
  SctpStreamKey key = stream(2);
  key.mid = 9;
  EXPECT_EQ(add(key, idata(1, 9, 0, true, false, "x")).result, Result::kPending);
  EXPECT_EQ(add(key, idata(2, 9, 1, false, false, "y")).result, Result::kPending);
  EXPECT_EQ(add(key, idata(2, 9, 1, false, false, "Y")).result, Result::kPending);
  const Feed f = add(key, idata(3, 9, 2, false, true, "z"));
  EXPECT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "xyz");
}

TEST_F(Reassembly, SsnChangeWithinOrderedMessage) {
  const SctpStreamKey key = stream(1);
  EXPECT_EQ(add(key, data(1, true, false, "a", 10)).result, Result::kPending);
  const Feed f = add(key, data(2, false, true, "b", 11));
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentSequence));
}

TEST_F(Reassembly, IDataFsnOutOfOrder) {
  SctpStreamKey key = stream(2);
  key.mid = 4;
  EXPECT_EQ(add(key, idata(1, 4, 0, true, false, "a")).result, Result::kPending);
  const Feed f = add(key, idata(2, 4, 2, false, false, "c"));  // FSN 1 skipped
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentSequence));
}

TEST_F(Reassembly, ByteLimit) {
  const SctpStreamKey key = stream(1);
  const std::string big(40000, 'x');
  EXPECT_EQ(add(key, data(1, true, false, big)).result, Result::kPending);
  Feed f = add(key, data(2, false, false, big));  // 80000 > kMaxReassembledMessageBytes
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentLimit));
  EXPECT_EQ(reassembler_->stats().bound_hits, 1u);
  // The rest of that message is refused under the same bound, then the slot is freed.
  f = add(key, data(3, false, true, "tail"));
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentLimit));
  EXPECT_FALSE(f.anomalies.has(Anomaly::kSctpFragmentSequence));
  EXPECT_EQ(reassembler_->pending(), 0u);
  EXPECT_EQ(reassembler_->stats().bound_hits, 1u);
}

TEST_F(Reassembly, ExactlyTheByteLimit) {
  const SctpStreamKey key = stream(1);
  const std::string half(limits::kMaxReassembledMessageBytes / 2, 'y');
  EXPECT_EQ(add(key, data(1, true, false, half)).result, Result::kPending);
  const Feed f = add(key, data(2, false, true, half));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message.size(), limits::kMaxReassembledMessageBytes);
}

TEST_F(Reassembly, FragmentLimit) {
  const SctpStreamKey key = stream(1);
  uint32_t tsn = 1;
  EXPECT_EQ(add(key, data(tsn++, true, false, "f")).result, Result::kPending);
  for (unsigned i = 1; i < limits::kMaxFragmentsPerMessage; ++i)
    ASSERT_EQ(add(key, data(tsn++, false, false, "f")).result, Result::kPending) << i;
  const Feed f = add(key, data(tsn++, false, true, "f"));  // fragment 65
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentLimit));
  EXPECT_EQ(reassembler_->stats().bound_hits, 1u);
  EXPECT_EQ(reassembler_->pending(), 0u);
}

TEST_F(Reassembly, ExactlyTheFragmentLimit) {
  const SctpStreamKey key = stream(1);
  uint32_t tsn = 1;
  add(key, data(tsn++, true, false, "f"));
  for (unsigned i = 2; i < limits::kMaxFragmentsPerMessage; ++i) add(key, data(tsn++, false, false, "f"));
  const Feed f = add(key, data(tsn++, false, true, "f"));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.fragments, limits::kMaxFragmentsPerMessage);
}

TEST_F(Reassembly, NoFreeSlot) {
  for (unsigned i = 0; i < limits::kMaxPendingSctpMessages; ++i)
    ASSERT_EQ(add(stream(static_cast<uint16_t>(i)), data(i * 10, true, false, "x")).result, Result::kPending);
  EXPECT_EQ(reassembler_->pending(), limits::kMaxPendingSctpMessages);
  const SctpStreamKey extra = stream(static_cast<uint16_t>(limits::kMaxPendingSctpMessages));
  Feed f = add(extra, data(99999, true, false, "new"));
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentLimit));
  EXPECT_EQ(reassembler_->stats().bound_hits, 1u);
  // Nothing was evicted: the messages in progress still complete.
  f = add(stream(0), data(1, false, true, "y"));
  ASSERT_EQ(f.result, Result::kComplete);
  EXPECT_EQ(f.message, "xy");
}

TEST_F(Reassembly, FullSlotsReclaimTimedOutMessages) {
  for (unsigned i = 0; i < limits::kMaxPendingSctpMessages; ++i)
    add(stream(static_cast<uint16_t>(i)), data(i * 10, true, false, "x"), 0);
  const Feed f = add(stream(999), data(1, true, false, "new"), limits::kReassemblyTimeoutNs + 1);
  EXPECT_EQ(f.result, Result::kPending);
  EXPECT_EQ(reassembler_->stats().timed_out, 1u);
}

TEST_F(Reassembly, ExpireDropsOldMessages) {
  add(stream(1), data(1, true, false, "old"), 5 * kSecond);
  add(stream(2), data(50, true, false, "new"), 12 * kSecond);
  reassembler_->expire(5 * kSecond + limits::kReassemblyTimeoutNs);  // exactly the timeout: kept
  EXPECT_EQ(reassembler_->pending(), 2u);
  reassembler_->expire(5 * kSecond + limits::kReassemblyTimeoutNs + 1);
  EXPECT_EQ(reassembler_->pending(), 1u);
  EXPECT_EQ(reassembler_->stats().timed_out, 1u);
  const Feed f = add(stream(1), data(2, false, true, "late"), 16 * kSecond);
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentSequence));
}

TEST_F(Reassembly, LateFragmentOfTimedOutMessage) {
  // Without an expire() call in between, the timeout still applies when the next fragment comes.
  const SctpStreamKey key = stream(1);
  add(key, data(1, true, false, "a"), 0);
  const Feed f = add(key, data(2, false, true, "b"), limits::kReassemblyTimeoutNs + 1);
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentSequence));
  EXPECT_EQ(reassembler_->stats().timed_out, 1u);
}

TEST_F(Reassembly, ClockSteppingBackDoesNotExpire) {
  add(stream(1), data(1, true, false, "a"), 100 * kSecond);
  reassembler_->expire(1 * kSecond);
  EXPECT_EQ(reassembler_->pending(), 1u);
}

TEST_F(Reassembly, DataAndIDataDoNotMix) {
  const SctpStreamKey key = stream(1);
  EXPECT_EQ(add(key, data(1, true, false, "a")).result, Result::kPending);
  const Feed f = add(key, idata(2, 0, 1, false, true, "b"));
  EXPECT_EQ(f.result, Result::kRejected);
  EXPECT_TRUE(f.anomalies.has(Anomaly::kSctpFragmentSequence));
}

}  // namespace
}  // namespace sigwall
