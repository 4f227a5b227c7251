// libFuzzer target for the TCAP decoder (and the BER reader under it). Besides memory safety
// (ASan/UBSan), it checks the invariants callers rely on: every view points inside the input,
// kMalformed always carries tcap.malformed, the component counters agree, and the shortcuts
// for the common dialogue and components decide as the general walk does (decode_tcap_reference).
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
  // The shortcuts must decide exactly as the general walk they stand in for.
  sigwall::TcapView reference;
  sigwall::AnomalySet reference_anomalies;
  if (sigwall::decode_tcap_reference(input, reference, reference_anomalies) != status) std::abort();
  if (reference_anomalies.bits[0] != anomalies.bits[0] || reference_anomalies.bits[1] != anomalies.bits[1]) std::abort();
  auto same = [](ByteView a, ByteView b) { return a.data == b.data && a.size == b.size; };
  if (reference.type != view.type || reference.has_dialogue != view.has_dialogue ||
      reference.dialogue_pdu != view.dialogue_pdu || !same(reference.application_context, view.application_context) ||
      reference.has_protocol_version != view.has_protocol_version || reference.protocol_version != view.protocol_version ||
      reference.has_result != view.has_result || reference.result != view.result ||
      reference.has_abort_source != view.has_abort_source || reference.abort_source != view.abort_source ||
      !same(reference.user_information, view.user_information) || !same(reference.otid, view.otid) ||
      !same(reference.dtid, view.dtid) || reference.component_count != view.component_count ||
      reference.components_decoded != view.components_decoded)
    std::abort();
  for (unsigned i = 0; i < view.components_decoded; ++i) {
    const sigwall::TcapComponent& a = view.components[i];
    const sigwall::TcapComponent& b = reference.components[i];
    if (a.type != b.type || a.has_invoke_id != b.has_invoke_id || a.invoke_id != b.invoke_id ||
        a.has_linked_id != b.has_linked_id || a.linked_id != b.linked_id || a.opcode_form != b.opcode_form ||
        a.opcode != b.opcode || !same(a.global_opcode, b.global_opcode) || a.error_form != b.error_form ||
        a.error_code != b.error_code || a.has_problem != b.has_problem || a.problem_type != b.problem_type ||
        a.problem_code != b.problem_code || !same(a.parameter, b.parameter))
      std::abort();
  }
  if (view.application_context.size > 0) {
    char text[256];
    sigwall::format_oid(view.application_context, text, sizeof text);
  }
  return 0;
}
