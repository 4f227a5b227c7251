// What the SIGTRAN adaptation layers share, written once: the 8-octet common message header
// (RFC 4666 §3.1 M3UA, RFC 3331 §3.1 M2UA, RFC 3868 §3.1 SUA, RFC 4165 §2.1 M2PA: version,
// reserved/spare, message class, message type, message length), the check of a class/type pair
// against a layer's table of defined messages, and the tolerance of a last parameter's padding
// left out of the length.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cursor.h"

namespace sigwall {

inline constexpr uint32_t kSigtranHeaderBytes = 8;

// Reads the header into any view with version, message_class, message_type and length
// fields (M3uaView, M2uaView, SuaView, M2paView, SigtranHeader). False when the message is
// shorter than the header.
template <class View>
bool read_sigtran_header(ByteView message, View& out) {
  Cursor cursor(message);
  FixedBytes<kSigtranHeaderBytes> header;
  if (!cursor.read_fixed(header)) return false;
  out.version = header.u8<0>();  // octet 1 is reserved (spare in M2PA)
  out.message_class = header.u8<2>();
  out.message_type = header.u8<3>();
  out.length = header.be32<4>();
  return true;
}

// One row of a layer's defined messages: a class and the range of its types.
struct SigtranClassTypes {
  uint8_t message_class;
  uint8_t first_type;
  uint8_t last_type;
};

template <size_t N>
bool defined_class_and_type(const SigtranClassTypes (&table)[N], uint8_t message_class, uint8_t message_type) {
  for (const SigtranClassTypes& entry : table)
    if (entry.message_class == message_class)
      return message_type >= entry.first_type && message_type <= entry.last_type;
  return false;
}

// True when the bytes after `length` are only the zero padding that rounds the message up to a
// multiple of 4: some senders leave the last parameter's padding out of the length (pwnss7's
// tools do; Wireshark accepts it), and nothing can hide in zero padding.
inline bool is_final_padding(ByteView message, uint32_t length) {
  if (length > message.size || message.size - length >= 4 || message.size % 4 != 0) return false;
  Cursor tail(message.from(length));
  for (uint8_t octet; tail.read_u8(octet);)
    if (octet != 0) return false;
  return true;
}

}  // namespace sigwall
