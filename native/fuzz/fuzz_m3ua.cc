// libFuzzer target for M3UA (and the MTP3 route it fills). Besides memory safety (ASan/UBSan)
// it checks what callers rely on: views point inside the input, kOk carries no anomaly,
// kMalformed carries at least one, and a route exists only for DATA.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "decode/m3ua.h"

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
  if (size > 64 * 1024) return 0;
  // An exactly sized heap copy, so that a read one past the end is caught.
  std::vector<uint8_t> copy(data, data + size);
  const ByteView input{copy.data(), static_cast<uint32_t>(copy.size())};

  M3uaView view;
  AnomalySet anomalies;
  const DecodeStatus status = decode_m3ua(input, view, anomalies);
  check(status != DecodeStatus::kOk || !anomalies.any());
  check(status == DecodeStatus::kOk || anomalies.any());
  check_inside(input, view.user_data);
  if (view.route.present) check(view.is_data());
  if (status != DecodeStatus::kMalformed && view.is_data()) check(view.route.present);
  return 0;
}
