// sigwall_truncation_sweep <dir>...: every decoder sees every prefix of the real input under the
// given directories. Built with ASan/UBSan in CI, it turns any decoder that reads past its input
// into a crash: each truncated copy is a heap block of exactly its own size, so one byte too far
// (or one before the start) is outside the allocation (a view into the whole-file buffer would
// read the next record and hide the bug).
//
// Frame pass, per capture (cuts of the captured frame):
//   1. every frame, every length 0..N, each through a pipeline reset() before it (no reassembly
//      state from another length can mask or cause a fault);
//   2. the whole frames in order through one pipeline, so SCTP/SCCP reassembly completes;
//   3. every length of every frame in order through one pipeline, so held fragments meet
//      truncated ones.
// A cut frame is declared malformed by the first length-prefixed layer it crosses (IPv4 total
// length, SCTP chunk length, M3UA length, SCCP pointers, BER lengths), so this pass exercises the
// link, IP and SCTP CRC code and little above. Hence:
//
// Layered pass, per capture: each frame is decoded whole by hand down to its DATA chunks
// (fragmented user messages reassembled), and every layer's own bytes are cut at every length
// and handed to that layer's decoder: the SCTP packet, each DATA chunk, the user message
// (M3UA/M2PA/M2UA/SUA), the SCCP message, its party addresses, the TCAP message and each
// component's parameter (MAP or CAP, as the pipeline chose). Where the layer's own length fields
// would stop a cut copy at its header, a second copy has every length that encloses the cut
// rewritten to end at it ("lengths patched"): the adaptation layer's message length and the TLV
// parameter holding the cut (inside SUA addresses too), the SCCP data length (and the
// optional-part pointer when the optional part is cut away), every BER length on the path to the
// cut. The patched user message goes through DecodePipeline::decode_user_message_bytes, after
// the SCCP segments held before it are replayed, so that every prefix of SCCP, TCAP and MAP/CAP
// also crosses the pipeline glue and the SCCP reassembler. Captures of more than
// kLayeredFrameBudget frames are sampled evenly (the output says so); every frame is still walked
// so that reassembly stays in step.
//
// Exit status: 0 all read and swept; 1 no capture found in any directory; 2 a capture could not
// be read to its end (its frames before the error are still swept); 64 usage.
//
// --fresh-every-length (before the directories) constructs a new pipeline for every length of
// frame pass 1 instead of resetting one: slow, for checking that reset() gives the same totals.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "decode/ber.h"
#include "decode/ip.h"
#include "decode/link.h"
#include "engine/decode_pipeline.h"
#include "io/capture_reader.h"

namespace {

namespace fs = std::filesystem;
using sigwall::Adaptation;
using sigwall::AnomalySet;
using sigwall::ByteView;
using sigwall::DecodeStatus;

// Above this many frames a capture's layered pass takes every Kth frame only (velyfirewall's
// output.pcap: 20,007 near-identical messages).
constexpr uint64_t kLayeredFrameBudget = 400;
// Segments replayed before a cut user message: Q.714 §4.1.1.2 allows 16 per message.
constexpr size_t kMaxHeldReplayed = sigwall::limits::kMaxSccpSegments;

// ---------------------------------------------------------------------------------------------
// Cut copies and length patching.

// The first `length` bytes of `whole` in a heap block of exactly that size (new[0] included:
// any read of it faults).
class CutCopy {
 public:
  CutCopy(ByteView whole, uint32_t length) : bytes_(new uint8_t[length]), size_(length) {
    if (length != 0) std::memcpy(bytes_.get(), whole.data, length);
  }
  uint8_t* data() { return bytes_.get(); }
  ByteView view() const { return ByteView{bytes_.get(), size_}; }

 private:
  std::unique_ptr<uint8_t[]> bytes_;
  uint32_t size_;
};

uint32_t be16_at(const uint8_t* p) { return (uint32_t{p[0]} << 8) | p[1]; }
uint32_t be32_at(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
void put_be16(uint8_t* p, uint32_t value) {
  p[0] = static_cast<uint8_t>(value >> 8);
  p[1] = static_cast<uint8_t>(value);
}
void put_be32(uint8_t* p, uint32_t value) {
  put_be16(p, value >> 16);
  put_be16(p + 2, value);
}

// The SIGTRAN common header (RFC 4666 §3.1, RFC 3331 §3.1, RFC 4165 §2.1, RFC 3868 §3.1):
// version, reserved, class, type, then the 32-bit message length.
constexpr uint32_t kSigtranHeaderBytes = 8;
constexpr uint32_t kSigtranLengthOffset = 4;
constexpr uint32_t kTlvHeaderBytes = 4;
// SUA Source / Destination Address (RFC 3868 §3.10.2, §3.10.3): routing indicator and address
// indicator (2 octets each), then the address's own parameters.
constexpr uint16_t kSuaSourceAddress = 0x0102, kSuaDestinationAddress = 0x0103;
constexpr uint32_t kSuaAddressFixedBytes = 4;

enum class ParameterStyle : uint8_t { kNone, kTlv, kSuaTlv };

// Sets, in `copy` (the first `cut` bytes of `whole`), the length of the TLV parameter in
// [start, end) that the cut ends inside to end at the cut; one level down into SUA addresses.
// Offsets are into `whole` (= into `copy`). A parameter whose header the cut splits is left as
// it is (there is no consistent shorter form of it).
void patch_tlv_parameters(uint8_t* copy, ByteView whole, uint32_t start, uint32_t end, uint32_t cut,
                          ParameterStyle style) {
  uint32_t offset = start;
  for (unsigned count = 0;
       count < sigwall::limits::kMaxAdaptationParameters && offset < end && end - offset >= kTlvHeaderBytes; ++count) {
    const uint32_t tag = be16_at(whole.data + offset);
    const uint32_t length = be16_at(whole.data + offset + 2);
    if (length < kTlvHeaderBytes || length > end - offset) return;  // malformed already: nothing to keep consistent
    if (cut < offset + kTlvHeaderBytes) return;
    if (cut < offset + length) {
      put_be16(copy + offset + 2, cut - offset);
      if (style == ParameterStyle::kSuaTlv && (tag == kSuaSourceAddress || tag == kSuaDestinationAddress) &&
          length >= kTlvHeaderBytes + kSuaAddressFixedBytes)
        patch_tlv_parameters(copy, whole, offset + kTlvHeaderBytes + kSuaAddressFixedBytes, offset + length, cut,
                             ParameterStyle::kTlv);
      return;
    }
    offset += length + (4 - length % 4) % 4;  // values are padded to 4 octets
  }
}

void patch_adaptation(uint8_t* copy, ByteView whole, uint32_t cut, ParameterStyle style) {
  if (cut < kSigtranHeaderBytes || whole.size < kSigtranHeaderBytes) return;
  const uint32_t length = be32_at(whole.data + kSigtranLengthOffset);
  put_be32(copy + kSigtranLengthOffset, std::min(length, cut));  // a length short of the padding stays
  if (style != ParameterStyle::kNone)
    patch_tlv_parameters(copy, whole, kSigtranHeaderBytes, std::min(length, whole.size), cut, style);
}

// Where the parts of an SCCP connectionless message are, read from its pointers (Q.713 §2.3,
// §4.10-4.21) independently of decode_sccp, so that the sweep does not take its layout from the
// decoder it is testing.
struct SccpLayout {
  bool valid = false;
  ByteView called;  // address contents, after the length octet
  ByteView calling;
  uint32_t data_start = 0;  // offset of the data contents
  uint32_t data_size = 0;
  uint8_t data_length_bytes = 1;
  uint8_t pointer_bytes = 1;
  bool has_optional_pointer = false;
  uint32_t optional_pointer_offset = 0;
  uint32_t optional_target = 0;  // 0: no optional part
};

struct SccpFormat {
  uint8_t type;
  uint8_t fixed_bytes;    // message type and the fixed octets before the pointers
  uint8_t pointer_bytes;  // LUDT/LUDTS: two (§2.3)
  bool optional_part;
};
constexpr SccpFormat kSccpFormats[] = {
    {0x09, 2, 1, false},  // UDT §4.10: type, protocol class
    {0x0A, 2, 1, false},  // UDTS §4.11: type, return cause
    {0x11, 3, 1, true},   // XUDT §4.18: type, protocol class, hop counter
    {0x12, 3, 1, true},   // XUDTS §4.19
    {0x13, 3, 2, true},   // LUDT §4.20
    {0x14, 3, 2, true},   // LUDTS §4.21
};

SccpLayout read_sccp_layout(ByteView sccp) {
  SccpLayout out;
  if (sccp.empty()) return out;
  const SccpFormat* format = nullptr;
  for (const SccpFormat& candidate : kSccpFormats)
    if (candidate.type == sccp.data[0]) format = &candidate;
  if (format == nullptr) return out;
  out.pointer_bytes = format->pointer_bytes;
  const unsigned pointers = format->optional_part ? 4 : 3;
  for (unsigned i = 0; i < pointers; ++i) {
    const uint32_t at = format->fixed_bytes + i * format->pointer_bytes;
    if (at + format->pointer_bytes > sccp.size) return out;
    const uint32_t value =
        format->pointer_bytes == 1 ? sccp.data[at] : sccp.data[at] | (uint32_t{sccp.data[at + 1]} << 8);
    const uint32_t target = at + format->pointer_bytes - 1 + value;  // counted from its last octet
    if (i == 3) {
      out.has_optional_pointer = true;
      out.optional_pointer_offset = at;
      out.optional_target = value == 0 ? 0 : target;
      break;
    }
    const uint32_t length_bytes = i == 2 ? format->pointer_bytes : 1;
    if (value == 0 || target + length_bytes > sccp.size) return out;
    const uint32_t length =
        length_bytes == 1 ? sccp.data[target] : sccp.data[target] | (uint32_t{sccp.data[target + 1]} << 8);
    const ByteView contents = sccp.sub(target + length_bytes, length);
    if (contents.data == nullptr) return out;
    if (i == 0) out.called = contents;
    if (i == 1) out.calling = contents;
    if (i == 2) {
      out.data_start = target + length_bytes;
      out.data_size = length;
      out.data_length_bytes = static_cast<uint8_t>(length_bytes);
    }
  }
  out.valid = true;
  return out;
}

// `copy` holds the SCCP message's first `cut` bytes. A cut inside the data gets a data length
// that ends at it, and an optional part the cut removed gets a zero ("none") pointer.
void patch_sccp(uint8_t* copy, const SccpLayout& layout, uint32_t cut) {
  if (!layout.valid || cut < layout.data_start || cut >= layout.data_start + layout.data_size) return;
  const uint32_t length = cut - layout.data_start;
  uint8_t* length_field = copy + layout.data_start - layout.data_length_bytes;
  length_field[0] = static_cast<uint8_t>(length);
  if (layout.data_length_bytes == 2) length_field[1] = static_cast<uint8_t>(length >> 8);  // §1.7: LSB first
  if (layout.has_optional_pointer && layout.optional_target >= cut)
    std::memset(copy + layout.optional_pointer_offset, 0, layout.pointer_bytes);
}

// `copy` holds the first `cut` bytes of the BER encoding at `origin`; `level` is a view into
// `origin` at the current depth. Every definite length whose contents the cut ends inside is
// rewritten to end at it, keeping the number of length octets (a long form then carries a value
// the short form would fit: X.690 §8.1.3.2 non-minimal, which the reader flags and decodes), so
// the copy is well-formed BER whose last element on each level is the cut one.
void patch_ber(uint8_t* copy, const uint8_t* origin, ByteView level, uint32_t cut, unsigned depth) {
  if (depth >= sigwall::limits::kMaxBerDepth) return;
  AnomalySet ignored;
  sigwall::BerReader reader(level, ignored);
  sigwall::BerElement element;
  bool overstated;
  while (reader.next_allow_cut(element, overstated)) {
    const uint32_t start = static_cast<uint32_t>(level.data + element.offset - origin);
    if (cut <= start || element.value.data == nullptr) return;
    const uint32_t contents = static_cast<uint32_t>(element.value.data - origin);
    if (cut >= contents + element.value.size) continue;  // wholly before the cut
    if (cut < contents || element.indefinite) return;  // cut in its header, or no length to patch
    // Identifier octets (X.690 §8.1.2.4): tag numbers from 31 continue while bit 8 is set.
    uint32_t length_at = start + 1;
    if ((origin[start] & 0x1F) == 0x1F) {
      while (length_at < contents && (origin[length_at] & 0x80) != 0) ++length_at;
      ++length_at;
    }
    if (length_at >= contents) return;
    uint32_t value = cut - contents;
    const uint32_t length_octets = contents - length_at;
    if (length_octets == 1) {
      copy[length_at] = static_cast<uint8_t>(value);  // below the old short-form value
    } else {
      for (uint32_t i = length_octets - 1; i >= 1; --i) {  // after the 0x8n octet, big-endian
        copy[length_at + i] = static_cast<uint8_t>(value);
        value >>= 8;
      }
    }
    if (element.constructed) patch_ber(copy, origin, element.value, cut, depth + 1);
    return;
  }
}

// ---------------------------------------------------------------------------------------------
// Counting.

enum Layer : unsigned {
  kSctpPacket,
  kSctpDataChunk,
  kSctpReassembly,
  kM3ua,
  kM2pa,
  kM2ua,
  kSua,
  kSccp,
  kSccpAddress,
  kSccpReassembly,
  kTcap,
  kTcapPatched,
  kMapParameter,
  kMapParameterPatched,
  kCapParameter,
  kCapParameterPatched,
  kPipeline,
  kLayerCount
};
constexpr const char* kLayerNames[kLayerCount] = {
    "sctp packet",
    "sctp data chunk",
    "sctp reassembly (fragment cut)",
    "m3ua",
    "m2pa",
    "m2ua",
    "sua",
    "sccp",
    "sccp address",
    "sccp reassembly (segment cut)",
    "tcap",
    "tcap (lengths patched)",
    "map params",
    "map params (lengths patched)",
    "cap params",
    "cap params (lengths patched)",
    "pipeline (user message, lengths patched)",
};

struct LayerCounts {
  uint64_t cuts[kLayerCount] = {};
  uint64_t decoded[kLayerCount] = {};  // cuts the layer did not call malformed
  uint64_t pipeline_sccp = 0;          // pipeline cuts whose record reached SCCP / TCAP
  uint64_t pipeline_tcap = 0;
  uint64_t reassembled[2] = {};        // SCTP / SCCP reassembly cuts that completed a message
  uint64_t user_messages = 0;  // swept
  uint64_t frames = 0;         // swept (sampled)

  void tally(Layer layer, DecodeStatus status) {
    ++cuts[layer];
    if (status != DecodeStatus::kMalformed) ++decoded[layer];
  }
  uint64_t total() const {
    uint64_t sum = 0;
    for (uint64_t n : cuts) sum += n;
    return sum;
  }
  void add(const LayerCounts& other) {
    for (unsigned i = 0; i < kLayerCount; ++i) {
      cuts[i] += other.cuts[i];
      decoded[i] += other.decoded[i];
    }
    pipeline_sccp += other.pipeline_sccp;
    pipeline_tcap += other.pipeline_tcap;
    reassembled[0] += other.reassembled[0];
    reassembled[1] += other.reassembled[1];
    user_messages += other.user_messages;
    frames += other.frames;
  }
};

class CountingSink : public sigwall::MessageSink {
 public:
  void on_message(const sigwall::Ss7Message& message) override {
    ++messages;
    for (uint64_t word : message.anomalies.bits) anomaly_bits += static_cast<uint64_t>(__builtin_popcountll(word));
  }
  uint64_t messages = 0;
  uint64_t anomaly_bits = 0;  // summed over the messages: a fingerprint to compare runs by
};

class NullSink : public sigwall::MessageSink {
 public:
  void on_message(const sigwall::Ss7Message&) override {}
};

// What the pipeline made of one user message (copied out of the record during the callback).
class RecordProbe : public sigwall::MessageSink {
 public:
  void on_message(const sigwall::Ss7Message& message) override {
    adaptation = message.adaptation;
    application = message.application;
    held = message.anomalies.has(sigwall::Anomaly::kSccpSegmentIncomplete);
    sccp_segments = message.sccp_segments;
    has_sccp = message.has_sccp;
    has_tcap = message.has_tcap;
    status = message.status;
  }
  Adaptation adaptation = Adaptation::kNone;
  sigwall::Application application = sigwall::Application::kUnknown;
  bool held = false;
  uint16_t sccp_segments = 1;
  bool has_sccp = false;
  bool has_tcap = false;
  DecodeStatus status = DecodeStatus::kOk;
};

// ---------------------------------------------------------------------------------------------
// The layered pass.

struct UserMessage {
  sigwall::FrameInfo info;
  uint32_t ppid = 0;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  std::vector<uint8_t> bytes;
  ByteView view() const { return ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())}; }
};

// A fragment or segment the walk's reassembler holds, kept so that it can be replayed into a
// reset scratch reassembler before a cut of the fragment or segment that follows it.
struct HeldFragment {
  sigwall::SctpStreamKey key;
  sigwall::SctpDataChunk chunk;  // user_data re-pointed at `bytes` when replayed
  uint64_t timestamp_ns = 0;
  std::vector<uint8_t> bytes;
};
struct HeldSegment {
  sigwall::Mtp3Route route;
  sigwall::SccpView sccp;  // data re-pointed at `bytes` when replayed
  uint64_t timestamp_ns = 0;
  std::vector<uint8_t> bytes;
};

bool same_message(const sigwall::SctpStreamKey& a, const sigwall::SctpStreamKey& b) {
  return a.ip_version == b.ip_version && std::memcmp(a.src, b.src, sizeof a.src) == 0 &&
         std::memcmp(a.dst, b.dst, sizeof a.dst) == 0 && a.src_port == b.src_port && a.dst_port == b.dst_port &&
         a.verification_tag == b.verification_tag && a.stream_id == b.stream_id && a.unordered == b.unordered &&
         a.mid == b.mid;
}

// One user message's layers, found by decoding it whole layer by layer as the pipeline does.
struct Layers {
  ParameterStyle style = ParameterStyle::kNone;
  ByteView sccp_bytes;  // inside the user message; empty for SUA (no SCCP encoding)
  SccpLayout layout;
  bool has_sccp = false;
  sigwall::SccpView sccp;
  sigwall::Mtp3Route route;  // SUA has none, as in the pipeline
  bool segmented() const {
    return has_sccp && sccp.segmentation.present && !(sccp.segmentation.first && sccp.segmentation.remaining == 0);
  }
};

Layers find_layers(ByteView bytes, Adaptation adaptation, sigwall::Mtp3Variant variant) {
  Layers out;
  AnomalySet anomalies;
  switch (adaptation) {
    case Adaptation::kM3ua: {
      out.style = ParameterStyle::kTlv;
      sigwall::M3uaView m3ua;
      if (sigwall::decode_m3ua(bytes, m3ua, anomalies) != DecodeStatus::kMalformed && m3ua.is_data() &&
          m3ua.route.present && m3ua.route.si == sigwall::mtp3_si::kSccp)
        out.sccp_bytes = m3ua.user_data;
      out.route = m3ua.route;
      break;
    }
    case Adaptation::kM2pa: {
      sigwall::M2paView m2pa;
      if (sigwall::decode_m2pa(bytes, variant, m2pa, anomalies) != DecodeStatus::kMalformed && m2pa.is_user_data() &&
          m2pa.route.present && m2pa.route.si == sigwall::mtp3_si::kSccp)
        out.sccp_bytes = m2pa.user_data;
      out.route = m2pa.route;
      break;
    }
    case Adaptation::kM2ua: {
      out.style = ParameterStyle::kTlv;
      sigwall::M2uaView m2ua;
      if (sigwall::decode_m2ua(bytes, variant, m2ua, anomalies) != DecodeStatus::kMalformed && m2ua.is_data() &&
          m2ua.route.present && m2ua.route.si == sigwall::mtp3_si::kSccp)
        out.sccp_bytes = m2ua.user_data;
      out.route = m2ua.route;
      break;
    }
    case Adaptation::kSua: {
      out.style = ParameterStyle::kSuaTlv;
      sigwall::SuaView sua;
      if (sigwall::decode_sua(bytes, sua, anomalies) != DecodeStatus::kMalformed && sua.is_connectionless_data()) {
        out.sccp = sua.sccp;
        out.has_sccp = true;
      }
      break;
    }
    case Adaptation::kNone:
      break;
  }
  if (!out.sccp_bytes.empty()) {
    out.layout = read_sccp_layout(out.sccp_bytes);
    out.has_sccp = sigwall::decode_sccp(out.sccp_bytes, out.sccp, anomalies) != DecodeStatus::kMalformed;
  }
  return out;
}

class LayeredSweep {
 public:
  explicit LayeredSweep(const sigwall::DecodeOptions& options)
      : options_(options), context_pipeline_(options), cut_pipeline_(options) {}

  // Walks one whole frame down to its user messages; with `sweep`, cuts every layer of it.
  void frame(const sigwall::FrameInfo& info, ByteView bytes, bool sweep);

  LayerCounts counts;

 private:
  void user_message(const UserMessage& message, bool sweep);
  void sweep_sctp_packet(ByteView packet);
  void sweep_data_chunk(const sigwall::SctpChunkView& chunk);
  void sweep_sctp_fragment(const sigwall::SctpStreamKey& key, const sigwall::SctpDataChunk& fragment,
                           uint64_t timestamp_ns);
  void sweep_adaptation(Adaptation adaptation, ByteView message);
  void sweep_pipeline(const UserMessage& message, const Layers& layers, ByteView tcap_in_message);
  void sweep_sccp(ByteView sccp, const SccpLayout& layout);
  void sweep_sccp_segment(const Layers& layers, uint64_t timestamp_ns);
  void sweep_tcap(ByteView tcap, sigwall::Application application);
  void sweep_parameter(const sigwall::TcapComponent& component, bool cap);

  sigwall::DecodeOptions options_;
  sigwall::SctpReassembler sctp_reassembler_;  // completes fragmented user messages for the walk
  sigwall::SccpReassembler sccp_reassembler_;  // completes segmented TCAP messages for the walk
  sigwall::SctpReassembler cut_sctp_reassembler_;  // reset, held fragments replayed, then one cut
  sigwall::SccpReassembler cut_sccp_reassembler_;  // reset, held segments replayed, then one cut
  sigwall::DecodePipeline context_pipeline_;   // whole user messages in order: adaptation, application, held
  sigwall::DecodePipeline cut_pipeline_;       // reset, held user messages replayed, then one cut
  std::vector<UserMessage> held_messages_;     // user messages whose segments context_pipeline_ holds
  std::vector<HeldFragment> held_fragments_;   // fragments sctp_reassembler_ holds
  std::vector<HeldSegment> held_segments_;     // segments sccp_reassembler_ holds
  sigwall::SctpPacketView packet_;             // the whole frame's
  sigwall::SctpPacketView cut_packet_;
  sigwall::TcapView tcap_view_;  // scratch: large
};

void LayeredSweep::frame(const sigwall::FrameInfo& info, ByteView bytes, bool sweep) {
  if (sweep) ++counts.frames;
  AnomalySet anomalies;
  sigwall::LinkView link;
  if (sigwall::decode_link(info.link_type, bytes, link, anomalies) == DecodeStatus::kMalformed) return;
  sigwall::IpView ip;
  DecodeStatus ip_status;
  if (link.ethertype == sigwall::kEthertypeIpv4)
    ip_status = sigwall::decode_ipv4(link.payload, ip, anomalies);
  else if (link.ethertype == sigwall::kEthertypeIpv6)
    ip_status = sigwall::decode_ipv6(link.payload, ip, anomalies);
  else
    return;
  if (ip_status == DecodeStatus::kMalformed || ip.protocol != sigwall::kIpProtocolSctp || ip.fragment) return;

  if (sweep) sweep_sctp_packet(ip.payload);
  if (sigwall::decode_sctp(ip.payload, options_.verify_crc, packet_, anomalies) == DecodeStatus::kMalformed &&
      packet_.chunk_count == 0)
    return;
  for (unsigned i = 0; i < packet_.chunk_count; ++i) {
    const sigwall::SctpChunkView& chunk = packet_.chunks[i];
    if (chunk.type != sigwall::sctp_chunk::kData && chunk.type != sigwall::sctp_chunk::kIData) continue;
    if (sweep) sweep_data_chunk(chunk);
    sigwall::SctpDataChunk data;
    if (sigwall::decode_sctp_data(chunk, data, anomalies) == DecodeStatus::kMalformed) continue;
    UserMessage message;
    message.info = info;
    message.ppid = data.ppid;
    message.src_port = packet_.src_port;
    message.dst_port = packet_.dst_port;
    ByteView whole = data.user_data;
    if (!(data.begin && data.end)) {
      // Keyed as the pipeline keys it (RFC 9260 §6.9: per stream and direction; I-DATA per MID).
      sigwall::SctpStreamKey key;
      key.ip_version = ip.version;
      std::memcpy(key.src, ip.src, sizeof key.src);
      std::memcpy(key.dst, ip.dst, sizeof key.dst);
      key.src_port = packet_.src_port;
      key.dst_port = packet_.dst_port;
      key.verification_tag = packet_.verification_tag;
      key.stream_id = data.stream_id;
      key.unordered = data.unordered;
      key.mid = data.idata ? data.mid : 0;
      if (sweep) sweep_sctp_fragment(key, data, info.timestamp_ns);
      uint16_t fragments = 0;
      const auto result = sctp_reassembler_.add(key, data, info.timestamp_ns, whole, fragments, anomalies);
      if (result == sigwall::SctpReassembler::Result::kPending) {
        if (held_fragments_.size() == sigwall::limits::kMaxFragmentsPerMessage)
          held_fragments_.erase(held_fragments_.begin());
        held_fragments_.push_back(
            HeldFragment{key, data, info.timestamp_ns, std::vector<uint8_t>(data.user_data.data,
                                                                            data.user_data.data + data.user_data.size)});
        continue;
      }
      std::erase_if(held_fragments_, [&](const HeldFragment& held) { return same_message(held.key, key); });
      if (result != sigwall::SctpReassembler::Result::kComplete) continue;
      message.ppid = sctp_reassembler_.completed_ppid();
    }
    message.bytes.assign(whole.data, whole.data + whole.size);
    user_message(message, sweep);
  }
}

void LayeredSweep::user_message(const UserMessage& message, bool sweep) {
  const ByteView bytes = message.view();
  RecordProbe whole;
  context_pipeline_.decode_user_message_bytes(message.info, message.ppid, message.src_port, message.dst_port, bytes,
                                              whole);
  const Layers layers = find_layers(bytes, whole.adaptation, options_.mtp3_variant);

  // The TCAP bytes the pipeline decodes: the SCCP data, or the reassembled segments.
  ByteView tcap, tcap_in_message;
  std::vector<uint8_t> reassembled;
  if (layers.segmented()) {
    if (sweep) sweep_sccp_segment(layers, message.info.timestamp_ns);
    AnomalySet anomalies;
    ByteView complete;
    uint16_t segments = 0;
    const auto result =
        sccp_reassembler_.add(layers.route, layers.sccp, message.info.timestamp_ns, complete, segments, anomalies);
    if (result == sigwall::SccpReassembler::Result::kComplete) {
      reassembled.assign(complete.data, complete.data + complete.size);
      tcap = ByteView{reassembled.data(), static_cast<uint32_t>(reassembled.size())};
    }
    if (result == sigwall::SccpReassembler::Result::kPending) {
      if (held_segments_.size() == kMaxHeldReplayed) held_segments_.erase(held_segments_.begin());
      const ByteView data = layers.sccp.data;
      held_segments_.push_back(HeldSegment{layers.route, layers.sccp, message.info.timestamp_ns,
                                           std::vector<uint8_t>(data.data, data.data + data.size)});
    } else {
      held_segments_.clear();
    }
  } else if (layers.has_sccp) {
    tcap = tcap_in_message = layers.sccp.data;
  }

  if (sweep && whole.adaptation != Adaptation::kNone) {
    ++counts.user_messages;
    sweep_adaptation(whole.adaptation, bytes);
    sweep_pipeline(message, layers, tcap_in_message);
    if (!layers.sccp_bytes.empty()) sweep_sccp(layers.sccp_bytes, layers.layout);
    if (!tcap.empty()) sweep_tcap(tcap, whole.application);
  }

  // The user messages a later cut must find held, as context_pipeline_ holds them.
  if (whole.held) {
    if (held_messages_.size() == kMaxHeldReplayed) held_messages_.erase(held_messages_.begin());
    held_messages_.push_back(message);
  } else if (whole.sccp_segments > 1) {
    held_messages_.clear();
  }
}

void LayeredSweep::sweep_sctp_packet(ByteView packet) {
  for (uint32_t length = 0; length <= packet.size; ++length) {
    CutCopy cut(packet, length);
    AnomalySet anomalies;
    const DecodeStatus status = sigwall::decode_sctp(cut.view(), true, cut_packet_, anomalies);
    counts.tally(kSctpPacket, status);
    for (unsigned i = 0; i < cut_packet_.chunk_count; ++i) {
      const sigwall::SctpChunkView& chunk = cut_packet_.chunks[i];
      if (chunk.type != sigwall::sctp_chunk::kData && chunk.type != sigwall::sctp_chunk::kIData) continue;
      sigwall::SctpDataChunk data;
      sigwall::decode_sctp_data(chunk, data, anomalies);
    }
  }
}

void LayeredSweep::sweep_data_chunk(const sigwall::SctpChunkView& chunk) {
  constexpr uint32_t kChunkHeaderBytes = 4;  // RFC 9260 §3.2: type, flags, length
  for (uint32_t length = 0; length <= chunk.value.size; ++length) {
    CutCopy cut(chunk.value, length);
    sigwall::SctpChunkView shorter = chunk;
    shorter.value = cut.view();
    shorter.length = static_cast<uint16_t>(kChunkHeaderBytes + length);  // consistent with the cut value
    sigwall::SctpDataChunk data;
    AnomalySet anomalies;
    counts.tally(kSctpDataChunk, sigwall::decode_sctp_data(shorter, data, anomalies));
  }
}

// The prefix cuts of the other layers never reach the reassemblers with a short fragment or
// segment whose predecessors are held: a cut user message fails its own length check, and a cut
// XUDT loses its Segmentation parameter (the optional part comes last). So the reassemblers are
// fed directly: reset, the held predecessors replayed, then the fragment's user data (the
// segment's data) cut at every length.
void LayeredSweep::sweep_sctp_fragment(const sigwall::SctpStreamKey& key, const sigwall::SctpDataChunk& fragment,
                                       uint64_t timestamp_ns) {
  for (uint32_t length = 0; length <= fragment.user_data.size; ++length) {
    CutCopy cut(fragment.user_data, length);
    cut_sctp_reassembler_.reset();
    AnomalySet anomalies;
    ByteView message;
    uint16_t fragments = 0;
    for (const HeldFragment& held : held_fragments_) {
      sigwall::SctpDataChunk chunk = held.chunk;
      chunk.user_data = ByteView{held.bytes.data(), static_cast<uint32_t>(held.bytes.size())};
      cut_sctp_reassembler_.add(held.key, chunk, held.timestamp_ns, message, fragments, anomalies);
    }
    sigwall::SctpDataChunk shorter = fragment;
    shorter.user_data = cut.view();
    const auto result = cut_sctp_reassembler_.add(key, shorter, timestamp_ns, message, fragments, anomalies);
    counts.tally(kSctpReassembly, result == sigwall::SctpReassembler::Result::kRejected ? DecodeStatus::kMalformed
                                                                                       : DecodeStatus::kOk);
    if (result == sigwall::SctpReassembler::Result::kComplete) ++counts.reassembled[0];
  }
}

void LayeredSweep::sweep_sccp_segment(const Layers& layers, uint64_t timestamp_ns) {
  const ByteView data = layers.sccp.data;
  for (uint32_t length = 0; length <= data.size; ++length) {
    CutCopy cut(data, length);
    cut_sccp_reassembler_.reset();
    AnomalySet anomalies;
    ByteView message;
    uint16_t segments = 0;
    for (const HeldSegment& held : held_segments_) {
      sigwall::SccpView segment = held.sccp;
      segment.data = ByteView{held.bytes.data(), static_cast<uint32_t>(held.bytes.size())};
      cut_sccp_reassembler_.add(held.route, segment, held.timestamp_ns, message, segments, anomalies);
    }
    sigwall::SccpView shorter = layers.sccp;
    shorter.data = cut.view();
    const auto result = cut_sccp_reassembler_.add(layers.route, shorter, timestamp_ns, message, segments, anomalies);
    counts.tally(kSccpReassembly, result == sigwall::SccpReassembler::Result::kRejected ? DecodeStatus::kMalformed
                                                                                       : DecodeStatus::kOk);
    if (result == sigwall::SccpReassembler::Result::kComplete) {
      ++counts.reassembled[1];
      // What the pipeline does next with it (the reassembler's buffer: ASan cannot bound it,
      // but the TCAP decoder sees a message whose last segment was cut).
      sigwall::decode_tcap(message, tcap_view_, anomalies);
    }
  }
}

void LayeredSweep::sweep_adaptation(Adaptation adaptation, ByteView message) {
  for (uint32_t length = 0; length <= message.size; ++length) {
    CutCopy cut(message, length);
    AnomalySet anomalies;
    switch (adaptation) {
      case Adaptation::kM3ua: {
        sigwall::M3uaView view;
        counts.tally(kM3ua, sigwall::decode_m3ua(cut.view(), view, anomalies));
        break;
      }
      case Adaptation::kM2pa: {
        sigwall::M2paView view;
        counts.tally(kM2pa, sigwall::decode_m2pa(cut.view(), options_.mtp3_variant, view, anomalies));
        break;
      }
      case Adaptation::kM2ua: {
        sigwall::M2uaView view;
        counts.tally(kM2ua, sigwall::decode_m2ua(cut.view(), options_.mtp3_variant, view, anomalies));
        break;
      }
      case Adaptation::kSua: {
        sigwall::SuaView view;
        counts.tally(kSua, sigwall::decode_sua(cut.view(), view, anomalies));
        break;
      }
      case Adaptation::kNone:
        return;
    }
  }
}

void LayeredSweep::sweep_pipeline(const UserMessage& message, const Layers& layers, ByteView tcap_in_message) {
  const ByteView bytes = message.view();
  const ByteView sccp = layers.sccp_bytes;
  const uint32_t sccp_at = sccp.empty() ? 0 : static_cast<uint32_t>(sccp.data - bytes.data);
  const uint32_t tcap_at = tcap_in_message.empty() ? 0 : static_cast<uint32_t>(tcap_in_message.data - bytes.data);
  NullSink ignore;
  for (uint32_t length = 0; length <= bytes.size; ++length) {
    CutCopy cut(bytes, length);
    patch_adaptation(cut.data(), bytes, length, layers.style);
    if (!sccp.empty() && length > sccp_at) patch_sccp(cut.data() + sccp_at, layers.layout, length - sccp_at);
    if (!tcap_in_message.empty() && length > tcap_at)
      patch_ber(cut.data() + tcap_at, tcap_in_message.data, tcap_in_message, length - tcap_at, 0);

    cut_pipeline_.reset();
    for (const UserMessage& held : held_messages_)
      cut_pipeline_.decode_user_message_bytes(held.info, held.ppid, held.src_port, held.dst_port, held.view(), ignore);
    RecordProbe probe;
    cut_pipeline_.decode_user_message_bytes(message.info, message.ppid, message.src_port, message.dst_port,
                                            cut.view(), probe);
    counts.tally(kPipeline, probe.status);
    if (probe.has_sccp) ++counts.pipeline_sccp;
    if (probe.has_tcap) ++counts.pipeline_tcap;
  }
}

void LayeredSweep::sweep_sccp(ByteView sccp, const SccpLayout& layout) {
  for (uint32_t length = 0; length <= sccp.size; ++length) {
    CutCopy cut(sccp, length);
    sigwall::SccpView view;
    AnomalySet anomalies;
    counts.tally(kSccp, sigwall::decode_sccp(cut.view(), view, anomalies));
  }
  // A cut inside an address leaves the data pointer beyond the message, so decode_sccp never
  // reaches the address decoder with it: cut the addresses' contents directly.
  for (const ByteView address : {layout.called, layout.calling}) {
    if (!layout.valid) break;
    for (uint32_t length = 0; length <= address.size; ++length) {
      CutCopy cut(address, length);
      sigwall::SccpAddress view;
      AnomalySet anomalies;
      counts.tally(kSccpAddress, sigwall::decode_sccp_address(cut.view(), view, anomalies));
    }
  }
}

void LayeredSweep::sweep_tcap(ByteView tcap, sigwall::Application application) {
  for (uint32_t length = 0; length <= tcap.size; ++length) {
    {
      CutCopy cut(tcap, length);
      AnomalySet anomalies;
      counts.tally(kTcap, sigwall::decode_tcap(cut.view(), tcap_view_, anomalies));
    }
    CutCopy cut(tcap, length);
    patch_ber(cut.data(), tcap.data, tcap, length, 0);
    AnomalySet anomalies;
    counts.tally(kTcapPatched, sigwall::decode_tcap(cut.view(), tcap_view_, anomalies));
  }
  // The whole message's components, each parameter cut; as in the pipeline, only local
  // opcodes are given to MAP/CAP.
  AnomalySet anomalies;
  sigwall::decode_tcap(tcap, tcap_view_, anomalies);
  const sigwall::TcapView& whole = tcap_view_;  // its views point into `tcap`
  for (unsigned i = 0; i < whole.components_decoded && i < sigwall::limits::kMaxComponents; ++i) {
    const sigwall::TcapComponent& component = whole.components[i];
    if (component.opcode_form != sigwall::CodeForm::kLocal || component.parameter.empty()) continue;
    sweep_parameter(component, application == sigwall::Application::kCap);
  }
}

void LayeredSweep::sweep_parameter(const sigwall::TcapComponent& component, bool cap) {
  const ByteView parameter = component.parameter;
  auto decode = [&](ByteView cut, Layer map_layer, Layer cap_layer) {
    sigwall::TcapComponent shorter = component;
    shorter.parameter = cut;
    AnomalySet anomalies;
    if (cap) {
      sigwall::CapFields fields;
      counts.tally(cap_layer, sigwall::decode_cap_component(shorter, shorter.opcode, fields, anomalies));
    } else {
      sigwall::MapFields fields;
      counts.tally(map_layer, sigwall::decode_map_component(shorter, shorter.opcode, fields, anomalies));
    }
  };
  for (uint32_t length = 0; length <= parameter.size; ++length) {
    {
      CutCopy cut(parameter, length);
      decode(cut.view(), kMapParameter, kCapParameter);
    }
    CutCopy cut(parameter, length);
    patch_ber(cut.data(), parameter.data, parameter, length, 0);
    decode(cut.view(), kMapParameterPatched, kCapParameterPatched);
  }
}

// ---------------------------------------------------------------------------------------------
// Captures.

struct Totals {
  uint64_t files = 0;
  uint64_t unreadable = 0;
  uint64_t frames = 0;
  uint64_t truncations = 0;         // frame pass 1 decodes (one per length, full length included)
  uint64_t truncated_messages = 0;  // messages out of frame pass 1
  uint64_t whole_messages = 0;      // messages out of frame pass 2
  LayerCounts layered;
  std::vector<std::string> sampled;  // captures whose layered pass was sampled, and how
};

bool g_fresh_every_length = false;

bool is_capture(const fs::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".pcap" || extension == ".pcapng" || extension == ".cap";
}

bool read_file(const fs::path& path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return false;
  const std::streamoff size = in.tellg();
  if (size < 0) return false;
  out.resize(static_cast<size_t>(size));
  in.seekg(0);
  return size == 0 || static_cast<bool>(in.read(reinterpret_cast<char*>(out.data()), size));
}

sigwall::FrameInfo frame_info(const sigwall::CaptureFrame& frame) {
  sigwall::FrameInfo info;
  info.number = frame.number;
  info.timestamp_ns = frame.timestamp_ns;
  info.link_type = frame.link_type;
  return info;
}

std::string layer_summary(const LayerCounts& counts) {
  std::string out;
  char item[96];
  for (unsigned i = 0; i < kLayerCount; ++i) {
    if (counts.cuts[i] == 0) continue;
    std::snprintf(item, sizeof item, "%s%s %" PRIu64, out.empty() ? "" : ", ", kLayerNames[i], counts.cuts[i]);
    out += item;
    if (i == kPipeline) {
      std::snprintf(item, sizeof item, " (%" PRIu64 " reached SCCP, %" PRIu64 " TCAP)", counts.pipeline_sccp,
                    counts.pipeline_tcap);
      out += item;
    }
  }
  return out.empty() ? "nothing above IP" : out;
}

// Sweeps one capture; false if it could not be read to its end.
bool sweep_capture(const fs::path& path, Totals& totals) {
  std::vector<uint8_t> file;
  if (!read_file(path, file)) {
    std::printf("%s: cannot read the file\n", path.c_str());
    return false;
  }
  if (file.size() > UINT32_MAX) {
    std::printf("%s: %zu bytes, larger than a ByteView spans\n", path.c_str(), file.size());
    return false;
  }
  const sigwall::DecodeOptions options;  // defaults: CRC verified, ITU MTP3, CAP on SSN 146
  sigwall::CaptureReader reader;
  sigwall::CaptureError error;
  const ByteView view{file.data(), static_cast<uint32_t>(file.size())};
  if (!reader.open(view, error)) {
    std::printf("%s: %s\n", path.c_str(), error.message);  // the message names the offset
    return false;
  }
  // Count the frames first, to pick the layered pass's sampling stride.
  uint64_t frame_total = 0;
  {
    sigwall::CaptureReader counter;
    sigwall::CaptureError ignored;
    sigwall::CaptureFrame frame;
    counter.open(view, ignored);
    while (counter.next(frame, ignored)) ++frame_total;
  }
  const uint64_t stride = frame_total > kLayeredFrameBudget ? frame_total / kLayeredFrameBudget : 1;

  CountingSink truncated_sink, whole_sink, all_lengths_sink;
  auto fresh = std::make_unique<sigwall::DecodePipeline>(options);        // frame pass 1
  auto whole = std::make_unique<sigwall::DecodePipeline>(options);        // frame pass 2
  auto all_lengths = std::make_unique<sigwall::DecodePipeline>(options);  // frame pass 3
  auto layered = std::make_unique<LayeredSweep>(options);
  uint64_t frames = 0, truncations = 0;
  sigwall::CaptureFrame frame;
  while (reader.next(frame, error)) {
    const sigwall::FrameInfo info = frame_info(frame);
    const uint32_t full = frame.bytes.size;
    // Exactly `full` bytes on the heap; a prefix of length L is copied to the end of it.
    std::unique_ptr<uint8_t[]> block(new uint8_t[full]);  // new[0] too: any read of it faults
    uint8_t* const end = block.get() + full;
    for (uint32_t length = 0; length <= full; ++length) {
      uint8_t* const start = end - length;
      if (length != 0) std::memcpy(start, frame.bytes.data, length);
      const ByteView truncated{start, length};
      if (g_fresh_every_length)
        fresh = std::make_unique<sigwall::DecodePipeline>(options);
      else
        fresh->reset();
      fresh->decode_frame(info, truncated, truncated_sink);
      all_lengths->decode_frame(info, truncated, all_lengths_sink);
      ++truncations;
    }
    whole->decode_frame(info, ByteView{block.get(), full}, whole_sink);  // the block now holds the whole frame
    layered->frame(info, ByteView{block.get(), full}, frames % stride == 0);
    ++frames;
  }
  totals.frames += frames;
  totals.truncations += truncations;
  totals.truncated_messages += truncated_sink.messages;
  totals.whole_messages += whole_sink.messages;
  totals.layered.add(layered->counts);
  std::printf("%s: %" PRIu64 " frames, %" PRIu64 " truncations (%" PRIu64 " messages, %" PRIu64
              " anomaly bits), %" PRIu64 " messages from whole frames\n",
              path.c_str(), frames, truncations, truncated_sink.messages, truncated_sink.anomaly_bits,
              whole_sink.messages);
  char sampling[96] = "all frames";
  if (stride > 1) {
    std::snprintf(sampling, sizeof sampling, "every %" PRIu64 "th of %" PRIu64 " frames", stride, frames);
    totals.sampled.push_back(path.filename().string() + ": " + sampling);
  }
  std::printf("  layered (%s): %" PRIu64 " user messages, %" PRIu64 " cuts: %s\n", sampling,
              layered->counts.user_messages, layered->counts.total(), layer_summary(layered->counts).c_str());
  if (error.failed) {
    std::printf("%s: %s\n", path.c_str(), error.message);  // the message names the offset
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();
  int first_dir = 1;
  if (argc > 1 && std::strcmp(argv[1], "--fresh-every-length") == 0) {
    g_fresh_every_length = true;
    first_dir = 2;
  }
  if (first_dir >= argc) {
    std::fprintf(stderr, "usage: %s [--fresh-every-length] <captures dir> [<demo dir> ...]\n", argv[0]);
    return 64;
  }
  Totals totals;
  for (int i = first_dir; i < argc; ++i) {
    const fs::path dir = argv[i];
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      std::printf("skipped: %s absent\n", dir.c_str());
      continue;
    }
    // Sorted, so that two runs print the same lines in the same order.
    std::vector<fs::path> captures;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file(ec) && is_capture(it->path())) captures.push_back(it->path());
    }
    if (ec) std::printf("%s: %s (listing stopped there)\n", dir.c_str(), ec.message().c_str());
    std::sort(captures.begin(), captures.end());
    for (const fs::path& path : captures) {
      ++totals.files;
      if (!sweep_capture(path, totals)) ++totals.unreadable;
    }
  }

  const LayerCounts& layered = totals.layered;
  std::printf("frame pass: %" PRIu64 " captures (%" PRIu64 " unreadable), %" PRIu64 " frames, %" PRIu64
              " truncations (%" PRIu64 " messages), %" PRIu64 " messages from whole frames\n",
              totals.files, totals.unreadable, totals.frames, totals.truncations, totals.truncated_messages,
              totals.whole_messages);
  std::printf("layered pass: %" PRIu64 " frames swept, %" PRIu64 " user messages, %" PRIu64 " cuts\n",
              layered.frames, layered.user_messages, layered.total());
  for (const std::string& line : totals.sampled) std::printf("  sampled: %s\n", line.c_str());
  for (unsigned i = 0; i < kLayerCount; ++i) {
    if (i == kPipeline) {
      std::printf("  %-40s %9" PRIu64 " cuts, %9" PRIu64 " reached SCCP, %9" PRIu64 " reached TCAP\n",
                  kLayerNames[i], layered.cuts[i], layered.pipeline_sccp, layered.pipeline_tcap);
    } else if (i == kSctpReassembly || i == kSccpReassembly) {
      std::printf("  %-40s %9" PRIu64 " cuts, %9" PRIu64 " not rejected, %9" PRIu64 " completed a message\n",
                  kLayerNames[i], layered.cuts[i], layered.decoded[i], layered.reassembled[i == kSccpReassembly]);
    } else {
      std::printf("  %-40s %9" PRIu64 " cuts, %9" PRIu64 " not malformed\n", kLayerNames[i], layered.cuts[i],
                  layered.decoded[i]);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("truncation sweep: %" PRIu64 " decodes of cut input (frame pass %" PRIu64 ", layered %" PRIu64
              ") in %.1f s, no fault\n",
              totals.truncations + layered.total(), totals.truncations, layered.total(), seconds);
  if (totals.files == 0) {
    std::printf("no capture found in any directory\n");
    return 1;
  }
  return totals.unreadable == 0 ? 0 : 2;
}
