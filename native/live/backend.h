// The io backend interface of the live engine: what a worker needs from the ports it serves.
// Implementations: pcap (pcap_backend.cc, replay of a capture in memory), afpacket
// (afpacket_backend.cc, TPACKET_V3 rings), afxdp (afxdp_backend.cc, AF_XDP sockets; built only
// when clang + libxdp + libbpf are found, see native/cmake/afxdp.cmake).
//
// Threading contract. open() and close() run on the controlling thread, before the workers
// start and after they are joined. Each WorkerIo is then used by exactly one worker thread and
// by nothing else: no locks are needed inside it, and none may be taken per packet. A backend
// that needs both directions of an SCTP association on one worker (every one does: association
// state lives in the worker's DecodePipeline) must steer them so, by a hash symmetric in
// (addresses, ports); symmetric_flow_hash() below is the software form.
//
// Errors. open() returns false with a BackendError naming the port (interface) and the errno
// text; the engine reports it as SIGWALL_ERR_ENGINE. A backend that was not compiled in is
// reported by its factory returning nullptr (make_afxdp_backend() without SIGWALL_HAVE_AFXDP);
// the engine turns that into SIGWALL_ERR_ENGINE "backend afxdp was not built ...".
//
// Build contract for the AF_XDP backend. native/CMakeLists.txt builds every live/*.cc except
// live/afxdp_*.cc into sigwall_core, then includes native/cmake/afxdp.cmake when it exists. That
// file, when clang + libxdp + libbpf are found, does
//   target_sources(sigwall_core PRIVATE live/afxdp_backend.cc)
//   target_compile_definitions(sigwall_core PUBLIC SIGWALL_HAVE_AFXDP)
//   target_link_libraries(sigwall_core PUBLIC <libxdp> <libbpf>)
// and afxdp_backend.cc defines make_afxdp_backend(). Without SIGWALL_HAVE_AFXDP, backend.cc
// defines it returning nullptr.
#pragma once

#include <cstdint>
#include <memory>

#include "live_config.h"

namespace sigwall::live {

// One received packet, valid from receive() until the next release() of the same WorkerIo.
struct PacketRef {
  const uint8_t* data = nullptr;
  uint32_t length = 0;           // captured bytes at data
  uint32_t original_length = 0;  // on the wire
  uint64_t timestamp_ns = 0;     // since the epoch (capture time for pcap)
  uint64_t frame = 0;            // 1-based number on its port, counted by this worker (pcap: in the capture)
  uint32_t link_type = 1;        // LINKTYPE_* (1 = Ethernet)
  uint16_t port = 0;             // index into LiveConfig::ports (pcap: 0)
  uint16_t flags = 0;            // PacketFlag bits
  uint16_t vlan_tci = 0;         // with kVlanStripped: the tag the NIC/kernel took off
  uint16_t vlan_tpid = 0;        // with kVlanStripped: its TPID (0x8100 when the kernel gives none)
};

enum PacketFlag : uint16_t {
  // The kernel removed the outermost VLAN tag into metadata (TP_STATUS_VLAN_VALID): the bytes
  // at data lack it. The worker re-inserts it before decoding and forwarding.
  kVlanStripped = 1u << 0,
  // A checksum offload was not completed (TP_STATUS_CSUMNOTREADY: locally generated or GRO'ed):
  // the packet's checksums are not to be trusted, and a frame over the MTU may not transmit.
  kChecksumNotReady = 1u << 1,
  // The frame was cut to the ring's frame size (captured < original).
  kTruncated = 1u << 2,
};

// Counters a backend keeps for a worker; the worker copies them into its counter slots.
struct IoStats {
  uint64_t ring_drops = 0;   // packets the kernel/NIC lost before the worker saw them (cumulative)
  uint64_t tx_errors = 0;    // frames the backend could not transmit (ring full, send error)
  uint64_t replay_loops = 0; // pcap: times the capture was started over
};

enum class IoState : uint8_t {
  kRunning = 0,
  kFinished = 1,  // pcap: the capture was played to its end (and does not loop)
  kFailed = 2,    // the port went away or the ring broke: see Backend::error()
};

// Counters the kernel keeps for one port outside the workers: with afxdp, sigwall_xdp's per-CPU
// map summed over the CPUs, indexed by enum sigwall_xdp_counter (native/bpf/sigwall_xdp_abi.h;
// afxdp_backend.h checks the count). They cover what never reaches a worker (frames bridged or
// passed in the kernel, the fail action applied while no socket is bound) and so are not part of
// the workers' packets/bytes.
constexpr uint32_t kKernelCounterKinds = 7;
struct KernelPortCounters {
  uint64_t packets[kKernelCounterKinds] = {};
  uint64_t bytes[kKernelCounterKinds] = {};
};

// What the program a run found on a port, left by an earlier run that ended without a clean stop
// (crash, SIGKILL), had counted when this run replaced it: the earlier run's kernel counts plus
// everything handled while no engine ran, the fail action above all (native/bpf/README.md).
// Fixed once the port is open.
enum class InheritedKernelState : uint8_t {
  kNone = 0,        // nothing stale was replaced: a fresh attach
  kCarried = 1,     // `counters` holds the replaced program's counts
  kUnreadable = 2,  // a stale program was replaced but its counts could not be read: `problem` says why
};
struct InheritedKernelCounters {
  InheritedKernelState state = InheritedKernelState::kNone;
  KernelPortCounters counters;
  char problem[224] = {0};
};

struct BackendError {
  int error_number = 0;   // errno, or 0
  int port = -1;          // index into LiveConfig::ports, or -1
  char message[256] = {0};
};

// A worker's view of the ports: its RX queue(s) on every port, and a TX path on every port.
class WorkerIo {
 public:
  virtual ~WorkerIo() = default;
  // Waits up to timeout_ms (0: no wait) for packets and fills up to `max` refs (max <= the
  // configured batch). Returns how many; 0 on timeout. The refs stay valid until release().
  virtual uint32_t receive(PacketRef* refs, uint32_t max, int timeout_ms) = 0;
  // Gives the frames of the last receive() back to the backend.
  virtual void release() = 0;
  // Queues a copy of `frame` for transmission on `port`. False when it cannot (ring full, frame
  // too large for the ring, send error): counted in IoStats::tx_errors, never blocks.
  virtual bool transmit(uint16_t port, const uint8_t* frame, uint32_t length) = 0;
  // Pushes queued frames out (one syscall per port at most); called once per burst.
  virtual void flush() = 0;
  virtual void stats(IoStats& out) = 0;
  virtual IoState state() const = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  // Opens every port and queue for exactly `workers` workers (resolved by the engine:
  // LiveConfig::workers, or the most RX queues of any port; pcap: 1). On failure everything
  // already opened is closed again and `error` names the port and the errno text.
  virtual bool open(const LiveConfig& config, uint32_t workers, BackendError& error) = 0;
  virtual uint32_t worker_count() const = 0;
  virtual WorkerIo& worker(uint32_t index) = 0;
  // Unmaps rings, closes sockets, detaches programs. Idempotent; only after the workers joined.
  virtual void close() = 0;
  // The first failure a WorkerIo reported with IoState::kFailed.
  virtual const BackendError& error() const = 0;
  // The port's kernel counters, read now (controlling thread, between open() and close(); a few
  // syscalls, never per packet). False when the backend keeps none (pcap, afpacket) or the port
  // is not open.
  virtual bool kernel_counters(uint16_t port, KernelPortCounters& out) const {
    (void)port;
    out = KernelPortCounters{};
    return false;
  }
  // What the port's replaced stale program had counted (InheritedKernelCounters; afxdp only).
  // False when the backend keeps no kernel counters or the port is not open.
  virtual bool inherited_kernel_counters(uint16_t port, InheritedKernelCounters& out) const {
    (void)port;
    out = InheritedKernelCounters{};
    return false;
  }
};

std::unique_ptr<Backend> make_pcap_backend();
std::unique_ptr<Backend> make_afpacket_backend();
// nullptr when the build had no AF_XDP support (SIGWALL_HAVE_AFXDP undefined).
std::unique_ptr<Backend> make_afxdp_backend();

// Number of RX queues an interface has in the calling thread's network namespace
// (/sys/class/net/IF/queues/rx-* when sysfs shows that namespace, else ETHTOOL_GCHANNELS, else 1);
// 0 when there is no such interface.
uint32_t interface_rx_queues(const char* interface);

// A hash of an Ethernet frame's IP addresses and L4 ports that is the same for both directions
// (it orders the two endpoints before mixing), for steering an association to one worker in
// software. Frames that are not IP hash to 0.
uint32_t symmetric_flow_hash(const uint8_t* frame, uint32_t length);

// For a frame whose checksum offload was not completed (kChecksumNotReady: sent by this host's
// own stack with SCTP CRC offload, e.g. over veth): computes the SCTP CRC32c in place, as the
// NIC would have. False (frame untouched) when it is not an unfragmented IPv4/IPv6 SCTP packet.
bool complete_sctp_checksum(uint8_t* frame, uint32_t length);

}  // namespace sigwall::live
