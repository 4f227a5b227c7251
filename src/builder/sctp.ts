// SCTP (RFC 9260): common header with CRC32c, the DATA chunk (§3.3.1), I-DATA (RFC 8260
// §2.1), the association set-up chunks (INIT, INIT ACK, COOKIE ECHO, COOKIE ACK), SACK and
// HEARTBEAT, bundling of several chunks in one packet (§6.10) and fragmentation of one user
// message over several DATA / I-DATA chunks (§6.9, RFC 8260 §2.1).

import { checkRange, concat, pad, u16be, u32be, writeU16be, writeU32be, writeU32le } from './bytes.js';
import { crc32c } from './crc32c.js';
import { parseIpv4, parseIpv6 } from './ip.js';

/** Chunk type codes (RFC 9260 §3.2, RFC 8260 §2.1). */
export const SCTP_CHUNK = {
  data: 0,
  init: 1,
  initAck: 2,
  sack: 3,
  heartbeat: 4,
  heartbeatAck: 5,
  abort: 6,
  cookieEcho: 10,
  cookieAck: 11,
  idata: 64,
} as const;

/** Payload protocol identifiers (IANA registry). */
export const PPID = { m2ua: 2, m3ua: 3, sua: 4, m2pa: 5 } as const;

/** Well-known SCTP ports (IANA). */
export const SCTP_PORT = { m3ua: 2905, sua: 14001, m2pa: 3565 } as const;

interface FragmentFlags {
  unordered?: boolean; // U
  begin?: boolean; // B, default true
  end?: boolean; // E, default true
  immediate?: boolean; // I (RFC 7053)
}

export interface DataChunk extends FragmentFlags {
  type: 'data';
  tsn: number;
  sid: number;
  ssn: number;
  ppid: number;
  data: Uint8Array;
}

export interface IDataChunk extends FragmentFlags {
  type: 'idata';
  tsn: number;
  sid: number;
  mid: number;
  /** Carried when B is set (first fragment). */
  ppid?: number;
  /** Fragment sequence number, carried when B is clear (RFC 8260 §2.1). */
  fsn?: number;
  data: Uint8Array;
}

export interface InitChunk {
  type: 'init' | 'init-ack';
  initiateTag: number;
  aRwnd: number;
  outboundStreams: number;
  inboundStreams: number;
  initialTsn: number;
  addresses?: readonly string[]; // IPv4 or IPv6 address parameters
  /** Chunk types listed in a Supported Extensions parameter (RFC 5061 §4.2.7), e.g. [64] for I-DATA. */
  supportedExtensions?: readonly number[];
  stateCookie?: Uint8Array; // mandatory in INIT ACK
}

export interface CookieEchoChunk {
  type: 'cookie-echo';
  cookie: Uint8Array;
}

export interface CookieAckChunk {
  type: 'cookie-ack';
}

export interface SackChunk {
  type: 'sack';
  cumulativeTsnAck: number;
  aRwnd: number;
  /** Gap ack blocks as offsets from the cumulative TSN. */
  gapBlocks?: readonly (readonly [number, number])[];
  duplicateTsns?: readonly number[];
}

export interface HeartbeatChunk {
  type: 'heartbeat' | 'heartbeat-ack';
  info: Uint8Array;
}

export interface RawChunk {
  type: 'raw';
  chunkType: number;
  flags: number;
  value: Uint8Array;
}

export type SctpChunk =
  | DataChunk
  | IDataChunk
  | InitChunk
  | CookieEchoChunk
  | CookieAckChunk
  | SackChunk
  | HeartbeatChunk
  | RawChunk;

export interface SctpPacket {
  srcPort: number;
  dstPort: number;
  verificationTag: number;
  chunks: readonly SctpChunk[];
  /** 'crc32c' (default), or a fixed value written as is (negative tests). */
  checksum?: 'crc32c' | number;
}

function tlv(type: number, flags: number, value: Uint8Array): Uint8Array {
  const length = 4 + value.length;
  checkRange('chunk length', length, 4, 65535);
  const out = new Uint8Array(length + ((4 - (length % 4)) % 4));
  out[0] = type;
  out[1] = flags;
  writeU16be(out, 2, length); // §3.2: the length excludes the padding
  out.set(value, 4);
  return out;
}

/** A TLV parameter inside INIT / INIT ACK / HEARTBEAT (§3.2.1), unpadded. */
function param(type: number, value: Uint8Array): Uint8Array {
  return concat([u16be(type), u16be(4 + value.length), value]);
}

/**
 * The parameters of a chunk: §3.2 counts the padding of every parameter in the chunk length
 * except the last one's, which becomes the chunk's own padding.
 */
function params(list: readonly Uint8Array[]): Uint8Array {
  return concat(list.map((p, i) => (i === list.length - 1 ? p : pad(p))));
}

function fragmentFlags(c: FragmentFlags): number {
  // §3.3.1: bit 3 I, bit 2 U, bit 1 B, bit 0 E.
  return (c.immediate ? 0x08 : 0) | (c.unordered ? 0x04 : 0) | (c.begin === false ? 0 : 0x02) | (c.end === false ? 0 : 0x01);
}

export function encodeChunk(chunk: SctpChunk): Uint8Array {
  switch (chunk.type) {
    case 'data': {
      // Written in place: this is the hot path of the load capture.
      const length = 16 + chunk.data.length;
      checkRange('chunk length', length, 16, 65535);
      const out = new Uint8Array(length + ((4 - (length % 4)) % 4));
      out[0] = SCTP_CHUNK.data;
      out[1] = fragmentFlags(chunk);
      writeU16be(out, 2, length);
      writeU32be(out, 4, chunk.tsn);
      writeU16be(out, 8, chunk.sid);
      writeU16be(out, 10, chunk.ssn);
      writeU32be(out, 12, chunk.ppid);
      out.set(chunk.data, 16);
      return out;
    }
    case 'idata': {
      const first = chunk.begin !== false;
      const length = 20 + chunk.data.length;
      checkRange('chunk length', length, 20, 65535);
      const out = new Uint8Array(length + ((4 - (length % 4)) % 4));
      out[0] = SCTP_CHUNK.idata;
      out[1] = fragmentFlags(chunk);
      writeU16be(out, 2, length);
      writeU32be(out, 4, chunk.tsn);
      writeU16be(out, 8, chunk.sid);
      // bytes 10-11 reserved
      writeU32be(out, 12, chunk.mid);
      writeU32be(out, 16, first ? (chunk.ppid ?? 0) : (chunk.fsn ?? 0));
      out.set(chunk.data, 20);
      return out;
    }
    case 'init':
    case 'init-ack': {
      const h = new Uint8Array(16);
      writeU32be(h, 0, chunk.initiateTag);
      writeU32be(h, 4, chunk.aRwnd);
      writeU16be(h, 8, chunk.outboundStreams);
      writeU16be(h, 10, chunk.inboundStreams);
      writeU32be(h, 12, chunk.initialTsn);
      const list: Uint8Array[] = [];
      for (const a of chunk.addresses ?? []) {
        list.push(a.includes(':') ? param(6, parseIpv6(a)) : param(5, parseIpv4(a)));
      }
      if (chunk.type === 'init-ack') {
        if (!chunk.stateCookie) throw new RangeError('INIT ACK needs a State Cookie (§3.3.3)');
        list.push(param(7, chunk.stateCookie));
      }
      if (chunk.supportedExtensions?.length) list.push(param(0x8008, Uint8Array.from(chunk.supportedExtensions)));
      const type = chunk.type === 'init' ? SCTP_CHUNK.init : SCTP_CHUNK.initAck;
      return tlv(type, 0, concat([h, params(list)]));
    }
    case 'cookie-echo':
      return tlv(SCTP_CHUNK.cookieEcho, 0, chunk.cookie);
    case 'cookie-ack':
      return tlv(SCTP_CHUNK.cookieAck, 0, new Uint8Array(0));
    case 'sack': {
      const gaps = chunk.gapBlocks ?? [];
      const dups = chunk.duplicateTsns ?? [];
      const parts = [u32be(chunk.cumulativeTsnAck), u32be(chunk.aRwnd), u16be(gaps.length), u16be(dups.length)];
      for (const [s, e] of gaps) parts.push(u16be(s), u16be(e));
      for (const d of dups) parts.push(u32be(d));
      return tlv(SCTP_CHUNK.sack, 0, concat(parts));
    }
    case 'heartbeat':
    case 'heartbeat-ack':
      // §3.3.5: one Heartbeat Info parameter (type 1).
      return tlv(chunk.type === 'heartbeat' ? SCTP_CHUNK.heartbeat : SCTP_CHUNK.heartbeatAck, 0, params([param(1, chunk.info)]));
    case 'raw':
      return tlv(chunk.chunkType, chunk.flags, chunk.value);
  }
}

/** An SCTP packet: common header and the chunks bundled in order (§6.10). */
export function encodeSctpPacket(pkt: SctpPacket): Uint8Array {
  checkRange('SCTP source port', pkt.srcPort, 0, 65535);
  checkRange('SCTP destination port', pkt.dstPort, 0, 65535);
  const header = new Uint8Array(12);
  writeU16be(header, 0, pkt.srcPort);
  writeU16be(header, 2, pkt.dstPort);
  writeU32be(header, 4, pkt.verificationTag >>> 0);
  const out = concat([header, ...pkt.chunks.map(encodeChunk)]);
  if (pkt.checksum === undefined || pkt.checksum === 'crc32c') {
    // RFC 9260 App. B: computed with the checksum field zero, stored least significant
    // byte first (the reflected CRC's natural order).
    writeU32le(out, 8, crc32c(out));
  } else {
    writeU32be(out, 8, pkt.checksum >>> 0);
  }
  return out;
}

export interface UserMessage {
  tsn: number; // TSN of the first fragment; the following take consecutive TSNs
  sid: number;
  ppid: number;
  data: Uint8Array;
  unordered?: boolean;
}

/** Splits `data` into pieces of at most `maxFragment` bytes, or into `count` nearly equal pieces. */
export function splitData(data: Uint8Array, by: { maxFragment: number } | { count: number }): Uint8Array[] {
  if ('count' in by && by.count === 1) return [data];
  const size = 'count' in by ? Math.ceil(data.length / by.count) : by.maxFragment;
  if (size < 1) throw new RangeError('fragment size must be at least 1 byte');
  const pieces: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += size) pieces.push(data.subarray(off, Math.min(off + size, data.length)));
  if ('count' in by && pieces.length !== by.count) throw new RangeError(`cannot split ${data.length} bytes into ${by.count} fragments`);
  return pieces;
}

/** One user message over several DATA chunks (§6.9): B on the first, E on the last, same SSN. */
export function fragmentData(msg: UserMessage & { ssn: number }, by: { maxFragment: number } | { count: number }): DataChunk[] {
  const pieces = splitData(msg.data, by);
  return pieces.map((piece, i) => ({
    type: 'data',
    tsn: (msg.tsn + i) >>> 0,
    sid: msg.sid,
    ssn: msg.ssn,
    ppid: msg.ppid,
    data: piece,
    unordered: msg.unordered,
    begin: i === 0,
    end: i === pieces.length - 1,
  }));
}

/** One user message over several I-DATA chunks (RFC 8260 §2.1): PPID on the first, FSN 1.. after. */
export function fragmentIData(msg: UserMessage & { mid: number }, by: { maxFragment: number } | { count: number }): IDataChunk[] {
  const pieces = splitData(msg.data, by);
  return pieces.map((piece, i) => ({
    type: 'idata',
    tsn: (msg.tsn + i) >>> 0,
    sid: msg.sid,
    mid: msg.mid,
    ppid: i === 0 ? msg.ppid : undefined,
    fsn: i === 0 ? undefined : i,
    data: piece,
    unordered: msg.unordered,
    begin: i === 0,
    end: i === pieces.length - 1,
  }));
}
