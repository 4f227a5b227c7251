// M2PA (RFC 4165): the common header, the M2PA header (BSN/FSN) and User Data (§2.3.2)
// carrying an MTP3 MSU (priority octet, SIO, routing label, SIF).
#pragma once

#include <cstdint>

#include "anomaly.h"
#include "cursor.h"
#include "mtp3.h"
#include "status.h"

namespace sigwall {

struct M2paView {
  uint8_t version = 0;
  uint8_t message_class = 0;  // 11 = M2PA
  uint8_t message_type = 0;   // 1 = User Data, 2 = Link Status
  uint32_t length = 0;
  uint32_t bsn = 0;
  uint32_t fsn = 0;
  uint8_t priority = 0;
  Mtp3Route route;     // present only for User Data carrying an MSU
  ByteView user_data;  // SIF after the routing label
  bool is_user_data() const { return message_class == 11 && message_type == 1; }
};

DecodeStatus decode_m2pa(ByteView message, Mtp3Variant variant, M2paView& out, AnomalySet& anomalies);

}  // namespace sigwall
