/* The contract between the sigwall XDP program (sigwall_xdp.bpf.c, compiled for the BPF target)
 * and its user-space loader (native/live/afxdp_backend.cc): map names, the configuration record
 * and the counter indices. Plain C with <linux/types.h> so that clang -target bpf and the C++
 * build read the same definitions. Changing a layout here changes both sides at once; the
 * loader checks map value sizes against these structs when it opens the embedded object. */
#ifndef SIGWALL_XDP_ABI_H
#define SIGWALL_XDP_ABI_H

#include <linux/types.h>

/* The program's name as the kernel reports it (bpf_prog_info.name keeps 15 characters).
 * A program attached under this name by an earlier, crashed run is ours to replace. */
#define SIGWALL_XDP_PROG_NAME "sigwall_xdp"

/* Map names (the kernel keeps 15 characters of a map name). */
#define SIGWALL_XDP_MAP_XSKS "sigwall_xsks"     /* XSKMAP: rx queue index -> AF_XDP socket */
#define SIGWALL_XDP_MAP_PEER "sigwall_peer"     /* DEVMAP: key 0 -> ifindex of the other inline port */
#define SIGWALL_XDP_MAP_CONFIG "sigwall_config" /* ARRAY[1] of struct sigwall_xdp_config */
#define SIGWALL_XDP_MAP_STATS "sigwall_stats"   /* PERCPU_ARRAY[SIGWALL_XDP_COUNTER_COUNT] */

/* One AF_XDP socket per receive queue; queue indices at or above this are never steered and
 * take the no-engine path (the loader refuses to bind such a queue). */
#define SIGWALL_XDP_MAX_QUEUES 256

enum sigwall_xdp_mode {
	/* SPAN/TAP port: nothing is forwarded; frames the engine does not take go to the host stack. */
	SIGWALL_XDP_MODE_MONITOR = 0,
	/* One side of a transparent bridge: every frame leaves through the peer port or is dropped. */
	SIGWALL_XDP_MODE_INLINE = 1,
};

/* What happens to SCTP when no engine socket is bound to the frame's receive queue (engine not
 * started yet, or crashed: the kernel removes a closed socket from the XSKMAP, the program and
 * its maps stay attached). */
enum sigwall_xdp_fail_action {
	/* inline: forward to the peer port unjudged; monitor: hand to the host stack (XDP_PASS), as
	 * if no program were attached. */
	SIGWALL_XDP_FAIL_OPEN = 0,
	/* inline and monitor: XDP_DROP. Only SCTP (and frames that may hide SCTP) is affected;
	 * everything else keeps being bridged (inline) or passed (monitor). */
	SIGWALL_XDP_FAIL_CLOSED = 1,
};

struct sigwall_xdp_config {
	__u32 mode;        /* enum sigwall_xdp_mode */
	__u32 fail_action; /* enum sigwall_xdp_fail_action */
};

/* Per-CPU counters; user space sums the CPUs. Each frame increments exactly one of the first
 * six (its fate); SIGWALL_XDP_UNPARSED_AS_SCTP additionally counts frames treated as SCTP
 * because their headers could not be walked to the end (see sigwall_xdp.bpf.c). */
enum sigwall_xdp_counter {
	SIGWALL_XDP_REDIRECTED_TO_XSK = 0,  /* SCTP handed to the engine's AF_XDP socket */
	SIGWALL_XDP_FAIL_OPEN_FORWARDED = 1, /* inline, no engine: SCTP forwarded to the peer port */
	SIGWALL_XDP_FAIL_OPEN_PASSED = 2,   /* monitor, no engine: SCTP passed to the host stack */
	SIGWALL_XDP_FAIL_CLOSED_DROPPED = 3, /* no engine, fail-closed: SCTP dropped */
	SIGWALL_XDP_NON_SCTP_BRIDGED = 4,   /* inline: not SCTP, forwarded to the peer port in the kernel */
	SIGWALL_XDP_NON_SCTP_PASSED = 5,    /* monitor: not SCTP, passed to the host stack */
	SIGWALL_XDP_UNPARSED_AS_SCTP = 6,   /* subset of the above: headers beyond the parse caps */
	SIGWALL_XDP_COUNTER_COUNT = 7,
};

struct sigwall_xdp_counter_value {
	__u64 packets;
	__u64 bytes;
};

#endif /* SIGWALL_XDP_ABI_H */
