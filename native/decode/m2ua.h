// M2UA (RFC 3331): the common header and MAUP DATA (§3.3.1.1) carrying an MTP3 MSU in
// Protocol Data 1 (SIO, routing label, SIF) or Protocol Data 2 (TTC: a priority octet first).
// Operators still backhaul SS7 links over M2UA to signalling gateways; its MSUs are screened
// exactly like M3UA's.
#pragma once

#include <cstdint>

#include "anomaly.h"
#include "cursor.h"
#include "mtp3.h"
#include "status.h"

namespace sigwall {

namespace m2ua_class {
inline constexpr uint8_t kMgmt = 0, kAspsm = 3, kAsptm = 4, kMaup = 6, kIim = 10;
}

struct M2uaView {
  uint8_t version = 0;
  uint8_t message_class = 0;
  uint8_t message_type = 0;
  uint32_t length = 0;
  bool has_interface_id = false;
  uint32_t interface_id = 0;  // Interface Identifier (Integer); the text form is not kept
  Mtp3Route route;            // present for MAUP DATA with protocol data
  ByteView user_data;         // SIF after the routing label
  bool is_data() const { return message_class == m2ua_class::kMaup && message_type == 1; }
};

DecodeStatus decode_m2ua(ByteView message, Mtp3Variant variant, M2uaView& out, AnomalySet& anomalies);

}  // namespace sigwall
