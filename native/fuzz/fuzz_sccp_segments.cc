// SCCP segment reassembly fed a sequence of segments decoded from the input. Each record:
//   byte 0: bit 7 F (first), bit 6 C (class), bits 0-4 remaining (0..31: SUA can exceed 15)
//   byte 1: bits 0-1 local reference, bit 2 calling SSN 6/8, bit 3 OPC 1/2 (so keys collide)
//   byte 2: segment data length / 16, times 16 more when bit 7 is set (to reach the byte cap)
//   byte 3: time advance in 0.1 s steps (reaches the 10 s timeout); 0xFF also calls expire()
// Checks memory safety (the copy into the slots and the output) and the result contract.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "sccp/segments.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

uint8_t filler[127 * 16 * 16];  // the longest segment a record asks for

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sigwall;
  // One reassembler for the process (about 1 MiB of slots); a far-future expire() empties it.
  static SccpReassembler* reassembler = new SccpReassembler();
  static uint64_t latest = 0;
  const uint64_t epoch = latest + limits::kReassemblyTimeoutNs + 1;
  reassembler->expire(epoch);

  uint64_t now = epoch;
  latest = now;
  for (size_t at = 0; at + 4 <= size; at += 4) {
    const uint8_t* r = data + at;
    Mtp3Route route;
    route.present = true;
    route.opc = (r[1] & 0x08) ? 2 : 1;
    route.dpc = 3;
    SccpView segment;
    segment.message_type = sccp_type::kXudt;
    segment.calling.present = true;
    segment.calling.has_ssn = true;
    segment.calling.ssn = (r[1] & 0x04) ? 8 : 6;
    segment.calling.digits.count = 3;
    std::memcpy(segment.calling.digits.text, "491", 4);
    segment.segmentation.present = true;
    segment.segmentation.first = (r[0] & 0x80) != 0;
    segment.segmentation.segment_class = (r[0] >> 6) & 1;
    segment.segmentation.remaining = r[0] & 0x1F;
    segment.segmentation.local_reference = r[1] & 0x03;
    uint32_t length = uint32_t{r[2] & 0x7Fu} * 16;
    if (r[2] & 0x80) length *= 16;
    segment.data = ByteView{filler, length};
    now += uint64_t{r[3]} * 100 * 1000 * 1000;
    latest = now;

    ByteView message;
    uint16_t segments = 0;
    AnomalySet anomalies;
    switch (reassembler->add(route, segment, now, message, segments, anomalies)) {
      case SccpReassembler::Result::kComplete:
        check(segment.segmentation.remaining == 0);
        check(message.size <= limits::kMaxSccpReassembledBytes);
        check(segments >= 1 && segments <= limits::kMaxSccpSegments);
        check(segments == 1 ? !anomalies.any() : anomalies.has(Anomaly::kSccpSegmented));
        if (message.size > 0) check(message.data[0] == 0 && message.data[message.size - 1] == 0);
        break;
      case SccpReassembler::Result::kPending:
        check(!anomalies.any() && message.empty());
        break;
      case SccpReassembler::Result::kRejected:
        check(anomalies.has(Anomaly::kSccpSegmentLimit) || anomalies.has(Anomaly::kSccpSegmentSequence));
        check(message.empty());
        break;
    }
    if (r[3] == 0xFF) reassembler->expire(now);
  }
  return 0;
}
