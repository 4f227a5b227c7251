// The live data plane as an Engine (src/engine/contract.ts): the native workers of the addon's
// LiveEngine (src/dataplane/live-native.ts) behind the contract the control plane uses. This
// class owns the memory shared with the workers (the counters buffer, the event drain buffer),
// turns rule indices into rule ids through the table images it handed over, and watches the
// native state so that a replay reaching its end, or a fault, is reported once.
//
// One LiveEngine lives as long as the appliance and may run several times (the API's
// /engine/stop then /engine/start, a replay started again after it finished). Each run is one
// native engine; when a run is retired (the engine starts again, or takes a table while not
// running) its counters are folded into the totals (per-rule counters by rule id, so they follow
// their rule into the next table), its undrained events are kept for drainEvents(), and event
// ids and table generations carry on from where it stopped: ids stay unique and generations
// only grow over the engine's lifetime.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SigwallError, type ErrorCode } from '../errors.js';
import type { ApplianceConfig } from '../config/appliance.js';
import { anomalyCatalog, operationNames } from '../dataplane/decoder.js';
import { addonPath } from '../dataplane/native.js';
import {
  liveAddon,
  type CounterLayout,
  type EventLayout,
  type LiveEventField,
  type LiveAddon,
  type LiveEngineConfig,
  type LiveEngineState,
  type NativeKernelPortCounters,
  type NativeLiveEngine,
} from '../dataplane/live-native.js';
import {
  emptyEngineCounters,
  emptyKernelPortCounters,
  kernelCounterKinds,
  type KernelCounters,
  type KernelPortCounters,
  type Engine,
  type EngineCounters,
  type EngineEvent,
  type EngineState,
  type EngineStatus,
  type EngineSummary,
} from './contract.js';
import { readTableImageInfo, type TableImageInfo } from './image-info.js';

export interface LiveEngineOptions {
  // The parsed, path-resolved appliance configuration (src/config/appliance.ts).
  config: ApplianceConfig;
  // The compiled table the workers start with (src/policy/compile.ts).
  table: Uint8Array;
  // offline: the capture's bytes; read from config.replay.capture when omitted.
  capture?: Uint8Array;
  // false: forward without decoding or classifying (the benchmark's baseline).
  inspect?: boolean;
  // Rule slots reserved per worker in the counters: every later table must fit. Default: room
  // for four times the first table's rules, at least 1,024 (16 KiB per worker).
  ruleCapacity?: number;
  // How long setTable waits for every worker to take a new table.
  swapTimeoutMs?: number;
  // How often the native state is polled for `finished` / `failed` while running.
  statePollMs?: number;
  // The addon (tests may pass another build); default: the one src/dataplane/native.ts loads.
  addon?: LiveAddon;
}

const kDefaultSwapTimeoutMs = 5000;
const kDefaultStatePollMs = 100;
const kSwapPollMs = 2;
const kMinRuleCapacity = 1024;
const kMaxRuleCapacity = 0xfffe; // 0xFFFF is "no rule"
const kDefaultDrain = 1024;
const kMaxDrainPerCall = 4096;
// Tables kept for naming the rules of events still in the rings after swaps.
const kKeptGenerations = 16;

// event_record.h: tcap_type 0 none, then these; application 0 unknown, 1 map, 2 cap.
const kTcapTypes = ['unidirectional', 'begin', 'end', 'continue', 'abort'] as const;
const kApplications = ['unknown', 'map', 'cap'] as const;
const kActions = ['allow', 'drop', 'alert'] as const;
const kSides = ['external', 'internal'] as const;
const kCategories = ['custom', '1', '2', '3'] as const;

function engineError(error: unknown, fallback: ErrorCode = 'SIGWALL_ERR_ENGINE'): SigwallError {
  if (error instanceof SigwallError) return error;
  const native = error as { code?: unknown; message?: unknown; port?: unknown; errno?: unknown };
  const code = native.code === 'SIGWALL_ERR_TABLE' || native.code === 'SIGWALL_ERR_CAPTURE' || native.code === 'SIGWALL_ERR_ENGINE' ? native.code : fallback;
  const message = typeof native.message === 'string' ? native.message : String(error);
  const details: Record<string, unknown> = {};
  if (typeof native.port === 'string') details.port = native.port;
  if (typeof native.errno === 'number') details.errno = native.errno;
  return new SigwallError(code, message, details);
}

// ISO 8601 with the full nanoseconds of a decimal epoch-nanosecond timestamp.
export function isoFromNanoseconds(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  const whole = new Date(Number(seconds) * 1000).toISOString(); // ...T12:34:56.000Z
  return `${whole.slice(0, -5)}.${fraction}Z`;
}

function ipv4Text(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

// RFC 5952: lowercase hex, leading zeros dropped, the longest run (first on ties) of two or
// more zero groups as "::", an IPv4-mapped address (::ffff:a.b.c.d) with its dotted tail.
export function ipv6Text(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) return `::ffff:${ipv4Text(bytes.subarray(12, 16))}`;
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]) => list.map((group) => group.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

function hexText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

// Latin-1 text of record[at, at + length): digit strings of at most 32 bytes, where a
// TextDecoder call costs more than the characters.
function latin1(record: Uint8Array, at: number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(record[at + i]!);
  return out;
}

// The totals of the runs already retired: scalars summed, per-rule counters by rule id.
interface CarriedCounters {
  scalars: Omit<EngineCounters, 'verdicts' | 'categories' | 'ruleIds' | 'ruleHits' | 'ruleShadowHits' | 'anomalies' | 'perWorker'>;
  verdicts: EngineCounters['verdicts'];
  categories: EngineCounters['categories'];
  ruleHits: Map<string, number>;
  ruleShadowHits: Map<string, number>;
  anomalies: Map<string, number>;
  perWorker: Map<number, { packets: number; messages: number; eventsLost: number; ringDrops: number }>;
}

function emptyCarried(): CarriedCounters {
  return {
    scalars: { packets: 0, bytes: 0, messages: 0, forwardedPackets: 0, droppedPackets: 0, malformed: 0, shadowHits: 0, ringDrops: 0, reassemblyBoundHits: 0, eventsLost: 0 },
    verdicts: { allow: 0, drop: 0, alert: 0 },
    categories: { custom: 0, cat1: 0, cat2: 0, cat3: 0 },
    ruleHits: new Map(),
    ruleShadowHits: new Map(),
    anomalies: new Map(),
    perWorker: new Map(),
  };
}

const kScalarKeys = ['packets', 'bytes', 'messages', 'forwardedPackets', 'droppedPackets', 'malformed', 'shadowHits', 'ringDrops', 'reassemblyBoundHits', 'eventsLost'] as const;

// Adds `counters` into `into` (a fresh record when undefined); returns it.
function addKernel(into: KernelPortCounters | undefined, counters: KernelPortCounters): KernelPortCounters {
  const sum = into ?? emptyKernelPortCounters();
  for (const kind of kernelCounterKinds) {
    sum[kind].packets += counters[kind].packets;
    sum[kind].bytes += counters[kind].bytes;
  }
  return sum;
}

export class LiveEngine implements Engine {
  readonly #config: ApplianceConfig;
  readonly #addon: LiveAddon;
  readonly #inspect: boolean;
  readonly #swapTimeoutMs: number;
  readonly #statePollMs: number;
  #ruleCapacity: number;
  #capture: Uint8Array | undefined;
  // The image of the active generation: what the workers use, or will start with.
  #activeTable: Uint8Array;
  #native: NativeLiveEngine | undefined;
  // The current run's generation g is the engine's generation #generationBase + g.
  #generationBase = 0;
  // Per worker: events the retired runs numbered (the next run's ids continue after them).
  #sequenceBase: number[] = [];
  #carried: CarriedCounters = emptyCarried();
  // Events of retired runs not drained yet, oldest first.
  #leftover: EngineEvent[] = [];
  // Per worker of the current run: the last table generation whose handed-over per-rule counts
  // (the previous-table counter slots) are in #carried.
  #foldedPrevious: number[] = [];
  #layout: CounterLayout | undefined;
  #counters: BigUint64Array | undefined;
  #eventLayout: EventLayout | undefined;
  #drainBuffer: Uint8Array | undefined;
  // Not started yet: stopped (the API's /engine/start accepts it).
  #state: EngineState = 'stopped';
  #error: string | undefined;
  #startedAt: number | undefined;
  #endedAt: number | undefined;
  // Every table handed to the workers, by generation (events and counters carry it). Pruned to
  // the active generation and those after it.
  readonly #tables = new Map<number, TableImageInfo>();
  #activeGeneration = 0;
  #swapping: Promise<unknown> = Promise.resolve();
  #stateTimer: NodeJS.Timeout | undefined;
  readonly #listeners = new Set<(status: EngineStatus) => void>();
  // afxdp: the XDP program's counters per port. The last read of the current run (a clean stop
  // detaches the program and its map, so the final values are read just before), and the sums of
  // the retired runs by interface (each run attaches a fresh program whose counters start at 0).
  #kernelRun: NativeKernelPortCounters[] = [];
  readonly #kernelCarried = new Map<string, KernelPortCounters>();
  // What stale programs replaced by earlier runs of this engine had counted (contract.ts,
  // KernelCounters.inherited), and the latest reason a replaced program's counts were unreadable.
  readonly #inheritedCarried = new Map<string, KernelPortCounters>();
  readonly #inheritedProblems = new Map<string, string>();
  #operationNames: { map: Record<string, string>; cap: Record<string, string> } | undefined;
  #anomalyNames: string[] | undefined;

  constructor(options: LiveEngineOptions) {
    this.#config = options.config;
    this.#addon = options.addon ?? liveAddon();
    if (typeof this.#addon.LiveEngine !== 'function' || typeof this.#addon.counterLayout !== 'function') {
      throw new SigwallError('SIGWALL_ERR_ADDON', `the native addon at ${addonPath} has no live engine (built before it): rebuild it with \`npm run build:native\``);
    }
    this.#inspect = options.inspect ?? true;
    this.#swapTimeoutMs = options.swapTimeoutMs ?? kDefaultSwapTimeoutMs;
    this.#statePollMs = options.statePollMs ?? kDefaultStatePollMs;
    this.#capture = options.capture;
    this.#activeTable = new Uint8Array(options.table); // the caller's buffer may be reused
    const info = readTableImageInfo(options.table);
    this.#tables.set(1, info);
    this.#activeGeneration = 1;
    const capacity = options.ruleCapacity ?? Math.max(kMinRuleCapacity, 4 * info.rules.length);
    if (!Number.isInteger(capacity) || capacity < info.rules.length || capacity > kMaxRuleCapacity) {
      throw new SigwallError('SIGWALL_ERR_OPTIONS', `ruleCapacity ${capacity} must be an integer from the table's ${info.rules.length} rules to ${kMaxRuleCapacity}`);
    }
    this.#ruleCapacity = capacity;
  }

  // The configuration handed to the addon: converted once, at start.
  #nativeConfig(): LiveEngineConfig {
    const config = this.#config;
    let replay: LiveEngineConfig['replay'];
    if (config.backend === 'pcap') {
      if (!config.replay) throw new SigwallError('SIGWALL_ERR_CONFIG', 'backend pcap needs replay.capture');
      if (this.#capture === undefined) {
        try {
          this.#capture = readFileSync(config.replay.capture);
        } catch (error) {
          throw new SigwallError('SIGWALL_ERR_FILE', `cannot read capture ${config.replay.capture}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
            file: config.replay.capture,
          });
        }
      }
      replay = { capture: this.#capture, pace: config.replay.pace, loop: config.replay.loop, side: config.replay.side, ...(config.replay.rate !== undefined ? { rate: config.replay.rate } : {}) };
    }
    return {
      backend: config.backend,
      mode: config.mode,
      ports: config.ports.map((port) => ({ interface: port.interface, role: port.role, ...(port.queues ? { queues: [...port.queues] } : {}) })),
      ...(replay ? { replay } : {}),
      monitorSide: config.monitorSide,
      ...(config.workers !== undefined ? { workers: config.workers } : {}),
      ...(config.cpus ? { cpus: [...config.cpus] } : {}),
      ringFrames: config.rings.frames,
      batch: config.rings.batch,
      eventSlots: config.rings.events,
      idleSpinMicroseconds: config.rings.idleSpinMicroseconds,
      failMode: config.failMode,
      inspect: this.#inspect,
      decode: { verifyCrc: config.decode.verifyCrc, mtp3Variant: config.decode.mtp3Variant, capSsns: [...config.decode.capSsns] },
      table: this.#activeTable,
      ruleCapacity: this.#ruleCapacity,
    };
  }

  async start(): Promise<void> {
    if (this.#state === 'running' || this.#state === 'stopping') {
      throw new SigwallError('SIGWALL_ERR_CONFLICT', `the engine is ${this.#state}`, { state: this.#state });
    }
    // A later run: the previous one's counters and undrained events are kept.
    this.#retire();
    this.#state = 'starting';
    this.#error = undefined;
    this.#endedAt = undefined;
    const rules = this.#tables.get(this.#activeGeneration)?.rules.length ?? 0;
    if (rules > this.#ruleCapacity) this.#ruleCapacity = Math.min(kMaxRuleCapacity, Math.max(kMinRuleCapacity, 4 * rules));
    // The run's first table is its generation 1: the engine's active generation.
    this.#generationBase = this.#activeGeneration - 1;
    this.#foldedPrevious = [];
    try {
      const native = new this.#addon.LiveEngine(this.#nativeConfig());
      this.#layout = this.#addon.counterLayout(this.#ruleCapacity, native.workers);
      this.#counters = new BigUint64Array(this.#layout.size);
      this.#eventLayout = this.#addon.eventLayout();
      native.start(this.#counters);
      this.#native = native;
    } catch (error) {
      this.#layout = undefined;
      this.#counters = undefined;
      this.#state = 'failed';
      const failure = error instanceof SigwallError && error.code !== 'SIGWALL_ERR_ENGINE' ? error : engineError(error);
      this.#error = failure.message;
      this.#endedAt = Date.now();
      throw failure;
    }
    this.#startedAt = Date.now();
    this.#state = 'running';
    this.#stateTimer = setInterval(() => this.#pollState(), this.#statePollMs);
    this.#stateTimer.unref();
    // A replay can finish (or a port fail) before the first poll.
    this.#pollState();
  }

  // Ends the bookkeeping of a run that has stopped: its counters into the totals, its undrained
  // events into #leftover, its event numbering into #sequenceBase. Only for a stopped native.
  #retire(): void {
    const native = this.#native;
    if (!native) return;
    this.#readKernel(); // null once stopped: keeps the values read before stop()
    native.stop(); // idempotent; a run that ended by itself is joined here
    for (const run of this.#kernelRun) {
      this.#kernelCarried.set(run.port, addKernel(this.#kernelCarried.get(run.port), run));
      if (run.inherited) this.#inheritedCarried.set(run.port, addKernel(this.#inheritedCarried.get(run.port), run.inherited));
      if (run.inheritedProblem !== undefined) this.#inheritedProblems.set(run.port, run.inheritedProblem);
    }
    this.#kernelRun = [];
    for (;;) {
      const batch = this.#drainNative(kMaxDrainPerCall);
      this.#leftover.push(...batch);
      if (batch.length < kMaxDrainPerCall) break;
    }
    this.#foldPrevious();
    const run = this.#runCounters();
    const carried = this.#carried;
    for (const key of kScalarKeys) carried.scalars[key] += run.totals[key];
    for (const key of ['allow', 'drop', 'alert'] as const) carried.verdicts[key] += run.totals.verdicts[key];
    for (const key of ['custom', 'cat1', 'cat2', 'cat3'] as const) carried.categories[key] += run.totals.categories[key];
    for (const [id, n] of run.ruleHits) carried.ruleHits.set(id, (carried.ruleHits.get(id) ?? 0) + n);
    for (const [id, n] of run.ruleShadowHits) carried.ruleShadowHits.set(id, (carried.ruleShadowHits.get(id) ?? 0) + n);
    for (const [name, n] of Object.entries(run.totals.anomalies)) carried.anomalies.set(name, (carried.anomalies.get(name) ?? 0) + n);
    for (const w of run.totals.perWorker) {
      const into = carried.perWorker.get(w.worker) ?? { packets: 0, messages: 0, eventsLost: 0, ringDrops: 0 };
      into.packets += w.packets;
      into.messages += w.messages;
      into.eventsLost += w.eventsLost;
      into.ringDrops += w.ringDrops;
      carried.perWorker.set(w.worker, into);
    }
    run.eventsNumbered.forEach((n, worker) => (this.#sequenceBase[worker] = (this.#sequenceBase[worker] ?? 0) + n));
    this.#native = undefined;
    this.#layout = undefined;
    this.#counters = undefined;
  }

  // Reads the native state; on leaving `running` by itself, records why and tells the listeners once.
  #pollState(): LiveEngineState | undefined {
    const native = this.#native;
    if (!native || this.#state !== 'running') return undefined;
    const state = native.state();
    if (state === 'finished' || state === 'failed') {
      this.#state = state;
      this.#endedAt = Date.now();
      if (state === 'failed') this.#error = native.lastError()?.message ?? 'the data plane failed without a message';
      this.#clearStateTimer();
      const status = this.status();
      // Every listener hears it, even when one throws; the first error is rethrown after.
      const errors: unknown[] = [];
      for (const listener of [...this.#listeners]) {
        try {
          listener(status);
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) throw errors[0];
    }
    return state;
  }

  #clearStateTimer(): void {
    if (this.#stateTimer) clearInterval(this.#stateTimer);
    this.#stateTimer = undefined;
  }

  async stop(): Promise<EngineSummary> {
    this.#clearStateTimer();
    if (this.#native && (this.#state === 'running' || this.#state === 'finished' || this.#state === 'failed')) {
      const ended = this.#state;
      this.#state = 'stopping';
      this.#readKernel();
      try {
        this.#native.stop();
      } catch (error) {
        this.#state = 'failed';
        this.#error = engineError(error).message;
        this.#endedAt ??= Date.now();
        throw engineError(error);
      }
      // A finished replay or a failed engine keeps its state (and its error) after stop.
      this.#state = ended === 'running' ? 'stopped' : ended;
      this.#endedAt ??= Date.now();
    } else if (!this.#native && this.#state !== 'failed' && this.#state !== 'finished') {
      this.#state = 'stopped';
    }
    return { status: this.status(), counters: this.counters() };
  }

  status(): EngineStatus {
    const config = this.#config;
    const ports =
      config.backend === 'pcap'
        ? [{ name: config.replay ? basename(config.replay.capture) : 'capture', role: 'capture' as const }]
        : config.ports.map((port) => ({ name: port.interface, role: port.role }));
    const table = this.#tables.get(this.#activeGeneration);
    const end = this.#endedAt ?? Date.now();
    return {
      state: this.#state,
      mode: config.mode,
      backend: config.backend,
      workers: this.#native?.workers ?? this.#carried.perWorker.size,
      ports,
      ...(this.#startedAt !== undefined ? { startedAt: new Date(this.#startedAt).toISOString() } : {}),
      uptimeSeconds: this.#startedAt === undefined ? 0 : Math.max(0, (end - this.#startedAt) / 1000),
      ...(table ? { table: { generation: this.#activeGeneration, sha256: table.sha256, policyName: table.policyName, rules: table.rules.length } } : {}),
      ...(this.#error !== undefined ? { error: this.#error } : {}),
    };
  }

  // The current run's counters, summed over its workers; per-rule counters by rule id (only from
  // workers on the run's latest table: a worker still on an older one during a swap is left out).
  #runCounters(): { totals: EngineCounters; ruleHits: Map<string, number>; ruleShadowHits: Map<string, number>; eventsNumbered: number[] } {
    const totals = emptyEngineCounters();
    const ruleHits = new Map<string, number>();
    const ruleShadowHits = new Map<string, number>();
    const eventsNumbered: number[] = [];
    const layout = this.#layout;
    const counters = this.#counters;
    if (!layout || !counters) return { totals, ruleHits, ruleShadowHits, eventsNumbered };
    // The newest table of this run that every worker may be on: the engine's active generation.
    const runGeneration = this.#activeGeneration - this.#generationBase;
    const rules = this.#tables.get(this.#activeGeneration)?.rules ?? [];
    const slot = layout.slots;
    const anomalies = new Map<string, number>();
    for (let worker = 0; worker < layout.workers; worker++) {
      const base = worker * layout.stride;
      const read = (index: number) => Number(counters[base + index]!);
      const packets = read(slot.packets);
      const messages = read(slot.messages);
      const eventsLost = read(slot.eventsLost);
      const ringDrops = read(slot.ringDrops);
      totals.packets += packets;
      totals.bytes += read(slot.bytes);
      totals.messages += messages;
      totals.forwardedPackets += read(slot.forwardedPackets);
      totals.droppedPackets += read(slot.droppedPackets);
      totals.verdicts.allow += read(slot.verdictAllow);
      totals.verdicts.drop += read(slot.verdictDrop);
      totals.verdicts.alert += read(slot.verdictAlert);
      totals.malformed += read(slot.malformed);
      totals.shadowHits += read(slot.shadowHits);
      totals.categories.custom += read(slot.categoryCustom);
      totals.categories.cat1 += read(slot.category1);
      totals.categories.cat2 += read(slot.category2);
      totals.categories.cat3 += read(slot.category3);
      totals.ringDrops += ringDrops;
      totals.reassemblyBoundHits += read(slot.reassemblyBoundHits);
      totals.eventsLost += eventsLost;
      totals.perWorker.push({ worker, packets, messages, eventsLost, ringDrops });
      eventsNumbered.push(read(slot.events));
      layout.anomalyNames.forEach((name, i) => {
        const count = read(layout.anomalies + i);
        if (count > 0) anomalies.set(name, (anomalies.get(name) ?? 0) + count);
      });
      // Per-rule slots are in the rule order of the table the worker uses (its tableGeneration slot).
      if (read(slot.tableGeneration) === runGeneration) {
        rules.forEach((rule, i) => {
          ruleHits.set(rule.id, (ruleHits.get(rule.id) ?? 0) + read(layout.rules + i));
          ruleShadowHits.set(rule.id, (ruleShadowHits.get(rule.id) ?? 0) + read(layout.ruleShadow + i));
        });
      }
    }
    totals.anomalies = Object.fromEntries(anomalies);
    return { totals, ruleHits, ruleShadowHits, eventsNumbered };
  }

  // A worker that took a new table moved its per-rule counts of the old one to its previous-table
  // slots: add them to the totals by rule id, once per worker and table, so a rule's count
  // carries on through a swap (into the new table when the rule is still in it).
  #foldPrevious(): void {
    const layout = this.#layout;
    const counters = this.#counters;
    if (!layout || !counters) return;
    const carried = this.#carried;
    for (let worker = 0; worker < layout.workers; worker++) {
      const base = worker * layout.stride;
      const previous = Number(counters[base + layout.slots.previousTableGeneration]!);
      if (previous <= (this.#foldedPrevious[worker] ?? 0)) continue;
      this.#foldedPrevious[worker] = previous;
      // Unknown only when more than kKeptGenerations swaps happened since: nothing to name them by.
      const rules = this.#tables.get(this.#generationBase + previous)?.rules ?? [];
      rules.forEach((rule, i) => {
        carried.ruleHits.set(rule.id, (carried.ruleHits.get(rule.id) ?? 0) + Number(counters[base + layout.rulesPrevious + i]!));
        carried.ruleShadowHits.set(rule.id, (carried.ruleShadowHits.get(rule.id) ?? 0) + Number(counters[base + layout.ruleShadowPrevious + i]!));
      });
    }
  }

  // The engine's counters: the current run's plus every retired run's and every earlier table's.
  counters(): EngineCounters {
    const info = this.#tables.get(this.#activeGeneration) ?? this.#tables.get(1)!;
    this.#foldPrevious();
    const run = this.#runCounters();
    const carried = this.#carried;
    const totals = run.totals;
    for (const key of kScalarKeys) totals[key] += carried.scalars[key];
    for (const key of ['allow', 'drop', 'alert'] as const) totals.verdicts[key] += carried.verdicts[key];
    for (const key of ['custom', 'cat1', 'cat2', 'cat3'] as const) totals.categories[key] += carried.categories[key];
    totals.ruleIds = info.rules.map((rule) => rule.id);
    totals.ruleHits = totals.ruleIds.map((id) => (run.ruleHits.get(id) ?? 0) + (carried.ruleHits.get(id) ?? 0));
    totals.ruleShadowHits = totals.ruleIds.map((id) => (run.ruleShadowHits.get(id) ?? 0) + (carried.ruleShadowHits.get(id) ?? 0));
    const anomalies = new Map(carried.anomalies);
    for (const [name, n] of Object.entries(totals.anomalies)) anomalies.set(name, (anomalies.get(name) ?? 0) + n);
    totals.anomalies = Object.fromEntries([...anomalies].sort((a, b) => a[0].localeCompare(b[0])));
    if (carried.perWorker.size > 0) {
      const byWorker = new Map(totals.perWorker.map((w) => [w.worker, { ...w }]));
      for (const [worker, before] of carried.perWorker) {
        const into = byWorker.get(worker) ?? { worker, packets: 0, messages: 0, eventsLost: 0, ringDrops: 0 };
        into.packets += before.packets;
        into.messages += before.messages;
        into.eventsLost += before.eventsLost;
        into.ringDrops += before.ringDrops;
        byWorker.set(worker, into);
      }
      totals.perWorker = [...byWorker.values()].sort((a, b) => a.worker - b.worker);
    }
    if (this.#config.backend === 'afxdp') totals.kernel = this.#kernelCounters();
    return totals;
  }

  // Refreshes #kernelRun from the running program's map; keeps the last read when there is none.
  #readKernel(): void {
    const read = this.#native?.kernelCounters?.();
    if (read) this.#kernelRun = read;
  }

  // Retired runs plus the current one, per configured port (then any port only a retired run had).
  // Inherited counts (a stale program a start replaced) are kept apart from this engine's own.
  #kernelCounters(): KernelCounters {
    this.#readKernel();
    const byPort = new Map<string, KernelPortCounters>();
    for (const port of this.#config.ports) byPort.set(port.interface, emptyKernelPortCounters());
    for (const [port, carried] of this.#kernelCarried) byPort.set(port, addKernel(byPort.get(port), carried));
    for (const run of this.#kernelRun) byPort.set(run.port, addKernel(byPort.get(run.port), run));
    const inherited = new Map<string, KernelPortCounters>();
    for (const [port, carried] of this.#inheritedCarried) inherited.set(port, addKernel(undefined, carried));
    const problems = new Map(this.#inheritedProblems);
    for (const run of this.#kernelRun) {
      if (run.inherited) inherited.set(run.port, addKernel(inherited.get(run.port), run.inherited));
      if (run.inheritedProblem !== undefined) problems.set(run.port, run.inheritedProblem);
    }
    const total = emptyKernelPortCounters();
    const inheritedTotal = inherited.size > 0 ? emptyKernelPortCounters() : undefined;
    const perPort = [...byPort].map(([port, counters]) => {
      addKernel(total, counters);
      const portInherited = inherited.get(port);
      if (portInherited && inheritedTotal) addKernel(inheritedTotal, portInherited);
      const problem = problems.get(port);
      return { port, ...counters, ...(portInherited ? { inherited: portInherited } : {}), ...(problem !== undefined ? { inheritedProblem: problem } : {}) };
    });
    return { ...total, perPort, ...(inheritedTotal ? { inherited: inheritedTotal } : {}) };
  }

  async setTable(image: Uint8Array): Promise<{ generation: number }> {
    // One swap at a time: a second waits for the first, so generations complete in order.
    const run = this.#swapping.then(() => this.#swap(image));
    this.#swapping = run.catch(() => undefined);
    return run;
  }

  async #swap(image: Uint8Array): Promise<{ generation: number }> {
    const info = readTableImageInfo(image); // SIGWALL_ERR_TABLE before the addon sees it
    const native = this.#native;
    if (!native || this.#state !== 'running') {
      // Not running: this becomes the table the next run starts with. Before the first start
      // it replaces the starting table (generation 1); after a run, it is the next generation.
      if (info.rules.length > kMaxRuleCapacity) throw new SigwallError('SIGWALL_ERR_TABLE', `table image: ${info.rules.length} rules exceed the engine's limit of ${kMaxRuleCapacity}`);
      this.#validateImage(image);
      const first = !native && this.#startedAt === undefined && this.#carried.perWorker.size === 0;
      this.#retire();
      const generation = first ? 1 : this.#activeGeneration + 1;
      this.#tables.set(generation, info);
      this.#activeGeneration = generation;
      this.#activeTable = new Uint8Array(image);
      this.#pruneTables(generation);
      return { generation };
    }
    if (info.rules.length > this.#ruleCapacity) {
      throw new SigwallError('SIGWALL_ERR_TABLE', `table image: ${info.rules.length} rules exceed the engine's ${this.#ruleCapacity} rule counters; stop and start the engine to use this policy`);
    }
    let runGeneration: number;
    try {
      runGeneration = native.setTable(image);
    } catch (error) {
      throw engineError(error, 'SIGWALL_ERR_TABLE');
    }
    const generation = this.#generationBase + runGeneration;
    this.#tables.set(generation, info);
    const deadline = Date.now() + this.#swapTimeoutMs;
    for (;;) {
      const generations = native.activeGenerations();
      if (generations.every((g) => g >= runGeneration)) break;
      const state = this.#pollState();
      if (state === 'finished' || state === 'stopped' || this.#state !== 'running') {
        throw new SigwallError('SIGWALL_ERR_ENGINE', `the engine became ${this.#state} before every worker took table generation ${generation}`);
      }
      if (state === 'failed') throw new SigwallError('SIGWALL_ERR_ENGINE', `the engine failed during the table swap: ${this.#error ?? ''}`);
      if (Date.now() >= deadline) {
        throw new SigwallError(
          'SIGWALL_ERR_ENGINE',
          `table generation ${generation} not taken by every worker within ${this.#swapTimeoutMs} ms (workers at ${generations.map((g) => g + this.#generationBase).join(', ')}): a worker is stuck`,
          { generation, generations: generations.map((g) => g + this.#generationBase) },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, kSwapPollMs));
    }
    if (generation > this.#activeGeneration) {
      this.#activeGeneration = generation;
      this.#activeTable = new Uint8Array(image);
    }
    // Before the next swap can overwrite them: every worker's counts of the table it left.
    this.#foldPrevious();
    this.#pruneTables(generation);
    return { generation };
  }

  // Events of older generations may still sit in the rings: keep the last few tables.
  #pruneTables(generation: number): void {
    for (const old of this.#tables.keys()) if (old <= generation - kKeptGenerations) this.#tables.delete(old);
  }

  // The native loader's full check (bounds, CRC32c, registry) of an image no run has taken yet:
  // a native engine is configured with it (nothing is opened or started) and dropped.
  #validateImage(image: Uint8Array): void {
    try {
      new this.#addon.LiveEngine({ ...this.#nativeConfig(), table: image, ruleCapacity: Math.max(this.#ruleCapacity, readTableImageInfo(image).rules.length) });
    } catch (error) {
      throw engineError(error, 'SIGWALL_ERR_TABLE');
    }
  }

  drainEvents(max = kDefaultDrain): EngineEvent[] {
    const wanted = Math.max(0, Math.min(Math.floor(max), kMaxDrainPerCall));
    if (wanted === 0) return [];
    const events = this.#leftover.length > 0 ? this.#leftover.splice(0, wanted) : [];
    if (events.length < wanted) events.push(...this.#drainNative(wanted - events.length));
    return events;
  }

  #drainNative(wanted: number): EngineEvent[] {
    const native = this.#native;
    const layout = this.#eventLayout;
    if (!native || !layout || wanted <= 0) return [];
    if (!this.#drainBuffer || this.#drainBuffer.byteLength < wanted * layout.size) this.#drainBuffer = new Uint8Array(wanted * layout.size);
    const target = this.#drainBuffer.subarray(0, wanted * layout.size);
    const count = native.drainEvents(target);
    const events: EngineEvent[] = [];
    for (let i = 0; i < count; i++) events.push(this.#decodeEvent(target.subarray(i * layout.size, (i + 1) * layout.size), layout));
    return events;
  }

  #names() {
    this.#operationNames ??= operationNames();
    this.#anomalyNames ??= this.#layout?.anomalyNames ?? anomalyCatalog().map((entry) => entry.name);
    return { operations: this.#operationNames, anomalies: this.#anomalyNames };
  }

  #decodeEvent(record: Uint8Array, layout: EventLayout): EngineEvent {
    const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
    // Offsets and lengths read once per layout into plain objects: the field reads below are
    // named property loads, not a keyed lookup per field per event (drains run at replay speed).
    const { offset: o, length: len } = this.#fieldOffsets(layout);
    const bytes = (at: number, length: number, max: number) => record.subarray(at, at + Math.min(length, max));
    const text = (at: number, length: number, max: number) => latin1(record, at, Math.min(length, max));
    const flags = view.getUint8(o.flags);
    const has = (bit: number) => (flags & bit) !== 0;
    const names = this.#names();

    const worker = view.getUint16(o.worker, true);
    const generation = this.#generationBase + view.getUint32(o.tableGeneration, true);
    // The table the event was decided with; unknown only for an event left in a ring through
    // more than kKeptGenerations swaps: its rule index is then reported without an id.
    const table = this.#tables.get(generation);
    const policy = table?.policyName ?? '';
    const kind = layout.kinds[view.getUint8(o.kind)] ?? 'malformed';
    const action = kActions[view.getUint8(o.action)] ?? 'allow';
    const ruleIndex = view.getUint16(o.rule, true);
    const decided = ruleIndex !== layout.noRule;
    const ruleId = !table ? undefined : decided ? table.rules[ruleIndex]?.id : `${policy}#${has(layout.flagBits.malformed) ? 'malformed' : 'default'}`;
    const categoryCode = view.getUint8(o.category);
    const shadowCount = Math.min(view.getUint8(o.shadowCount), len.shadow);
    const shadowRuleIds: string[] = [];
    for (let i = 0; i < shadowCount; i++) {
      const index = view.getUint16(o.shadow + 2 * i, true);
      const id = table?.rules[index]?.id;
      if (id !== undefined) shadowRuleIds.push(id);
    }
    const timestampNs = view.getBigUint64(o.timestampNs, true);
    const portIndex = view.getUint16(o.port, true);
    const portName = this.#config.backend === 'pcap' ? (this.#config.replay ? basename(this.#config.replay.capture) : undefined) : this.#config.ports[portIndex]?.interface;
    const sideCode = view.getUint8(o.side);
    const application = kApplications[view.getUint8(o.application)] ?? 'unknown';

    // Sequence numbers and frame numbers stay far below 2^53: plain numbers, no BigInt per event.
    const u53 = (at: number) => view.getUint32(at, true) + view.getUint32(at + 4, true) * 0x1_0000_0000;
    // Optional fields are assigned, not spread: a drain decodes thousands of events per call.
    const event: EngineEvent = {
      id: `${worker}-${(this.#sequenceBase[worker] ?? 0) + u53(o.sequence)}`,
      time: isoFromNanoseconds(timestampNs),
      timestampNs: timestampNs.toString(),
      kind,
      action,
      worker,
      shadowRuleIds,
      tableGeneration: generation,
      frame: u53(o.frame),
      operations: [],
      anomalies: [],
      application,
    };
    if (portName !== undefined) event.port = portName;
    if (kSides[sideCode]) event.side = kSides[sideCode];
    if (decided) event.ruleIndex = ruleIndex;
    if (ruleId !== undefined) event.ruleId = ruleId;
    if (categoryCode !== layout.noCategory && kCategories[categoryCode]) event.category = kCategories[categoryCode];
    if (has(layout.flagBits.hasIp)) {
      const v6 = view.getUint8(o.ipVersion) === 6;
      const src = bytes(o.ipSrc, v6 ? 16 : 4, len.ipSrc);
      const dst = bytes(o.ipDst, v6 ? 16 : 4, len.ipDst);
      event.ip = { src: v6 ? ipv6Text(src) : ipv4Text(src), dst: v6 ? ipv6Text(dst) : ipv4Text(dst) };
      event.sctp = { srcPort: view.getUint16(o.srcPort, true), dstPort: view.getUint16(o.dstPort, true), stream: view.getUint16(o.stream, true), ppid: view.getUint32(o.ppid, true) };
    }
    if (has(layout.flagBits.hasMtp3)) event.mtp3 = { opc: view.getUint32(o.opc, true), dpc: view.getUint32(o.dpc, true), si: view.getUint8(o.si) };
    if (has(layout.flagBits.hasSccp)) {
      const calling = text(o.callingDigits, view.getUint8(o.callingDigitsLength), len.callingDigits);
      const called = text(o.calledDigits, view.getUint8(o.calledDigitsLength), len.calledDigits);
      const sccp: NonNullable<EngineEvent['sccp']> = {};
      if (calling !== '') sccp.callingDigits = calling;
      if (has(layout.flagBits.callingSsn)) sccp.callingSsn = view.getUint8(o.callingSsn);
      if (called !== '') sccp.calledDigits = called;
      if (has(layout.flagBits.calledSsn)) sccp.calledSsn = view.getUint8(o.calledSsn);
      event.sccp = sccp;
    }
    if (has(layout.flagBits.hasTcap)) {
      const type = kTcapTypes[view.getUint8(o.tcapType) - 1];
      const otid = bytes(o.otid, view.getUint8(o.otidLength), len.otid);
      const dtid = bytes(o.dtid, view.getUint8(o.dtidLength), len.dtid);
      const tcap: NonNullable<EngineEvent['tcap']> = { type: type ?? 'unknown' };
      if (otid.length > 0) tcap.otid = hexText(otid);
      if (dtid.length > 0) tcap.dtid = hexText(dtid);
      event.tcap = tcap;
      const opcodeCount = Math.min(view.getUint8(o.opcodeCount), len.opcodes);
      for (let i = 0; i < opcodeCount; i++) {
        const opcode = view.getInt32(o.opcodes + 4 * i, true);
        if (opcode === layout.noOpcode) {
          event.operations.push({});
          continue;
        }
        const name = application === 'map' ? names.operations.map[opcode] : application === 'cap' ? names.operations.cap[opcode] : undefined;
        event.operations.push(name !== undefined ? { opcode, name } : { opcode });
      }
      const imsi = text(o.imsi, view.getUint8(o.imsiLength), len.imsi);
      const msisdn = text(o.msisdn, view.getUint8(o.msisdnLength), len.msisdn);
      if (imsi !== '') event.imsi = imsi;
      if (msisdn !== '') event.msisdn = msisdn;
    }
    // Two little-endian u64 words, bit i = anomaly i: walked as four u32 words, set bits only.
    for (let word = 0; word < 4; word++) {
      let bits = view.getUint32(o.anomalies + 4 * word, true);
      while (bits !== 0) {
        const bit = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const name = names.anomalies[32 * word + bit];
        if (name !== undefined) event.anomalies.push(name);
      }
    }
    const captured = Math.min(view.getUint32(o.capturedLength, true), layout.snapLength, record.byteLength - layout.frameOffset);
    if (captured > 0) {
      event.packet = {
        linkType: view.getUint32(o.linkType, true),
        originalLength: view.getUint32(o.originalLength, true),
        base64: Buffer.from(record.buffer, record.byteOffset + layout.frameOffset, captured).toString('base64'),
      };
    }
    return event;
  }

  #offsetsFor: EventLayout | undefined;
  #offsets: { offset: Record<LiveEventField, number>; length: Record<LiveEventField, number> } | undefined;

  #fieldOffsets(layout: EventLayout): { offset: Record<LiveEventField, number>; length: Record<LiveEventField, number> } {
    if (this.#offsetsFor !== layout || !this.#offsets) {
      const entries = Object.entries(layout.fields) as [LiveEventField, { offset: number; length?: number }][];
      this.#offsets = {
        offset: Object.fromEntries(entries.map(([name, field]) => [name, field.offset])) as Record<LiveEventField, number>,
        length: Object.fromEntries(entries.map(([name, field]) => [name, field.length ?? 0])) as Record<LiveEventField, number>,
      };
      this.#offsetsFor = layout;
    }
    return this.#offsets;
  }

  onStateChange(listener: (status: EngineStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}
