#include "crc32c.h"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#include <wmmintrin.h>
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

// Three lanes at once (Intel, "Fast CRC Computation for iSCSI Polynomial Using CRC32
// Instruction", 2011). One crc32 depends on the previous one, so a single lane runs at the
// instruction's latency (3 cycles per 8 octets) and spends a loop test per step. Cutting the
// data into three equal lanes, each with its own register, keeps three independent chains in
// flight; the lanes are then joined with the CRC's linearity:
//   crc(s, A B C) = shift(crc(s, A), |B| + |C|) ^ shift(crc(0, B), |C|) ^ crc(0, C)
// where shift(c, n) = c * x^(8n) mod P, done with one carry-less multiply by x^(8n - 33) mod P
// and one crc32 of the 64-bit product (the -33: the crc32 step multiplies by x^32, and the
// product of two bit-reflected operands comes out one bit short).
#if defined(__x86_64__)
constexpr unsigned kMinLaneWords = 4;   // below 3 x 32 octets the join costs more than it saves
constexpr unsigned kMaxLaneWords = 64;  // lanes of at most 512 octets per round

// x^e mod P, bit-reflected like the CRC register (bit 31 holds x^0).
constexpr uint32_t times_x(uint32_t value, unsigned times) {
  for (unsigned i = 0; i < times; ++i) value = (value >> 1) ^ ((value & 1) ? kReflectedPolynomial : 0);
  return value;
}

// kLaneShift[w] shifts a lane's CRC over w 8-octet words: x^(64w - 33) mod P.
using LaneShifts = std::array<uint32_t, 2 * kMaxLaneWords + 1>;
constexpr LaneShifts make_lane_shifts() {
  LaneShifts shifts{};
  shifts[1] = times_x(0x80000000u, 64 - 33);
  for (unsigned w = 2; w < shifts.size(); ++w) shifts[w] = times_x(shifts[w - 1], 64);
  return shifts;
}
constexpr LaneShifts kLaneShift = make_lane_shifts();

__attribute__((target("sse4.2,pclmul"))) uint32_t shift_crc(uint64_t crc, uint32_t x_power) {
  const __m128i product = _mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(crc)),
                                               _mm_cvtsi32_si128(static_cast<int>(x_power)), 0);
  return static_cast<uint32_t>(_mm_crc32_u64(0, static_cast<uint64_t>(_mm_cvtsi128_si64(product))));
}

__attribute__((target("sse4.2,pclmul"))) uint32_t update_three_lanes(uint32_t state, const uint8_t* data,
                                                                     size_t size) {
  while (size >= 3 * 8 * kMinLaneWords) {
    const size_t words = std::min<size_t>(size / 24, kMaxLaneWords);
    const size_t lane = words * 8;
    const uint8_t* second = data + lane;
    const uint8_t* third = second + lane;
    uint64_t a = state, b = 0, c = 0;
    for (size_t i = 0; i < lane; i += 8) {
      uint64_t word_a, word_b, word_c;
      std::memcpy(&word_a, data + i, 8);
      std::memcpy(&word_b, second + i, 8);
      std::memcpy(&word_c, third + i, 8);
      a = _mm_crc32_u64(a, word_a);
      b = _mm_crc32_u64(b, word_b);
      c = _mm_crc32_u64(c, word_c);
    }
    state = shift_crc(a, kLaneShift[2 * words]) ^ shift_crc(b, kLaneShift[words]) ^ static_cast<uint32_t>(c);
    data += 3 * lane;
    size -= 3 * lane;
  }
  return update_sse42(state, data, size);
}
#endif

// RFC 9260 §6.8 CRC of an SCTP packet (size >= 12): the common header with its checksum field
// [8, 12) taken as zero, then the rest. One pass, the header folded in as one 8-octet and one
// zero 4-octet step, instead of three update() calls (one SACK-only packet per DATA one in
// load traffic makes the per-packet overhead count).
template <bool three_lanes>
__attribute__((target("sse4.2,pclmul"))) uint32_t sctp_state_sse42(const uint8_t* packet, size_t size) {
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
#if defined(__x86_64__)
  if (three_lanes) return update_three_lanes(state, packet + 12, size - 12);
#endif
  return update_sse42(state, packet + 12, size - 12);
}

#endif

// What the CPU offers, checked once: the table, the crc32 instruction, or crc32 in three lanes
// joined with the carry-less multiply (PCLMULQDQ).
enum class Crc32cPath : uint8_t { kPortable, kSse42, kSse42ThreeLanes };

Crc32cPath detect_path() {
#if SIGWALL_CRC32C_X86
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("sse4.2")) return Crc32cPath::kPortable;
#if defined(__x86_64__)
  if (__builtin_cpu_supports("pclmul")) return Crc32cPath::kSse42ThreeLanes;
#endif
  return Crc32cPath::kSse42;
#else
  return Crc32cPath::kPortable;
#endif
}

// Chosen once, when the library is loaded: the path is then a plain load per packet rather
// than a call through a function-local static's thread-safe guard. A checksum computed by
// another file's static initializer before this one runs sees the zero value, kPortable: the
// same result, computed portably.
static_assert(static_cast<int>(Crc32cPath::kPortable) == 0, "the zero-initialised path is the portable one");
const Crc32cPath kChosenPath = detect_path();

Crc32cPath path() { return kChosenPath; }

bool use_hardware() { return path() != Crc32cPath::kPortable; }

uint32_t update(uint32_t state, const uint8_t* data, size_t size) {
#if SIGWALL_CRC32C_X86
  switch (path()) {
#if defined(__x86_64__)
    case Crc32cPath::kSse42ThreeLanes: return update_three_lanes(state, data, size);
#else
    case Crc32cPath::kSse42ThreeLanes:
#endif
    case Crc32cPath::kSse42: return update_sse42(state, data, size);
    case Crc32cPath::kPortable: break;
  }
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
  const Crc32cPath chosen = path();
  if (chosen == Crc32cPath::kSse42ThreeLanes) {
    state = sctp_state_sse42<true>(packet, size);
  } else if (chosen == Crc32cPath::kSse42) {
    state = sctp_state_sse42<false>(packet, size);
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
