// The afpacket backend: one AF_PACKET socket per (worker, port), each with a TPACKET_V3 RX ring
// and a TX ring mapped together (Documentation/networking/packet_mmap.rst). With several
// workers, the sockets of one port form a PACKET_FANOUT_HASH group. The fanout hash is
// __skb_get_hash_symmetric() (net/packet/af_packet.c, fanout_demux_hash), computed from the flow
// dissector's addresses and ports (SCTP included: proto_ports_offset) with one boot-time seed, so
// both directions of an association get the same hash on every port; each port's sockets join
// their group in worker order, so member i is worker i on every port and the two directions of
// an association meet in one worker. The live rig test (live_afpacket_test.cc) checks this.
//
// Socket options, each for a reason measured on veth (../shared/RIG.md):
//   PACKET_IGNORE_OUTGOING: without it a port's socket also receives what the bridge sends on it;
//   PACKET_QDISC_BYPASS: frames go straight to the driver (the bridge is the only sender);
//   PACKET_LOSS: a frame the kernel refuses in the TX ring is skipped instead of blocking it;
//   PACKET_AUXDATA: VLAN metadata (in the V3 header: tp_vlan_tci/tpid with TP_STATUS_VLAN_VALID);
//   promiscuous membership: a bridge port must see frames for every MAC.
// Ring drops come from PACKET_STATISTICS (tp_drops; the kernel resets it on each read, so it is
// accumulated here).
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "backend.h"

namespace sigwall::live {

namespace {

constexpr uint32_t kRxFrameSize = 2048;         // nominal: V3 packs frames of any size into blocks
constexpr uint32_t kTxDataOffset = TPACKET_ALIGN(sizeof(tpacket3_hdr));  // frame data in a TX slot
constexpr uint32_t kRxBlockSize = 64u << 10;
constexpr uint32_t kRetireBlockTimeoutMs = 1;    // a partly filled block is handed over after 1 ms

uint32_t round_up(uint32_t value, uint32_t multiple) { return (value + multiple - 1) / multiple * multiple; }

struct PortRing {
  int fd = -1;
  int ifindex = 0;
  uint8_t* map = nullptr;
  size_t map_size = 0;
  // RX (TPACKET_V3 blocks).
  uint8_t* rx = nullptr;
  uint32_t block_size = 0;
  uint32_t block_count = 0;
  uint32_t block = 0;           // the block being read
  bool in_block = false;        // `block` was opened and has `remaining` packets left
  uint32_t remaining = 0;
  const uint8_t* next_packet = nullptr;
  std::vector<uint32_t> to_release;  // blocks read to the end in this burst (capacity block_count)
  uint64_t frames = 0;          // per-port frame number for this worker
  // TX (fixed-size slots).
  uint8_t* tx = nullptr;
  uint32_t tx_frame_size = 0;
  uint32_t tx_frame_count = 0;
  uint32_t tx_next = 0;
  bool tx_pending = false;
  uint64_t drops = 0;
};

class AfPacketWorkerIo final : public WorkerIo {
 public:
  explicit AfPacketWorkerIo(uint32_t ports) : rings_(ports), pollfds_(ports) {}
  ~AfPacketWorkerIo() override { close_all(); }

  std::vector<PortRing>& rings() { return rings_; }

  uint32_t receive(PacketRef* refs, uint32_t max, int timeout_ms) override {
    uint32_t count = collect(refs, max);
    if (count == 0 && timeout_ms > 0) {
      for (size_t p = 0; p < rings_.size(); ++p) pollfds_[p] = pollfd{rings_[p].fd, POLLIN | POLLERR, 0};
      const int ready = poll(pollfds_.data(), pollfds_.size(), timeout_ms);
      if (ready < 0 && errno != EINTR) fail(-1, errno, "poll");
      for (size_t p = 0; p < rings_.size(); ++p) {
        // POLLERR on a packet socket: the device went down (ENETDOWN; the kernel re-attaches the
        // socket when it comes back up, so a link flap is only counted) or was unregistered
        // (the interface is gone: the engine fails and says which port).
        if (ready > 0 && (pollfds_[p].revents & (POLLERR | POLLNVAL))) {
          int socket_error = 0;
          socklen_t length = sizeof socket_error;
          getsockopt(rings_[p].fd, SOL_SOCKET, SO_ERROR, &socket_error, &length);  // also clears it
          char name[IF_NAMESIZE];
          if ((pollfds_[p].revents & POLLNVAL) || if_indextoname(static_cast<unsigned>(rings_[p].ifindex), name) == nullptr)
            fail(static_cast<int>(p), socket_error ? socket_error : ENODEV, "interface went away");
        }
      }
      count = collect(refs, max);
    }
    return count;
  }

  void release() override {
    for (PortRing& ring : rings_) {
      for (uint32_t block : ring.to_release) {
        auto* descriptor = reinterpret_cast<tpacket_block_desc*>(ring.rx + static_cast<size_t>(block) * ring.block_size);
        __atomic_store_n(&descriptor->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
      }
      ring.to_release.clear();
    }
  }

  bool transmit(uint16_t port, const uint8_t* frame, uint32_t length) override {
    if (port >= rings_.size()) return count_tx_error();
    PortRing& ring = rings_[port];
    if (ring.tx_frame_count == 0 || length > ring.tx_frame_size - kTxDataOffset) return count_tx_error();
    auto* slot = reinterpret_cast<tpacket3_hdr*>(ring.tx + static_cast<size_t>(ring.tx_next) * ring.tx_frame_size);
    if (__atomic_load_n(&slot->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE) {
      // The ring is full of frames the kernel has not sent yet: push them, then look again.
      if (ring.tx_pending) kick(ring);
      if (__atomic_load_n(&slot->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE) return count_tx_error();
    }
    std::memcpy(reinterpret_cast<uint8_t*>(slot) + kTxDataOffset, frame, length);
    slot->tp_len = length;
    slot->tp_snaplen = length;
    slot->tp_next_offset = 0;
    __atomic_store_n(&slot->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
    ring.tx_next = ring.tx_next + 1 == ring.tx_frame_count ? 0 : ring.tx_next + 1;
    ring.tx_pending = true;
    return true;
  }

  void flush() override {
    for (PortRing& ring : rings_)
      if (ring.tx_pending) kick(ring);
  }

  void stats(IoStats& out) override {
    for (PortRing& ring : rings_) {
      tpacket_stats_v3 stats{};
      socklen_t length = sizeof stats;
      if (getsockopt(ring.fd, SOL_PACKET, PACKET_STATISTICS, &stats, &length) == 0) ring.drops += stats.tp_drops;
    }
    uint64_t drops = 0;
    for (const PortRing& ring : rings_) drops += ring.drops;
    out.ring_drops = drops;
    out.tx_errors = tx_errors_;
    out.replay_loops = 0;
  }

  IoState state() const override { return state_; }
  const BackendError& error() const { return error_; }

  void close_all() {
    for (PortRing& ring : rings_) {
      if (ring.map) munmap(ring.map, ring.map_size);
      if (ring.fd >= 0) ::close(ring.fd);
      ring = PortRing{};
    }
  }

 private:
  // Takes packets from the rings, port after port, starting where the last burst stopped.
  uint32_t collect(PacketRef* refs, uint32_t max) {
    uint32_t count = 0;
    const uint32_t ports = static_cast<uint32_t>(rings_.size());
    for (uint32_t i = 0; i < ports && count < max; ++i) {
      const uint32_t p = (first_port_ + i) % ports;
      count += collect_port(p, refs + count, max - count);
    }
    first_port_ = ports ? (first_port_ + 1) % ports : 0;
    return count;
  }

  uint32_t collect_port(uint32_t port, PacketRef* refs, uint32_t max) {
    PortRing& ring = rings_[port];
    uint32_t count = 0;
    while (count < max) {
      if (!ring.in_block) {
        auto* descriptor = reinterpret_cast<tpacket_block_desc*>(ring.rx + static_cast<size_t>(ring.block) * ring.block_size);
        if (!(__atomic_load_n(&descriptor->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) break;
        // The release list never holds a block twice: a block is only reopened after the kernel
        // had it back, and release() runs after every burst.
        if (ring.to_release.size() == ring.block_count) break;
        ring.in_block = true;
        ring.remaining = descriptor->hdr.bh1.num_pkts;
        ring.next_packet = reinterpret_cast<const uint8_t*>(descriptor) + descriptor->hdr.bh1.offset_to_first_pkt;
      }
      if (ring.remaining > 0) {
        const auto* header = reinterpret_cast<const tpacket3_hdr*>(ring.next_packet);
        PacketRef& ref = refs[count++];
        ref.data = ring.next_packet + header->tp_mac;
        ref.length = header->tp_snaplen;
        ref.original_length = header->tp_len;
        ref.timestamp_ns = static_cast<uint64_t>(header->tp_sec) * 1000000000ull + header->tp_nsec;
        ref.frame = ++ring.frames;
        ref.link_type = 1;
        ref.port = static_cast<uint16_t>(port);
        uint16_t flags = 0;
        const uint32_t status = header->tp_status;
        if (status & TP_STATUS_VLAN_VALID) {
          flags |= kVlanStripped;
          ref.vlan_tci = header->hv1.tp_vlan_tci;
          ref.vlan_tpid = (status & TP_STATUS_VLAN_TPID_VALID) ? header->hv1.tp_vlan_tpid : 0x8100;
        } else {
          ref.vlan_tci = 0;
          ref.vlan_tpid = 0;
        }
        if (status & TP_STATUS_CSUMNOTREADY) flags |= kChecksumNotReady;
        if (header->tp_snaplen < header->tp_len) flags |= kTruncated;
        ref.flags = flags;
        --ring.remaining;
        ring.next_packet += header->tp_next_offset;
      }
      if (ring.remaining == 0) {
        ring.to_release.push_back(ring.block);  // capacity reserved at open: no allocation
        ring.block = ring.block + 1 == ring.block_count ? 0 : ring.block + 1;
        ring.in_block = false;
      }
    }
    return count;
  }

  // Asks the kernel to send every frame marked TP_STATUS_SEND_REQUEST. When the socket's send
  // buffer is full (frames still in flight: EAGAIN/ENOBUFS) the frames stay in the ring and
  // tx_pending stays set, so that the next flush (the worker flushes when idle too) tries again.
  void kick(PortRing& ring) {
    if (send(ring.fd, nullptr, 0, MSG_DONTWAIT) >= 0) {
      ring.tx_pending = false;
      return;
    }
    if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR) return;
    ++tx_errors_;
    ring.tx_pending = false;
  }

  bool count_tx_error() {
    ++tx_errors_;
    return false;
  }

  void fail(int port, int error_number, const char* what) {
    if (state_ == IoState::kFailed) return;
    error_.port = port;
    error_.error_number = error_number;
    std::snprintf(error_.message, sizeof error_.message, "%s: %s", what, std::strerror(error_number));
    state_ = IoState::kFailed;
  }

  std::vector<PortRing> rings_;
  std::vector<pollfd> pollfds_;
  uint32_t first_port_ = 0;
  uint64_t tx_errors_ = 0;
  // Written by the worker, read by the control thread (Backend::error()).
  std::atomic<IoState> state_{IoState::kRunning};
  BackendError error_;
};

class AfPacketBackend final : public Backend {
 public:
  ~AfPacketBackend() override { close(); }
  const char* name() const override { return "afpacket"; }

  bool open(const LiveConfig& config, uint32_t workers, BackendError& error) override {
    close();
    const uint32_t ports = static_cast<uint32_t>(config.ports.size());
    std::vector<int> ifindex(ports);
    for (uint32_t p = 0; p < ports; ++p) {
      ifindex[p] = static_cast<int>(if_nametoindex(config.ports[p].interface.c_str()));
      if (ifindex[p] == 0) return fail(error, p, errno ? errno : ENODEV, "no such interface");
    }
    for (uint32_t w = 0; w < workers; ++w) workers_.push_back(std::make_unique<AfPacketWorkerIo>(ports));
    for (uint32_t p = 0; p < ports; ++p) {
      uint32_t fanout_id = 0;
      for (uint32_t w = 0; w < workers; ++w) {
        // Worker order within each port's group: member w is worker w on every port.
        if (!open_socket(config, p, ifindex[p], workers_[w]->rings()[p], error)) return false;
        if (workers > 1 && !join_fanout(workers_[w]->rings()[p].fd, p, w == 0, fanout_id, error)) return false;
      }
    }
    return true;
  }

  uint32_t worker_count() const override { return static_cast<uint32_t>(workers_.size()); }
  WorkerIo& worker(uint32_t index) override { return *workers_[index]; }

  void close() override {
    for (auto& worker : workers_) worker->close_all();
    workers_.clear();
  }

  const BackendError& error() const override {
    for (const auto& worker : workers_)
      if (worker->state() == IoState::kFailed) return worker->error();
    return no_error_;
  }

 private:
  bool fail(BackendError& error, uint32_t port, int error_number, const char* what) {
    error.port = static_cast<int>(port);
    error.error_number = error_number;
    const char* hint = error_number == EPERM || error_number == EACCES ? " (needs CAP_NET_RAW and CAP_NET_ADMIN: run as root)" : "";
    std::snprintf(error.message, sizeof error.message, "port %u: %s: %s%s", port, what, std::strerror(error_number), hint);
    close();
    return false;
  }

  bool set_option(int fd, int option, int value) { return setsockopt(fd, SOL_PACKET, option, &value, sizeof value) == 0; }

  bool open_socket(const LiveConfig& config, uint32_t port, int ifindex, PortRing& ring, BackendError& error) {
    ring.ifindex = ifindex;
    ring.fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (ring.fd < 0) return fail(error, port, errno, "socket(AF_PACKET)");
    // The interface MTU sizes the TX slots (a frame plus one VLAN tag must fit).
    ifreq request{};
    std::snprintf(request.ifr_name, sizeof request.ifr_name, "%s", config.ports[port].interface.c_str());
    uint32_t mtu = 1500;
    if (ioctl(ring.fd, SIOCGIFMTU, &request) == 0 && request.ifr_mtu > 0) mtu = static_cast<uint32_t>(request.ifr_mtu);

    if (!set_option(ring.fd, PACKET_VERSION, TPACKET_V3)) return fail(error, port, errno, "PACKET_VERSION TPACKET_V3");
    if (!set_option(ring.fd, PACKET_LOSS, 1)) return fail(error, port, errno, "PACKET_LOSS");

    // The ring holds ring_frames nominal 2 KiB frames, cut into 64 KiB blocks. At low rates the
    // kernel retires a block after 1 ms however few frames it holds, so the number of blocks,
    // not their size, is what bounds how long a worker may stall before frames are dropped:
    // many small blocks rather than a few large ones (a block still holds any frame up to
    // 64 KiB, above every MTU the appliance runs with GRO off).
    const uint32_t frames = config.ring_frames < 64 ? 64 : config.ring_frames;
    const uint32_t total = frames * kRxFrameSize;
    ring.block_size = kRxBlockSize;
    ring.block_count = total / ring.block_size < 8 ? 8 : total / ring.block_size;
    tpacket_req3 rx{};
    rx.tp_block_size = ring.block_size;
    rx.tp_block_nr = ring.block_count;
    rx.tp_frame_size = kRxFrameSize;
    rx.tp_frame_nr = (ring.block_size / kRxFrameSize) * ring.block_count;
    rx.tp_retire_blk_tov = kRetireBlockTimeoutMs;
    if (setsockopt(ring.fd, SOL_PACKET, PACKET_RX_RING, &rx, sizeof rx) != 0) return fail(error, port, errno, "PACKET_RX_RING");

    // Only an inline bridge transmits: monitor ports get no TX ring at all.
    const bool transmits = config.mode == EngineMode::kInline;
    uint32_t tx_frame = 2048;
    while (tx_frame < kTxDataOffset + mtu + 14 + 4) tx_frame <<= 1;
    const uint32_t tx_block = tx_frame > (64u << 10) ? tx_frame : (64u << 10);
    const uint32_t per_block = tx_block / tx_frame;
    const uint32_t tx_frames = round_up(frames / 4 < 64 ? 64 : frames / 4, per_block);
    tpacket_req3 tx{};  // retire timeout, private area and feature word must be 0 for TX
    if (transmits) {
      tx.tp_block_size = tx_block;
      tx.tp_block_nr = tx_frames / per_block;
      tx.tp_frame_size = tx_frame;
      tx.tp_frame_nr = tx_frames;
      if (setsockopt(ring.fd, SOL_PACKET, PACKET_TX_RING, &tx, sizeof tx) != 0) return fail(error, port, errno, "PACKET_TX_RING");
      ring.tx_frame_size = tx_frame;
      ring.tx_frame_count = tx_frames;
    }

    const size_t rx_bytes = static_cast<size_t>(ring.block_size) * ring.block_count;
    ring.map_size = rx_bytes + static_cast<size_t>(tx_block) * tx.tp_block_nr;
    // Locked and populated so that no page fault lands on the hot path; without CAP_IPC_LOCK and
    // above RLIMIT_MEMLOCK the lock is refused and the ring is mapped unlocked.
    void* map = mmap(nullptr, ring.map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED | MAP_POPULATE, ring.fd, 0);
    if (map == MAP_FAILED && (errno == EAGAIN || errno == EPERM || errno == ENOMEM))
      map = mmap(nullptr, ring.map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd, 0);
    if (map == MAP_FAILED) return fail(error, port, errno, "mmap of the packet rings");
    ring.map = static_cast<uint8_t*>(map);
    ring.rx = ring.map;
    ring.tx = ring.map + rx_bytes;
    ring.to_release.reserve(ring.block_count);

    // The TX ring's frames are charged to the socket's send buffer until the device is done
    // with them: size it to the ring, or a default-sized buffer throttles the ring to a few
    // hundred frames in flight (root may exceed wmem_max).
    if (transmits) {
      int send_buffer = static_cast<int>(static_cast<size_t>(tx_block) * tx.tp_block_nr * 2);
      if (setsockopt(ring.fd, SOL_SOCKET, SO_SNDBUFFORCE, &send_buffer, sizeof send_buffer) != 0)
        setsockopt(ring.fd, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
    }
    if (!set_option(ring.fd, PACKET_IGNORE_OUTGOING, 1)) return fail(error, port, errno, "PACKET_IGNORE_OUTGOING");
    if (!set_option(ring.fd, PACKET_AUXDATA, 1)) return fail(error, port, errno, "PACKET_AUXDATA");
    if (!set_option(ring.fd, PACKET_QDISC_BYPASS, 1)) return fail(error, port, errno, "PACKET_QDISC_BYPASS");

    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = ifindex;
    if (bind(ring.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return fail(error, port, errno, "bind");

    packet_mreq membership{};
    membership.mr_ifindex = ifindex;
    membership.mr_type = PACKET_MR_PROMISC;
    if (setsockopt(ring.fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &membership, sizeof membership) != 0)
      return fail(error, port, errno, "promiscuous mode");
    return true;
  }

  // The first socket of a port asks the kernel for a group id no one else uses
  // (PACKET_FANOUT_FLAG_UNIQUEID) and reads it back; the others join that id.
  bool join_fanout(int fd, uint32_t port, bool first, uint32_t& id, BackendError& error) {
    int value = first ? static_cast<int>((PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID) << 16)
                      : static_cast<int>(id | (PACKET_FANOUT_HASH << 16));
    if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &value, sizeof value) != 0) return fail(error, port, errno, "PACKET_FANOUT");
    if (first) {
      uint32_t current = 0;
      socklen_t length = sizeof current;
      if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &current, &length) != 0) return fail(error, port, errno, "PACKET_FANOUT id");
      id = current & 0xFFFF;
    }
    return true;
  }

  std::vector<std::unique_ptr<AfPacketWorkerIo>> workers_;
  BackendError no_error_;
};

}  // namespace

std::unique_ptr<Backend> make_afpacket_backend() { return std::make_unique<AfPacketBackend>(); }

}  // namespace sigwall::live
