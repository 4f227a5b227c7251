// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* sigwall's XDP program: steers SCTP to the engine's AF_XDP sockets and handles everything else
 * in the kernel.
 *
 * Per frame (the maps and counters are described in sigwall_xdp_abi.h):
 *   1. Classify: walk Ethernet, up to SIGWALL_MAX_VLAN_TAGS VLAN tags, IPv4 or IPv6 (with up to
 *      SIGWALL_MAX_IPV6_EXT_HEADERS extension headers) to the transport protocol.
 *   2. SCTP (IP protocol 132, RFC 9260) goes to the AF_XDP socket bound to the frame's receive
 *      queue. Without one (engine not started, or crashed: the kernel drops a closed socket from the
 *      XSKMAP while this program and its maps stay attached) the configured fail action applies:
 *        fail-open   inline: redirect to the peer port unjudged; monitor: XDP_PASS (as if no
 *                    program were attached: the host stack sees what it would have seen);
 *        fail-closed inline and monitor: XDP_DROP.
 *   3. Everything else is bridged to the peer port in the kernel (inline) or passed (monitor):
 *      ARP, ICMP, management traffic never wait for user space.
 *
 * What counts as SCTP. An attacker who can make SCTP look like something else bypasses every
 * rule, so the classification errs towards the engine:
 *   - IPv4 fragments with protocol 132 are SCTP, first or not: a non-first fragment carries no
 *     SCTP header, but bridging it in the kernel would let a message split over IP fragments reach
 *     the far side unjudged. The engine sees every fragment and its decoder flags them (the
 *     policy decides what to do with fragmented SCTP).
 *   - IPv6: the Fragment header's Next Header names the fragmentable part's first header in every
 *     fragment (RFC 8200 section 4.5), so fragments of SCTP are found the same way.
 *   - Frames whose headers cannot be walked to the transport protocol (more VLAN tags or IPv6
 *     extension headers than the caps, an IP header cut short, an IPv4 IHL below 5) are treated as
 *     SCTP and counted in SIGWALL_XDP_UNPARSED_AS_SCTP: the engine decodes them and flags them as
 *     malformed, rather than the kernel forwarding something it could not read.
 *   - Encrypted payloads (ESP) and unknown IPv6 next headers are not SCTP as far as anyone on the
 *     path can tell; they are bridged like any other traffic.
 *
 * Built by native/cmake/afxdp.cmake with clang -O2 -g -target bpf and embedded in the addon;
 * the loader refuses an object whose map value sizes differ from sigwall_xdp_abi.h. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "sigwall_xdp_abi.h"

/* IEEE 802.1Q (0x8100), 802.1ad (0x88A8) and the pre-standard Q-in-Q 0x9100 tag. The engine's
 * link decoder reads two tags; a deeper stack goes to the engine, which flags it. */
#define SIGWALL_MAX_VLAN_TAGS 2
#define SIGWALL_ETH_P_QINQ_LEGACY 0x9100
/* IPv6 extension headers walked before giving up (hop-by-hop, routing, fragment, destination
 * options, authentication, HIP, shim6: RFC 8200 section 4, RFC 4302, RFC 7401, RFC 5533). */
#define SIGWALL_MAX_IPV6_EXT_HEADERS 6

#define SIGWALL_IPPROTO_SCTP 132
#define SIGWALL_IPPROTO_HIP 139
#define SIGWALL_IPPROTO_SHIM6 140

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, SIGWALL_XDP_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} sigwall_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} sigwall_peer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sigwall_xdp_config);
} sigwall_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SIGWALL_XDP_COUNTER_COUNT);
	__type(key, __u32);
	__type(value, struct sigwall_xdp_counter_value);
} sigwall_stats SEC(".maps");

enum frame_class {
	FRAME_NOT_SCTP = 0,
	FRAME_SCTP = 1,
	FRAME_UNPARSED = 2, /* treated as SCTP */
};

static __always_inline void count(__u32 counter, __u64 bytes)
{
	struct sigwall_xdp_counter_value *value = bpf_map_lookup_elem(&sigwall_stats, &counter);
	if (value) {
		/* Per-CPU slot: this CPU is its only writer while the program runs. */
		value->packets += 1;
		value->bytes += bytes;
	}
}

static __always_inline enum frame_class classify_ipv4(__u8 *cursor, __u8 *end)
{
	struct iphdr *ip = (struct iphdr *)cursor;
	if ((__u8 *)(ip + 1) > end || ip->ihl < 5)
		return FRAME_UNPARSED;
	/* Every fragment of an SCTP datagram, first or not (see the file comment). */
	return ip->protocol == SIGWALL_IPPROTO_SCTP ? FRAME_SCTP : FRAME_NOT_SCTP;
}

static __always_inline enum frame_class classify_ipv6(__u8 *cursor, __u8 *end)
{
	struct ipv6hdr *ip6 = (struct ipv6hdr *)cursor;
	if ((__u8 *)(ip6 + 1) > end)
		return FRAME_UNPARSED;
	__u8 next = ip6->nexthdr;
	cursor = (__u8 *)(ip6 + 1);

#pragma unroll
	for (int i = 0; i < SIGWALL_MAX_IPV6_EXT_HEADERS; i++) {
		__u32 length;
		switch (next) {
		case SIGWALL_IPPROTO_SCTP:
			return FRAME_SCTP;
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case SIGWALL_IPPROTO_HIP:
		case SIGWALL_IPPROTO_SHIM6: {
			/* Next Header, Hdr Ext Len in 8-octet units not counting the first 8 (RFC 8200 4.3). */
			if (cursor + 2 > end)
				return FRAME_UNPARSED;
			length = ((__u32)cursor[1] + 1) * 8;
			break;
		}
		case IPPROTO_FRAGMENT:
			length = 8; /* fixed size (RFC 8200 section 4.5) */
			if (cursor + 1 > end)
				return FRAME_UNPARSED;
			break;
		case IPPROTO_AH:
			/* Payload Len in 4-octet units minus 2 (RFC 4302 section 2.2). */
			if (cursor + 2 > end)
				return FRAME_UNPARSED;
			length = ((__u32)cursor[1] + 2) * 4;
			break;
		default:
			return FRAME_NOT_SCTP;
		}
		next = cursor[0];
		cursor += length;
		if (cursor > end)
			return FRAME_UNPARSED;
	}
	if (next == SIGWALL_IPPROTO_SCTP)
		return FRAME_SCTP;
	switch (next) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_FRAGMENT:
	case IPPROTO_AH:
	case SIGWALL_IPPROTO_HIP:
	case SIGWALL_IPPROTO_SHIM6:
		return FRAME_UNPARSED; /* a chain longer than the cap */
	default:
		return FRAME_NOT_SCTP;
	}
}

static __always_inline enum frame_class classify(__u8 *data, __u8 *end)
{
	struct ethhdr *eth = (struct ethhdr *)data;
	/* A runt without a complete Ethernet header cannot hide an IP packet. */
	if ((__u8 *)(eth + 1) > end)
		return FRAME_NOT_SCTP;
	__u16 ethertype = eth->h_proto;
	__u8 *cursor = (__u8 *)(eth + 1);

#pragma unroll
	for (int i = 0; i < SIGWALL_MAX_VLAN_TAGS; i++) {
		if (ethertype != bpf_htons(ETH_P_8021Q) && ethertype != bpf_htons(ETH_P_8021AD) &&
		    ethertype != bpf_htons(SIGWALL_ETH_P_QINQ_LEGACY))
			break;
		/* Tag control information, then the encapsulated ethertype (IEEE 802.1Q 9.5). */
		if (cursor + 4 > end)
			return FRAME_UNPARSED;
		ethertype = *(__u16 *)(cursor + 2);
		cursor += 4;
	}
	if (ethertype == bpf_htons(ETH_P_IP))
		return classify_ipv4(cursor, end);
	if (ethertype == bpf_htons(ETH_P_IPV6))
		return classify_ipv6(cursor, end);
	if (ethertype == bpf_htons(ETH_P_8021Q) || ethertype == bpf_htons(ETH_P_8021AD) ||
	    ethertype == bpf_htons(SIGWALL_ETH_P_QINQ_LEGACY))
		return FRAME_UNPARSED; /* more tags than the cap */
	return FRAME_NOT_SCTP;
}

SEC("xdp")
int sigwall_xdp(struct xdp_md *ctx)
{
	__u8 *data = (__u8 *)(long)ctx->data;
	__u8 *end = (__u8 *)(long)ctx->data_end;
	__u64 bytes = end - data;
	__u32 zero = 0;

	/* A missing configuration cannot happen for an ARRAY map; the zeroed default is monitor,
	 * fail-open: the behaviour of an interface without this program. */
	struct sigwall_xdp_config *config = bpf_map_lookup_elem(&sigwall_config, &zero);
	__u32 mode = config ? config->mode : SIGWALL_XDP_MODE_MONITOR;
	__u32 fail_action = config ? config->fail_action : SIGWALL_XDP_FAIL_OPEN;

	enum frame_class frame = classify(data, end);
	if (frame == FRAME_NOT_SCTP) {
		if (mode == SIGWALL_XDP_MODE_INLINE) {
			count(SIGWALL_XDP_NON_SCTP_BRIDGED, bytes);
			/* No peer configured (cannot happen once the loader has run): drop rather than
			 * hand a bridged port's traffic to the host stack. */
			return bpf_redirect_map(&sigwall_peer, 0, XDP_DROP);
		}
		count(SIGWALL_XDP_NON_SCTP_PASSED, bytes);
		return XDP_PASS;
	}
	if (frame == FRAME_UNPARSED)
		count(SIGWALL_XDP_UNPARSED_AS_SCTP, bytes);

	__u32 queue = ctx->rx_queue_index;
	if (bpf_map_lookup_elem(&sigwall_xsks, &queue)) {
		count(SIGWALL_XDP_REDIRECTED_TO_XSK, bytes);
		/* The socket can close between the lookup and the redirect; the frame is then dropped,
		 * the fail-closed outcome, for that one frame. */
		return bpf_redirect_map(&sigwall_xsks, queue, XDP_DROP);
	}
	if (fail_action == SIGWALL_XDP_FAIL_CLOSED) {
		count(SIGWALL_XDP_FAIL_CLOSED_DROPPED, bytes);
		return XDP_DROP;
	}
	if (mode == SIGWALL_XDP_MODE_INLINE) {
		count(SIGWALL_XDP_FAIL_OPEN_FORWARDED, bytes);
		return bpf_redirect_map(&sigwall_peer, 0, XDP_DROP);
	}
	count(SIGWALL_XDP_FAIL_OPEN_PASSED, bytes);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
