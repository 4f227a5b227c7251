// The offline engine: a capture replayed through the native decode + classify path as if it were
// a live link. It implements the same Engine contract as the live data plane, so the API, the
// events pipeline, the metrics and `npm start` run unchanged against it.
//
// - Pacing: `capture` releases each frame at its own time relative to the first frame, `rate`
//   at a fixed number of frames per second, `fast` as fast as the decoder goes. Work happens in
//   short slices on timers (at most kSliceMs per slice, then the event loop gets a turn), so the
//   API stays responsive whatever the capture's size or pace.
// - Decoding: BatchDecoder (src/dataplane/decoder.ts) in batches of `rings.batch` records; a
//   table swap (setTable) takes effect from the next batch, the boundary a live worker swaps at.
//   Records already decoded under the old table are released with the old table's verdicts and
//   generation.
// - Counting: every released frame and message is counted exactly once (per action, category,
//   rule, shadow rule, anomaly); a loop starts a fresh decoder over the same capture and the
//   counters keep growing, as a live engine's would.
// - Events: one per blocked, alerted, shadow-hit or malformed message, with the frame's bytes
//   (from the capture, located by a TS index of its frames: capture-index.ts) for the pcapng
//   export; a bounded ring of `rings.events` like a worker's, lost events counted when nobody
//   drains it.
// - Time: a forensic replay (pace fast, no loop) keeps the capture's timestamps. A paced or
//   looping replay plays the capture as live traffic: its events carry the time they were
//   released (capture pace: the pass's start plus the frame's offset in the capture), so daily
//   event files, `since` filters and the pcapng export read like a live link's.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ApplianceConfig } from '../config/appliance.js';
import { BatchDecoder } from '../dataplane/decoder.js';
import type { DecodeStats } from '../dataplane/native.js';
import type { MessageRecord } from '../decode/record.js';
import { CaptureError, SigwallError } from '../errors.js';
import type { Engine, EngineCounters, EngineEvent, EngineState, EngineStatus, EngineSummary } from './contract.js';
import { indexCapture, type CaptureIndex } from './capture-index.js';
import { describeTable, type TableInfo } from './table-info.js';

export interface ReplayEngineOptions {
  capture: string;
  pace: 'fast' | 'capture' | 'rate';
  rate?: number; // frames per second (pace rate)
  loop: boolean;
  side: 'external' | 'internal';
  decode: { verifyCrc: boolean; mtp3Variant: 'itu' | 'japan' | 'ansi'; capSsns: number[] };
  batchRecords: number; // records per decode batch (the table-swap granularity)
  eventRingSize: number;
  eventSnapLength?: number; // bytes of each event's frame kept for the pcapng export
  // Wait for the events to be drained instead of losing them when the ring is (nearly) full.
  // A live worker cannot wait; an offline replay at pace fast can, and a forensic replay
  // should lose nothing. Off: the ring behaves as a live worker's (full -> counted as lost).
  holdWhenEventsFull?: boolean;
}

export function replayOptionsFromConfig(config: ApplianceConfig): ReplayEngineOptions {
  if (!config.replay) throw new SigwallError('SIGWALL_ERR_CONFIG', 'mode offline needs replay.capture');
  return {
    capture: config.replay.capture,
    pace: config.replay.pace,
    ...(config.replay.rate !== undefined ? { rate: config.replay.rate } : {}),
    loop: config.replay.loop,
    side: config.replay.side,
    decode: { verifyCrc: config.decode.verifyCrc, mtp3Variant: config.decode.mtp3Variant, capSsns: [...config.decode.capSsns] },
    batchRecords: config.rings.batch,
    eventRingSize: config.rings.events,
    holdWhenEventsFull: config.replay.pace === 'fast',
  };
}

const kSliceMs = 8; // longest stretch of replay work before yielding to the event loop
const kMaxTimerMs = 1000; // wake at least this often while waiting for a frame's time
// Frames kept per event: SIGTRAN links run at 1500 or jumbo 9000 bytes; the hub retains
// thousands of events, so a frame beyond this is cut (the pcapng says so: captured < original).
const kDefaultSnapLength = 16384;
const kLoopGapMsMin = 1;
const kHoldMarginEvents = 256;
const kHoldWaitMs = 5;

interface PendingRecord {
  record: MessageRecord;
  generation: number;
}

interface TableState {
  image: Uint8Array;
  info: TableInfo;
  generation: number;
  indexById: Map<string, number>;
}

function emptyCounters(): Omit<EngineCounters, 'ruleIds' | 'ruleHits' | 'ruleShadowHits' | 'perWorker' | 'anomalies'> {
  return {
    packets: 0,
    bytes: 0,
    messages: 0,
    forwardedPackets: 0,
    droppedPackets: 0,
    verdicts: { allow: 0, drop: 0, alert: 0 },
    malformed: 0,
    shadowHits: 0,
    categories: { custom: 0, cat1: 0, cat2: 0, cat3: 0 },
    ringDrops: 0,
    reassemblyBoundHits: 0,
    eventsLost: 0,
  };
}

const kCategoryKey = { custom: 'custom', 1: 'cat1', 2: 'cat2', 3: 'cat3' } as const;

export class ReplayEngine implements Engine {
  readonly #options: ReplayEngineOptions;
  readonly #portName: string;
  #state: EngineState = 'stopped';
  #error: string | undefined;
  #startedAtMs: number | undefined; // wall clock
  #startedMono = 0;
  #stoppedMono: number | undefined;
  readonly #listeners = new Set<(status: EngineStatus) => void>();

  #table: TableState;

  // The capture and where the replay is in it.
  #capture: Uint8Array | undefined;
  #index: CaptureIndex | undefined;
  #decoder: BatchDecoder | undefined;
  #decoderDone = false;
  #captureError: CaptureError | undefined;
  #decoderGeneration = 0;
  #pending: PendingRecord[] = [];
  #pendingHead = 0;
  #nextFrame = 0; // 0-based index of the next frame to release
  #pass = 0;
  #passStartMono = 0; // performance.now() when the current pass's first frame was due
  #passStartWallNs = 0n;
  #framesThisPass = 0;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;

  // Counters (one worker: this engine).
  readonly #counts = emptyCounters();
  #ruleHits: number[] = [];
  #ruleShadowHits: number[] = [];
  readonly #anomalies = new Map<string, number>();
  #finishedPassesBoundHits = 0;

  // The event ring.
  readonly #events: EngineEvent[] = [];
  #eventsHead = 0;
  #eventSequence = 0;

  constructor(options: ReplayEngineOptions, table: Uint8Array) {
    this.#options = options;
    this.#portName = basename(options.capture);
    validateImage(table);
    this.#table = tableState(table, 1);
    this.#ruleHits = new Array<number>(this.#table.info.rules.length).fill(0);
    this.#ruleShadowHits = new Array<number>(this.#table.info.rules.length).fill(0);
  }

  async start(): Promise<void> {
    if (this.#state === 'running' || this.#state === 'starting' || this.#state === 'stopping') {
      throw new SigwallError('SIGWALL_ERR_CONFLICT', `the engine is ${this.#state}`);
    }
    this.#setState('starting');
    this.#error = undefined;
    try {
      if (!this.#capture) {
        let bytes: Uint8Array;
        try {
          bytes = await readFile(this.#options.capture);
        } catch (error) {
          throw new SigwallError('SIGWALL_ERR_FILE', `cannot read capture ${this.#options.capture}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
        // stop() while the file was being read: stay stopped.
        if ((this.#state as EngineState) !== 'starting') return;
        const index = indexCapture(bytes);
        if (index.frames === 0 && index.error) throw new CaptureError(index.error.message, index.error.offset, this.#options.capture);
        this.#capture = bytes;
        this.#index = index;
      }
      this.#openPass(performance.now());
    } catch (error) {
      this.#state = 'failed';
      this.#error = (error as Error).message;
      throw error;
    }
    this.#startedAtMs = Date.now();
    this.#startedMono = performance.now();
    this.#stoppedMono = undefined;
    this.#setState('running');
    this.#schedule(0);
  }

  async stop(): Promise<EngineSummary> {
    this.#cancelTimers();
    if (this.#state === 'running' || this.#state === 'starting' || this.#state === 'finished') {
      this.#state = 'stopping';
      this.#stoppedMono ??= performance.now();
      this.#state = 'stopped';
    }
    return { status: this.status(), counters: this.counters() };
  }

  status(): EngineStatus {
    const end = this.#stoppedMono ?? performance.now();
    return {
      state: this.#state,
      mode: 'offline',
      backend: 'pcap',
      workers: 1,
      ports: [{ name: this.#portName, role: 'capture' }],
      ...(this.#startedAtMs !== undefined ? { startedAt: new Date(this.#startedAtMs).toISOString() } : {}),
      uptimeSeconds: this.#startedAtMs === undefined ? 0 : Math.max(0, (end - this.#startedMono) / 1000),
      table: {
        generation: this.#table.generation,
        sha256: this.#table.info.sha256,
        policyName: this.#table.info.policyName,
        rules: this.#table.info.rules.length,
      },
      ...(this.#error !== undefined ? { error: this.#error } : {}),
    };
  }

  counters(): EngineCounters {
    const c = this.#counts;
    const live = this.#decoder?.stats();
    const boundHits = this.#finishedPassesBoundHits + (live ? boundHitsOf(live) : 0);
    const eventsLost = c.eventsLost;
    return {
      ...c,
      verdicts: { ...c.verdicts },
      categories: { ...c.categories },
      reassemblyBoundHits: boundHits,
      ruleIds: this.#table.info.rules.map((rule) => rule.id),
      ruleHits: [...this.#ruleHits],
      ruleShadowHits: [...this.#ruleShadowHits],
      anomalies: Object.fromEntries([...this.#anomalies].sort((a, b) => a[0].localeCompare(b[0]))),
      perWorker: [{ worker: 0, packets: c.packets, messages: c.messages, eventsLost, ringDrops: 0 }],
    };
  }

  async setTable(image: Uint8Array): Promise<{ generation: number }> {
    const next = tableState(image, this.#table.generation + 1);
    if (this.#decoder) this.#decoder.setTable(next.image); // SIGWALL_ERR_TABLE: the old table stays
    else validateImage(next.image);
    // Per-rule counters follow their rule id into the new table's order.
    const hits = new Array<number>(next.info.rules.length).fill(0);
    const shadow = new Array<number>(next.info.rules.length).fill(0);
    for (const [i, rule] of this.#table.info.rules.entries()) {
      const to = next.indexById.get(rule.id);
      if (to === undefined) continue;
      hits[to] = this.#ruleHits[i]!;
      shadow[to] = this.#ruleShadowHits[i]!;
    }
    this.#table = next;
    this.#ruleHits = hits;
    this.#ruleShadowHits = shadow;
    this.#decoderGeneration = next.generation;
    return { generation: next.generation };
  }

  drainEvents(max = Number.POSITIVE_INFINITY): EngineEvent[] {
    const available = this.#events.length - this.#eventsHead;
    const count = Math.min(available, Math.max(0, Math.floor(max)));
    const out = this.#events.slice(this.#eventsHead, this.#eventsHead + count);
    this.#eventsHead += count;
    if (this.#eventsHead === this.#events.length) {
      this.#events.length = 0;
      this.#eventsHead = 0;
    } else if (this.#eventsHead > 4096) {
      this.#events.splice(0, this.#eventsHead);
      this.#eventsHead = 0;
    }
    return out;
  }

  onStateChange(listener: (status: EngineStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ------------------------------------------------------------------------------------------

  #eventRoom(): number {
    return this.#options.eventRingSize - (this.#events.length - this.#eventsHead);
  }

  // Room kept free before a frame is released while holding: a frame's messages (SCTP bundles
  // several) all fit.
  get #holdMargin(): number {
    return Math.min(kHoldMarginEvents, Math.max(1, this.#options.eventRingSize >> 2));
  }

  #setState(state: EngineState): void {
    this.#state = state;
  }

  // The engine left `running` by itself: tell the listeners once.
  #leaveRunning(state: 'finished' | 'failed', error?: string): void {
    this.#cancelTimers();
    this.#state = state;
    this.#stoppedMono = performance.now();
    if (error !== undefined) this.#error = error;
    const status = this.status();
    for (const listener of [...this.#listeners]) {
      try {
        listener(status);
      } catch {
        // A listener's fault is its own; the engine's state is already settled.
      }
    }
  }

  #openPass(dueMono: number): void {
    const capture = this.#capture!;
    this.#decoder = new BatchDecoder(capture, {
      ...this.#options.decode,
      table: this.#table.image,
      ingressSide: this.#options.side,
      file: this.#options.capture,
    });
    this.#decoderDone = false;
    this.#captureError = undefined;
    this.#decoderGeneration = this.#table.generation;
    this.#pending = [];
    this.#pendingHead = 0;
    this.#nextFrame = 0;
    this.#framesThisPass = 0;
    this.#passStartMono = dueMono;
    this.#passStartWallNs = BigInt(Math.round((Date.now() + (dueMono - performance.now())) * 1e6));
  }

  #cancelTimers(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }

  #schedule(delayMs: number): void {
    if (this.#state !== 'running') return;
    if (delayMs <= 0) this.#immediate = setImmediate(this.#tick);
    else this.#timer = setTimeout(this.#tick, Math.min(kMaxTimerMs, Math.ceil(delayMs)));
  }

  // Milliseconds until frame i (0-based, this pass) is due; <= 0 when it is.
  #msUntilDue(i: number, now: number): number {
    const index = this.#index!;
    switch (this.#options.pace) {
      case 'fast':
        return 0;
      case 'rate':
        return this.#passStartMono + (this.#framesThisPass * 1000) / this.#options.rate! - now;
      case 'capture':
        return this.#passStartMono + Number(index.timestampNs[i]! - index.timestampNs[0]!) / 1e6 - now;
    }
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    this.#immediate = undefined;
    if (this.#state !== 'running') return;
    const sliceEnd = performance.now() + kSliceMs;
    try {
      for (;;) {
        const now = performance.now();
        if (this.#nextFrame >= this.#index!.frames) {
          if (!this.#endPass(now)) return;
          continue;
        }
        const wait = this.#msUntilDue(this.#nextFrame, now);
        if (wait > 0) return this.#schedule(wait);
        if (this.#options.holdWhenEventsFull && this.#eventRoom() < this.#holdMargin) return this.#schedule(kHoldWaitMs);
        if (now >= sliceEnd) return this.#schedule(0);
        this.#releaseFrame(this.#nextFrame);
        this.#nextFrame++;
        this.#framesThisPass++;
      }
    } catch (error) {
      this.#leaveRunning('failed', (error as Error).message);
    }
  };

  // The last frame of the pass is out: finish the decoder (a capture fault surfaces here), then
  // loop or finish. Returns whether the replay goes on (a new pass is open).
  #endPass(now: number): boolean {
    while (!this.#decoderDone) this.#decodeBatch();
    // Records past the index's last frame can only exist if the index stopped at a fault the
    // decoder did not see; release them on the last frame rather than lose them.
    while (this.#pendingHead < this.#pending.length) this.#handleRecord(this.#pending[this.#pendingHead++]!);
    this.#finishedPassesBoundHits += boundHitsOf(this.#decoder!.stats());
    this.#decoder = undefined;
    if (this.#captureError) {
      this.#leaveRunning('failed', this.#captureError.message);
      return false;
    }
    const index = this.#index!;
    if (!this.#options.loop || index.frames === 0) {
      this.#leaveRunning('finished');
      return false;
    }
    this.#pass++;
    // The next pass starts one average frame gap after this pass's last frame was due.
    const durationMs = Number(index.timestampNs[index.frames - 1]! - index.timestampNs[0]!) / 1e6;
    const gapMs = Math.max(kLoopGapMsMin, index.frames > 1 ? durationMs / (index.frames - 1) : kLoopGapMsMin);
    const lastDue = this.#options.pace === 'capture' ? this.#passStartMono + durationMs : now;
    this.#openPass(this.#options.pace === 'fast' ? now : lastDue + gapMs);
    return true;
  }

  #decodeBatch(): void {
    let batch: { records: MessageRecord[]; done: boolean };
    try {
      batch = this.#decoder!.decodeBatch(this.#options.batchRecords);
    } catch (error) {
      if (!(error instanceof CaptureError)) throw error;
      // The decoder has returned every record before the fault: the frames up to it are still
      // released on time (the index stops at the same fault), then the pass ends in failure.
      this.#captureError = error;
      this.#decoderDone = true;
      return;
    }
    if (this.#pendingHead >= this.#pending.length) {
      this.#pending = [];
      this.#pendingHead = 0;
    }
    for (const record of batch.records) this.#pending.push({ record, generation: this.#decoderGeneration });
    this.#decoderDone = batch.done;
  }

  #releaseFrame(i: number): void {
    const index = this.#index!;
    const frameNumber = i + 1;
    this.#counts.packets++;
    this.#counts.bytes += index.capturedLength[i]!;
    while (this.#pendingHead >= this.#pending.length && !this.#decoderDone) this.#decodeBatch();
    while (this.#pendingHead < this.#pending.length) {
      const next = this.#pending[this.#pendingHead]!;
      if (next.record.frame > frameNumber) break;
      this.#pendingHead++;
      this.#handleRecord(next);
      if (this.#pendingHead >= this.#pending.length && !this.#decoderDone) this.#decodeBatch();
    }
  }

  #handleRecord({ record, generation }: PendingRecord): void {
    const c = this.#counts;
    c.messages++;
    if (record.status === 'malformed') c.malformed++;
    for (const anomaly of record.anomalies) this.#anomalies.set(anomaly, (this.#anomalies.get(anomaly) ?? 0) + 1);
    const verdict = record.verdict;
    const action = verdict?.action ?? 'allow';
    c.verdicts[action]++;
    let ruleIndex: number | undefined;
    if (verdict) {
      ruleIndex = this.#table.indexById.get(verdict.rule);
      if (ruleIndex !== undefined) this.#ruleHits[ruleIndex]!++;
      if (verdict.category !== undefined) c.categories[kCategoryKey[verdict.category]]++;
      if (verdict.shadowHits.length > 0) c.shadowHits++;
      for (const id of verdict.shadowHits) {
        const shadowIndex = this.#table.indexById.get(id);
        if (shadowIndex !== undefined) this.#ruleShadowHits[shadowIndex]!++;
      }
    }
    const kind: EngineEvent['kind'] | undefined =
      action === 'drop' ? 'blocked' : action === 'alert' ? 'alerted' : verdict && verdict.shadowHits.length > 0 ? 'shadow' : record.status === 'malformed' ? 'malformed' : undefined;
    if (kind === undefined) return;
    if (this.#eventRoom() <= 0) {
      c.eventsLost++;
      return;
    }
    this.#events.push(this.#event(record, kind, action, ruleIndex, generation));
  }

  #event(record: MessageRecord, kind: EngineEvent['kind'], action: EngineEvent['action'], ruleIndex: number | undefined, generation: number): EngineEvent {
    const index = this.#index!;
    const i = record.frame - 1;
    const inIndex = i >= 0 && i < index.frames;
    const timestampNs = this.#eventTime(inIndex ? index.timestampNs[i]! : BigInt(record.timestampNs));
    const verdict = record.verdict;
    const components = record.tcap?.components ?? [];
    const map = components.find((component) => component.map)?.map;
    const cap = components.find((component) => component.cap)?.cap;
    const imsi = map?.imsi ?? (map?.smRpDa?.kind === 'imsi' ? map.smRpDa.digits : undefined) ?? cap?.imsi;
    const msisdn = map?.msisdn ?? (map?.smRpOa?.kind === 'msisdn' ? map.smRpOa.digits : undefined);
    let packet: EngineEvent['packet'];
    if (inIndex) {
      const offset = index.dataOffset[i]!;
      const length = Math.min(index.capturedLength[i]!, this.#options.eventSnapLength ?? kDefaultSnapLength);
      packet = {
        linkType: index.linkType[i]!,
        originalLength: index.originalLength[i]!,
        base64: Buffer.from(this.#capture!.buffer, this.#capture!.byteOffset + offset, length).toString('base64'),
      };
    }
    const sccp = record.sccp;
    return {
      id: `0-${++this.#eventSequence}`,
      time: new Date(Number(timestampNs / 1_000_000n)).toISOString(),
      timestampNs: timestampNs.toString(),
      kind,
      action,
      worker: 0,
      port: this.#portName,
      side: this.#options.side,
      ...(ruleIndex !== undefined ? { ruleIndex } : {}),
      ...(verdict ? { ruleId: verdict.rule } : {}),
      ...(verdict?.category !== undefined ? { category: String(verdict.category) as '1' | '2' | '3' | 'custom' } : {}),
      shadowRuleIds: verdict ? [...verdict.shadowHits] : [],
      tableGeneration: generation,
      frame: record.frame,
      ip: { src: record.ip.src, dst: record.ip.dst },
      sctp: { srcPort: record.sctp.srcPort, dstPort: record.sctp.dstPort, stream: record.sctp.sid, ppid: record.sctp.ppid },
      ...(record.mtp3 ? { mtp3: { opc: record.mtp3.opc, dpc: record.mtp3.dpc, si: record.mtp3.si } } : {}),
      ...(sccp
        ? {
            sccp: {
              ...(sccp.calling.digits !== undefined ? { callingDigits: sccp.calling.digits } : {}),
              ...(sccp.calling.ssn !== undefined ? { callingSsn: sccp.calling.ssn } : {}),
              ...(sccp.called.digits !== undefined ? { calledDigits: sccp.called.digits } : {}),
              ...(sccp.called.ssn !== undefined ? { calledSsn: sccp.called.ssn } : {}),
            },
          }
        : {}),
      ...(record.tcap
        ? { tcap: { type: record.tcap.type, ...(record.tcap.otid ? { otid: record.tcap.otid } : {}), ...(record.tcap.dtid ? { dtid: record.tcap.dtid } : {}) } }
        : {}),
      application: record.application,
      operations: components
        .filter((component) => component.opcode !== undefined || component.operation !== undefined || component.globalOpcode !== undefined)
        .map((component) => ({
          ...(component.opcode !== undefined ? { opcode: component.opcode } : {}),
          ...(component.operation !== undefined ? { name: component.operation } : component.globalOpcode !== undefined ? { name: `global ${component.globalOpcode}` } : {}),
        })),
      ...(imsi !== undefined ? { imsi } : {}),
      ...(msisdn !== undefined ? { msisdn } : {}),
      anomalies: [...record.anomalies],
      ...(packet ? { packet } : {}),
    };
  }

  #eventTime(captureNs: bigint): bigint {
    const { pace, loop } = this.#options;
    if (pace === 'fast' && !loop) return captureNs;
    if (pace === 'capture') return this.#passStartWallNs + (captureNs - this.#index!.timestampNs[0]!);
    return BigInt(Date.now()) * 1_000_000n;
  }
}

function boundHitsOf(stats: DecodeStats): number {
  return stats.sctpReassemblyBoundHits + stats.sccpReassemblyBoundHits;
}

// A pcap header without packets: enough for the native loader to validate a table image before
// the replay has a capture open.
const kEmptyPcap = (() => {
  const header = new Uint8Array(24);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 65535, true);
  view.setUint32(20, 1, true);
  return header;
})();

function validateImage(image: Uint8Array): void {
  if (!(image instanceof Uint8Array)) throw new SigwallError('SIGWALL_ERR_TABLE', 'table must be a Uint8Array');
  new BatchDecoder(kEmptyPcap, { table: image });
}

function tableState(image: Uint8Array, generation: number): TableState {
  const copy = new Uint8Array(image); // the caller's buffer may be reused
  const info = describeTable(copy);
  return { image: copy, info, generation, indexById: new Map(info.rules.map((rule) => [rule.id, rule.index])) };
}
