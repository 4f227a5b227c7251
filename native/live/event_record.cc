#include "event_record.h"

#include <algorithm>
#include <cstring>

namespace sigwall::live {

namespace {

EventTcapType tcap_type_of(TcapMessageType type) {
  switch (type) {
    case TcapMessageType::kUnidirectional: return EventTcapType::kUnidirectional;
    case TcapMessageType::kBegin: return EventTcapType::kBegin;
    case TcapMessageType::kEnd: return EventTcapType::kEnd;
    case TcapMessageType::kContinue: return EventTcapType::kContinue;
    case TcapMessageType::kAbort: return EventTcapType::kAbort;
    case TcapMessageType::kNone: break;
  }
  return EventTcapType::kNone;
}

uint8_t copy_digits(char* out, uint32_t capacity, const Digits& digits) {
  const uint32_t n = std::min<uint32_t>(digits.count, capacity);
  std::memcpy(out, digits.text, n);
  return static_cast<uint8_t>(n);
}

uint8_t copy_bytes(uint8_t* out, uint32_t capacity, ByteView bytes) {
  const uint32_t n = std::min<uint32_t>(bytes.size, capacity);
  if (n) std::memcpy(out, bytes.data, n);
  return static_cast<uint8_t>(n);
}

// The first component's subscriber identifier of each kind (MAP, or CAP's IMSI).
void copy_subscriber_ids(EventRecord& out, const Ss7Message& message) {
  if (!message.has_tcap) return;
  const unsigned components = std::min<unsigned>(message.tcap.components_decoded, limits::kMaxComponents);
  for (unsigned i = 0; i < components; ++i) {
    const AddressField* imsi = nullptr;
    const AddressField* msisdn = nullptr;
    if (message.application == Application::kCap) {
      imsi = &message.cap[i].imsi;
    } else {
      imsi = &message.map[i].imsi;
      msisdn = &message.map[i].msisdn;
    }
    if (out.imsi_length == 0 && imsi->present) out.imsi_length = copy_digits(out.imsi, sizeof out.imsi, imsi->digits);
    if (out.msisdn_length == 0 && msisdn && msisdn->present)
      out.msisdn_length = copy_digits(out.msisdn, sizeof out.msisdn, msisdn->digits);
  }
}

}  // namespace

void fill_event(EventRecord& out, EventKind kind, const Ss7Message& message, const table::Verdict& verdict,
                table::IngressSide side, const EventFrame& frame, uint16_t worker, uint64_t sequence,
                uint32_t table_generation) {
  // The header part is cleared field by field's worth at once; the frame area is only written
  // up to captured_length (the reader never looks past it).
  std::memset(&out, 0, kEventFrameOffset);
  out.timestamp_ns = message.timestamp_ns;
  out.frame = frame.number;
  out.sequence = sequence;
  out.table_generation = table_generation;
  out.worker = worker;
  out.port = frame.port;
  out.kind = static_cast<uint8_t>(kind);
  out.action = verdict.action;
  out.side = static_cast<uint8_t>(side);
  out.rule = verdict.rule;
  out.category = verdict.rule == table::kNoRule ? kEventNoCategory : verdict.category;
  out.shadow_count = static_cast<uint8_t>(std::min<unsigned>(verdict.shadow_count, kEventShadows));
  for (unsigned i = 0; i < out.shadow_count; ++i) out.shadow[i] = verdict.shadow[i];
  uint8_t flags = 0;
  if (verdict.shadow_truncated || verdict.shadow_count > kEventShadows) flags |= kEventShadowTruncated;
  if (verdict.malformed) flags |= kEventMalformed;

  if (message.ip.version != 0) {
    flags |= kEventHasIp;
    out.ip_version = message.ip.version;
    std::memcpy(out.ip_src, message.ip.src, sizeof out.ip_src);
    std::memcpy(out.ip_dst, message.ip.dst, sizeof out.ip_dst);
  }
  out.src_port = message.src_port;
  out.dst_port = message.dst_port;
  out.stream = message.data.stream_id;
  out.ppid = message.data.ppid;
  out.chunk = message.chunk_index;
  if (message.route.present) {
    flags |= kEventHasMtp3;
    out.opc = message.route.opc;
    out.dpc = message.route.dpc;
    out.si = message.route.si;
  }
  if (message.has_sccp) {
    flags |= kEventHasSccp;
    const SccpView& sccp = message.sccp;
    if (sccp.calling.has_ssn) {
      flags |= kEventCallingSsn;
      out.calling_ssn = sccp.calling.ssn;
    }
    if (sccp.called.has_ssn) {
      flags |= kEventCalledSsn;
      out.called_ssn = sccp.called.ssn;
    }
    if (sccp.calling.gti != 0)
      out.calling_digits_length = copy_digits(out.calling_digits, sizeof out.calling_digits, sccp.calling.digits);
    if (sccp.called.gti != 0)
      out.called_digits_length = copy_digits(out.called_digits, sizeof out.called_digits, sccp.called.digits);
  }
  for (unsigned i = 0; i < kEventOpcodes; ++i) out.opcodes[i] = kEventNoOpcode;
  if (message.has_tcap) {
    flags |= kEventHasTcap;
    const TcapView& tcap = message.tcap;
    out.tcap_type = static_cast<uint8_t>(tcap_type_of(tcap.type));
    if (tcap.has_otid) out.otid_length = copy_bytes(out.otid, sizeof out.otid, tcap.otid);
    if (tcap.has_dtid) out.dtid_length = copy_bytes(out.dtid, sizeof out.dtid, tcap.dtid);
    const unsigned components = std::min<unsigned>(tcap.components_decoded, kEventOpcodes);
    out.opcode_count = static_cast<uint8_t>(components);
    for (unsigned i = 0; i < components; ++i)
      if (tcap.components[i].opcode_form == CodeForm::kLocal) out.opcodes[i] = tcap.components[i].opcode;
    copy_subscriber_ids(out, message);
  }
  out.application = static_cast<uint8_t>(message.application);
  out.anomalies[0] = message.anomalies.bits[0];
  out.anomalies[1] = message.anomalies.bits[1];
  out.flags = flags;

  out.link_type = frame.link_type;
  out.original_length = frame.original_length;
  out.captured_length = std::min<uint32_t>(frame.length, kEventSnapLength);
  if (out.captured_length) std::memcpy(out.frame_bytes, frame.data, out.captured_length);
}

}  // namespace sigwall::live
