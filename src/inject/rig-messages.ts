// SS7 messages for the test rig's SCTP peer (test/rig/sctp-peer.c): the SCCP payloads of the
// builder's scenarios with the MTP3 routing label M3UA carries for them, in the peer's
// length-prefixed file format. The peer wraps each record in an M3UA DATA message (RFC 4666
// §3.3.1) and sends it over a real SCTP association, so the appliance sees traffic from a real
// stack (its own TSNs, SACK timing, bundling) rather than replayed frames.
import { encodeSccp } from '../builder/sccp.js';
import { SERVICE_INDICATOR } from '../builder/mtp3.js';
import { Association } from '../builder/stack.js';
import { LINKS } from '../builder/network.js';
import { BENIGN_SCENARIOS, ATTACK_SCENARIOS, ScenarioContext, type ScenarioDefinition, type MessageLabel } from '../builder/scenarios.js';
import { SigwallError } from '../errors.js';

/** The file's first 8 bytes. */
export const RIG_FILE_MAGIC = 'SWM3UA01';
const kHeader = 24;

export interface RigMessage {
  opc: number;
  dpc: number;
  si: number; // service indicator: 3 = SCCP
  ni: number;
  mp: number;
  sls: number;
  /** SCTP stream; the peer refuses streams beyond the association's count (default 4). */
  stream: number;
  routingContext?: number;
  /** The MTP3 user part: one SCCP message. */
  sccp: Uint8Array;
  /** What the message is (scenario label), for test assertions; not written to the file. */
  label?: MessageLabel;
}

/** Encodes messages in the peer's input format (see test/rig/sctp-peer.c). */
export function encodeRigFile(messages: readonly RigMessage[]): Uint8Array {
  let size = 8;
  for (const m of messages) size += kHeader + m.sccp.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(RIG_FILE_MAGIC), 0);
  let off = 8;
  for (const [i, m] of messages.entries()) {
    if (m.sccp.length > 65000) throw new SigwallError('SIGWALL_ERR_OPTIONS', `rig message ${i + 1}: SCCP payload of ${m.sccp.length} bytes is larger than the peer accepts (65000)`);
    view.setUint32(off, m.sccp.length);
    view.setUint32(off + 4, m.opc >>> 0);
    view.setUint32(off + 8, m.dpc >>> 0);
    out[off + 12] = m.si;
    out[off + 13] = m.ni;
    out[off + 14] = m.mp;
    out[off + 15] = m.sls;
    view.setUint16(off + 16, m.stream);
    view.setUint16(off + 18, m.routingContext === undefined ? 0 : 1);
    view.setUint32(off + 20, (m.routingContext ?? 0) >>> 0);
    out.set(m.sccp, off + kHeader);
    off += kHeader + m.sccp.length;
  }
  return out;
}

/** Decodes a peer input file (the inverse of encodeRigFile), checking every length. */
export function decodeRigFile(bytes: Uint8Array): RigMessage[] {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 8)) !== RIG_FILE_MAGIC) {
    throw new SigwallError('SIGWALL_ERR_FILE', `not a rig message file (magic ${RIG_FILE_MAGIC} missing)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: RigMessage[] = [];
  let off = 8;
  while (off < bytes.length) {
    if (bytes.length - off < kHeader) throw new SigwallError('SIGWALL_ERR_FILE', `rig message ${out.length + 1} at offset ${off}: truncated header`);
    const length = view.getUint32(off);
    if (length > bytes.length - off - kHeader) throw new SigwallError('SIGWALL_ERR_FILE', `rig message ${out.length + 1} at offset ${off}: payload runs past the end`);
    const flags = view.getUint16(off + 18);
    out.push({
      opc: view.getUint32(off + 4),
      dpc: view.getUint32(off + 8),
      si: bytes[off + 12]!,
      ni: bytes[off + 13]!,
      mp: bytes[off + 14]!,
      sls: bytes[off + 15]!,
      stream: view.getUint16(off + 16),
      ...(flags & 1 ? { routingContext: view.getUint32(off + 20) } : {}),
      sccp: bytes.slice(off + kHeader, off + kHeader + length),
    });
    off += kHeader + length;
  }
  return out;
}

export interface ScenarioTrafficOptions {
  /** At least this many messages (whole scenarios are drawn until the count is reached). */
  messages: number;
  seed?: number;
  kind?: 'benign' | 'attack' | 'mixed';
  /** Keep only this direction relative to the home network (default: both). */
  direction?: 'inbound' | 'outbound';
  /** SCTP streams of the association; data uses 1..streams-1 (stream 0 is management). */
  streams?: number;
}

/**
 * SS7 messages of the builder's scenarios that travel over M3UA links, in order, with the
 * routing label of the link they belong to (OPC/DPC from the link's endpoints, the link's
 * routing context). SUA and M2PA scenarios are skipped: the peer speaks M3UA only.
 */
export function scenarioRigMessages(opts: ScenarioTrafficOptions): RigMessage[] {
  const ctx = new ScenarioContext(opts.seed ?? 4);
  const streams = opts.streams ?? 4;
  const pool: readonly ScenarioDefinition[] =
    opts.kind === 'attack' ? ATTACK_SCENARIOS : opts.kind === 'mixed' ? [...BENIGN_SCENARIOS, ...ATTACK_SCENARIOS] : BENIGN_SCENARIOS;
  const out: RigMessage[] = [];
  let sls = 0;
  for (let guard = 0; out.length < opts.messages; guard++) {
    if (guard > opts.messages * 20 + 1000) throw new SigwallError('SIGWALL_ERR_OPTIONS', `the ${opts.kind ?? 'benign'} scenarios yield no M3UA messages for these options`);
    for (const msg of ctx.prng.pick(pool).build(ctx)) {
      const link = LINKS[msg.link];
      if (link.adaptation !== 'm3ua') continue;
      const direction = msg.dir === 'ab' ? 'inbound' : 'outbound';
      if (opts.direction !== undefined && direction !== opts.direction) continue;
      const src = msg.dir === 'ab' ? link.a : link.b;
      const dst = msg.dir === 'ab' ? link.b : link.a;
      const messageSls = msg.send?.sls ?? sls++ & 15;
      for (const sccp of Association.sccpMessages(msg.ss7)) {
        out.push({
          opc: src.pc,
          dpc: dst.pc,
          si: SERVICE_INDICATOR.sccp,
          ni: link.ni ?? 0,
          mp: 0,
          sls: messageSls,
          stream: 1 + (messageSls % Math.max(1, streams - 1)),
          routingContext: link.routingContext,
          sccp: encodeSccp(sccp),
          label: msg.label,
        });
      }
      if (out.length >= opts.messages) break;
    }
  }
  return out;
}
