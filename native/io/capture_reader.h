// Reads frames out of a whole capture file held in memory: classic pcap (draft-ietf-opsawg-pcap)
// and pcapng (draft-ietf-opsawg-pcapng). A capture is untrusted input like any packet: every
// header and block length is checked against the file before it is used, nothing is allocated,
// and frames are views into the caller's buffer. A damaged file is never read "as far as it
// goes": the first problem stops the reader with the offset of the record or block at fault, so
// a truncated capture cannot pass for a shorter clean one.
#pragma once

#include <cstdint>

#include "../decode/cursor.h"

namespace sigwall {

struct CaptureFrame {
  uint64_t number = 0;        // 1-based
  uint64_t timestamp_ns = 0;  // since the epoch (0 for a pcapng Simple Packet Block: it has none)
  uint32_t link_type = 0;     // LINKTYPE_*
  uint32_t original_length = 0;
  uint64_t file_offset = 0;   // of the record/block
  ByteView bytes;             // captured bytes (into the file buffer)
};

struct CaptureError {
  bool failed = false;
  uint64_t offset = 0;   // byte offset in the file of the header, record or block at fault
  char message[192] = {0};
};

enum class CaptureFormat : uint8_t { kUnknown, kPcap, kPcapNg };

class CaptureReader {
 public:
  // A pcapng section may describe at most this many interfaces; more is reported as an error
  // rather than growing the reader's state.
  static constexpr unsigned kMaxInterfaces = 64;

  // Checks the file header; false with `error` filled if this is not a pcap/pcapng capture.
  // May be called again to start over on another file.
  bool open(ByteView file, CaptureError& error);
  // Next frame; false at the end of the file or on an error (then error.failed is set, with
  // the offset and a message like "pcap record at offset 1234: captured length 70000 exceeds
  // snaplen 65535"). After an error every further call returns false with the same error.
  bool next(CaptureFrame& frame, CaptureError& error);
  CaptureFormat format() const { return format_; }
  uint64_t frames_read() const { return frames_read_; }

 private:
  // How a pcapng interface counts time (if_tsresol, if_tsoffset).
  struct Interface {
    uint32_t link_type = 0;
    uint32_t snaplen = 0;       // 0: no limit
    int64_t offset_seconds = 0; // if_tsoffset
    uint8_t resolution = 6;     // if_tsresol exponent: 10^-n, or 2^-n when binary
    bool binary = false;
  };

  bool fail(CaptureError& error, uint64_t offset, const char* format, ...)
      __attribute__((format(printf, 4, 5)));
  uint32_t u16_at(uint32_t offset) const;
  uint32_t u32_at(uint32_t offset) const;

  bool open_pcap(CaptureError& error);
  bool next_pcap(CaptureFrame& frame, CaptureError& error);
  bool read_section_header(uint32_t offset, CaptureError& error);
  bool read_interface(uint32_t offset, ByteView body, CaptureError& error);
  bool next_pcapng(CaptureFrame& frame, CaptureError& error);
  bool interface_timestamp(uint32_t block_offset, const char* block_name, uint32_t interface_id,
                           uint32_t high, uint32_t low, uint64_t& timestamp_ns, CaptureError& error);

  ByteView file_;
  uint32_t position_ = 0;
  CaptureFormat format_ = CaptureFormat::kUnknown;
  bool big_endian_ = false;   // of the file (pcap) or of the current section (pcapng)
  bool done_ = false;
  uint64_t frames_read_ = 0;
  CaptureError error_;        // the error that stopped the reader, repeated on later calls

  // pcap global header.
  bool nanoseconds_ = false;
  bool lengths_swapped_ = false;   // pre-2.3 record headers: orig_len before incl_len
  bool lengths_maybe_swapped_ = false;
  uint32_t snaplen_ = 0;
  uint32_t link_type_ = 0;

  // pcapng: the interfaces of the current section.
  unsigned interface_count_ = 0;
  Interface interfaces_[kMaxInterfaces];
};

}  // namespace sigwall
