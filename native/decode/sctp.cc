#include "sctp.h"

#include "../sctp/crc32c.h"

namespace sigwall {

namespace {

constexpr uint32_t kCommonHeaderBytes = 12;  // RFC 9260 §3.1: ports, verification tag, checksum
constexpr uint32_t kChunkHeaderBytes = 4;    // RFC 9260 §3.2: type, flags, length
constexpr uint32_t kDataHeaderBytes = 16;    // RFC 9260 §3.3.1: chunk header, TSN, SID, SSN, PPID
constexpr uint32_t kIDataHeaderBytes = 20;   // RFC 8260 §2.1: chunk header, TSN, SID, reserved, MID, PPID/FSN

// DATA / I-DATA chunk flags (RFC 9260 §3.3.1, RFC 7053 §3, RFC 8260 §2.1: same positions).
namespace data_flag {
inline constexpr uint8_t kEnd = 0x01, kBegin = 0x02, kUnordered = 0x04, kImmediate = 0x08;
}

// RFC 9260 §3.2: chunks are padded to a multiple of 4 bytes; the padding is not counted in
// the chunk length.
uint32_t padded(uint32_t length) { return (length + 3) & ~uint32_t{3}; }

}  // namespace

DecodeStatus decode_sctp(ByteView packet, bool verify_crc, SctpPacketView& out, AnomalySet& anomalies) {
  out.src_port = out.dst_port = 0;
  out.verification_tag = out.checksum = 0;
  out.crc_checked = out.crc_valid = false;
  out.chunk_count = 0;

  // RFC 9260 §3.1: the 12-byte common header: source port, destination port, verification
  // tag, checksum.
  Cursor cursor(packet);
  FixedBytes<kCommonHeaderBytes> header;
  if (!cursor.read_fixed(header)) {
    anomalies.set(Anomaly::kSctpTruncated);
    return DecodeStatus::kMalformed;
  }
  out.src_port = header.be16<0>();
  out.dst_port = header.be16<2>();
  out.verification_tag = header.be32<4>();
  out.checksum = header.be32<8>();

  DecodeStatus status = DecodeStatus::kOk;
  if (verify_crc) {
    // RFC 9260 §6.8: a receiver discards a packet whose CRC32c does not match.
    out.crc_checked = true;
    out.crc_valid = sctp_checksum_matches(packet.data, packet.size);
    if (!out.crc_valid) {
      anomalies.set(Anomaly::kSctpBadCrc);
      status = DecodeStatus::kAnomaly;
    }
  }

  // RFC 9260 §3.2: chunks follow one another to the end of the packet (bundling, §6.10).
  while (!cursor.at_end()) {
    if (out.chunk_count == limits::kMaxSctpChunks) {
      anomalies.set(Anomaly::kSctpChunkCap);
      return worst(status, DecodeStatus::kAnomaly);
    }
    FixedBytes<kChunkHeaderBytes> chunk_header;
    if (!cursor.read_fixed(chunk_header)) {
      anomalies.set(Anomaly::kSctpTruncated);
      return DecodeStatus::kMalformed;
    }
    const uint8_t type = chunk_header.u8<0>(), flags = chunk_header.u8<1>();
    const uint16_t length = chunk_header.be16<2>();
    // The length counts the 4-byte header; past the packet the chunk boundaries are lost.
    ByteView value;
    if (length < kChunkHeaderBytes || !cursor.read_view(length - kChunkHeaderBytes, value)) {
      anomalies.set(Anomaly::kSctpBadChunkLength);
      return DecodeStatus::kMalformed;
    }
    SctpChunkView& chunk = out.chunks[out.chunk_count++];
    chunk.type = type;
    chunk.flags = flags;
    chunk.length = length;
    chunk.value = value;
    // The last chunk's padding may be missing from the packet; tolerate that (§3.2 padding is
    // at most 3 bytes and carries nothing).
    const uint32_t padding = padded(length) - length;
    cursor.skip(padding < cursor.remaining() ? padding : cursor.remaining());
  }
  return status;
}

DecodeStatus decode_sctp_data(const SctpChunkView& chunk, SctpDataChunk& out, AnomalySet& anomalies) {
  out = SctpDataChunk{};
  const bool idata = chunk.type == sctp_chunk::kIData;
  if (chunk.type != sctp_chunk::kData && !idata) return DecodeStatus::kMalformed;  // not a DATA chunk: caller's error

  const uint32_t header_bytes = idata ? kIDataHeaderBytes : kDataHeaderBytes;
  if (chunk.length < header_bytes || chunk.value.size != chunk.length - kChunkHeaderBytes) {
    anomalies.set(Anomaly::kSctpBadChunkLength);
    return DecodeStatus::kMalformed;
  }

  out.idata = idata;
  out.end = (chunk.flags & data_flag::kEnd) != 0;
  out.begin = (chunk.flags & data_flag::kBegin) != 0;
  out.unordered = (chunk.flags & data_flag::kUnordered) != 0;
  out.immediate = (chunk.flags & data_flag::kImmediate) != 0;

  // The chunk's value holds at least the fixed fields (checked above against its length).
  Cursor cursor(chunk.value);
  if (idata) {
    // RFC 8260 §2.1: TSN, Stream Identifier, Reserved, Message Identifier, then the PPID on the
    // first fragment (B set) and the Fragment Sequence Number on every other one.
    FixedBytes<kIDataHeaderBytes - kChunkHeaderBytes> fields;
    cursor.read_fixed(fields);
    out.tsn = fields.be32<0>();
    out.stream_id = fields.be16<4>();
    out.mid = fields.be32<8>();
    const uint32_t ppid_or_fsn = fields.be32<12>();
    if (out.begin) {
      out.ppid = ppid_or_fsn;
    } else {
      out.fsn = ppid_or_fsn;
    }
  } else {
    // RFC 9260 §3.3.1: TSN, Stream Identifier, Stream Sequence Number, Payload Protocol Identifier.
    FixedBytes<kDataHeaderBytes - kChunkHeaderBytes> fields;
    cursor.read_fixed(fields);
    out.tsn = fields.be32<0>();
    out.stream_id = fields.be16<4>();
    out.ssn = fields.be16<6>();
    out.ppid = fields.be32<8>();
  }
  out.user_data = cursor.rest();

  DecodeStatus status = DecodeStatus::kOk;
  if (idata) {
    anomalies.set(Anomaly::kSctpIData);
    status = DecodeStatus::kAnomaly;
  }
  // RFC 9260 §3.3.1 (and RFC 8260 §2.1): a DATA chunk with no user data is a protocol
  // violation; the receiver answers with an ABORT.
  if (out.user_data.empty()) {
    anomalies.set(Anomaly::kSctpEmptyData);
    status = DecodeStatus::kAnomaly;
  }
  return status;
}

}  // namespace sigwall
