// XDP programs for bench/inline.mjs, compiled at bench time with clang -target bpf:
// - xdp_redirect: the in-kernel baseline, every frame from the external port straight to the
//   internal one (bpf_redirect to REDIRECT_IFINDEX, given with -D at compile time): no copy to
//   user space, no inspection. What a bridge costs when it does nothing.
// - xdp_drop: the traffic sink on B's interface, so B's own stack does not slow the
//   measurement down; the veth counts the drops (ethtool -S: rx_queue_N_xdp_drops). An XDP
//   program on the peer is also what lets frames redirected into a veth be received at all:
//   veth delivers an XDP_REDIRECT only to a peer with NAPI enabled, i.e. with XDP or GRO on
//   (RIG.md §4, measured).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef REDIRECT_IFINDEX
#define REDIRECT_IFINDEX 0
#endif

SEC("xdp_redirect")
int redirect_all(struct xdp_md *ctx) {
  return bpf_redirect(REDIRECT_IFINDEX, 0);
}

SEC("xdp_drop")
int drop_all(struct xdp_md *ctx) {
  return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
