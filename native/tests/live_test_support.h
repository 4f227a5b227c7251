// Shared by the live engine tests: the demo capture, two small tables over MAP opcodes (built
// with table_test_builder.h), and the reference the engine is checked against: the same capture
// through one DecodePipeline + classify(), message by message.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/decode_pipeline.h"
#include "io/capture_reader.h"
#include "table/classifier.h"
#include "table_test_builder.h"

namespace sigwall::live::testing {

using sigwall::table::testing::ImageBuilder;

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::vector<uint8_t> demo_capture() {
#ifndef SIGWALL_DEMO_CAPTURE
#error "CMake defines SIGWALL_DEMO_CAPTURE (firmware-config/demo/demo.pcap)"
#endif
  return read_file(SIGWALL_DEMO_CAPTURE);
}

inline ByteView view(const std::vector<uint8_t>& bytes) { return ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())}; }

// Rules on the MAP opcode of a component (component classes: 71 ATI -> 1, 2 updateLocation -> 2,
// 22 SRI -> 3, 7 insertSubscriberData -> 4, 67 purgeMS -> 5, others 0). `variant` 0 and 1 give
// the classes different actions, so a message's verdict tells which table decided it.
//   variant 0: ATI drop (cat 1), UL alert (cat 3), SRI shadow drop, ISD shadow alert, purge drop (cat 3)
//   variant 1: ATI alert (cat 1), UL drop (cat 3), SRI drop (cat 1), ISD allow (cat 2), purge shadow drop
inline std::vector<uint8_t> opcode_table(int variant, uint8_t default_action = 0, uint8_t malformed_action = 1) {
  using namespace sigwall::table;
  using namespace sigwall::table::testing;
  ImageBuilder b;
  b.policy = variant == 0 ? "live0" : "live1";
  b.default_action = default_action;
  b.malformed_action = malformed_action;
  if (variant == 0) {
    b.rules = {{"live0#ati", 1, 0, 1}, {"live0#ul", 2, 0, 3}, {"live0#sri", 1, 1, 1}, {"live0#isd", 2, 1, 2}, {"live0#purge", 1, 0, 3}};
  } else {
    b.rules = {{"live1#ati", 2, 0, 1}, {"live1#ul", 1, 0, 3}, {"live1#sri", 1, 0, 1}, {"live1#isd", 0, 0, 2}, {"live1#purge", 1, 1, 3}};
  }
  b.dimensions.push_back(single(FieldId::kSigwallApplication, Scope::kMessage));
  b.dimensions.push_back(operation(FieldId::kMapOpcode, 6, {{71, 1}, {2, 2}, {22, 3}, {7, 4}, {67, 5}}, 0, 0));
  std::vector<TupleRule> rules;
  for (uint16_t cls = 1; cls <= 5; ++cls)
    rules.push_back(TupleRule{nullptr, [cls](const std::vector<uint16_t>& c) { return c[0] == cls; }});
  cross_product(b, 1, rules_result(b, rules));
  return b.build();
}

inline std::unique_ptr<table::TableImage> load_table(const std::vector<uint8_t>& image) {
  std::unique_ptr<table::TableImage> table;
  table::TableError error;
  if (!table::TableImage::load(view(image), table, error)) return nullptr;
  return table;
}

struct ReferenceMessage {
  uint64_t frame = 0;
  uint16_t chunk = 0;
  table::Verdict verdict;
};

// Everything the engine must reproduce: per message verdicts, and which frames carry a drop.
struct Reference {
  std::vector<ReferenceMessage> messages;
  std::map<uint64_t, bool> frame_dropped;  // frame number -> some message in it was dropped
  uint64_t frames = 0;
  uint64_t sctp_packets = 0;
  uint64_t verdicts[3] = {0, 0, 0};
  uint64_t categories[4] = {0, 0, 0, 0};
  uint64_t malformed = 0;
  uint64_t shadow_messages = 0;
  std::vector<uint64_t> rule_hits;
  std::vector<uint64_t> rule_shadow_hits;
  uint64_t events[4] = {0, 0, 0, 0};  // blocked, alerted, shadow, malformed
};

inline Reference reference_of(const std::vector<uint8_t>& capture, const table::TableImage& table,
                              table::IngressSide side, const DecodeOptions& options = DecodeOptions{}) {
  struct Sink final : MessageSink {
    const table::TableImage* table;
    table::IngressSide side;
    Reference* out;
    uint64_t frame = 0;
    void on_message(const Ss7Message& m) override {
      ReferenceMessage r;
      r.frame = m.frame;
      r.chunk = m.chunk_index;
      table::classify(*table, m, side, r.verdict);
      const table::Verdict& v = r.verdict;
      out->verdicts[v.action] += 1;
      if (v.malformed) ++out->malformed;
      if (v.rule != table::kNoRule) {
        ++out->rule_hits[v.rule];
        ++out->categories[v.category];
      }
      if (v.shadow_count) ++out->shadow_messages;
      for (unsigned i = 0; i < v.shadow_count; ++i) ++out->rule_shadow_hits[v.shadow[i]];
      if (v.action == 1) out->frame_dropped[m.frame] = true;
      if (v.malformed) ++out->events[3];
      else if (v.action == 1) ++out->events[0];
      else if (v.action == 2) ++out->events[1];
      else if (v.shadow_count) ++out->events[2];
      out->messages.push_back(r);
    }
  };
  Reference reference;
  reference.rule_hits.assign(table.rule_count(), 0);
  reference.rule_shadow_hits.assign(table.rule_count(), 0);
  Sink sink;
  sink.table = &table;
  sink.side = side;
  sink.out = &reference;
  DecodePipeline pipeline(options);
  CaptureReader reader;
  CaptureError error;
  reader.open(view(capture), error);
  CaptureFrame frame;
  while (reader.next(frame, error)) {
    ++reference.frames;
    if (!reference.frame_dropped.count(frame.number)) reference.frame_dropped[frame.number] = false;
    pipeline.decode_frame(FrameInfo{frame.number, frame.timestamp_ns, frame.link_type}, frame.bytes, sink);
  }
  reference.sctp_packets = pipeline.stats().sctp_packets;
  return reference;
}

}  // namespace sigwall::live::testing
