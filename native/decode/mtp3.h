// MTP3 routing information (Q.704 §2.2): what M3UA Protocol Data carries as fields and what
// M2PA/M2UA/MTP2 carry as SIO + routing label. One struct so that rules see one set of
// fields (m3ua.protocol_data_* / mtp3.*) whatever the adaptation layer.
#pragma once

#include <cstdint>

#include "anomaly.h"
#include "cursor.h"
#include "status.h"

namespace sigwall {

// Service indicators (Q.704 §14.2.1).
namespace mtp3_si {
inline constexpr uint8_t kSnm = 0, kSccp = 3, kTup = 4, kIsup = 5, kBicc = 13;
}

struct Mtp3Route {
  bool present = false;
  uint32_t opc = 0;
  uint32_t dpc = 0;
  uint8_t si = 0;   // service indicator
  uint8_t ni = 0;   // network indicator
  uint8_t mp = 0;   // message priority
  uint8_t sls = 0;  // signalling link selection
};

// The point-code format of a link. ITU (14-bit PCs) is what the issue requires; Japan TTC
// (16-bit) and ANSI (24-bit) are decoded so their captures do not read as garbage.
enum class Mtp3Variant : uint8_t { kItu = 0, kJapan = 1, kAnsi = 2 };

// Decodes an MTP3 message signal unit: SIO octet then the routing label. `user_data` is the
// SIF after the label (SCCP when si == 3).
DecodeStatus decode_mtp3(ByteView msu, Mtp3Variant variant, Mtp3Route& route, ByteView& user_data,
                         AnomalySet& anomalies);

}  // namespace sigwall
