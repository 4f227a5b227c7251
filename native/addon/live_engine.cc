// The live engine at the Node boundary (src/dataplane/live-native.ts is its typing): the
// configuration object is converted once into live::LiveConfig, the engine runs on its own native
// threads, and JavaScript only reads the counters buffer it allocated and drains event records in
// batches. Errors are thrown as Error objects carrying {code, message, port?, errno?}; the
// TypeScript wrapper turns them into SigwallError.
#include <napi.h>

#include <cstring>
#include <memory>
#include <string>

#include "../bpf/sigwall_xdp_abi.h"
#include "../live/counters.h"
#include "../live/engine.h"
#include "../live/event_record.h"
#include "live_engine.h"

namespace sigwall::addon {

namespace {

Napi::Error coded_error(Napi::Env env, const std::string& code, const std::string& message, const std::string& port = "",
                        int error_number = 0) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  if (!port.empty()) error.Set("port", Napi::String::New(env, port));
  if (error_number != 0) error.Set("errno", Napi::Number::New(env, error_number));
  return error;
}

[[noreturn]] void throw_config(Napi::Env env, const std::string& message) {
  throw coded_error(env, "SIGWALL_ERR_CONFIG", "live engine configuration: " + message);
}

std::string string_field(Napi::Env env, const Napi::Object& object, const char* key, const char* fallback = nullptr) {
  const Napi::Value value = object.Get(key);
  if (value.IsUndefined() && fallback) return fallback;
  if (!value.IsString()) throw_config(env, std::string(key) + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

uint32_t uint_field(Napi::Env env, const Napi::Object& object, const char* key, uint32_t fallback, uint32_t min,
                    uint32_t max) {
  const Napi::Value value = object.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsNumber()) throw_config(env, std::string(key) + " must be a number");
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= min && number <= max) || number != static_cast<double>(static_cast<uint64_t>(number)))
    throw_config(env, std::string(key) + " must be an integer in " + std::to_string(min) + ".." + std::to_string(max));
  return static_cast<uint32_t>(number);
}

bool bool_field(Napi::Env env, const Napi::Object& object, const char* key, bool fallback) {
  const Napi::Value value = object.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsBoolean()) throw_config(env, std::string(key) + " must be a boolean");
  return value.As<Napi::Boolean>().Value();
}

table::IngressSide side_of(Napi::Env env, const std::string& side, const char* key) {
  if (side == "external") return table::IngressSide::kExternal;
  if (side == "internal") return table::IngressSide::kInternal;
  throw_config(env, std::string(key) + " must be 'external' or 'internal'");
}

DecodeOptions decode_of(Napi::Env env, const Napi::Value& value) {
  DecodeOptions options;
  if (value.IsUndefined()) return options;
  if (!value.IsObject()) throw_config(env, "decode must be an object");
  const Napi::Object object = value.As<Napi::Object>();
  options.verify_crc = bool_field(env, object, "verifyCrc", true);
  const std::string variant = string_field(env, object, "mtp3Variant", "itu");
  if (variant == "itu") options.mtp3_variant = Mtp3Variant::kItu;
  else if (variant == "japan") options.mtp3_variant = Mtp3Variant::kJapan;
  else if (variant == "ansi") options.mtp3_variant = Mtp3Variant::kAnsi;
  else throw_config(env, "decode.mtp3Variant must be 'itu', 'japan' or 'ansi'");
  const Napi::Value ssns = object.Get("capSsns");
  if (!ssns.IsUndefined()) {
    if (!ssns.IsArray()) throw_config(env, "decode.capSsns must be an array of SSNs");
    const Napi::Array array = ssns.As<Napi::Array>();
    if (array.Length() > 8) throw_config(env, "decode.capSsns takes at most 8 SSNs");
    options.cap_ssn_count = static_cast<uint8_t>(array.Length());
    for (uint32_t i = 0; i < array.Length(); ++i) {
      const Napi::Value ssn = array.Get(i);
      if (!ssn.IsNumber() || ssn.As<Napi::Number>().Uint32Value() > 255) throw_config(env, "an SSN is 0..255");
      options.cap_ssns[i] = static_cast<uint8_t>(ssn.As<Napi::Number>().Uint32Value());
    }
  }
  return options;
}

ByteView bytes_of(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw_config(env, std::string(what) + " must be a Uint8Array");
  const Napi::Uint8Array array = value.As<Napi::Uint8Array>();
  if (array.ByteLength() > UINT32_MAX) throw_config(env, std::string(what) + " is larger than 4 GiB");
  return ByteView{array.Data(), static_cast<uint32_t>(array.ByteLength())};
}

// The conversion: every field checked once here; the engine never sees a Napi type.
live::LiveConfig config_of(Napi::Env env, const Napi::Object& object, Napi::ObjectReference& capture_ref) {
  live::LiveConfig config;
  const std::string backend = string_field(env, object, "backend");
  if (backend == "pcap") config.backend = live::BackendKind::kPcap;
  else if (backend == "afpacket") config.backend = live::BackendKind::kAfPacket;
  else if (backend == "afxdp") config.backend = live::BackendKind::kAfXdp;
  else throw_config(env, "backend must be 'pcap', 'afpacket' or 'afxdp'");
  const std::string mode = string_field(env, object, "mode");
  if (mode == "offline") config.mode = live::EngineMode::kOffline;
  else if (mode == "monitor") config.mode = live::EngineMode::kMonitor;
  else if (mode == "inline") config.mode = live::EngineMode::kInline;
  else throw_config(env, "mode must be 'offline', 'monitor' or 'inline'");

  const Napi::Value ports = object.Get("ports");
  if (!ports.IsUndefined()) {
    if (!ports.IsArray()) throw_config(env, "ports must be an array");
    const Napi::Array array = ports.As<Napi::Array>();
    if (array.Length() > live::kMaxPorts) throw_config(env, "at most " + std::to_string(live::kMaxPorts) + " ports");
    for (uint32_t i = 0; i < array.Length(); ++i) {
      if (!array.Get(i).IsObject()) throw_config(env, "ports[" + std::to_string(i) + "] must be an object");
      const Napi::Object port = array.Get(i).As<Napi::Object>();
      live::PortConfig out;
      out.interface = string_field(env, port, "interface");
      if (out.interface.empty() || out.interface.size() > 15 || out.interface.find('/') != std::string::npos)
        throw_config(env, "ports[" + std::to_string(i) + "].interface is not an interface name");
      const std::string role = string_field(env, port, "role");
      if (role == "external") out.role = live::PortRole::kExternal;
      else if (role == "internal") out.role = live::PortRole::kInternal;
      else if (role == "monitor") out.role = live::PortRole::kMonitor;
      else throw_config(env, "ports[" + std::to_string(i) + "].role must be 'external', 'internal' or 'monitor'");
      const Napi::Value queues = port.Get("queues");
      if (!queues.IsUndefined()) {
        if (!queues.IsArray()) throw_config(env, "ports[" + std::to_string(i) + "].queues must be an array");
        const Napi::Array list = queues.As<Napi::Array>();
        for (uint32_t q = 0; q < list.Length(); ++q) {
          const Napi::Value queue = list.Get(q);
          if (!queue.IsNumber() || queue.As<Napi::Number>().Uint32Value() > 1023) throw_config(env, "a queue is 0..1023");
          out.queues.push_back(queue.As<Napi::Number>().Uint32Value());
        }
      }
      config.ports.push_back(std::move(out));
    }
  }

  const Napi::Value replay = object.Get("replay");
  if (!replay.IsUndefined()) {
    if (!replay.IsObject()) throw_config(env, "replay must be an object");
    const Napi::Object r = replay.As<Napi::Object>();
    config.replay.capture = bytes_of(env, r.Get("capture"), "replay.capture");
    capture_ref = Napi::Persistent(r.Get("capture").As<Napi::Object>());  // keeps the bytes alive
    const std::string pace = string_field(env, r, "pace", "fast");
    if (pace == "fast") config.replay.pace = live::ReplayPace::kFast;
    else if (pace == "capture") config.replay.pace = live::ReplayPace::kCapture;
    else if (pace == "rate") config.replay.pace = live::ReplayPace::kRate;
    else throw_config(env, "replay.pace must be 'fast', 'capture' or 'rate'");
    if (config.replay.pace == live::ReplayPace::kRate) {
      const Napi::Value rate = r.Get("rate");
      if (!rate.IsNumber() || !(rate.As<Napi::Number>().DoubleValue() > 0))
        throw_config(env, "replay.rate must be a number of packets per second above 0");
      config.replay.rate = rate.As<Napi::Number>().DoubleValue();
    }
    config.replay.loop = bool_field(env, r, "loop", false);
    config.replay.side = side_of(env, string_field(env, r, "side", "external"), "replay.side");
  } else if (config.backend == live::BackendKind::kPcap) {
    throw_config(env, "backend pcap needs replay.capture");
  }

  config.monitor_side = side_of(env, string_field(env, object, "monitorSide", "external"), "monitorSide");
  config.workers = uint_field(env, object, "workers", 0, 1, live::kMaxWorkers);
  const Napi::Value cpus = object.Get("cpus");
  if (!cpus.IsUndefined()) {
    if (!cpus.IsArray()) throw_config(env, "cpus must be an array");
    const Napi::Array array = cpus.As<Napi::Array>();
    for (uint32_t i = 0; i < array.Length(); ++i) {
      const Napi::Value cpu = array.Get(i);
      if (!cpu.IsNumber() || cpu.As<Napi::Number>().Uint32Value() >= 1024) throw_config(env, "a cpu is 0..1023");
      config.cpus.push_back(cpu.As<Napi::Number>().Uint32Value());
    }
  }
  config.ring_frames = uint_field(env, object, "ringFrames", 4096, 64, 1u << 20);
  config.batch = uint_field(env, object, "batch", 64, 1, live::kMaxBatch);
  config.event_slots = uint_field(env, object, "eventSlots", 4096, 2, 1u << 20);
  config.idle_spin_ns = 1000ull * uint_field(env, object, "idleSpinMicroseconds", 20, 0, 1000);
  const std::string fail_mode = string_field(env, object, "failMode", "open");
  if (fail_mode == "open") config.fail_mode = live::FailMode::kOpen;
  else if (fail_mode == "closed") config.fail_mode = live::FailMode::kClosed;
  else throw_config(env, "failMode must be 'open' or 'closed'");
  config.inspect = bool_field(env, object, "inspect", true);
  config.decode = decode_of(env, object.Get("decode"));
  config.rule_capacity = uint_field(env, object, "ruleCapacity", 0, 0, 65535);
  return config;
}

Napi::Error engine_error(Napi::Env env, const live::EngineError& error) {
  return coded_error(env, error.code.empty() ? "SIGWALL_ERR_ENGINE" : error.code, error.message, error.port,
                     error.error_number);
}

// The names TypeScript sees for the kernel counters, indexed by enum sigwall_xdp_counter.
constexpr const char* kKernelCounterNames[live::kKernelCounterKinds] = {
    "steeredToEngine", "failOpenForwarded", "failOpenPassed", "failClosedDropped",
    "nonSctpBridged",  "nonSctpPassed",     "unparsedAsSctp",
};
static_assert(SIGWALL_XDP_REDIRECTED_TO_XSK == 0 && SIGWALL_XDP_FAIL_OPEN_FORWARDED == 1 && SIGWALL_XDP_FAIL_OPEN_PASSED == 2 &&
                  SIGWALL_XDP_FAIL_CLOSED_DROPPED == 3 && SIGWALL_XDP_NON_SCTP_BRIDGED == 4 && SIGWALL_XDP_NON_SCTP_PASSED == 5 &&
                  SIGWALL_XDP_UNPARSED_AS_SCTP == 6 && SIGWALL_XDP_COUNTER_COUNT == live::kKernelCounterKinds,
              "kKernelCounterNames follows sigwall_xdp_abi.h");

class LiveEngineWrap final : public Napi::ObjectWrap<LiveEngineWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "LiveEngine",
                       {InstanceAccessor<&LiveEngineWrap::Workers>("workers"),
                        InstanceMethod<&LiveEngineWrap::Start>("start"),
                        InstanceMethod<&LiveEngineWrap::Stop>("stop"),
                        InstanceMethod<&LiveEngineWrap::SetTable>("setTable"),
                        InstanceMethod<&LiveEngineWrap::ActiveGenerations>("activeGenerations"),
                        InstanceMethod<&LiveEngineWrap::DrainEvents>("drainEvents"),
                        InstanceMethod<&LiveEngineWrap::State>("state"),
                        InstanceMethod<&LiveEngineWrap::KernelCounters>("kernelCounters"),
                        InstanceMethod<&LiveEngineWrap::LastError>("lastError")});
  }

  explicit LiveEngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LiveEngineWrap>(info) {
    const Napi::Env env = info.Env();
    if (!info[0].IsObject()) throw_config(env, "expected a configuration object");
    const Napi::Object object = info[0].As<Napi::Object>();
    live::LiveConfig config = config_of(env, object, capture_);
    const ByteView table = bytes_of(env, object.Get("table"), "table");
    engine_ = std::make_unique<live::LiveEngine>(std::move(config));
    live::EngineError error;
    if (!engine_->load_table(table, error)) throw engine_error(env, error);
    const Napi::Value counters = object.Get("counters");
    if (!counters.IsUndefined()) counters_value_ = Napi::Persistent(counters);
  }

  ~LiveEngineWrap() override {
    if (engine_) engine_->stop();
  }

 private:
  Napi::Value Workers(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), engine_->workers()); }

  void Start(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    Napi::Value counters = info[0];
    if (counters.IsUndefined() && !counters_value_.IsEmpty()) counters = counters_value_.Value();
    if (!counters.IsTypedArray() || counters.As<Napi::TypedArray>().TypedArrayType() != napi_biguint64_array)
      throw coded_error(env, "SIGWALL_ERR_ENGINE", "counters must be a BigUint64Array sized by counterLayout()");
    const Napi::TypedArray array = counters.As<Napi::TypedArray>();
    auto* data = reinterpret_cast<uint64_t*>(static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset());
    counters_value_ = Napi::Persistent(counters);  // the workers write into it until stop()
    live::EngineError error;
    if (!engine_->start(data, array.ElementLength(), error)) throw engine_error(env, error);
  }

  void Stop(const Napi::CallbackInfo&) { engine_->stop(); }

  Napi::Value SetTable(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      throw coded_error(env, "SIGWALL_ERR_TABLE", "table must be a Uint8Array");
    const ByteView image = bytes_of(env, info[0], "table");
    uint32_t generation = 0;
    live::EngineError error;
    if (!engine_->set_table(image, generation, error)) throw engine_error(env, error);
    return Napi::Number::New(env, generation);
  }

  Napi::Value ActiveGenerations(const Napi::CallbackInfo& info) {
    const std::vector<uint32_t> generations = engine_->active_generations();
    Napi::Array out = Napi::Array::New(info.Env(), generations.size());
    for (uint32_t i = 0; i < generations.size(); ++i) out.Set(i, Napi::Number::New(info.Env(), generations[i]));
    return out;
  }

  Napi::Value DrainEvents(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      throw coded_error(env, "SIGWALL_ERR_ENGINE", "drainEvents takes a Uint8Array");
    Napi::Uint8Array target = info[0].As<Napi::Uint8Array>();
    const size_t records = target.ByteLength() / live::kEventRecordSize;
    const uint32_t max = records > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(records);
    return Napi::Number::New(env, engine_->drain_events(target.Data(), max));
  }

  Napi::Value State(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), live::engine_state_name(engine_->state()));
  }

  // [{port, <kind>: {packets, bytes}, ..., inherited?, inheritedProblem?}] per configured port, or
  // null when the backend keeps no kernel counters (pcap, afpacket) or is not open. `inherited`
  // (same kinds) is what a stale program this start replaced had counted; `inheritedProblem` why
  // a replaced program's counts could not be read. Kinds named in src/dataplane/live-native.ts.
  Napi::Value KernelCounters(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    const std::vector<live::KernelPortCounters> ports = engine_->kernel_counters();
    if (ports.empty()) return env.Null();
    const std::vector<live::InheritedKernelCounters> inherited = engine_->inherited_kernel_counters();
    Napi::Array out = Napi::Array::New(env, ports.size());
    for (uint32_t port = 0; port < ports.size(); ++port) {
      Napi::Object object = kernel_kinds(env, ports[port]);
      object.Set("port", engine_->config().ports[port].interface);
      if (port < inherited.size() && inherited[port].state == live::InheritedKernelState::kCarried) {
        object.Set("inherited", kernel_kinds(env, inherited[port].counters));
      } else if (port < inherited.size() && inherited[port].state == live::InheritedKernelState::kUnreadable) {
        object.Set("inheritedProblem", inherited[port].problem);
      }
      out.Set(port, object);
    }
    return out;
  }

  static Napi::Object kernel_kinds(Napi::Env env, const live::KernelPortCounters& counters) {
    Napi::Object object = Napi::Object::New(env);
    for (uint32_t kind = 0; kind < live::kKernelCounterKinds; ++kind) {
      Napi::Object value = Napi::Object::New(env);
      value.Set("packets", Napi::Number::New(env, static_cast<double>(counters.packets[kind])));
      value.Set("bytes", Napi::Number::New(env, static_cast<double>(counters.bytes[kind])));
      object.Set(kKernelCounterNames[kind], value);
    }
    return object;
  }

  Napi::Value LastError(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    const live::EngineError error = engine_->last_error();
    if (error.code.empty()) return env.Null();
    Napi::Object object = Napi::Object::New(env);
    object.Set("code", error.code);
    object.Set("message", error.message);
    if (!error.port.empty()) object.Set("port", error.port);
    if (error.error_number) object.Set("errno", error.error_number);
    return object;
  }

  std::unique_ptr<live::LiveEngine> engine_;
  Napi::ObjectReference capture_;
  Napi::Reference<Napi::Value> counters_value_;
};

Napi::Value CounterLayout(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsNumber()) throw coded_error(env, "SIGWALL_ERR_ENGINE", "counterLayout(ruleCapacity, workers)");
  const uint32_t rules = info[0].As<Napi::Number>().Uint32Value();
  const uint32_t workers = info[1].As<Napi::Number>().Uint32Value();
  if (rules > 65535 || workers < 1 || workers > live::kMaxWorkers)
    throw coded_error(env, "SIGWALL_ERR_ENGINE", "counterLayout: ruleCapacity 0..65535, workers 1..64");
  const live::CounterLayout layout = live::counter_layout(rules, workers);
  Napi::Object out = Napi::Object::New(env);
  out.Set("workers", layout.workers);
  out.Set("ruleCapacity", layout.rule_capacity);
  out.Set("stride", layout.stride);
  out.Set("size", Napi::Number::New(env, static_cast<double>(layout.size)));
  Napi::Object slots = Napi::Object::New(env);
  for (uint32_t i = 0; i < live::kCounterSlotCount; ++i) slots.Set(live::kCounterSlotNames[i], i);
  out.Set("slots", slots);
  out.Set("rules", layout.rules);
  out.Set("ruleShadow", layout.rule_shadow);
  out.Set("rulesPrevious", layout.rules_previous);
  out.Set("ruleShadowPrevious", layout.rule_shadow_previous);
  out.Set("anomalies", layout.anomalies);
  Napi::Array names = Napi::Array::New(env, live::kAnomalyCount);
  for (uint32_t i = 0; i < live::kAnomalyCount; ++i) names.Set(i, kAnomalyInfo[i].name);
  out.Set("anomalyNames", names);
  return out;
}

Napi::Value EventLayout(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Napi::Object fields = Napi::Object::New(env);
  auto field = [&](const char* name, size_t offset, const char* type, uint32_t length = 0) {
    Napi::Object f = Napi::Object::New(env);
    f.Set("offset", Napi::Number::New(env, static_cast<double>(offset)));
    f.Set("type", type);
    if (length) f.Set("length", length);
    fields.Set(name, f);
  };
  using R = live::EventRecord;
#define SIGWALL_FIELD(name, member, type) field(name, offsetof(R, member), type)
#define SIGWALL_ARRAY(name, member, type) field(name, offsetof(R, member), type, sizeof(R::member) / sizeof(R::member[0]))
  SIGWALL_FIELD("timestampNs", timestamp_ns, "u64");
  SIGWALL_FIELD("frame", frame, "u64");
  SIGWALL_FIELD("sequence", sequence, "u64");
  SIGWALL_FIELD("tableGeneration", table_generation, "u32");
  SIGWALL_FIELD("worker", worker, "u16");
  SIGWALL_FIELD("port", port, "u16");
  SIGWALL_FIELD("kind", kind, "u8");
  SIGWALL_FIELD("action", action, "u8");
  SIGWALL_FIELD("side", side, "u8");
  SIGWALL_FIELD("category", category, "u8");
  SIGWALL_FIELD("rule", rule, "u16");
  SIGWALL_FIELD("shadowCount", shadow_count, "u8");
  SIGWALL_FIELD("flags", flags, "u8");
  SIGWALL_ARRAY("shadow", shadow, "u16");
  SIGWALL_FIELD("ipVersion", ip_version, "u8");
  SIGWALL_FIELD("opcodeCount", opcode_count, "u8");
  SIGWALL_FIELD("application", application, "u8");
  SIGWALL_FIELD("tcapType", tcap_type, "u8");
  SIGWALL_FIELD("linkType", link_type, "u32");
  SIGWALL_ARRAY("ipSrc", ip_src, "bytes");
  SIGWALL_ARRAY("ipDst", ip_dst, "bytes");
  SIGWALL_FIELD("srcPort", src_port, "u16");
  SIGWALL_FIELD("dstPort", dst_port, "u16");
  SIGWALL_FIELD("stream", stream, "u16");
  SIGWALL_FIELD("chunk", chunk, "u16");
  SIGWALL_FIELD("ppid", ppid, "u32");
  SIGWALL_FIELD("opc", opc, "u32");
  SIGWALL_FIELD("dpc", dpc, "u32");
  SIGWALL_FIELD("si", si, "u8");
  SIGWALL_FIELD("callingSsn", calling_ssn, "u8");
  SIGWALL_FIELD("calledSsn", called_ssn, "u8");
  SIGWALL_FIELD("callingDigitsLength", calling_digits_length, "u8");
  SIGWALL_FIELD("calledDigitsLength", called_digits_length, "u8");
  SIGWALL_FIELD("otidLength", otid_length, "u8");
  SIGWALL_FIELD("dtidLength", dtid_length, "u8");
  SIGWALL_FIELD("imsiLength", imsi_length, "u8");
  SIGWALL_FIELD("msisdnLength", msisdn_length, "u8");
  SIGWALL_ARRAY("callingDigits", calling_digits, "ascii");
  SIGWALL_ARRAY("calledDigits", called_digits, "ascii");
  SIGWALL_ARRAY("otid", otid, "bytes");
  SIGWALL_ARRAY("dtid", dtid, "bytes");
  SIGWALL_ARRAY("imsi", imsi, "ascii");
  SIGWALL_ARRAY("msisdn", msisdn, "ascii");
  SIGWALL_ARRAY("opcodes", opcodes, "i32");
  SIGWALL_ARRAY("anomalies", anomalies, "u64");
  SIGWALL_FIELD("originalLength", original_length, "u32");
  SIGWALL_FIELD("capturedLength", captured_length, "u32");
#undef SIGWALL_FIELD
#undef SIGWALL_ARRAY
  Napi::Object out = Napi::Object::New(env);
  out.Set("size", live::kEventRecordSize);
  out.Set("frameOffset", live::kEventFrameOffset);
  out.Set("snapLength", live::kEventSnapLength);
  out.Set("fields", fields);
  Napi::Array kinds = Napi::Array::New(env, 4);
  const char* kind_names[] = {"blocked", "alerted", "shadow", "malformed"};
  for (uint32_t i = 0; i < 4; ++i) kinds.Set(i, kind_names[i]);
  out.Set("kinds", kinds);
  Napi::Array tcap_types = Napi::Array::New(env, 6);
  const char* tcap_names[] = {"none", "unidirectional", "begin", "end", "continue", "abort"};
  for (uint32_t i = 0; i < 6; ++i) tcap_types.Set(i, tcap_names[i]);
  out.Set("tcapTypes", tcap_types);
  Napi::Array applications = Napi::Array::New(env, 3);
  const char* application_names[] = {"unknown", "map", "cap"};
  for (uint32_t i = 0; i < 3; ++i) applications.Set(i, application_names[i]);
  out.Set("applications", applications);
  Napi::Object flag_bits = Napi::Object::New(env);
  flag_bits.Set("shadowTruncated", static_cast<uint32_t>(live::kEventShadowTruncated));
  flag_bits.Set("malformed", static_cast<uint32_t>(live::kEventMalformed));
  flag_bits.Set("hasIp", static_cast<uint32_t>(live::kEventHasIp));
  flag_bits.Set("hasMtp3", static_cast<uint32_t>(live::kEventHasMtp3));
  flag_bits.Set("hasSccp", static_cast<uint32_t>(live::kEventHasSccp));
  flag_bits.Set("hasTcap", static_cast<uint32_t>(live::kEventHasTcap));
  flag_bits.Set("callingSsn", static_cast<uint32_t>(live::kEventCallingSsn));
  flag_bits.Set("calledSsn", static_cast<uint32_t>(live::kEventCalledSsn));
  out.Set("flagBits", flag_bits);
  out.Set("noRule", static_cast<uint32_t>(table::kNoRule));
  out.Set("noCategory", static_cast<uint32_t>(live::kEventNoCategory));
  out.Set("noOpcode", live::kEventNoOpcode);
  return out;
}

Napi::Value LiveBackends(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("pcap", true);
  out.Set("afpacket", true);
  out.Set("afxdp", static_cast<bool>(live::make_afxdp_backend()));
  return out;
}

}  // namespace

void register_live_engine(Napi::Env env, Napi::Object exports) {
  exports.Set("LiveEngine", LiveEngineWrap::Define(env));
  exports.Set("counterLayout", Napi::Function::New(env, CounterLayout, "counterLayout"));
  exports.Set("eventLayout", Napi::Function::New(env, EventLayout, "eventLayout"));
  exports.Set("liveBackends", Napi::Function::New(env, LiveBackends, "liveBackends"));
}

}  // namespace sigwall::addon
