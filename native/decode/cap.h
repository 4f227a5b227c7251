// CAMEL Application Part (3GPP TS 29.078): operation names as a data table, and initialDP's
// serviceKey, calling/called party number, IMSI and location information.
#pragma once

#include <cstdint>

#include "anomaly.h"
#include "digits.h"
#include "map.h"
#include "status.h"
#include "tcap.h"

namespace sigwall {

struct CapFields {
  bool has_service_key = false;
  uint32_t service_key = 0;
  AddressField calling_party_number;  // ISUP format (Q.763 §3.10): nature = NAI octet (without
                                      // the odd/even bit); initialDPSMS: AddressString format
  AddressField called_party_number;   // ISUP format (Q.763 §3.9)
  AddressField called_party_bcd_number;  // TS 24.008 §10.5.4.7: nature = octet 3
  AddressField imsi;
  AddressField msc_address;
  // LocationInformation (TS 29.002 §7.6.2.?): vlr-number and the cell / service area id.
  AddressField location_vlr_number;
  bool has_cell_id = false;
  uint16_t mcc = 0, mnc = 0;  // mnc_digits tells 2 or 3 digits
  uint8_t mnc_digits = 0;
  uint16_t lac = 0;
  uint16_t cell_id = 0;
  bool has_lai = false;  // the LAI form (laiFixedLength [1]): mcc, mnc and lac, no cell id
  bool has_event_type_bcsm = false;
  uint8_t event_type_bcsm = 0;
  bool any() const;
};

const char* cap_operation_name(int32_t opcode);

DecodeStatus decode_cap_component(const TcapComponent& component, int32_t opcode, CapFields& out,
                                  AnomalySet& anomalies);

}  // namespace sigwall
