// The afxdp io backend (see afxdp_backend.h for the program's life cycle).
//
// Sockets. One UMEM and one AF_XDP socket per (port, RX queue), owned by exactly one worker. The
// UMEM's first half feeds the fill ring (receive), the second half is the socket's free list for
// transmission. A forwarded frame is copied into a free TX frame of the egress port's socket
// owned by the same worker; the kernel is kicked with sendto() once per burst (need-wakeup), and
// completed TX frames return to the free list. Zero-copy is tried first on real NICs and falls
// back to copy mode; virtual interfaces (veth: EOPNOTSUPP, RIG.md section 4) go straight to copy
// mode. Kernel documentation: Documentation/networking/af_xdp.rst.
//
// Workers. Worker w owns the queues whose index in the port's queue list is w modulo the worker
// count, on every port. There are at most as many workers as queues; inline, at most as many as
// the smaller port has, so that every worker owns a socket on both ports to transmit through. Both directions of an
// association reach one worker only if the NIC's RSS hash is symmetric (a symmetric Toeplitz
// key, or a single queue as on veth): the XDP program cannot move a frame to another queue's
// socket.
#include "afxdp_backend.h"
#include "clock.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "sigwall_xdp_object.h"

namespace sigwall::live {

namespace {

// Ring and UMEM geometry. Frames are 2 KiB unless the MTU needs 4 KiB: in copy mode the kernel
// puts XDP_PACKET_HEADROOM (256 bytes) in front of every received frame.
constexpr uint32_t kMinRingFrames = 64;
constexpr uint32_t kMaxRingFrames = 1u << 16;
constexpr uint32_t kSmallFrame = 2048;
constexpr uint32_t kLargeFrame = 4096;
constexpr uint32_t kEthernetOverhead = 14 + 2 * 4;  // header and two VLAN tags
// sendto() kicks per socket and flush: copy mode sends at most 32 descriptors per kick
// (net/xdp/xsk.c, MAX_PER_SOCKET_BUDGET); the rest goes at the next flush.
constexpr int kMaxKicksPerFlush = 16;
// Binding a queue whose previous socket was closed a moment ago: retries, 20 ms apart.
constexpr int kBusyRetries = 25;
constexpr useconds_t kBusyRetryMicroseconds = 20'000;
// The kernel's XDP_STATISTICS are read at most this often (a syscall per socket).
constexpr uint64_t kStatsRefreshNs = 100'000'000;

// libbpf's and libxdp's messages: the last warning is kept so that an open() failure can say
// what the library saw (a verifier rejection, a missing map); nothing is printed.
thread_local char last_library_warning[256];

int capture_libbpf_print(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_WARN) {
    vsnprintf(last_library_warning, sizeof last_library_warning, format, args);
    size_t length = strlen(last_library_warning);
    while (length > 0 && last_library_warning[length - 1] == '\n') last_library_warning[--length] = 0;
  }
  return 0;
}

int capture_libxdp_print(enum libxdp_print_level level, const char* format, va_list args) {
  return capture_libbpf_print(level == LIBXDP_WARN ? LIBBPF_WARN : LIBBPF_DEBUG, format, args);
}

void install_library_logging() {
  static bool installed = false;
  if (!installed) {
    libbpf_set_print(capture_libbpf_print);
    libxdp_set_print(capture_libxdp_print);
    installed = true;
  }
}

void set_error(BackendError& error, int port, int error_number, const char* format, ...)
    __attribute__((format(printf, 4, 5)));

void set_error(BackendError& error, int port, int error_number, const char* format, ...) {
  error.port = port;
  error.error_number = error_number;
  va_list args;
  va_start(args, format);
  int written = vsnprintf(error.message, sizeof error.message, format, args);
  va_end(args);
  if (error_number != 0 && written >= 0 && static_cast<size_t>(written) < sizeof error.message) {
    snprintf(error.message + written, sizeof error.message - written, ": %s", strerror(error_number));
  }
}

uint32_t round_up_power_of_two(uint32_t value) {
  uint32_t result = 1;
  while (result < value) result <<= 1;
  return result;
}

// Interface facts come from ioctls on a socket of the caller's network namespace: /sys/class/net
// shows the namespace sysfs was mounted in, which differs after unshare()/setns() (tests, tools
// that enter a namespace without remounting /sys).
// A socket per query: a socket belongs to the namespace it was created in, and the caller may
// have changed namespace since the last one (control path only).
class ControlSocket {
 public:
  ControlSocket() : fd_(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
  ~ControlSocket() {
    if (fd_ >= 0) close(fd_);
  }
  bool ioctl_on(const char* interface, unsigned long request, ifreq& ifr) const {
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", interface);
    return fd_ >= 0 && ioctl(fd_, request, &ifr) == 0;
  }

 private:
  int fd_;
};

bool ethtool_request(const char* interface, void* request) {
  ifreq ifr{};
  ifr.ifr_data = static_cast<char*>(request);
  return ControlSocket().ioctl_on(interface, SIOCETHTOOL, ifr);
}

bool interface_mtu(const char* interface, uint32_t& mtu) {
  ifreq ifr{};
  if (!ControlSocket().ioctl_on(interface, SIOCGIFMTU, ifr)) return false;
  mtu = static_cast<uint32_t>(ifr.ifr_mtu);
  return true;
}

// RX queues in use: /sys/class/net/IF/queues/rx-* when that sysfs entry is this namespace's
// interface (same ifindex), else the driver's channel count (ETHTOOL_GCHANNELS), else 1.
uint32_t count_rx_queues(const char* interface) {
  char path[128];
  snprintf(path, sizeof path, "/sys/class/net/%s/ifindex", interface);
  unsigned sysfs_ifindex = 0;
  if (FILE* stream = fopen(path, "re")) {
    if (fscanf(stream, "%u", &sysfs_ifindex) != 1) sysfs_ifindex = 0;
    fclose(stream);
  }
  if (sysfs_ifindex != 0 && sysfs_ifindex == if_nametoindex(interface)) {
    uint32_t count = 0;
    for (;;) {
      snprintf(path, sizeof path, "/sys/class/net/%s/queues/rx-%u", interface, count);
      struct stat info;
      if (stat(path, &info) != 0) return count;
      ++count;
    }
  }
  ethtool_channels channels{};
  channels.cmd = ETHTOOL_GCHANNELS;
  if (ethtool_request(interface, &channels)) {
    uint32_t count = channels.combined_count + channels.rx_count;
    if (count > 0) return count;
  }
  return 1;  // a driver without channel reporting has one queue
}

// Drivers of real devices report a bus address; veth, bridges and tunnels report none and only
// do copy mode.
bool is_virtual_interface(const char* interface) {
  ethtool_drvinfo info{};
  info.cmd = ETHTOOL_GDRVINFO;
  if (!ethtool_request(interface, &info)) return true;
  return info.bus_info[0] == 0 || strcmp(info.driver, "veth") == 0;
}

uint32_t xdp_flags_for(XdpAttachMode mode) {
  return mode == XdpAttachMode::kSkb ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

bool program_name_by_id(uint32_t id, char (&name)[16]) {
  int fd = bpf_prog_get_fd_by_id(id);
  if (fd < 0) return false;
  bpf_prog_info info{};
  uint32_t length = sizeof info;
  bool ok = bpf_obj_get_info_by_fd(fd, &info, &length) == 0;
  close(fd);
  if (ok) {
    memcpy(name, info.name, sizeof name);
    name[sizeof name - 1] = 0;
  }
  return ok;
}

// A libxdp dispatcher is ours to remove only if every program it runs is sigwall_xdp.
bool dispatcher_holds_only_sigwall(int ifindex) {
  xdp_multiprog* multiprog = xdp_multiprog__get_from_ifindex(ifindex);
  if (libxdp_get_error(multiprog) || multiprog == nullptr) return false;
  bool only_ours = !xdp_multiprog__is_legacy(multiprog) && xdp_multiprog__program_count(multiprog) > 0;
  for (xdp_program* program = xdp_multiprog__next_prog(nullptr, multiprog); program != nullptr;
       program = xdp_multiprog__next_prog(program, multiprog)) {
    if (strcmp(xdp_program__name(program), SIGWALL_XDP_PROG_NAME) != 0) only_ours = false;
  }
  if (only_ours && xdp_multiprog__detach(multiprog) != 0) only_ours = false;
  xdp_multiprog__close(multiprog);
  return only_ours;
}

// Ownership of an interface between sigwall processes. An flock dies with its process, so a
// program left by a crashed run has no lock holder and is stale, while one whose process is still
// running is not. The lock file names the network namespace (its inode) and the ifindex, which
// identify the interface whatever its name. Returns the fd (>= 0), -1 with `error` set when
// another process holds it, or -2 when no lock file can be made (read-only /run): the port is
// then used without this protection.
int lock_interface(const char* interface, int ifindex, char (&path)[96], BackendError& error) {
  constexpr const char* kLockDirectory = "/run/sigwall";
  struct stat netns;
  if (stat("/proc/thread-self/ns/net", &netns) != 0) return -2;
  mkdir(kLockDirectory, 0755);
  snprintf(path, sizeof path, "%s/xdp-%llu-%d.lock", kLockDirectory, static_cast<unsigned long long>(netns.st_ino),
           ifindex);
  // The owner unlinks the file when it stops; a lock taken on a file that was unlinked meanwhile
  // protects nothing, so the lock counts only if the path still names the locked file.
  for (int attempt = 0; attempt < 3; ++attempt) {
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return -2;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      char owner[32] = {0};
      ssize_t length = pread(fd, owner, sizeof owner - 1, 0);
      owner[length > 0 ? length : 0] = 0;
      for (char& c : owner) {
        if (c == '\n') c = 0;
      }
      close(fd);
      set_error(error, -1, 0, "interface %s: another sigwall process (pid %s) is running on it; stop that one first",
                interface, owner[0] ? owner : "unknown");
      return -1;
    }
    struct stat locked;
    struct stat named;
    if (fstat(fd, &locked) == 0 && stat(path, &named) == 0 && locked.st_ino == named.st_ino &&
        locked.st_dev == named.st_dev) {
      char pid[32];
      int length = snprintf(pid, sizeof pid, "%d\n", static_cast<int>(getpid()));
      // The pid is only for the message above; the lock itself is what matters.
      if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, length, 0) != length) pid[0] = 0;
      return fd;
    }
    close(fd);
  }
  return -2;
}

// A descriptor closed when it goes out of scope (control path only).
class ScopedFd {
 public:
  explicit ScopedFd(int fd = -1) : fd_(fd) {}
  ~ScopedFd() { reset(); }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// Sums a sigwall_stats map over the CPUs. The map must have been checked to be the one
// sigwall_xdp_abi.h describes (our own, or open_stale_stats_map()): a per-CPU lookup writes
// value_size rounded up to 8 bytes for every possible CPU.
bool sum_stats_map(int map_fd, XdpCounters& out) {
  out = XdpCounters{};
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return false;
  static_assert(sizeof(sigwall_xdp_counter_value) % 8 == 0, "per-CPU values are laid out in 8-byte steps");
  std::vector<sigwall_xdp_counter_value> per_cpu(static_cast<size_t>(cpus));
  for (uint32_t counter = 0; counter < SIGWALL_XDP_COUNTER_COUNT; ++counter) {
    if (bpf_map_lookup_elem(map_fd, &counter, per_cpu.data()) != 0) return false;
    for (const sigwall_xdp_counter_value& value : per_cpu) {
      out.packets[counter] += value.packets;
      out.bytes[counter] += value.bytes;
    }
  }
  return true;
}

// A stale program is recognised by its name only, so its counter map is checked before anything
// is read from it: a program of an older or foreign build that calls itself sigwall_xdp may have
// no such map, or one of another shape, and reading it with our layout would overrun the buffer
// or report garbage. Returns the map's fd, or -1 with `problem` saying what was found.
int open_stale_stats_map(uint32_t program_id, char (&problem)[sizeof(InheritedKernelCounters::problem)]) {
  ScopedFd program(bpf_prog_get_fd_by_id(program_id));
  if (program.get() < 0) {
    snprintf(problem, sizeof problem, "cannot open the stale program (id %u): %s", program_id, strerror(errno));
    return -1;
  }
  // Two calls: the first learns how many maps the program uses, the second fetches their ids.
  constexpr uint32_t kMaxProgramMaps = 64;  // the kernel's limit per program (MAX_USED_MAPS)
  uint32_t map_ids[kMaxProgramMaps] = {};
  bpf_prog_info info{};
  uint32_t length = sizeof info;
  if (bpf_obj_get_info_by_fd(program.get(), &info, &length) != 0) {
    snprintf(problem, sizeof problem, "cannot read the stale program's info (id %u): %s", program_id, strerror(errno));
    return -1;
  }
  uint32_t map_count = std::min(info.nr_map_ids, kMaxProgramMaps);
  info = bpf_prog_info{};
  info.nr_map_ids = map_count;
  info.map_ids = reinterpret_cast<uintptr_t>(map_ids);
  length = sizeof info;
  if (map_count > 0 && bpf_obj_get_info_by_fd(program.get(), &info, &length) != 0) {
    snprintf(problem, sizeof problem, "cannot list the stale program's maps (id %u): %s", program_id, strerror(errno));
    return -1;
  }
  map_count = std::min(info.nr_map_ids, map_count);
  for (uint32_t i = 0; i < map_count; ++i) {
    ScopedFd map(bpf_map_get_fd_by_id(map_ids[i]));
    if (map.get() < 0) continue;  // gone meanwhile, or not ours to open: not the counter map
    bpf_map_info map_info{};
    uint32_t map_info_length = sizeof map_info;
    if (bpf_obj_get_info_by_fd(map.get(), &map_info, &map_info_length) != 0) continue;
    if (strncmp(map_info.name, SIGWALL_XDP_MAP_STATS, sizeof map_info.name) != 0) continue;
    if (map_info.type != BPF_MAP_TYPE_PERCPU_ARRAY || map_info.key_size != sizeof(uint32_t) ||
        map_info.value_size != sizeof(sigwall_xdp_counter_value) || map_info.max_entries < SIGWALL_XDP_COUNTER_COUNT) {
      snprintf(problem, sizeof problem,
               "the stale program's %s map (id %u) is not sigwall's counter map (type %u, key %u bytes, value %u "
               "bytes, %u entries; expected type %u, 4, %zu, at least %u)",
               SIGWALL_XDP_MAP_STATS, map_ids[i], map_info.type, map_info.key_size, map_info.value_size,
               map_info.max_entries, static_cast<unsigned>(BPF_MAP_TYPE_PERCPU_ARRAY),
               sizeof(sigwall_xdp_counter_value), static_cast<unsigned>(SIGWALL_XDP_COUNTER_COUNT));
      return -1;
    }
    return map.release();  // the caller owns it now
  }
  snprintf(problem, sizeof problem, "the stale program (id %u) has no %s map", program_id, SIGWALL_XDP_MAP_STATS);
  return -1;
}

}  // namespace

bool query_attached_xdp_program(const char* interface, AttachedXdpProgram& out) {
  out = AttachedXdpProgram{};
  int ifindex = static_cast<int>(if_nametoindex(interface));
  if (ifindex == 0) return false;
  bpf_xdp_query_opts query{};
  query.sz = sizeof query;
  if (bpf_xdp_query(ifindex, 0, &query) != 0) return false;
  if (query.drv_prog_id != 0) {
    out.id = query.drv_prog_id;
    out.mode = XdpAttachMode::kNative;
  } else if (query.skb_prog_id != 0) {
    out.id = query.skb_prog_id;
    out.mode = XdpAttachMode::kSkb;
  } else {
    return false;
  }
  program_name_by_id(out.id, out.name);
  return true;
}

// ---------------------------------------------------------------------------------------------
// XdpProgram

bool XdpProgram::attach(const char* interface, const XdpProgramOptions& options, BackendError& error) {
  detach();
  install_library_logging();
  last_library_warning[0] = 0;
  snprintf(interface_, sizeof interface_, "%s", interface);
  replaced_stale_ = false;
  inherited_ = InheritedKernelCounters{};

  if (options.mode != EngineMode::kMonitor && options.mode != EngineMode::kInline) {
    set_error(error, -1, 0, "interface %s: the XDP program runs in monitor or inline mode only", interface);
    return false;
  }
  ifindex_ = static_cast<int>(if_nametoindex(interface));
  if (ifindex_ == 0) {
    set_error(error, -1, errno, "interface %s: cannot find it", interface);
    return false;
  }
  int peer_ifindex = 0;
  if (options.mode == EngineMode::kInline) {
    if (options.peer_interface == nullptr || (peer_ifindex = static_cast<int>(if_nametoindex(options.peer_interface))) == 0) {
      set_error(error, -1, options.peer_interface ? errno : 0, "interface %s: cannot find the inline peer port %s",
                interface, options.peer_interface ? options.peer_interface : "(none)");
      return false;
    }
  }

  int lock = lock_interface(interface, ifindex_, port_lock_path_, error);
  if (lock == -1) return false;
  port_lock_fd_ = lock >= 0 ? lock : -1;

  // What is attached now decides between a fresh attach, an atomic replacement of a stale
  // sigwall program, and refusing to touch someone else's program.
  AttachedXdpProgram existing;
  bool has_existing = query_attached_xdp_program(interface, existing);
  bool stale_is_ours = false;
  if (has_existing) {
    if (strcmp(existing.name, SIGWALL_XDP_PROG_NAME) == 0) {
      stale_is_ours = true;
    } else if (strcmp(existing.name, "xdp_dispatcher") == 0 && dispatcher_holds_only_sigwall(ifindex_)) {
      has_existing = false;  // removed above; a fresh attach follows
      replaced_stale_ = true;
      // sigwall never loads through the dispatcher; one holding sigwall_xdp came from elsewhere
      // (xdp-loader, a foreign build), and its counters are not read.
      inherited_.state = InheritedKernelState::kUnreadable;
      snprintf(inherited_.problem, sizeof inherited_.problem,
               "the stale program ran under a libxdp dispatcher (id %u); its counts are not carried", existing.id);
    } else {
      set_error(error, -1, 0,
                "interface %s: another XDP program is attached (%s, id %u); sigwall does not replace "
                "programs it did not load: remove it (ip link set dev %s xdp off) or use another port",
                interface, existing.name[0] ? existing.name : "unnamed", existing.id, interface);
      release_object();
      return false;
    }
  }

  bpf_object_open_opts open_options{};
  open_options.sz = sizeof open_options;
  open_options.object_name = SIGWALL_XDP_PROG_NAME;
  object_ = bpf_object__open_mem(kSigwallXdpObject, kSigwallXdpObject_size, &open_options);
  if (libbpf_get_error(object_) || object_ == nullptr) {
    int code = object_ ? static_cast<int>(-libbpf_get_error(object_)) : errno;
    object_ = nullptr;
    set_error(error, -1, code, "interface %s: cannot open the embedded XDP object", interface);
    release_object();
    return false;
  }
  struct ExpectedMap {
    const char* name;
    uint32_t value_size;
  };
  const ExpectedMap expected[] = {
      {SIGWALL_XDP_MAP_XSKS, sizeof(uint32_t)},
      {SIGWALL_XDP_MAP_PEER, sizeof(uint32_t)},
      {SIGWALL_XDP_MAP_CONFIG, sizeof(sigwall_xdp_config)},
      {SIGWALL_XDP_MAP_STATS, sizeof(sigwall_xdp_counter_value)},
  };
  for (const ExpectedMap& map : expected) {
    bpf_map* found = bpf_object__find_map_by_name(object_, map.name);
    if (found == nullptr || bpf_map__value_size(found) != map.value_size) {
      set_error(error, -1, 0, "interface %s: the embedded XDP object does not match sigwall_xdp_abi.h (map %s)",
                interface, map.name);
      release_object();
      return false;
    }
  }
  if (bpf_object__load(object_) != 0) {
    int code = errno;
    set_error(error, -1, code, "interface %s: the kernel refused the XDP program (%s)", interface,
              last_library_warning[0] ? last_library_warning : "no detail from libbpf");
    release_object();
    return false;
  }
  bpf_program* program = bpf_object__find_program_by_name(object_, SIGWALL_XDP_PROG_NAME);
  program_fd_ = program ? bpf_program__fd(program) : -1;
  xsk_map_fd_ = bpf_object__find_map_fd_by_name(object_, SIGWALL_XDP_MAP_XSKS);
  stats_map_fd_ = bpf_object__find_map_fd_by_name(object_, SIGWALL_XDP_MAP_STATS);
  int config_fd = bpf_object__find_map_fd_by_name(object_, SIGWALL_XDP_MAP_CONFIG);
  int peer_fd = bpf_object__find_map_fd_by_name(object_, SIGWALL_XDP_MAP_PEER);
  if (program_fd_ < 0 || xsk_map_fd_ < 0 || stats_map_fd_ < 0 || config_fd < 0 || peer_fd < 0) {
    set_error(error, -1, 0, "interface %s: the embedded XDP object lacks its program or maps", interface);
    release_object();
    return false;
  }

  // Configuration before attachment: the program's first frame already sees the fail action.
  uint32_t zero = 0;
  sigwall_xdp_config config{};
  config.mode = options.mode == EngineMode::kInline ? SIGWALL_XDP_MODE_INLINE : SIGWALL_XDP_MODE_MONITOR;
  config.fail_action = options.fail_mode == FailMode::kClosed ? SIGWALL_XDP_FAIL_CLOSED : SIGWALL_XDP_FAIL_OPEN;
  if (bpf_map_update_elem(config_fd, &zero, &config, BPF_ANY) != 0) {
    set_error(error, -1, errno, "interface %s: cannot write the XDP configuration map", interface);
    release_object();
    return false;
  }
  if (options.mode == EngineMode::kInline) {
    uint32_t peer = static_cast<uint32_t>(peer_ifindex);
    if (bpf_map_update_elem(peer_fd, &zero, &peer, BPF_ANY) != 0) {
      // A DEVMAP refuses a device that cannot transmit XDP frames (no ndo_xdp_xmit).
      set_error(error, -1, errno, "interface %s: cannot set %s as the XDP redirect target", interface,
                options.peer_interface);
      release_object();
      return false;
    }
  }

  XdpAttachMode candidates[2] = {XdpAttachMode::kNative, XdpAttachMode::kSkb};
  int candidate_count = 2;
  if (options.attach_mode != XdpAttachMode::kAuto) {
    candidates[0] = options.attach_mode;
    candidate_count = 1;
  }
  // The stale program's counter map, taken now and read once ours is attached: a frame the old
  // program counts between a read and the swap would otherwise be lost. A map that is missing or
  // of another shape is not read at all (open_stale_stats_map), and the port starts from zero.
  char stale_problem[sizeof inherited_.problem] = {0};
  ScopedFd stale_stats(stale_is_ours ? open_stale_stats_map(existing.id, stale_problem) : -1);
  int last_errno = 0;
  bool stale_attached = stale_is_ours;
  for (int i = 0; i < candidate_count; ++i) {
    XdpAttachMode mode = candidates[i];
    uint32_t flags = xdp_flags_for(mode);
    int result;
    if (stale_attached && existing.mode == mode) {
      // Atomic replacement: the kernel swaps the stale program for ours only if it is still
      // the one attached.
      int old_fd = bpf_prog_get_fd_by_id(existing.id);
      bpf_xdp_attach_opts attach_options{};
      attach_options.sz = sizeof attach_options;
      attach_options.old_prog_fd = old_fd;
      result = old_fd >= 0 ? bpf_xdp_attach(ifindex_, program_fd_, flags | XDP_FLAGS_REPLACE, &attach_options) : -errno;
      if (old_fd >= 0) close(old_fd);
    } else {
      if (stale_attached) {
        // The stale program sits in the other mode; the kernel keeps one mode at a time. It is
        // removed only if it is still the one found above.
        int old_fd = bpf_prog_get_fd_by_id(existing.id);
        if (old_fd >= 0) {
          bpf_xdp_attach_opts detach_options{};
          detach_options.sz = sizeof detach_options;
          detach_options.old_prog_fd = old_fd;
          bpf_xdp_detach(ifindex_, xdp_flags_for(existing.mode) | XDP_FLAGS_REPLACE, &detach_options);
          close(old_fd);
        }
        stale_attached = false;
      }
      result = bpf_xdp_attach(ifindex_, program_fd_, flags | XDP_FLAGS_UPDATE_IF_NOEXIST, nullptr);
    }
    if (result == 0) {
      mode_ = mode;
      attach_flags_ = flags;
      replaced_stale_ = replaced_stale_ || stale_is_ours;
      if (stale_is_ours) carry_stale_counters(stale_stats.get(), stale_problem);
      bpf_prog_info info{};
      uint32_t length = sizeof info;
      if (bpf_obj_get_info_by_fd(program_fd_, &info, &length) == 0) program_id_ = info.id;
      return true;
    }
    last_errno = -result;
    // Native mode unsupported by the driver: try the generic hook. Anything else is final.
    if (last_errno != EOPNOTSUPP && last_errno != EINVAL) break;
  }
  set_error(error, -1, last_errno, "interface %s: cannot attach the XDP program", interface);
  release_object();
  return false;
}

void XdpProgram::carry_stale_counters(int stale_stats_fd, const char* problem) {
  // The swap happened: the old program runs no more, apart from frames already inside it on
  // another CPU, which finish within the kernel's RCU grace period, microseconds from now.
  if (stale_stats_fd >= 0 && sum_stats_map(stale_stats_fd, inherited_.counters)) {
    inherited_.state = InheritedKernelState::kCarried;
    return;
  }
  inherited_.counters = KernelPortCounters{};
  inherited_.state = InheritedKernelState::kUnreadable;
  if (stale_stats_fd >= 0) {
    snprintf(inherited_.problem, sizeof inherited_.problem, "cannot read the stale program's %s map: %s",
             SIGWALL_XDP_MAP_STATS, strerror(errno));
  } else {
    snprintf(inherited_.problem, sizeof inherited_.problem, "%s", problem);
  }
}

void XdpProgram::detach() {
  if (program_fd_ >= 0) {
    // Only our program is removed: if something replaced it meanwhile, the kernel refuses.
    bpf_xdp_attach_opts options{};
    options.sz = sizeof options;
    options.old_prog_fd = program_fd_;
    bpf_xdp_detach(ifindex_, attach_flags_ | XDP_FLAGS_REPLACE, &options);
  }
  release_object();  // and the interface lock, after the program is gone
}

void XdpProgram::abandon() {
  // The attachment holds the kernel's reference to the program and maps; our fds can go. Like a
  // crash, the lock file stays (without a holder).
  if (port_lock_fd_ >= 0) close(port_lock_fd_);
  port_lock_fd_ = -1;
  release_object();
}

void XdpProgram::release_object() {
  if (port_lock_fd_ >= 0) {
    unlink(port_lock_path_);  // while still holding the lock (see lock_interface)
    close(port_lock_fd_);     // closing the last fd drops the flock
  }
  port_lock_fd_ = -1;
  if (object_ != nullptr) bpf_object__close(object_);
  object_ = nullptr;
  program_fd_ = xsk_map_fd_ = stats_map_fd_ = -1;
  program_id_ = 0;
}

bool XdpProgram::read_counters(XdpCounters& out) const {
  out = XdpCounters{};
  return stats_map_fd_ >= 0 && sum_stats_map(stats_map_fd_, out);
}

// ---------------------------------------------------------------------------------------------
// Sockets and workers

namespace {

struct XskSocket {
  uint16_t port = 0;
  uint32_t queue = 0;
  uint8_t* area = nullptr;
  size_t area_size = 0;
  uint32_t frame_size = 0;
  uint32_t rx_frames = 0;  // frames [0, rx_frames) cycle through fill and RX rings
  uint32_t tx_frames = 0;  // frames [rx_frames, rx_frames + tx_frames) are for transmission
  xsk_umem* umem = nullptr;
  xsk_socket* socket = nullptr;
  int fd = -1;
  bool zero_copy = false;
  xsk_ring_prod fill{};
  xsk_ring_cons completion{};
  xsk_ring_cons rx{};
  xsk_ring_prod tx{};
  std::vector<uint64_t> tx_free;  // reserved at open; never grows
  uint32_t tx_free_count = 0;
  uint32_t rx_held = 0;           // descriptors handed out by the last receive()
  uint32_t rx_held_index = 0;
  bool tx_pending = false;
  uint64_t tx_errors = 0;
  xdp_statistics kernel_stats{};

  ~XskSocket() {
    if (socket != nullptr) xsk_socket__delete(socket);
    if (umem != nullptr) xsk_umem__delete(umem);
    if (area != nullptr) munmap(area, area_size);
  }

  void reap_completions() {
    uint32_t index = 0;
    uint32_t done = xsk_ring_cons__peek(&completion, tx_frames, &index);
    for (uint32_t i = 0; i < done; ++i) {
      tx_free[tx_free_count++] = *xsk_ring_cons__comp_addr(&completion, index + i);
    }
    if (done) xsk_ring_cons__release(&completion, done);
  }

  void return_rx_frames() {
    if (rx_held == 0) return;
    uint32_t fill_index = 0;
    // The fill ring holds rx_frames entries and at most rx_frames frames exist, so this
    // reservation cannot fail.
    uint32_t reserved = xsk_ring_prod__reserve(&fill, rx_held, &fill_index);
    for (uint32_t i = 0; i < reserved; ++i) {
      uint64_t address = xsk_ring_cons__rx_desc(&rx, rx_held_index + i)->addr;
      *xsk_ring_prod__fill_addr(&fill, fill_index + i) = address - address % frame_size;
    }
    xsk_ring_prod__submit(&fill, reserved);
    xsk_ring_cons__release(&rx, rx_held);
    rx_held = 0;
  }
};

class AfxdpWorkerIo final : public WorkerIo {
 public:
  AfxdpWorkerIo(uint32_t port_count, uint32_t batch, uint64_t idle_spin_ns)
      : tx_socket_(port_count, nullptr), frames_(port_count, 0), idle_spin_ns_(idle_spin_ns) {
    (void)batch;
  }

  void add_socket(XskSocket* socket) {
    sockets_.push_back(socket);
    if (tx_socket_[socket->port] == nullptr) tx_socket_[socket->port] = socket;
    pollfd entry{};
    entry.fd = socket->fd;
    entry.events = POLLIN;
    poll_fds_.push_back(entry);
  }
  void set_failure_sink(BackendError* error, std::atomic<bool>* claimed, const std::vector<std::string>* interfaces) {
    failure_ = error;
    failure_claimed_ = claimed;
    interfaces_ = interfaces;
  }

  uint32_t receive(PacketRef* refs, uint32_t max, int timeout_ms) override {
    release();
    uint32_t count = collect(refs, max);
    if (count > 0 || timeout_ms == 0 || state_ != IoState::kRunning) return count;
    // Frames a busy kernel left in a TX ring (EBUSY/ENOBUFS at the last flush) go out before the
    // worker sleeps, not with the next burst, which may be long in coming.
    flush();
    // Frames due within microseconds are waited for awake (LiveConfig::idle_spin_ns says why).
    if (idle_spin_ns_ > 0 && spin_until_received(idle_spin_ns_)) return collect(refs, max);
    // Idle: sleep until a socket has frames. poll() also performs the fill-ring wakeup the
    // kernel asked for (need-wakeup) on drivers that need it.
    int ready = poll(poll_fds_.data(), poll_fds_.size(), timeout_ms);
    if (ready < 0 && errno != EINTR) {
      fail(-1, errno, "poll on AF_XDP sockets failed");
      return 0;
    }
    for (size_t i = 0; ready > 0 && i < poll_fds_.size(); ++i) {
      if (poll_fds_[i].revents & (POLLERR | POLLNVAL | POLLHUP)) {
        fail(sockets_[i]->port, 0, "AF_XDP socket on queue %u reported an error (interface down or removed?)",
             sockets_[i]->queue);
        return 0;
      }
    }
    return collect(refs, max);
  }

  void release() override {
    for (XskSocket* socket : sockets_) socket->return_rx_frames();
  }

  bool transmit(uint16_t port, const uint8_t* frame, uint32_t length) override {
    XskSocket* socket = port < tx_socket_.size() ? tx_socket_[port] : nullptr;
    if (socket == nullptr) {
      ++unroutable_tx_;
      return false;
    }
    if (length > socket->frame_size) {
      ++socket->tx_errors;
      return false;
    }
    if (socket->tx_free_count == 0) socket->reap_completions();
    uint32_t index = 0;
    if (socket->tx_free_count == 0 || xsk_ring_prod__reserve(&socket->tx, 1, &index) != 1) {
      ++socket->tx_errors;
      return false;
    }
    uint64_t address = socket->tx_free[--socket->tx_free_count];
    memcpy(socket->area + address, frame, length);
    xdp_desc* descriptor = xsk_ring_prod__tx_desc(&socket->tx, index);
    descriptor->addr = address;
    descriptor->len = length;
    descriptor->options = 0;
    xsk_ring_prod__submit(&socket->tx, 1);
    socket->tx_pending = true;
    return true;
  }

  void flush() override {
    for (XskSocket* socket : sockets_) {
      if (!socket->tx_pending) continue;
      // Copy mode transmits inside sendto(), a bounded number of descriptors per call: kick
      // until the kernel consumed the TX ring or the kick budget is spent.
      for (int kick = 0; kick < kMaxKicksPerFlush; ++kick) {
        if (xsk_prod_nb_free(&socket->tx, socket->tx_frames) >= socket->tx_frames) break;
        if (!xsk_ring_prod__needs_wakeup(&socket->tx)) break;
        if (sendto(socket->fd, nullptr, 0, MSG_DONTWAIT, nullptr, 0) < 0) {
          int code = errno;
          if (code == ENOBUFS || code == EAGAIN || code == EBUSY) {
            socket->reap_completions();  // a full completion ring blocks transmission
            continue;
          }
          // A link that is down (ENETDOWN) keeps the frames in the TX ring until it comes back;
          // when the ring is full, transmit() refuses and counts. A device that is gone fails.
          if (code == ENXIO || code == ENODEV) {
            fail(socket->port, code, "transmit on queue %u failed (device gone)", socket->queue);
          }
          break;
        }
      }
      socket->reap_completions();
      socket->tx_pending = xsk_prod_nb_free(&socket->tx, socket->tx_frames) < socket->tx_frames;
    }
  }

  void stats(IoStats& out) override {
    uint64_t now = clock_ns(CLOCK_MONOTONIC_COARSE);
    if (now - stats_refreshed_ns_ >= kStatsRefreshNs) {
      stats_refreshed_ns_ = now;
      for (XskSocket* socket : sockets_) {
        xdp_statistics kernel{};
        socklen_t length = sizeof kernel;
        if (getsockopt(socket->fd, SOL_XDP, XDP_STATISTICS, &kernel, &length) == 0) socket->kernel_stats = kernel;
      }
    }
    out = IoStats{};
    out.tx_errors = unroutable_tx_;
    for (XskSocket* socket : sockets_) {
      const xdp_statistics& kernel = socket->kernel_stats;
      // rx_dropped covers frames lost for want of a fill-ring buffer (the engine did not keep up);
      // rx_ring_full the RX ring itself.
      out.ring_drops += kernel.rx_dropped + kernel.rx_ring_full + kernel.rx_invalid_descs;
      out.tx_errors += socket->tx_errors + kernel.tx_invalid_descs;
    }
  }

  IoState state() const override { return state_; }

 private:
  // True when an RX ring holds frames beyond those handed out by the last receive().
  bool received_frames_waiting() {
    for (XskSocket* socket : sockets_)
      if (xsk_cons_nb_avail(&socket->rx, 1) > 0) return true;
    return false;
  }

  // Polls the RX rings for up to `budget_ns`; true as soon as one has frames.
  bool spin_until_received(uint64_t budget_ns) {
    const uint64_t deadline = clock_ns(CLOCK_MONOTONIC) + budget_ns;
    for (;;) {
      for (int i = 0; i < 64; ++i) {
        if (received_frames_waiting()) return true;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
      }
      if (clock_ns(CLOCK_MONOTONIC) >= deadline) return false;
    }
  }

  uint32_t collect(PacketRef* refs, uint32_t max) {
    uint32_t count = 0;
    uint64_t timestamp = 0;
    size_t socket_count = sockets_.size();
    for (size_t step = 0; step < socket_count && count < max; ++step) {
      // Start at a different socket each burst so that a busy queue cannot starve the others.
      XskSocket* socket = sockets_[(next_socket_ + step) % socket_count];
      uint32_t index = 0;
      uint32_t got = xsk_ring_cons__peek(&socket->rx, max - count, &index);
      if (got == 0) {
        if (xsk_ring_prod__needs_wakeup(&socket->fill)) recvfrom(socket->fd, nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
        continue;
      }
      if (timestamp == 0) timestamp = clock_ns(CLOCK_REALTIME);  // AF_XDP carries no timestamp
      socket->rx_held = got;
      socket->rx_held_index = index;
      for (uint32_t i = 0; i < got; ++i) {
        const xdp_desc* descriptor = xsk_ring_cons__rx_desc(&socket->rx, index + i);
        PacketRef& ref = refs[count++];
        ref = PacketRef{};
        ref.data = static_cast<const uint8_t*>(xsk_umem__get_data(socket->area, descriptor->addr));
        ref.length = descriptor->len;
        ref.original_length = descriptor->len;
        ref.timestamp_ns = timestamp;
        ref.frame = ++frames_[socket->port];
        ref.port = socket->port;
      }
    }
    if (socket_count) next_socket_ = (next_socket_ + 1) % socket_count;
    return count;
  }

  void fail(int port, int error_number, const char* format, ...) __attribute__((format(printf, 4, 5))) {
    if (state_ == IoState::kFailed) return;
    state_ = IoState::kFailed;
    // The first failure of any worker is the backend's error; later ones only stop their worker.
    if (failure_ == nullptr || failure_claimed_->exchange(true)) return;
    char text[160];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    const char* interface = port >= 0 && interfaces_ && static_cast<size_t>(port) < interfaces_->size()
                                ? (*interfaces_)[port].c_str()
                                : "?";
    set_error(*failure_, port, error_number, "port %d (%s): %s", port, interface, text);
  }

  std::vector<XskSocket*> sockets_;
  std::vector<XskSocket*> tx_socket_;  // per port: the socket this worker transmits through
  std::vector<pollfd> poll_fds_;
  std::vector<uint64_t> frames_;       // per port: frames received by this worker
  uint64_t idle_spin_ns_ = 0;
  size_t next_socket_ = 0;
  uint64_t unroutable_tx_ = 0;
  uint64_t stats_refreshed_ns_ = 0;
  IoState state_ = IoState::kRunning;
  BackendError* failure_ = nullptr;
  std::atomic<bool>* failure_claimed_ = nullptr;
  const std::vector<std::string>* interfaces_ = nullptr;
};

class AfxdpBackendImpl final : public AfxdpBackend {
 public:
  ~AfxdpBackendImpl() override { close(); }

  const char* name() const override { return "afxdp"; }

  bool open(const LiveConfig& config, uint32_t workers, BackendError& error) override {
    close();
    error = BackendError{};
    failure_ = BackendError{};
    failure_claimed_ = false;
    install_library_logging();
    if (config.mode != EngineMode::kMonitor && config.mode != EngineMode::kInline) {
      set_error(error, -1, 0, "the backend reads live ports; mode must be monitor or inline");
      return false;
    }
    size_t port_count = config.ports.size();
    if (port_count == 0 || port_count > kMaxPorts || (config.mode == EngineMode::kInline && port_count != 2)) {
      set_error(error, -1, 0, "%s mode needs %s port(s), got %zu",
                config.mode == EngineMode::kInline ? "inline" : "monitor",
                config.mode == EngineMode::kInline ? "exactly 2" : "1 to 16", port_count);
      return false;
    }
    // Frames are a power of two (ring sizes must be); half receive, half transmit.
    uint32_t frames = round_up_power_of_two(std::clamp(config.ring_frames, kMinRingFrames, kMaxRingFrames));

    // Queues and frame sizes per port, all checked before anything is attached.
    std::vector<std::vector<uint32_t>> queues(port_count);
    std::vector<uint32_t> frame_sizes(port_count);
    interfaces_.clear();
    for (size_t p = 0; p < port_count; ++p) {
      const std::string& interface = config.ports[p].interface;
      interfaces_.push_back(interface);
      int port = static_cast<int>(p);
      if (interface.empty() || interface.size() >= IFNAMSIZ || if_nametoindex(interface.c_str()) == 0) {
        set_error(error, port, interface.empty() ? 0 : errno, "port %d (%s): no such interface", port,
                  interface.c_str());
        return false;
      }
      uint32_t available = count_rx_queues(interface.c_str());
      if (config.ports[p].queues.empty()) {
        for (uint32_t q = 0; q < available; ++q) queues[p].push_back(q);
      } else {
        queues[p] = config.ports[p].queues;
      }
      if (queues[p].empty()) {
        set_error(error, port, 0, "port %d (%s): the interface has no RX queue", port, interface.c_str());
        return false;
      }
      std::vector<bool> listed(available, false);
      for (uint32_t q : queues[p]) {
        if (q >= available || q >= SIGWALL_XDP_MAX_QUEUES) {
          set_error(error, port, 0, "port %d (%s): RX queue %u does not exist (the interface has %u)", port,
                    interface.c_str(), q, available);
          return false;
        }
        if (listed[q]) {
          set_error(error, port, 0, "port %d (%s): RX queue %u is listed twice", port, interface.c_str(), q);
          return false;
        }
        listed[q] = true;
      }
      // Inline, SCTP arriving on a queue without a socket takes the no-engine path: forwarded
      // unjudged (fail-open) or dropped (fail-closed) while the engine runs. Every queue is read.
      if (config.mode == EngineMode::kInline && queues[p].size() < available) {
        set_error(error, port, 0,
                  "port %d (%s): an inline port is read on every RX queue (it has %u, %zu listed): SCTP on "
                  "the others would bypass the engine; list them all, or reduce the queues (ethtool -L %s combined N)",
                  port, interface.c_str(), available, queues[p].size(), interface.c_str());
        return false;
      }
      uint32_t mtu = 1500;
      interface_mtu(interface.c_str(), mtu);
      uint64_t needed = mtu + kEthernetOverhead + XDP_PACKET_HEADROOM;
      if (needed > kLargeFrame) {
        set_error(error, port, 0, "port %d (%s): MTU %u does not fit an AF_XDP frame (at most %u)", port,
                  interface.c_str(), mtu,
                  kLargeFrame - kEthernetOverhead - XDP_PACKET_HEADROOM);
        return false;
      }
      frame_sizes[p] = needed > kSmallFrame ? kLargeFrame : kSmallFrame;
    }

    // Inline: every worker must own a socket on both ports to transmit through.
    size_t most = 0;
    size_t fewest = SIZE_MAX;
    for (const auto& list : queues) {
      most = std::max(most, list.size());
      fewest = std::min(fewest, list.size());
    }
    // A queue is served by one socket and a socket by one worker, so there are at most as many
    // workers as queues (inline: as the smaller port has, so each worker can transmit on both).
    uint32_t most_workers = std::min<uint32_t>(
        static_cast<uint32_t>(config.mode == EngineMode::kInline ? fewest : most), kMaxWorkers);
    uint32_t worker_count = workers == 0 ? most_workers : workers;
    if (worker_count > most_workers) {
      if (config.mode == EngineMode::kInline && fewest != most) {
        set_error(error, -1, 0,
                  "%u workers need a socket on both inline ports, but %s has %zu RX queue(s) and %s %zu: "
                  "give both ports the same queues, or set workers to %u",
                  worker_count, interfaces_[0].c_str(), queues[0].size(), interfaces_[1].c_str(), queues[1].size(),
                  most_workers);
      } else {
        set_error(error, -1, 0,
                  "%u workers but only %u RX queue(s) to serve (one AF_XDP socket per queue): set workers "
                  "to at most %u, or give the port(s) more queues (ethtool -L)",
                  worker_count, most_workers, most_workers);
      }
      return false;
    }

    for (size_t p = 0; p < port_count; ++p) {
      XdpProgramOptions options;
      options.mode = config.mode;
      options.fail_mode = config.fail_mode;
      options.peer_interface = config.mode == EngineMode::kInline ? config.ports[1 - p].interface.c_str() : nullptr;
      options.attach_mode = attach_mode_;
      programs_.push_back(std::make_unique<XdpProgram>());
      if (!programs_.back()->attach(config.ports[p].interface.c_str(), options, error)) {
        error.port = static_cast<int>(p);
        prefix_port(error, p);
        close();
        return false;
      }
    }

    for (uint32_t w = 0; w < worker_count; ++w) {
      workers_.push_back(std::make_unique<AfxdpWorkerIo>(static_cast<uint32_t>(port_count), config.batch, config.idle_spin_ns));
      workers_.back()->set_failure_sink(&failure_, &failure_claimed_, &interfaces_);
    }
    for (size_t p = 0; p < port_count; ++p) {
      for (size_t i = 0; i < queues[p].size(); ++i) {
        auto socket = std::make_unique<XskSocket>();
        if (!open_socket(*socket, static_cast<uint16_t>(p), queues[p][i], frames, frame_sizes[p], error)) {
          close();
          return false;
        }
        workers_[i % worker_count]->add_socket(socket.get());
        sockets_.push_back(std::move(socket));
      }
    }
    return true;
  }

  uint32_t worker_count() const override { return static_cast<uint32_t>(workers_.size()); }
  WorkerIo& worker(uint32_t index) override { return *workers_[index]; }

  void close() override {
    // Sockets first: the kernel removes them from the XSKMAP; then the programs go.
    workers_.clear();
    sockets_.clear();
    for (auto& program : programs_) program->detach();
    programs_.clear();
  }

  const BackendError& error() const override { return failure_; }

  bool xdp_counters(uint16_t port, XdpCounters& out) const override {
    return port < programs_.size() && programs_[port]->read_counters(out);
  }
  bool kernel_counters(uint16_t port, KernelPortCounters& out) const override { return xdp_counters(port, out); }
  bool inherited_kernel_counters(uint16_t port, InheritedKernelCounters& out) const override {
    if (port >= programs_.size()) return false;
    out = programs_[port]->inherited();
    return true;
  }
  const XdpProgram* program(uint16_t port) const override {
    return port < programs_.size() ? programs_[port].get() : nullptr;
  }
  bool zero_copy(uint16_t port) const override {
    for (const auto& socket : sockets_) {
      if (socket->port == port) return socket->zero_copy;
    }
    return false;
  }
  uint32_t socket_count() const override { return static_cast<uint32_t>(sockets_.size()); }
  void set_attach_mode(XdpAttachMode mode) override { attach_mode_ = mode; }

 private:
  // "port N: " in front of an XdpProgram message (which already names the interface).
  static void prefix_port(BackendError& error, size_t port) {
    char prefix[40];
    int prefix_length = snprintf(prefix, sizeof prefix, "port %zu: ", port);
    if (prefix_length <= 0 || static_cast<size_t>(prefix_length) >= sizeof error.message) return;
    size_t kept = strnlen(error.message, sizeof error.message - 1 - prefix_length);
    memmove(error.message + prefix_length, error.message, kept);
    memcpy(error.message, prefix, prefix_length);
    error.message[prefix_length + kept] = 0;
  }

  bool open_socket(XskSocket& socket, uint16_t port, uint32_t queue, uint32_t frames, uint32_t frame_size,
                   BackendError& error) {
    const char* interface = interfaces_[port].c_str();
    socket.port = port;
    socket.queue = queue;
    socket.frame_size = frame_size;
    socket.rx_frames = frames / 2;
    socket.tx_frames = frames / 2;
    socket.area_size = static_cast<size_t>(frames) * frame_size;
    void* area = mmap(nullptr, socket.area_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (area == MAP_FAILED) {
      set_error(error, port, errno, "port %u (%s) queue %u: cannot map %zu bytes of UMEM", port, interface,
                queue, socket.area_size);
      return false;
    }
    socket.area = static_cast<uint8_t*>(area);

    const XdpProgram& program = *programs_[port];
    // Zero-copy needs driver support, which neither the generic hook nor virtual devices have.
    bool try_zero_copy = program.mode() == XdpAttachMode::kNative && !is_virtual_interface(interface);
    int last_error = 0;
    int busy_retries = 0;
    for (int attempt = try_zero_copy ? 0 : 1; attempt < 2; ++attempt) {
      bool zero_copy = attempt == 0;
      xsk_umem_config umem_config{};
      umem_config.fill_size = socket.rx_frames;
      umem_config.comp_size = socket.tx_frames;
      umem_config.frame_size = frame_size;
      umem_config.frame_headroom = 0;
      umem_config.flags = 0;
      int result = xsk_umem__create(&socket.umem, socket.area, socket.area_size, &socket.fill, &socket.completion,
                                    &umem_config);
      if (result != 0) {
        socket.umem = nullptr;
        // UMEM registration pins memory: without CAP_IPC_LOCK it counts against RLIMIT_MEMLOCK.
        set_error(error, port, -result,
                  "port %u (%s) queue %u: cannot register %zu bytes of UMEM (lower ringFrames, or "
                  "run with CAP_IPC_LOCK)",
                  port, interface, queue, socket.area_size);
        return false;
      }
      xsk_socket_config socket_config{};
      socket_config.rx_size = socket.rx_frames;
      socket_config.tx_size = socket.tx_frames;
      socket_config.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;  // our program, not xsk_def_prog
      socket_config.xdp_flags = xdp_flags_for(program.mode());
      socket_config.bind_flags = static_cast<uint16_t>((zero_copy ? XDP_ZEROCOPY : XDP_COPY) | XDP_USE_NEED_WAKEUP);
      result = xsk_socket__create(&socket.socket, interface, queue, socket.umem, &socket.rx, &socket.tx, &socket_config);
      if (result == 0) {
        socket.zero_copy = zero_copy;
        break;
      }
      socket.socket = nullptr;
      last_error = -result;
      xsk_umem__delete(socket.umem);
      socket.umem = nullptr;
      // The kernel lets go of a closed socket's queue asynchronously: right after a stop (a
      // restart in the same process) the queue can be busy for a few milliseconds.
      if (last_error == EBUSY && busy_retries++ < kBusyRetries) {
        usleep(kBusyRetryMicroseconds);
        --attempt;
        continue;
      }
      if (!zero_copy) {
        set_error(error, port, last_error, "port %u (%s) queue %u: cannot create the AF_XDP socket", port,
                  interface, queue);
        return false;
      }
      // Zero-copy refused (driver without XSK support): copy mode next.
    }
    socket.fd = xsk_socket__fd(socket.socket);
    int result = xsk_socket__update_xskmap(socket.socket, program.xsk_map_fd());
    if (result != 0) {
      set_error(error, port, -result, "port %u (%s) queue %u: cannot enter the socket into the XSKMAP", port,
                interface, queue);
      return false;
    }

    // Every receive frame starts in the fill ring; every transmit frame on the free list.
    uint32_t index = 0;
    if (xsk_ring_prod__reserve(&socket.fill, socket.rx_frames, &index) != socket.rx_frames) {
      set_error(error, port, 0, "port %u (%s) queue %u: the fill ring is smaller than expected", port,
                interface, queue);
      return false;
    }
    for (uint32_t i = 0; i < socket.rx_frames; ++i) {
      *xsk_ring_prod__fill_addr(&socket.fill, index + i) = static_cast<uint64_t>(i) * frame_size;
    }
    xsk_ring_prod__submit(&socket.fill, socket.rx_frames);
    socket.tx_free.resize(socket.tx_frames);
    for (uint32_t i = 0; i < socket.tx_frames; ++i) {
      socket.tx_free[i] = static_cast<uint64_t>(socket.rx_frames + i) * frame_size;
    }
    socket.tx_free_count = socket.tx_frames;
    return true;
  }

  std::vector<std::string> interfaces_;
  std::vector<std::unique_ptr<XdpProgram>> programs_;
  std::vector<std::unique_ptr<XskSocket>> sockets_;
  std::vector<std::unique_ptr<AfxdpWorkerIo>> workers_;
  BackendError failure_;
  std::atomic<bool> failure_claimed_{false};
  XdpAttachMode attach_mode_ = XdpAttachMode::kAuto;
};

}  // namespace

std::unique_ptr<AfxdpBackend> make_afxdp_backend_with_extras() { return std::make_unique<AfxdpBackendImpl>(); }

std::unique_ptr<Backend> make_afxdp_backend() { return make_afxdp_backend_with_extras(); }

}  // namespace sigwall::live
