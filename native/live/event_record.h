// The fixed-size event record a worker writes for a message that was blocked, alerted, hit a
// shadow rule, or was malformed: the decision, the fields an operator looks at first, and the
// frame itself (up to kEventSnapLength bytes) for the pcapng export. Plain data, host byte order
// (little-endian on every supported target); eventLayout() hands the offsets to TypeScript,
// which decodes records straight out of the drained bytes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "../engine/message.h"
#include "../table/classifier.h"

namespace sigwall::live {

enum class EventKind : uint8_t { kBlocked = 0, kAlerted = 1, kShadow = 2, kMalformed = 3 };

enum EventFlag : uint8_t {
  kEventShadowTruncated = 1u << 0,  // more shadow rules matched than shadow[] holds
  kEventMalformed = 1u << 1,        // the verdict came from the malformed action
  kEventHasIp = 1u << 2,
  kEventHasMtp3 = 1u << 3,
  kEventHasSccp = 1u << 4,
  kEventHasTcap = 1u << 5,
  kEventCallingSsn = 1u << 6,       // calling_ssn is present
  kEventCalledSsn = 1u << 7,        // called_ssn is present
};

inline constexpr unsigned kEventShadows = 8;
inline constexpr unsigned kEventOpcodes = 4;
inline constexpr uint8_t kEventNoCategory = 0xFF;
inline constexpr int32_t kEventNoOpcode = -1;
inline constexpr uint32_t kEventRecordSize = 2048;
inline constexpr uint32_t kEventFrameOffset = 320;
inline constexpr uint32_t kEventSnapLength = kEventRecordSize - kEventFrameOffset;

// tcap_type values (TypeScript gets the names from eventLayout().tcapTypes).
enum class EventTcapType : uint8_t { kNone = 0, kUnidirectional = 1, kBegin = 2, kEnd = 3, kContinue = 4, kAbort = 5 };

struct EventRecord {
  uint64_t timestamp_ns;      // 0
  uint64_t frame;             // 8: the packet's number on its port (pcap: in the capture), 1-based
  uint64_t sequence;          // 16: per worker, from 0; ids are `${worker}-${sequence}`
  uint32_t table_generation;  // 24
  uint16_t worker;            // 28
  uint16_t port;              // 30: index into the configured ports
  uint8_t kind;               // 32: EventKind
  uint8_t action;             // 33: 0 allow, 1 drop, 2 alert (what the engine did)
  uint8_t side;               // 34: 0 external, 1 internal
  uint8_t category;           // 35: 0 custom, 1..3, kEventNoCategory
  uint16_t rule;              // 36: deciding rule index or table::kNoRule
  uint8_t shadow_count;       // 38
  uint8_t flags;              // 39: EventFlag
  uint16_t shadow[kEventShadows];  // 40
  uint8_t ip_version;         // 56
  uint8_t opcode_count;       // 57
  uint8_t application;        // 58: 0 unknown, 1 map, 2 cap
  uint8_t tcap_type;          // 59: EventTcapType
  uint32_t link_type;         // 60
  uint8_t ip_src[16];         // 64
  uint8_t ip_dst[16];         // 80
  uint16_t src_port;          // 96
  uint16_t dst_port;          // 98
  uint16_t stream;            // 100
  uint16_t chunk;             // 102: index of the completing DATA chunk in the packet
  uint32_t ppid;              // 104
  uint32_t opc;               // 108
  uint32_t dpc;               // 112
  uint8_t si;                 // 116
  uint8_t calling_ssn;        // 117
  uint8_t called_ssn;         // 118
  uint8_t calling_digits_length;  // 119
  uint8_t called_digits_length;   // 120
  uint8_t otid_length;        // 121
  uint8_t dtid_length;        // 122
  uint8_t imsi_length;        // 123
  uint8_t msisdn_length;      // 124
  uint8_t reserved0[3];       // 125
  char calling_digits[32];    // 128
  char called_digits[32];     // 160
  uint8_t otid[8];            // 192
  uint8_t dtid[8];            // 200
  char imsi[32];              // 208
  char msisdn[32];            // 240
  int32_t opcodes[kEventOpcodes];  // 272: local opcodes of the first components, kEventNoOpcode otherwise
  uint64_t anomalies[2];      // 288: AnomalySet bits
  uint32_t original_length;   // 304: frame length on the wire
  uint32_t captured_length;   // 308: frame bytes stored at kEventFrameOffset
  uint8_t reserved1[8];       // 312
  uint8_t frame_bytes[kEventSnapLength];  // 320
};

static_assert(sizeof(EventRecord) == kEventRecordSize, "event record size is part of the TS contract");
static_assert(offsetof(EventRecord, frame_bytes) == kEventFrameOffset, "frame offset");
static_assert(offsetof(EventRecord, calling_digits) == 128 && offsetof(EventRecord, opcodes) == 272 &&
                  offsetof(EventRecord, anomalies) == 288 && offsetof(EventRecord, original_length) == 304,
              "event field offsets are part of the TS contract");

struct EventFrame {
  const uint8_t* data = nullptr;
  uint32_t length = 0;
  uint32_t original_length = 0;
  uint32_t link_type = 1;
  uint64_t number = 0;
  uint16_t port = 0;
};

// Fills `out` from a classified message. No allocation; copies at most the record's sizes.
void fill_event(EventRecord& out, EventKind kind, const Ss7Message& message, const table::Verdict& verdict,
                table::IngressSide side, const EventFrame& frame, uint16_t worker, uint64_t sequence,
                uint32_t table_generation);

}  // namespace sigwall::live
