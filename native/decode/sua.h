// SUA (RFC 3868): common header and connectionless data transfer (CLDT, CLDR, §3.3.1/3.3.2)
// with Source/Destination Address mapped onto SccpView, so that TCAP and rules see the same
// fields whether SCCP travels over M3UA or is adapted by SUA. Other classes are recognised.
#pragma once

#include <cstdint>

#include "anomaly.h"
#include "cursor.h"
#include "sccp.h"
#include "status.h"

namespace sigwall {

struct SuaView {
  uint8_t version = 0;
  uint8_t message_class = 0;  // 7 = connectionless
  uint8_t message_type = 0;   // 1 = CLDT, 2 = CLDR
  uint32_t length = 0;
  bool has_routing_context = false;
  uint32_t routing_context = 0;
  // The SCCP-equivalent fields: called = Destination Address, calling = Source Address,
  // protocol class, segmentation, hop counter, importance, data.
  SccpView sccp;
  bool is_connectionless_data() const { return message_class == 7 && (message_type == 1 || message_type == 2); }
};

DecodeStatus decode_sua(ByteView message, SuaView& out, AnomalySet& anomalies);

}  // namespace sigwall
