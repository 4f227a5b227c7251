// A bounded reader over untrusted bytes. Every read checks the remaining length first and
// fails (returns false, consumes nothing) instead of reading past the end. Decoders use it
// for all access to packet bytes; nothing in native/decode indexes a raw pointer directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sigwall {

// A non-owning view of bytes: a packet, a layer's payload or a reassembled message.
// Valid only while the buffer it points into is (a frame, or a reassembly slot).
struct ByteView {
  const uint8_t* data = nullptr;
  uint32_t size = 0;

  bool empty() const { return size == 0; }
  // Sub-view [offset, offset+length); returns an empty view when it would leave the bounds.
  ByteView sub(uint32_t offset, uint32_t length) const {
    if (offset > size || length > size - offset) return ByteView{};
    return ByteView{data + offset, length};
  }
  ByteView from(uint32_t offset) const {
    if (offset > size) return ByteView{};
    return ByteView{data + offset, size - offset};
  }
  bool contains(uint32_t offset, uint32_t length) const {
    return offset <= size && length <= size - offset;
  }
};

// N octets whose bounds a Cursor checked once (Cursor::read_fixed): a protocol's fixed-size
// header, whose fields are then read at constant offsets without a check per field (the
// per-field checks cost more than the field reads on the per-packet path). An offset outside
// the N octets does not compile, so the bound is still checked, at build time.
template <uint32_t N>
class FixedBytes {
 public:
  FixedBytes() = default;
  template <uint32_t Offset>
  uint8_t u8() const {
    static_assert(Offset < N, "field outside the fixed bytes");
    return p_[Offset];
  }
  template <uint32_t Offset>
  uint16_t be16() const {
    static_assert(Offset + 2 <= N, "field outside the fixed bytes");
    const uint8_t* p = p_ + Offset;
    return static_cast<uint16_t>((p[0] << 8) | p[1]);
  }
  template <uint32_t Offset>
  uint16_t le16() const {
    static_assert(Offset + 2 <= N, "field outside the fixed bytes");
    const uint8_t* p = p_ + Offset;
    return static_cast<uint16_t>(p[0] | (p[1] << 8));
  }
  template <uint32_t Offset>
  uint32_t be32() const {
    static_assert(Offset + 4 <= N, "field outside the fixed bytes");
    const uint8_t* p = p_ + Offset;
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
  }
  template <uint32_t Offset, uint32_t Length>
  ByteView view() const {
    static_assert(Offset + Length <= N, "field outside the fixed bytes");
    return ByteView{p_ + Offset, Length};
  }
  ByteView whole() const { return ByteView{p_, N}; }

 private:
  friend class Cursor;
  explicit FixedBytes(const uint8_t* p) : p_(p) {}
  const uint8_t* p_ = nullptr;
};

// The multi-octet reads index through a pointer to the first octet (not data_[pos_ + k]) so
// that the compiler can merge the octet loads into one load: pos_ + k could wrap, p + k cannot.
class Cursor {
 public:
  Cursor() = default;
  explicit Cursor(ByteView view) : data_(view.data), size_(view.size) {}
  Cursor(const uint8_t* data, uint32_t size) : data_(data), size_(size) {}

  uint32_t offset() const { return pos_; }
  uint32_t remaining() const { return size_ - pos_; }
  bool at_end() const { return pos_ == size_; }
  const uint8_t* here() const { return data_ + pos_; }

  bool read_u8(uint8_t& out) {
    if (remaining() < 1) return false;
    out = data_[pos_++];
    return true;
  }
  bool peek_u8(uint8_t& out) const {
    if (remaining() < 1) return false;
    out = data_[pos_];
    return true;
  }
  bool read_be16(uint16_t& out) {
    if (remaining() < 2) return false;
    const uint8_t* p = here();
    out = static_cast<uint16_t>((p[0] << 8) | p[1]);
    pos_ += 2;
    return true;
  }
  bool read_be24(uint32_t& out) {
    if (remaining() < 3) return false;
    const uint8_t* p = here();
    out = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
    pos_ += 3;
    return true;
  }
  bool read_be32(uint32_t& out) {
    if (remaining() < 4) return false;
    const uint8_t* p = here();
    out = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    pos_ += 4;
    return true;
  }
  bool read_le16(uint16_t& out) {
    if (remaining() < 2) return false;
    const uint8_t* p = here();
    out = static_cast<uint16_t>(p[0] | (p[1] << 8));
    pos_ += 2;
    return true;
  }
  bool read_le32(uint32_t& out) {
    if (remaining() < 4) return false;
    const uint8_t* p = here();
    out = uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
    pos_ += 4;
    return true;
  }
  bool read_view(uint32_t length, ByteView& out) {
    if (remaining() < length) return false;
    out = ByteView{data_ + pos_, length};
    pos_ += length;
    return true;
  }
  // The next N octets as a FixedBytes<N>: one bounds check for a whole fixed-size header.
  template <uint32_t N>
  bool read_fixed(FixedBytes<N>& out) {
    if (remaining() < N) return false;
    out = FixedBytes<N>(here());
    pos_ += N;
    return true;
  }
  bool skip(uint32_t length) {
    if (remaining() < length) return false;
    pos_ += length;
    return true;
  }
  // Everything not yet consumed.
  ByteView rest() const { return ByteView{data_ + pos_, remaining()}; }
  // Everything the cursor was opened on, consumed or not.
  ByteView whole() const { return ByteView{data_, size_}; }

 private:
  const uint8_t* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t pos_ = 0;
};

}  // namespace sigwall
