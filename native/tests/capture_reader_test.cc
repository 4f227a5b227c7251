// CaptureReader: hand-built pcap and pcapng files, one per format feature and one per error
// path, then every real capture in ../shared/captures against what capinfos/tshark report.
#include "io/capture_reader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace sigwall {
namespace {

// Appends integers in a chosen byte order, so that each test vector below reads as a list of
// fields with a comment each.
class Bytes {
 public:
  explicit Bytes(bool big_endian) : big_(big_endian) {}
  Bytes& u8(uint8_t v) {
    data_.push_back(v);
    return *this;
  }
  Bytes& u16(uint16_t v) {
    return big_ ? u8(v >> 8).u8(v & 0xFF) : u8(v & 0xFF).u8(v >> 8);
  }
  Bytes& u32(uint32_t v) {
    return big_ ? u16(v >> 16).u16(v & 0xFFFF) : u16(v & 0xFFFF).u16(v >> 16);
  }
  Bytes& u64(uint64_t v) {
    return big_ ? u32(v >> 32).u32(v & 0xFFFFFFFF) : u32(v & 0xFFFFFFFF).u32(v >> 32);
  }
  Bytes& raw(const std::vector<uint8_t>& bytes) {
    data_.insert(data_.end(), bytes.begin(), bytes.end());
    return *this;
  }
  Bytes& zeros(size_t n) {
    data_.insert(data_.end(), n, 0);
    return *this;
  }
  Bytes& append(const Bytes& other) { return raw(other.data_); }
  size_t size() const { return data_.size(); }
  std::vector<uint8_t>& data() { return data_; }
  ByteView view() const { return ByteView{data_.data(), static_cast<uint32_t>(data_.size())}; }

 private:
  bool big_;
  std::vector<uint8_t> data_;
};

std::vector<uint8_t> Payload(size_t n, uint8_t first) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(first + i);
  return v;
}

std::vector<uint8_t> VectorOf(const ByteView& v) { return std::vector<uint8_t>(v.data, v.data + v.size); }

constexpr uint32_t kLinkEthernet = 1, kLinkRaw = 101, kLinkLinuxSll = 113, kLinkMtp2 = 140;

// ---- classic pcap ------------------------------------------------------------------------------

struct PcapVariant {
  bool big_endian;
  bool nanoseconds;
};

// Two Ethernet records: 60 bytes captured of 60, then 20 captured of 1514.
Bytes TwoRecordPcap(PcapVariant variant) {
  Bytes b(variant.big_endian);
  b.u32(variant.nanoseconds ? 0xA1B23C4D : 0xA1B2C3D4);  // magic: timestamp unit, writer's byte order
  b.u16(2).u16(4);                                        // version 2.4
  b.u32(0);                                               // reserved1 (thiszone)
  b.u32(0);                                               // reserved2 (sigfigs)
  b.u32(65535);                                           // snaplen
  b.u32(kLinkEthernet);                                   // link type
  // record 1 at offset 24
  b.u32(1700000000);                                      // ts seconds
  b.u32(variant.nanoseconds ? 123456789 : 123456);        // ts fraction
  b.u32(60);                                              // incl_len
  b.u32(60);                                              // orig_len
  b.raw(Payload(60, 0x00));
  // record 2 at offset 24 + 16 + 60 = 100
  b.u32(1700000001);                                      // ts seconds
  b.u32(variant.nanoseconds ? 999999999 : 999999);        // ts fraction
  b.u32(20);                                              // incl_len: cut by the capture
  b.u32(1514);                                            // orig_len
  b.raw(Payload(20, 0x80));
  return b;
}

class CaptureReaderPcapVariants : public ::testing::TestWithParam<PcapVariant> {};

TEST_P(CaptureReaderPcapVariants, ReadsBothRecords) {
  const PcapVariant variant = GetParam();
  const Bytes file = TwoRecordPcap(variant);
  CaptureReader reader;
  CaptureError error;
  ASSERT_TRUE(reader.open(file.view(), error)) << error.message;
  EXPECT_EQ(reader.format(), CaptureFormat::kPcap);

  CaptureFrame frame;
  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.number, 1u);
  EXPECT_EQ(frame.timestamp_ns, variant.nanoseconds ? 1700000000123456789ull : 1700000000123456000ull);
  EXPECT_EQ(frame.link_type, kLinkEthernet);
  EXPECT_EQ(frame.original_length, 60u);
  EXPECT_EQ(frame.file_offset, 24u);
  EXPECT_EQ(VectorOf(frame.bytes), Payload(60, 0x00));

  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.number, 2u);
  EXPECT_EQ(frame.timestamp_ns, variant.nanoseconds ? 1700000001999999999ull : 1700000001999999000ull);
  EXPECT_EQ(frame.original_length, 1514u);
  EXPECT_EQ(frame.file_offset, 100u);
  EXPECT_EQ(VectorOf(frame.bytes), Payload(20, 0x80));

  EXPECT_FALSE(reader.next(frame, error));
  EXPECT_FALSE(error.failed);
  EXPECT_EQ(reader.frames_read(), 2u);
  EXPECT_FALSE(reader.next(frame, error));  // stays at the end
  EXPECT_FALSE(error.failed);
}

INSTANTIATE_TEST_SUITE_P(ByteOrderAndUnit, CaptureReaderPcapVariants,
                         ::testing::Values(PcapVariant{false, false}, PcapVariant{false, true},
                                           PcapVariant{true, false}, PcapVariant{true, true}),
                         [](const ::testing::TestParamInfo<PcapVariant>& info) {
                           return std::string(info.param.big_endian ? "BigEndian" : "LittleEndian") +
                                  (info.param.nanoseconds ? "Nanoseconds" : "Microseconds");
                         });

TEST(CaptureReaderPcap, HeaderOnlyFileHasNoFrames) {
  Bytes file = TwoRecordPcap({false, false});
  file.data().resize(24);
  CaptureReader reader;
  CaptureError error;
  ASSERT_TRUE(reader.open(file.view(), error));
  CaptureFrame frame;
  EXPECT_FALSE(reader.next(frame, error));
  EXPECT_FALSE(error.failed);
  EXPECT_EQ(reader.frames_read(), 0u);
}

TEST(CaptureReaderPcap, LinkTypeIgnoresFcsBits) {
  Bytes file(false);
  file.u32(0xA1B2C3D4).u16(2).u16(4).u32(0).u32(0).u32(65535);
  file.u32(0x24000000 | kLinkMtp2);  // FCS length information in the upper 16 bits (draft §4)
  file.u32(1).u32(0).u32(4).u32(4).raw({1, 2, 3, 4});
  CaptureReader reader;
  CaptureError error;
  ASSERT_TRUE(reader.open(file.view(), error));
  CaptureFrame frame;
  ASSERT_TRUE(reader.next(frame, error));
  EXPECT_EQ(frame.link_type, kLinkMtp2);
}

TEST(CaptureReaderPcap, ZeroSnaplenMeansNoLimit) {
  Bytes file(false);
  file.u32(0xA1B2C3D4).u16(2).u16(4).u32(0).u32(0);
  file.u32(0);              // snaplen 0: not recorded
  file.u32(kLinkEthernet);
  file.u32(1).u32(0).u32(100).u32(100).zeros(100);
  CaptureReader reader;
  CaptureError error;
  ASSERT_TRUE(reader.open(file.view(), error));
  CaptureFrame frame;
  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.bytes.size, 100u);
}

TEST(CaptureReaderPcap, Version22HasLengthsSwapped) {
  Bytes file(false);
  file.u32(0xA1B2C3D4).u16(2).u16(2).u32(0).u32(0).u32(65535).u32(kLinkEthernet);
  file.u32(1).u32(0);
  file.u32(1514);  // orig_len first before version 2.3
  file.u32(8);     // incl_len
  file.zeros(8);
  CaptureReader reader;
  CaptureError error;
  ASSERT_TRUE(reader.open(file.view(), error));
  CaptureFrame frame;
  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.bytes.size, 8u);
  EXPECT_EQ(frame.original_length, 1514u);
}

// ---- pcapng ------------------------------------------------------------------------------------

// Block builder: type, total length, body (padded to 32 bits), total length again.
Bytes Block(bool big_endian, uint32_t type, const Bytes& body) {
  Bytes block(big_endian);
  const uint32_t padded = static_cast<uint32_t>((body.size() + 3) & ~size_t{3});
  block.u32(type).u32(padded + 12).append(body).zeros(padded - body.size()).u32(padded + 12);
  return block;
}

Bytes SectionHeader(bool big_endian) {
  Bytes body(big_endian);
  body.u32(0x1A2B3C4D);  // byte-order magic
  body.u16(1).u16(0);    // version 1.0
  body.u64(~0ull);       // section length: unspecified (-1)
  return Block(big_endian, 0x0A0D0D0A, body);
}

// An IDB; `tsresol` < 0 leaves if_tsresol out (the default, 10^-6).
Bytes Interface(bool big_endian, uint16_t link_type, uint32_t snaplen, int tsresol,
                           bool with_tsoffset = false, int64_t tsoffset = 0) {
  Bytes body(big_endian);
  body.u16(link_type);  // link type
  body.u16(0);          // reserved
  body.u32(snaplen);    // snaplen
  body.u16(2).u16(4).raw({'e', 't', 'h', '0'});  // if_name "eth0": an option the reader skips
  if (tsresol >= 0) body.u16(9).u16(1).u8(static_cast<uint8_t>(tsresol)).zeros(3);  // if_tsresol
  if (with_tsoffset) body.u16(14).u16(8).u64(static_cast<uint64_t>(tsoffset));     // if_tsoffset
  body.u16(0).u16(0);   // opt_endofopt
  return Block(big_endian, 1, body);
}

Bytes EnhancedPacket(bool big_endian, uint32_t interface_id, uint64_t units,
                                const std::vector<uint8_t>& data, uint32_t original_length) {
  Bytes body(big_endian);
  body.u32(interface_id);                            // interface id
  body.u32(static_cast<uint32_t>(units >> 32));      // timestamp (high)
  body.u32(static_cast<uint32_t>(units));            // timestamp (low)
  body.u32(static_cast<uint32_t>(data.size()));      // captured packet length
  body.u32(original_length);                         // original packet length
  body.raw(data);
  body.zeros((4 - data.size() % 4) % 4);             // pad to 32 bits
  body.u16(1).u16(4).raw({'h', 'i', '!', '!'});      // opt_comment: skipped
  return Block(big_endian, 6, body);
}

Bytes SimplePacket(bool big_endian, uint32_t original_length, const std::vector<uint8_t>& data) {
  Bytes body(big_endian);
  body.u32(original_length);  // original packet length; captured = min(original, snaplen)
  body.raw(data);
  return Block(big_endian, 3, body);
}

Bytes ObsoletePacket(bool big_endian, uint16_t interface_id, uint64_t units,
                                const std::vector<uint8_t>& data, uint32_t original_length) {
  Bytes body(big_endian);
  body.u16(interface_id);                        // interface id (16 bits)
  body.u16(3);                                   // drops count
  body.u32(static_cast<uint32_t>(units >> 32));  // timestamp (high)
  body.u32(static_cast<uint32_t>(units));        // timestamp (low)
  body.u32(static_cast<uint32_t>(data.size()));  // captured length
  body.u32(original_length);                     // original length
  body.raw(data);
  return Block(big_endian, 2, body);
}

// Blocks the reader must step over: Name Resolution, Interface Statistics, Decryption Secrets,
// a custom block and a local-use type.
Bytes SkippedBlocks(bool big_endian) {
  Bytes all(big_endian);
  Bytes nrb(big_endian);
  nrb.u16(1).u16(8).raw({10, 0, 0, 1, 'a', '.', 'b', 0});  // nrb_record_ipv4
  nrb.u16(0).u16(0);                                       // nrb_record_end
  all.append(Block(big_endian, 4, nrb));
  Bytes isb(big_endian);
  isb.u32(0).u32(0).u32(12345);                            // interface 0, timestamp
  all.append(Block(big_endian, 5, isb));
  Bytes dsb(big_endian);
  dsb.u32(0x544c534b).u32(3).raw({'k', 'e', 'y', 0});      // TLS key log, 3 bytes
  all.append(Block(big_endian, 10, dsb));
  Bytes custom(big_endian);
  custom.u32(32473).raw({1, 2, 3});                        // PEN, custom data
  all.append(Block(big_endian, 0x00000BAD, custom));
  all.append(Block(big_endian, 0x80001234, Bytes(big_endian)));  // local use, empty body
  return all;
}

class CaptureReaderPcapNgByteOrder : public ::testing::TestWithParam<bool> {};

TEST_P(CaptureReaderPcapNgByteOrder, InterfacesWithDifferentLinkTypesAndResolutions) {
  const bool be = GetParam();
  Bytes file(be);
  file.append(SectionHeader(be));                                 // offset 0, 28 bytes
  file.append(Interface(be, kLinkEthernet, 0, 9));                // interface 0: ns
  file.append(Interface(be, kLinkLinuxSll, 128, 6));              // interface 1: µs, snaplen 128
  file.append(Interface(be, kLinkRaw, 40, 0x80 | 20));            // interface 2: 2^-20 s
  file.append(Interface(be, kLinkMtp2, 0, -1, true, -100));       // interface 3: default µs, -100 s
  const uint64_t epb0 = file.size();
  file.append(EnhancedPacket(be, 0, 1700000000123456789ull, Payload(60, 0), 60));
  file.append(SkippedBlocks(be));
  const uint64_t epb1 = file.size();
  file.append(EnhancedPacket(be, 1, 1700000001654321ull, Payload(14, 1), 24));
  // 2^-20 s units: one unit past the second is 953.67 ns, which tshark shows as ...000000953.
  file.append(EnhancedPacket(be, 2, (1700000002ull << 20) | 1, Payload(20, 2), 30));
  file.append(EnhancedPacket(be, 2, (1700000002ull << 20) | 0xFFFFF, Payload(20, 3), 30));
  file.append(EnhancedPacket(be, 3, 1700000001654321ull, Payload(3, 4), 3));
  const uint64_t spb = file.size();
  file.append(SimplePacket(be, 61, Payload(61, 5)));
  file.append(ObsoletePacket(be, 1, 1700000003000001ull, Payload(16, 6), 100));

  CaptureReader reader;
  CaptureError error;
  ASSERT_TRUE(reader.open(file.view(), error)) << error.message;
  EXPECT_EQ(reader.format(), CaptureFormat::kPcapNg);
  CaptureFrame frame;

  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.number, 1u);
  EXPECT_EQ(frame.timestamp_ns, 1700000000123456789ull);
  EXPECT_EQ(frame.link_type, kLinkEthernet);
  EXPECT_EQ(frame.original_length, 60u);
  EXPECT_EQ(frame.file_offset, epb0);
  EXPECT_EQ(VectorOf(frame.bytes), Payload(60, 0));

  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.number, 2u);
  EXPECT_EQ(frame.timestamp_ns, 1700000001654321000ull);
  EXPECT_EQ(frame.link_type, kLinkLinuxSll);
  EXPECT_EQ(frame.original_length, 24u);
  EXPECT_EQ(frame.file_offset, epb1);
  EXPECT_EQ(VectorOf(frame.bytes), Payload(14, 1));

  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.timestamp_ns, 1700000002000000953ull);
  EXPECT_EQ(frame.link_type, kLinkRaw);
  EXPECT_EQ(VectorOf(frame.bytes), Payload(20, 2));
  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.timestamp_ns, 1700000002999999046ull);

  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.timestamp_ns, 1699999901654321000ull);  // if_tsoffset -100 s applied
  EXPECT_EQ(frame.link_type, kLinkMtp2);
  EXPECT_EQ(VectorOf(frame.bytes), Payload(3, 4));

  // SPB: interface 0, no timestamp, captured = original when interface 0 has no snaplen.
  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.number, 6u);
  EXPECT_EQ(frame.timestamp_ns, 0u);
  EXPECT_EQ(frame.link_type, kLinkEthernet);
  EXPECT_EQ(frame.original_length, 61u);
  EXPECT_EQ(frame.file_offset, spb);
  EXPECT_EQ(VectorOf(frame.bytes), Payload(61, 5));

  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.timestamp_ns, 1700000003000001000ull);
  EXPECT_EQ(frame.link_type, kLinkLinuxSll);
  EXPECT_EQ(frame.original_length, 100u);
  EXPECT_EQ(VectorOf(frame.bytes), Payload(16, 6));

  EXPECT_FALSE(reader.next(frame, error));
  EXPECT_FALSE(error.failed) << error.message;
  EXPECT_EQ(reader.frames_read(), 7u);
}

INSTANTIATE_TEST_SUITE_P(ByteOrder, CaptureReaderPcapNgByteOrder, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "BigEndian" : "LittleEndian");
                         });

TEST(CaptureReaderPcapNg, SimplePacketCutToSnaplen) {
  Bytes file(false);
  file.append(SectionHeader(false));
  file.append(Interface(false, kLinkEthernet, 16, -1));  // snaplen 16
  file.append(SimplePacket(false, 1500, Payload(16, 9)));  // original 1500, 16 captured
  CaptureReader reader;
  CaptureError error;
  ASSERT_TRUE(reader.open(file.view(), error));
  CaptureFrame frame;
  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.original_length, 1500u);
  EXPECT_EQ(VectorOf(frame.bytes), Payload(16, 9));
}

TEST(CaptureReaderPcapNg, DecimalResolutionFinerThanNanoseconds) {
  Bytes file(false);
  file.append(SectionHeader(false));
  file.append(Interface(false, kLinkEthernet, 0, 12));  // 10^-12 s (picoseconds)
  file.append(EnhancedPacket(false, 0, 1700000000123456789ull, Payload(4, 0), 4));  // 1700000.000123456789 s
  CaptureReader reader;
  CaptureError error;
  ASSERT_TRUE(reader.open(file.view(), error));
  CaptureFrame frame;
  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.timestamp_ns, 1700000000123456ull);
}

TEST(CaptureReaderPcapNg, SeveralSectionsWithTheirOwnByteOrderAndInterfaces) {
  Bytes file(false);
  // Section 1, little-endian: two interfaces.
  file.append(SectionHeader(false));
  file.append(Interface(false, kLinkEthernet, 0, 9));
  file.append(Interface(false, kLinkLinuxSll, 0, 6));
  file.append(EnhancedPacket(false, 1, 1000, Payload(8, 0), 8));
  // Section 2, big-endian: one interface, which is interface 0 again.
  const uint64_t second_section = file.size();
  file.append(SectionHeader(true));
  file.append(Interface(true, kLinkRaw, 0, 3));  // milliseconds
  const uint64_t epb = file.size();
  file.append(EnhancedPacket(true, 0, 1700000000123ull, Payload(8, 1), 8));
  CaptureReader reader;
  CaptureError error;
  ASSERT_TRUE(reader.open(file.view(), error));
  CaptureFrame frame;
  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.link_type, kLinkLinuxSll);
  EXPECT_EQ(frame.timestamp_ns, 1000000u);
  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.number, 2u);
  EXPECT_EQ(frame.link_type, kLinkRaw);
  EXPECT_EQ(frame.timestamp_ns, 1700000000123000000ull);
  EXPECT_EQ(frame.file_offset, epb);
  EXPECT_GT(epb, second_section);
  EXPECT_FALSE(reader.next(frame, error));
  EXPECT_FALSE(error.failed) << error.message;
}

TEST(CaptureReaderPcapNg, SectionWithoutPackets) {
  Bytes file(false);
  file.append(SectionHeader(false));
  CaptureReader reader;
  CaptureError error;
  ASSERT_TRUE(reader.open(file.view(), error));
  CaptureFrame frame;
  EXPECT_FALSE(reader.next(frame, error));
  EXPECT_FALSE(error.failed);
}

TEST(CaptureReader, OpenStartsOver) {
  const Bytes pcap = TwoRecordPcap({false, false});
  Bytes ng(true);
  ng.append(SectionHeader(true)).append(Interface(true, kLinkRaw, 0, 9));
  ng.append(EnhancedPacket(true, 0, 5, Payload(4, 0), 4));
  CaptureReader reader;
  CaptureError error;
  CaptureFrame frame;
  ASSERT_TRUE(reader.open(pcap.view(), error));
  ASSERT_TRUE(reader.next(frame, error));
  ASSERT_TRUE(reader.open(ng.view(), error));
  EXPECT_EQ(reader.frames_read(), 0u);
  ASSERT_TRUE(reader.next(frame, error)) << error.message;
  EXPECT_EQ(frame.number, 1u);
  EXPECT_EQ(frame.link_type, kLinkRaw);
  EXPECT_EQ(frame.timestamp_ns, 5u);
}

// ---- errors ------------------------------------------------------------------------------------

// Opens `file`, reads frames until the reader stops, and returns the error it stopped with.
CaptureError ReadUntilStop(const Bytes& file, uint64_t* frames = nullptr) {
  CaptureReader reader;
  CaptureError error;
  if (reader.open(file.view(), error)) {
    CaptureFrame frame;
    while (reader.next(frame, error)) {
    }
  }
  if (frames) *frames = reader.frames_read();
  return error;
}

void ExpectError(const CaptureError& error, uint64_t offset, const char* message) {
  EXPECT_TRUE(error.failed);
  EXPECT_EQ(error.offset, offset);
  EXPECT_STREQ(error.message, message);
}

TEST(CaptureReaderErrors, EmptyFile) {
  ExpectError(ReadUntilStop(Bytes(false)), 0,
              "not a capture: 0 bytes, too short for a pcap or pcapng magic number");
}

TEST(CaptureReaderErrors, BadMagic) {
  Bytes file(false);
  file.raw({'G', 'I', 'F', '8', '9', 'a'}).zeros(40);
  CaptureReader reader;
  CaptureError error;
  EXPECT_FALSE(reader.open(file.view(), error));
  ExpectError(error, 0, "not a pcap or pcapng capture: magic number 47 49 46 38");
  EXPECT_EQ(reader.format(), CaptureFormat::kUnknown);
  CaptureFrame frame;
  error = CaptureError{};
  EXPECT_FALSE(reader.next(frame, error));  // the error sticks
  EXPECT_TRUE(error.failed);
}

TEST(CaptureReaderErrors, PcapHeaderTruncated) {
  Bytes file = TwoRecordPcap({true, false});
  file.data().resize(20);
  ExpectError(ReadUntilStop(file), 0, "pcap file header truncated: 20 of 24 bytes");
}

TEST(CaptureReaderErrors, PcapUnsupportedVersion) {
  Bytes file(false);
  file.u32(0xA1B2C3D4).u16(3).u16(0).zeros(16);
  ExpectError(ReadUntilStop(file), 0, "pcap file header: unsupported version 3.0");
}

TEST(CaptureReaderErrors, PcapRecordHeaderTruncated) {
  Bytes file = TwoRecordPcap({false, false});
  file.data().resize(100 + 10);  // record 2 keeps 10 of its 16 header bytes
  uint64_t frames = 0;
  ExpectError(ReadUntilStop(file, &frames), 100, "pcap record at offset 100: header truncated (10 of 16 bytes)");
  EXPECT_EQ(frames, 1u);
}

TEST(CaptureReaderErrors, PcapFinalRecordTruncated) {
  Bytes file = TwoRecordPcap({true, true});
  file.data().pop_back();  // record 2 loses its last byte
  uint64_t frames = 0;
  ExpectError(ReadUntilStop(file, &frames), 100,
              "pcap record at offset 100: captured length 20 runs past the end of the file (19 bytes left)");
  EXPECT_EQ(frames, 1u);
}

TEST(CaptureReaderErrors, PcapCapturedLengthExceedsSnaplen) {
  Bytes file(false);
  file.u32(0xA1B2C3D4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(kLinkEthernet);
  file.u32(1).u32(0).u32(4).u32(4).zeros(4);  // record 1 at 24: fine
  file.u32(1).u32(0).u32(70000).u32(70000);   // record 2 at 44: incl_len 70000
  file.zeros(70000);
  uint64_t frames = 0;
  ExpectError(ReadUntilStop(file, &frames), 44, "pcap record at offset 44: captured length 70000 exceeds snaplen 65535");
  EXPECT_EQ(frames, 1u);
}

TEST(CaptureReaderErrors, PcapNgSectionHeaderTruncated) {
  Bytes file = SectionHeader(false);
  file.data().resize(20);
  ExpectError(ReadUntilStop(file), 0,
              "pcapng section header at offset 0: block total length 28 runs past the end of the file (20 bytes left)");
  file.data().resize(8);
  ExpectError(ReadUntilStop(file), 0, "pcapng section header at offset 0: truncated (8 bytes left, at least 28 needed)");
}

TEST(CaptureReaderErrors, PcapNgBadByteOrderMagic) {
  Bytes file(false);
  file.u32(0x0A0D0D0A).u32(28).u32(0x12345678).u16(1).u16(0).u64(0).u32(28);
  ExpectError(ReadUntilStop(file), 0, "pcapng section header at offset 0: byte-order magic 78563412 is not 1a2b3c4d");
}

TEST(CaptureReaderErrors, PcapNgUnsupportedVersion) {
  Bytes file(true);
  file.u32(0x0A0D0D0A).u32(28).u32(0x1A2B3C4D).u16(2).u16(0).u64(0).u32(28);
  ExpectError(ReadUntilStop(file), 0, "pcapng section header at offset 0: unsupported version 2.0");
}

TEST(CaptureReaderErrors, PcapNgSectionHeaderTrailingLengthMismatch) {
  Bytes file(false);
  file.u32(0x0A0D0D0A).u32(28).u32(0x1A2B3C4D).u16(1).u16(0).u64(0);
  file.u32(32);  // trailing length differs
  ExpectError(ReadUntilStop(file), 0, "pcapng section header at offset 0: trailing block total length 32 differs from 28");
}

// A section (28 bytes) and one interface, then the block under test at offset 28 + idb size.
Bytes SectionAndInterface(bool be) {
  Bytes file(be);
  file.append(SectionHeader(be)).append(Interface(be, kLinkEthernet, 0, 9));
  return file;
}

TEST(CaptureReaderErrors, PcapNgBlockTotalLengthNotMultipleOf4) {
  Bytes file = SectionAndInterface(false);
  const uint64_t at = file.size();
  file.u32(6).u32(34).zeros(22).u32(34);
  ExpectError(ReadUntilStop(file), at,
              ("pcapng EPB at offset " + std::to_string(at) + ": block total length 34 is not a multiple of 4").c_str());
}

TEST(CaptureReaderErrors, PcapNgBlockTotalLengthBelowMinimum) {
  Bytes file = SectionAndInterface(true);
  const uint64_t at = file.size();
  file.u32(5).u32(8).u32(8);
  ExpectError(ReadUntilStop(file), at,
              ("pcapng block at offset " + std::to_string(at) + ": block total length 8 is below the minimum of 12").c_str());
}

TEST(CaptureReaderErrors, PcapNgFinalBlockTruncated) {
  Bytes file = SectionAndInterface(false);
  const uint64_t at = file.size();
  file.append(EnhancedPacket(false, 0, 1, Payload(60, 0), 60));
  const size_t full = file.size();
  file.data().resize(full - 3);
  uint64_t frames = 0;
  ExpectError(ReadUntilStop(file, &frames), at,
              ("pcapng EPB at offset " + std::to_string(at) + ": block total length " + std::to_string(full - at) +
               " runs past the end of the file (" + std::to_string(full - at - 3) + " bytes left)")
                  .c_str());
  EXPECT_EQ(frames, 0u);
  file.data().resize(at + 5);  // not even the 12 bytes of framing
  ExpectError(ReadUntilStop(file), at,
              ("pcapng block at offset " + std::to_string(at) + ": truncated (5 bytes left, at least 12 needed)").c_str());
}

TEST(CaptureReaderErrors, PcapNgTrailingLengthMismatch) {
  Bytes file = SectionAndInterface(false);
  const uint64_t at = file.size();
  file.append(EnhancedPacket(false, 0, 1, Payload(8, 0), 8));
  ASSERT_EQ(file.size() - at, 48u);     // 12 framing + 20 fixed + 8 data + 8 comment option
  file.data()[file.size() - 4] = 0x40;  // trailing length (little-endian low byte) now 64
  ExpectError(ReadUntilStop(file), at,
              ("pcapng EPB at offset " + std::to_string(at) + ": trailing block total length 64 differs from 48").c_str());
}

TEST(CaptureReaderErrors, PcapNgUnknownInterface) {
  Bytes file = SectionAndInterface(true);
  const uint64_t at = file.size();
  file.append(EnhancedPacket(true, 1, 1, Payload(8, 0), 8));
  ExpectError(ReadUntilStop(file), at,
              ("pcapng EPB at offset " + std::to_string(at) + ": interface 1 is not described (1 in this section)").c_str());
}

TEST(CaptureReaderErrors, PcapNgInterfaceOfThePreviousSection) {
  Bytes file = SectionAndInterface(false);
  file.append(SectionHeader(false));  // a new section forgets interface 0
  const uint64_t at = file.size();
  file.append(EnhancedPacket(false, 0, 1, Payload(8, 0), 8));
  ExpectError(ReadUntilStop(file), at,
              ("pcapng EPB at offset " + std::to_string(at) + ": interface 0 is not described (0 in this section)").c_str());
}

TEST(CaptureReaderErrors, PcapNgObsoletePacketUnknownInterface) {
  Bytes file = SectionAndInterface(false);
  const uint64_t at = file.size();
  file.append(ObsoletePacket(false, 7, 1, Payload(8, 0), 8));
  ExpectError(ReadUntilStop(file), at,
              ("pcapng OPB at offset " + std::to_string(at) + ": interface 7 is not described (1 in this section)").c_str());
}

TEST(CaptureReaderErrors, PcapNgSimplePacketWithoutInterface) {
  Bytes file = SectionHeader(false);
  file.append(SimplePacket(false, 4, Payload(4, 0)));
  ExpectError(ReadUntilStop(file), 28, "pcapng SPB at offset 28: interface 0 is not described (0 in this section)");
}

TEST(CaptureReaderErrors, PcapNgSimplePacketLongerThanItsBlock) {
  Bytes file = SectionAndInterface(false);
  const uint64_t at = file.size();
  file.append(SimplePacket(false, 100, Payload(8, 0)));  // says 100 bytes, holds 8
  ExpectError(ReadUntilStop(file), at,
              ("pcapng SPB at offset " + std::to_string(at) + ": captured length 100 runs past the block (8 bytes of data)")
                  .c_str());
}

TEST(CaptureReaderErrors, PcapNgCapturedLengthPastBlock) {
  Bytes file = SectionAndInterface(false);
  const uint64_t at = file.size();
  Bytes body(false);
  body.u32(0).u32(0).u32(1);  // interface 0, timestamp
  body.u32(9);                // captured length 9: needs 12 bytes with padding
  body.u32(9);                // original length
  body.zeros(8);              // only 8 bytes of data
  file.append(Block(false, 6, body));
  ExpectError(ReadUntilStop(file), at,
              ("pcapng EPB at offset " + std::to_string(at) + ": captured length 9 runs past the block (8 bytes of data)")
                  .c_str());
  // A captured length near 2^32 must not wrap when padded.
  Bytes wrap = SectionAndInterface(false);
  Bytes wrap_body(false);
  wrap_body.u32(0).u32(0).u32(1).u32(0xFFFFFFFE).u32(9).zeros(8);
  wrap.append(Block(false, 6, wrap_body));
  ExpectError(ReadUntilStop(wrap), at,
              ("pcapng EPB at offset " + std::to_string(at) +
               ": captured length 4294967294 runs past the block (8 bytes of data)")
                  .c_str());
}

TEST(CaptureReaderErrors, PcapNgPacketBlockTooShort) {
  Bytes file = SectionAndInterface(false);
  const uint64_t at = file.size();
  Bytes body(false);
  body.u32(0).u32(0).u32(1);  // interface, timestamp; no lengths
  file.append(Block(false, 6, body));
  ExpectError(ReadUntilStop(file), at,
              ("pcapng EPB at offset " + std::to_string(at) + ": block total length 24 is below the minimum of 32").c_str());
}

TEST(CaptureReaderErrors, PcapNgTooManyInterfaces) {
  Bytes file = SectionHeader(false);
  for (unsigned i = 0; i < CaptureReader::kMaxInterfaces; ++i) file.append(Interface(false, kLinkEthernet, 0, -1));
  const uint64_t at = file.size();
  file.append(Interface(false, kLinkEthernet, 0, -1));
  ExpectError(ReadUntilStop(file), at,
              ("pcapng IDB at offset " + std::to_string(at) + ": more than 64 interfaces in one section").c_str());
}

TEST(CaptureReaderErrors, PcapNgInterfaceOptionPastBlock) {
  Bytes file = SectionHeader(false);
  Bytes body(false);
  body.u16(kLinkEthernet).u16(0).u32(0);
  body.u16(2).u16(40).raw({'e', 't', 'h', '0'});  // if_name claims 40 bytes, has 4
  file.append(Block(false, 1, body));
  ExpectError(ReadUntilStop(file), 28, "pcapng IDB at offset 28: option 2 of length 40 runs past the block");
}

TEST(CaptureReaderErrors, PcapNgTsresolWrongLength) {
  Bytes file = SectionHeader(true);
  Bytes body(true);
  body.u16(kLinkEthernet).u16(0).u32(0);
  body.u16(9).u16(2).u8(6).u8(0).zeros(2);  // if_tsresol of 2 bytes
  body.u16(0).u16(0);
  file.append(Block(true, 1, body));
  ExpectError(ReadUntilStop(file), 28, "pcapng IDB at offset 28: if_tsresol has length 2, not 1");
}

TEST(CaptureReaderErrors, PcapNgTimestampOverflow) {
  Bytes file = SectionHeader(false);
  file.append(Interface(false, kLinkEthernet, 0, 0));  // seconds
  const uint64_t at = file.size();
  file.append(EnhancedPacket(false, 0, 20000000000ull, Payload(4, 0), 4));  // 2e19 s: past 2^64 ns
  ExpectError(ReadUntilStop(file), at,
              ("pcapng EPB at offset " + std::to_string(at) +
               ": timestamp does not fit in 64-bit nanoseconds since the epoch")
                  .c_str());
}

TEST(CaptureReaderErrors, PcapNgNegativeTimestampAfterOffset) {
  Bytes file = SectionHeader(false);
  file.append(Interface(false, kLinkEthernet, 0, 9, true, -10));  // if_tsoffset -10 s
  const uint64_t at = file.size();
  file.append(EnhancedPacket(false, 0, 5000000000ull, Payload(4, 0), 4));  // 5 s - 10 s
  ExpectError(ReadUntilStop(file), at,
              ("pcapng EPB at offset " + std::to_string(at) +
               ": timestamp does not fit in 64-bit nanoseconds since the epoch")
                  .c_str());
}

// ---- the real captures -------------------------------------------------------------------------

struct SharedCapture {
  const char* path;  // under SIGWALL_SHARED_CAPTURES
  uint64_t frames;   // capinfos -c
  uint64_t first_ns; // tshark -e frame.time_epoch, first and last frame
  uint64_t last_ns;
  uint64_t captured_bytes;  // capinfos -d (sum of captured lengths)
  uint32_t link_type;       // capinfos -E: ether 1, linux-sll 113, mtp2 140
};

// Measured with capinfos/tshark 4.0 (README of the captures folder lists the same counts).
[[maybe_unused]] constexpr SharedCapture kSharedCaptures[] = {
    {"arkime/m3ua_synthetic.pcap", 90, 1781048076732155000ull, 1781049300150000000ull, 7708, 1},
    {"arkime/m3ua_test.pcap", 20, 1770170675223610000ull, 1770170694223610000ull, 1536, 1},
    {"ossie/SCTP-INIT-Collision.pcap", 34, 1308993987444131000ull, 1308993987454850000ull, 3144, 1},
    {"ossie/japan_tcap_over_m2pa.pcap", 6, 1143706916046717000ull, 1143706952474153000ull, 632, 1},
    {"ossie/sctp-addip.pcap", 38, 1104818453221492000ull, 1104818453331126000ull, 10038, 113},
    {"ossie/sctp-test.pcap", 74, 1108716598686079000ull, 1108716598771526000ull, 67816, 1},
    {"ossie/sctp-www.pcap", 84, 1137034844756614000ull, 1137034859213833000ull, 47624, 1},
    {"ossie/sctp.pcap", 4, 1088696689784578000ull, 1088696689872631000ull, 340, 1},
    {"pwnss7/indefinite-length.pcap", 1, 1564905986000000000ull, 1564905986000000000ull, 226, 1},
    {"pwnss7/negative-opcode.pcap", 1, 1564905998000000000ull, 1564905998000000000ull, 226, 1},
    {"pwnss7/overflow-acn.pcap", 6, 1564906009000000000ull, 1564906009000005000ull, 1888, 1},
    {"pwnss7/overflow-xudt-trick-remaining.pcap", 41, 1564906027000000000ull, 1564906027000040000ull, 13358, 1},
    {"pwnss7/overflow-xudt.pcap", 11, 1564906038000000000ull, 1564906038000010000ull, 3434, 1},
    {"sigcorr/ansi_tcap_sccp.pcap", 1, 1121930117000000000ull, 1121930117000000000ull, 148, 140},
    {"sigcorr/atk006_subscriber_dos.pcap", 2, 1700008000000000000ull, 1700008005000000000ull, 304, 1},
    {"sigcorr/atk011_sms_interception.pcap", 2, 1700005000000000000ull, 1700005005000000000ull, 304, 1},
    {"sigcorr/atk014_auth_harvesting.pcap", 2, 1700006000000000000ull, 1700006008000000000ull, 296, 1},
    {"sigcorr/atk021_imsi_catcher.pcap", 2, 1700007000000000000ull, 1700007005000000000ull, 304, 1},
    {"sigcorr/camel.pcap", 5, 1111154542000000000ull, 1111154617000000000ull, 914, 1},
    {"sigcorr/cross_protocol_auth_downgrade.pcap", 2, 1700003000000000000ull, 1700003008000000000ull, 368, 1},
    {"sigcorr/full_multi_protocol_attack.pcap", 5, 1700004000000000000ull, 1700004120000000000ull, 849, 1},
    {"sigcorr/gsm_map_ussd.pcap", 1, 40080624000000ull, 40080624000000ull, 218, 1},
    {"sigcorr/isup.cap", 6, 1089032999862196000ull, 1089033016952114000ull, 584, 1},
    {"sigcorr/normal_traffic.pcap", 2, 1700009000000000000ull, 1700009120000000000ull, 300, 1},
    {"sigcorr/ss7_interception_setup.pcap", 2, 1700002000000000000ull, 1700002005000000000ull, 296, 1},
    {"sigcorr/ss7_location_tracking.pcap", 2, 1700001000000000000ull, 1700001003000000000ull, 304, 1},
    {"velyfirewall/ansi_map_ota.pcap", 24, 1101176757649950000ull, 1101176831554973000ull, 3824, 1},
    {"velyfirewall/ansi_map_win.pcap", 9, 1103328552804650000ull, 1103328562110180000ull, 1722, 1},
    {"velyfirewall/bicc.pcap", 1, 1109142191079871000ull, 1109142191079871000ull, 342, 1},
    {"velyfirewall/camel2.pcap", 4, 1132834565000000000ull, 1132834575000000000ull, 836, 1},
    {"velyfirewall/output.pcap", 20007, 1748012290476372000ull, 1748012312219338000ull, 2600578, 1},
    {"xcodec/decode_1.pcap", 1, 1311111998915000000ull, 1311111998915000000ull, 94, 1},
    {"xcodec/decode_2.pcap", 1, 1298371298827430000ull, 1298371298827430000ull, 124, 113},
    {"xcodec/decode_3.pcap", 1, 1311111998915000000ull, 1311111998915000000ull, 122, 1},
    {"xcodec/decode_4.pcap", 1, 1311111998915000000ull, 1311111998915000000ull, 98, 1},
    {"xcodec/decode_5.pcap", 1, 1298371297828281000ull, 1298371297828281000ull, 128, 113},
    {"xcodec/mtp3_1.pcap", 1, 1169034140041696000ull, 1169034140041696000ull, 102, 1},
};

TEST(CaptureReaderSharedCaptures, MatchCapinfosAndTshark) {
  namespace fs = std::filesystem;
#ifndef SIGWALL_SHARED_CAPTURES
  FAIL() << "SIGWALL_SHARED_CAPTURES is not defined: CMake defines it; by hand pass "
            "-DSIGWALL_SHARED_CAPTURES=\\\"/work/shared/captures\\\"";
#else
  const fs::path root = SIGWALL_SHARED_CAPTURES;
  if (!fs::is_directory(root)) {
    std::printf("skipped: %s absent (the shared captures exist in CI, not in a user's clone)\n", root.c_str());
    GTEST_SKIP() << root << " absent";
  }
  std::map<std::string, const SharedCapture*> expected;
  for (const SharedCapture& capture : kSharedCaptures) expected[capture.path] = &capture;

  // Every capture in the folder, so that one added without an entry here is noticed.
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string extension = entry.path().extension().string();
    if (!entry.is_regular_file() || (extension != ".pcap" && extension != ".pcapng" && extension != ".cap")) continue;
    found.push_back(fs::relative(entry.path(), root).generic_string());
  }
  EXPECT_EQ(found.size(), std::size(kSharedCaptures));

  for (const std::string& name : found) {
    SCOPED_TRACE(name);
    const auto it = expected.find(name);
    if (it == expected.end()) {
      ADD_FAILURE() << "no expected counts for " << name << ": measure it with capinfos and add it";
      continue;
    }
    const SharedCapture& want = *it->second;
    std::ifstream in(root / name, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(bytes.empty());

    CaptureReader reader;
    CaptureError error;
    ASSERT_TRUE(reader.open(ByteView{bytes.data(), static_cast<uint32_t>(bytes.size())}, error)) << error.message;
    CaptureFrame frame;
    uint64_t first_ns = 0, last_ns = 0, captured = 0;
    while (reader.next(frame, error)) {
      if (frame.number == 1) first_ns = frame.timestamp_ns;
      last_ns = frame.timestamp_ns;
      captured += frame.bytes.size;
      EXPECT_EQ(frame.link_type, want.link_type);
      EXPECT_LE(frame.bytes.size, frame.original_length);
    }
    EXPECT_FALSE(error.failed) << error.message;
    EXPECT_EQ(reader.frames_read(), want.frames);
    EXPECT_EQ(first_ns, want.first_ns);
    EXPECT_EQ(last_ns, want.last_ns);
    EXPECT_EQ(captured, want.captured_bytes);
  }
  for (const SharedCapture& capture : kSharedCaptures)
    EXPECT_TRUE(fs::exists(root / capture.path)) << capture.path << " listed but not found";
#endif  // SIGWALL_SHARED_CAPTURES
}

}  // namespace
}  // namespace sigwall
