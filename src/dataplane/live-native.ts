// The live engine's native surface (native/addon/live_engine.cc): the typing of the addon's
// LiveEngine class and of the two layout functions, and nothing more. src/engine/live.ts wraps
// it into the Engine contract (src/engine/contract.ts); nothing else should touch it.
//
// Memory shared with the workers:
// - counters: a BigUint64Array the caller allocates with counterLayout(ruleCapacity, workers).size
//   elements. Worker w owns [w * stride, (w + 1) * stride): it is the only writer of those slots
//   (relaxed 64-bit stores, so a reader sees whole values, never torn ones). Read them about once
//   a second and sum over the workers. Per-rule slots hold the rule order of the table the worker
//   is using: the worker's `tableGeneration` slot says which; when a worker adopts a new table
//   it moves its rule and rule-shadow counts to the previous-table slots (then stores
//   `previousTableGeneration`), zeroes them, then stores the new generation.
// - events: drainEvents(target) copies whole records of eventLayout().size bytes into `target`
//   (oldest first per worker, workers in turn) and returns how many. A full ring drops the new
//   event and counts it in the worker's `eventsLost` slot; a live worker never waits. The one
//   exception is an offline replay at pace fast (backend pcap): it has no link to keep up with,
//   so its worker waits for room (counted in `eventRingWaits`) and loses nothing unless stopped.
import { nativeAddon } from './native.js';

export type LiveBackendName = 'pcap' | 'afpacket' | 'afxdp';
export type LiveMode = 'offline' | 'monitor' | 'inline';
export type LiveSide = 'external' | 'internal';

export interface LivePortConfig {
  interface: string;
  role: 'external' | 'internal' | 'monitor';
  queues?: number[]; // omitted: every RX queue the interface has
}

export interface LiveReplayConfig {
  capture: Uint8Array; // a whole pcap/pcapng file; kept alive by the engine until stop()
  pace: 'fast' | 'capture' | 'rate';
  rate?: number; // packets per second, pace 'rate'
  loop: boolean;
  side: LiveSide; // ingress.side of the replayed messages
}

export interface LiveEngineConfig {
  backend: LiveBackendName;
  mode: LiveMode;
  ports: LivePortConfig[]; // pcap: may be empty (the capture is port 0)
  replay?: LiveReplayConfig; // backend pcap only
  monitorSide: LiveSide; // ingress.side of messages seen on monitor ports
  workers?: number; // default: one per RX queue (the most queues of any port); pcap: 1
  cpus?: number[]; // pin worker i to cpus[i % cpus.length]
  ringFrames: number; // frames per RX/TX ring or UMEM
  batch: number; // packets per receive burst (1..1024)
  eventSlots: number; // event records per worker ring (rounded up to a power of two)
  // afxdp: how long a worker whose rings ran dry keeps polling before it sleeps (0..1000; default 20).
  idleSpinMicroseconds?: number;
  failMode: 'open' | 'closed';
  // false: forward without decoding or classifying (the benchmark's forwarding-only baseline);
  // packets/bytes/forwarded counters still count.
  inspect: boolean;
  decode: { verifyCrc: boolean; mtp3Variant: 'itu' | 'japan' | 'ansi'; capSsns: number[] };
  table: Uint8Array; // compiled table image (src/policy/compile.ts); validated, copied
  // Rule slots per worker in the counters; every table set later must have at most this many
  // rules (setTable refuses a larger one with SIGWALL_ERR_TABLE). Default: the first table's.
  ruleCapacity?: number;
  // Allocated by the caller: counterLayout(ruleCapacity, workers).size elements. May instead be
  // passed to start() once `workers` (the resolved worker count) is known.
  counters?: BigUint64Array;
}

export type LiveEngineState = 'idle' | 'running' | 'finished' | 'failed' | 'stopped';

// Thrown by the constructor (SIGWALL_ERR_CONFIG: a field of the configuration object has the
// wrong type or range; SIGWALL_ERR_TABLE: the first table is refused), start(), setTable().
export interface LiveEngineError {
  code: 'SIGWALL_ERR_ENGINE' | 'SIGWALL_ERR_TABLE' | 'SIGWALL_ERR_CAPTURE' | 'SIGWALL_ERR_CONFIG';
  message: string;
  port?: string; // the interface at fault
  errno?: number;
}

export interface NativeLiveEngine {
  // The resolved worker count (config.workers, or one per RX queue): size the counters by it.
  readonly workers: number;
  // Opens the ports, starts the workers. Throws {code: 'SIGWALL_ERR_ENGINE', message, port?, errno?}
  // (or SIGWALL_ERR_CAPTURE for a replay capture that is not pcap/pcapng).
  start(counters?: BigUint64Array): void;
  // Stops and joins the workers, flushes TX, detaches XDP programs, unmaps rings, closes sockets.
  // Idempotent. Counters and undrained events stay readable.
  stop(): void;
  // Validates and copies the image, then publishes it; workers take it at their next burst
  // boundary. Returns its generation (the first table is 1). An invalid image, or one with more
  // rules than ruleCapacity, throws {code: 'SIGWALL_ERR_TABLE'} and the old table stays.
  setTable(image: Uint8Array): number;
  // The generation each worker classifies with; a swap is done when all equal the new one.
  activeGenerations(): number[];
  // Copies up to floor(target.byteLength / eventLayout().size) records; returns how many.
  drainEvents(target: Uint8Array): number;
  state(): LiveEngineState;
  lastError(): LiveEngineError | null;
  // Per configured port, the counters the kernel keeps outside the workers (afxdp: the XDP
  // program's per-CPU map summed over CPUs; a few syscalls per call, read about once a second).
  // null when the backend keeps none (pcap, afpacket) or is not open (before start, after stop:
  // a clean stop detaches the program and its map). Optional: addons built before it lack it.
  kernelCounters?(): NativeKernelPortCounters[] | null;
}

// The kinds of sigwall_xdp's counters, named by the addon (kKernelCounterNames, in the index order
// of native/bpf/sigwall_xdp_abi.h); src/engine/contract.ts describes each.
export type KernelCounterKind = 'steeredToEngine' | 'failOpenForwarded' | 'failOpenPassed' | 'failClosedDropped' | 'nonSctpBridged' | 'nonSctpPassed' | 'unparsedAsSctp';
export type NativeKernelKinds = Record<KernelCounterKind, { packets: number; bytes: number }>;
// `inherited`: what a stale program this start replaced had counted (its kinds); `inheritedProblem`:
// why a replaced program's counts could not be read (native/bpf/README.md).
export type NativeKernelPortCounters = { port: string; inherited?: NativeKernelKinds; inheritedProblem?: string } & NativeKernelKinds;

// Every per-worker counter slot, by name (index within a worker's stride).
export type LiveCounterSlot =
  | 'packets' // received frames, all protocols
  | 'bytes' // their wire lengths
  | 'sctpPackets'
  | 'nonSctpPackets' // bridged untouched in inline mode
  | 'messages' // SS7 messages decoded and classified
  | 'forwardedPackets' // inline: frames transmitted on the other port
  | 'droppedPackets' // inline: frames not forwarded because a message in them was dropped
  | 'verdictAllow'
  | 'verdictDrop'
  | 'verdictAlert'
  | 'malformed' // messages classified as malformed
  | 'shadowHits' // messages with at least one shadow rule hit
  | 'categoryCustom' // messages decided by a rule of that category
  | 'category1'
  | 'category2'
  | 'category3'
  | 'ringDrops' // packets the backend lost before the worker saw them
  | 'txErrors' // frames that could not be transmitted
  | 'reassemblyBoundHits' // SCTP + SCCP reassembly caps hit
  | 'eventsLost'
  | 'events' // events written to the ring
  | 'bursts' // receive calls that returned packets
  | 'tableGeneration' // the generation this worker's rule slots refer to
  | 'replayLoops' // pcap: times the capture was started over
  | 'checksumsCompleted' // SCTP packets whose CRC32c offload had not run (this host's stack): completed before decode
  | 'eventRingWaits' // offline fast replay: times the worker waited for the control plane to drain a full event ring
  | 'previousTableGeneration'; // the table whose per-rule counts are in rulesPrevious / ruleShadowPrevious (0: none)

export interface CounterLayout {
  workers: number;
  ruleCapacity: number;
  stride: number; // u64 elements per worker (a multiple of 8: workers never share a cache line)
  size: number; // total elements = workers * stride
  slots: Record<LiveCounterSlot, number>;
  rules: number; // offset within a stride of ruleCapacity decision counters
  ruleShadow: number; // offset within a stride of ruleCapacity shadow-hit counters
  // The same two for the table the worker used before its current one (its
  // `previousTableGeneration` slot, published after them): a worker taking a new table moves its
  // per-rule counts here, so the reader can carry them over by rule id.
  rulesPrevious: number;
  ruleShadowPrevious: number;
  anomalies: number; // offset within a stride of one counter per anomaly (anomalyNames order)
  anomalyNames: string[];
}

export type EventFieldType = 'u8' | 'u16' | 'u32' | 'u64' | 'i32' | 'bytes' | 'ascii';

export type LiveEventField =
  | 'timestampNs' | 'frame' | 'sequence' | 'tableGeneration' | 'worker' | 'port' | 'kind' | 'action' | 'side'
  | 'category' | 'rule' | 'shadowCount' | 'flags' | 'shadow' | 'ipVersion' | 'opcodeCount' | 'application'
  | 'tcapType' | 'linkType' | 'ipSrc' | 'ipDst' | 'srcPort' | 'dstPort' | 'stream' | 'ppid' | 'opc' | 'dpc' | 'si'
  | 'callingSsn' | 'calledSsn' | 'callingDigitsLength' | 'calledDigitsLength' | 'otidLength' | 'dtidLength'
  | 'imsiLength' | 'msisdnLength' | 'callingDigits' | 'calledDigits' | 'otid' | 'dtid' | 'imsi' | 'msisdn'
  | 'opcodes' | 'anomalies' | 'originalLength' | 'capturedLength' | 'chunk';

export interface EventLayout {
  size: number; // bytes per record
  frameOffset: number; // the frame bytes start here
  snapLength: number; // at most this many frame bytes (capturedLength says how many)
  // length: bytes for 'bytes'/'ascii', element count for arrays of numbers (shadow: u16 x 8, opcodes: i32 x 4,
  // anomalies: u64 x 2 little-endian, bit i = anomalyCatalog()[i]).
  fields: Record<LiveEventField, { offset: number; type: EventFieldType; length?: number }>;
  kinds: ['blocked', 'alerted', 'shadow', 'malformed']; // value of `kind`
  tcapTypes: ['none', 'unidirectional', 'begin', 'end', 'continue', 'abort']; // value of `tcapType`
  applications: ['unknown', 'map', 'cap']; // value of `application`
  // flags bits
  flagBits: { shadowTruncated: number; malformed: number; hasIp: number; hasMtp3: number; hasSccp: number; hasTcap: number; callingSsn: number; calledSsn: number };
  noRule: number; // value of `rule` when the default or malformed action decided (0xffff)
  noCategory: number; // value of `category` then (0xff)
  noOpcode: number; // opcodes[] entry for a global or missing opcode (-1)
}

export interface LiveAddon {
  LiveEngine: new (config: LiveEngineConfig) => NativeLiveEngine;
  counterLayout(ruleCapacity: number, workers: number): CounterLayout;
  eventLayout(): EventLayout;
  // Which backends this build has (afxdp needs clang + libxdp + libbpf at build time).
  liveBackends(): Record<LiveBackendName, boolean>;
}

export function liveAddon(): LiveAddon {
  return nativeAddon() as unknown as LiveAddon;
}
