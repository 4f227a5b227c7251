// Anomalies the decode pipeline itself sets (not a single layer's decoder): an SCTP payload
// that is no SIGTRAN adaptation layer, and a packet carrying more messages than the cap.
#include <gtest/gtest.h>

#include <vector>

#include "engine/decode_pipeline.h"

namespace sigwall {
namespace {

struct Collect final : MessageSink {
  std::vector<AnomalySet> anomalies;
  std::vector<Adaptation> adaptations;
  void on_message(const Ss7Message& message) override {
    anomalies.push_back(message.anomalies);
    adaptations.push_back(message.adaptation);
  }
};

// Ethernet II + IPv4 + SCTP common header (checksum not verified in these tests) + chunks.
std::vector<uint8_t> frame_with_chunks(const std::vector<std::vector<uint8_t>>& chunks) {
  std::vector<uint8_t> sctp = {
      0x0B, 0x59, 0x0B, 0x59,  // source port 2905, destination port 2905 (M3UA)
      0x00, 0x00, 0x00, 0x01,  // verification tag
      0x00, 0x00, 0x00, 0x00,  // checksum (not verified)
  };
  for (const auto& chunk : chunks) sctp.insert(sctp.end(), chunk.begin(), chunk.end());
  const uint16_t total = static_cast<uint16_t>(20 + sctp.size());
  std::vector<uint8_t> frame = {
      0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,  // Ethernet: dst, src, IPv4
      0x45, 0x00, static_cast<uint8_t>(total >> 8), static_cast<uint8_t>(total),  // IPv4, total length
      0x00, 0x00, 0x40, 0x00, 0x40, 0x84, 0x00, 0x00,  // id, DF, TTL 64, protocol 132, checksum
      10, 0, 0, 1, 10, 0, 0, 2,                        // 10.0.0.1 -> 10.0.0.2
  };
  // IPv4 header checksum (RFC 791), so that the IP layer is clean.
  uint32_t sum = 0;
  for (size_t i = 14; i < 34; i += 2) sum += (frame[i] << 8) | frame[i + 1];
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  const uint16_t checksum = static_cast<uint16_t>(~sum);
  frame[24] = static_cast<uint8_t>(checksum >> 8);
  frame[25] = static_cast<uint8_t>(checksum);
  frame.insert(frame.end(), sctp.begin(), sctp.end());
  return frame;
}

// A whole (B and E) DATA chunk with `payload`, padded to 4 bytes.
std::vector<uint8_t> data_chunk(uint32_t tsn, uint32_t ppid, const std::vector<uint8_t>& payload) {
  const uint16_t length = static_cast<uint16_t>(16 + payload.size());
  std::vector<uint8_t> chunk = {
      0x00, 0x03, static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length),  // DATA, B+E
      static_cast<uint8_t>(tsn >> 24), static_cast<uint8_t>(tsn >> 16), static_cast<uint8_t>(tsn >> 8),
      static_cast<uint8_t>(tsn),
      0x00, 0x00, 0x00, 0x00,  // stream 0, SSN 0
      static_cast<uint8_t>(ppid >> 24), static_cast<uint8_t>(ppid >> 16), static_cast<uint8_t>(ppid >> 8),
      static_cast<uint8_t>(ppid),
  };
  chunk.insert(chunk.end(), payload.begin(), payload.end());
  while (chunk.size() % 4) chunk.push_back(0);
  return chunk;
}

DecodeOptions no_crc() {
  DecodeOptions options;
  options.verify_crc = false;
  return options;
}

TEST(PipelineAnomaly, UnknownPayloadProtocol) {
  // PPID 46 (Diameter) between non-SIGTRAN ports: not M3UA, M2PA, M2UA or SUA.
  std::vector<uint8_t> frame = frame_with_chunks({data_chunk(1, 46, {0x01, 0x00, 0x00, 0x14})});
  frame[34] = 0x0F; frame[35] = 0x1C; frame[36] = 0x0F; frame[37] = 0x1C;  // ports 3868
  auto pipeline = std::make_unique<DecodePipeline>(no_crc());
  Collect sink;
  pipeline->decode_frame(FrameInfo{1, 0, 1}, ByteView{frame.data(), static_cast<uint32_t>(frame.size())}, sink);
  ASSERT_EQ(sink.anomalies.size(), 1u);
  EXPECT_TRUE(sink.anomalies[0].has(Anomaly::kUnknownPayloadProtocol));
  EXPECT_EQ(sink.adaptations[0], Adaptation::kNone);
}

TEST(PipelineAnomaly, ZeroPpidOnTheM3uaPortIsDecodedAsM3ua) {
  // Wireshark falls back to the port when the PPID is 0, and so must the firewall: a zero PPID
  // is not a way around inspection.
  const std::vector<uint8_t> aspup = {0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x08};
  std::vector<uint8_t> frame = frame_with_chunks({data_chunk(1, 0, aspup)});
  auto pipeline = std::make_unique<DecodePipeline>(no_crc());
  Collect sink;
  pipeline->decode_frame(FrameInfo{1, 0, 1}, ByteView{frame.data(), static_cast<uint32_t>(frame.size())}, sink);
  ASSERT_EQ(sink.adaptations.size(), 1u);
  EXPECT_EQ(sink.adaptations[0], Adaptation::kM3ua);
  EXPECT_FALSE(sink.anomalies[0].has(Anomaly::kUnknownPayloadProtocol));
}

TEST(PipelineAnomaly, MessageCap) {
  // More DATA chunks in one packet than kMaxMessagesPerPacket: the first ones are decoded, the
  // record after them carries engine.message_cap, the rest are not inspected.
  const std::vector<uint8_t> aspup = {0x01, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00, 0x08};
  std::vector<std::vector<uint8_t>> chunks;
  for (uint32_t tsn = 1; tsn <= limits::kMaxSctpChunks; ++tsn) chunks.push_back(data_chunk(tsn, 3, aspup));
  static_assert(limits::kMaxSctpChunks > limits::kMaxMessagesPerPacket, "the message cap must be reachable");
  std::vector<uint8_t> frame = frame_with_chunks(chunks);
  auto pipeline = std::make_unique<DecodePipeline>(no_crc());
  Collect sink;
  pipeline->decode_frame(FrameInfo{1, 0, 1}, ByteView{frame.data(), static_cast<uint32_t>(frame.size())}, sink);
  ASSERT_EQ(sink.anomalies.size(), limits::kMaxMessagesPerPacket + 1);
  EXPECT_TRUE(sink.anomalies.back().has(Anomaly::kMessageCap));
  EXPECT_FALSE(sink.anomalies.front().has(Anomaly::kMessageCap));
}

TEST(PipelineAnomaly, SccpSegmentIncomplete) {
  // The first XUDT segment of two: held for reassembly, so the record stops at SCCP (no TCAP)
  // and says why.
  const std::vector<uint8_t> m3ua = {
      0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x34,  // M3UA DATA, length 52
      0x02, 0x10, 0x00, 0x29,                          // Protocol Data, length 41
      0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,  //   OPC 1, DPC 2
      0x03, 0x02, 0x00, 0x00,                          //   SI 3 (SCCP), NI 2, MP 0, SLS 0
      0x11, 0x80, 0x0F,                                //   XUDT, class 0 + return on error, hop counter 15
      0x04, 0x06, 0x08, 0x0C,                          //   pointers: called, calling, data, optional part
      0x02, 0x42, 0x06,                                //   called: route on SSN, SSN 6
      0x02, 0x42, 0x07,                                //   calling: route on SSN, SSN 7
      0x04, 0x62, 0x02, 0x48, 0x00,                    //   data: the first 4 bytes of a TCAP Begin
      0x10, 0x04, 0x81, 0x00, 0x00, 0x01,              //   Segmentation: first, 1 remaining, local ref 1
      0x00,                                            //   end of optional parameters
      0x00, 0x00, 0x00,                                // padding
  };
  std::vector<uint8_t> frame = frame_with_chunks({data_chunk(1, 3, m3ua)});
  auto pipeline = std::make_unique<DecodePipeline>(no_crc());
  struct Sink final : MessageSink {
    bool has_sccp = false, has_tcap = true;
    AnomalySet anomalies;
    void on_message(const Ss7Message& message) override {
      has_sccp = message.has_sccp;
      has_tcap = message.has_tcap;
      anomalies = message.anomalies;
    }
  } sink;
  pipeline->decode_frame(FrameInfo{1, 0, 1}, ByteView{frame.data(), static_cast<uint32_t>(frame.size())}, sink);
  EXPECT_TRUE(sink.has_sccp);
  EXPECT_FALSE(sink.has_tcap);
  EXPECT_TRUE(sink.anomalies.has(Anomaly::kSccpSegmentIncomplete));
}

}  // namespace
}  // namespace sigwall
