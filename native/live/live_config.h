// The live engine's configuration as a plain C++ struct: src/dataplane/live-native.ts's
// LiveEngineConfig, converted once at the addon boundary (native/addon/live_engine.cc). No Napi
// type reaches past the addon folder; backends and workers read only this.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../decode/cursor.h"
#include "../engine/decode_pipeline.h"
#include "../table/classifier.h"

namespace sigwall::live {

enum class BackendKind : uint8_t { kPcap = 0, kAfPacket = 1, kAfXdp = 2 };
enum class EngineMode : uint8_t { kOffline = 0, kMonitor = 1, kInline = 2 };
enum class PortRole : uint8_t { kExternal = 0, kInternal = 1, kMonitor = 2 };
enum class ReplayPace : uint8_t { kFast = 0, kCapture = 1, kRate = 2 };
// What happens to SCTP while no engine is attached (afxdp: the XDP program's fallback).
enum class FailMode : uint8_t { kOpen = 0, kClosed = 1 };

// The most ports an engine drives (inline: 2; monitor: several SPAN/TAP ports).
inline constexpr unsigned kMaxPorts = 16;
inline constexpr unsigned kMaxWorkers = 64;
inline constexpr unsigned kMaxBatch = 1024;

struct PortConfig {
  std::string interface;
  PortRole role = PortRole::kMonitor;
  std::vector<uint32_t> queues;  // empty: every RX queue of the interface
};

struct ReplayConfig {
  ByteView capture;  // the whole capture in memory; owned by the caller for the engine's lifetime
  ReplayPace pace = ReplayPace::kFast;
  double rate = 0;   // packets per second (kRate)
  bool loop = false;
  table::IngressSide side = table::IngressSide::kExternal;
};

struct LiveConfig {
  BackendKind backend = BackendKind::kPcap;
  EngineMode mode = EngineMode::kOffline;
  std::vector<PortConfig> ports;
  ReplayConfig replay;
  table::IngressSide monitor_side = table::IngressSide::kExternal;
  uint32_t workers = 0;          // 0: one per RX queue (afpacket/afxdp), 1 (pcap)
  std::vector<uint32_t> cpus;    // worker i pinned to cpus[i % size]; empty: not pinned
  uint32_t ring_frames = 4096;   // frames per RX/TX ring or UMEM
  uint32_t batch = 64;           // packets per receive burst
  uint32_t event_slots = 4096;   // event records per worker ring (rounded up to a power of two)
  // afxdp: a worker whose RX rings ran dry polls them this long before it sleeps in poll(), so
  // that frames due within microseconds are taken awake. A sleeping worker is woken by the CPU
  // that received the frame (scheduler wakeup plus, across CPUs, an IPI, paid on that CPU); on
  // veth at ~1.2 Mpps forward-only that was ~17k sleeps a second and cost the receiving side
  // ~12 % of its rate (bench/inline.mjs). The price: up to this much CPU per burst when traffic
  // is sparse (at 20k packets/s and 20 us, about 40 % of a core). 0: sleep at once.
  uint64_t idle_spin_ns = 20'000;
  FailMode fail_mode = FailMode::kOpen;
  bool inspect = true;           // false: forward without decoding (the benchmark's baseline)
  DecodeOptions decode;
  uint32_t rule_capacity = 0;    // rule slots per worker in the counters (>= every table's rules)
};

}  // namespace sigwall::live
