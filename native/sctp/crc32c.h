// CRC32c (Castagnoli, RFC 9260 Appendix B): the SSE4.2 crc32 instruction when the CPU has it,
// a slicing table otherwise. Chosen once at start-up.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sigwall {

uint32_t crc32c(const uint8_t* data, size_t size);
// Table implementation, always available: the reference the hardware path is tested against.
uint32_t crc32c_portable(const uint8_t* data, size_t size);
bool crc32c_uses_hardware();

// RFC 9260 §6.8: CRC over the whole packet with the checksum field taken as zero.
bool sctp_checksum_matches(const uint8_t* packet, size_t size);

}  // namespace sigwall
