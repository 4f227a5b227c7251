// sigwall test rig: one SCTP endpoint speaking M3UA over a real association, built on usrsctp
// running over raw IPv4 (the kernel on the project's machines has no SCTP; ../../shared/RIG.md).
//
//   sctp-peer server --local IP --port P [--input FILE] [--out FILE] [tuning] [--timeout MS]
//   sctp-peer client --local IP --remote IP --port P [--input FILE] [--out FILE] [--expect N] [tuning]
//
// server: listens, accepts one association, answers ASP Up with ASP Up Ack, ASP Active with ASP
//   Active Ack and a Notify (AS-ACTIVE), heartbeats (BEAT) with BEAT Ack (RFC 4666 §3.5, §3.7,
//   §4.3.4.3), sends its own --input messages once the ASP is active, writes every received
//   M3UA DATA (§3.3.1) as one JSON line, and ends when the peer shuts the association down.
// client: connects, sends ASP Up then ASP Active, waits for both ACKs, sends the --input
//   messages as M3UA DATA, waits until SCTP says everything is acknowledged (SCTP_STATUS
//   sstat_unackdata == 0, RFC 6458 §8.2.1) and --expect DATA messages have arrived, then shuts
//   the association down gracefully.
// Both end with one JSON report line on stderr ({"report": {...}}): exit 0 on success, 2 when
// the association was aborted or lost, 3 on timeout, 1 on a usage or file error.
//
// Input file (written by src/inject/rig-file.ts): the 8-byte magic "SWM3UA01", then records of
//   u32 sccp_length | u32 opc | u32 dpc | u8 si | u8 ni | u8 mp | u8 sls | u16 stream |
//   u16 flags (bit 0: add Routing Context) | u32 routing_context | sccp_length bytes
// all big-endian. Every length is checked against the file before use.
//
// Receiving is non-blocking with a short sleep between polls: SO_RCVTIMEO has no effect on a
// usrsctp socket (RIG.md §1 caveat 5), and the test harness needs every wait to be bounded.

#define _GNU_SOURCE
#include <usrsctp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { kExitOk = 0, kExitUsage = 1, kExitAborted = 2, kExitTimeout = 3 };

// M3UA (RFC 4666 §3.1.2, §3.1.3): class and type values used here.
enum {
  kClassMgmt = 0, kClassTransfer = 1, kClassAspsm = 3, kClassAsptm = 4,
  kMgmtNotify = 1,
  kTransferData = 1,
  kAspsmUp = 1, kAspsmBeat = 3, kAspsmUpAck = 4, kAspsmBeatAck = 6,
  kAsptmActive = 1, kAsptmActiveAck = 3,
};
enum { kTagRoutingContext = 0x0006, kTagStatus = 0x000d, kTagProtocolData = 0x0210, kTagHeartbeatData = 0x0009 };
enum { kPpidM3ua = 3 };  // RFC 4666 §1.4.7 / IANA SCTP PPID 3

struct Options {
  bool server;
  const char *local;
  const char *remote;
  uint16_t port;
  const char *input;
  const char *out;
  long expect;          // DATA messages to wait for before closing (client)
  long timeout_ms;      // whole run
  int streams;
  int rto_initial, rto_min, rto_max;  // ms, 0 = usrsctp default
  int max_retrans;      // association max retransmissions, 0 = default
  int path_max_retrans;
  int hb_interval;      // ms; 0 = heartbeat off, -1 = default
  bool blackhole;
  bool quiet;
};

struct Record {
  uint32_t opc, dpc, routing_context;
  uint8_t si, ni, mp, sls;
  uint16_t stream, flags;
  const uint8_t *sccp;
  uint32_t sccp_length;
};

struct Input {
  uint8_t *bytes;
  size_t size;
  struct Record *records;
  size_t count;
};

struct Run {
  struct Options opt;
  struct socket *sock;       // the association's socket
  FILE *out;
  long received_data;        // M3UA DATA messages
  long received_other;       // other M3UA messages
  long sent_data;
  long send_failures;
  bool asp_up, asp_active;   // client: ACKs seen; server: requests answered
  bool peer_shutdown, lost;
  int lost_state;            // sac_state of the ASSOC_CHANGE that ended it
  int last_unacked;          // SCTP_STATUS unackdata + penddata at the last check
  int last_errno;
  uint8_t *message;          // reassembly of one SCTP user message (recvv may return parts)
  size_t message_length, message_capacity;
  struct timespec started;
};

static void note(const struct Run *run, const char *fmt, ...) {
  if (run->opt.quiet) return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "sctp-peer(%s): ", run->opt.server ? "server" : "client");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static long elapsed_ms(const struct Run *run) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - run->started.tv_sec) * 1000L + (now.tv_nsec - run->started.tv_nsec) / 1000000L;
}

static bool timed_out(const struct Run *run) { return elapsed_ms(run) >= run->opt.timeout_ms; }

static void pause_briefly(void) {
  struct timespec ts = {0, 200 * 1000};  // 0.2 ms: cheap next to SCTP's own timers
  nanosleep(&ts, NULL);
}

static uint32_t get_u32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void put_u32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static void put_u16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }

// ---- input file -------------------------------------------------------------------------

static const char kMagic[8] = {'S', 'W', 'M', '3', 'U', 'A', '0', '1'};
enum { kRecordHeader = 24 };

static int load_input(const char *path, struct Input *in, char *error, size_t error_size) {
  memset(in, 0, sizeof *in);
  FILE *f = fopen(path, "rb");
  if (!f) { snprintf(error, error_size, "%s: %s", path, strerror(errno)); return -1; }
  size_t capacity = 1 << 16;
  in->bytes = malloc(capacity);
  for (;;) {
    if (in->size == capacity) { capacity *= 2; in->bytes = realloc(in->bytes, capacity); }
    size_t n = fread(in->bytes + in->size, 1, capacity - in->size, f);
    if (n == 0) break;
    in->size += n;
  }
  fclose(f);
  if (in->size < sizeof kMagic || memcmp(in->bytes, kMagic, sizeof kMagic) != 0) {
    snprintf(error, error_size, "%s: not a sigwall rig message file (magic SWM3UA01 missing)", path);
    return -1;
  }
  size_t capacity_records = 64;
  in->records = malloc(capacity_records * sizeof *in->records);
  size_t offset = sizeof kMagic;
  while (offset < in->size) {
    if (in->size - offset < kRecordHeader) {
      snprintf(error, error_size, "%s: record %zu at offset %zu: truncated header (%zu of %d bytes)", path, in->count + 1, offset, in->size - offset, kRecordHeader);
      return -1;
    }
    const uint8_t *p = in->bytes + offset;
    struct Record r = {
      .sccp_length = get_u32(p), .opc = get_u32(p + 4), .dpc = get_u32(p + 8),
      .si = p[12], .ni = p[13], .mp = p[14], .sls = p[15],
      .stream = get_u16(p + 16), .flags = get_u16(p + 18), .routing_context = get_u32(p + 20),
    };
    if (r.sccp_length > in->size - offset - kRecordHeader) {
      snprintf(error, error_size, "%s: record %zu at offset %zu: payload of %" PRIu32 " bytes runs past the end of the file", path, in->count + 1, offset, r.sccp_length);
      return -1;
    }
    if (r.sccp_length > 65000) {
      snprintf(error, error_size, "%s: record %zu: payload of %" PRIu32 " bytes is larger than an M3UA message can carry here", path, in->count + 1, r.sccp_length);
      return -1;
    }
    r.sccp = p + kRecordHeader;
    if (in->count == capacity_records) { capacity_records *= 2; in->records = realloc(in->records, capacity_records * sizeof *in->records); }
    in->records[in->count++] = r;
    offset += kRecordHeader + r.sccp_length;
  }
  return 0;
}

// ---- M3UA encoding (RFC 4666 §3.1.1 common header, §3.2 parameter format) ---------------

static size_t put_header(uint8_t *p, uint8_t cls, uint8_t type, uint32_t length) {
  p[0] = 1; p[1] = 0; p[2] = cls; p[3] = type;  // version 1, reserved
  put_u32(p + 4, length);
  return 8;
}

// M3UA DATA: [Routing Context] Protocol Data (OPC, DPC, SI, NI, MP, SLS, user data), padded.
static size_t encode_data(const struct Record *r, uint8_t *out) {
  size_t off = 8;
  if (r->flags & 1) {
    put_u16(out + off, kTagRoutingContext); put_u16(out + off + 2, 8); put_u32(out + off + 4, r->routing_context);
    off += 8;
  }
  uint16_t pd_length = (uint16_t)(4 + 12 + r->sccp_length);
  put_u16(out + off, kTagProtocolData); put_u16(out + off + 2, pd_length);
  put_u32(out + off + 4, r->opc); put_u32(out + off + 8, r->dpc);
  out[off + 12] = r->si; out[off + 13] = r->ni; out[off + 14] = r->mp; out[off + 15] = r->sls;
  memcpy(out + off + 16, r->sccp, r->sccp_length);
  off += pd_length;
  while (off % 4) out[off++] = 0;  // §3.2: parameters are padded to 4 bytes
  put_header(out, kClassTransfer, kTransferData, (uint32_t)off);
  return off;
}

// ---- SCTP --------------------------------------------------------------------------------

static int send_message(struct Run *run, const uint8_t *bytes, size_t length, uint16_t stream) {
  struct sctp_sndinfo info;
  memset(&info, 0, sizeof info);
  info.snd_sid = stream;
  info.snd_ppid = htonl(kPpidM3ua);
  for (;;) {
    ssize_t n = usrsctp_sendv(run->sock, bytes, length, NULL, 0, &info, sizeof info, SCTP_SENDV_SNDINFO, 0);
    if (n >= 0) return 0;
    if (errno != EWOULDBLOCK && errno != EAGAIN) { run->last_errno = errno; return -1; }
    if (timed_out(run)) { run->last_errno = ETIMEDOUT; return -1; }
    pause_briefly();  // send buffer full: SACKs free it
  }
}

static void send_mgmt(struct Run *run, uint8_t cls, uint8_t type, const uint8_t *params, size_t params_length) {
  uint8_t buf[512];
  if (params_length > sizeof buf - 8) return;
  put_header(buf, cls, type, (uint32_t)(8 + params_length));
  if (params_length) memcpy(buf + 8, params, params_length);
  // ASP state and traffic maintenance messages go on stream 0 (RFC 4666 §4.3.3 / §4.3.4).
  if (send_message(run, buf, 8 + params_length, 0) != 0) note(run, "sending M3UA class %d type %d failed: %s", cls, type, strerror(run->last_errno));
}

static void write_hex(FILE *f, const uint8_t *p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) { fputc(digits[p[i] >> 4], f); fputc(digits[p[i] & 15], f); }
}

// One whole M3UA message arrived on `stream`.
static void on_m3ua(struct Run *run, const uint8_t *m, size_t n, const struct sctp_rcvinfo *info) {
  if (n < 8 || m[0] != 1 || get_u32(m + 4) != n) {
    note(run, "ignoring a malformed M3UA message (%zu bytes)", n);
    run->received_other++;
    return;
  }
  uint8_t cls = m[2], type = m[3];
  if (cls == kClassTransfer && type == kTransferData) {
    run->received_data++;
    if (!run->out) return;
    fprintf(run->out, "{\"stream\":%u,\"ppid\":%" PRIu32 ",\"ssn\":%u,\"tsn\":%" PRIu32 ",\"hex\":\"",
            info->rcv_sid, ntohl(info->rcv_ppid), info->rcv_ssn, info->rcv_tsn);
    write_hex(run->out, m, n);
    fputc('"', run->out);
    // The Protocol Data parameter, decoded for readable test assertions.
    for (size_t off = 8; off + 4 <= n;) {
      uint16_t tag = get_u16(m + off), length = get_u16(m + off + 2);
      if (length < 4 || length > n - off) break;
      if (tag == kTagProtocolData && length >= 16) {
        const uint8_t *pd = m + off + 4;
        fprintf(run->out, ",\"opc\":%" PRIu32 ",\"dpc\":%" PRIu32 ",\"si\":%u,\"ni\":%u,\"mp\":%u,\"sls\":%u,\"sccp\":\"",
                get_u32(pd), get_u32(pd + 4), pd[8], pd[9], pd[10], pd[11]);
        write_hex(run->out, pd + 12, length - 16u);
        fputc('"', run->out);
      } else if (tag == kTagRoutingContext && length == 8) {
        fprintf(run->out, ",\"routingContext\":%" PRIu32, get_u32(m + off + 4));
      }
      off += (length + 3u) & ~3u;
    }
    fputs("}\n", run->out);
    fflush(run->out);
    return;
  }
  run->received_other++;
  if (run->opt.server && cls == kClassAspsm && type == kAspsmUp) {
    send_mgmt(run, kClassAspsm, kAspsmUpAck, NULL, 0);
    run->asp_up = true;
  } else if (run->opt.server && cls == kClassAsptm && type == kAsptmActive) {
    // Echo the Routing Context the ASP named (§3.7.2), then NTFY AS-ACTIVE (§3.8.2: status
    // type 1 = AS state change, status information 3 = AS-ACTIVE).
    uint8_t params[16];
    size_t length = 0;
    for (size_t off = 8; off + 4 <= n;) {
      uint16_t tag = get_u16(m + off), plen = get_u16(m + off + 2);
      if (plen < 4 || plen > n - off) break;
      if (tag == kTagRoutingContext && plen == 8) { memcpy(params, m + off, 8); length = 8; }
      off += (plen + 3u) & ~3u;
    }
    send_mgmt(run, kClassAsptm, kAsptmActiveAck, params, length);
    uint8_t status[8];
    put_u16(status, kTagStatus); put_u16(status + 2, 8); put_u16(status + 4, 1); put_u16(status + 6, 3);
    send_mgmt(run, kClassMgmt, kMgmtNotify, status, sizeof status);
    run->asp_active = true;
  } else if (cls == kClassAspsm && type == kAspsmBeat) {
    send_mgmt(run, kClassAspsm, kAspsmBeatAck, m + 8, n - 8);  // §3.5.6: echo the Heartbeat Data
  } else if (!run->opt.server && cls == kClassAspsm && type == kAspsmUpAck) {
    run->asp_up = true;
  } else if (!run->opt.server && cls == kClassAsptm && type == kAsptmActiveAck) {
    run->asp_active = true;
  }
}

static void on_notification(struct Run *run, const uint8_t *p, size_t n) {
  if (n < sizeof(struct sctp_tlv)) return;
  const union sctp_notification *notif = (const union sctp_notification *)p;
  if (notif->sn_header.sn_type == SCTP_ASSOC_CHANGE && n >= sizeof(struct sctp_assoc_change)) {
    uint16_t state = notif->sn_assoc_change.sac_state;
    if (state == SCTP_COMM_LOST || state == SCTP_CANT_STR_ASSOC) {
      run->lost = true;
      run->lost_state = state;
      note(run, "association lost (ASSOC_CHANGE state %u, error %u)", state, notif->sn_assoc_change.sac_error);
    } else if (state == SCTP_SHUTDOWN_COMP) {
      run->peer_shutdown = true;
    }
  } else if (notif->sn_header.sn_type == SCTP_SHUTDOWN_EVENT) {
    run->peer_shutdown = true;
  }
}

// Reads whatever has arrived without blocking. Returns false once the association is gone.
static bool pump(struct Run *run) {
  for (;;) {
    if (run->message_capacity - run->message_length < 2048) {
      run->message_capacity *= 2;
      run->message = realloc(run->message, run->message_capacity);
    }
    struct sctp_rcvinfo info;
    socklen_t info_length = sizeof info;
    unsigned int info_type = 0;
    int flags = 0;
    struct sockaddr_in from;
    socklen_t from_length = sizeof from;
    memset(&info, 0, sizeof info);
    ssize_t n = usrsctp_recvv(run->sock, run->message + run->message_length, run->message_capacity - run->message_length,
                              (struct sockaddr *)&from, &from_length, &info, &info_length, &info_type, &flags);
    if (n < 0) {
      if (errno == EWOULDBLOCK || errno == EAGAIN) return !run->lost && !run->peer_shutdown;
      run->last_errno = errno;
      if (errno == ECONNRESET || errno == ENOTCONN) run->lost = run->lost || !run->peer_shutdown;
      return false;
    }
    if (n == 0) { run->peer_shutdown = true; return false; }  // orderly SHUTDOWN from the peer
    run->message_length += (size_t)n;
    if (!(flags & MSG_EOR)) continue;  // a part of a larger message: keep reading
    if (flags & MSG_NOTIFICATION) on_notification(run, run->message, run->message_length);
    else on_m3ua(run, run->message, run->message_length, &info);
    run->message_length = 0;
  }
}

static int unacked(struct Run *run) {
  struct sctp_status status;
  socklen_t length = sizeof status;
  memset(&status, 0, sizeof status);
  if (usrsctp_getsockopt(run->sock, IPPROTO_SCTP, SCTP_STATUS, &status, &length) != 0) return -1;
  run->last_unacked = status.sstat_unackdata + status.sstat_penddata;
  return run->last_unacked;
}

static void tune(struct Run *run, struct socket *s) {
  const struct Options *o = &run->opt;
  struct sctp_initmsg init = {.sinit_num_ostreams = (uint16_t)o->streams, .sinit_max_instreams = (uint16_t)o->streams};
  usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof init);
  if (o->rto_initial || o->rto_min || o->rto_max) {
    struct sctp_rtoinfo rto = {.srto_assoc_id = SCTP_FUTURE_ASSOC, .srto_initial = (uint32_t)o->rto_initial,
                               .srto_max = (uint32_t)o->rto_max, .srto_min = (uint32_t)o->rto_min};  // 0 keeps a value
    if (usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof rto) != 0) note(run, "SCTP_RTOINFO: %s", strerror(errno));
  }
  if (o->max_retrans) {
    struct sctp_assocparams assoc;
    memset(&assoc, 0, sizeof assoc);
    assoc.sasoc_assoc_id = SCTP_FUTURE_ASSOC;
    assoc.sasoc_asocmaxrxt = (uint16_t)o->max_retrans;
    if (usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_ASSOCINFO, &assoc, sizeof assoc) != 0) note(run, "SCTP_ASSOCINFO: %s", strerror(errno));
  }
  if (o->hb_interval >= 0 || o->path_max_retrans) {
    struct sctp_paddrparams paddr;
    memset(&paddr, 0, sizeof paddr);
    paddr.spp_assoc_id = SCTP_FUTURE_ASSOC;
    if (o->hb_interval == 0) paddr.spp_flags |= SPP_HB_DISABLE;
    else if (o->hb_interval > 0) { paddr.spp_flags |= SPP_HB_ENABLE; paddr.spp_hbinterval = (uint32_t)o->hb_interval; }
    if (o->path_max_retrans) paddr.spp_pathmaxrxt = (uint16_t)o->path_max_retrans;
    if (usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &paddr, sizeof paddr) != 0) note(run, "SCTP_PEER_ADDR_PARAMS: %s", strerror(errno));
  }
  const int on = 1;
  usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on);
  usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on);
  const uint16_t events[] = {SCTP_ASSOC_CHANGE, SCTP_SHUTDOWN_EVENT};
  for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
    struct sctp_event ev = {.se_assoc_id = SCTP_FUTURE_ASSOC, .se_type = events[i], .se_on = 1};
    usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof ev);
  }
}

static int parse_address(const char *text, uint16_t port, struct sockaddr_in *sin) {
  memset(sin, 0, sizeof *sin);
  sin->sin_family = AF_INET;
  sin->sin_port = htons(port);
  return inet_pton(AF_INET, text, &sin->sin_addr) == 1 ? 0 : -1;
}

// ---- the two roles ----------------------------------------------------------------------

static int send_input(struct Run *run, const struct Input *in) {
  uint8_t *buf = malloc(65536 + 64);
  for (size_t i = 0; i < in->count; i++) {
    const struct Record *r = &in->records[i];
    if (r->stream >= run->opt.streams) {
      note(run, "record %zu asks for stream %u but the association has %d streams", i + 1, r->stream, run->opt.streams);
      run->send_failures++;
      continue;
    }
    size_t n = encode_data(r, buf);
    if (send_message(run, buf, n, r->stream) != 0) {
      run->send_failures++;
      note(run, "record %zu: send failed: %s", i + 1, strerror(run->last_errno));
      if (run->last_errno != EMSGSIZE) break;  // the association is gone
      continue;
    }
    run->sent_data++;
    pump(run);  // answer heartbeats and keep our receive window open while sending
  }
  free(buf);
  return run->send_failures == 0 ? 0 : -1;
}

// Waits until every sent DATA chunk is acknowledged and `expect` DATA messages have arrived.
static int settle(struct Run *run, long expect) {
  for (;;) {
    bool alive = pump(run);
    // A lost association reports nothing unacked (it has no queues left): lost is never settled.
    if (run->lost) return -1;
    int pending = unacked(run);
    if (pending == 0 && run->received_data >= expect) return 0;
    if (!alive || pending < 0) return -1;
    if (timed_out(run)) { run->last_errno = ETIMEDOUT; return -1; }
    pause_briefly();
  }
}

static const char *ending(const struct Run *run) {
  if (run->lost) return "aborted";
  if (run->last_errno == ETIMEDOUT) return "timeout";
  if (run->peer_shutdown) return "shutdown";
  return "closed";
}

static int report(struct Run *run, const char *end, int code) {
  fprintf(stderr,
          "{\"report\":{\"role\":\"%s\",\"end\":\"%s\",\"aspUp\":%s,\"aspActive\":%s,\"sent\":%ld,\"sendFailures\":%ld,"
          "\"received\":%ld,\"receivedOther\":%ld,\"unacked\":%d,\"elapsedMs\":%ld,\"error\":\"%s\"}}\n",
          run->opt.server ? "server" : "client", end, run->asp_up ? "true" : "false", run->asp_active ? "true" : "false",
          run->sent_data, run->send_failures, run->received_data, run->received_other, run->last_unacked,
          elapsed_ms(run), run->last_errno ? strerror(run->last_errno) : "");
  return code;
}

static int run_client(struct Run *run, const struct Input *in) {
  struct sockaddr_in local, remote;
  parse_address(run->opt.local, 0, &local);
  parse_address(run->opt.remote, run->opt.port, &remote);
  struct socket *s = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
  if (!s) { run->last_errno = errno; return report(run, "socket", kExitUsage); }
  run->sock = s;
  tune(run, s);
  if (usrsctp_bind(s, (struct sockaddr *)&local, sizeof local) != 0) { run->last_errno = errno; return report(run, "bind", kExitUsage); }
  usrsctp_set_non_blocking(s, 1);
  if (usrsctp_connect(s, (struct sockaddr *)&remote, sizeof remote) != 0 && errno != EINPROGRESS) {
    run->last_errno = errno;
    return report(run, "connect", kExitAborted);
  }
  // Non-blocking connect: established once the socket becomes writable (or fails).
  for (;;) {
    int events = usrsctp_get_events(s);
    if (events & SCTP_EVENT_ERROR) { run->lost = true; pump(run); return report(run, "connect", kExitAborted); }
    if (events & SCTP_EVENT_WRITE) break;
    if (timed_out(run)) { run->last_errno = ETIMEDOUT; return report(run, "timeout", kExitTimeout); }
    pause_briefly();
  }
  note(run, "association up");
  send_mgmt(run, kClassAspsm, kAspsmUp, NULL, 0);
  while (!run->asp_up && pump(run) && !timed_out(run)) pause_briefly();
  if (run->asp_up) send_mgmt(run, kClassAsptm, kAsptmActive, NULL, 0);
  while (run->asp_up && !run->asp_active && pump(run) && !timed_out(run)) pause_briefly();
  if (!run->asp_active) {
    if (timed_out(run)) run->last_errno = ETIMEDOUT;
    return report(run, ending(run), run->lost || !timed_out(run) ? kExitAborted : kExitTimeout);
  }
  note(run, "ASP active, sending %zu messages", in ? in->count : 0);
  int ok = in ? send_input(run, in) : 0;
  int settled = settle(run, run->opt.expect);
  if (ok == 0 && settled == 0) {
    usrsctp_shutdown(s, SHUT_WR);  // graceful SHUTDOWN (RFC 9260 §9.2)
    for (long until = elapsed_ms(run) + 2000; !run->peer_shutdown && !run->lost && elapsed_ms(run) < until;) {
      if (!pump(run)) break;
      pause_briefly();
    }
    // An ABORT can still arrive between the last ack and our SHUTDOWN: then it was not a clean end.
    if (run->lost) return report(run, "aborted", kExitAborted);
    return report(run, "shutdown", kExitOk);
  }
  return report(run, ending(run), run->lost || run->last_errno != ETIMEDOUT ? kExitAborted : kExitTimeout);
}

static int run_server(struct Run *run, const struct Input *in) {
  struct sockaddr_in local;
  parse_address(run->opt.local, run->opt.port, &local);
  struct socket *listener = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
  if (!listener) { run->last_errno = errno; return report(run, "socket", kExitUsage); }
  tune(run, listener);  // options and events are inherited by the accepted socket
  if (usrsctp_bind(listener, (struct sockaddr *)&local, sizeof local) != 0) { run->last_errno = errno; return report(run, "bind", kExitUsage); }
  if (usrsctp_listen(listener, 1) != 0) { run->last_errno = errno; return report(run, "listen", kExitUsage); }
  usrsctp_set_non_blocking(listener, 1);
  fprintf(stderr, "{\"listening\":{\"address\":\"%s\",\"port\":%u}}\n", run->opt.local, run->opt.port);
  fflush(stderr);
  struct socket *s = NULL;
  while (!s) {
    struct sockaddr_in from;
    socklen_t from_length = sizeof from;
    s = usrsctp_accept(listener, (struct sockaddr *)&from, &from_length);
    if (s) break;
    if (errno != EWOULDBLOCK && errno != EAGAIN) { run->last_errno = errno; return report(run, "accept", kExitAborted); }
    if (timed_out(run)) { run->last_errno = ETIMEDOUT; usrsctp_close(listener); return report(run, "timeout", kExitTimeout); }
    pause_briefly();
  }
  usrsctp_close(listener);
  usrsctp_set_non_blocking(s, 1);
  run->sock = s;
  note(run, "association accepted");
  bool sent = in == NULL;
  while (pump(run)) {
    if (!sent && run->asp_active) {
      sent = true;
      send_input(run, in);
    }
    if (timed_out(run)) { run->last_errno = ETIMEDOUT; break; }
    pause_briefly();
  }
  const char *end = ending(run);
  int code = run->lost ? kExitAborted : run->last_errno == ETIMEDOUT ? kExitTimeout : kExitOk;
  return report(run, end, code);
}

// ---- command line -----------------------------------------------------------------------

static const char kUsage[] =
    "usage: sctp-peer server --local IP --port P [--input FILE] [--out FILE|-] [options]\n"
    "       sctp-peer client --local IP --remote IP --port P [--input FILE] [--out FILE|-] [--expect N] [options]\n"
    "options: --streams N (default 4)  --timeout MS (default 30000)\n"
    "         --rto-initial MS --rto-min MS --rto-max MS --max-retrans N --path-max-retrans N\n"
    "         --hb-interval MS (0 = heartbeat off)  --blackhole  --quiet\n";

static bool parse_long(const char *text, long min, long max, long *value) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || *end || end == text || v < min || v > max) return false;
  *value = v;
  return true;
}

static int parse_options(int argc, char **argv, struct Options *o) {
  memset(o, 0, sizeof *o);
  o->streams = 4;
  o->timeout_ms = 30000;
  o->hb_interval = -1;
  if (argc < 2) return -1;
  if (strcmp(argv[1], "server") == 0) o->server = true;
  else if (strcmp(argv[1], "client") != 0) return -1;
  for (int i = 2; i < argc; i++) {
    const char *name = argv[i];
    if (strcmp(name, "--blackhole") == 0) { o->blackhole = true; continue; }
    if (strcmp(name, "--quiet") == 0) { o->quiet = true; continue; }
    if (i + 1 >= argc) { fprintf(stderr, "sctp-peer: %s needs a value\n", name); return -1; }
    const char *value = argv[++i];
    long v = 0;
    if (strcmp(name, "--local") == 0) o->local = value;
    else if (strcmp(name, "--remote") == 0) o->remote = value;
    else if (strcmp(name, "--input") == 0) o->input = value;
    else if (strcmp(name, "--out") == 0) o->out = value;
    else if (strcmp(name, "--port") == 0 && parse_long(value, 1, 65535, &v)) o->port = (uint16_t)v;
    else if (strcmp(name, "--expect") == 0 && parse_long(value, 0, 1L << 40, &v)) o->expect = v;
    else if (strcmp(name, "--timeout") == 0 && parse_long(value, 1, 86400000, &v)) o->timeout_ms = v;
    else if (strcmp(name, "--streams") == 0 && parse_long(value, 1, 65535, &v)) o->streams = (int)v;
    else if (strcmp(name, "--rto-initial") == 0 && parse_long(value, 1, 600000, &v)) o->rto_initial = (int)v;
    else if (strcmp(name, "--rto-min") == 0 && parse_long(value, 1, 600000, &v)) o->rto_min = (int)v;
    else if (strcmp(name, "--rto-max") == 0 && parse_long(value, 1, 600000, &v)) o->rto_max = (int)v;
    else if (strcmp(name, "--max-retrans") == 0 && parse_long(value, 1, 1000, &v)) o->max_retrans = (int)v;
    else if (strcmp(name, "--path-max-retrans") == 0 && parse_long(value, 1, 1000, &v)) o->path_max_retrans = (int)v;
    else if (strcmp(name, "--hb-interval") == 0 && parse_long(value, 0, 600000, &v)) o->hb_interval = (int)v;
    else { fprintf(stderr, "sctp-peer: bad option or value: %s %s\n", name, value); return -1; }
  }
  struct sockaddr_in check;
  if (!o->local || parse_address(o->local, 0, &check) != 0) { fprintf(stderr, "sctp-peer: --local must be an IPv4 address\n"); return -1; }
  if (!o->port) { fprintf(stderr, "sctp-peer: --port is required\n"); return -1; }
  if (!o->server && (!o->remote || parse_address(o->remote, 0, &check) != 0)) { fprintf(stderr, "sctp-peer: client needs --remote IPv4 address\n"); return -1; }
  return 0;
}

int main(int argc, char **argv) {
  struct Run run;
  memset(&run, 0, sizeof run);
  clock_gettime(CLOCK_MONOTONIC, &run.started);
  if (parse_options(argc, argv, &run.opt) != 0) { fputs(kUsage, stderr); return kExitUsage; }
  struct Input input;
  bool have_input = run.opt.input != NULL;
  if (have_input) {
    char error[512];
    if (load_input(run.opt.input, &input, error, sizeof error) != 0) { fprintf(stderr, "sctp-peer: %s\n", error); return kExitUsage; }
  }
  if (run.opt.out) {
    run.out = strcmp(run.opt.out, "-") == 0 ? stdout : fopen(run.opt.out, "w");
    if (!run.out) { fprintf(stderr, "sctp-peer: %s: %s\n", run.opt.out, strerror(errno)); return kExitUsage; }
  }
  run.message_capacity = 1 << 16;
  run.message = malloc(run.message_capacity);

  // Port 0: no UDP encapsulation, so usrsctp opens raw IPv4 sockets for protocol 132 (RIG.md §1).
  usrsctp_init(0, NULL, NULL);
  // Another usrsctp stack in the same namespace would ABORT our packets as out-of-the-blue
  // unless it sets blackhole 2; --blackhole makes this one such a quiet neighbour.
  if (run.opt.blackhole) usrsctp_sysctl_set_sctp_blackhole(2);
  usrsctp_sysctl_set_sctp_ecn_enable(0);

  int code = run.opt.server ? run_server(&run, have_input ? &input : NULL) : run_client(&run, have_input ? &input : NULL);

  if (run.sock) usrsctp_close(run.sock);
  for (int i = 0; i < 3000 && usrsctp_finish() != 0; i++) usleep(1000);  // bounded: exit regardless
  if (run.out && run.out != stdout) fclose(run.out);
  free(run.message);
  if (have_input) { free(input.bytes); free(input.records); }
  return code;
}
