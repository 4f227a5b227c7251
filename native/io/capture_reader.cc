#include "capture_reader.h"

#include <cstdarg>
#include <cstdio>

namespace sigwall {

namespace {

// Classic pcap (draft-ietf-opsawg-pcap §3, §4, §5).
constexpr uint32_t kPcapMagicMicroseconds = 0xA1B2C3D4;
constexpr uint32_t kPcapMagicNanoseconds = 0xA1B23C4D;
constexpr uint32_t kPcapHeaderSize = 24;
constexpr uint32_t kPcapRecordHeaderSize = 16;
constexpr uint32_t kPcapLinkTypeMask = 0xFFFF;  // §4: upper bits carry FCS information

// pcapng (draft-ietf-opsawg-pcapng).
constexpr uint32_t kBlockSectionHeader = 0x0A0D0D0A;         // §4.1, a palindrome
constexpr uint32_t kBlockInterfaceDescription = 0x00000001;  // §4.2
constexpr uint32_t kBlockObsoletePacket = 0x00000002;        // Appendix A
constexpr uint32_t kBlockSimplePacket = 0x00000003;          // §4.4
constexpr uint32_t kBlockEnhancedPacket = 0x00000006;        // §4.3
constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr uint32_t kByteOrderMagicSwapped = 0x4D3C2B1A;
// Block type + block total length + ... + block total length (§3.1).
constexpr uint32_t kBlockFraming = 12;
// Fixed part of each block body, before packet data or options.
constexpr uint32_t kSectionHeaderFixed = 16;      // byte-order magic, version, section length
constexpr uint32_t kInterfaceFixed = 8;           // link type, reserved, snaplen
constexpr uint32_t kEnhancedPacketFixed = 20;     // interface, ts high/low, captured, original
constexpr uint32_t kObsoletePacketFixed = 20;     // interface(16), drops(16), ts, captured, original
constexpr uint32_t kSimplePacketFixed = 4;        // original length
// IDB options (§4.2).
constexpr uint16_t kOptEndOfOpt = 0;
constexpr uint16_t kOptIfTsresol = 9;
constexpr uint16_t kOptIfTsoffset = 14;

constexpr uint64_t kPowersOf10[] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
    1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
    100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
    1000000000000000000ull, 10000000000000000000ull};

uint32_t padded4(uint32_t length) { return (length + 3u) & ~3u; }

const char* block_name(uint32_t type) {
  switch (type) {
    case kBlockSectionHeader: return "section header";
    case kBlockInterfaceDescription: return "IDB";
    case kBlockObsoletePacket: return "OPB";
    case kBlockSimplePacket: return "SPB";
    case kBlockEnhancedPacket: return "EPB";
    default: return "block";
  }
}

// Timestamp units of a pcapng interface to nanoseconds since the epoch. The 128-bit
// intermediate keeps every if_tsresol exact (a 64-bit count times 10^9 needs 94 bits);
// false when the result, after if_tsoffset, does not fit in 0..2^64-1 ns.
bool units_to_nanoseconds(uint64_t units, uint8_t exponent, bool binary, int64_t offset_seconds,
                          uint64_t& out) {
  using u128 = unsigned __int128;  // GCC/Clang: the appliance targets Linux only
  using i128 = __int128;
  u128 ns;
  if (binary) {
    ns = (u128{units} * 1000000000u) >> exponent;  // exponent <= 127
  } else if (exponent <= 9) {
    ns = u128{units} * kPowersOf10[9 - exponent];
  } else {
    const unsigned divisor_exponent = exponent - 9u;
    ns = divisor_exponent < sizeof kPowersOf10 / sizeof kPowersOf10[0]
             ? u128{units / kPowersOf10[divisor_exponent]}
             : 0;
  }
  const i128 total = static_cast<i128>(ns) + static_cast<i128>(offset_seconds) * 1000000000;
  if (total < 0 || total > static_cast<i128>(UINT64_MAX)) return false;
  out = static_cast<uint64_t>(total);
  return true;
}

// "No error", written per frame: the three fields a CaptureError is read by rather than the
// whole struct, whose message buffer (a C string) is most of its ~200 bytes.
void clear(CaptureError& error) {
  error.failed = false;
  error.offset = 0;
  error.message[0] = '\0';
}

}  // namespace

bool CaptureReader::fail(CaptureError& error, uint64_t offset, const char* format, ...) {
  error_ = CaptureError{};
  error_.failed = true;
  error_.offset = offset;
  va_list args;
  va_start(args, format);
  std::vsnprintf(error_.message, sizeof error_.message, format, args);
  va_end(args);
  error = error_;
  done_ = true;
  return false;
}

// Every field is read through a bounds-checked view: the callers check lengths first, and a
// slip would read 0 rather than past the file.
uint32_t CaptureReader::u16_at(uint32_t offset) const {
  Cursor cursor(file_.sub(offset, 2));
  uint16_t value = 0;
  if (big_endian_) cursor.read_be16(value); else cursor.read_le16(value);
  return value;
}

uint32_t CaptureReader::u32_at(uint32_t offset) const {
  Cursor cursor(file_.sub(offset, 4));
  uint32_t value = 0;
  if (big_endian_) cursor.read_be32(value); else cursor.read_le32(value);
  return value;
}

bool CaptureReader::open(ByteView file, CaptureError& error) {
  *this = CaptureReader{};
  file_ = file;
  error = CaptureError{};
  if (file_.size < 4)
    return fail(error, 0, "not a capture: %u bytes, too short for a pcap or pcapng magic number", file_.size);

  // The magic number is written in the writer's byte order: reading it both ways tells the
  // format and the order at once (pcap §4; pcapng's block type is a palindrome, §4.1).
  uint32_t magic_be = 0, magic_le = 0;
  Cursor(file_).read_be32(magic_be);
  Cursor(file_).read_le32(magic_le);
  if (magic_be == kBlockSectionHeader) {
    format_ = CaptureFormat::kPcapNg;
    return read_section_header(0, error);
  }
  if (magic_be == kPcapMagicMicroseconds || magic_be == kPcapMagicNanoseconds) {
    big_endian_ = true;
    nanoseconds_ = magic_be == kPcapMagicNanoseconds;
  } else if (magic_le == kPcapMagicMicroseconds || magic_le == kPcapMagicNanoseconds) {
    big_endian_ = false;
    nanoseconds_ = magic_le == kPcapMagicNanoseconds;
  } else {
    return fail(error, 0, "not a pcap or pcapng capture: magic number %02x %02x %02x %02x", magic_be >> 24,
                (magic_be >> 16) & 0xFF, (magic_be >> 8) & 0xFF, magic_be & 0xFF);
  }
  format_ = CaptureFormat::kPcap;
  return open_pcap(error);
}

bool CaptureReader::next(CaptureFrame& frame, CaptureError& error) {
  if (done_) {
    error = error_;
    return false;
  }
  switch (format_) {
    case CaptureFormat::kPcap: return next_pcap(frame, error);
    case CaptureFormat::kPcapNg: return next_pcapng(frame, error);
    case CaptureFormat::kUnknown: break;
  }
  return fail(error, 0, "no capture open");
}

// ---- classic pcap ----------------------------------------------------------------------------

bool CaptureReader::open_pcap(CaptureError& error) {
  if (file_.size < kPcapHeaderSize)
    return fail(error, 0, "pcap file header truncated: %u of %u bytes", file_.size, kPcapHeaderSize);
  const uint32_t major = u16_at(4), minor = u16_at(6);
  // §3: the current version is 2.4. Files written before 2.3 put orig_len before incl_len
  // (libpcap's history), and some writers labelled 2.3 kept the old order.
  if (major != 2) return fail(error, 0, "pcap file header: unsupported version %u.%u", major, minor);
  lengths_swapped_ = minor < 3;
  lengths_maybe_swapped_ = minor == 3;
  // Reserved1/Reserved2 (once thiszone/sigfigs) are ignored, as every reader does (§4).
  snaplen_ = u32_at(16);
  link_type_ = u32_at(20) & kPcapLinkTypeMask;
  position_ = kPcapHeaderSize;
  return true;
}

bool CaptureReader::next_pcap(CaptureFrame& frame, CaptureError& error) {
  const uint32_t offset = position_;
  const uint32_t left = file_.size - offset;
  if (left == 0) {
    done_ = true;
    clear(error);
    return false;
  }
  if (left < kPcapRecordHeaderSize)
    return fail(error, offset, "pcap record at offset %u: header truncated (%u of %u bytes)", offset, left,
                kPcapRecordHeaderSize);
  // §5: seconds, micro/nanoseconds, captured length (incl_len), original length (orig_len).
  // One cursor over the record header rather than a view per field: this runs per frame.
  Cursor header(file_.sub(offset, kPcapRecordHeaderSize));
  uint32_t seconds = 0, fraction = 0, captured = 0, original = 0;
  if (big_endian_) {
    header.read_be32(seconds);
    header.read_be32(fraction);
    header.read_be32(captured);
    header.read_be32(original);
  } else {
    header.read_le32(seconds);
    header.read_le32(fraction);
    header.read_le32(captured);
    header.read_le32(original);
  }
  if (lengths_swapped_ || (lengths_maybe_swapped_ && captured > original)) {
    const uint32_t t = captured;
    captured = original;
    original = t;
  }
  // A snaplen of 0 records no limit (some writers leave it unset).
  if (snaplen_ != 0 && captured > snaplen_)
    return fail(error, offset, "pcap record at offset %u: captured length %u exceeds snaplen %u", offset, captured,
                snaplen_);
  const uint32_t data_left = left - kPcapRecordHeaderSize;
  if (captured > data_left)
    return fail(error, offset, "pcap record at offset %u: captured length %u runs past the end of the file (%u bytes left)",
                offset, captured, data_left);

  frame.number = ++frames_read_;
  frame.timestamp_ns = uint64_t{seconds} * 1000000000u + uint64_t{fraction} * (nanoseconds_ ? 1u : 1000u);
  frame.link_type = link_type_;
  frame.original_length = original;
  frame.file_offset = offset;
  frame.bytes = file_.sub(offset + kPcapRecordHeaderSize, captured);
  position_ = offset + kPcapRecordHeaderSize + captured;
  clear(error);
  return true;
}

// ---- pcapng ----------------------------------------------------------------------------------

// §4.1: the byte-order magic decides how this section's numbers, its own block total length
// included, are read. A new section forgets the previous one's interfaces.
bool CaptureReader::read_section_header(uint32_t offset, CaptureError& error) {
  const uint32_t left = file_.size - offset;
  const uint32_t minimum = kBlockFraming + kSectionHeaderFixed;
  if (left < kBlockFraming)
    return fail(error, offset, "pcapng section header at offset %u: truncated (%u bytes left, at least %u needed)",
                offset, left, minimum);
  big_endian_ = true;
  const uint32_t order = u32_at(offset + 8);
  if (order == kByteOrderMagicSwapped) {
    big_endian_ = false;
  } else if (order != kByteOrderMagic) {
    return fail(error, offset, "pcapng section header at offset %u: byte-order magic %08x is not 1a2b3c4d", offset,
                order);
  }
  const uint32_t total = u32_at(offset + 4);
  if (total < minimum || total % 4 != 0)
    return fail(error, offset, "pcapng section header at offset %u: block total length %u is %s", offset, total,
                total < minimum ? "below the minimum of 28" : "not a multiple of 4");
  if (total > left)
    return fail(error, offset,
                "pcapng section header at offset %u: block total length %u runs past the end of the file (%u bytes left)",
                offset, total, left);
  const uint32_t trailing = u32_at(offset + total - 4);
  if (trailing != total)
    return fail(error, offset, "pcapng section header at offset %u: trailing block total length %u differs from %u",
                offset, trailing, total);
  const uint32_t major = u16_at(offset + 12), minor = u16_at(offset + 14);
  // §4.1: readers reject a major version they do not know; 1.0 is current (1.2 was written by
  // some old tools and reads the same).
  if (major != 1)
    return fail(error, offset, "pcapng section header at offset %u: unsupported version %u.%u", offset, major,
                minor);
  // The section length (may be -1) is not needed: blocks are walked one by one.
  interface_count_ = 0;
  position_ = offset + total;
  return true;
}

bool CaptureReader::read_interface(uint32_t offset, ByteView body, CaptureError& error) {
  if (body.size < kInterfaceFixed)
    return fail(error, offset, "pcapng IDB at offset %u: block total length %u is below the minimum of %u", offset,
                body.size + kBlockFraming, kInterfaceFixed + kBlockFraming);
  if (interface_count_ == kMaxInterfaces)
    return fail(error, offset, "pcapng IDB at offset %u: more than %u interfaces in one section", offset,
                kMaxInterfaces);
  const uint32_t body_offset = offset + 8;
  Interface interface;
  interface.link_type = u16_at(body_offset);
  interface.snaplen = u32_at(body_offset + 4);

  // §3.5 options: code, length, value padded to 32 bits; opt_endofopt or the block's end stops.
  uint32_t at = kInterfaceFixed;
  while (body.size - at >= 4) {
    const uint32_t code = u16_at(body_offset + at);
    const uint32_t length = u16_at(body_offset + at + 2);
    if (code == kOptEndOfOpt) break;
    const uint32_t value = at + 4;
    if (padded4(length) > body.size - value)
      return fail(error, offset, "pcapng IDB at offset %u: option %u of length %u runs past the block", offset, code,
                  length);
    if (code == kOptIfTsresol) {
      if (length != 1)
        return fail(error, offset, "pcapng IDB at offset %u: if_tsresol has length %u, not 1", offset, length);
      // §4.2: MSB clear: 10^-n seconds; MSB set: 2^-n seconds.
      uint8_t resolution = 0;
      Cursor(body.sub(value, 1)).read_u8(resolution);
      interface.binary = (resolution & 0x80) != 0;
      interface.resolution = resolution & 0x7F;
    } else if (code == kOptIfTsoffset) {
      if (length != 8)
        return fail(error, offset, "pcapng IDB at offset %u: if_tsoffset has length %u, not 8", offset, length);
      const uint64_t first = u32_at(body_offset + value), second = u32_at(body_offset + value + 4);
      // A 64-bit value in the section's byte order.
      const uint64_t raw = big_endian_ ? (first << 32) | second : (second << 32) | first;
      interface.offset_seconds = static_cast<int64_t>(raw);
    }
    at = value + padded4(length);
  }
  interfaces_[interface_count_++] = interface;
  return true;
}

bool CaptureReader::interface_timestamp(uint32_t block_offset, const char* name, uint32_t interface_id,
                                        uint32_t high, uint32_t low, uint64_t& timestamp_ns, CaptureError& error) {
  if (interface_id >= interface_count_)
    return fail(error, block_offset, "pcapng %s at offset %u: interface %u is not described (%u in this section)",
                name, block_offset, interface_id, interface_count_);
  const Interface& interface = interfaces_[interface_id];
  const uint64_t units = (uint64_t{high} << 32) | low;
  if (!units_to_nanoseconds(units, interface.resolution, interface.binary, interface.offset_seconds, timestamp_ns))
    return fail(error, block_offset,
                "pcapng %s at offset %u: timestamp does not fit in 64-bit nanoseconds since the epoch", name,
                block_offset);
  return true;
}

bool CaptureReader::next_pcapng(CaptureFrame& frame, CaptureError& error) {
  for (;;) {
    const uint32_t offset = position_;
    const uint32_t left = file_.size - offset;
    if (left == 0) {
      done_ = true;
      clear(error);
      return false;
    }
    if (left < kBlockFraming)
      return fail(error, offset, "pcapng block at offset %u: truncated (%u bytes left, at least %u needed)", offset,
                  left, kBlockFraming);
    const uint32_t type = u32_at(offset);
    if (type == kBlockSectionHeader) {
      if (!read_section_header(offset, error)) return false;
      continue;
    }
    const char* name = block_name(type);
    // §3.1: the total length counts the whole block, is a multiple of 4 and is repeated at the
    // end so that a file can be walked backwards; a mismatch means the framing is lost.
    const uint32_t total = u32_at(offset + 4);
    if (total < kBlockFraming || total % 4 != 0)
      return fail(error, offset, "pcapng %s at offset %u: block total length %u is %s", name, offset, total,
                  total < kBlockFraming ? "below the minimum of 12" : "not a multiple of 4");
    if (total > left)
      return fail(error, offset, "pcapng %s at offset %u: block total length %u runs past the end of the file (%u bytes left)",
                  name, offset, total, left);
    const uint32_t trailing = u32_at(offset + total - 4);
    if (trailing != total)
      return fail(error, offset, "pcapng %s at offset %u: trailing block total length %u differs from %u", name, offset,
                  trailing, total);
    const ByteView body = file_.sub(offset + 8, total - kBlockFraming);
    const uint32_t body_offset = offset + 8;
    position_ = offset + total;

    uint32_t interface_id = 0, captured = 0, original = 0, data_at = 0;
    uint64_t timestamp_ns = 0;
    switch (type) {
      case kBlockInterfaceDescription:
        if (!read_interface(offset, body, error)) return false;
        continue;
      case kBlockEnhancedPacket:
      case kBlockObsoletePacket: {
        const uint32_t fixed = type == kBlockEnhancedPacket ? kEnhancedPacketFixed : kObsoletePacketFixed;
        if (body.size < fixed)
          return fail(error, offset, "pcapng %s at offset %u: block total length %u is below the minimum of %u", name,
                      offset, total, fixed + kBlockFraming);
        // §4.3 EPB: 32-bit interface id; Appendix A OPB: 16-bit interface id, 16-bit drops count.
        interface_id = type == kBlockEnhancedPacket ? u32_at(body_offset) : u16_at(body_offset);
        captured = u32_at(body_offset + 12);
        original = u32_at(body_offset + 16);
        data_at = fixed;
        // The data is padded to 32 bits (§4.3); the second test catches padded4() wrapping.
        if (padded4(captured) > body.size - fixed || captured > body.size - fixed)
          return fail(error, offset, "pcapng %s at offset %u: captured length %u runs past the block (%u bytes of data)",
                      name, offset, captured, body.size - fixed);
        if (!interface_timestamp(offset, name, interface_id, u32_at(body_offset + 4), u32_at(body_offset + 8),
                                 timestamp_ns, error))
          return false;
        break;
      }
      case kBlockSimplePacket: {
        if (body.size < kSimplePacketFixed)
          return fail(error, offset, "pcapng SPB at offset %u: block total length %u is below the minimum of %u", offset,
                      total, kSimplePacketFixed + kBlockFraming);
        // §4.4: an SPB belongs to the section's first interface and carries no timestamp; the
        // captured length is the original length cut to that interface's snaplen.
        if (interface_count_ == 0)
          return fail(error, offset, "pcapng SPB at offset %u: interface 0 is not described (0 in this section)", offset);
        original = u32_at(body_offset);
        const uint32_t snaplen = interfaces_[0].snaplen;
        captured = snaplen != 0 && original > snaplen ? snaplen : original;
        data_at = kSimplePacketFixed;
        if (captured > body.size - kSimplePacketFixed)
          return fail(error, offset, "pcapng SPB at offset %u: captured length %u runs past the block (%u bytes of data)",
                      offset, captured, body.size - kSimplePacketFixed);
        break;
      }
      default:
        // §3.1: a reader skips blocks it does not need (NRB, ISB, DSB, custom, local use).
        continue;
    }
    frame.number = ++frames_read_;
    frame.timestamp_ns = timestamp_ns;
    frame.link_type = interfaces_[interface_id].link_type;
    frame.original_length = original;
    frame.file_offset = offset;
    frame.bytes = body.sub(data_at, captured);
    clear(error);
    return true;
  }
}

}  // namespace sigwall
