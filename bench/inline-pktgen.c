// Packet generator and receiver for bench/inline.mjs (compiled at bench time with gcc).
//
//   inline-pktgen --frames FILE --tx-ns NS --tx-if IF [--rx-ns NS --rx-if IF]
//                 (--count N | --seconds S) [--rate PPS] [--cpu N]
//
// Sends the frames of FILE (a raw-IP pcap, LINKTYPE_RAW, as `sigwall inject --write` makes it),
// wrapped in Ethernet from the TX interface's MAC to --dst-mac, round-robin, over an AF_PACKET
// socket in namespace --tx-ns (sendmmsg in bursts, PACKET_QDISC_BYPASS), paced at --rate or as
// fast as the socket takes them. Every frame gets a sequence number in its IPv4 Identification
// field (header checksum redone; SCTP's CRC32c does not cover the IP header), so with --rx-ns
// a receiver thread on an AF_PACKET socket in the other namespace matches arrivals to sends
// and reports the one-way latency through whatever sits between (one clock: both sockets live
// in this process, each opened inside its namespace with setns()).
// Prints one JSON object: sent, elapsed, offered rate, received, latency percentiles.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { kMaxFrames = 1 << 16, kBurst = 32, kSlots = 1 << 16 };

static uint8_t *frames[kMaxFrames];
static uint16_t frame_len[kMaxFrames];
static int frame_count;

static uint64_t send_ns[kSlots];      // by IP id: time the frame with this id left
static uint64_t latency_ns[1 << 21];  // one per matched arrival
static atomic_long received, matched;
static atomic_int stop_rx;
static int rx_fd = -1;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what) {
  fprintf(stderr, "inline-pktgen: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void enter_ns(const char *name) {
  char path[256];
  snprintf(path, sizeof path, "/var/run/netns/%s", name);
  int fd = open(path, O_RDONLY);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) die(path);
  close(fd);
}

static int packet_socket(const char *ifname, int *ifindex, uint8_t mac[6]) {
  int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (fd < 0) die("socket(AF_PACKET)");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
  if (ioctl(fd, SIOCGIFINDEX, &ifr) != 0) die(ifname);
  *ifindex = ifr.ifr_ifindex;
  if (mac) {
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) die("SIOCGIFHWADDR");
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
  }
  struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = *ifindex};
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0) die("bind");
  return fd;
}

static uint16_t ip_checksum(const uint8_t *h, int len) {
  uint32_t sum = 0;
  for (int i = 0; i + 1 < len; i += 2) sum += (uint32_t)(h[i] << 8 | h[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static void load_frames(const char *path, const uint8_t dst[6], const uint8_t src[6]) {
  FILE *f = fopen(path, "rb");
  if (!f) die(path);
  uint8_t header[24];
  if (fread(header, 1, 24, f) != 24) die("pcap header");
  uint32_t magic;
  memcpy(&magic, header, 4);
  uint32_t link;
  memcpy(&link, header + 20, 4);
  if (magic != 0xa1b2c3d4 || link != 101) {
    fprintf(stderr, "inline-pktgen: %s: expected a little-endian raw-IP pcap (sigwall inject --write)\n", path);
    exit(1);
  }
  uint8_t record[16];
  while (frame_count < kMaxFrames && fread(record, 1, 16, f) == 16) {
    uint32_t caplen;
    memcpy(&caplen, record + 8, 4);
    if (caplen < 20 || caplen > 9000) { fprintf(stderr, "inline-pktgen: bad record length %u\n", caplen); exit(1); }
    uint8_t *frame = malloc(14 + caplen);
    memcpy(frame, dst, 6);
    memcpy(frame + 6, src, 6);
    frame[12] = 0x08; frame[13] = 0x00;
    if (fread(frame + 14, 1, caplen, f) != caplen) die("pcap record");
    frames[frame_count] = frame;
    frame_len[frame_count++] = (uint16_t)(14 + caplen);
  }
  fclose(f);
  if (frame_count == 0) { fprintf(stderr, "inline-pktgen: %s holds no frames\n", path); exit(1); }
}

static void *receiver(void *arg) {
  (void)arg;
  uint8_t buf[9100];
  struct pollfd pfd = {.fd = rx_fd, .events = POLLIN};
  while (!atomic_load(&stop_rx)) {
    if (poll(&pfd, 1, 50) <= 0) continue;
    for (;;) {
      ssize_t n = recv(rx_fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) break;
      uint64_t t = now_ns();
      if (n < 34 || buf[12] != 0x08 || buf[13] != 0x00 || buf[23] != 132) continue;  // SCTP over IPv4 only
      long r = atomic_fetch_add(&received, 1);
      (void)r;
      uint16_t id = (uint16_t)(buf[18] << 8 | buf[19]);
      uint64_t sent = send_ns[id];
      long m = atomic_load(&matched);
      if (sent != 0 && t > sent && m < (long)(sizeof latency_ns / sizeof latency_ns[0])) {
        latency_ns[m] = t - sent;
        atomic_store(&matched, m + 1);
        send_ns[id] = 0;
      }
    }
  }
  return NULL;
}

static int compare_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  const char *frames_path = NULL, *tx_ns = NULL, *tx_if = NULL, *rx_ns = NULL, *rx_if = NULL, *dst_mac_text = NULL;
  long count = 0;
  double seconds = 0, rate = 0;
  int cpu = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--frames")) frames_path = v;
    else if (!strcmp(k, "--tx-ns")) tx_ns = v;
    else if (!strcmp(k, "--tx-if")) tx_if = v;
    else if (!strcmp(k, "--rx-ns")) rx_ns = v;
    else if (!strcmp(k, "--rx-if")) rx_if = v;
    else if (!strcmp(k, "--dst-mac")) dst_mac_text = v;
    else if (!strcmp(k, "--count")) count = atol(v);
    else if (!strcmp(k, "--seconds")) seconds = atof(v);
    else if (!strcmp(k, "--rate")) rate = atof(v);
    else if (!strcmp(k, "--cpu")) cpu = atoi(v);
    else { fprintf(stderr, "inline-pktgen: unknown option %s\n", k); return 1; }
  }
  if (!frames_path || !tx_ns || !tx_if || !dst_mac_text || (count <= 0 && seconds <= 0)) {
    fprintf(stderr, "usage: inline-pktgen --frames F --tx-ns NS --tx-if IF --dst-mac MAC [--rx-ns NS --rx-if IF] (--count N | --seconds S) [--rate PPS] [--cpu N]\n");
    return 1;
  }
  uint8_t dst[6];
  if (sscanf(dst_mac_text, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dst[0], &dst[1], &dst[2], &dst[3], &dst[4], &dst[5]) != 6) { fprintf(stderr, "bad --dst-mac\n"); return 1; }
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
  }
  int rx_ifindex = 0, tx_ifindex = 0;
  if (rx_ns && rx_if) {
    enter_ns(rx_ns);
    rx_fd = packet_socket(rx_if, &rx_ifindex, NULL);
    int size = 64 << 20;
    setsockopt(rx_fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  }
  enter_ns(tx_ns);
  uint8_t src[6];
  int tx_fd = packet_socket(tx_if, &tx_ifindex, src);
  int one = 1;
  setsockopt(tx_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  int sndbuf = 16 << 20;
  setsockopt(tx_fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);
  load_frames(frames_path, dst, src);

  pthread_t rx_thread;
  if (rx_fd >= 0) pthread_create(&rx_thread, NULL, receiver, NULL);
  usleep(20000);

  struct mmsghdr msgs[kBurst];
  struct iovec iov[kBurst];
  long sent = 0, failed = 0;
  uint64_t start = now_ns();
  uint64_t deadline = seconds > 0 ? start + (uint64_t)(seconds * 1e9) : UINT64_MAX;
  int next = 0;
  uint16_t id = 1;
  for (;;) {
    if (count > 0 && sent >= count) break;
    uint64_t t = now_ns();
    if (t >= deadline) break;
    int burst = kBurst;
    if (rate > 0) {
      long due = (long)((double)(t - start) * rate / 1e9) + 1;
      burst = (int)(due - sent);
      if (burst <= 0) { struct timespec ts = {0, 20000}; nanosleep(&ts, NULL); continue; }
      if (burst > kBurst) burst = kBurst;
    }
    if (count > 0 && sent + burst > count) burst = (int)(count - sent);
    uint64_t stamp = now_ns();
    for (int i = 0; i < burst; i++) {
      uint8_t *frame = frames[next];
      // IPv4 Identification = sequence number; header checksum redone.
      frame[18] = id >> 8; frame[19] = id & 0xff;
      frame[24] = 0; frame[25] = 0;
      uint16_t sum = ip_checksum(frame + 14, (frame[14] & 15) * 4);
      frame[24] = sum >> 8; frame[25] = sum & 0xff;
      send_ns[id] = stamp;
      id = id == 0xffff ? 1 : id + 1;
      iov[i].iov_base = frame;
      iov[i].iov_len = frame_len[next];
      memset(&msgs[i], 0, sizeof msgs[i]);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      next = (next + 1) % frame_count;
    }
    int n = sendmmsg(tx_fd, msgs, burst, 0);
    if (n < 0) {
      if (errno == ENOBUFS || errno == EAGAIN) { failed += burst; continue; }
      die("sendmmsg");
    }
    sent += n;
    failed += burst - n;
  }
  uint64_t end = now_ns();
  if (rx_fd >= 0) {
    usleep(300000);  // stragglers
    atomic_store(&stop_rx, 1);
    pthread_join(rx_thread, NULL);
  }
  double elapsed = (double)(end - start) / 1e9;
  long m = atomic_load(&matched);
  qsort(latency_ns, (size_t)m, sizeof latency_ns[0], compare_u64);
  double p50 = m ? latency_ns[m / 2] / 1000.0 : -1, p99 = m ? latency_ns[(m * 99) / 100] / 1000.0 : -1;
  printf("{\"sent\":%ld,\"failed\":%ld,\"elapsed\":%.6f,\"offeredPps\":%.0f,\"received\":%ld,\"matched\":%ld,\"p50us\":%.1f,\"p99us\":%.1f,\"frames\":%d}\n",
         sent, failed, elapsed, sent / elapsed, atomic_load(&received), m, p50, p99, frame_count);
  return 0;
}
