// The afpacket backend on real interfaces: veth pairs inside a network namespace the test
// creates (unshare(CLONE_NEWNET) on a thread of its own, so nothing outside it is touched and
// everything, veths included, disappears when the thread and its sockets are gone). Needs root
// (CAP_NET_ADMIN for the veths, CAP_NET_RAW for the packet sockets); CI runs the native lane as
// root. The A <-> sigwall <-> B end-to-end tests with real SCTP peers are the TS rig's
// (test/live/).
//
//   a0 ==veth== a1 [sigwall: a1 external, b1 internal] b1 ==veth== b0
#include <gtest/gtest.h>

#include "privileged_test.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "live/engine.h"
#include "live_test_support.h"
#include "sctp/crc32c.h"

namespace sigwall::live {
namespace {

using namespace sigwall::live::testing;
using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;

// Runs `body` on a thread inside a new, empty network namespace. Returns false (with why) when
// this process may not create one.
bool in_new_netns(const std::function<void()>& body, std::string& why) {
  bool ok = true;
  std::thread thread([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      ok = false;
      why = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
      return;
    }
    body();
  });
  thread.join();
  return ok;
}

// `ip` runs in the calling thread's namespace (fork copies it).
bool sh(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

bool make_veth(const char* a, const char* b) {
  return sh(std::string("ip link add ") + a + " type veth peer name " + b) && sh(std::string("ip link set ") + a + " up") &&
         sh(std::string("ip link set ") + b + " up");
}

// A raw packet socket on one interface, for injecting frames and reading what comes out.
class Tap {
 public:
  explicit Tap(const char* interface) {
    fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd_ < 0) return;
    int one = 1;
    setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);  // not our own sends
    setsockopt(fd_, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one);          // stripped VLAN tags
    int buffer = 8 << 20;
    // All frames of a run are read after they were sent: above rmem_max (root may force it).
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) != 0)
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = static_cast<int>(if_nametoindex(interface));
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~Tap() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  bool send(const Bytes& frame) { return ::send(fd_, frame.data(), frame.size(), 0) == static_cast<ssize_t>(frame.size()); }
  // Everything that arrives until `quiet_ms` pass without a frame, as it was on the wire: a VLAN
  // tag the kernel moved into metadata (PACKET_AUXDATA) is put back in front of the EtherType.
  std::vector<Bytes> receive_until_quiet(int quiet_ms) {
    std::vector<Bytes> frames;
    Bytes buffer(70000);
    alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(tpacket_auxdata))];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, quiet_ms) <= 0) return frames;
      iovec io{buffer.data(), buffer.size()};
      msghdr message{};
      message.msg_iov = &io;
      message.msg_iovlen = 1;
      message.msg_control = control;
      message.msg_controllen = sizeof control;
      const ssize_t n = recvmsg(fd_, &message, 0);
      if (n <= 0) continue;
      Bytes frame(buffer.begin(), buffer.begin() + n);
      for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA || frame.size() < 12) continue;
        tpacket_auxdata aux;
        std::memcpy(&aux, CMSG_DATA(c), sizeof aux);
        if (!(aux.tp_status & TP_STATUS_VLAN_VALID)) continue;
        const uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : 0x8100;
        const uint8_t tag[4] = {static_cast<uint8_t>(tpid >> 8), static_cast<uint8_t>(tpid),
                                static_cast<uint8_t>(aux.tp_vlan_tci >> 8), static_cast<uint8_t>(aux.tp_vlan_tci)};
        frame.insert(frame.begin() + 12, tag, tag + 4);
      }
      frames.push_back(std::move(frame));
    }
  }

 private:
  int fd_ = -1;
};

Bytes arp_request(uint8_t last) {
  Bytes frame = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, last, 0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1,
                 0x02, 0, 0, 0, 0, last, 10, 99, 0, last, 0, 0, 0, 0, 0, 0, 10, 99, 0, 200};
  frame.resize(60, 0);
  return frame;
}

// An Ethernet/IPv4/SCTP frame with one DATA chunk (PPID 3, a few bytes of user data) between
// two endpoints; CRC32c and IP checksum correct.
Bytes sctp_frame(uint32_t src_ip, uint32_t dst_ip, uint16_t src_port, uint16_t dst_port, uint32_t tsn) {
  Bytes sctp = {static_cast<uint8_t>(src_port >> 8), static_cast<uint8_t>(src_port), static_cast<uint8_t>(dst_port >> 8),
                static_cast<uint8_t>(dst_port), 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0,
                // DATA, B|E, length 16 + 8
                0x00, 0x03, 0x00, 0x18, static_cast<uint8_t>(tsn >> 24), static_cast<uint8_t>(tsn >> 16),
                static_cast<uint8_t>(tsn >> 8), static_cast<uint8_t>(tsn), 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
                // user data: an M3UA header too short to be a message (decoded as malformed)
                0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x08};
  const uint32_t crc = crc32c(sctp.data(), sctp.size());
  for (int i = 0; i < 4; ++i) sctp[8 + i] = static_cast<uint8_t>(crc >> (8 * i));
  const uint16_t total = static_cast<uint16_t>(20 + sctp.size());
  Bytes ip = {0x45, 0, static_cast<uint8_t>(total >> 8), static_cast<uint8_t>(total), 0, 1, 0x40, 0, 64, 132, 0, 0,
              static_cast<uint8_t>(src_ip >> 24), static_cast<uint8_t>(src_ip >> 16), static_cast<uint8_t>(src_ip >> 8),
              static_cast<uint8_t>(src_ip), static_cast<uint8_t>(dst_ip >> 24), static_cast<uint8_t>(dst_ip >> 16),
              static_cast<uint8_t>(dst_ip >> 8), static_cast<uint8_t>(dst_ip)};
  uint32_t sum = 0;
  for (size_t i = 0; i < 20; i += 2) sum += (ip[i] << 8) | ip[i + 1];
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  ip[10] = static_cast<uint8_t>(~sum >> 8);
  ip[11] = static_cast<uint8_t>(~sum);
  Bytes frame = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00};
  frame.insert(frame.end(), ip.begin(), ip.end());
  frame.insert(frame.end(), sctp.begin(), sctp.end());
  return frame;
}

uint64_t sum_slot(const std::vector<uint64_t>& counters, const CounterLayout& layout, CounterSlot slot) {
  uint64_t total = 0;
  for (uint32_t w = 0; w < layout.workers; ++w)
    total += __atomic_load_n(&counters[w * layout.stride + static_cast<uint32_t>(slot)], __ATOMIC_RELAXED);
  return total;
}

void drain_all(LiveEngine& engine, std::vector<EventRecord>& events) {
  Bytes buffer(64 * kEventRecordSize);
  for (;;) {
    const uint32_t n = engine.drain_events(buffer.data(), 64);
    for (uint32_t i = 0; i < n; ++i) {
      EventRecord record;
      std::memcpy(&record, buffer.data() + static_cast<size_t>(i) * kEventRecordSize, kEventRecordSize);
      events.push_back(record);
    }
    if (n == 0) return;
  }
}

TEST(LiveAfPacket, AnUnknownInterfaceIsReportedWithItsName) {
  LiveConfig config;
  config.backend = BackendKind::kAfPacket;
  config.mode = EngineMode::kMonitor;
  config.ports = {PortConfig{"sigwallnone0", PortRole::kMonitor, {}}};
  LiveEngine engine(config);
  EngineError error;
  ASSERT_TRUE(engine.load_table(view(opcode_table(0)), error));
  std::vector<uint64_t> counters(counter_layout(engine.rule_capacity(), engine.workers()).size);
  EXPECT_FALSE(engine.start(counters.data(), counters.size(), error));
  EXPECT_EQ(error.code, "SIGWALL_ERR_ENGINE");
  EXPECT_EQ(error.port, "sigwallnone0");
  EXPECT_NE(error.message.find("No such device"), std::string::npos) << error.message;
}

TEST(LiveAfPacket, InlineBridgeForwardsAllowedAndNonSctpFramesByteForByteAndDropsTheRest) {
  SIGWALL_REQUIRE_ROOT("needs root (network namespace, veth, packet sockets)");
  const Bytes capture = demo_capture();
  const Bytes image = opcode_table(0);
  auto table = load_table(image);
  const Reference reference = reference_of(capture, *table, table::IngressSide::kExternal);
  std::vector<Bytes> frames;
  {
    CaptureReader reader;
    CaptureError error;
    reader.open(view(capture), error);
    CaptureFrame frame;
    while (reader.next(frame, error)) frames.emplace_back(frame.bytes.data, frame.bytes.data + frame.bytes.size);
  }
  std::string why;
  const bool ran = in_new_netns(
      [&] {
        ASSERT_TRUE(sh("ip link set lo up"));
        sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1");
        sh("sysctl -qw net.ipv6.conf.default.disable_ipv6=1");
        ASSERT_TRUE(make_veth("a0", "a1"));
        ASSERT_TRUE(make_veth("b0", "b1"));

        LiveConfig config;
        config.backend = BackendKind::kAfPacket;
        config.mode = EngineMode::kInline;
        config.ports = {PortConfig{"a1", PortRole::kExternal, {}}, PortConfig{"b1", PortRole::kInternal, {}}};
        config.ring_frames = 4096;  // the appliance default
        config.batch = 32;
        LiveEngine engine(config);
        EngineError error;
        ASSERT_TRUE(engine.load_table(view(image), error)) << error.message;
        ASSERT_EQ(engine.workers(), 1u) << "veth defaults to one RX queue";
        const CounterLayout layout = counter_layout(engine.rule_capacity(), engine.workers());
        std::vector<uint64_t> counters(layout.size);
        ASSERT_TRUE(engine.start(counters.data(), counters.size(), error)) << error.message;

        Tap a(("a0")), b(("b0"));
        ASSERT_TRUE(a.ok() && b.ok());
        for (const Bytes& frame : frames) {
          ASSERT_TRUE(a.send(frame));
          std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        ASSERT_TRUE(a.send(arp_request(1)));   // external -> internal
        ASSERT_TRUE(b.send(arp_request(2)));   // internal -> external
        const std::vector<Bytes> at_b = b.receive_until_quiet(500);
        const std::vector<Bytes> at_a = a.receive_until_quiet(200);
        std::vector<EventRecord> events;
        drain_all(engine, events);
        engine.stop();
        EXPECT_EQ(engine.state(), EngineState::kStopped);

        std::multiset<Bytes> expected_at_b;
        uint64_t dropped = 0;
        for (size_t i = 0; i < frames.size(); ++i) {
          if (reference.frame_dropped.at(i + 1)) ++dropped;
          else expected_at_b.insert(frames[i]);
        }
        expected_at_b.insert(arp_request(1));
        std::multiset<Bytes> received_at_b(at_b.begin(), at_b.end());
        // Whatever else the kernel sends on b1 (none with IPv6 off) is not ours to judge; every
        // frame we sent must arrive exactly once if allowed, never if it carried a drop.
        for (size_t i = 0; i < frames.size(); ++i) {
          const size_t sent = std::count(frames.begin(), frames.end(), frames[i]);
          const size_t arrived = received_at_b.count(frames[i]);
          if (reference.frame_dropped.at(i + 1)) EXPECT_EQ(arrived, 0u) << "frame " << i + 1 << " carries a dropped message";
          else EXPECT_EQ(arrived, sent) << "frame " << i + 1 << " (" << frames[i].size() << " bytes) is allowed";
        }
        EXPECT_EQ(received_at_b.count(arp_request(1)), 1u) << "ARP is bridged external -> internal";
        EXPECT_EQ(std::count(at_a.begin(), at_a.end(), arp_request(2)), 1) << "ARP is bridged internal -> external";
        ASSERT_GT(dropped, 0u);
        EXPECT_EQ(sum_slot(counters, layout, CounterSlot::kDroppedPackets), dropped);
        EXPECT_EQ(sum_slot(counters, layout, CounterSlot::kForwardedPackets), frames.size() - dropped + 2);
        EXPECT_EQ(sum_slot(counters, layout, CounterSlot::kMessages), reference.messages.size());
        EXPECT_EQ(sum_slot(counters, layout, CounterSlot::kVerdictDrop), reference.verdicts[1]);
        EXPECT_EQ(sum_slot(counters, layout, CounterSlot::kRingDrops), 0u);
        EXPECT_EQ(sum_slot(counters, layout, CounterSlot::kTxErrors), 0u);
        EXPECT_EQ(events.size(), reference.events[0] + reference.events[1] + reference.events[2] + reference.events[3]);
      },
      why);
  if (!ran) SIGWALL_SKIP_OR_FAIL_UNDER_CI(why);
}

TEST(LiveAfPacket, FanoutHashSendsBothDirectionsOfAnAssociationToOneWorker) {
  SIGWALL_REQUIRE_ROOT("needs root (network namespace, veth, packet sockets)");
  std::string why;
  const bool ran = in_new_netns(
      [&] {
        ASSERT_TRUE(sh("ip link set lo up"));
        sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1");
        sh("sysctl -qw net.ipv6.conf.default.disable_ipv6=1");
        ASSERT_TRUE(make_veth("m0", "m1"));

        LiveConfig config;
        config.backend = BackendKind::kAfPacket;
        config.mode = EngineMode::kMonitor;
        config.ports = {PortConfig{"m1", PortRole::kMonitor, {}}};
        config.workers = 2;
        config.ring_frames = 512;
        LiveEngine engine(config);
        EngineError error;
        // Every message is an event (malformed -> alert), so each one says which worker saw it.
        const Bytes image = opcode_table(0, /*default_action=*/2, /*malformed_action=*/2);
        ASSERT_TRUE(engine.load_table(view(image), error)) << error.message;
        const CounterLayout layout = counter_layout(engine.rule_capacity(), engine.workers());
        std::vector<uint64_t> counters(layout.size);
        ASSERT_TRUE(engine.start(counters.data(), counters.size(), error)) << error.message;

        Tap m(("m0"));
        ASSERT_TRUE(m.ok());
        constexpr int kFlows = 24;
        constexpr int kPerDirection = 4;
        for (int round = 0; round < kPerDirection; ++round) {
          for (int flow = 0; flow < kFlows; ++flow) {
            const uint32_t a = 0x0A630001 + flow, b = 0x0A630101 + 7 * flow;
            const uint16_t pa = static_cast<uint16_t>(2905 + flow), pb = static_cast<uint16_t>(40000 + 13 * flow);
            ASSERT_TRUE(m.send(sctp_frame(a, b, pa, pb, round)));
            ASSERT_TRUE(m.send(sctp_frame(b, a, pb, pa, round)));
          }
        }
        std::vector<EventRecord> events;
        const auto deadline = Clock::now() + std::chrono::seconds(5);
        while (sum_slot(counters, layout, CounterSlot::kPackets) < 2u * kFlows * kPerDirection && Clock::now() < deadline)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        drain_all(engine, events);
        engine.stop();
        drain_all(engine, events);

        EXPECT_EQ(sum_slot(counters, layout, CounterSlot::kPackets), 2u * kFlows * kPerDirection);
        ASSERT_EQ(events.size(), 2u * kFlows * kPerDirection);
        std::map<std::pair<uint32_t, uint32_t>, std::set<uint16_t>> workers_of;  // unordered port pair -> workers
        for (const EventRecord& event : events) {
          const uint32_t low = std::min(event.src_port, event.dst_port), high = std::max(event.src_port, event.dst_port);
          workers_of[{low, high}].insert(event.worker);
        }
        EXPECT_EQ(workers_of.size(), static_cast<size_t>(kFlows));
        std::set<uint16_t> used;
        for (const auto& [flow, workers] : workers_of) {
          EXPECT_EQ(workers.size(), 1u) << "association " << flow.first << "<->" << flow.second << " split over workers";
          used.insert(workers.begin(), workers.end());
        }
        EXPECT_EQ(used.size(), 2u) << "the hash spreads associations over both workers";
      },
      why);
  if (!ran) SIGWALL_SKIP_OR_FAIL_UNDER_CI(why);
}

TEST(LiveAfPacket, ALinkFlapIsSurvivedAndARemovedPortFailsTheEngineNamingIt) {
  SIGWALL_REQUIRE_ROOT("needs root (network namespace, veth, packet sockets)");
  std::string why;
  const bool ran = in_new_netns(
      [&] {
        ASSERT_TRUE(sh("ip link set lo up"));
        ASSERT_TRUE(make_veth("a0", "a1"));
        ASSERT_TRUE(make_veth("b0", "b1"));
        LiveConfig config;
        config.backend = BackendKind::kAfPacket;
        config.mode = EngineMode::kInline;
        config.ports = {PortConfig{"a1", PortRole::kExternal, {}}, PortConfig{"b1", PortRole::kInternal, {}}};
        LiveEngine engine(config);
        EngineError error;
        ASSERT_TRUE(engine.load_table(view(opcode_table(0)), error));
        const CounterLayout layout = counter_layout(engine.rule_capacity(), engine.workers());
        std::vector<uint64_t> counters(layout.size);
        ASSERT_TRUE(engine.start(counters.data(), counters.size(), error)) << error.message;

        // Down and up again: the kernel re-attaches the sockets; the bridge carries on.
        ASSERT_TRUE(sh("ip link set b1 down"));
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        ASSERT_TRUE(sh("ip link set b1 up"));
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        EXPECT_EQ(engine.state(), EngineState::kRunning) << engine.last_error().message;
        {
          Tap a("a0"), b("b0");
          ASSERT_TRUE(a.ok() && b.ok());
          ASSERT_TRUE(a.send(arp_request(7)));
          const std::vector<Bytes> at_b = b.receive_until_quiet(300);
          EXPECT_EQ(std::count(at_b.begin(), at_b.end(), arp_request(7)), 1) << "bridging resumes after the flap";
        }

        // Gone for good: the engine fails and names the port.
        ASSERT_TRUE(sh("ip link del b1"));
        const auto deadline = Clock::now() + std::chrono::seconds(3);
        while (engine.state() == EngineState::kRunning && Clock::now() < deadline)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        EXPECT_EQ(engine.state(), EngineState::kFailed);
        const EngineError failure = engine.last_error();
        EXPECT_EQ(failure.code, "SIGWALL_ERR_ENGINE");
        EXPECT_EQ(failure.port, "b1");
        EXPECT_NE(failure.message.find("went away"), std::string::npos) << failure.message;
        engine.stop();
        EXPECT_EQ(engine.state(), EngineState::kStopped);
      },
      why);
  if (!ran) SIGWALL_SKIP_OR_FAIL_UNDER_CI(why);
}

TEST(LiveAfPacket, WorkersDefaultToTheQueuesOfThePortsInTheEnginesOwnNamespace) {
  SIGWALL_REQUIRE_ROOT("needs root (network namespace, veth)");
  std::string why;
  const bool ran = in_new_netns(
      [&] {
        // sysfs still shows the namespace it was mounted in: the count must not come from there.
        ASSERT_TRUE(sh("ip link add q0 numrxqueues 3 numtxqueues 3 type veth peer name q1 numrxqueues 3 numtxqueues 3"));
        ASSERT_TRUE(sh("ip link add r0 numrxqueues 2 numtxqueues 2 type veth peer name r1 numrxqueues 2 numtxqueues 2"));
        EXPECT_EQ(interface_rx_queues("q1"), 3u);
        EXPECT_EQ(interface_rx_queues("r1"), 2u);
        EXPECT_EQ(interface_rx_queues("sigwallnone0"), 0u);
        LiveConfig config;
        config.backend = BackendKind::kAfPacket;
        config.mode = EngineMode::kMonitor;
        config.ports = {PortConfig{"q1", PortRole::kMonitor, {}}, PortConfig{"r1", PortRole::kMonitor, {}}};
        EXPECT_EQ(LiveEngine(config).workers(), 3u) << "monitor: the most queues of any port";
        config.mode = EngineMode::kInline;
        config.ports = {PortConfig{"q1", PortRole::kExternal, {}}, PortConfig{"r1", PortRole::kInternal, {}}};
        EXPECT_EQ(LiveEngine(config).workers(), 2u) << "inline: a queue on both ports per worker";
        config.ports[0].queues = {0};
        EXPECT_EQ(LiveEngine(config).workers(), 1u) << "configured queues count, not the interface's";
      },
      why);
  if (!ran) SIGWALL_SKIP_OR_FAIL_UNDER_CI(why);
}

}  // namespace
}  // namespace sigwall::live
