// Fuzzes decode_map_component. The first byte picks the opcode (0..255, so that unknown ones
// are hit too), the second the component type (Invoke or ReturnResult); the rest is the
// parameter. Beyond what ASan and UBSan catch, it checks the decoder's promises: every kept
// digit string is NUL-terminated within Digits, and an unflagged decode reports kOk.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "decode/map.h"

namespace {

void check(const sigwall::AddressField& field) {
  if (field.digits.count > sigwall::limits::kMaxDigits) std::abort();
  if (field.digits.text[field.digits.count] != '\0') std::abort();
  if (std::strlen(field.digits.text) != field.digits.count) std::abort();
  if (!field.present && field.digits.count != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sigwall;
  if (size < 2 || size > UINT32_MAX) return 0;
  TcapComponent component;
  component.type = (data[1] & 1) ? ComponentType::kReturnResultLast : ComponentType::kInvoke;
  component.parameter = ByteView{data + 2, static_cast<uint32_t>(size - 2)};
  MapFields fields;
  AnomalySet anomalies;
  const DecodeStatus status = decode_map_component(component, data[0], fields, anomalies);
  if (status == DecodeStatus::kMalformed) std::abort();  // MAP flags, it never stops the message
  if (status == DecodeStatus::kOk &&
      (anomalies.has(Anomaly::kMapMalformedArgument) || anomalies.has(Anomaly::kMapBadAddress) ||
       anomalies.has(Anomaly::kMapUnknownOperation)))
    std::abort();
  for (const AddressField* f : {&fields.imsi, &fields.msisdn, &fields.msc_number, &fields.vlr_number,
                                &fields.sgsn_number, &fields.hlr_number, &fields.service_centre_address,
                                &fields.gsmscf_address, &fields.imei, &fields.sm_rp_da, &fields.sm_rp_oa})
    check(*f);
  (void)map_operation_name(data[0]);
  return 0;
}
