#include "record_builder.h"

#include <string>

#include "../decode/ber.h"

namespace sigwall::addon {

namespace {

std::string hex(ByteView bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size * 2);
  for (uint32_t i = 0; i < bytes.size; ++i) {
    text.push_back(kHex[bytes.data[i] >> 4]);
    text.push_back(kHex[bytes.data[i] & 0x0F]);
  }
  return text;
}

std::string oid_text(ByteView oid) {
  char text[160];
  format_oid(oid, text, sizeof text);
  return text;
}

const char* status_name(DecodeStatus status) {
  switch (status) {
    case DecodeStatus::kOk: return "ok";
    case DecodeStatus::kAnomaly: return "anomaly";
    case DecodeStatus::kMalformed: return "malformed";
  }
  return "malformed";
}

const char* adaptation_name(Adaptation adaptation) {
  switch (adaptation) {
    case Adaptation::kM3ua: return "m3ua";
    case Adaptation::kM2pa: return "m2pa";
    case Adaptation::kSua: return "sua";
    case Adaptation::kM2ua: return "m2ua";
    case Adaptation::kNone: break;
  }
  return "none";
}

const char* tcap_type_name(TcapMessageType type) {
  switch (type) {
    case TcapMessageType::kUnidirectional: return "unidirectional";
    case TcapMessageType::kBegin: return "begin";
    case TcapMessageType::kEnd: return "end";
    case TcapMessageType::kContinue: return "continue";
    case TcapMessageType::kAbort: return "abort";
    case TcapMessageType::kNone: break;
  }
  return nullptr;
}

const char* component_type_name(ComponentType type) {
  switch (type) {
    case ComponentType::kInvoke: return "invoke";
    case ComponentType::kReturnResultLast: return "returnResultLast";
    case ComponentType::kReturnError: return "returnError";
    case ComponentType::kReject: return "reject";
    case ComponentType::kReturnResultNotLast: return "returnResultNotLast";
  }
  return "invoke";
}

const char* dialogue_name(DialoguePdu pdu) {
  switch (pdu) {
    case DialoguePdu::kAarq: return "aarq";
    case DialoguePdu::kAare: return "aare";
    case DialoguePdu::kAbrt: return "abrt";
    case DialoguePdu::kAudt: return "audt";
    case DialoguePdu::kNone: break;
  }
  return nullptr;
}

Napi::Object sccp_address(Napi::Env env, const SccpAddress& address) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("ri", address.routing_indicator);
  object.Set("gti", address.gti);
  if (address.has_pc) object.Set("pc", address.pc);
  if (address.has_ssn) object.Set("ssn", address.ssn);
  if (address.has_tt) object.Set("tt", address.tt);
  if (address.has_np) {
    object.Set("np", address.np);
    object.Set("es", address.es);
  }
  if (address.has_nai) object.Set("nai", address.nai);
  if (address.gti != 0) object.Set("digits", std::string(address.digits.text, address.digits.count));
  return object;
}

void set_digits(Napi::Object& object, const char* key, const AddressField& field) {
  if (field.present) object.Set(key, std::string(field.digits.text, field.digits.count));
}

Napi::Object map_fields(Napi::Env env, const MapFields& fields) {
  Napi::Object object = Napi::Object::New(env);
  set_digits(object, "imsi", fields.imsi);
  set_digits(object, "msisdn", fields.msisdn);
  set_digits(object, "mscNumber", fields.msc_number);
  set_digits(object, "vlrNumber", fields.vlr_number);
  set_digits(object, "sgsnNumber", fields.sgsn_number);
  set_digits(object, "hlrNumber", fields.hlr_number);
  set_digits(object, "serviceCentreAddress", fields.service_centre_address);
  set_digits(object, "gsmscfAddress", fields.gsmscf_address);
  set_digits(object, "imei", fields.imei);
  if (fields.sm_rp_da_kind != SmRpDaKind::kNone) {
    Napi::Object da = Napi::Object::New(env);
    const char* kind = fields.sm_rp_da_kind == SmRpDaKind::kImsi ? "imsi"
                       : fields.sm_rp_da_kind == SmRpDaKind::kLmsi ? "lmsi"
                       : fields.sm_rp_da_kind == SmRpDaKind::kServiceCentre ? "serviceCentreAddressDA"
                                                                              : "noSM-RP-DA";
    da.Set("kind", kind);
    set_digits(da, "digits", fields.sm_rp_da);
    object.Set("smRpDa", da);
  }
  if (fields.sm_rp_oa_kind != SmRpOaKind::kNone) {
    Napi::Object oa = Napi::Object::New(env);
    const char* kind = fields.sm_rp_oa_kind == SmRpOaKind::kMsisdn ? "msisdn"
                       : fields.sm_rp_oa_kind == SmRpOaKind::kServiceCentre ? "serviceCentreAddressOA"
                                                                              : "noSM-RP-OA";
    oa.Set("kind", kind);
    set_digits(oa, "digits", fields.sm_rp_oa);
    object.Set("smRpOa", oa);
  }
  if (fields.subscriber_identity_kind != SubscriberIdKind::kNone)
    object.Set("subscriberIdentity", fields.subscriber_identity_kind == SubscriberIdKind::kImsi ? "imsi" : "msisdn");
  return object;
}

Napi::Object cap_fields(Napi::Env env, const CapFields& fields) {
  Napi::Object object = Napi::Object::New(env);
  if (fields.has_service_key) object.Set("serviceKey", fields.service_key);
  set_digits(object, "callingPartyNumber", fields.calling_party_number);
  set_digits(object, "calledPartyNumber", fields.called_party_number);
  set_digits(object, "calledPartyBcdNumber", fields.called_party_bcd_number);
  set_digits(object, "imsi", fields.imsi);
  set_digits(object, "mscAddress", fields.msc_address);
  set_digits(object, "locationVlrNumber", fields.location_vlr_number);
  if (fields.has_cell_id) {
    Napi::Object cell = Napi::Object::New(env);
    char mcc[4], mnc[4];
    std::snprintf(mcc, sizeof mcc, "%03u", fields.mcc % 1000);
    std::snprintf(mnc, sizeof mnc, fields.mnc_digits == 3 ? "%03u" : "%02u", fields.mnc % 1000);
    cell.Set("mcc", mcc);
    cell.Set("mnc", mnc);
    cell.Set("lac", fields.lac);
    cell.Set("ci", fields.cell_id);
    object.Set("cellGlobalId", cell);
  } else if (fields.has_lai) {
    Napi::Object lai = Napi::Object::New(env);
    char mcc[4], mnc[4];
    std::snprintf(mcc, sizeof mcc, "%03u", fields.mcc % 1000);
    std::snprintf(mnc, sizeof mnc, fields.mnc_digits == 3 ? "%03u" : "%02u", fields.mnc % 1000);
    lai.Set("mcc", mcc);
    lai.Set("mnc", mnc);
    lai.Set("lac", fields.lac);
    object.Set("locationAreaId", lai);
  }
  if (fields.has_event_type_bcsm) object.Set("eventTypeBcsm", fields.event_type_bcsm);
  return object;
}

Napi::Object component_object(Napi::Env env, const Ss7Message& message, unsigned index) {
  const TcapComponent& component = message.tcap.components[index];
  Napi::Object object = Napi::Object::New(env);
  object.Set("type", component_type_name(component.type));
  if (component.has_invoke_id) object.Set("invokeId", component.invoke_id);
  if (component.has_linked_id) object.Set("linkedId", component.linked_id);
  if (component.opcode_form == CodeForm::kLocal) {
    object.Set("opcode", component.opcode);
    const char* name = message.application == Application::kCap ? cap_operation_name(component.opcode)
                                                                 : map_operation_name(component.opcode);
    if (name) object.Set("operation", name);
  } else if (component.opcode_form == CodeForm::kGlobal) {
    object.Set("globalOpcode", oid_text(component.global_opcode));
  }
  if (component.error_form == CodeForm::kLocal) object.Set("errorCode", component.error_code);
  if (component.has_problem) {
    Napi::Object problem = Napi::Object::New(env);
    problem.Set("type", component.problem_type);
    problem.Set("code", component.problem_code);
    object.Set("problem", problem);
  }
  if (message.application == Application::kCap) {
    if (message.cap[index].any()) object.Set("cap", cap_fields(env, message.cap[index]));
  } else if (message.map[index].any()) {
    object.Set("map", map_fields(env, message.map[index]));
  }
  return object;
}

}  // namespace

Napi::Object build_record(Napi::Env env, const Ss7Message& message) {
  Napi::Object record = Napi::Object::New(env);
  record.Set("frame", Napi::Number::New(env, static_cast<double>(message.frame)));
  record.Set("chunk", message.chunk_index);
  record.Set("timestampNs", std::to_string(message.timestamp_ns));

  Napi::Object ip = Napi::Object::New(env);
  char address[64];
  ip.Set("version", message.ip.version);
  format_ip(message.ip, true, address, sizeof address);
  ip.Set("src", address);
  format_ip(message.ip, false, address, sizeof address);
  ip.Set("dst", address);
  record.Set("ip", ip);

  Napi::Object sctp = Napi::Object::New(env);
  sctp.Set("srcPort", message.src_port);
  sctp.Set("dstPort", message.dst_port);
  sctp.Set("tsn", message.data.tsn);
  sctp.Set("sid", message.data.stream_id);
  sctp.Set("ssn", message.data.ssn);
  sctp.Set("ppid", message.data.ppid);
  sctp.Set("fragments", message.sctp_fragments);
  sctp.Set("idata", message.data.idata);
  record.Set("sctp", sctp);

  record.Set("adaptation", adaptation_name(message.adaptation));
  if (message.adaptation == Adaptation::kM3ua) {
    Napi::Object m3ua = Napi::Object::New(env);
    m3ua.Set("messageClass", message.m3ua.message_class);
    m3ua.Set("messageType", message.m3ua.message_type);
    if (message.m3ua.has_routing_context) m3ua.Set("routingContext", message.m3ua.routing_context);
    if (message.m3ua.has_network_appearance) m3ua.Set("networkAppearance", message.m3ua.network_appearance);
    record.Set("m3ua", m3ua);
  } else if (message.adaptation == Adaptation::kM2ua) {
    Napi::Object m2ua = Napi::Object::New(env);
    m2ua.Set("messageClass", message.m2ua.message_class);
    m2ua.Set("messageType", message.m2ua.message_type);
    if (message.m2ua.has_interface_id) m2ua.Set("interfaceId", message.m2ua.interface_id);
    record.Set("m2ua", m2ua);
  } else if (message.adaptation == Adaptation::kSua) {
    Napi::Object sua = Napi::Object::New(env);
    sua.Set("messageClass", message.sua.message_class);
    sua.Set("messageType", message.sua.message_type);
    if (message.sua.has_routing_context) sua.Set("routingContext", message.sua.routing_context);
    record.Set("sua", sua);
  }
  if (message.route.present) {
    Napi::Object mtp3 = Napi::Object::New(env);
    mtp3.Set("opc", message.route.opc);
    mtp3.Set("dpc", message.route.dpc);
    mtp3.Set("si", message.route.si);
    mtp3.Set("ni", message.route.ni);
    mtp3.Set("mp", message.route.mp);
    mtp3.Set("sls", message.route.sls);
    record.Set("mtp3", mtp3);
  }

  if (message.has_sccp) {
    const SccpView& view = message.sccp;
    Napi::Object sccp = Napi::Object::New(env);
    sccp.Set("messageType", view.message_type);
    sccp.Set("protocolClass", view.protocol_class);
    sccp.Set("called", sccp_address(env, view.called));
    sccp.Set("calling", sccp_address(env, view.calling));
    if (view.has_hop_counter) sccp.Set("hopCounter", view.hop_counter);
    if (view.has_return_cause) sccp.Set("returnCause", view.return_cause);
    if (view.segmentation.present) {
      Napi::Object segmentation = Napi::Object::New(env);
      segmentation.Set("first", view.segmentation.first);
      segmentation.Set("class", view.segmentation.segment_class);
      segmentation.Set("remaining", view.segmentation.remaining);
      segmentation.Set("localReference", view.segmentation.local_reference);
      sccp.Set("segmentation", segmentation);
    }
    sccp.Set("segments", message.sccp_segments);
    record.Set("sccp", sccp);
  }

  if (message.has_tcap) {
    const TcapView& view = message.tcap;
    Napi::Object tcap = Napi::Object::New(env);
    tcap.Set("type", tcap_type_name(view.type));
    if (view.has_otid) tcap.Set("otid", hex(view.otid));
    if (view.has_dtid) tcap.Set("dtid", hex(view.dtid));
    if (!view.application_context.empty()) tcap.Set("applicationContext", oid_text(view.application_context));
    if (const char* dialogue = dialogue_name(view.dialogue_pdu)) tcap.Set("dialogue", dialogue);
    if (view.has_protocol_version) tcap.Set("protocolVersion", view.protocol_version);
    if (view.has_p_abort_cause) tcap.Set("pAbortCause", view.p_abort_cause);
    tcap.Set("componentCount", view.component_count);
    Napi::Array components = Napi::Array::New(env, view.components_decoded);
    for (unsigned i = 0; i < view.components_decoded; ++i) components.Set(i, component_object(env, message, i));
    tcap.Set("components", components);
    record.Set("tcap", tcap);
  }
  record.Set("application", message.application == Application::kCap   ? "cap"
                            : message.application == Application::kMap ? "map"
                                                                        : "unknown");
  Napi::Array anomalies = Napi::Array::New(env);
  uint32_t count = 0;
  for (unsigned i = 0; i < static_cast<unsigned>(Anomaly::kCount); ++i)
    if (message.anomalies.has(static_cast<Anomaly>(i))) anomalies.Set(count++, kAnomalyInfo[i].name);
  record.Set("anomalies", anomalies);
  record.Set("status", status_name(message.status));
  return record;
}

Napi::Object build_stats(Napi::Env env, const DecodePipeline& pipeline) {
  const DecodeStats& stats = pipeline.stats();
  Napi::Object object = Napi::Object::New(env);
  auto set = [&](const char* key, uint64_t value) { object.Set(key, Napi::Number::New(env, static_cast<double>(value))); };
  set("frames", stats.frames);
  set("bytes", stats.bytes);
  set("nonIp", stats.non_ip);
  set("nonSctp", stats.non_sctp);
  set("ipFragments", stats.ip_fragments);
  set("sctpPackets", stats.sctp_packets);
  set("sctpBadCrc", stats.sctp_bad_crc);
  set("dataChunks", stats.data_chunks);
  set("messages", stats.messages);
  set("tcapMessages", stats.tcap_messages);
  set("malformedFrames", stats.malformed_frames);
  const SctpReassemblyStats& sctp = pipeline.sctp_reassembly();
  set("sctpReassembled", sctp.messages_completed);
  set("sctpReassemblyBoundHits", sctp.bound_hits);
  set("sctpReassemblySequenceErrors", sctp.sequence_errors);
  set("sctpReassemblyTimedOut", sctp.timed_out);
  set("sctpReassemblyDuplicates", sctp.duplicates);
  const SccpReassemblyStats& sccp = pipeline.sccp_reassembly();
  set("sccpReassembled", sccp.messages_completed);
  set("sccpReassemblyBoundHits", sccp.bound_hits);
  set("sccpReassemblySequenceErrors", sccp.sequence_errors);
  set("sccpReassemblyTimedOut", sccp.timed_out);
  Napi::Object anomalies = Napi::Object::New(env);
  for (unsigned i = 0; i < static_cast<unsigned>(Anomaly::kCount); ++i)
    if (stats.anomalies[i]) anomalies.Set(kAnomalyInfo[i].name, Napi::Number::New(env, static_cast<double>(stats.anomalies[i])));
  object.Set("anomalies", anomalies);
  return object;
}

}  // namespace sigwall::addon
