// Test environment for the AF_XDP tests (afxdp_*_test.cc): a private network namespace with two
// veth pairs, and AF_PACKET sockets to inject and observe frames at their far ends.
//
//     vA <-> mA   [sigwall on mA and mB]   mB <-> vB
//
// Needs root (CAP_NET_ADMIN, CAP_BPF, CAP_NET_RAW, CAP_SYS_ADMIN for unshare) and iproute2 (`ip`). The test's thread
// moves into a fresh, anonymous network namespace: nothing outside it is touched, and the kernel
// destroys it, its veths and the XDP programs on them when the test drops its last reference,
// even when the test fails half-way; TearDown still detaches XDP and deletes the links first.
//
// RIG.md facts the topology relies on: XDP_REDIRECT into a veth (mA -> mB) is only delivered if
// the far peer (vB) runs NAPI, so GRO is switched on at vA and vB; AF_XDP on veth is copy mode.
#pragma once

#ifdef SIGWALL_HAVE_AFXDP

#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/sockios.h>
#include <linux/if_packet.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "privileged_test.h"

namespace sigwall::live::afxdp_testing {

using Frame = std::vector<uint8_t>;

inline bool run(const std::string& command) {
  std::string quiet = command + " >/dev/null 2>&1";
  return std::system(quiet.c_str()) == 0;
}

inline void write_proc(const char* path, const char* value) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t written = write(fd, value, strlen(value));
    (void)written;
    close(fd);
  }
}

// `ethtool -K IF gro on|off` without the ethtool program.
inline bool set_gro(const char* interface, bool on) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ethtool_value value{};
  value.cmd = ETHTOOL_SGRO;
  value.data = on ? 1 : 0;
  ifreq request{};
  snprintf(request.ifr_name, sizeof request.ifr_name, "%s", interface);
  request.ifr_data = reinterpret_cast<char*>(&value);
  bool ok = ioctl(fd, SIOCETHTOOL, &request) == 0;
  close(fd);
  return ok;
}

// An AF_PACKET socket on one interface: sends frames, and waits for a frame equal to an expected
// one (everything else on the wire, such as IPv6 chatter, is skipped).
class PacketPort {
 public:
  explicit PacketPort(const char* interface) {
    fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd_ < 0) return;
    int one = 1;
    setsockopt(fd_, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
    setsockopt(fd_, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one);
    // Tests read only after sending a whole capture: the socket must hold all of it.
    int buffer_bytes = 16 << 20;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &buffer_bytes, sizeof buffer_bytes);
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = static_cast<int>(if_nametoindex(interface));
    ifindex_ = address.sll_ifindex;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~PacketPort() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  bool send(const Frame& frame) {
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_ifindex = ifindex_;
    address.sll_halen = 6;
    memcpy(address.sll_addr, frame.data(), 6);
    return sendto(fd_, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&address), sizeof address) ==
           static_cast<ssize_t>(frame.size());
  }

  // True when a frame byte-identical to `expected` arrives within timeout_ms.
  bool receive_equal(const Frame& expected, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0) return false;
      pollfd entry{fd_, POLLIN, 0};
      if (poll(&entry, 1, left) <= 0) continue;
      Frame frame;
      if (receive_frame(frame) && frame == expected) return true;
    }
  }

  // Every frame that arrives until `count` frames came or `quiet_ms` passed without one.
  std::vector<Frame> receive_all(size_t count, int quiet_ms) {
    std::vector<Frame> frames;
    while (frames.size() < count) {
      pollfd entry{fd_, POLLIN, 0};
      if (poll(&entry, 1, quiet_ms) <= 0) break;
      Frame frame;
      if (receive_frame(frame)) frames.push_back(std::move(frame));
    }
    return frames;
  }

  // One frame as it was on the wire: the receive path may have moved the outer VLAN tag into
  // metadata (veth parses 802.1Q and 802.1ad tags), which PACKET_AUXDATA hands back.
  bool receive_frame(Frame& frame) {
    uint8_t buffer[4096];
    alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(tpacket_auxdata))];
    iovec vector{buffer, sizeof buffer};
    msghdr message{};
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    ssize_t length = recvmsg(fd_, &message, MSG_DONTWAIT);
    if (length <= 0) return false;
    frame.assign(buffer, buffer + length);
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
      if (header->cmsg_level != SOL_PACKET || header->cmsg_type != PACKET_AUXDATA) continue;
      tpacket_auxdata auxdata;
      memcpy(&auxdata, CMSG_DATA(header), sizeof auxdata);
      if ((auxdata.tp_status & TP_STATUS_VLAN_VALID) && frame.size() >= 12) {
        uint16_t tpid = (auxdata.tp_status & TP_STATUS_VLAN_TPID_VALID) ? auxdata.tp_vlan_tpid : ETH_P_8021Q;
        const uint8_t tag[4] = {static_cast<uint8_t>(tpid >> 8), static_cast<uint8_t>(tpid),
                                static_cast<uint8_t>(auxdata.tp_vlan_tci >> 8), static_cast<uint8_t>(auxdata.tp_vlan_tci)};
        frame.insert(frame.begin() + 12, tag, tag + 4);
      }
    }
    return true;
  }

 private:
  int fd_ = -1;
  int ifindex_ = 0;
};

class VethPairsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SIGWALL_REQUIRE_ROOT("needs root for network namespaces, veth and XDP");
    original_netns_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(original_netns_, 0);
    ASSERT_EQ(unshare(CLONE_NEWNET), 0) << strerror(errno);
    in_namespace_ = true;
    write_proc("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
    write_proc("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
    ASSERT_TRUE(run("ip link add vA type veth peer name mA"));
    ASSERT_TRUE(run("ip link add vB type veth peer name mB"));
    for (const char* link : {"vA", "mA", "vB", "mB"}) {
      ASSERT_TRUE(run(std::string("ip link set dev ") + link + " up"));
    }
    // RIG.md section 4: frames redirected into mA/mB reach vA/vB only when those run NAPI.
    ASSERT_TRUE(set_gro("vA", true)) << strerror(errno);
    ASSERT_TRUE(set_gro("vB", true)) << strerror(errno);
  }

  void TearDown() override {
    if (!in_namespace_) return;
    for (const char* link : {"mA", "mB"}) {
      run(std::string("ip link set dev ") + link + " xdpgeneric off");
      run(std::string("ip link set dev ") + link + " xdpdrv off");
    }
    run("ip link del vA");
    run("ip link del vB");
    // Back to the original namespace; the anonymous one disappears with its last reference.
    EXPECT_EQ(setns(original_netns_, CLONE_NEWNET), 0);
    close(original_netns_);
  }

  int original_netns_ = -1;
  bool in_namespace_ = false;
};

}  // namespace sigwall::live::afxdp_testing

#endif  // SIGWALL_HAVE_AFXDP
