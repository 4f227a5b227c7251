// Whole captures: the deterministic demo capture (every scenario once, among benign traffic,
// with labels per SS7 message) and the load capture for the decode benchmark (any number of
// messages, streamed in chunks so a million messages never sit in memory).

import { closeSync, openSync, writeSync } from 'node:fs';
import { LINKS, type LinkName } from './network.js';
import { type CapturedPacket, PcapngWriter, PcapWriter } from './pcap.js';
import { Prng } from './prng.js';
import { ATTACK_SCENARIOS, BENIGN_SCENARIOS, type Label, ScenarioContext, type ScenarioMessage } from './scenarios.js';
import { Association, type Frame, type Sent } from './stack.js';
import { LINKTYPE } from './link.js';
import { parseDemoCaptureOptions } from './schema.js';

/** 2026-01-15T09:00:00Z, the demo capture's first timestamp. */
export const DEMO_EPOCH_NS = 1_768_467_600_000_000_000n;

export interface DemoOptions {
  seed?: number;
  /** Benign dialogues mixed around the attacks; default 70. */
  benignFlows?: number;
}

export interface DemoFrames {
  packets: CapturedPacket[];
  labels: Label[];
}

/** Sends scenario messages over a set of associations and records frames, times and labels. */
class CaptureRecorder {
  readonly packets: CapturedPacket[] = [];
  readonly labels: Label[] = [];
  private readonly associations = new Map<LinkName, Association>();
  private readonly pendingSack = new Set<LinkName>();
  /** Load mode: adaptation-layer bytes encoded once per pooled message (M3UA and SUA only;
   *  M2PA carries per-message sequence numbers). */
  private readonly adaptationCache?: WeakMap<ScenarioMessage, { sls: number; users: Uint8Array[] }>;
  private time: bigint;

  constructor(
    private readonly prng: Prng,
    start: bigint,
    private readonly sink?: (p: CapturedPacket) => void,
  ) {
    this.time = start;
    if (sink) this.adaptationCache = new WeakMap();
  }

  frameCount = 0;

  private emit(frame: Frame): number {
    // Gaps of 0.2 to 12 ms with nanosecond jitter so pcapng resolution matters.
    this.time += BigInt(this.prng.int(200_000, 12_000_000)) + BigInt(this.prng.int(0, 999));
    const packet: CapturedPacket = { timestampNs: this.time, data: frame.data };
    this.frameCount++;
    if (this.sink) this.sink(packet);
    else this.packets.push(packet);
    return this.frameCount;
  }

  association(link: LinkName): Association {
    let a = this.associations.get(link);
    if (!a) {
      a = new Association(LINKS[link]);
      this.associations.set(link, a);
      for (const f of a.startup()) this.emit(f);
    }
    return a;
  }

  private record(msg: ScenarioMessage, chunkIndex: number, frames: number[]): void {
    if (this.sink) return;
    this.labels.push({
      ...msg.label,
      frame: frames[frames.length - 1]!,
      chunk: chunkIndex,
      frames,
      link: msg.link,
      direction: msg.dir === 'ab' ? 'inbound' : 'outbound',
    });
  }

  /** Sends a scenario's messages, bundling those that ask for it. Returns messages sent. */
  play(messages: readonly ScenarioMessage[]): number {
    let i = 0;
    let count = 0;
    while (i < messages.length) {
      const msg = messages[i]!;
      const assoc = this.association(msg.link);
      if (msg.bundle !== undefined) {
        const group = [msg];
        while (i + group.length < messages.length && messages[i + group.length]!.bundle === msg.bundle) group.push(messages[i + group.length]!);
        const sent = assoc.sendBundle(msg.dir, group.map((m) => m.ss7), msg.send);
        const frameNo = this.emit(sent.frames[0]!);
        group.forEach((m, k) => this.record(m, sent.chunks[k]!, [frameNo]));
        i += group.length;
        count += group.length;
      } else {
        const sent = this.sendOne(assoc, msg);
        const frames = sent.frames.map((f) => this.emit(f));
        this.record(msg, sent.chunk, frames);
        i++;
        count++;
      }
      this.pendingSack.add(msg.link);
      // Receivers acknowledge now and then, as a delayed-SACK stack would (RFC 9260 §6.2).
      if (this.prng.next() < 0.35) this.flushSacks(msg.link);
    }
    return count;
  }

  private sendOne(assoc: Association, msg: ScenarioMessage): Sent {
    if (!this.adaptationCache || assoc.config.adaptation === 'm2pa') return assoc.send(msg.dir, msg.ss7, msg.send);
    let cached = this.adaptationCache.get(msg);
    if (!cached) {
      const sls = msg.send?.sls ?? this.prng.int(0, 15);
      cached = { sls, users: assoc.adaptationMessages(msg.dir, msg.ss7, sls) };
      this.adaptationCache.set(msg, cached);
    }
    return assoc.sendAdaptation(msg.dir, cached.users, cached.sls, msg.send);
  }

  flushSacks(only?: LinkName): void {
    for (const link of [...this.pendingSack]) {
      if (only !== undefined && link !== only) continue;
      const a = this.association(link);
      this.emit(a.sack('ba'));
      this.emit(a.sack('ab'));
      this.pendingSack.delete(link);
    }
  }

  heartbeat(link: LinkName): void {
    const a = this.association(link);
    for (const f of a.heartbeat('ab', this.prng.bytes(12))) this.emit(f);
  }
}

/**
 * The demo capture as packets with nanosecond timestamps and labels: every attack and evasion
 * scenario once, spread evenly among benign dialogues. Deterministic for a given seed.
 */
export function buildDemoFrames(opts: DemoOptions = {}): DemoFrames {
  const seed = opts.seed ?? 20260115;
  const ctx = new ScenarioContext(seed);
  const prng = new Prng(seed ^ 0x5eed);
  const rec = new CaptureRecorder(prng, DEMO_EPOCH_NS);
  rec.association('ipx-a');
  rec.association('ipx-b');
  const benignFlows = opts.benignFlows ?? 70;
  const attacks = [...ATTACK_SCENARIOS];
  const total = benignFlows + attacks.length;
  // Place attack k at slot round((k + 0.5) * total / attacks.length): spread, deterministic.
  const attackAt = new Map<number, number>();
  attacks.forEach((_, k) => attackAt.set(Math.floor(((k + 0.5) * total) / attacks.length), k));
  let benignDone = 0;
  for (let slot = 0; slot < total; slot++) {
    const k = attackAt.get(slot);
    if (k !== undefined) {
      rec.play(attacks[k]!.build(ctx));
    } else if (benignDone < benignFlows) {
      rec.play(ctx.prng.pick(BENIGN_SCENARIOS).build(ctx));
      benignDone++;
    } else {
      continue;
    }
    if (slot % 25 === 24) rec.heartbeat(slot % 50 === 24 ? 'ipx-a' : 'ipx-b');
  }
  while (benignDone < benignFlows) {
    rec.play(ctx.prng.pick(BENIGN_SCENARIOS).build(ctx));
    benignDone++;
  }
  rec.flushSacks();
  return { packets: rec.packets, labels: rec.labels };
}

/** The demo capture as a classic pcap (Ethernet, microseconds) and its labels. */
export function buildDemoCapture(opts: DemoOptions = {}): { pcap: Uint8Array; labels: Label[] } {
  const { packets, labels } = buildDemoFrames(opts);
  const chunks: Uint8Array[] = [];
  const w = new PcapWriter((c) => chunks.push(c), { linkType: LINKTYPE.ethernet });
  for (const p of packets) w.write(p);
  w.close();
  return { pcap: concatChunks(chunks), labels };
}

/**
 * The demo capture as pcapng (nanosecond timestamps); with `comments`, every packet that
 * completes a labelled message carries the label as opt_comment.
 */
export function buildDemoPcapng(opts: DemoOptions & { comments?: boolean } = {}): { pcapng: Uint8Array; labels: Label[] } {
  const { packets, labels } = buildDemoFrames(opts);
  const byFrame = new Map<number, string[]>();
  if (opts.comments) {
    for (const l of labels) {
      const text = `${l.kind} ${l.scenario}${l.operation ? ` ${l.operation}` : ''}${l.fs11Category ? ` cat${l.fs11Category}` : ''}: ${l.description}`;
      byFrame.set(l.frame, [...(byFrame.get(l.frame) ?? []), text]);
    }
  }
  const chunks: Uint8Array[] = [];
  const w = new PcapngWriter((c) => chunks.push(c), { interfaces: [{ linkType: LINKTYPE.ethernet, name: 'sigwall-demo' }], application: 'sigwall builder' });
  packets.forEach((p, i) => w.write({ ...p, comment: byFrame.get(i + 1)?.join(' | ') }));
  w.close();
  return { pcapng: concatChunks(chunks), labels };
}

function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Distinct SS7 messages the load capture draws from (TCAP/MAP encoded once). */
function loadPool(seed: number, size: number): ScenarioMessage[][] {
  const ctx = new ScenarioContext(seed);
  const pool: ScenarioMessage[][] = [];
  const attacks = ATTACK_SCENARIOS;
  for (let i = 0; pool.length < size; i++) {
    // About one flow in ten is an attack or an evasion.
    const def = i % 10 === 9 ? attacks[(i / 10) % attacks.length | 0]! : ctx.prng.pick(BENIGN_SCENARIOS);
    pool.push(def.build(ctx));
  }
  return pool;
}

/**
 * The load capture: a classic pcap of at least `messageCount` SS7 messages (whole scenario
 * flows drawn from a pool, over all the demo links), yielded in chunks of about 1 MiB.
 */
export function* buildLoadCapture(messageCount: number, seed = 1): Generator<Uint8Array> {
  if (!Number.isInteger(messageCount) || messageCount < 1) throw new RangeError('messageCount must be a positive integer');
  const pool = loadPool(seed, 512);
  const prng = new Prng(seed ^ 0x10ad);
  const queue: Uint8Array[] = [];
  const writer = new PcapWriter((c) => queue.push(c), { linkType: LINKTYPE.ethernet });
  const rec = new CaptureRecorder(prng, DEMO_EPOCH_NS, (p) => writer.write(p));
  let sent = 0;
  while (sent < messageCount) {
    sent += rec.play(pool[prng.int(0, pool.length - 1)]!);
    while (queue.length) yield queue.shift()!;
  }
  rec.flushSacks();
  writer.close();
  while (queue.length) yield queue.shift()!;
}

/** Streams the load capture to a file. Returns the number of bytes written. */
export function writeLoadCapture(path: string, messageCount: number, seed = 1): number {
  const fd = openSync(path, 'w');
  let bytes = 0;
  try {
    for (const chunk of buildLoadCapture(messageCount, seed)) {
      writeSync(fd, chunk);
      bytes += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** One entry point for the CLI: validated options in, capture bytes (pcap or pcapng) out. */
export function buildDemo(input: unknown = {}): { bytes: Uint8Array; format: 'pcap' | 'pcapng'; labels: Label[] } {
  const opts = parseDemoCaptureOptions(input);
  if (opts.format === 'pcapng') {
    const { pcapng, labels } = buildDemoPcapng(opts);
    return { bytes: pcapng, format: 'pcapng', labels };
  }
  const { pcap, labels } = buildDemoCapture(opts);
  return { bytes: pcap, format: 'pcap', labels };
}
