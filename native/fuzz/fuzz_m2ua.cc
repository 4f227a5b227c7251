// libFuzzer target for M2UA and the MTP3 MSU under it, in each point-code variant (chosen by
// the first input byte). Checks memory safety and the invariants callers rely on.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "decode/m2ua.h"

namespace {

using sigwall::ByteView;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_inside(ByteView input, ByteView v) {
  if (v.size == 0) return;
  check(v.data >= input.data && v.data + v.size <= input.data + input.size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sigwall;
  if (size < 1 || size > 64 * 1024) return 0;
  const Mtp3Variant variant = static_cast<Mtp3Variant>(data[0] % 3);
  std::vector<uint8_t> copy(data + 1, data + size);
  const ByteView input{copy.data(), static_cast<uint32_t>(copy.size())};

  M2uaView view;
  AnomalySet anomalies;
  const DecodeStatus status = decode_m2ua(input, variant, view, anomalies);
  check(status != DecodeStatus::kOk || !anomalies.any());
  check(status == DecodeStatus::kOk || anomalies.any());
  check_inside(input, view.user_data);
  if (view.route.present) check(view.is_data());
  return 0;
}
