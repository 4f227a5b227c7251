// SCTP user-message reassembly fed a sequence of fragments decoded from the input. Each record:
//   byte 0: bits 0-1 B/E, bit 2 U, bit 3 I-DATA, bits 4-7 stream (16 streams)
//   byte 1: TSN/FSN step: 0 = in sequence, 1-127 a gap/back step, 128-255 jump
//   byte 2: MID / SSN (small, so messages collide)
//   byte 3: user data length / 8 ... times 256 when bit 7 set (to reach the byte cap)
//   byte 4: time advance in 0.1 s steps (reaches the 10 s timeout)
// The association is fixed except for two source ports chosen by bit 7 of byte 2.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sctp/reassembly.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

uint8_t filler[127 * 8 * 64];  // the longest user data a record asks for

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sigwall;
  // One reassembler for the process (its slots are 16 MiB); expire() with a far-future clock
  // empties it so that every input starts from nothing.
  static SctpReassembler* reassembler = new SctpReassembler();
  static uint64_t latest = 0;  // the latest clock any input reached
  const uint64_t epoch = latest + limits::kReassemblyTimeoutNs + 1;
  reassembler->expire(epoch);
  check(reassembler->pending() == 0);

  uint64_t now = epoch;
  latest = now;
  uint32_t tsn[16] = {0};
  uint32_t fsn[16] = {0};
  for (size_t at = 0; at + 5 <= size; at += 5) {
    const uint8_t* r = data + at;
    const unsigned stream = r[0] >> 4;
    SctpStreamKey key;
    key.ip_version = 4;
    key.src_port = (r[2] & 0x80) ? 2906 : 2905;
    key.dst_port = 2905;
    key.verification_tag = 1;
    key.stream_id = static_cast<uint16_t>(stream);
    key.unordered = (r[0] & 0x04) != 0;

    SctpDataChunk chunk;
    chunk.begin = (r[0] & 0x02) != 0;
    chunk.end = (r[0] & 0x01) != 0;
    chunk.unordered = key.unordered;
    chunk.idata = (r[0] & 0x08) != 0;
    const uint32_t step = r[1] == 0 ? 1 : r[1] < 128 ? static_cast<uint32_t>(r[1]) - 64 : static_cast<uint32_t>(r[1]) << 20;
    tsn[stream] += step;
    fsn[stream] = chunk.begin ? 0 : fsn[stream] + step;
    chunk.tsn = tsn[stream];
    chunk.fsn = chunk.begin ? 0 : fsn[stream];
    chunk.mid = r[2] & 0x07;
    chunk.ssn = r[2] & 0x07;
    chunk.ppid = chunk.idata && !chunk.begin ? 0 : 3;
    key.mid = chunk.idata ? chunk.mid : 0;
    uint32_t length = uint32_t{r[3] & 0x7Fu} * 8;
    if (r[3] & 0x80) length *= 64;  // up to 65024 bytes: a few reach the message cap
    chunk.user_data = ByteView{filler, length};
    now += uint64_t{r[4]} * 100 * 1000 * 1000;
    latest = now;

    ByteView message;
    uint16_t fragments = 0;
    AnomalySet anomalies;
    const SctpReassembler::Result result = reassembler->add(key, chunk, now, message, fragments, anomalies);
    switch (result) {
      case SctpReassembler::Result::kComplete:
        check(message.size <= limits::kMaxReassembledMessageBytes);
        check(fragments >= 1 && fragments <= limits::kMaxFragmentsPerMessage);
        check(chunk.end);
        if (!(chunk.begin && chunk.end)) check(anomalies.has(Anomaly::kSctpReassembled));
        break;
      case SctpReassembler::Result::kPending:
        check(!anomalies.any());
        break;
      case SctpReassembler::Result::kRejected:
        check(anomalies.has(Anomaly::kSctpFragmentLimit) || anomalies.has(Anomaly::kSctpFragmentSequence));
        break;
    }
    check(reassembler->pending() <= limits::kMaxPendingSctpMessages);
    if ((r[4] & 0xF0) == 0xF0) reassembler->expire(now);
  }
  return 0;
}
