// SCCP (ITU-T Q.713) connectionless messages: UDT, UDTS, XUDT, XUDTS, LUDT, LUDTS (§4);
// called/calling party addresses (§3.4) with point code, SSN and global title (GTI 1-4);
// optional parameters including Segmentation (§3.17). Every pointer gets the three checks:
// the pointer is inside the message, its target is inside, target + length is inside.
#pragma once

#include <cstdint>

#include "anomaly.h"
#include "cursor.h"
#include "digits.h"
#include "status.h"

namespace sigwall {

namespace sccp_type {
inline constexpr uint8_t kUdt = 0x09, kUdts = 0x0A, kXudt = 0x11, kXudts = 0x12, kLudt = 0x13,
                         kLudts = 0x14;
}

// Party address (Q.713 §3.4). SUA (RFC 3868 §3.10.2) addresses are mapped onto it too.
struct SccpAddress {
  bool present = false;
  uint8_t indicator = 0;         // address indicator octet (SCCP) as carried
  uint8_t routing_indicator = 0; // 0 = route on GT, 1 = route on SSN (Q.713 §3.4.1 bit 7)
  uint8_t gti = 0;               // global title indicator 0..4 (ITU)
  bool has_pc = false;
  uint32_t pc = 0;
  bool has_ssn = false;
  uint8_t ssn = 0;
  bool has_tt = false;
  uint8_t tt = 0;                // translation type
  bool has_np = false;
  uint8_t np = 0;                // numbering plan
  uint8_t es = 0;                // encoding scheme (1 = BCD odd, 2 = BCD even)
  bool has_nai = false;
  uint8_t nai = 0;               // nature of address indicator
  Digits digits;
};

struct SccpSegmentation {
  bool present = false;
  bool first = false;            // F bit
  uint8_t segment_class = 0;     // C bit: protocol class 0 or 1 of the segmented message
  uint8_t remaining = 0;         // remaining segments 0..15
  uint32_t local_reference = 0;  // 24 bits
};

struct SccpView {
  uint8_t message_type = 0;
  uint8_t protocol_class = 0;    // low nibble of the protocol class octet (UDT/XUDT/LUDT)
  uint8_t message_handling = 0;  // high nibble (return on error)
  bool has_return_cause = false;
  uint8_t return_cause = 0;      // UDTS/XUDTS/LUDTS
  bool has_hop_counter = false;
  uint8_t hop_counter = 0;
  SccpAddress called;
  SccpAddress calling;
  SccpSegmentation segmentation;
  bool has_importance = false;
  uint8_t importance = 0;
  ByteView data;  // the user data (TCAP), one segment's worth for segmented messages
};

DecodeStatus decode_sccp(ByteView message, SccpView& out, AnomalySet& anomalies);

// Decodes one party address's contents (after its length octet). Exposed for tests and SUA.
DecodeStatus decode_sccp_address(ByteView address, SccpAddress& out, AnomalySet& anomalies);

}  // namespace sigwall
