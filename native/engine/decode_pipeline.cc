#include "decode_pipeline.h"

#include <bit>
#include <cstring>

#include "../decode/ip.h"
#include "../decode/link.h"

namespace sigwall {

namespace {

// Ports IANA assigns to the adaptation layers: Wireshark falls back to them when the PPID is 0
// (unspecified), and so do we, so that a zero PPID is not a way around inspection.
constexpr uint16_t kPortM3ua = 2905, kPortSua = 14001, kPortM2pa = 3565, kPortM2ua = 2904;

bool is_cap_application_context(ByteView oid) {
  // 0.4.0.0.1 = 04 00 00 01. CAP v1/v2 live under applicationContext(0) with arcs 50-52
  // (TS 29.078 cap-gsmssf-to-gsmscf / assist / gsmSRF); CAP v3/v4 under arcs 21/22/23.
  if (oid.size < 6 || oid.data[0] != 0x04 || oid.data[1] != 0x00 || oid.data[2] != 0x00 || oid.data[3] != 0x01)
    return false;
  const uint8_t arc = oid.data[4];
  if (arc == 21 || arc == 22 || arc == 23) return true;
  return arc == 0 && oid.data[5] >= 50 && oid.data[5] <= 52;
}

uint32_t adaptation_ppid(const SctpDataChunk& chunk, uint16_t src_port, uint16_t dst_port) {
  if (chunk.ppid != 0) return chunk.ppid;
  auto either = [&](uint16_t port) { return src_port == port || dst_port == port; };
  if (either(kPortM3ua)) return sctp_ppid::kM3ua;
  if (either(kPortSua)) return sctp_ppid::kSua;
  if (either(kPortM2pa)) return sctp_ppid::kM2pa;
  if (either(kPortM2ua)) return sctp_ppid::kM2ua;
  return 0;
}

}  // namespace

DecodePipeline::DecodePipeline(const DecodeOptions& options) : options_(options) {}

void DecodePipeline::count(const AnomalySet& anomalies) {
  // Visits the set bits only (a message has a few of the 128), lowest first.
  for (unsigned word = 0; word < 2; ++word) {
    for (uint64_t bits = anomalies.bits[word]; bits != 0; bits &= bits - 1)
      ++stats_.anomalies[word * 64 + static_cast<unsigned>(std::countr_zero(bits))];
  }
}

void DecodePipeline::decode_frame(const FrameInfo& frame, ByteView bytes, MessageSink& sink) {
  ++stats_.frames;
  stats_.bytes += bytes.size;
  expire_if_due(frame.timestamp_ns);

  AnomalySet packet_anomalies;
  LinkView link;
  if (decode_link(frame.link_type, bytes, link, packet_anomalies) == DecodeStatus::kMalformed) {
    if (packet_anomalies.has(Anomaly::kLinkUnknownType)) ++stats_.non_ip; else ++stats_.malformed_frames;
    count(packet_anomalies);
    return;
  }

  IpView ip;
  DecodeStatus ip_status;
  if (link.ethertype == kEthertypeIpv4) {
    ip_status = decode_ipv4(link.payload, ip, packet_anomalies);
  } else if (link.ethertype == kEthertypeIpv6) {
    ip_status = decode_ipv6(link.payload, ip, packet_anomalies);
  } else {
    ++stats_.non_ip;
    return;
  }
  if (ip_status == DecodeStatus::kMalformed) {
    ++stats_.malformed_frames;
    count(packet_anomalies);
    return;
  }
  if (ip.protocol != kIpProtocolSctp) {
    ++stats_.non_sctp;
    return;
  }
  if (ip.fragment) {
    // IP fragments are not reassembled (SIGTRAN does not rely on them): counted, not inspected.
    ++stats_.ip_fragments;
    count(packet_anomalies);
    return;
  }

  const DecodeStatus sctp_status = decode_sctp(ip.payload, options_.verify_crc, sctp_, packet_anomalies);
  ++stats_.sctp_packets;
  if (sctp_.crc_checked && !sctp_.crc_valid) ++stats_.sctp_bad_crc;
  if (sctp_status == DecodeStatus::kMalformed && sctp_.chunk_count == 0) {
    ++stats_.malformed_frames;
    count(packet_anomalies);
    return;
  }
  count(packet_anomalies);
  counted_packet_bits_ = packet_anomalies;

  unsigned messages_in_packet = 0;
  for (unsigned i = 0; i < sctp_.chunk_count; ++i) {
    const SctpChunkView& chunk = sctp_.chunks[i];
    if (chunk.type != sctp_chunk::kData && chunk.type != sctp_chunk::kIData) continue;
    ++stats_.data_chunks;

    Ss7Message& message = message_;
    reset_message(message);
    message.frame = frame.number;
    message.timestamp_ns = frame.timestamp_ns;
    message.chunk_index = static_cast<uint16_t>(i);
    message.link = link;
    message.ip = ip;
    message.src_port = sctp_.src_port;
    message.dst_port = sctp_.dst_port;
    message.verification_tag = sctp_.verification_tag;
    message.anomalies = packet_anomalies;
    message.status = sctp_status;

    if (++messages_in_packet > limits::kMaxMessagesPerPacket) {
      // Beyond the cap the remaining chunks are not inspected; the last record says so.
      message.anomalies.set(Anomaly::kMessageCap);
      message.status = DecodeStatus::kMalformed;
      finish(message, sink);
      break;
    }

    const DecodeStatus data_status = decode_sctp_data(chunk, message.data, message.anomalies);
    message.status = worst(message.status, data_status);
    if (data_status == DecodeStatus::kMalformed) {
      finish(message, sink);
      continue;
    }

    ByteView user_message = message.data.user_data;
    if (!(message.data.begin && message.data.end)) {
      SctpStreamKey key;
      key.ip_version = ip.version;
      std::memcpy(key.src, ip.src, sizeof key.src);
      std::memcpy(key.dst, ip.dst, sizeof key.dst);
      key.src_port = sctp_.src_port;
      key.dst_port = sctp_.dst_port;
      key.verification_tag = sctp_.verification_tag;
      key.stream_id = message.data.stream_id;
      key.unordered = message.data.unordered;
      key.mid = message.data.idata ? message.data.mid : 0;
      uint16_t fragments = 0;
      switch (sctp_reassembler_.add(key, message.data, frame.timestamp_ns, user_message, fragments, message.anomalies)) {
        case SctpReassembler::Result::kPending:
          continue;  // nothing to inspect until the message is whole
        case SctpReassembler::Result::kRejected:
          message.status = DecodeStatus::kMalformed;
          finish(message, sink);
          continue;
        case SctpReassembler::Result::kComplete:
          message.sctp_fragments = fragments;
          // I-DATA carries the PPID on the first fragment only (RFC 8260 §2.1).
          message.data.ppid = sctp_reassembler_.completed_ppid();
          break;
      }
    }
    decode_user_message(user_message, message);
    finish(message, sink);
  }
}

void DecodePipeline::expire_if_due(uint64_t now_ns) {
  if (now_ns > last_expiry_ns_ + kExpiryIntervalNs || now_ns < last_expiry_ns_) {
    sctp_reassembler_.expire(now_ns);
    sccp_reassembler_.expire(now_ns);
    last_expiry_ns_ = now_ns;
  }
}

void DecodePipeline::decode_user_message_bytes(const FrameInfo& frame, uint32_t ppid, uint16_t src_port,
                                               uint16_t dst_port, ByteView payload, MessageSink& sink) {
  expire_if_due(frame.timestamp_ns);
  ++stats_.data_chunks;
  counted_packet_bits_ = AnomalySet{};  // no packet around this message: all its bits are its own

  Ss7Message& message = message_;
  reset_message(message);
  message.frame = frame.number;
  message.timestamp_ns = frame.timestamp_ns;
  message.link = LinkView{};
  message.ip = IpView{};
  message.src_port = src_port;
  message.dst_port = dst_port;
  message.verification_tag = 0;
  // The single DATA chunk it stands for: unfragmented, ordered, stream 0.
  message.data.begin = message.data.end = true;
  message.data.ppid = ppid;
  message.data.user_data = payload;
  decode_user_message(payload, message);
  finish(message, sink);
}

void DecodePipeline::reset() {
  sctp_reassembler_.reset();
  sccp_reassembler_.reset();
  stats_ = DecodeStats{};
  counted_packet_bits_ = AnomalySet{};
  last_expiry_ns_ = 0;
}

void DecodePipeline::reset_message(Ss7Message& message) {
  // Ss7Message is large (per-component MAP/CAP fields); only what the previous message used
  // is cleared, so the cost per message stays small. decode_tcap_and_above fills cap[i] or
  // map[i] by the message's application, never both.
  const unsigned used = message.has_tcap ? message.tcap.components_decoded : 0;
  const bool used_cap = message.application == Application::kCap;
  for (unsigned i = 0; i < used && i < limits::kMaxComponents; ++i) {
    if (used_cap) message.cap[i] = CapFields{};
    else message.map[i].clear();
  }
  message.frame = 0;
  message.chunk_index = 0;
  message.data = SctpDataChunk{};
  message.sctp_fragments = 1;
  message.adaptation = Adaptation::kNone;
  message.m3ua = M3uaView{};
  message.m2pa = M2paView{};
  message.m2ua = M2uaView{};
  message.sua.message_class = message.sua.message_type = 0;
  message.route = Mtp3Route{};
  message.has_sccp = false;
  message.sccp_segments = 1;
  message.has_tcap = false;
  message.tcap.type = TcapMessageType::kNone;
  message.tcap.components_decoded = 0;
  message.tcap.component_count = 0;
  message.application = Application::kUnknown;
  message.anomalies = AnomalySet{};
  message.status = DecodeStatus::kOk;
}

void DecodePipeline::finish(Ss7Message& message, MessageSink& sink) {
  ++stats_.messages;
  if (message.has_tcap) ++stats_.tcap_messages;
  count_message_anomalies(message.anomalies);
  sink.on_message(message);
}

void DecodePipeline::count_message_anomalies(const AnomalySet& anomalies) {
  // Packet-level bits were counted once per packet in decode_frame; count the rest here.
  AnomalySet only_message = anomalies;
  only_message.bits[0] &= ~counted_packet_bits_.bits[0];
  only_message.bits[1] &= ~counted_packet_bits_.bits[1];
  count(only_message);
}

void DecodePipeline::decode_user_message(ByteView payload, Ss7Message& message) {
  DecodeStatus status = DecodeStatus::kOk;
  switch (adaptation_ppid(message.data, message.src_port, message.dst_port)) {
    case sctp_ppid::kM3ua: {
      message.adaptation = Adaptation::kM3ua;
      status = decode_m3ua(payload, message.m3ua, message.anomalies);
      message.route = message.m3ua.route;
      message.status = worst(message.status, status);
      if (status != DecodeStatus::kMalformed && message.m3ua.is_data() && message.route.present &&
          message.route.si == mtp3_si::kSccp)
        decode_sccp_and_above(message.m3ua.user_data, message);
      return;
    }
    case sctp_ppid::kM2pa: {
      message.adaptation = Adaptation::kM2pa;
      status = decode_m2pa(payload, options_.mtp3_variant, message.m2pa, message.anomalies);
      message.route = message.m2pa.route;
      message.status = worst(message.status, status);
      if (status != DecodeStatus::kMalformed && message.m2pa.is_user_data() && message.route.present &&
          message.route.si == mtp3_si::kSccp)
        decode_sccp_and_above(message.m2pa.user_data, message);
      return;
    }
    case sctp_ppid::kM2ua: {
      message.adaptation = Adaptation::kM2ua;
      status = decode_m2ua(payload, options_.mtp3_variant, message.m2ua, message.anomalies);
      message.route = message.m2ua.route;
      message.status = worst(message.status, status);
      if (status != DecodeStatus::kMalformed && message.m2ua.is_data() && message.route.present &&
          message.route.si == mtp3_si::kSccp)
        decode_sccp_and_above(message.m2ua.user_data, message);
      return;
    }
    case sctp_ppid::kSua: {
      message.adaptation = Adaptation::kSua;
      status = decode_sua(payload, message.sua, message.anomalies);
      message.status = worst(message.status, status);
      if (status != DecodeStatus::kMalformed && message.sua.is_connectionless_data()) {
        message.has_sccp = true;
        message.sccp = message.sua.sccp;
        decode_segments_and_tcap(message);
      }
      return;
    }
    default:
      message.anomalies.set(Anomaly::kUnknownPayloadProtocol);
      message.status = worst(message.status, DecodeStatus::kAnomaly);
      return;
  }
}

void DecodePipeline::decode_sccp_and_above(ByteView sccp_bytes, Ss7Message& message) {
  const DecodeStatus status = decode_sccp(sccp_bytes, message.sccp, message.anomalies);
  message.status = worst(message.status, status);
  if (status == DecodeStatus::kMalformed) return;
  message.has_sccp = true;
  decode_segments_and_tcap(message);
}

void DecodePipeline::decode_segments_and_tcap(Ss7Message& message) {
  const SccpSegmentation& segmentation = message.sccp.segmentation;
  ByteView tcap_bytes = message.sccp.data;
  // A lone segment ("first, 0 remaining") is a whole message; anything else waits for the rest.
  if (segmentation.present && !(segmentation.first && segmentation.remaining == 0)) {
    uint16_t segments = 0;
    switch (sccp_reassembler_.add(message.route, message.sccp, message.timestamp_ns, tcap_bytes, segments,
                                  message.anomalies)) {
      case SccpReassembler::Result::kPending:
        message.anomalies.set(Anomaly::kSccpSegmentIncomplete);
        message.status = worst(message.status, DecodeStatus::kAnomaly);
        return;
      case SccpReassembler::Result::kRejected:
        message.status = DecodeStatus::kMalformed;
        return;
      case SccpReassembler::Result::kComplete:
        message.sccp_segments = segments;
        break;
    }
  }
  if (tcap_bytes.empty()) return;
  decode_tcap_and_above(tcap_bytes, message);
}

void DecodePipeline::decode_tcap_and_above(ByteView tcap_bytes, Ss7Message& message) {
  const DecodeStatus status = decode_tcap(tcap_bytes, message.tcap, message.anomalies);
  message.status = worst(message.status, status);
  if (message.tcap.type == TcapMessageType::kNone) return;
  message.has_tcap = true;

  message.application = application_of(message);
  for (unsigned i = 0; i < message.tcap.components_decoded; ++i) {
    const TcapComponent& component = message.tcap.components[i];
    if (component.opcode_form != CodeForm::kLocal) continue;
    DecodeStatus component_status;
    if (message.application == Application::kCap)
      component_status = decode_cap_component(component, component.opcode, message.cap[i], message.anomalies);
    else
      component_status = decode_map_component(component, component.opcode, message.map[i], message.anomalies);
    message.status = worst(message.status, component_status);
  }
}

Application DecodePipeline::application_of(const Ss7Message& message) const {
  if (!message.tcap.application_context.empty())
    return is_cap_application_context(message.tcap.application_context) ? Application::kCap : Application::kMap;
  // No application context (MAP v1, or a Continue/End): Wireshark's rule, by SSN.
  for (unsigned i = 0; i < options_.cap_ssn_count && i < 8; ++i) {
    const uint8_t ssn = options_.cap_ssns[i];
    if ((message.sccp.called.has_ssn && message.sccp.called.ssn == ssn) ||
        (message.sccp.calling.has_ssn && message.sccp.calling.ssn == ssn))
      return Application::kCap;
  }
  return Application::kMap;
}

}  // namespace sigwall
