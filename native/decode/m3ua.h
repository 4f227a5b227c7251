// M3UA (RFC 4666): every message class recognised (§3.1.2); for Transfer DATA (§3.3.1) the
// Protocol Data parameter wherever it stands among the parameters, Routing Context and
// Network Appearance.
#pragma once

#include <cstdint>

#include "anomaly.h"
#include "cursor.h"
#include "mtp3.h"
#include "status.h"

namespace sigwall {

namespace m3ua_class {
inline constexpr uint8_t kMgmt = 0, kTransfer = 1, kSsnm = 2, kAspsm = 3, kAsptm = 4, kRkm = 9;
}

struct M3uaView {
  uint8_t version = 0;
  uint8_t message_class = 0;
  uint8_t message_type = 0;
  uint32_t length = 0;  // message length field
  bool has_routing_context = false;
  uint32_t routing_context = 0;  // the first one if the parameter lists several
  bool has_network_appearance = false;
  uint32_t network_appearance = 0;
  bool has_correlation_id = false;
  uint32_t correlation_id = 0;
  Mtp3Route route;     // from Protocol Data (present only for Transfer DATA)
  ByteView user_data;  // Protocol Data's user protocol data (SCCP when route.si == 3)
  bool is_data() const { return message_class == m3ua_class::kTransfer && message_type == 1; }
};

DecodeStatus decode_m3ua(ByteView message, M3uaView& out, AnomalySet& anomalies);

}  // namespace sigwall
