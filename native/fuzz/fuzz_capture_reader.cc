// Fuzzes CaptureReader over whole files: open, then next until it stops. Beyond what ASan and
// UBSan catch, it checks the reader's promises: every frame views bytes inside the input,
// frames are numbered 1, 2, ... and the reader stays stopped once it has stopped.
#include <cstdint>
#include <cstdlib>

#include "io/capture_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sigwall;
  if (size > UINT32_MAX) return 0;
  const ByteView file{data, static_cast<uint32_t>(size)};
  CaptureReader reader;
  CaptureError error;
  if (!reader.open(file, error)) {
    if (!error.failed || error.offset > size) std::abort();
    return 0;
  }
  CaptureFrame frame;
  uint64_t expected_number = 0;
  while (reader.next(frame, error)) {
    if (frame.number != ++expected_number) std::abort();
    if (frame.file_offset >= size) std::abort();
    if (frame.bytes.size != 0 &&
        (frame.bytes.data < data || frame.bytes.data + frame.bytes.size > data + size))
      std::abort();
    // Touch every byte so that ASan sees any view past the buffer.
    volatile uint8_t sink = 0;
    for (uint32_t i = 0; i < frame.bytes.size; ++i) sink = sink ^ frame.bytes.data[i];
    (void)sink;
  }
  if (error.failed && error.offset > size) std::abort();
  if (reader.frames_read() != expected_number) std::abort();
  const bool failed = error.failed;
  if (reader.next(frame, error) || error.failed != failed) std::abort();
  return 0;
}
