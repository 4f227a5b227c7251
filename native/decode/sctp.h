// SCTP (RFC 9260): common header, CRC32c, the walk over every chunk with bundling, and the
// DATA (§3.3.1) and I-DATA (RFC 8260 §2.1) chunk fields. Reassembly of fragmented user
// messages lives in native/sctp/reassembly.h.
#pragma once

#include <cstdint>

#include "anomaly.h"
#include "cursor.h"
#include "limits.h"
#include "status.h"

namespace sigwall {

namespace sctp_chunk {
inline constexpr uint8_t kData = 0, kInit = 1, kInitAck = 2, kSack = 3, kHeartbeat = 4,
                         kHeartbeatAck = 5, kAbort = 6, kShutdown = 7, kShutdownAck = 8,
                         kError = 9, kCookieEcho = 10, kCookieAck = 11, kShutdownComplete = 14,
                         kAuth = 15, kIData = 64, kAsconfAck = 128, kReconfig = 130,
                         kForwardTsn = 192, kAsconf = 193, kIForwardTsn = 194;
}

// Payload protocol identifiers (IANA "SCTP Payload Protocol Identifiers").
namespace sctp_ppid {
inline constexpr uint32_t kSua = 4, kM2ua = 2, kM3ua = 3, kM2pa = 5;
}

struct SctpChunkView {
  uint8_t type = 0;
  uint8_t flags = 0;
  uint16_t length = 0;  // chunk length field (header included, padding excluded)
  ByteView value;       // the chunk after its 4-byte header, `length - 4` bytes
};

struct SctpPacketView {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint32_t verification_tag = 0;
  uint32_t checksum = 0;   // as carried
  bool crc_checked = false;
  bool crc_valid = false;
  uint8_t chunk_count = 0;  // chunks stored below (at most kMaxSctpChunks)
  SctpChunkView chunks[limits::kMaxSctpChunks];
};

// One DATA or I-DATA chunk's fields.
struct SctpDataChunk {
  bool idata = false;
  bool unordered = false;  // U
  bool begin = false;      // B
  bool end = false;        // E
  bool immediate = false;  // I (RFC 7053)
  uint32_t tsn = 0;
  uint16_t stream_id = 0;
  uint16_t ssn = 0;   // DATA only
  uint32_t mid = 0;   // I-DATA only
  uint32_t fsn = 0;   // I-DATA only (0 on the first fragment, which carries the PPID)
  uint32_t ppid = 0;
  ByteView user_data;
};

// Decodes the common header and walks the chunks. With verify_crc the CRC32c is checked
// (sctp.bad_crc is an anomaly: the peer would discard the packet, so nothing is delivered
// from it, but the caller decides).
DecodeStatus decode_sctp(ByteView packet, bool verify_crc, SctpPacketView& out, AnomalySet& anomalies);

// Decodes a DATA or I-DATA chunk from the walk above.
DecodeStatus decode_sctp_data(const SctpChunkView& chunk, SctpDataChunk& out, AnomalySet& anomalies);

}  // namespace sigwall
