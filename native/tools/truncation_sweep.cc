// sigwall_truncation_sweep <dir>...: feeds every frame of every capture under the given
// directories through the decode pipeline cut at every length from 0 to its full length.
// Built with ASan/UBSan in CI, it turns any decoder that reads past its input into a crash: each
// truncated copy is placed so that its last byte is the last byte of a heap block, so one byte
// too far is outside the allocation (a view into the whole-file buffer would read the next
// record and hide the bug).
//
// Passes per capture:
//   1. every frame, every length 0..N, each through a fresh pipeline (no reassembly state
//      from another length can mask or cause a fault; see FreshPipeline for how "fresh" is
//      kept affordable);
//   2. the whole frames in order through one pipeline, so SCTP/SCCP reassembly completes;
//   3. every length of every frame in order through one pipeline, so held fragments meet
//      truncated ones.
// Exit status: 0 all read and swept; 1 no capture found in any directory; 2 a capture could not
// be read to its end (its frames before the error are still swept); 64 usage.
//
// --fresh-every-length (before the directories) constructs a new pipeline for every length of
// pass 1 instead of reusing a clean one: slow, for checking that both give the same totals.
#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "engine/decode_pipeline.h"
#include "io/capture_reader.h"

namespace {

namespace fs = std::filesystem;
using sigwall::ByteView;

class CountingSink : public sigwall::MessageSink {
 public:
  void on_message(const sigwall::Ss7Message& message) override {
    ++messages;
    for (uint64_t word : message.anomalies.bits) anomaly_bits += static_cast<uint64_t>(__builtin_popcountll(word));
  }
  uint64_t messages = 0;
  uint64_t anomaly_bits = 0;  // summed over the messages: a fingerprint to compare runs by
};

// Hands out a pipeline with no reassembly state, as a newly built one. Building one allocates
// the reassemblers' slot buffers (256 x 64 KiB for SCTP), milliseconds: times the 2.8 million
// truncations of the shared captures that is hours, under ASan more. A pipeline whose last
// decode left both reassemblers' statistics unchanged is still empty (a reassembler holds a
// message only after counting it in fragments_held / segments_held, and an empty one has
// nothing to complete, reject or expire), so it is reused; any change and it is rebuilt. The
// rest of the pipeline's state is counters, the reused message record (reset per message) and
// the expiry clock, none of which changes how a frame decodes.
class FreshPipeline {
 public:
  FreshPipeline(const sigwall::DecodeOptions& options, bool rebuild_every_time)
      : options_(options), rebuild_every_time_(rebuild_every_time) {}

  void decode(const sigwall::FrameInfo& info, ByteView bytes, sigwall::MessageSink& sink) {
    if (pipeline_ == nullptr || rebuild_every_time_ || touched_reassembly()) {
      pipeline_ = std::make_unique<sigwall::DecodePipeline>(options_);
      ++built_;
    }
    sctp_before_ = pipeline_->sctp_reassembly();
    sccp_before_ = pipeline_->sccp_reassembly();
    pipeline_->decode_frame(info, bytes, sink);
  }
  uint64_t built() const { return built_; }

 private:
  bool touched_reassembly() const {
    return std::memcmp(&sctp_before_, &pipeline_->sctp_reassembly(), sizeof sctp_before_) != 0 ||
           std::memcmp(&sccp_before_, &pipeline_->sccp_reassembly(), sizeof sccp_before_) != 0;
  }

  sigwall::DecodeOptions options_;
  bool rebuild_every_time_;
  std::unique_ptr<sigwall::DecodePipeline> pipeline_;
  sigwall::SctpReassemblyStats sctp_before_;
  sigwall::SccpReassemblyStats sccp_before_;
  uint64_t built_ = 0;
};

struct Totals {
  uint64_t files = 0;
  uint64_t unreadable = 0;
  uint64_t frames = 0;
  uint64_t truncations = 0;          // pass 1 decodes (one per length, full length included)
  uint64_t truncated_messages = 0;   // messages out of pass 1
  uint64_t pipelines_built = 0;      // pass 1
  uint64_t whole_messages = 0;       // messages out of pass 2
};

bool g_fresh_every_length = false;

bool is_capture(const fs::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".pcap" || extension == ".pcapng" || extension == ".cap";
}

bool read_file(const fs::path& path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

sigwall::FrameInfo frame_info(const sigwall::CaptureFrame& frame) {
  sigwall::FrameInfo info;
  info.number = frame.number;
  info.timestamp_ns = frame.timestamp_ns;
  info.link_type = frame.link_type;
  return info;
}

// Sweeps one capture; false if it could not be read to its end.
bool sweep_capture(const fs::path& path, Totals& totals) {
  std::vector<uint8_t> file;
  if (!read_file(path, file)) {
    std::printf("%s: cannot read the file\n", path.c_str());
    return false;
  }
  if (file.size() > UINT32_MAX) {
    std::printf("%s: %zu bytes, larger than a ByteView spans\n", path.c_str(), file.size());
    return false;
  }
  const sigwall::DecodeOptions options;  // defaults: CRC verified, ITU MTP3, CAP on SSN 146
  sigwall::CaptureReader reader;
  sigwall::CaptureError error;
  const ByteView view{file.data(), static_cast<uint32_t>(file.size())};
  if (!reader.open(view, error)) {
    std::printf("%s: %s\n", path.c_str(), error.message);  // the message names the offset
    return false;
  }

  CountingSink truncated_sink, whole_sink, all_lengths_sink;
  FreshPipeline fresh(options, g_fresh_every_length);                     // pass 1
  auto whole = std::make_unique<sigwall::DecodePipeline>(options);        // pass 2
  auto all_lengths = std::make_unique<sigwall::DecodePipeline>(options);  // pass 3
  uint64_t frames = 0, truncations = 0;
  sigwall::CaptureFrame frame;
  while (reader.next(frame, error)) {
    ++frames;
    const sigwall::FrameInfo info = frame_info(frame);
    const uint32_t full = frame.bytes.size;
    // Exactly `full` bytes on the heap; a prefix of length L is copied to the end of it.
    std::unique_ptr<uint8_t[]> block(new uint8_t[full]);  // new[0] too: any read of it faults
    uint8_t* const end = block.get() + full;
    for (uint32_t length = 0; length <= full; ++length) {
      uint8_t* const start = end - length;
      if (length != 0) std::memcpy(start, frame.bytes.data, length);
      const ByteView truncated{start, length};
      fresh.decode(info, truncated, truncated_sink);
      all_lengths->decode_frame(info, truncated, all_lengths_sink);
      ++truncations;
    }
    whole->decode_frame(info, ByteView{block.get(), full}, whole_sink);  // the block now holds the whole frame
  }
  totals.frames += frames;
  totals.truncations += truncations;
  totals.truncated_messages += truncated_sink.messages;
  totals.pipelines_built += fresh.built();
  totals.whole_messages += whole_sink.messages;
  std::printf("%s: %" PRIu64 " frames, %" PRIu64 " truncations (%" PRIu64 " messages, %" PRIu64
              " anomaly bits, %" PRIu64 " pipelines built), %" PRIu64 " messages from whole frames\n",
              path.c_str(), frames, truncations, truncated_sink.messages, truncated_sink.anomaly_bits, fresh.built(),
              whole_sink.messages);
  if (error.failed) {
    std::printf("%s: %s\n", path.c_str(), error.message);  // the message names the offset
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int first_dir = 1;
  if (argc > 1 && std::strcmp(argv[1], "--fresh-every-length") == 0) {
    g_fresh_every_length = true;
    first_dir = 2;
  }
  if (first_dir >= argc) {
    std::fprintf(stderr, "usage: %s [--fresh-every-length] <captures dir> [<demo dir> ...]\n", argv[0]);
    return 64;
  }
  Totals totals;
  for (int i = first_dir; i < argc; ++i) {
    const fs::path dir = argv[i];
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      std::printf("skipped: %s absent\n", dir.c_str());
      continue;
    }
    // Sorted, so that two runs print the same lines in the same order.
    std::vector<fs::path> captures;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file(ec) && is_capture(it->path())) captures.push_back(it->path());
    }
    if (ec) std::printf("%s: %s (listing stopped there)\n", dir.c_str(), ec.message().c_str());
    std::sort(captures.begin(), captures.end());
    for (const fs::path& path : captures) {
      ++totals.files;
      if (!sweep_capture(path, totals)) ++totals.unreadable;
    }
  }
  std::printf("truncation sweep: %" PRIu64 " captures (%" PRIu64 " unreadable), %" PRIu64 " frames, %" PRIu64
              " truncations (%" PRIu64 " messages, %" PRIu64 " pipelines built), %" PRIu64
              " messages from whole frames\n",
              totals.files, totals.unreadable, totals.frames, totals.truncations, totals.truncated_messages,
              totals.pipelines_built, totals.whole_messages);
  if (totals.files == 0) {
    std::printf("no capture found in any directory\n");
    return 1;
  }
  return totals.unreadable == 0 ? 0 : 2;
}
