// The Node boundary, and the only code that includes napi.h. It converts options once into
// C++ structs, runs the native decode path over a whole capture, and hands back plain
// objects; nothing per packet crosses into JavaScript except the records `decodeCapture` is
// asked for. Errors come back as {code, message, offset}; src/dataplane turns them into the
// SigwallError classes.
#include <napi.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "../decode/anomaly.h"
#include "../decode/cap.h"
#include "../decode/map.h"
#include "../engine/decode_pipeline.h"
#include "../io/capture_reader.h"
#include "../table/classifier.h"
#include "../table/table_image.h"
#include "live_engine.h"
#include "record_builder.h"

namespace sigwall::addon {

namespace {

DecodeOptions decode_options_from(const Napi::Env& env, const Napi::Value& value) {
  DecodeOptions options;
  if (!value.IsObject()) return options;
  const Napi::Object object = value.As<Napi::Object>();
  if (object.Has("verifyCrc")) options.verify_crc = object.Get("verifyCrc").ToBoolean();
  if (object.Has("mtp3Variant")) {
    const std::string variant = object.Get("mtp3Variant").ToString();
    if (variant == "japan") options.mtp3_variant = Mtp3Variant::kJapan;
    else if (variant == "ansi") options.mtp3_variant = Mtp3Variant::kAnsi;
    else if (variant == "itu") options.mtp3_variant = Mtp3Variant::kItu;
    else throw Napi::TypeError::New(env, "mtp3Variant must be 'itu', 'japan' or 'ansi'");
  }
  if (object.Has("capSsns")) {
    const Napi::Value ssns = object.Get("capSsns");
    if (!ssns.IsArray()) throw Napi::TypeError::New(env, "capSsns must be an array of SSNs");
    const Napi::Array array = ssns.As<Napi::Array>();
    if (array.Length() > 8) throw Napi::RangeError::New(env, "capSsns takes at most 8 SSNs");
    options.cap_ssn_count = static_cast<uint8_t>(array.Length());
    for (uint32_t i = 0; i < array.Length(); ++i) {
      const uint32_t ssn = array.Get(i).ToNumber().Uint32Value();
      if (ssn > 255) throw Napi::RangeError::New(env, "an SSN is 0..255");
      options.cap_ssns[i] = static_cast<uint8_t>(ssn);
    }
  }
  return options;
}

ByteView bytes_of(const Napi::Env& env, const Napi::Value& value) {
  if (!value.IsTypedArray()) throw Napi::TypeError::New(env, "capture must be a Uint8Array");
  const Napi::Uint8Array array = value.As<Napi::Uint8Array>();
  if (array.ByteLength() > UINT32_MAX) throw Napi::RangeError::New(env, "capture larger than 4 GiB");
  return ByteView{array.Data(), static_cast<uint32_t>(array.ByteLength())};
}

// The classification options: a compiled table (docs/table-format.md), loaded and validated
// once, and the side the capture's messages arrived from (evaluate.ts: default external).
struct TableOptions {
  std::unique_ptr<table::TableImage> table;
  table::IngressSide side = table::IngressSide::kExternal;
};

// Loads and validates a table image into a new TableImage (the bytes are copied); throws
// SIGWALL_ERR_TABLE with the loader's message for an invalid image.
std::unique_ptr<table::TableImage> load_table(const Napi::Env& env, const Napi::Value& bytes) {
  if (!bytes.IsTypedArray() || bytes.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw Napi::TypeError::New(env, "table must be a Uint8Array");
  const Napi::Uint8Array array = bytes.As<Napi::Uint8Array>();
  if (array.ByteLength() > UINT32_MAX) throw Napi::RangeError::New(env, "table larger than 4 GiB");
  std::unique_ptr<table::TableImage> image;
  table::TableError error;
  if (!table::TableImage::load(ByteView{array.Data(), static_cast<uint32_t>(array.ByteLength())}, image, error)) {
    Napi::Error failure = Napi::Error::New(env, error.message);
    failure.Set("code", Napi::String::New(env, "SIGWALL_ERR_TABLE"));
    throw failure;
  }
  return image;
}

TableOptions table_options_from(const Napi::Env& env, const Napi::Value& value) {
  TableOptions options;
  if (!value.IsObject()) return options;
  const Napi::Object object = value.As<Napi::Object>();
  if (object.Has("ingressSide") && !object.Get("ingressSide").IsUndefined()) {
    const std::string side = object.Get("ingressSide").ToString();
    if (side == "internal") options.side = table::IngressSide::kInternal;
    else if (side != "external") throw Napi::TypeError::New(env, "ingressSide must be 'external' or 'internal'");
  }
  if (!object.Has("table") || object.Get("table").IsUndefined()) return options;
  options.table = load_table(env, object.Get("table"));
  return options;
}

const char* action_name(uint8_t action) {
  return action == 1 ? "drop" : action == 2 ? "alert" : "allow";
}

// The verdict as evaluate.ts's Verdict: rule ids, "<policy>#default" / "<policy>#malformed".
Napi::Object verdict_object(Napi::Env env, const table::TableImage& image, const Ss7Message& message,
                            table::IngressSide side, const table::Verdict& verdict, std::vector<uint16_t>& scratch) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("action", action_name(verdict.action));
  if (verdict.rule != table::kNoRule) {
    object.Set("rule", std::string(image.rule_id(verdict.rule)));
    const uint8_t category = verdict.category;
    if (category == 0) object.Set("category", "custom");
    else object.Set("category", category);
  } else {
    object.Set("rule", std::string(image.policy_name()) + (verdict.malformed ? "#malformed" : "#default"));
  }
  Napi::Array shadows = Napi::Array::New(env);
  if (verdict.shadow_truncated) {
    table::all_shadow_hits(image, message, side, scratch);
    for (uint32_t i = 0; i < scratch.size(); ++i) shadows.Set(i, std::string(image.rule_id(scratch[i])));
  } else {
    for (uint32_t i = 0; i < verdict.shadow_count; ++i) shadows.Set(i, std::string(image.rule_id(verdict.shadow[i])));
  }
  object.Set("shadowHits", shadows);
  return object;
}

Napi::Object capture_error_object(const Napi::Env& env, const CaptureError& error) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("code", "SIGWALL_ERR_CAPTURE");
  object.Set("message", error.message);
  object.Set("offset", Napi::Number::New(env, static_cast<double>(error.offset)));
  return object;
}

class RecordSink final : public MessageSink {
 public:
  RecordSink(Napi::Env env, Napi::Array records, const TableOptions& table) : env_(env), records_(records), table_(table) {}
  void on_message(const Ss7Message& message) override {
    Napi::Object record = build_record(env_, message);
    if (table_.table) {
      table::Verdict verdict;
      table::classify(*table_.table, message, table_.side, verdict);
      record.Set("verdict", verdict_object(env_, *table_.table, message, table_.side, verdict, scratch_));
    }
    records_.Set(count_++, record);
  }
  uint32_t count() const { return count_; }

 private:
  Napi::Env env_;
  Napi::Array records_;
  const TableOptions& table_;
  std::vector<uint16_t> scratch_;
  uint32_t count_ = 0;
};

class CountingSink final : public MessageSink {
 public:
  explicit CountingSink(const TableOptions& table) : table_(table) {}
  void on_message(const Ss7Message& message) override {
    ++messages;
    if (message.has_tcap) components += message.tcap.components_decoded;
    if (table_.table) {
      // Timed per call; the clock's own cost (timer_overhead_ns, measured once) is taken off.
      const auto start = std::chrono::steady_clock::now();
      table::classify(*table_.table, message, table_.side, verdict_);
      const auto end = std::chrono::steady_clock::now();
      const auto ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
      // A classification takes well under a microsecond; a sample this long is the thread
      // being preempted between the two reads, and would swamp the sum: left out, counted.
      if (ns < kPreemptedNs) {
        classify_ns += ns;
        ++timed;
      }
      actions[verdict_.action] += 1;
    }
  }
  uint64_t messages = 0;
  uint64_t components = 0;
  uint64_t classify_ns = 0;
  uint64_t timed = 0;  // classifications whose time is in classify_ns
  uint64_t actions[3] = {0, 0, 0};
  static constexpr uint64_t kPreemptedNs = 50'000;

 private:
  const TableOptions& table_;
  table::Verdict verdict_;
};

// The smallest interval steady_clock reports for back-to-back reads (the cost of the two
// reads around each classify() call in CountingSink).
uint64_t timer_overhead_ns() {
  uint64_t best = UINT64_MAX;
  for (int i = 0; i < 1000; ++i) {
    const auto a = std::chrono::steady_clock::now();
    const auto b = std::chrono::steady_clock::now();
    best = std::min<uint64_t>(best, static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count()));
  }
  return best;
}

// new CaptureDecoder(capture: Uint8Array, options?): decodes a capture in batches so that a
// large file streams (bounded memory, progress) instead of becoming one huge array.
//   decodeBatch(maxRecords) -> { records, done, offset, error? }
//   stats() -> counters of the pipeline so far
//   setTable(table: Uint8Array) -> replaces the table from the next batch on (an invalid image
//     throws SIGWALL_ERR_TABLE and the current table stays)
class CaptureDecoder final : public Napi::ObjectWrap<CaptureDecoder> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CaptureDecoder",
                       {InstanceMethod<&CaptureDecoder::DecodeBatch>("decodeBatch"),
                        InstanceMethod<&CaptureDecoder::SetTable>("setTable"),
                        InstanceMethod<&CaptureDecoder::Stats>("stats")});
  }

  explicit CaptureDecoder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CaptureDecoder>(info) {
    const Napi::Env env = info.Env();
    file_ = bytes_of(env, info[0]);
    capture_ = Napi::Persistent(info[0].As<Napi::Object>());  // keeps the bytes alive
    pipeline_ = std::make_unique<DecodePipeline>(decode_options_from(env, info[1]));
    table_ = table_options_from(env, info[1]);  // throws SIGWALL_ERR_TABLE for an invalid image
    if (!reader_.open(file_, error_)) done_ = true;
  }

 private:
  Napi::Value DecodeBatch(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    const uint32_t max_records = info[0].IsNumber() ? std::max(1u, info[0].ToNumber().Uint32Value()) : 4096;
    Napi::Array records = Napi::Array::New(env);
    RecordSink sink(env, records, table_);
    CaptureFrame frame;
    // A frame can yield several records, so a batch may end a little over max_records.
    while (!done_ && sink.count() < max_records) {
      if (!reader_.next(frame, error_)) {
        done_ = true;
        break;
      }
      offset_ = frame.file_offset;
      pipeline_->decode_frame(FrameInfo{frame.number, frame.timestamp_ns, frame.link_type}, frame.bytes, sink);
    }
    Napi::Object result = Napi::Object::New(env);
    result.Set("records", records);
    result.Set("done", done_);
    result.Set("offset", Napi::Number::New(env, static_cast<double>(done_ ? file_.size : offset_)));
    result.Set("frames", Napi::Number::New(env, static_cast<double>(reader_.frames_read())));
    if (error_.failed) result.Set("error", capture_error_object(env, error_));
    return result;
  }

  // setTable(bytes): the next batch classifies with a new image. The image is loaded and
  // validated into a TableImage of its own first; only when that succeeds does it replace the
  // current one (a batch runs to completion inside decodeBatch, so the swap always falls between
  // batches). An invalid image throws SIGWALL_ERR_TABLE and the current table stays in use.
  void SetTable(const Napi::CallbackInfo& info) {
    std::unique_ptr<table::TableImage> image = load_table(info.Env(), info[0]);
    table_.table = std::move(image);
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) { return build_stats(info.Env(), *pipeline_); }

  ByteView file_;
  Napi::ObjectReference capture_;
  std::unique_ptr<DecodePipeline> pipeline_;
  TableOptions table_;
  CaptureReader reader_;
  CaptureError error_;
  uint64_t offset_ = 0;
  bool done_ = false;
};

// benchDecode(capture: Uint8Array, iterations: number, options?) -> counts and nanoseconds of
// the native loop alone (read + decode, no JavaScript objects): what the benchmark measures.
// With options.table, every message is also classified; classifyNanoseconds is the time spent
// in classify() alone (included in nanoseconds): timed per call, the timer's own cost taken off
// and preempted samples (over 50 us) left out and extrapolated from the others.
Napi::Value BenchDecode(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const ByteView file = bytes_of(env, info[0]);
  const uint32_t iterations = info[1].IsNumber() ? info[1].ToNumber().Uint32Value() : 1;
  const DecodeOptions options = decode_options_from(env, info[2]);
  const TableOptions table = table_options_from(env, info[2]);

  CountingSink sink(table);
  uint64_t frames = 0;
  CaptureError error;
  auto pipeline = std::make_unique<DecodePipeline>(options);
  const auto start = std::chrono::steady_clock::now();
  for (uint32_t i = 0; i < iterations && !error.failed; ++i) {
    CaptureReader reader;
    if (!reader.open(file, error)) break;
    CaptureFrame frame;
    while (reader.next(frame, error)) {
      pipeline->decode_frame(FrameInfo{frame.number, frame.timestamp_ns, frame.link_type}, frame.bytes, sink);
      ++frames;
    }
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  Napi::Object result = Napi::Object::New(env);
  result.Set("frames", Napi::Number::New(env, static_cast<double>(frames)));
  result.Set("messages", Napi::Number::New(env, static_cast<double>(sink.messages)));
  result.Set("components", Napi::Number::New(env, static_cast<double>(sink.components)));
  result.Set("nanoseconds",
             Napi::Number::New(env, static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count())));
  if (table.table) {
    // Scaled from the timed classifications to all of them, the timer's own cost taken off.
    const uint64_t overhead = timer_overhead_ns() * sink.timed;
    const double timed_ns = sink.classify_ns > overhead ? static_cast<double>(sink.classify_ns - overhead) : 0.0;
    const double classify_ns = sink.timed ? timed_ns * static_cast<double>(sink.messages) / static_cast<double>(sink.timed) : 0.0;
    result.Set("classifyNanoseconds", Napi::Number::New(env, classify_ns));
    Napi::Object actions = Napi::Object::New(env);
    for (uint8_t a = 0; a < 3; ++a) actions.Set(action_name(a), Napi::Number::New(env, static_cast<double>(sink.actions[a])));
    result.Set("actions", actions);
  }
  if (error.failed) result.Set("error", capture_error_object(env, error));
  return result;
}

// anomalyCatalog() -> [{ name, description }] in bit order.
Napi::Value AnomalyCatalog(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Napi::Array catalog = Napi::Array::New(env);
  for (unsigned i = 0; i < static_cast<unsigned>(Anomaly::kCount); ++i) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", kAnomalyInfo[i].name);
    entry.Set("description", kAnomalyInfo[i].description);
    catalog.Set(i, entry);
  }
  return catalog;
}

// operationNames() -> { map: {opcode: name}, cap: {opcode: name} } from the native data tables.
Napi::Value OperationNames(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Napi::Object map = Napi::Object::New(env);
  Napi::Object cap = Napi::Object::New(env);
  for (int32_t opcode = 0; opcode < 256; ++opcode) {
    if (const char* name = map_operation_name(opcode)) map.Set(opcode, name);
    if (const char* name = cap_operation_name(opcode)) cap.Set(opcode, name);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("map", map);
  result.Set("cap", cap);
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("CaptureDecoder", CaptureDecoder::Define(env));
  exports.Set("benchDecode", Napi::Function::New(env, BenchDecode, "benchDecode"));
  exports.Set("anomalyCatalog", Napi::Function::New(env, AnomalyCatalog, "anomalyCatalog"));
  exports.Set("operationNames", Napi::Function::New(env, OperationNames, "operationNames"));
  register_live_engine(env, exports);
  return exports;
}

}  // namespace

}  // namespace sigwall::addon

static Napi::Object InitSigwall(Napi::Env env, Napi::Object exports) { return sigwall::addon::Init(env, exports); }

NODE_API_MODULE(sigwall, InitSigwall)
