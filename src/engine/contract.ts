// The engine as the control plane sees it: the one contract between the live data plane (issue 4,
// src/engine/live.ts over the native workers) and the control plane (issue 5: API, events,
// metrics, `npm start`). Every engine, whatever its backend (pcap replay, afpacket, afxdp),
// implements `Engine`; the control plane never reaches past it into the addon.
// zod schemas are the one source of these types (the API's response schemas reuse them).
import { z } from 'zod';

export const EngineMode = z.enum(['offline', 'monitor', 'inline']);
export type EngineMode = z.infer<typeof EngineMode>;

export const EngineBackend = z.enum(['pcap', 'afpacket', 'afxdp']);
export type EngineBackend = z.infer<typeof EngineBackend>;

// (stopped) -> starting -> running -> (stopping -> stopped) | failed. A pcap replay that reaches the
// end of its capture (and does not loop) is `finished`: counters and events stay readable, the API
// stays up. A stopped, finished or failed engine may be started again (counters carry on).
export const EngineState = z.enum(['starting', 'running', 'finished', 'stopping', 'stopped', 'failed']);
export type EngineState = z.infer<typeof EngineState>;

export const EngineStatus = z.object({
  state: EngineState,
  mode: EngineMode,
  backend: EngineBackend,
  workers: z.number().int(),
  ports: z.array(z.object({ name: z.string(), role: z.enum(['external', 'internal', 'monitor', 'capture']) })),
  startedAt: z.string().optional(), // ISO 8601, when the engine began running
  uptimeSeconds: z.number(),
  // The table the workers classify with: its generation (1 for the first table, +1 per swap that
  // every worker has taken) and the SHA-256 of its image; the control plane maps this to a version.
  table: z.object({ generation: z.number().int(), sha256: z.string(), policyName: z.string(), rules: z.number().int() }).optional(),
  error: z.string().optional(), // why the engine failed
});
export type EngineStatus = z.infer<typeof EngineStatus>;

export const VerdictAction = z.enum(['allow', 'drop', 'alert']);

// Counters the kernel keeps outside the workers, for the afxdp backend: sigwall_xdp's per-CPU map
// (native/bpf/README.md), per port. The frames counted here never reach a worker, except
// steeredToEngine (handed to the engine's AF_XDP sockets, then counted again in `packets`), so
// `packets` + the other kinds is everything a port received.
export const KernelCounter = z.object({ packets: z.number(), bytes: z.number() });
export type KernelCounter = z.infer<typeof KernelCounter>;
export const kernelCounterKinds = ['steeredToEngine', 'failOpenForwarded', 'failOpenPassed', 'failClosedDropped', 'nonSctpBridged', 'nonSctpPassed', 'unparsedAsSctp'] as const;
export type KernelCounterKind = (typeof kernelCounterKinds)[number];
export const KernelPortCounters = z.object({
  steeredToEngine: KernelCounter, // SCTP handed to the engine's AF_XDP socket
  failOpenForwarded: KernelCounter, // inline, no engine socket, fail-open: SCTP forwarded to the peer port unjudged
  failOpenPassed: KernelCounter, // monitor, no engine socket, fail-open: SCTP passed to the host stack
  failClosedDropped: KernelCounter, // no engine socket, fail-closed: SCTP dropped
  nonSctpBridged: KernelCounter, // inline: not SCTP (ARP, ICMP, ...), forwarded to the peer port in the kernel
  nonSctpPassed: KernelCounter, // monitor: not SCTP, passed to the host stack
  unparsedAsSctp: KernelCounter, // subset of the first four: headers beyond the program's parse caps, treated as SCTP
});
export type KernelPortCounters = z.infer<typeof KernelPortCounters>;
// `inherited`: what a stale program had counted when a start replaced it. After a crash (SIGKILL)
// the program stays on the port and applies the fail action; the next start swaps it for a fresh
// one and carries its counts here instead of losing them: the fail-action kinds are the SCTP that
// crossed unjudged (failOpen*) or was dropped (failClosedDropped) while no engine ran, plus any the
// crashed run saw itself (start-up moments, monitor queues without a socket). The other kinds hold
// the crashed run's own counts, already reported by that run. Not part of the top-level kinds.
export const KernelPortReport = KernelPortCounters.extend({
  port: z.string(), // interface name
  inherited: KernelPortCounters.optional(), // present when a start of this engine replaced a stale program on the port
  inheritedProblem: z.string().optional(), // a stale program was replaced but its counts could not be read (missing or foreign counter map): why; the port started from zero
});
export type KernelPortReport = z.infer<typeof KernelPortReport>;
export const KernelCounters = KernelPortCounters.extend({
  perPort: z.array(KernelPortReport), // the same, per port
  inherited: KernelPortCounters.optional(), // perPort[].inherited summed; present when any port has one
});
export type KernelCounters = z.infer<typeof KernelCounters>; // the top-level kinds: summed over the ports

export function emptyKernelPortCounters(): KernelPortCounters {
  return Object.fromEntries(kernelCounterKinds.map((kind) => [kind, { packets: 0, bytes: 0 }])) as KernelPortCounters;
}

// Counters summed over the workers (each worker writes its own slots; the engine adds them up).
// Arrays indexed by rule are in the active table's rule order; ruleIds gives their ids.
export const EngineCounters = z.object({
  packets: z.number(),
  bytes: z.number(),
  messages: z.number(),
  forwardedPackets: z.number(), // inline: packets sent on; monitor/offline: 0
  droppedPackets: z.number(), // inline: packets not forwarded because of a drop verdict
  verdicts: z.object({ allow: z.number(), drop: z.number(), alert: z.number() }),
  malformed: z.number(),
  shadowHits: z.number(),
  categories: z.object({ custom: z.number(), cat1: z.number(), cat2: z.number(), cat3: z.number() }), // messages decided by a rule of that category
  ruleIds: z.array(z.string()),
  ruleHits: z.array(z.number()), // decisions per rule
  ruleShadowHits: z.array(z.number()),
  anomalies: z.record(z.string(), z.number()), // by anomaly name (sigwall anomalies), non-zero only
  ringDrops: z.number(), // packets the backend lost before a worker saw them
  reassemblyBoundHits: z.number(),
  eventsLost: z.number(), // events not recorded because a worker's event ring was full
  perWorker: z.array(z.object({ worker: z.number().int(), packets: z.number(), messages: z.number(), eventsLost: z.number(), ringDrops: z.number() })),
  kernel: KernelCounters.optional(), // afxdp only: what the XDP program counted (above)
});
export type EngineCounters = z.infer<typeof EngineCounters>;

// One event: a message that was blocked, alerted, matched a shadow rule, or was malformed.
// A message that is both decided (drop/alert) and hits shadow rules is one event of the decided
// kind, with shadowRuleIds filled.
export const EngineEvent = z.object({
  id: z.string(), // unique within the engine's lifetime: `${worker}-${sequence}`
  time: z.string(), // ISO 8601 with the packet's timestamp (pcap: the capture's time for a forensic replay, pace fast without loop; the wall-clock time it was replayed for a paced or looping one)
  timestampNs: z.string(), // decimal nanoseconds since the epoch
  kind: z.enum(['blocked', 'alerted', 'shadow', 'malformed']),
  action: VerdictAction, // what the engine did with the message
  worker: z.number().int(),
  port: z.string().optional(), // the interface it arrived on
  side: z.enum(['external', 'internal']).optional(),
  ruleIndex: z.number().int().optional(),
  ruleId: z.string().optional(), // `<policy>#<rule>`, or `<policy>#default` / `<policy>#malformed`
  category: z.enum(['custom', '1', '2', '3']).optional(),
  shadowRuleIds: z.array(z.string()).default([]),
  tableGeneration: z.number().int(),
  frame: z.number().int(), // the packet's number on its port (pcap: in the capture), 1-based
  ip: z.object({ src: z.string(), dst: z.string() }).optional(),
  sctp: z.object({ srcPort: z.number().int(), dstPort: z.number().int(), stream: z.number().int(), ppid: z.number().int() }).optional(),
  mtp3: z.object({ opc: z.number().int(), dpc: z.number().int(), si: z.number().int() }).optional(),
  sccp: z
    .object({
      callingDigits: z.string().optional(),
      callingSsn: z.number().int().optional(),
      calledDigits: z.string().optional(),
      calledSsn: z.number().int().optional(),
    })
    .optional(),
  tcap: z.object({ type: z.string(), otid: z.string().optional(), dtid: z.string().optional() }).optional(),
  application: z.enum(['map', 'cap', 'unknown']).optional(),
  operations: z.array(z.object({ opcode: z.number().int().optional(), name: z.string().optional() })).default([]),
  imsi: z.string().optional(), // subscriber identifiers: masked or hashed on export by configuration (issue 5)
  msisdn: z.string().optional(),
  anomalies: z.array(z.string()).default([]),
  // The frame as received (up to the engine's event snap length) for the pcapng export.
  packet: z.object({ linkType: z.number().int(), originalLength: z.number().int(), base64: z.string() }).optional(),
});
export type EngineEvent = z.infer<typeof EngineEvent>;

export interface EngineSummary {
  status: EngineStatus;
  counters: EngineCounters;
}

// What every engine offers the control plane. Methods never block the event loop for long: the
// native workers run on their own threads; counters() and drainEvents() copy out of shared memory.
export interface Engine {
  start(): Promise<void>;
  // Stops the workers, detaches from the ports (XDP programs, rings), returns the final summary.
  stop(): Promise<EngineSummary>;
  status(): EngineStatus;
  counters(): EngineCounters;
  // Swaps the table at the workers' next burst boundary; resolves when every worker uses it.
  // An image the loader refuses throws SigwallError SIGWALL_ERR_TABLE and the old table stays.
  setTable(image: Uint8Array): Promise<{ generation: number }>;
  // Up to `max` events not drained before, oldest first, from all workers.
  drainEvents(max?: number): EngineEvent[];
  // Called once when the engine leaves `running` by itself (pcap end: `finished`; fault: `failed`).
  onStateChange(listener: (status: EngineStatus) => void): () => void;
}

// Counters of an engine that has counted nothing yet, for the rules of a table (in table order).
export function emptyEngineCounters(ruleIds: readonly string[] = []): EngineCounters {
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
    ruleIds: [...ruleIds],
    ruleHits: ruleIds.map(() => 0),
    ruleShadowHits: ruleIds.map(() => 0),
    anomalies: {},
    ringDrops: 0,
    reassemblyBoundHits: 0,
    eventsLost: 0,
    perWorker: [],
  };
}
