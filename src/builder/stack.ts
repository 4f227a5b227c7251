// Composes the layers into frames on the wire: an SCTP association between two signalling
// endpoints (Ethernet or Linux cooked link, optional VLAN tags, IPv4 or IPv6) carrying M3UA,
// M2PA or SUA, with the TSN / stream sequence / M2PA sequence state kept per direction, the
// association start-up (INIT .. COOKIE ACK, ASPUP, ASPAC or M2PA alignment), SACKs,
// heartbeats, bundling, SCTP fragmentation and XUDT segmentation of one SS7 message.

import { concat, writeU16be, writeU32be, writeU32le } from './bytes.js';
import { crc32c } from './crc32c.js';
import { encodeIpv4, encodeIpv6, internetChecksum } from './ip.js';
import { encodeEthernet, encodeSll, ETHERTYPE, LINKTYPE, type VlanTag } from './link.js';
import { encodeM2paLinkStatus, encodeM2paUserData } from './m2pa.js';
import { encodeAspActive, encodeAspUp, encodeM3uaData, type M3uaDataParameter } from './m3ua.js';
import { encodeMtp3, SERVICE_INDICATOR } from './mtp3.js';
import { encodeSccp, segmentXudt, type SccpAddress, type SccpMessage } from './sccp.js';
import {
  type DataChunk,
  encodeChunk,
  fragmentData,
  fragmentIData,
  type IDataChunk,
  PPID,
  type SctpChunk,
} from './sctp.js';
import { encodeSuaCldt, type SuaAddress } from './sua.js';

export type Adaptation = 'm3ua' | 'm2pa' | 'sua';
export type Direction = 'ab' | 'ba';

export interface Endpoint {
  mac: string;
  ip: string; // IPv4 dotted or IPv6
  port: number;
  /** Signalling point code (14-bit ITU). */
  pc: number;
}

export interface AssociationConfig {
  name: string;
  link?: 'ethernet' | 'sll';
  vlans?: readonly VlanTag[];
  a: Endpoint;
  b: Endpoint;
  adaptation: Adaptation;
  routingContext?: number;
  networkAppearance?: number;
  /** MTP3 network indicator: 0 international (default), 2 national. */
  ni?: number;
  /** Outbound streams per side; stream 0 carries management, data uses 1..streams-1. */
  streams?: number;
  verificationTags?: readonly [number, number];
  initialTsns?: readonly [number, number];
  /** Order of M3UA DATA parameters. */
  m3uaOrder?: readonly M3uaDataParameter[];
}

/** An SS7 connectionless message before it meets the adaptation layer. */
export interface Ss7Message {
  called: SccpAddress;
  calling: SccpAddress;
  /** The SCCP user data: a TCAP message. */
  payload: Uint8Array;
  /** SCCP message type for M3UA/M2PA (ignored by SUA). Default 'udt'. */
  sccpType?: 'udt' | 'xudt' | 'ludt';
  protocolClass?: number; // default 0
  returnOnError?: boolean;
  hopCounter?: number;
  /** Split the payload over N XUDT segments (Q.714 §4.1.1.2); implies XUDT. */
  xudtSegments?: number;
  segmentationReference?: number;
}

export interface SendOptions {
  sls?: number;
  /** SCTP stream; default chosen from the SLS. */
  sid?: number;
  /** Fragment the adaptation-layer message over N DATA chunks, one per packet. */
  sctpFragments?: number;
  /** Carry the message in I-DATA (RFC 8260) instead of DATA. */
  idata?: boolean;
  /** Send unordered (U bit). */
  unordered?: boolean;
}

/** One frame on the wire, ready for a capture file. */
export interface Frame {
  data: Uint8Array;
  linkType: number;
}

/** What sending one SS7 message produced: its frames; the last one completes the message. */
export interface Sent {
  frames: Frame[];
  /** Index, in the completing (last) frame, of the DATA chunk that completed the message. */
  chunk: number;
}

/** Pre-built link and IP headers of one direction; only lengths and checksums vary. */
interface HeaderTemplate {
  link: Uint8Array;
  ip: Uint8Array;
  v6: boolean;
  srcPort: number;
  dstPort: number;
}

interface DirectionState {
  nextTsn: number;
  ssn: Map<number, number>;
  mid: Map<number, number>;
  m2paFsn: number;
  highestTsnReceivedFromPeer: number | undefined;
}

export class Association {
  readonly config: AssociationConfig;
  readonly linkType: number;
  private readonly state: Record<Direction, DirectionState>;
  private readonly tags: readonly [number, number];
  private readonly headers: Record<Direction, HeaderTemplate>;
  private slsCounter = 0;

  constructor(config: AssociationConfig) {
    this.config = config;
    this.linkType = config.link === 'sll' ? LINKTYPE.linuxSll : LINKTYPE.ethernet;
    this.tags = config.verificationTags ?? [0x1000_0001, 0x2000_0002];
    const tsns = config.initialTsns ?? [1000, 5000];
    const fresh = (tsn: number): DirectionState => ({ nextTsn: tsn, ssn: new Map(), mid: new Map(), m2paFsn: 0, highestTsnReceivedFromPeer: undefined });
    this.state = { ab: fresh(tsns[0]), ba: fresh(tsns[1]) };
    this.headers = { ab: this.headerTemplate('ab'), ba: this.headerTemplate('ba') };
  }

  private headerTemplate(dir: Direction): HeaderTemplate {
    const { src, dst } = this.ends(dir);
    const v6 = src.ip.includes(':');
    const empty = new Uint8Array(0);
    const ip = v6 ? encodeIpv6({ src: src.ip, dst: dst.ip, payload: empty }) : encodeIpv4({ src: src.ip, dst: dst.ip, payload: empty });
    const etherType = v6 ? ETHERTYPE.ipv6 : ETHERTYPE.ipv4;
    const link =
      this.config.link === 'sll'
        ? encodeSll({ packetType: dir === 'ab' ? 4 : 0, address: src.mac, protocol: etherType, payload: empty })
        : encodeEthernet({ dst: dst.mac, src: src.mac, vlans: this.config.vlans, etherType, payload: empty });
    return { link, ip, v6, srcPort: src.port, dstPort: dst.port };
  }

  private ends(dir: Direction): { src: Endpoint; dst: Endpoint } {
    return dir === 'ab' ? { src: this.config.a, dst: this.config.b } : { src: this.config.b, dst: this.config.a };
  }

  private get ppid(): number {
    return PPID[this.config.adaptation];
  }

  /**
   * Wraps SCTP chunks into a complete frame for direction `dir`, written once into one buffer
   * from the direction's header template (the same bytes encodeEthernet(encodeIpv4(
   * encodeSctpPacket(...))) produce, without the intermediate copies).
   */
  packet(dir: Direction, chunks: readonly SctpChunk[], opts: { verificationTag?: number } = {}): Frame {
    const h = this.headers[dir];
    // RFC 9260 §8.5: packets carry the receiver's verification tag.
    const vtag = opts.verificationTag ?? (dir === 'ab' ? this.tags[1] : this.tags[0]);
    const encoded = chunks.map(encodeChunk);
    let sctpLength = 12;
    for (const c of encoded) sctpLength += c.length;
    const ipStart = h.link.length;
    const sctpStart = ipStart + h.ip.length;
    const out = new Uint8Array(sctpStart + sctpLength);
    out.set(h.link, 0);
    out.set(h.ip, ipStart);
    if (h.v6) {
      writeU16be(out, ipStart + 4, sctpLength);
    } else {
      writeU16be(out, ipStart + 2, h.ip.length + sctpLength);
      writeU16be(out, ipStart + 4, this.state[dir].nextTsn & 0xffff); // identification
      writeU16be(out, ipStart + 10, 0);
      writeU16be(out, ipStart + 10, internetChecksum(out.subarray(ipStart, ipStart + 20)));
    }
    writeU16be(out, sctpStart, h.srcPort);
    writeU16be(out, sctpStart + 2, h.dstPort);
    writeU32be(out, sctpStart + 4, vtag >>> 0);
    let off = sctpStart + 12;
    for (const c of encoded) {
      out.set(c, off);
      off += c.length;
    }
    writeU32le(out, sctpStart + 8, crc32c(out, sctpStart, out.length)); // RFC 9260 App. B
    return { data: out, linkType: this.linkType };
  }

  private takeTsn(dir: Direction, count = 1): number {
    const st = this.state[dir];
    const tsn = st.nextTsn;
    st.nextTsn = (st.nextTsn + count) >>> 0;
    const peer = this.state[dir === 'ab' ? 'ba' : 'ab'];
    peer.highestTsnReceivedFromPeer = (tsn + count - 1) >>> 0;
    return tsn;
  }

  private takeSsn(dir: Direction, sid: number): number {
    const m = this.state[dir].ssn;
    const ssn = m.get(sid) ?? 0;
    m.set(sid, (ssn + 1) & 0xffff);
    return ssn;
  }

  private takeMid(dir: Direction, sid: number): number {
    const m = this.state[dir].mid;
    const mid = m.get(sid) ?? 0;
    m.set(sid, (mid + 1) >>> 0);
    return mid;
  }

  /** DATA (or I-DATA) chunks for one user message, fragmented if asked. */
  dataChunks(dir: Direction, userData: Uint8Array, opts: { sid: number; fragments?: number; idata?: boolean; unordered?: boolean }): (DataChunk | IDataChunk)[] {
    const n = opts.fragments ?? 1;
    const tsn = this.takeTsn(dir, n);
    const by = { count: n };
    if (opts.idata) {
      const mid = this.takeMid(dir, opts.sid);
      return fragmentIData({ tsn, sid: opts.sid, ppid: this.ppid, data: userData, mid, unordered: opts.unordered }, by);
    }
    const ssn = opts.unordered ? 0 : this.takeSsn(dir, opts.sid);
    return fragmentData({ tsn, sid: opts.sid, ssn, ppid: this.ppid, data: userData, unordered: opts.unordered }, by);
  }

  private nextSls(opts: SendOptions): number {
    if (opts.sls !== undefined) return opts.sls & 15;
    const sls = this.slsCounter;
    this.slsCounter = (this.slsCounter + 1) & 15;
    return sls;
  }

  private streamFor(sls: number, opts: SendOptions): number {
    const streams = this.config.streams ?? 4;
    return opts.sid ?? 1 + (sls % Math.max(1, streams - 1));
  }

  /** The SCCP messages (one, or one per XUDT segment) for an SS7 message. */
  static sccpMessages(msg: Ss7Message): SccpMessage[] {
    const base = { called: msg.called, calling: msg.calling, protocolClass: msg.protocolClass ?? 0, returnOnError: msg.returnOnError };
    if (msg.xudtSegments !== undefined) {
      return segmentXudt({ ...base, hopCounter: msg.hopCounter }, msg.payload, msg.segmentationReference ?? 0x123456, { count: msg.xudtSegments });
    }
    const type = msg.sccpType ?? 'udt';
    if (type === 'udt') return [{ type, ...base, data: msg.payload }];
    return [{ type, ...base, hopCounter: msg.hopCounter, data: msg.payload }];
  }

  /** The adaptation-layer messages (M3UA DATA, M2PA User Data or SUA CLDT) for an SS7 message. */
  adaptationMessages(dir: Direction, msg: Ss7Message, sls: number): Uint8Array[] {
    const { src, dst } = this.ends(dir);
    const cfg = this.config;
    if (cfg.adaptation === 'sua') {
      return [
        encodeSuaCldt({
          routingContext: cfg.routingContext,
          protocolClass: msg.protocolClass ?? 0,
          returnOnError: msg.returnOnError,
          source: toSuaAddress(msg.calling, src.pc),
          destination: toSuaAddress(msg.called, dst.pc),
          sequenceControl: sls,
          hopCount: msg.hopCounter,
          data: msg.payload,
        }),
      ];
    }
    return Association.sccpMessages(msg).map((sccp) => {
      const data = encodeSccp(sccp);
      if (cfg.adaptation === 'm3ua') {
        return encodeM3uaData({
          networkAppearance: cfg.networkAppearance,
          routingContext: cfg.routingContext,
          protocolData: { opc: src.pc, dpc: dst.pc, si: SERVICE_INDICATOR.sccp, ni: cfg.ni ?? 0, mp: 0, sls, data },
          order: cfg.m3uaOrder,
        });
      }
      const st = this.state[dir];
      st.m2paFsn = (st.m2paFsn + 1) & 0xffffff;
      const peerFsn = this.state[dir === 'ab' ? 'ba' : 'ab'].m2paFsn;
      return encodeM2paUserData({
        bsn: peerFsn === 0 ? 0xffffff : peerFsn,
        fsn: st.m2paFsn,
        mtp3: encodeMtp3({ ni: cfg.ni ?? 0, si: SERVICE_INDICATOR.sccp, opc: src.pc, dpc: dst.pc, sls, sif: data }),
      });
    });
  }

  /** Sends one SS7 message: one frame per adaptation message, or one per SCTP fragment. */
  send(dir: Direction, msg: Ss7Message, opts: SendOptions = {}): Sent {
    const sls = this.nextSls(opts);
    return this.sendAdaptation(dir, this.adaptationMessages(dir, msg, sls), sls, opts);
  }

  /** Sends already-encoded adaptation-layer messages (one SS7 message) with the given SLS. */
  sendAdaptation(dir: Direction, users: readonly Uint8Array[], sls: number, opts: SendOptions = {}): Sent {
    const sid = this.streamFor(sls, opts);
    const frames: Frame[] = [];
    for (const user of users) {
      const chunks = this.dataChunks(dir, user, { sid, fragments: opts.sctpFragments, idata: opts.idata, unordered: opts.unordered });
      for (const c of chunks) frames.push(this.packet(dir, [c]));
    }
    return { frames, chunk: 0 };
  }

  /** Several SS7 messages bundled as DATA chunks in one packet (RFC 9260 §6.10). */
  sendBundle(dir: Direction, msgs: readonly Ss7Message[], opts: SendOptions = {}): Sent & { chunks: number[] } {
    const chunks: SctpChunk[] = [];
    const completing: number[] = [];
    for (const msg of msgs) {
      const sls = this.nextSls(opts);
      const sid = this.streamFor(sls, opts);
      const users = this.adaptationMessages(dir, msg, sls);
      if (users.length !== 1) throw new RangeError('a bundled message cannot be XUDT-segmented');
      chunks.push(...this.dataChunks(dir, users[0]!, { sid, idata: opts.idata }));
      completing.push(chunks.length - 1);
    }
    return { frames: [this.packet(dir, chunks)], chunk: completing[completing.length - 1] ?? 0, chunks: completing };
  }

  /** A raw adaptation-layer message (management) as one DATA chunk on stream 0. */
  sendManagement(dir: Direction, user: Uint8Array): Frame {
    return this.packet(dir, this.dataChunks(dir, user, { sid: 0 }));
  }

  /** SACK acknowledging everything received so far in the opposite direction. */
  sack(dir: Direction, bundleWith: readonly SctpChunk[] = []): Frame {
    const received = this.state[dir].highestTsnReceivedFromPeer;
    const peerStart = this.config.initialTsns?.[dir === 'ab' ? 1 : 0] ?? (dir === 'ab' ? 5000 : 1000);
    const cumulative = received ?? (peerStart - 1) >>> 0;
    return this.packet(dir, [{ type: 'sack', cumulativeTsnAck: cumulative, aRwnd: 106496 }, ...bundleWith]);
  }

  heartbeat(dir: Direction, info: Uint8Array): Frame[] {
    return [this.packet(dir, [{ type: 'heartbeat', info }]), this.packet(dir === 'ab' ? 'ba' : 'ab', [{ type: 'heartbeat-ack', info }])];
  }

  /** Association start-up (§5.1) and the adaptation layer's own bring-up. */
  startup(): Frame[] {
    const cfg = this.config;
    const streams = cfg.streams ?? 4;
    const [tagA, tagB] = this.tags;
    const cookie = concat([Uint8Array.of(0x53, 0x57, 0x4c, 0x4c), new Uint8Array(28).fill(0x5a)]);
    const frames: Frame[] = [
      this.packet('ab', [{ type: 'init', initiateTag: tagA, aRwnd: 106496, outboundStreams: streams, inboundStreams: streams, initialTsn: this.state.ab.nextTsn, addresses: [cfg.a.ip], supportedExtensions: [64, 192] }], { verificationTag: 0 }),
      this.packet('ba', [{ type: 'init-ack', initiateTag: tagB, aRwnd: 106496, outboundStreams: streams, inboundStreams: streams, initialTsn: this.state.ba.nextTsn, addresses: [cfg.b.ip], stateCookie: cookie, supportedExtensions: [64, 192] }]),
      this.packet('ab', [{ type: 'cookie-echo', cookie }]),
      this.packet('ba', [{ type: 'cookie-ack' }]),
    ];
    if (cfg.adaptation === 'm2pa') {
      for (const state of [1, 2, 4]) {
        // alignment, proving normal, ready (RFC 4165 §4.1.3)
        frames.push(this.sendManagement('ab', encodeM2paLinkStatus({ bsn: 0xffffff, fsn: 0xffffff, state })));
        frames.push(this.sendManagement('ba', encodeM2paLinkStatus({ bsn: 0xffffff, fsn: 0xffffff, state })));
      }
    } else {
      const rc = cfg.routingContext;
      frames.push(this.sendManagement('ab', encodeAspUp({ aspIdentifier: 1 })));
      frames.push(this.sendManagement('ba', encodeAspUp({ ack: true })));
      frames.push(this.sendManagement('ab', encodeAspActive({ trafficMode: 2, routingContext: rc })));
      frames.push(this.sendManagement('ba', encodeAspActive({ ack: true, trafficMode: 2, routingContext: rc })));
    }
    frames.push(this.sack('ab'), this.sack('ba'));
    return frames;
  }
}

/** The SUA form of an SCCP party address; route-on-SSN addresses get the endpoint's PC. */
export function toSuaAddress(a: SccpAddress, defaultPc: number): SuaAddress {
  if (a.route === 'gt' && a.gt) {
    const gt = a.gt;
    return {
      route: 'gt',
      gt: {
        gti: gt.gti,
        tt: 'tt' in gt ? gt.tt : 0,
        np: 'np' in gt ? gt.np : 1,
        nai: 'nai' in gt ? gt.nai : 4,
        digits: gt.digits,
      },
      pc: a.pc,
      ssn: a.ssn,
    };
  }
  return { route: 'ssn+pc', pc: a.pc ?? defaultPc, ssn: a.ssn };
}
