// IPv4 (RFC 791, header checksum RFC 1071) and IPv6 (RFC 8200) headers. No options, no
// extension headers, no fragmentation: the builder carries SCTP in one datagram.

import { checkRange, concat, u16be, writeU16be } from './bytes.js';

export const IPPROTO_SCTP = 132;

export interface Ipv4Packet {
  src: string;
  dst: string;
  protocol?: number; // default SCTP
  ttl?: number;
  identification?: number;
  dscp?: number;
  dontFragment?: boolean; // default true
  payload: Uint8Array;
  /** Override the header checksum (for negative tests); default: computed. */
  checksum?: number;
}

export function parseIpv4(addr: string): Uint8Array {
  const parts = addr.split('.');
  if (parts.length !== 4) throw new RangeError(`bad IPv4 address: ${addr}`);
  return Uint8Array.from(
    parts.map((p) => {
      const n = Number(p);
      if (!/^\d{1,3}$/.test(p) || n > 255) throw new RangeError(`bad IPv4 address: ${addr}`);
      return n;
    }),
  );
}

export function parseIpv6(addr: string): Uint8Array {
  const out = new Uint8Array(16);
  const halves = addr.split('::');
  if (halves.length > 2) throw new RangeError(`bad IPv6 address: ${addr}`);
  const parseGroups = (s: string): number[] =>
    s === ''
      ? []
      : s.split(':').map((g) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new RangeError(`bad IPv6 address: ${addr}`);
          return parseInt(g, 16);
        });
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (halves.length === 1 && head.length !== 8) throw new RangeError(`bad IPv6 address: ${addr}`);
  if (head.length + tail.length > 8) throw new RangeError(`bad IPv6 address: ${addr}`);
  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  groups.forEach((g, i) => writeU16be(out, i * 2, g));
  return out;
}

/** RFC 1071 one's-complement sum of 16-bit words, complemented. */
export function internetChecksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (data.length % 2 === 1) sum += data[data.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function encodeIpv4(pkt: Ipv4Packet): Uint8Array {
  const total = 20 + pkt.payload.length;
  checkRange('IPv4 total length', total, 20, 65535);
  const h = new Uint8Array(20);
  h[0] = 0x45; // version 4, IHL 5 words
  h[1] = ((pkt.dscp ?? 0) & 0x3f) << 2;
  writeU16be(h, 2, total);
  writeU16be(h, 4, (pkt.identification ?? 0) & 0xffff);
  writeU16be(h, 6, pkt.dontFragment === false ? 0 : 0x4000);
  h[8] = pkt.ttl ?? 64;
  h[9] = pkt.protocol ?? IPPROTO_SCTP;
  h.set(parseIpv4(pkt.src), 12);
  h.set(parseIpv4(pkt.dst), 16);
  writeU16be(h, 10, pkt.checksum ?? internetChecksum(h));
  return concat([h, pkt.payload]);
}

export interface Ipv6Packet {
  src: string;
  dst: string;
  nextHeader?: number; // default SCTP
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  payload: Uint8Array;
}

export function encodeIpv6(pkt: Ipv6Packet): Uint8Array {
  checkRange('IPv6 payload length', pkt.payload.length, 0, 65535);
  const h = new Uint8Array(40);
  const tc = pkt.trafficClass ?? 0;
  const flow = pkt.flowLabel ?? 0;
  checkRange('IPv6 flow label', flow, 0, 0xfffff);
  h[0] = 0x60 | ((tc >>> 4) & 0x0f);
  h[1] = ((tc & 0x0f) << 4) | ((flow >>> 16) & 0x0f);
  h.set(u16be(flow & 0xffff), 2);
  h.set(u16be(pkt.payload.length), 4);
  h[6] = pkt.nextHeader ?? IPPROTO_SCTP;
  h[7] = pkt.hopLimit ?? 64;
  h.set(parseIpv6(pkt.src), 8);
  h.set(parseIpv6(pkt.dst), 24);
  return concat([h, pkt.payload]);
}
