#include "crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define SIGWALL_CRC32C_X86 1
#endif

namespace sigwall {

namespace {

// CRC32c (Castagnoli), RFC 9260 Appendix B / RFC 3720 §B.4: polynomial 0x1EDC6F41, processed
// bit-reflected (0x82F63B78), initial value and final XOR all ones.
constexpr uint32_t kReflectedPolynomial = 0x82F63B78u;

// Slicing-by-8: table[k][b] is the CRC contribution of byte b followed by k zero bytes, so eight
// input bytes are folded with eight lookups instead of eight dependent steps.
using SliceTables = std::array<std::array<uint32_t, 256>, 8>;

constexpr SliceTables make_tables() {
  SliceTables tables{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kReflectedPolynomial : 0);
    tables[0][b] = crc;
  }
  for (uint32_t b = 0; b < 256; ++b)
    for (size_t k = 1; k < 8; ++k) tables[k][b] = (tables[k - 1][b] >> 8) ^ tables[0][tables[k - 1][b] & 0xFF];
  return tables;
}

constexpr SliceTables kTables = make_tables();

// `state` is the running register (before the final XOR).
uint32_t update_portable(uint32_t state, const uint8_t* data, size_t size) {
  while (size >= 8) {
    // Little-endian assembly regardless of the host: the reflected CRC consumes the lowest
    // byte first.
    const uint32_t low = state ^ (uint32_t{data[0]} | (uint32_t{data[1]} << 8) | (uint32_t{data[2]} << 16) |
                                  (uint32_t{data[3]} << 24));
    state = kTables[7][low & 0xFF] ^ kTables[6][(low >> 8) & 0xFF] ^ kTables[5][(low >> 16) & 0xFF] ^
            kTables[4][low >> 24] ^ kTables[3][data[4]] ^ kTables[2][data[5]] ^ kTables[1][data[6]] ^
            kTables[0][data[7]];
    data += 8;
    size -= 8;
  }
  while (size-- > 0) state = (state >> 8) ^ kTables[0][(state ^ *data++) & 0xFF];
  return state;
}

#if SIGWALL_CRC32C_X86
// SSE4.2 CRC32 computes exactly this CRC (Castagnoli, reflected). Built for SSE4.2 alone so the
// rest of the library still runs on any x86-64; only called after the CPU check below.
__attribute__((target("sse4.2"))) uint32_t update_sse42(uint32_t state, const uint8_t* data, size_t size) {
#if defined(__x86_64__)
  uint64_t wide = state;
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, data, 8);
    wide = _mm_crc32_u64(wide, word);
    data += 8;
    size -= 8;
  }
  state = static_cast<uint32_t>(wide);
#endif
  while (size >= 4) {
    uint32_t word;
    std::memcpy(&word, data, 4);
    state = _mm_crc32_u32(state, word);
    data += 4;
    size -= 4;
  }
  while (size-- > 0) state = _mm_crc32_u8(state, *data++);
  return state;
}

// RFC 9260 §6.8 CRC of an SCTP packet (size >= 12): the common header with its checksum field
// [8, 12) taken as zero, then the rest. One pass, the header folded in as one 8-octet and one
// zero 4-octet step, instead of three update() calls (one SACK-only packet per DATA one in
// load traffic makes the per-packet overhead count).
__attribute__((target("sse4.2"))) uint32_t sctp_state_sse42(const uint8_t* packet, size_t size) {
  uint32_t state = 0xFFFFFFFFu;
#if defined(__x86_64__)
  uint64_t head;
  std::memcpy(&head, packet, 8);
  state = static_cast<uint32_t>(_mm_crc32_u64(state, head));
#else
  uint32_t head0, head1;
  std::memcpy(&head0, packet, 4);
  std::memcpy(&head1, packet + 4, 4);
  state = _mm_crc32_u32(_mm_crc32_u32(state, head0), head1);
#endif
  state = _mm_crc32_u32(state, 0);
  return update_sse42(state, packet + 12, size - 12);
}

bool detect_sse42() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}
#endif

bool use_hardware() {
#if SIGWALL_CRC32C_X86
  static const bool supported = detect_sse42();
  return supported;
#else
  return false;
#endif
}

uint32_t update(uint32_t state, const uint8_t* data, size_t size) {
#if SIGWALL_CRC32C_X86
  if (use_hardware()) return update_sse42(state, data, size);
#endif
  return update_portable(state, data, size);
}

}  // namespace

uint32_t crc32c(const uint8_t* data, size_t size) { return ~update(0xFFFFFFFFu, data, size); }

uint32_t crc32c_portable(const uint8_t* data, size_t size) { return ~update_portable(0xFFFFFFFFu, data, size); }

bool crc32c_uses_hardware() { return use_hardware(); }

bool sctp_checksum_matches(const uint8_t* packet, size_t size) {
  // RFC 9260 §6.8: the CRC covers the whole packet, common header included, with the
  // checksum field itself taken as zero.
  constexpr size_t kChecksumOffset = 8;
  constexpr size_t kCommonHeaderBytes = 12;
  if (packet == nullptr || size < kCommonHeaderBytes) return false;
  static constexpr uint8_t kZeroChecksum[4] = {0, 0, 0, 0};
  uint32_t state;
#if SIGWALL_CRC32C_X86
  if (use_hardware()) {
    state = sctp_state_sse42(packet, size);
  } else
#endif
  {
    state = update_portable(0xFFFFFFFFu, packet, kChecksumOffset);
    state = update_portable(state, kZeroChecksum, sizeof kZeroChecksum);
    state = update_portable(state, packet + kCommonHeaderBytes, size - kCommonHeaderBytes);
  }
  const uint32_t crc = ~state;
  // RFC 9260 Appendix B: the reflected CRC goes on the wire least significant byte first,
  // i.e. the checksum field holds it little-endian (not in network byte order).
  const uint32_t carried = uint32_t{packet[8]} | (uint32_t{packet[9]} << 8) | (uint32_t{packet[10]} << 16) |
                           (uint32_t{packet[11]} << 24);
  return crc == carried;
}

}  // namespace sigwall
