// SCTP common header, CRC, chunk walk (RFC 9260 §3.1, §3.2, §6.8) and DATA / I-DATA fields
// (RFC 9260 §3.3.1, RFC 8260 §2.1).
#include <gtest/gtest.h>

#include <vector>

#include "decode/sctp.h"
#include "sctp/crc32c.h"

namespace sigwall {
namespace {

ByteView view_of(const std::vector<uint8_t>& bytes) {
  return ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())};
}

std::vector<uint8_t> concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Fills in the checksum field: CRC32c with the field zeroed, least significant byte first.
std::vector<uint8_t> sealed(std::vector<uint8_t> packet) {
  packet[8] = packet[9] = packet[10] = packet[11] = 0;
  const uint32_t crc = crc32c(packet.data(), packet.size());
  for (int i = 0; i < 4; ++i) packet[8 + i] = static_cast<uint8_t>(crc >> (8 * i));
  return packet;
}

const std::vector<uint8_t> kCommonHeader = {
    0x0b, 0x59,              // source port 2905
    0x1f, 0x40,              // destination port 8000
    0xd2, 0x6a, 0xc1, 0xe5,  // verification tag
    0x00, 0x00, 0x00, 0x00,  // checksum (sealed() fills it in)
};

const std::vector<uint8_t> kDataChunk = {
    0x00,                    // type DATA
    0x03,                    // flags: B|E
    0x00, 0x15,              // length 21: 16-byte header + 5 bytes of user data
    0x2b, 0x2d, 0x2a, 0xb2,  // TSN 724380338
    0x00, 0x07,              // stream identifier 7
    0x01, 0x02,              // stream sequence number 258
    0x00, 0x00, 0x00, 0x03,  // PPID 3 (M3UA)
    'h', 'e', 'l', 'l', 'o', // user data
    0x00, 0x00, 0x00,        // padding to 24
};

const std::vector<uint8_t> kSackChunk = {
    0x03,                    // type SACK
    0x00,                    // flags
    0x00, 0x10,              // length 16
    0x3b, 0xb9, 0x9c, 0x46,  // cumulative TSN ack
    0x00, 0x01, 0x00, 0x00,  // a_rwnd
    0x00, 0x00, 0x00, 0x00,  // no gap blocks, no duplicate TSNs
};

const std::vector<uint8_t> kCookieAck = {0x0b, 0x00, 0x00, 0x04};  // COOKIE ACK, length 4

struct Decoded {
  DecodeStatus status;
  SctpPacketView view;
  AnomalySet anomalies;
};

Decoded decode(const std::vector<uint8_t>& packet, bool verify_crc = true) {
  Decoded d;
  d.status = decode_sctp(view_of(packet), verify_crc, d.view, d.anomalies);
  return d;
}

TEST(Sctp, CommonHeaderAndOneChunk) {
  const std::vector<uint8_t> packet = sealed(concat(kCommonHeader, kDataChunk));
  const Decoded d = decode(packet);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_FALSE(d.anomalies.any());
  EXPECT_EQ(d.view.src_port, 2905);
  EXPECT_EQ(d.view.dst_port, 8000);
  EXPECT_EQ(d.view.verification_tag, 0xd26ac1e5u);
  EXPECT_EQ(d.view.checksum, (uint32_t{packet[8]} << 24) | (packet[9] << 16) | (packet[10] << 8) | packet[11]);
  EXPECT_TRUE(d.view.crc_checked);
  EXPECT_TRUE(d.view.crc_valid);
  ASSERT_EQ(d.view.chunk_count, 1);
  EXPECT_EQ(d.view.chunks[0].type, sctp_chunk::kData);
  EXPECT_EQ(d.view.chunks[0].flags, 0x03);
  EXPECT_EQ(d.view.chunks[0].length, 21);
  EXPECT_EQ(d.view.chunks[0].value.size, 17u);
  EXPECT_EQ(d.view.chunks[0].value.data, packet.data() + 16);
}

TEST(Sctp, BundledChunksWithPadding) {
  const std::vector<uint8_t> packet = sealed(concat(concat(concat(kCommonHeader, kSackChunk), kDataChunk), kCookieAck));
  const Decoded d = decode(packet);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  ASSERT_EQ(d.view.chunk_count, 3);
  EXPECT_EQ(d.view.chunks[0].type, sctp_chunk::kSack);
  EXPECT_EQ(d.view.chunks[1].type, sctp_chunk::kData);
  EXPECT_EQ(d.view.chunks[1].value.data, packet.data() + 12 + 16 + 4);
  EXPECT_EQ(d.view.chunks[2].type, sctp_chunk::kCookieAck);  // found after the DATA chunk's 3 padding bytes
  EXPECT_EQ(d.view.chunks[2].value.size, 0u);
}

TEST(Sctp, LastChunkWithoutPadding) {
  std::vector<uint8_t> packet = concat(kCommonHeader, kDataChunk);
  packet.resize(packet.size() - 3);  // the final padding left out by the sender
  const Decoded d = decode(sealed(packet));
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.chunk_count, 1);
}

TEST(Sctp, BadCrc) {
  std::vector<uint8_t> packet = sealed(concat(kCommonHeader, kDataChunk));
  packet[8] ^= 0xff;
  const Decoded d = decode(packet);
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kSctpBadCrc));
  EXPECT_TRUE(d.view.crc_checked);
  EXPECT_FALSE(d.view.crc_valid);
  EXPECT_EQ(d.view.chunk_count, 1);  // still walked: the caller decides
}

TEST(Sctp, CrcNotVerified) {
  const std::vector<uint8_t> packet = concat(kCommonHeader, kDataChunk);  // checksum left zero
  const Decoded d = decode(packet, false);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_FALSE(d.view.crc_checked);
  EXPECT_FALSE(d.anomalies.has(Anomaly::kSctpBadCrc));
}

TEST(Sctp, TruncatedCommonHeader) {
  const std::vector<uint8_t> packet(kCommonHeader.begin(), kCommonHeader.begin() + 11);
  const Decoded d = decode(packet);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kSctpTruncated));
}

TEST(Sctp, TruncatedChunkHeader) {
  const std::vector<uint8_t> packet = sealed(concat(concat(kCommonHeader, kCookieAck), {0x00, 0x03}));
  const Decoded d = decode(packet);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kSctpTruncated));
  EXPECT_EQ(d.view.chunk_count, 1);  // the COOKIE ACK before it is kept
}

TEST(Sctp, ChunkLengthBelowHeader) {
  const std::vector<uint8_t> packet = sealed(concat(concat(kCommonHeader, kSackChunk),
                                                    {
                                                        0x00, 0x03, 0x00, 0x03,  // DATA, length 3 < 4
                                                        0x00, 0x00, 0x00, 0x00,
                                                    }));
  const Decoded d = decode(packet);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kSctpBadChunkLength));
  ASSERT_EQ(d.view.chunk_count, 1);
  EXPECT_EQ(d.view.chunks[0].type, sctp_chunk::kSack);
}

TEST(Sctp, ChunkLengthPastPacket) {
  std::vector<uint8_t> data = kDataChunk;
  data[3] = 0x40;  // length 64, 24 bytes present
  const Decoded d = decode(sealed(concat(concat(kCommonHeader, kSackChunk), data)));
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kSctpBadChunkLength));
  EXPECT_EQ(d.view.chunk_count, 1);
}

TEST(Sctp, ChunksUpToTheCap) {
  std::vector<uint8_t> packet = kCommonHeader;
  for (unsigned i = 0; i < limits::kMaxSctpChunks; ++i) packet = concat(packet, kCookieAck);
  const Decoded d = decode(sealed(packet));
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.chunk_count, limits::kMaxSctpChunks);
}

TEST(Sctp, ChunkCap) {
  std::vector<uint8_t> packet = kCommonHeader;
  for (unsigned i = 0; i < limits::kMaxSctpChunks; ++i) packet = concat(packet, kCookieAck);
  packet = concat(packet, kDataChunk);  // chunk 65: not walked
  const Decoded d = decode(sealed(packet));
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kSctpChunkCap));
  EXPECT_EQ(d.view.chunk_count, limits::kMaxSctpChunks);
}

TEST(Sctp, NoChunks) {
  const Decoded d = decode(sealed(kCommonHeader));
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.view.chunk_count, 0);
}

// Walks `chunk_bytes` alone and decodes its first chunk as DATA / I-DATA.
struct DataDecoded {
  std::vector<uint8_t> packet;  // owns the bytes `data.user_data` points into
  DecodeStatus status;
  SctpDataChunk data;
  AnomalySet anomalies;
};

DataDecoded decode_data(const std::vector<uint8_t>& chunk_bytes) {
  DataDecoded d;
  d.packet = concat(kCommonHeader, chunk_bytes);
  SctpPacketView view;
  AnomalySet walk_anomalies;
  decode_sctp(view_of(d.packet), false, view, walk_anomalies);
  EXPECT_EQ(view.chunk_count, 1);
  d.status = decode_sctp_data(view.chunks[0], d.data, d.anomalies);
  return d;
}

TEST(SctpData, Fields) {
  const DataDecoded d = decode_data(kDataChunk);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_FALSE(d.anomalies.any());
  EXPECT_FALSE(d.data.idata);
  EXPECT_TRUE(d.data.begin);
  EXPECT_TRUE(d.data.end);
  EXPECT_FALSE(d.data.unordered);
  EXPECT_FALSE(d.data.immediate);
  EXPECT_EQ(d.data.tsn, 724380338u);
  EXPECT_EQ(d.data.stream_id, 7);
  EXPECT_EQ(d.data.ssn, 258);
  EXPECT_EQ(d.data.ppid, sctp_ppid::kM3ua);
  ASSERT_EQ(d.data.user_data.size, 5u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(d.data.user_data.data), 5), "hello");
}

TEST(SctpData, Flags) {
  std::vector<uint8_t> chunk = kDataChunk;
  chunk[1] = 0x0c;  // flags: I|U, neither B nor E (a middle fragment)
  const DataDecoded d = decode_data(chunk);
  EXPECT_TRUE(d.data.unordered);
  EXPECT_TRUE(d.data.immediate);
  EXPECT_FALSE(d.data.begin);
  EXPECT_FALSE(d.data.end);
}

TEST(SctpData, LengthBelowDataHeader) {
  const DataDecoded d = decode_data({
      0x00, 0x03, 0x00, 0x0c,  // DATA, B|E, length 12 < 16
      0x00, 0x00, 0x00, 0x01,  // TSN
      0x00, 0x01, 0x00, 0x00,  // SID, SSN; no PPID
  });
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kSctpBadChunkLength));
}

TEST(SctpData, EmptyUserData) {
  const DataDecoded d = decode_data({
      0x00, 0x03, 0x00, 0x10,  // DATA, B|E, length 16: header only
      0x00, 0x00, 0x00, 0x01,  // TSN 1
      0x00, 0x01, 0x00, 0x00,  // SID 1, SSN 0
      0x00, 0x00, 0x00, 0x03,  // PPID 3
  });
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kSctpEmptyData));
  EXPECT_EQ(d.data.tsn, 1u);
  EXPECT_EQ(d.data.ppid, 3u);
}

TEST(SctpData, IDataFirstFragmentCarriesPpid) {
  const DataDecoded d = decode_data({
      0x40,                    // type I-DATA
      0x02,                    // flags: B
      0x00, 0x17,              // length 23: 20-byte header + 3 bytes
      0x00, 0x00, 0x01, 0x00,  // TSN 256
      0x00, 0x02,              // stream identifier 2
      0x00, 0x00,              // reserved
      0x00, 0x00, 0x00, 0x09,  // message identifier 9
      0x00, 0x00, 0x00, 0x05,  // PPID 5 (M2PA), since B is set
      0xaa, 0xbb, 0xcc,        // user data
      0x00,                    // padding
  });
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kSctpIData));
  EXPECT_TRUE(d.data.idata);
  EXPECT_TRUE(d.data.begin);
  EXPECT_FALSE(d.data.end);
  EXPECT_EQ(d.data.tsn, 256u);
  EXPECT_EQ(d.data.stream_id, 2);
  EXPECT_EQ(d.data.mid, 9u);
  EXPECT_EQ(d.data.ppid, sctp_ppid::kM2pa);
  EXPECT_EQ(d.data.fsn, 0u);
  EXPECT_EQ(d.data.user_data.size, 3u);
}

TEST(SctpData, IDataLaterFragmentCarriesFsn) {
  const DataDecoded d = decode_data({
      0x40,                    // type I-DATA
      0x01,                    // flags: E
      0x00, 0x15,              // length 21
      0x00, 0x00, 0x01, 0x05,  // TSN 261
      0x00, 0x02,              // stream identifier 2
      0x00, 0x00,              // reserved
      0x00, 0x00, 0x00, 0x09,  // message identifier 9
      0x00, 0x00, 0x00, 0x04,  // FSN 4, since B is clear
      0xdd,                    // user data
      0x00, 0x00, 0x00,        // padding
  });
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kSctpIData));
  EXPECT_EQ(d.data.fsn, 4u);
  EXPECT_EQ(d.data.ppid, 0u);
  EXPECT_TRUE(d.data.end);
}

TEST(SctpData, IDataLengthBelowHeader) {
  const DataDecoded d = decode_data({
      0x40, 0x03, 0x00, 0x10,  // I-DATA, length 16 < 20
      0x00, 0x00, 0x00, 0x01,  // TSN
      0x00, 0x01, 0x00, 0x00,  // SID, reserved
      0x00, 0x00, 0x00, 0x01,  // MID; no PPID/FSN
  });
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kSctpBadChunkLength));
}

TEST(SctpData, IDataEmptyUserData) {
  const DataDecoded d = decode_data({
      0x40, 0x03, 0x00, 0x14,  // I-DATA, B|E, length 20: header only
      0x00, 0x00, 0x00, 0x01,  // TSN
      0x00, 0x01, 0x00, 0x00,  // SID, reserved
      0x00, 0x00, 0x00, 0x01,  // MID
      0x00, 0x00, 0x00, 0x03,  // PPID
  });
  EXPECT_EQ(d.status, DecodeStatus::kAnomaly);
  EXPECT_TRUE(d.anomalies.has(Anomaly::kSctpEmptyData));
}

TEST(SctpData, NotADataChunk) {
  const DataDecoded d = decode_data(kSackChunk);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_FALSE(d.anomalies.any());
}

}  // namespace
}  // namespace sigwall
