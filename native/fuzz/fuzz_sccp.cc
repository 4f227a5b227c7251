// libFuzzer target for SCCP connectionless messages and party addresses. Besides memory safety
// it checks the pointer rule (the data view lies inside the message) and the other invariants
// callers rely on.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "decode/sccp.h"

namespace {

using sigwall::ByteView;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_inside(ByteView input, ByteView v) {
  if (v.size == 0) return;
  check(v.data >= input.data && v.data + v.size <= input.data + input.size);
}

void check_address(const sigwall::SccpAddress& address) {
  check(address.digits.count <= sigwall::limits::kMaxDigits);
  check(address.digits.text[address.digits.count] == '\0');
  check(address.gti <= 15 && address.routing_indicator <= 1);
  if (address.has_pc) check(address.pc <= 0x3FFF);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sigwall;
  if (size > 64 * 1024) return 0;
  std::vector<uint8_t> copy(data, data + size);
  const ByteView input{copy.data(), static_cast<uint32_t>(copy.size())};

  SccpView view;
  AnomalySet anomalies;
  const DecodeStatus status = decode_sccp(input, view, anomalies);
  check(status != DecodeStatus::kOk || !anomalies.any());
  check(status == DecodeStatus::kOk || anomalies.any());
  check_inside(input, view.data);
  check_address(view.called);
  check_address(view.calling);
  if (view.segmentation.present) check(view.segmentation.remaining <= 15 && view.segmentation.local_reference <= 0xFFFFFF);
  if (status != DecodeStatus::kMalformed) check(view.called.present && view.calling.present);

  SccpAddress address;
  AnomalySet address_anomalies;
  const DecodeStatus address_status = decode_sccp_address(input, address, address_anomalies);
  check(address_status == DecodeStatus::kOk || address_anomalies.any());
  check_address(address);
  return 0;
}
