// libFuzzer target for the TCAP decoder (and the BER reader under it). Besides memory safety
// (ASan/UBSan), it checks the invariants callers rely on: every view points inside the input,
// kMalformed always carries tcap.malformed, and the component counters agree.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "decode/tcap.h"

namespace {

using sigwall::ByteView;

void check_inside(ByteView input, ByteView v) {
  if (v.size == 0) return;
  if (v.data < input.data || v.data + v.size > input.data + input.size) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  // An exactly sized heap copy, so that a read one past the end is caught.
  std::vector<uint8_t> copy(data, data + size);
  const ByteView input{copy.data(), static_cast<uint32_t>(copy.size())};

  sigwall::TcapView view;
  sigwall::AnomalySet anomalies;
  const sigwall::DecodeStatus status = sigwall::decode_tcap(input, view, anomalies);

  if (status == sigwall::DecodeStatus::kMalformed && !anomalies.has(sigwall::Anomaly::kTcapMalformed)) std::abort();
  if (status == sigwall::DecodeStatus::kOk && anomalies.any()) std::abort();
  if (view.components_decoded > sigwall::limits::kMaxComponents) std::abort();
  if (view.components_decoded > view.component_count) std::abort();
  check_inside(input, view.otid);
  check_inside(input, view.dtid);
  check_inside(input, view.application_context);
  check_inside(input, view.user_information);
  for (unsigned i = 0; i < view.components_decoded; ++i) {
    check_inside(input, view.components[i].parameter);
    check_inside(input, view.components[i].global_opcode);
  }
  if (view.application_context.size > 0) {
    char text[256];
    sigwall::format_oid(view.application_context, text, sizeof text);
  }
  return 0;
}
