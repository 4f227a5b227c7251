// CRC32c (RFC 3720 §B.4 vectors, RFC 9260 §6.8 / Appendix B placement), and the SSE4.2 path
// against the portable table.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "sctp/crc32c.h"

namespace sigwall {
namespace {

// Bit-at-a-time CRC32c straight from the definition: the reference for both paths.
uint32_t crc32c_bitwise(const uint8_t* data, size_t size) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0);
  }
  return ~crc;
}

struct Vector {
  const char* name;
  std::vector<uint8_t> bytes;
  uint32_t crc;
};

std::vector<Vector> rfc3720_vectors() {
  std::vector<Vector> vectors;
  vectors.push_back({"32 bytes of zeros", std::vector<uint8_t>(32, 0x00), 0x8a9136aa});
  vectors.push_back({"32 bytes of ones", std::vector<uint8_t>(32, 0xff), 0x62a8ab43});
  std::vector<uint8_t> up(32), down(32);
  for (int i = 0; i < 32; ++i) {
    up[i] = static_cast<uint8_t>(i);
    down[i] = static_cast<uint8_t>(31 - i);
  }
  vectors.push_back({"32 incrementing bytes", up, 0x46dd794e});
  vectors.push_back({"32 decrementing bytes", down, 0x113fdb5c});
  vectors.push_back({"iSCSI SCSI Read (10) command PDU",
                     {
                         0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                         0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
                         0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
                         0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                     },
                     0xd9963a56});
  vectors.push_back({"\"123456789\" (the catalogue check value)", {'1', '2', '3', '4', '5', '6', '7', '8', '9'}, 0xe3069283});
  vectors.push_back({"empty", {}, 0x00000000});
  return vectors;
}

TEST(Crc32c, Rfc3720Vectors) {
  for (const Vector& v : rfc3720_vectors()) {
    SCOPED_TRACE(v.name);
    EXPECT_EQ(crc32c_bitwise(v.bytes.data(), v.bytes.size()), v.crc);
    EXPECT_EQ(crc32c_portable(v.bytes.data(), v.bytes.size()), v.crc);
    EXPECT_EQ(crc32c(v.bytes.data(), v.bytes.size()), v.crc);
  }
}

TEST(Crc32c, HardwareChoiceFollowsCpu) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  EXPECT_EQ(crc32c_uses_hardware(), static_cast<bool>(__builtin_cpu_supports("sse4.2")));
#else
  EXPECT_FALSE(crc32c_uses_hardware());
#endif
}

TEST(Crc32c, BothPathsAgreeOnEveryLengthAndAlignment) {
  std::mt19937 random(20240613);
  std::vector<uint8_t> buffer(300 + 8);
  for (uint8_t& b : buffer) b = static_cast<uint8_t>(random());
  for (size_t align = 0; align < 8; ++align) {
    for (size_t length = 0; length <= 300; ++length) {
      const uint8_t* data = buffer.data() + align;
      const uint32_t reference = crc32c_bitwise(data, length);
      ASSERT_EQ(crc32c_portable(data, length), reference) << "length " << length << " align " << align;
      ASSERT_EQ(crc32c(data, length), reference) << "length " << length << " align " << align;
    }
  }
}

// The hardware path runs three lanes of up to 512 octets per round and joins them: lengths
// across several rounds, and every lane length, against the bit-at-a-time reference.
TEST(Crc32c, LongBuffersAcrossLaneRounds) {
  std::mt19937 random(20261204);
  std::vector<uint8_t> buffer(5000 + 8);
  for (uint8_t& b : buffer) b = static_cast<uint8_t>(random());
  for (size_t length = 300; length <= 5000; length += (length < 1700 ? 1 : 97)) {
    const uint8_t* data = buffer.data() + (length % 8);
    const uint32_t reference = crc32c_bitwise(data, length);
    ASSERT_EQ(crc32c(data, length), reference) << "length " << length;
    ASSERT_EQ(crc32c_portable(data, length), reference) << "length " << length;
  }
}

// An SCTP packet (common header + one DATA chunk) whose checksum tshark 4.0 reports as
// "Good" (sctp.checksum 0xff99fd29 as displayed, sctp.checksum.status 1).
const std::vector<uint8_t> kSctpPacket = {
    0x0b, 0x59,              // source port 2905
    0x0b, 0x59,              // destination port 2905
    0x12, 0x34, 0x56, 0x78,  // verification tag
    0xff, 0x99, 0xfd, 0x29,  // checksum: CRC32c 0x29fd99ff stored least significant byte first
    0x00, 0x03, 0x00, 0x14,  // DATA, flags B|E, length 20
    0x00, 0x00, 0x00, 0x2a,  // TSN 42
    0x00, 0x01, 0x00, 0x05,  // stream 1, SSN 5
    0x00, 0x00, 0x00, 0x03,  // PPID 3 (M3UA)
    0x01, 0x00, 0x01, 0x01,  // user data
};

TEST(SctpChecksum, MatchesTsharkGoodPacket) {
  EXPECT_TRUE(sctp_checksum_matches(kSctpPacket.data(), kSctpPacket.size()));
  // The CRC is computed with the checksum field zeroed.
  std::vector<uint8_t> zeroed = kSctpPacket;
  zeroed[8] = zeroed[9] = zeroed[10] = zeroed[11] = 0;
  EXPECT_EQ(crc32c(zeroed.data(), zeroed.size()), 0x29fd99ffu);
}

TEST(SctpChecksum, BigEndianPlacementDoesNotMatch) {
  std::vector<uint8_t> packet = kSctpPacket;
  packet[8] = 0x29;  // the same CRC in network byte order: wrong per RFC 9260 Appendix B
  packet[9] = 0xfd;
  packet[10] = 0x99;
  packet[11] = 0xff;
  EXPECT_FALSE(sctp_checksum_matches(packet.data(), packet.size()));
}

TEST(SctpChecksum, AnyBitFlipIsDetected) {
  for (size_t i = 0; i < kSctpPacket.size() * 8; ++i) {
    std::vector<uint8_t> packet = kSctpPacket;
    packet[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
    EXPECT_FALSE(sctp_checksum_matches(packet.data(), packet.size())) << "bit " << i;
  }
}

// Packets long enough for the three-lane path, the checksum written as RFC 9260 Appendix B
// places it; one flipped bit anywhere must be caught.
TEST(SctpChecksum, LongPacketsEveryLength) {
  std::mt19937 random(7);
  for (size_t size = 100; size <= 1600; size += 13) {
    std::vector<uint8_t> packet(size);
    for (uint8_t& b : packet) b = static_cast<uint8_t>(random());
    packet[8] = packet[9] = packet[10] = packet[11] = 0;
    const uint32_t crc = crc32c_bitwise(packet.data(), packet.size());
    for (int k = 0; k < 4; ++k) packet[8 + k] = static_cast<uint8_t>(crc >> (8 * k));
    ASSERT_TRUE(sctp_checksum_matches(packet.data(), packet.size())) << "size " << size;
    packet[size / 2] ^= 0x10;
    ASSERT_FALSE(sctp_checksum_matches(packet.data(), packet.size())) << "size " << size;
  }
}

TEST(SctpChecksum, ShorterThanCommonHeader) {
  EXPECT_FALSE(sctp_checksum_matches(kSctpPacket.data(), 11));
  EXPECT_FALSE(sctp_checksum_matches(nullptr, 0));
}

}  // namespace
}  // namespace sigwall
