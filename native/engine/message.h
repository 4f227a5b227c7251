// One SS7 message as the decode path sees it: every layer's view, from the packet that
// completed it down to the MAP/CAP fields of each component, plus the anomaly bits of every
// layer it crossed. Views point into the frame or a reassembly buffer and are valid only
// during the sink callback; the record itself is reused from message to message.
#pragma once

#include <cstdint>

#include "../decode/anomaly.h"
#include "../decode/cap.h"
#include "../decode/ip.h"
#include "../decode/limits.h"
#include "../decode/link.h"
#include "../decode/m2pa.h"
#include "../decode/m2ua.h"
#include "../decode/m3ua.h"
#include "../decode/map.h"
#include "../decode/sccp.h"
#include "../decode/sctp.h"
#include "../decode/status.h"
#include "../decode/sua.h"
#include "../decode/tcap.h"

namespace sigwall {

enum class Adaptation : uint8_t { kNone = 0, kM3ua = 1, kM2pa = 2, kSua = 3, kM2ua = 4 };
enum class Application : uint8_t { kUnknown = 0, kMap = 1, kCap = 2 };

struct Ss7Message {
  uint64_t frame = 0;          // 1-based number of the packet that completed the message
  uint64_t timestamp_ns = 0;
  uint16_t chunk_index = 0;    // 0-based index of the completing DATA chunk among the packet's chunks
  LinkView link;
  IpView ip;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint32_t verification_tag = 0;
  SctpDataChunk data;          // of the completing chunk (its TSN, stream, SSN, PPID)
  uint16_t sctp_fragments = 1; // chunks the user message was carried in

  Adaptation adaptation = Adaptation::kNone;
  M3uaView m3ua;
  M2paView m2pa;
  M2uaView m2ua;
  SuaView sua;
  Mtp3Route route;             // from M3UA Protocol Data or the MTP3 routing label

  bool has_sccp = false;
  SccpView sccp;               // for SUA, a copy of sua.sccp
  uint16_t sccp_segments = 1;

  bool has_tcap = false;
  TcapView tcap;
  Application application = Application::kUnknown;
  MapFields map[limits::kMaxComponents];
  CapFields cap[limits::kMaxComponents];

  AnomalySet anomalies;        // every layer's bits, the packet's included
  DecodeStatus status = DecodeStatus::kOk;  // worst outcome over the layers
};

}  // namespace sigwall
