// Fuzzes decode_cap_component. The first byte picks the opcode, biased so that half the
// inputs exercise the decoded operations (initialDP, eventReportBCSM, initialDPSMS,
// initialDPGPRS); the rest is an Invoke's argument. Checks, beyond ASan and UBSan: digit
// strings stay NUL-terminated within Digits, and an unflagged decode reports kOk.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "decode/cap.h"

namespace {

void check(const sigwall::AddressField& field) {
  if (field.digits.count > sigwall::limits::kMaxDigits) std::abort();
  if (field.digits.text[field.digits.count] != '\0') std::abort();
  if (std::strlen(field.digits.text) != field.digits.count) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sigwall;
  if (size < 1 || size > UINT32_MAX) return 0;
  static constexpr int32_t kDecoded[] = {0, 24, 60, 78};
  const int32_t opcode = (data[0] & 0x80) ? kDecoded[data[0] & 3] : (data[0] & 0x7F);
  TcapComponent component;
  component.type = ComponentType::kInvoke;
  component.parameter = ByteView{data + 1, static_cast<uint32_t>(size - 1)};
  CapFields fields;
  AnomalySet anomalies;
  const DecodeStatus status = decode_cap_component(component, opcode, fields, anomalies);
  if (status == DecodeStatus::kMalformed) std::abort();
  if (status == DecodeStatus::kOk &&
      (anomalies.has(Anomaly::kCapMalformedArgument) || anomalies.has(Anomaly::kCapBadAddress) ||
       anomalies.has(Anomaly::kCapUnknownOperation)))
    std::abort();
  for (const AddressField* f : {&fields.calling_party_number, &fields.called_party_number,
                                &fields.called_party_bcd_number, &fields.imsi, &fields.msc_address,
                                &fields.location_vlr_number})
    check(*f);
  (void)cap_operation_name(opcode);
  return 0;
}
