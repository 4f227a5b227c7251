// libFuzzer target for SUA and its addresses mapped onto SccpView. Checks memory safety and
// the invariants callers rely on.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "decode/sua.h"

namespace {

using sigwall::ByteView;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_inside(ByteView input, ByteView v) {
  if (v.size == 0) return;
  check(v.data >= input.data && v.data + v.size <= input.data + input.size);
}

void check_digits(const sigwall::Digits& digits) {
  check(digits.count <= sigwall::limits::kMaxDigits);
  check(digits.text[digits.count] == '\0');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sigwall;
  if (size > 64 * 1024) return 0;
  std::vector<uint8_t> copy(data, data + size);
  const ByteView input{copy.data(), static_cast<uint32_t>(copy.size())};

  SuaView view;
  AnomalySet anomalies;
  const DecodeStatus status = decode_sua(input, view, anomalies);
  check(status != DecodeStatus::kOk || !anomalies.any());
  check(status == DecodeStatus::kOk || anomalies.any());
  check_inside(input, view.sccp.data);
  check_digits(view.sccp.called.digits);
  check_digits(view.sccp.calling.digits);
  if (!view.is_connectionless_data()) check(!view.sccp.called.present && !view.sccp.calling.present);
  return 0;
}
