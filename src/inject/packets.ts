// The packets `sigwall inject` sends: frames read from a pcap/pcapng capture (or made by the
// builder), stripped to their IPv4 packets, optionally readdressed, with the IPv4 header
// checksum (RFC 791 §3.1, RFC 1071) and the SCTP CRC32c (RFC 9260 §6.8, Appendix B) made right
// again. Everything that is read here is untrusted: every length is checked before use.
import { crc32c } from '../builder/crc32c.js';
import { internetChecksum, parseIpv4 } from '../builder/ip.js';
import { CaptureError, SigwallError } from '../errors.js';

export interface CaptureFrame {
  linkType: number;
  data: Uint8Array;
  timestampNs: bigint;
}

// LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) the injector understands.
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;

/** Frames of a classic pcap (either byte order, µs or ns) or a pcapng file, in file order. */
export function readCaptureFrames(bytes: Uint8Array, file?: string): CaptureFrame[] {
  if (bytes.length < 4) throw new CaptureError('too short for a capture file', 0, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBe = view.getUint32(0, false);
  if (magicBe === 0x0a0d0d0a) return readPcapng(bytes, view, file);
  const formats: Record<number, { little: boolean; nanos: boolean }> = {
    0xa1b2c3d4: { little: false, nanos: false },
    0xd4c3b2a1: { little: true, nanos: false },
    0xa1b23c4d: { little: false, nanos: true },
    0x4d3cb2a1: { little: true, nanos: true },
  };
  const format = formats[magicBe];
  if (!format) throw new CaptureError(`not a pcap or pcapng file (magic 0x${magicBe.toString(16).padStart(8, '0')})`, 0, file);
  if (bytes.length < 24) throw new CaptureError('truncated pcap file header', 0, file);
  const little = format.little;
  const linkType = view.getUint32(20, little) & 0x0fffffff;
  const frames: CaptureFrame[] = [];
  let off = 24;
  while (off < bytes.length) {
    if (bytes.length - off < 16) throw new CaptureError(`truncated record header (${bytes.length - off} of 16 bytes)`, off, file);
    const seconds = view.getUint32(off, little);
    const fraction = view.getUint32(off + 4, little);
    const captured = view.getUint32(off + 8, little);
    if (captured > bytes.length - off - 16) throw new CaptureError(`record of ${captured} bytes runs past the end of the file`, off, file);
    const timestampNs = BigInt(seconds) * 1_000_000_000n + BigInt(fraction) * (format.nanos ? 1n : 1000n);
    frames.push({ linkType, data: bytes.subarray(off + 16, off + 16 + captured), timestampNs });
    off += 16 + captured;
  }
  return frames;
}

function readPcapng(bytes: Uint8Array, view: DataView, file?: string): CaptureFrame[] {
  const frames: CaptureFrame[] = [];
  let little = true;
  let interfaces: { linkType: number; unitsPerSecond: bigint }[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (bytes.length - off < 12) throw new CaptureError(`truncated pcapng block header (${bytes.length - off} bytes)`, off, file);
    const type = view.getUint32(off, little);
    if (type === 0x0a0d0d0a) {
      // Section Header Block: its byte-order magic sets the order of everything that follows.
      const bom = view.getUint32(off + 8, true);
      if (bom === 0x1a2b3c4d) little = true;
      else if (bom === 0x4d3c2b1a) little = false;
      else throw new CaptureError('pcapng section header with an unknown byte-order magic', off, file);
      interfaces = [];
    }
    const length = view.getUint32(off + 4, little);
    if (length < 12 || length % 4 !== 0 || length > bytes.length - off) throw new CaptureError(`pcapng block of length ${length} is invalid or runs past the end`, off, file);
    const body = off + 8;
    if (type === 1) {
      // Interface Description Block: link type, then options (if_tsresol, code 9).
      if (length < 20) throw new CaptureError('truncated interface description block', off, file);
      let unitsPerSecond = 1_000_000n;
      for (let o = body + 8; o + 4 <= off + length - 4; ) {
        const code = view.getUint16(o, little);
        const optionLength = view.getUint16(o + 2, little);
        if (code === 0) break;
        if (o + 4 + optionLength > off + length - 4) throw new CaptureError('interface option runs past its block', o, file);
        if (code === 9 && optionLength >= 1) {
          const resolution = bytes[o + 4]!;
          const exponent = BigInt(resolution & 0x7f);
          unitsPerSecond = resolution & 0x80 ? 2n ** exponent : 10n ** exponent;
        }
        o += 4 + ((optionLength + 3) & ~3);
      }
      interfaces.push({ linkType: view.getUint16(body, little), unitsPerSecond });
    } else if (type === 6) {
      // Enhanced Packet Block.
      if (length < 32) throw new CaptureError('truncated enhanced packet block', off, file);
      const index = view.getUint32(body, little);
      const iface = interfaces[index];
      if (!iface) throw new CaptureError(`packet names interface ${index}, which the section does not describe`, off, file);
      const ticks = (BigInt(view.getUint32(body + 4, little)) << 32n) | BigInt(view.getUint32(body + 8, little));
      const captured = view.getUint32(body + 12, little);
      if (captured > length - 32) throw new CaptureError(`packet of ${captured} bytes runs past its block`, off, file);
      frames.push({ linkType: iface.linkType, data: bytes.subarray(body + 20, body + 20 + captured), timestampNs: (ticks * 1_000_000_000n) / iface.unitsPerSecond });
    } else if (type === 3) {
      // Simple Packet Block: interface 0, no timestamp.
      const iface = interfaces[0];
      if (!iface) throw new CaptureError('simple packet block before any interface description', off, file);
      const original = view.getUint32(body, little);
      const captured = Math.min(original, length - 16);
      frames.push({ linkType: iface.linkType, data: bytes.subarray(body + 4, body + 4 + captured), timestampNs: 0n });
    }
    off += length;
  }
  return frames;
}

/** Where a frame's IPv4 packet is, or why it has none. */
export type Ipv4Location = { ok: true; offset: number } | { ok: false; reason: 'ipv6' | 'not-ip' | 'link' | 'truncated' };

/** Finds the IPv4 header in a frame: Ethernet II with 802.1Q/802.1ad tags, Linux SLL, raw IP. */
export function locateIpv4(frame: CaptureFrame): Ipv4Location {
  const d = frame.data;
  let etherType: number;
  let off: number;
  if (frame.linkType === LINKTYPE_ETHERNET) {
    if (d.length < 14) return { ok: false, reason: 'truncated' };
    off = 12;
    etherType = (d[off]! << 8) | d[off + 1]!;
    off += 2;
    for (let tags = 0; (etherType === 0x8100 || etherType === 0x88a8) && tags < 4; tags++) {
      if (d.length < off + 4) return { ok: false, reason: 'truncated' };
      etherType = (d[off + 2]! << 8) | d[off + 3]!;
      off += 4;
    }
  } else if (frame.linkType === LINKTYPE_LINUX_SLL) {
    if (d.length < 16) return { ok: false, reason: 'truncated' };
    etherType = (d[14]! << 8) | d[15]!;
    off = 16;
  } else if (frame.linkType === LINKTYPE_RAW || frame.linkType === LINKTYPE_IPV4) {
    if (d.length < 1) return { ok: false, reason: 'truncated' };
    etherType = d[0]! >> 4 === 4 ? 0x0800 : d[0]! >> 4 === 6 ? 0x86dd : 0;
    off = 0;
  } else {
    return { ok: false, reason: 'link' };
  }
  if (etherType === 0x86dd) return { ok: false, reason: 'ipv6' };
  if (etherType !== 0x0800) return { ok: false, reason: 'not-ip' };
  if (d.length < off + 20 || d[off]! >> 4 !== 4) return { ok: false, reason: 'truncated' };
  return { ok: true, offset: off };
}

export interface RewriteOptions {
  /** New source / destination addresses (dotted IPv4). */
  src?: string;
  dst?: string;
  /** Recompute the IPv4 header checksum and, for SCTP, the CRC32c (the header checksum is
   *  recomputed anyway when an address changes). */
  fixChecksums: boolean;
}

export interface Ipv4Packet {
  /** The IP packet from its header to the end of its total length (link padding cut off). */
  bytes: Uint8Array;
  /** The destination address, what the raw socket's sendto() is given. */
  dst: string;
  protocol: number;
  /** The 1-based number of the frame in its source. */
  frame: number;
}

function dotted(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/**
 * Copies the IPv4 packet out of a frame and applies the rewrite. Returns a reason instead when
 * the frame carries no usable IPv4 packet (the caller counts it as skipped).
 */
export function ipv4Packet(frame: CaptureFrame, index: number, rewrite: RewriteOptions): Ipv4Packet | { skipped: string } {
  const where = locateIpv4(frame);
  if (!where.ok) return { skipped: where.reason };
  const d = frame.data;
  const ihl = (d[where.offset]! & 0x0f) * 4;
  const total = (d[where.offset + 2]! << 8) | d[where.offset + 3]!;
  if (ihl < 20 || total < ihl || where.offset + total > d.length) return { skipped: 'truncated' };
  const bytes = d.slice(where.offset, where.offset + total);
  const fragment = ((bytes[6]! & 0x3f) << 8) | bytes[7]!; // MF flag or a fragment offset
  if (rewrite.src !== undefined) bytes.set(parseIpv4(rewrite.src), 12);
  if (rewrite.dst !== undefined) bytes.set(parseIpv4(rewrite.dst), 16);
  const protocol = bytes[9]!;
  // New addresses change the header, so its checksum is always redone then.
  if (rewrite.fixChecksums || rewrite.src !== undefined || rewrite.dst !== undefined) {
    bytes[10] = 0;
    bytes[11] = 0;
    const sum = internetChecksum(bytes.subarray(0, ihl));
    bytes[10] = sum >> 8;
    bytes[11] = sum & 0xff;
  }
  if (rewrite.fixChecksums) {
    // SCTP's CRC covers the SCTP packet only (no pseudo-header): recompute it over a whole,
    // unfragmented packet, in the little-endian order RFC 9260 Appendix B stores it in.
    if (protocol === 132 && fragment === 0 && total - ihl >= 12) {
      const sctp = bytes.subarray(ihl);
      sctp.fill(0, 8, 12);
      const crc = crc32c(sctp);
      sctp[8] = crc & 0xff;
      sctp[9] = (crc >>> 8) & 0xff;
      sctp[10] = (crc >>> 16) & 0xff;
      sctp[11] = crc >>> 24;
    }
  }
  return { bytes, dst: dotted(bytes, 16), protocol, frame: index + 1 };
}

export interface PacketSet {
  packets: Ipv4Packet[];
  /** Frames left out, by reason (ipv6, not-ip, link, truncated). */
  skipped: Record<string, number>;
  frames: number;
}

/** Every IPv4 packet of a list of frames, rewritten. */
export function ipv4Packets(frames: readonly CaptureFrame[], rewrite: RewriteOptions): PacketSet {
  for (const [name, value] of [['--src', rewrite.src], ['--dst', rewrite.dst]] as const) {
    if (value !== undefined && !/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(value)) {
      throw new SigwallError('SIGWALL_ERR_USAGE', `${name} takes a dotted IPv4 address, got "${value}"`);
    }
    if (value !== undefined && value.split('.').some((part) => Number(part) > 255)) throw new SigwallError('SIGWALL_ERR_USAGE', `${name} ${value} is not an IPv4 address`);
  }
  const packets: Ipv4Packet[] = [];
  const skipped: Record<string, number> = {};
  frames.forEach((frame, i) => {
    const result = ipv4Packet(frame, i, rewrite);
    if ('skipped' in result) skipped[result.skipped] = (skipped[result.skipped] ?? 0) + 1;
    else packets.push(result);
  });
  return { packets, skipped, frames: frames.length };
}
