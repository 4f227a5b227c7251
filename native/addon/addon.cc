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

Napi::Object capture_error_object(const Napi::Env& env, const CaptureError& error) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("code", "SIGWALL_ERR_CAPTURE");
  object.Set("message", error.message);
  object.Set("offset", Napi::Number::New(env, static_cast<double>(error.offset)));
  return object;
}

class RecordSink final : public MessageSink {
 public:
  RecordSink(Napi::Env env, Napi::Array records) : env_(env), records_(records) {}
  void on_message(const Ss7Message& message) override { records_.Set(count_++, build_record(env_, message)); }
  uint32_t count() const { return count_; }

 private:
  Napi::Env env_;
  Napi::Array records_;
  uint32_t count_ = 0;
};

class CountingSink final : public MessageSink {
 public:
  void on_message(const Ss7Message& message) override {
    ++messages;
    if (message.has_tcap) components += message.tcap.components_decoded;
  }
  uint64_t messages = 0;
  uint64_t components = 0;
};

// new CaptureDecoder(capture: Uint8Array, options?): decodes a capture in batches so that a
// large file streams (bounded memory, progress) instead of becoming one huge array.
//   decodeBatch(maxRecords) -> { records, done, offset, error? }
//   stats() -> counters of the pipeline so far
class CaptureDecoder final : public Napi::ObjectWrap<CaptureDecoder> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CaptureDecoder",
                       {InstanceMethod<&CaptureDecoder::DecodeBatch>("decodeBatch"),
                        InstanceMethod<&CaptureDecoder::Stats>("stats")});
  }

  explicit CaptureDecoder(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CaptureDecoder>(info) {
    const Napi::Env env = info.Env();
    file_ = bytes_of(env, info[0]);
    capture_ = Napi::Persistent(info[0].As<Napi::Object>());  // keeps the bytes alive
    pipeline_ = std::make_unique<DecodePipeline>(decode_options_from(env, info[1]));
    if (!reader_.open(file_, error_)) done_ = true;
  }

 private:
  Napi::Value DecodeBatch(const Napi::CallbackInfo& info) {
    const Napi::Env env = info.Env();
    const uint32_t max_records = info[0].IsNumber() ? std::max(1u, info[0].ToNumber().Uint32Value()) : 4096;
    Napi::Array records = Napi::Array::New(env);
    RecordSink sink(env, records);
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

  Napi::Value Stats(const Napi::CallbackInfo& info) { return build_stats(info.Env(), *pipeline_); }

  ByteView file_;
  Napi::ObjectReference capture_;
  std::unique_ptr<DecodePipeline> pipeline_;
  CaptureReader reader_;
  CaptureError error_;
  uint64_t offset_ = 0;
  bool done_ = false;
};

// benchDecode(capture: Uint8Array, iterations: number, options?) -> counts and nanoseconds of
// the native loop alone (read + decode, no JavaScript objects): what the benchmark measures.
Napi::Value BenchDecode(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  const ByteView file = bytes_of(env, info[0]);
  const uint32_t iterations = info[1].IsNumber() ? info[1].ToNumber().Uint32Value() : 1;
  const DecodeOptions options = decode_options_from(env, info[2]);

  CountingSink sink;
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
  return exports;
}

}  // namespace

}  // namespace sigwall::addon

static Napi::Object InitSigwall(Napi::Env env, Napi::Object exports) { return sigwall::addon::Init(env, exports); }

NODE_API_MODULE(sigwall, InitSigwall)
