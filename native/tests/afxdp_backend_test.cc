// The afxdp backend and sigwall's XDP program on real veth pairs, in a private network namespace
// (afxdp_test_support.h): frames are injected with an AF_PACKET socket on vA or vB and observed
// at the other end or at the backend's sockets. Needs root; compiled only when the build has the
// backend (SIGWALL_HAVE_AFXDP, native/cmake/afxdp.cmake).
#ifdef SIGWALL_HAVE_AFXDP

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "afxdp_test_support.h"
#include "live/afxdp_backend.h"

namespace sigwall::live {
namespace {

using afxdp_testing::Frame;
using afxdp_testing::PacketPort;
using afxdp_testing::run;

// ---- frames -----------------------------------------------------------------------------------

constexpr uint8_t kMacA[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
constexpr uint8_t kMacB[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};

void put16(Frame& frame, uint16_t value) {
  frame.push_back(static_cast<uint8_t>(value >> 8));
  frame.push_back(static_cast<uint8_t>(value));
}

void put_ethernet(Frame& frame, const std::vector<uint16_t>& vlan_tpids, uint16_t ethertype) {
  frame.insert(frame.end(), kMacB, kMacB + 6);  // destination
  frame.insert(frame.end(), kMacA, kMacA + 6);  // source
  uint16_t vid = 100;
  for (uint16_t tpid : vlan_tpids) {
    put16(frame, tpid);
    put16(frame, vid++);  // priority 0, DEI 0, VLAN id
  }
  put16(frame, ethertype);
}

// The transport payload: an SCTP common header (RFC 9260 3.1) and one DATA chunk (3.3.1) whose
// user data is `marker`, so each test recognises its own frame among anything else on the wire.
// The CRC32c stays 0: the XDP program does not verify it (the engine does).
Frame sctp_payload(uint32_t marker) {
  Frame payload;
  put16(payload, 2905);  // source port (M3UA)
  put16(payload, 2905);  // destination port
  for (int i = 0; i < 4; ++i) payload.push_back(0x11);  // verification tag
  for (int i = 0; i < 4; ++i) payload.push_back(0);     // checksum
  payload.push_back(0);      // chunk type DATA
  payload.push_back(0x03);   // flags: B and E (unfragmented)
  put16(payload, 16 + 8);    // chunk length: header 16 + data 8
  for (int i = 0; i < 4; ++i) payload.push_back(0);  // TSN
  put16(payload, 0);         // stream
  put16(payload, 0);         // SSN
  for (int i = 0; i < 3; ++i) payload.push_back(0);
  payload.push_back(3);      // PPID 3 = M3UA
  for (int shift = 24; shift >= 0; shift -= 8) payload.push_back(static_cast<uint8_t>(marker >> shift));
  for (int i = 0; i < 4; ++i) payload.push_back(0x5a);
  return payload;
}

// IPv4 header (RFC 791) with the given protocol and fragment field; the checksum is not checked
// by anything on this path and stays 0.
void put_ipv4(Frame& frame, uint8_t protocol, uint16_t fragment_field, size_t payload_length, uint8_t ihl = 5) {
  frame.push_back(static_cast<uint8_t>(0x40 | ihl));
  frame.push_back(0);
  put16(frame, static_cast<uint16_t>(20 + payload_length));
  put16(frame, 0x1234);          // identification
  put16(frame, fragment_field);  // flags and fragment offset
  frame.push_back(64);
  frame.push_back(protocol);
  put16(frame, 0);
  const uint8_t addresses[8] = {10, 99, 0, 1, 10, 99, 0, 2};
  frame.insert(frame.end(), addresses, addresses + 8);
}

Frame ipv4_frame(uint8_t protocol, uint32_t marker, const std::vector<uint16_t>& vlans = {},
                 uint16_t fragment_field = 0x4000 /* DF */) {
  Frame frame;
  put_ethernet(frame, vlans, ETH_P_IP);
  Frame payload = sctp_payload(marker);
  put_ipv4(frame, protocol, fragment_field, payload.size());
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

Frame sctp_frame(uint32_t marker, const std::vector<uint16_t>& vlans = {}) { return ipv4_frame(132, marker, vlans); }
Frame udp_frame(uint32_t marker) { return ipv4_frame(17, marker); }

// ARP request (RFC 826) for 10.99.0.2 with the marker as the sender address.
Frame arp_frame(uint32_t marker) {
  Frame frame;
  frame.insert(frame.end(), 6, 0xff);
  frame.insert(frame.end(), kMacA, kMacA + 6);
  put16(frame, ETH_P_ARP);
  put16(frame, 1);       // hardware type Ethernet
  put16(frame, 0x0800);  // protocol IPv4
  frame.push_back(6);
  frame.push_back(4);
  put16(frame, 1);  // request
  frame.insert(frame.end(), kMacA, kMacA + 6);
  for (int shift = 24; shift >= 0; shift -= 8) frame.push_back(static_cast<uint8_t>(marker >> shift));
  frame.insert(frame.end(), 6, 0);
  const uint8_t target[4] = {10, 99, 0, 2};
  frame.insert(frame.end(), target, target + 4);
  return frame;
}

// IPv6 (RFC 8200) with a chain of extension headers, each 8 bytes, ending in `last_next_header`.
Frame ipv6_frame(const std::vector<uint8_t>& extension_headers, uint8_t last_next_header, uint32_t marker) {
  Frame frame;
  put_ethernet(frame, {}, ETH_P_IPV6);
  Frame payload = sctp_payload(marker);
  size_t extensions_length = extension_headers.size() * 8;
  put16(frame, 0x6000);
  put16(frame, 0);
  put16(frame, static_cast<uint16_t>(extensions_length + payload.size()));
  frame.push_back(extension_headers.empty() ? last_next_header : extension_headers[0]);
  frame.push_back(64);
  for (int i = 0; i < 32; ++i) frame.push_back(static_cast<uint8_t>(i < 16 ? 0xfd : i));
  for (size_t i = 0; i < extension_headers.size(); ++i) {
    uint8_t next = i + 1 < extension_headers.size() ? extension_headers[i + 1] : last_next_header;
    frame.push_back(next);
    frame.push_back(0);  // Hdr Ext Len 0 (8 bytes); for a Fragment header: reserved
    if (extension_headers[i] == 44) {
      put16(frame, 0x0001);  // fragment offset 0, M flag: a first fragment
      for (int j = 0; j < 4; ++j) frame.push_back(0x77);  // identification
    } else {
      put16(frame, 0x0104);  // PadN option filling the header
      for (int j = 0; j < 4; ++j) frame.push_back(0);
    }
  }
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

uint32_t fresh_marker() {
  static uint32_t counter = 0x5e000000u ^ static_cast<uint32_t>(getpid() << 8);
  return ++counter;
}

// A minimal XDP program of someone else's: "return XDP_PASS", named foreign_pass.
int load_foreign_program() {
  bpf_insn instructions[2] = {};
  instructions[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
  instructions[0].dst_reg = BPF_REG_0;
  instructions[0].imm = XDP_PASS;
  instructions[1].code = BPF_JMP | BPF_EXIT;
  return bpf_prog_load(BPF_PROG_TYPE_XDP, "foreign_pass", "GPL", instructions, 2, nullptr);
}

// An XDP program that passes everything, named like ours (so the loader takes it for a stale
// sigwall_xdp) and using `map_fd` when >= 0 (so the map shows among its map ids): the shapes an
// older or foreign build could leave behind.
int load_program_named_sigwall(int map_fd) {
  bpf_insn instructions[4] = {};
  int count = 0;
  if (map_fd >= 0) {
    // r1 = map (a 16-byte load; BPF_PSEUDO_MAP_FD makes the verifier record the map as used).
    instructions[0].code = BPF_LD | BPF_DW | BPF_IMM;
    instructions[0].dst_reg = BPF_REG_1;
    instructions[0].src_reg = BPF_PSEUDO_MAP_FD;
    instructions[0].imm = map_fd;
    count = 2;
  }
  instructions[count].code = BPF_ALU64 | BPF_MOV | BPF_K;
  instructions[count].dst_reg = BPF_REG_0;
  instructions[count].imm = XDP_PASS;
  instructions[count + 1].code = BPF_JMP | BPF_EXIT;
  return bpf_prog_load(BPF_PROG_TYPE_XDP, SIGWALL_XDP_PROG_NAME, "GPL", instructions, count + 2, nullptr);
}

class AfxdpTest : public afxdp_testing::VethPairsTest {
 protected:
  static LiveConfig inline_config(FailMode fail_mode) {
    LiveConfig config;
    config.backend = BackendKind::kAfXdp;
    config.mode = EngineMode::kInline;
    config.ports = {PortConfig{"mA", PortRole::kExternal, {}}, PortConfig{"mB", PortRole::kInternal, {}}};
    config.fail_mode = fail_mode;
    config.ring_frames = 1024;
    config.batch = 64;
    return config;
  }

  static XdpProgramOptions inline_options(const char* peer, FailMode fail_mode,
                                          XdpAttachMode mode = XdpAttachMode::kAuto) {
    XdpProgramOptions options;
    options.mode = EngineMode::kInline;
    options.fail_mode = fail_mode;
    options.peer_interface = peer;
    options.attach_mode = mode;
    return options;
  }

  // Receives from the worker until a frame equal to `expected` arrives (true) or timeout.
  static bool worker_receives(WorkerIo& io, const Frame& expected, uint16_t port, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    PacketRef refs[64];
    while (std::chrono::steady_clock::now() < deadline) {
      uint32_t count = io.receive(refs, 64, 50);
      for (uint32_t i = 0; i < count; ++i) {
        if (refs[i].port == port && refs[i].length == expected.size() &&
            memcmp(refs[i].data, expected.data(), expected.size()) == 0) {
          io.release();
          return true;
        }
      }
      io.release();
    }
    return false;
  }
};

// ---- the program on its own -------------------------------------------------------------------

// What the program decides per frame, run in the kernel with BPF_PROG_TEST_RUN on a monitor,
// fail-closed instance with no socket: a frame treated as SCTP is dropped, anything else passed.
TEST_F(AfxdpTest, ClassifiesSctpThroughVlansFragmentsAndIpv6ExtensionHeaders) {
  XdpProgram program;
  BackendError error;
  XdpProgramOptions options;
  options.mode = EngineMode::kMonitor;
  options.fail_mode = FailMode::kClosed;
  ASSERT_TRUE(program.attach("mA", options, error)) << error.message;

  struct Case {
    const char* name;
    Frame frame;
    uint32_t expected_action;
    bool unparsed;
  };
  Frame truncated_ipv4;
  put_ethernet(truncated_ipv4, {}, ETH_P_IP);
  truncated_ipv4.insert(truncated_ipv4.end(), {0x45, 0, 0, 40, 0, 0});  // 6 of 20 header bytes
  Frame short_ihl;
  put_ethernet(short_ihl, {}, ETH_P_IP);
  put_ipv4(short_ihl, 17, 0, 0, 4);  // IHL 4 is below the minimum of 5 (RFC 791)
  Frame ethernet_only;  // an IPv4 ethertype and nothing after it
  put_ethernet(ethernet_only, {}, ETH_P_IP);
  // Hop-by-hop, routing, destination options, hop-by-hop, routing, destination options, then a
  // seventh header: one more than the program walks.
  const std::vector<uint8_t> seven_headers = {0, 43, 60, 0, 43, 60, 60};
  const std::vector<Case> cases = {
      {"IPv4 SCTP", sctp_frame(1), XDP_DROP, false},
      {"IPv4 UDP", udp_frame(2), XDP_PASS, false},
      {"ARP", arp_frame(3), XDP_PASS, false},
      {"IPv4 SCTP first fragment (MF)", ipv4_frame(132, 4, {}, 0x2000), XDP_DROP, false},
      {"IPv4 SCTP non-first fragment", ipv4_frame(132, 5, {}, 0x00b9), XDP_DROP, false},
      {"IPv4 UDP non-first fragment", ipv4_frame(17, 6, {}, 0x00b9), XDP_PASS, false},
      {"802.1Q SCTP", sctp_frame(7, {0x8100}), XDP_DROP, false},
      {"802.1ad + 802.1Q SCTP", sctp_frame(8, {0x88a8, 0x8100}), XDP_DROP, false},
      {"0x9100 tag SCTP", sctp_frame(9, {0x9100}), XDP_DROP, false},
      {"802.1Q UDP", ipv4_frame(17, 10, {0x8100}), XDP_PASS, false},
      {"three VLAN tags (beyond the cap)", ipv4_frame(17, 11, {0x88a8, 0x8100, 0x8100}), XDP_DROP, true},
      {"IPv6 SCTP", ipv6_frame({}, 132, 12), XDP_DROP, false},
      {"IPv6 hop-by-hop + SCTP", ipv6_frame({0}, 132, 13), XDP_DROP, false},
      {"IPv6 fragment header + SCTP", ipv6_frame({44}, 132, 14), XDP_DROP, false},
      {"IPv6 routing + destination options + SCTP", ipv6_frame({43, 60}, 132, 15), XDP_DROP, false},
      {"IPv6 UDP", ipv6_frame({}, 17, 16), XDP_PASS, false},
      {"IPv6 hop-by-hop + UDP", ipv6_frame({0}, 17, 17), XDP_PASS, false},
      {"IPv6 ESP", ipv6_frame({}, 50, 18), XDP_PASS, false},
      {"IPv6 seven extension headers (beyond the cap)", ipv6_frame(seven_headers, 17, 19), XDP_DROP, true},
      {"IPv4 header cut short", truncated_ipv4, XDP_DROP, true},
      {"IPv4 IHL below 5", short_ihl, XDP_DROP, true},
      {"IPv4 ethertype without an IP header", ethernet_only, XDP_DROP, true},
  };
  uint64_t expected_unparsed = 0;
  uint64_t expected_dropped = 0;
  uint64_t expected_passed = 0;
  for (const Case& test_case : cases) {
    Frame frame = test_case.frame;
    DECLARE_LIBBPF_OPTS(bpf_test_run_opts, run_options, .data_in = frame.data(),
                        .data_size_in = static_cast<uint32_t>(frame.size()), .repeat = 1);
    ASSERT_EQ(bpf_prog_test_run_opts(program.program_fd(), &run_options), 0) << test_case.name;
    EXPECT_EQ(run_options.retval, test_case.expected_action) << test_case.name;
    expected_unparsed += test_case.unparsed;
    (test_case.expected_action == XDP_DROP ? expected_dropped : expected_passed) += 1;
  }
  XdpCounters counters;
  ASSERT_TRUE(program.read_counters(counters));
  EXPECT_EQ(counters.packets[SIGWALL_XDP_FAIL_CLOSED_DROPPED], expected_dropped);
  EXPECT_EQ(counters.packets[SIGWALL_XDP_NON_SCTP_PASSED], expected_passed);
  EXPECT_EQ(counters.packets[SIGWALL_XDP_UNPARSED_AS_SCTP], expected_unparsed);
  EXPECT_EQ(counters.packets[SIGWALL_XDP_REDIRECTED_TO_XSK], 0u);
}

// Monitor, fail-open, no engine: the host stack gets SCTP as if no program were attached.
TEST_F(AfxdpTest, MonitorFailOpenPassesSctpWithoutEngine) {
  XdpProgram program;
  BackendError error;
  XdpProgramOptions options;
  options.mode = EngineMode::kMonitor;
  options.fail_mode = FailMode::kOpen;
  ASSERT_TRUE(program.attach("mA", options, error)) << error.message;
  Frame frame = sctp_frame(fresh_marker());
  DECLARE_LIBBPF_OPTS(bpf_test_run_opts, run_options, .data_in = frame.data(),
                      .data_size_in = static_cast<uint32_t>(frame.size()), .repeat = 1);
  ASSERT_EQ(bpf_prog_test_run_opts(program.program_fd(), &run_options), 0);
  EXPECT_EQ(run_options.retval, static_cast<uint32_t>(XDP_PASS));
  XdpCounters counters;
  ASSERT_TRUE(program.read_counters(counters));
  EXPECT_EQ(counters.packets[SIGWALL_XDP_FAIL_OPEN_PASSED], 1u);
  EXPECT_EQ(counters.bytes[SIGWALL_XDP_FAIL_OPEN_PASSED], frame.size());
}

class AfxdpModeTest : public AfxdpTest, public ::testing::WithParamInterface<XdpAttachMode> {};

// Inline, fail-open, no engine: SCTP and everything else cross the bridge unchanged both ways.
TEST_P(AfxdpModeTest, InlineFailOpenForwardsSctpWithoutEngine) {
  XdpProgram on_a;
  XdpProgram on_b;
  BackendError error;
  ASSERT_TRUE(on_a.attach("mA", inline_options("mB", FailMode::kOpen, GetParam()), error)) << error.message;
  ASSERT_TRUE(on_b.attach("mB", inline_options("mA", FailMode::kOpen, GetParam()), error)) << error.message;
  EXPECT_EQ(on_a.mode(), GetParam());
  PacketPort host_a("vA");
  PacketPort host_b("vB");
  ASSERT_TRUE(host_a.ok() && host_b.ok());

  Frame sctp = sctp_frame(fresh_marker());
  Frame arp = arp_frame(fresh_marker());
  Frame sctp_back = sctp_frame(fresh_marker());
  ASSERT_TRUE(host_a.send(sctp));
  EXPECT_TRUE(host_b.receive_equal(sctp, 2000)) << "SCTP A->B not forwarded";
  ASSERT_TRUE(host_a.send(arp));
  EXPECT_TRUE(host_b.receive_equal(arp, 2000)) << "ARP A->B not bridged";
  ASSERT_TRUE(host_b.send(sctp_back));
  EXPECT_TRUE(host_a.receive_equal(sctp_back, 2000)) << "SCTP B->A not forwarded";

  XdpCounters counters;
  ASSERT_TRUE(on_a.read_counters(counters));
  EXPECT_EQ(counters.packets[SIGWALL_XDP_FAIL_OPEN_FORWARDED], 1u);
  EXPECT_GE(counters.packets[SIGWALL_XDP_NON_SCTP_BRIDGED], 1u);
  EXPECT_EQ(counters.packets[SIGWALL_XDP_FAIL_CLOSED_DROPPED], 0u);
}

// Inline, fail-closed, no engine: SCTP never arrives; ARP and UDP still cross.
TEST_P(AfxdpModeTest, InlineFailClosedDropsSctpWithoutEngine) {
  XdpProgram on_a;
  XdpProgram on_b;
  BackendError error;
  ASSERT_TRUE(on_a.attach("mA", inline_options("mB", FailMode::kClosed, GetParam()), error)) << error.message;
  ASSERT_TRUE(on_b.attach("mB", inline_options("mA", FailMode::kClosed, GetParam()), error)) << error.message;
  PacketPort host_a("vA");
  PacketPort host_b("vB");
  ASSERT_TRUE(host_a.ok() && host_b.ok());

  Frame sctp = sctp_frame(fresh_marker());
  Frame udp = udp_frame(fresh_marker());
  ASSERT_TRUE(host_a.send(sctp));
  ASSERT_TRUE(host_a.send(udp));
  // The UDP frame was sent after the SCTP one on the same path: once it is through, the SCTP
  // frame had every chance to arrive.
  EXPECT_TRUE(host_b.receive_equal(udp, 2000)) << "UDP A->B not bridged";
  EXPECT_FALSE(host_b.receive_equal(sctp, 300)) << "SCTP crossed a fail-closed port";

  XdpCounters counters;
  ASSERT_TRUE(on_a.read_counters(counters));
  EXPECT_EQ(counters.packets[SIGWALL_XDP_FAIL_CLOSED_DROPPED], 1u);
  EXPECT_EQ(counters.packets[SIGWALL_XDP_FAIL_OPEN_FORWARDED], 0u);
  EXPECT_GE(counters.packets[SIGWALL_XDP_NON_SCTP_BRIDGED], 1u);
}

// ---- the backend ------------------------------------------------------------------------------

// SCTP goes to the engine's socket (and nowhere else); the worker forwards it by copying it into
// the other port's socket; non-SCTP is bridged by the kernel without reaching the worker.
TEST_P(AfxdpModeTest, SteersSctpToSocketsAndTransmitsToThePeerPort) {
  auto backend = make_afxdp_backend_with_extras();
  backend->set_attach_mode(GetParam());
  BackendError error;
  ASSERT_TRUE(backend->open(inline_config(FailMode::kOpen), 0, error)) << error.message;
  ASSERT_EQ(backend->worker_count(), 1u);  // veth: one RX queue per port
  EXPECT_EQ(backend->socket_count(), 2u);
  EXPECT_FALSE(backend->zero_copy(0));  // veth: copy mode only
  EXPECT_EQ(backend->program(0)->mode(), GetParam());
  WorkerIo& io = backend->worker(0);
  PacketPort host_a("vA");
  PacketPort host_b("vB");
  ASSERT_TRUE(host_a.ok() && host_b.ok());

  Frame sctp = sctp_frame(fresh_marker());
  ASSERT_TRUE(host_a.send(sctp));
  ASSERT_TRUE(worker_receives(io, sctp, 0, 2000)) << "SCTP from A did not reach the socket on port 0";
  EXPECT_FALSE(host_b.receive_equal(sctp, 200)) << "SCTP reached B without the engine";
  ASSERT_TRUE(io.transmit(1, sctp.data(), static_cast<uint32_t>(sctp.size())));
  io.flush();
  EXPECT_TRUE(host_b.receive_equal(sctp, 2000)) << "the frame transmitted on port 1 did not reach B";

  Frame back = sctp_frame(fresh_marker());
  ASSERT_TRUE(host_b.send(back));
  ASSERT_TRUE(worker_receives(io, back, 1, 2000)) << "SCTP from B did not reach the socket on port 1";
  ASSERT_TRUE(io.transmit(0, back.data(), static_cast<uint32_t>(back.size())));
  io.flush();
  EXPECT_TRUE(host_a.receive_equal(back, 2000));

  Frame arp = arp_frame(fresh_marker());
  ASSERT_TRUE(host_a.send(arp));
  EXPECT_TRUE(host_b.receive_equal(arp, 2000)) << "ARP not bridged in the kernel";
  EXPECT_FALSE(worker_receives(io, arp, 0, 200)) << "ARP reached the engine";

  // A burst larger than one sendto() budget (32 in copy mode) leaves in one flush.
  std::vector<Frame> burst;
  for (int i = 0; i < 100; ++i) burst.push_back(sctp_frame(fresh_marker()));
  for (const Frame& frame : burst) ASSERT_TRUE(io.transmit(1, frame.data(), static_cast<uint32_t>(frame.size())));
  io.flush();
  for (const Frame& frame : burst) ASSERT_TRUE(host_b.receive_equal(frame, 2000));

  XdpCounters counters;
  ASSERT_TRUE(backend->xdp_counters(0, counters));
  EXPECT_EQ(counters.packets[SIGWALL_XDP_REDIRECTED_TO_XSK], 1u);
  EXPECT_EQ(counters.packets[SIGWALL_XDP_FAIL_OPEN_FORWARDED], 0u);
  IoStats stats;
  io.stats(stats);
  EXPECT_EQ(stats.ring_drops, 0u);
  EXPECT_EQ(stats.tx_errors, 0u);
  EXPECT_EQ(io.state(), IoState::kRunning);

  // A frame larger than a UMEM frame is refused and counted, never truncated.
  Frame oversized(5000, 0x42);
  EXPECT_FALSE(io.transmit(1, oversized.data(), static_cast<uint32_t>(oversized.size())));
  io.stats(stats);
  EXPECT_EQ(stats.tx_errors, 1u);
}

INSTANTIATE_TEST_SUITE_P(NativeAndGeneric, AfxdpModeTest,
                         ::testing::Values(XdpAttachMode::kNative, XdpAttachMode::kSkb),
                         [](const ::testing::TestParamInfo<XdpAttachMode>& info) {
                           return std::string(info.param == XdpAttachMode::kNative ? "Native" : "Skb");
                         });

TEST_F(AfxdpTest, CloseDetachesThePrograms) {
  auto backend = make_afxdp_backend_with_extras();
  BackendError error;
  ASSERT_TRUE(backend->open(inline_config(FailMode::kClosed), 0, error)) << error.message;
  AttachedXdpProgram attached;
  ASSERT_TRUE(query_attached_xdp_program("mA", attached));
  EXPECT_STREQ(attached.name, SIGWALL_XDP_PROG_NAME);
  EXPECT_EQ(attached.id, backend->program(0)->program_id());
  ASSERT_TRUE(query_attached_xdp_program("mB", attached));
  backend->close();
  EXPECT_FALSE(query_attached_xdp_program("mA", attached));
  EXPECT_FALSE(query_attached_xdp_program("mB", attached));
  backend->close();  // idempotent
}

// A run killed with SIGKILL leaves its program attached, and the fail action holds; the next run
// replaces that program and works; its clean stop leaves nothing behind.
TEST_F(AfxdpTest, CrashLeavesFailClosedAndTheNextRunReplacesTheStaleProgram) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    auto backend = make_afxdp_backend_with_extras();
    BackendError error;
    char status = backend->open(inline_config(FailMode::kClosed), 0, error) ? 'y' : 'n';
    ssize_t written = write(ready[1], &status, 1);
    (void)written;
    for (;;) pause();  // until SIGKILL: no destructor, no detach
  }
  close(ready[1]);
  char status = 0;
  ASSERT_EQ(read(ready[0], &status, 1), 1);
  close(ready[0]);
  kill(child, SIGKILL);
  int wait_status = 0;
  waitpid(child, &wait_status, 0);
  ASSERT_EQ(status, 'y') << "the child could not open the backend";

  AttachedXdpProgram stale;
  ASSERT_TRUE(query_attached_xdp_program("mA", stale)) << "the crashed run's program is gone";
  EXPECT_STREQ(stale.name, SIGWALL_XDP_PROG_NAME);
  PacketPort host_a("vA");
  PacketPort host_b("vB");
  ASSERT_TRUE(host_a.ok() && host_b.ok());
  Frame sctp = sctp_frame(fresh_marker());
  Frame arp = arp_frame(fresh_marker());
  ASSERT_TRUE(host_a.send(sctp));
  ASSERT_TRUE(host_a.send(arp));
  EXPECT_TRUE(host_b.receive_equal(arp, 2000)) << "non-SCTP stopped crossing after the crash";
  EXPECT_FALSE(host_b.receive_equal(sctp, 300)) << "SCTP crossed a fail-closed port after the crash";

  auto backend = make_afxdp_backend_with_extras();
  BackendError error;
  ASSERT_TRUE(backend->open(inline_config(FailMode::kOpen), 0, error)) << error.message;
  EXPECT_TRUE(backend->program(0)->replaced_stale());
  EXPECT_TRUE(backend->program(1)->replaced_stale());

  // What the stale program did while no engine ran is carried, not lost with its map: the SCTP
  // frame it dropped and the ARP it bridged. The new program's own counters start at zero.
  InheritedKernelCounters inherited;
  ASSERT_TRUE(backend->inherited_kernel_counters(0, inherited));
  ASSERT_EQ(inherited.state, InheritedKernelState::kCarried) << inherited.problem;
  EXPECT_EQ(inherited.counters.packets[SIGWALL_XDP_FAIL_CLOSED_DROPPED], 1u);
  EXPECT_EQ(inherited.counters.bytes[SIGWALL_XDP_FAIL_CLOSED_DROPPED], sctp.size());
  EXPECT_GE(inherited.counters.packets[SIGWALL_XDP_NON_SCTP_BRIDGED], 1u);
  EXPECT_EQ(inherited.counters.packets[SIGWALL_XDP_FAIL_OPEN_FORWARDED], 0u);
  EXPECT_EQ(inherited.counters.packets[SIGWALL_XDP_REDIRECTED_TO_XSK], 0u);
  ASSERT_TRUE(backend->inherited_kernel_counters(1, inherited));
  EXPECT_EQ(inherited.state, InheritedKernelState::kCarried) << inherited.problem;
  EXPECT_EQ(inherited.counters.packets[SIGWALL_XDP_FAIL_CLOSED_DROPPED], 0u) << "nothing was sent from B";
  XdpCounters own;
  ASSERT_TRUE(backend->xdp_counters(0, own));
  EXPECT_EQ(own.packets[SIGWALL_XDP_FAIL_CLOSED_DROPPED], 0u);
  EXPECT_EQ(own.packets[SIGWALL_XDP_NON_SCTP_BRIDGED], 0u);

  AttachedXdpProgram fresh;
  ASSERT_TRUE(query_attached_xdp_program("mA", fresh));
  EXPECT_NE(fresh.id, stale.id);
  EXPECT_EQ(fresh.id, backend->program(0)->program_id());
  Frame after = sctp_frame(fresh_marker());
  ASSERT_TRUE(host_a.send(after));
  EXPECT_TRUE(worker_receives(backend->worker(0), after, 0, 2000)) << "the new run's socket gets no SCTP";
  backend->close();
  EXPECT_FALSE(query_attached_xdp_program("mA", fresh));
  EXPECT_FALSE(query_attached_xdp_program("mB", fresh));
}

// A program whose process is alive is not stale: a second sigwall on the same ports fails with
// the first one's pid, and the first keeps receiving.
TEST_F(AfxdpTest, ASecondProcessOnTheSamePortIsRefusedWhileTheFirstRuns) {
  int ready[2];
  int done[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(done), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    close(done[1]);
    auto backend = make_afxdp_backend_with_extras();
    BackendError error;
    char status = backend->open(inline_config(FailMode::kClosed), 0, error) ? 'y' : 'n';
    ssize_t written = write(ready[1], &status, 1);
    (void)written;
    char wait_byte;
    ssize_t got = read(done[0], &wait_byte, 1);  // until the parent is done
    (void)got;
    backend->close();
    _exit(0);
  }
  close(ready[1]);
  close(done[0]);
  char status = 0;
  ASSERT_EQ(read(ready[0], &status, 1), 1);
  close(ready[0]);
  ASSERT_EQ(status, 'y') << "the first process could not open the backend";
  AttachedXdpProgram first;
  ASSERT_TRUE(query_attached_xdp_program("mA", first));

  auto backend = make_afxdp_backend_with_extras();
  BackendError error;
  EXPECT_FALSE(backend->open(inline_config(FailMode::kOpen), 0, error));
  EXPECT_EQ(error.port, 0);
  EXPECT_NE(strstr(error.message, "another sigwall process"), nullptr) << error.message;
  EXPECT_NE(strstr(error.message, std::to_string(child).c_str()), nullptr) << error.message;
  AttachedXdpProgram still;
  ASSERT_TRUE(query_attached_xdp_program("mA", still));
  EXPECT_EQ(still.id, first.id) << "the running process's program was replaced";

  close(done[1]);  // the first process stops cleanly and detaches
  int wait_status = 0;
  waitpid(child, &wait_status, 0);
  EXPECT_FALSE(query_attached_xdp_program("mA", still));
  ASSERT_TRUE(backend->open(inline_config(FailMode::kOpen), 0, error)) << error.message;
  EXPECT_FALSE(backend->program(0)->replaced_stale());
  backend->close();
}

// A stale program in generic mode is removed before ours goes into the driver hook (the kernel
// keeps one mode at a time).
TEST_F(AfxdpTest, ReplacesAStaleProgramAttachedInTheOtherMode) {
  XdpProgram stale;
  BackendError error;
  ASSERT_TRUE(stale.attach("mA", inline_options("mB", FailMode::kClosed, XdpAttachMode::kSkb), error))
      << error.message;
  uint32_t stale_id = stale.program_id();
  stale.abandon();  // as if its process had died
  XdpProgram fresh;
  ASSERT_TRUE(fresh.attach("mA", inline_options("mB", FailMode::kOpen, XdpAttachMode::kNative), error))
      << error.message;
  EXPECT_TRUE(fresh.replaced_stale());
  AttachedXdpProgram attached;
  ASSERT_TRUE(query_attached_xdp_program("mA", attached));
  EXPECT_EQ(attached.mode, XdpAttachMode::kNative);
  EXPECT_NE(attached.id, stale_id);
  EXPECT_EQ(fresh.inherited().state, InheritedKernelState::kCarried) << fresh.inherited().problem;
  fresh.detach();
  EXPECT_FALSE(query_attached_xdp_program("mA", attached));
}

// Fail-open while no engine runs: every SCTP frame the stale program forwarded unjudged is in the
// next run's inherited counts, packets and bytes, also when the stale program sat in the other
// attach mode (detached first, not swapped).
TEST_P(AfxdpModeTest, CarriesTheFailOpenCountsOfAStaleProgram) {
  XdpAttachMode stale_mode = GetParam() == XdpAttachMode::kNative ? XdpAttachMode::kSkb : XdpAttachMode::kNative;
  XdpProgram stale_a;
  XdpProgram stale_b;
  BackendError error;
  ASSERT_TRUE(stale_a.attach("mA", inline_options("mB", FailMode::kOpen, stale_mode), error)) << error.message;
  ASSERT_TRUE(stale_b.attach("mB", inline_options("mA", FailMode::kOpen, stale_mode), error)) << error.message;
  stale_a.abandon();  // as if its process had died
  stale_b.abandon();
  PacketPort host_a("vA");
  PacketPort host_b("vB");
  ASSERT_TRUE(host_a.ok() && host_b.ok());
  constexpr int kUnjudged = 5;
  uint64_t unjudged_bytes = 0;
  for (int i = 0; i < kUnjudged; ++i) {
    Frame sctp = sctp_frame(fresh_marker());
    unjudged_bytes += sctp.size();
    ASSERT_TRUE(host_a.send(sctp));
    ASSERT_TRUE(host_b.receive_equal(sctp, 2000)) << "fail-open did not forward SCTP " << i;
  }

  XdpProgram fresh_a;
  ASSERT_TRUE(fresh_a.attach("mA", inline_options("mB", FailMode::kClosed, GetParam()), error)) << error.message;
  EXPECT_TRUE(fresh_a.replaced_stale());
  ASSERT_EQ(fresh_a.inherited().state, InheritedKernelState::kCarried) << fresh_a.inherited().problem;
  EXPECT_EQ(fresh_a.inherited().counters.packets[SIGWALL_XDP_FAIL_OPEN_FORWARDED], static_cast<uint64_t>(kUnjudged));
  EXPECT_EQ(fresh_a.inherited().counters.bytes[SIGWALL_XDP_FAIL_OPEN_FORWARDED], unjudged_bytes);
  EXPECT_EQ(fresh_a.inherited().counters.packets[SIGWALL_XDP_FAIL_CLOSED_DROPPED], 0u);

  // The new program counts for itself from zero; the inherited record does not move.
  Frame dropped = sctp_frame(fresh_marker());
  ASSERT_TRUE(host_a.send(dropped));
  EXPECT_FALSE(host_b.receive_equal(dropped, 300)) << "SCTP crossed the new fail-closed program";
  XdpCounters own;
  ASSERT_TRUE(fresh_a.read_counters(own));
  EXPECT_EQ(own.packets[SIGWALL_XDP_FAIL_CLOSED_DROPPED], 1u);
  EXPECT_EQ(own.packets[SIGWALL_XDP_FAIL_OPEN_FORWARDED], 0u);
  EXPECT_EQ(fresh_a.inherited().counters.packets[SIGWALL_XDP_FAIL_OPEN_FORWARDED], static_cast<uint64_t>(kUnjudged));

  // The other port's stale program is replaced too (and its lock file goes with the clean detach).
  XdpProgram fresh_b;
  ASSERT_TRUE(fresh_b.attach("mB", inline_options("mA", FailMode::kClosed, GetParam()), error)) << error.message;
  EXPECT_EQ(fresh_b.inherited().state, InheritedKernelState::kCarried) << fresh_b.inherited().problem;
  EXPECT_EQ(fresh_b.inherited().counters.packets[SIGWALL_XDP_FAIL_OPEN_FORWARDED], 0u) << "nothing was sent from B";
  fresh_b.detach();

  // A fresh attach on a clean port inherits nothing.
  fresh_a.detach();
  XdpProgram clean;
  ASSERT_TRUE(clean.attach("mA", inline_options("mB", FailMode::kOpen, GetParam()), error)) << error.message;
  EXPECT_FALSE(clean.replaced_stale());
  EXPECT_EQ(clean.inherited().state, InheritedKernelState::kNone);
}

// A program that calls itself sigwall_xdp but whose counter map is missing or of another shape
// (an older or foreign build) is still replaced; nothing is read from the odd map, the port
// starts from zero, and the reason is reported.
TEST_F(AfxdpTest, StartsFromZeroWhenTheStaleProgramsCounterMapIsOdd) {
  struct OddMap {
    const char* what;
    bpf_map_type type;
    const char* name;
    uint32_t value_size;
    uint32_t entries;
    const char* expected_problem;
  };
  const OddMap cases[] = {
      {"no map at all", BPF_MAP_TYPE_UNSPEC, nullptr, 0, 0, "has no sigwall_stats map"},
      {"another map only", BPF_MAP_TYPE_ARRAY, "other_map", 16, 7, "has no sigwall_stats map"},
      {"not per CPU", BPF_MAP_TYPE_ARRAY, SIGWALL_XDP_MAP_STATS, 16, 7, "is not sigwall's counter map"},
      {"8-byte values", BPF_MAP_TYPE_PERCPU_ARRAY, SIGWALL_XDP_MAP_STATS, 8, 7, "is not sigwall's counter map"},
      {"too few entries", BPF_MAP_TYPE_PERCPU_ARRAY, SIGWALL_XDP_MAP_STATS, 16, 2, "is not sigwall's counter map"},
  };
  int ifindex = static_cast<int>(if_nametoindex("mA"));
  for (const OddMap& odd : cases) {
    SCOPED_TRACE(odd.what);
    int map_fd = -1;
    if (odd.name != nullptr) {
      map_fd = bpf_map_create(odd.type, odd.name, sizeof(uint32_t), odd.value_size, odd.entries, nullptr);
      ASSERT_GE(map_fd, 0) << strerror(errno);
      // Non-zero contents: were they read, they would show.
      std::vector<uint8_t> value(static_cast<size_t>(odd.value_size) * (odd.type == BPF_MAP_TYPE_PERCPU_ARRAY ? libbpf_num_possible_cpus() : 1), 0xff);
      uint32_t key = 0;
      ASSERT_EQ(bpf_map_update_elem(map_fd, &key, value.data(), BPF_ANY), 0) << strerror(errno);
    }
    int program_fd = load_program_named_sigwall(map_fd);
    ASSERT_GE(program_fd, 0) << strerror(errno);
    ASSERT_EQ(bpf_xdp_attach(ifindex, program_fd, XDP_FLAGS_DRV_MODE, nullptr), 0);
    AttachedXdpProgram odd_program;
    ASSERT_TRUE(query_attached_xdp_program("mA", odd_program));
    close(program_fd);  // the attachment keeps it, as after a crash
    if (map_fd >= 0) close(map_fd);

    XdpProgram fresh;
    BackendError error;
    ASSERT_TRUE(fresh.attach("mA", inline_options("mB", FailMode::kOpen, XdpAttachMode::kNative), error))
        << error.message;
    EXPECT_TRUE(fresh.replaced_stale());
    EXPECT_EQ(fresh.inherited().state, InheritedKernelState::kUnreadable);
    EXPECT_NE(strstr(fresh.inherited().problem, odd.expected_problem), nullptr) << fresh.inherited().problem;
    for (uint32_t kind = 0; kind < SIGWALL_XDP_COUNTER_COUNT; ++kind) {
      EXPECT_EQ(fresh.inherited().counters.packets[kind], 0u) << "kind " << kind;
    }
    AttachedXdpProgram attached;
    ASSERT_TRUE(query_attached_xdp_program("mA", attached));
    EXPECT_NE(attached.id, odd_program.id);
    EXPECT_EQ(attached.id, fresh.program_id());
    fresh.detach();
    EXPECT_FALSE(query_attached_xdp_program("mA", attached));
  }
}

TEST_F(AfxdpTest, RefusesToReplaceSomeoneElsesProgram) {
  int foreign = load_foreign_program();
  ASSERT_GE(foreign, 0) << strerror(errno);
  int ifindex = static_cast<int>(if_nametoindex("mA"));
  ASSERT_EQ(bpf_xdp_attach(ifindex, foreign, XDP_FLAGS_DRV_MODE, nullptr), 0);
  auto backend = make_afxdp_backend_with_extras();
  BackendError error;
  EXPECT_FALSE(backend->open(inline_config(FailMode::kOpen), 0, error));
  EXPECT_EQ(error.port, 0);
  EXPECT_NE(strstr(error.message, "foreign_pass"), nullptr) << error.message;
  EXPECT_NE(strstr(error.message, "mA"), nullptr) << error.message;
  AttachedXdpProgram attached;
  ASSERT_TRUE(query_attached_xdp_program("mA", attached));
  EXPECT_STREQ(attached.name, "foreign_pass");
  // Nothing of ours stays on the other port after the failed open.
  EXPECT_FALSE(query_attached_xdp_program("mB", attached));
  bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, nullptr);
  close(foreign);
}

TEST_F(AfxdpTest, ReportsConfigurationErrorsWithTheInterface) {
  auto backend = make_afxdp_backend_with_extras();
  BackendError error;

  LiveConfig missing = inline_config(FailMode::kOpen);
  missing.ports[1].interface = "sw-nonexistent";
  EXPECT_FALSE(backend->open(missing, 0, error));
  EXPECT_EQ(error.port, 1);
  EXPECT_NE(strstr(error.message, "sw-nonexistent"), nullptr) << error.message;

  LiveConfig one_port = inline_config(FailMode::kOpen);
  one_port.ports.pop_back();
  EXPECT_FALSE(backend->open(one_port, 0, error));
  EXPECT_NE(strstr(error.message, "exactly 2"), nullptr) << error.message;

  LiveConfig bad_queue = inline_config(FailMode::kOpen);
  bad_queue.ports[0].queues = {3};
  EXPECT_FALSE(backend->open(bad_queue, 0, error));
  EXPECT_NE(strstr(error.message, "RX queue 3"), nullptr) << error.message;

  LiveConfig twice = inline_config(FailMode::kOpen);
  twice.ports[1].queues = {0, 0};
  EXPECT_FALSE(backend->open(twice, 0, error));
  EXPECT_NE(strstr(error.message, "listed twice"), nullptr) << error.message;

  LiveConfig offline = inline_config(FailMode::kOpen);
  offline.mode = EngineMode::kOffline;
  EXPECT_FALSE(backend->open(offline, 0, error));
  EXPECT_NE(strstr(error.message, "monitor or inline"), nullptr) << error.message;

  AttachedXdpProgram attached;
  EXPECT_FALSE(query_attached_xdp_program("mA", attached)) << "a failed open left a program behind";
}

// One socket per RX queue: veths created with 2 queues get 2 sockets per port and 2 workers.
TEST_F(AfxdpTest, OpensOneSocketPerRxQueue) {
  ASSERT_TRUE(run("ip link add qA numrxqueues 2 numtxqueues 2 type veth peer name qM numrxqueues 2 numtxqueues 2"));
  ASSERT_TRUE(run("ip link set dev qA up"));
  ASSERT_TRUE(run("ip link set dev qM up"));
  auto backend = make_afxdp_backend_with_extras();
  LiveConfig config;
  config.backend = BackendKind::kAfXdp;
  config.mode = EngineMode::kMonitor;
  config.ports = {PortConfig{"qM", PortRole::kMonitor, {}}};
  config.ring_frames = 256;
  BackendError error;
  ASSERT_TRUE(backend->open(config, 0, error)) << error.message;
  EXPECT_EQ(backend->socket_count(), 2u);
  EXPECT_EQ(backend->worker_count(), 2u);
  backend->close();
  ASSERT_TRUE(backend->open(config, 1, error)) << error.message;
  EXPECT_EQ(backend->worker_count(), 1u);  // one worker polls both queues
  EXPECT_EQ(backend->socket_count(), 2u);
  backend->close();
  EXPECT_FALSE(backend->open(config, 3, error));  // a queue cannot be split between workers
  EXPECT_NE(strstr(error.message, "at most 2"), nullptr) << error.message;
  run("ip link del qA");
}

// Inline, a queue without a socket would let SCTP past the engine (fail-open) while it runs.
TEST_F(AfxdpTest, AnInlinePortIsReadOnEveryQueue) {
  ASSERT_TRUE(run("ip link add qA numrxqueues 2 numtxqueues 2 type veth peer name qM numrxqueues 2 numtxqueues 2"));
  ASSERT_TRUE(run("ip link add qB numrxqueues 2 numtxqueues 2 type veth peer name qN numrxqueues 2 numtxqueues 2"));
  for (const char* link : {"qA", "qM", "qB", "qN"}) ASSERT_TRUE(run(std::string("ip link set dev ") + link + " up"));
  LiveConfig config;
  config.backend = BackendKind::kAfXdp;
  config.mode = EngineMode::kInline;
  config.ports = {PortConfig{"qM", PortRole::kExternal, {0}}, PortConfig{"qN", PortRole::kInternal, {}}};
  config.ring_frames = 256;
  auto backend = make_afxdp_backend_with_extras();
  BackendError error;
  EXPECT_FALSE(backend->open(config, 0, error));
  EXPECT_EQ(error.port, 0);
  EXPECT_NE(strstr(error.message, "every RX queue"), nullptr) << error.message;
  config.ports[0].queues = {1, 0};
  ASSERT_TRUE(backend->open(config, 0, error)) << error.message;
  EXPECT_EQ(backend->worker_count(), 2u);
  EXPECT_EQ(backend->socket_count(), 4u);
  backend->close();
  run("ip link del qA");
  run("ip link del qB");
}

}  // namespace
}  // namespace sigwall::live

#endif  // SIGWALL_HAVE_AFXDP
