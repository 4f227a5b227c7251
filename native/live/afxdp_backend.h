// The afxdp io backend: sigwall's XDP program (native/bpf/sigwall_xdp.bpf.c, embedded in the
// addon at build time) steers SCTP into one AF_XDP socket per RX queue and bridges or passes
// everything else in the kernel; workers receive from those sockets and transmit forwarded frames
// by copying them into the other port's socket.
//
// Built only with SIGWALL_HAVE_AFXDP (native/cmake/afxdp.cmake: clang + libxdp + libbpf found).
// Without it, make_afxdp_backend() (backend.h) returns nullptr and the engine reports that the
// backend was not built.
//
// Program life cycle (kernel facts measured in /work/shared/RIG.md):
// - attach: the program is attached as a single legacy XDP program with libbpf's netlink call,
//   native (driver) mode first, generic (skb) mode when the driver has no XDP support. Its maps
//   (configuration, peer port) are written BEFORE it is attached, so it never sees a frame with a
//   half-written configuration. libxdp's multi-program dispatcher is not used: this program must
//   see every frame and redirects all of them, so there is nothing to chain after it (and the
//   dispatcher cannot load on the kernels measured). libxdp provides the AF_XDP sockets.
// - a program named sigwall_xdp left on the interface by a crashed run is replaced atomically
//   (XDP_FLAGS_REPLACE: no frame sees an interface without a program); so is a libxdp dispatcher
//   holding only sigwall_xdp programs (detached, then ours attached). Any other program is
//   someone else's: open() fails and names it, and nothing is replaced.
// - a program named sigwall_xdp whose process is alive is not stale: every owner holds an flock
//   on /run/sigwall/xdp-<netns>-<ifindex>.lock (released by the kernel when the process dies), and
//   a second sigwall on the same port fails instead of silently taking the port from the first.
// - stop: detached, but only if the attached program is still ours (XDP_FLAGS_REPLACE with our fd
//   as the expected old program).
// - crash: nothing runs, so the program and its maps stay; the kernel removes the closed sockets
//   from the XSKMAP and the program applies the configured fail action (sigwall_xdp_abi.h).
// - the stale program's counters (what it did while no engine ran) are carried over: attach()
//   takes a descriptor of its sigwall_stats map (found through the program's map ids and checked
//   against sigwall_xdp_abi.h) before the swap and sums it after, when the old program no longer
//   runs, so no frame it counted is lost between the read and the swap (inherited()).
#pragma once

#include <cstdint>
#include <memory>

#include "../bpf/sigwall_xdp_abi.h"
#include "backend.h"

struct bpf_object;  // libbpf

namespace sigwall::live {

#ifdef SIGWALL_HAVE_AFXDP

// Where the program runs: the driver's XDP hook (native), or the generic hook after the kernel
// built an skb (works on every interface, slower, never zero-copy).
enum class XdpAttachMode : uint8_t { kAuto = 0, kNative = 1, kSkb = 2 };

// The program's per-CPU counters summed over CPUs, indexed by enum sigwall_xdp_counter: the
// backend-neutral KernelPortCounters (backend.h), which the engine hands to TypeScript.
using XdpCounters = KernelPortCounters;
static_assert(kKernelCounterKinds == SIGWALL_XDP_COUNTER_COUNT, "KernelPortCounters must hold every sigwall_xdp counter");

struct XdpProgramOptions {
  EngineMode mode = EngineMode::kMonitor;  // kMonitor or kInline
  FailMode fail_mode = FailMode::kOpen;
  const char* peer_interface = nullptr;    // inline: the other port; nullptr in monitor mode
  XdpAttachMode attach_mode = XdpAttachMode::kAuto;
};

// One attached instance of sigwall_xdp on one interface, with its own maps. Not copyable; the
// destructor detaches. Used by the backend for each port, and directly by tests and tools that
// need the program without sockets (fail-open/closed behaviour).
class XdpProgram {
 public:
  XdpProgram() = default;
  ~XdpProgram() { detach(); }
  XdpProgram(const XdpProgram&) = delete;
  XdpProgram& operator=(const XdpProgram&) = delete;

  // Loads the embedded object, writes the configuration and peer maps, replaces a stale
  // sigwall_xdp program, and attaches. False with `error` naming the interface and errno text.
  bool attach(const char* interface, const XdpProgramOptions& options, BackendError& error);
  // Removes the program if it is still the one attached; idempotent.
  void detach();
  // Drops every handle WITHOUT detaching: the program stays as after a crash (tests, and a
  // process that hands the port over on purpose).
  void abandon();

  bool attached() const { return program_fd_ >= 0; }
  int ifindex() const { return ifindex_; }
  uint32_t program_id() const { return program_id_; }
  XdpAttachMode mode() const { return mode_; }  // kNative or kSkb once attached
  int xsk_map_fd() const { return xsk_map_fd_; }
  int program_fd() const { return program_fd_; }
  // True when a stale sigwall_xdp program was found and replaced by attach().
  bool replaced_stale() const { return replaced_stale_; }
  bool read_counters(XdpCounters& out) const;
  // What the replaced stale program had counted (kNone after a fresh attach; kUnreadable, with
  // the reason, when its map was missing or not the one sigwall_xdp_abi.h describes: the port
  // then simply starts from zero).
  const InheritedKernelCounters& inherited() const { return inherited_; }

 private:
  void release_object();
  // After a successful swap: sums the stale program's counter map into inherited_ (or records why
  // it cannot, `problem` from open_stale_stats_map when the fd is -1).
  void carry_stale_counters(int stale_stats_fd, const char* problem);

  ::bpf_object* object_ = nullptr;
  int port_lock_fd_ = -1;  // flock held while this process owns the interface (see attach())
  char port_lock_path_[96] = {0};
  int program_fd_ = -1;
  int xsk_map_fd_ = -1;
  int stats_map_fd_ = -1;
  int ifindex_ = 0;
  uint32_t program_id_ = 0;
  uint32_t attach_flags_ = 0;
  XdpAttachMode mode_ = XdpAttachMode::kAuto;
  bool replaced_stale_ = false;
  InheritedKernelCounters inherited_;
  char interface_[32] = {0};
};

// What is attached to an interface's XDP hook (driver mode, else generic): id and kernel name
// of the program (a libxdp dispatcher reports "xdp_dispatcher"). False when nothing is.
struct AttachedXdpProgram {
  uint32_t id = 0;
  XdpAttachMode mode = XdpAttachMode::kAuto;
  char name[16] = {0};
};
bool query_attached_xdp_program(const char* interface, AttachedXdpProgram& out);

// The backend plus what only AF_XDP has, for tests, status and the benchmark.
class AfxdpBackend : public Backend {
 public:
  virtual bool xdp_counters(uint16_t port, XdpCounters& out) const = 0;
  virtual const XdpProgram* program(uint16_t port) const = 0;
  // True when the port's sockets are bound in zero-copy mode (false: copy mode).
  virtual bool zero_copy(uint16_t port) const = 0;
  virtual uint32_t socket_count() const = 0;
  // Where the program runs on every port (default kAuto: native, else generic); before open().
  virtual void set_attach_mode(XdpAttachMode mode) = 0;
};

std::unique_ptr<AfxdpBackend> make_afxdp_backend_with_extras();

#endif  // SIGWALL_HAVE_AFXDP

}  // namespace sigwall::live
