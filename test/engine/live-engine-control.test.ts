// LiveEngine's own logic in the cases the pcap backend cannot produce on demand: several workers
// (counters summed, per-rule slots only from workers on the active table), a worker that never
// takes a new table (setTable times out with SIGWALL_ERR_ENGINE), a data plane that fails while
// running (onStateChange once, the error in the status), and event records with IPv6 addresses,
// a malformed verdict, global opcodes, shadow rules and a table generation since replaced.
// The native engine is a scripted stand-in; the counter and event layouts are the real addon's,
// so the offsets under test are the ones the workers write.
import { describe, expect, it } from 'vitest';
import baseline from '../../firmware-config/policies/fs11-baseline.js';
import { parseApplianceConfig } from '../../src/config/appliance.js';
import { liveAddon, type LiveAddon, type LiveEngineConfig, type LiveEngineState, type NativeKernelPortCounters, type NativeLiveEngine } from '../../src/dataplane/live-native.js';
import { EngineCounters, EngineEvent, emptyKernelPortCounters } from '../../src/engine/contract.js';
import { LiveEngine } from '../../src/engine/live.js';
import { SigwallError } from '../../src/errors.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { withRuleIds } from '../../src/policy/evaluate.js';
import { Policy } from '../../src/policy/schema.js';

const real = liveAddon();
const policy = withRuleIds(Policy.parse(baseline));
const table = compilePolicy(policy).image;
const other = compilePolicy(
  withRuleIds(Policy.parse({ name: 'other', networks: { home: {} }, rules: [{ name: 'drop-ati', match: { 'map.opcode': [71] }, action: 'drop', category: 1 }], defaults: { action: 'allow', malformed: 'drop' } })),
).image;

const config = parseApplianceConfig(
  { mode: 'monitor', backend: 'afpacket', ports: [{ interface: 'span0', role: 'monitor' }, { interface: 'span1', role: 'monitor' }], policy: 'p.ts', dataDir: '/tmp/unused' },
  '/etc/sigwall/monitor.yaml',
);

// A native engine whose workers are the test: it records what LiveEngine hands it and plays back
// generations, states and event records.
class ScriptedNative implements NativeLiveEngine {
  readonly workers: number;
  counters: BigUint64Array | undefined;
  generations: number[];
  nextGeneration = 2;
  takeTables = true;
  nativeState: LiveEngineState = 'idle';
  error: { code: 'SIGWALL_ERR_ENGINE'; message: string; port?: string } | null = null;
  pending: Uint8Array[] = [];
  stopped = 0;
  // afxdp: the XDP program's counters per port while the ports are open (a stop detaches it).
  kernel: NativeKernelPortCounters[] | null = null;

  constructor(readonly config: LiveEngineConfig, workers: number) {
    this.workers = workers;
    this.generations = new Array<number>(workers).fill(1);
  }
  start(counters?: BigUint64Array) {
    this.counters = counters;
    this.nativeState = 'running';
  }
  stop() {
    this.stopped++;
    if (this.nativeState === 'running') this.nativeState = 'stopped';
  }
  setTable(image: Uint8Array) {
    if (image.byteLength < 64) throw { code: 'SIGWALL_ERR_TABLE', message: 'table image: too short' };
    const generation = this.nextGeneration++;
    if (this.takeTables) this.generations = this.generations.map(() => generation);
    return generation;
  }
  activeGenerations() {
    return [...this.generations];
  }
  drainEvents(target: Uint8Array) {
    const size = real.eventLayout().size;
    let n = 0;
    while (this.pending.length > 0 && (n + 1) * size <= target.byteLength) target.set(this.pending.shift()!, (n++) * size);
    return n;
  }
  state() {
    return this.nativeState;
  }
  lastError() {
    return this.error;
  }
  kernelCounters() {
    return this.nativeState === 'running' || this.nativeState === 'finished' || this.nativeState === 'failed' ? this.kernel : null;
  }
}

function scripted(workers: number): { addon: LiveAddon; native: () => ScriptedNative } {
  let created: ScriptedNative | undefined;
  const addon: LiveAddon = {
    LiveEngine: function (this: unknown, engineConfig: LiveEngineConfig) {
      created = new ScriptedNative(engineConfig, workers);
      return created;
    } as unknown as LiveAddon['LiveEngine'],
    counterLayout: (rules, count) => real.counterLayout(rules, count),
    eventLayout: () => real.eventLayout(),
    liveBackends: () => real.liveBackends(),
  };
  return { addon, native: () => created! };
}

// An event record as event_record.h lays it out, through the real layout's offsets.
function record(fields: Record<string, number | bigint | (number | bigint)[] | string | Uint8Array>): Uint8Array {
  const layout = real.eventLayout();
  const bytes = new Uint8Array(layout.size);
  const view = new DataView(bytes.buffer);
  for (const [name, value] of Object.entries(fields)) {
    const field = layout.fields[name as keyof typeof layout.fields];
    if (!field) throw new Error(`no field ${name}`);
    const at = field.offset;
    if (typeof value === 'string') bytes.set(Buffer.from(value, 'latin1'), at);
    else if (value instanceof Uint8Array) bytes.set(value, at);
    else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (field.type === 'u16') view.setUint16(at + 2 * i, Number(v), true);
        else if (field.type === 'i32') view.setInt32(at + 4 * i, Number(v), true);
        else if (field.type === 'u64') view.setBigUint64(at + 8 * i, BigInt(v), true);
      });
    } else if (field.type === 'u8') view.setUint8(at, Number(value));
    else if (field.type === 'u16') view.setUint16(at, Number(value), true);
    else if (field.type === 'u32') view.setUint32(at, Number(value), true);
    else if (field.type === 'u64') view.setBigUint64(at, BigInt(value), true);
  }
  return bytes;
}

describe('LiveEngine over a scripted data plane', () => {
  it('hands the addon the configuration converted once, with the rule capacity and counters it sized', async () => {
    const { addon, native } = scripted(2);
    const engine = new LiveEngine({ config, table, addon, inspect: false });
    await engine.start();
    const handed = native().config;
    expect(handed).toMatchObject({
      backend: 'afpacket',
      mode: 'monitor',
      ports: [{ interface: 'span0', role: 'monitor' }, { interface: 'span1', role: 'monitor' }],
      monitorSide: 'external',
      ringFrames: 4096,
      batch: 64,
      eventSlots: 4096,
      idleSpinMicroseconds: 20,
      failMode: 'open',
      inspect: false,
      decode: { verifyCrc: true, mtp3Variant: 'itu', capSsns: [146] },
      ruleCapacity: 1024,
    });
    // A copy: the caller's buffer may be reused after the engine took it.
    expect(handed.table).toEqual(table);
    expect(handed.table).not.toBe(table);
    expect(handed.replay).toBeUndefined();
    expect(native().counters!.length).toBe(real.counterLayout(1024, 2).size);
    expect(engine.status()).toMatchObject({ state: 'running', workers: 2, ports: [{ name: 'span0', role: 'monitor' }, { name: 'span1', role: 'monitor' }] });
    await engine.stop();
    expect(native().stopped).toBe(1);
  });

  it('afxdp: reports the XDP program counters per port and summed, keeps the last read over a stop and carries them into the next run', async () => {
    const afxdp = parseApplianceConfig(
      { mode: 'inline', backend: 'afxdp', failMode: 'closed', ports: [{ interface: 'ext0', role: 'external' }, { interface: 'int0', role: 'internal' }], policy: 'p.ts', dataDir: '/tmp/unused' },
      '/etc/sigwall/inline.yaml',
    );
    const port = (name: string, steered: number, bridged: number, failClosed: number): NativeKernelPortCounters => ({
      port: name,
      ...emptyKernelPortCounters(),
      steeredToEngine: { packets: steered, bytes: steered * 100 },
      nonSctpBridged: { packets: bridged, bytes: bridged * 60 },
      failClosedDropped: { packets: failClosed, bytes: failClosed * 100 },
    });
    const { addon, native } = scripted(1);
    const engine = new LiveEngine({ config: afxdp, table, addon });
    // Before the first run: present (afxdp), all zero, one entry per configured port.
    expect(engine.counters().kernel).toEqual({ ...emptyKernelPortCounters(), perPort: [{ port: 'ext0', ...emptyKernelPortCounters() }, { port: 'int0', ...emptyKernelPortCounters() }] });
    await engine.start();
    const first = native();
    first.kernel = [port('ext0', 10, 4, 2), port('int0', 6, 3, 0)];
    let kernel = EngineCounters.parse(engine.counters()).kernel!;
    expect(kernel.steeredToEngine).toEqual({ packets: 16, bytes: 1600 });
    expect(kernel.nonSctpBridged).toEqual({ packets: 7, bytes: 420 });
    expect(kernel.failClosedDropped).toEqual({ packets: 2, bytes: 200 });
    expect(kernel.failOpenForwarded).toEqual({ packets: 0, bytes: 0 });
    expect(kernel.perPort.map((p) => [p.port, p.steeredToEngine.packets, p.nonSctpBridged.packets])).toEqual([['ext0', 10, 4], ['int0', 6, 3]]);
    // What the program counted between the last read and the stop is read just before it.
    first.kernel = [port('ext0', 12, 5, 2), port('int0', 6, 3, 1)];
    const summary = await engine.stop();
    expect(summary.counters.kernel!.steeredToEngine.packets).toBe(18);
    expect(summary.counters.kernel!.failClosedDropped.packets).toBe(3);
    expect(engine.counters().kernel).toEqual(summary.counters.kernel); // the map is gone; the totals stay
    // The next run attaches a fresh program whose counters start at zero; the totals carry on.
    await engine.start();
    const second = native();
    expect(second).not.toBe(first);
    second.kernel = [port('ext0', 1, 1, 0), port('int0', 0, 0, 0)];
    kernel = engine.counters().kernel!;
    expect(kernel.steeredToEngine.packets).toBe(19);
    expect(kernel.nonSctpBridged.packets).toBe(9);
    expect(kernel.perPort.find((p) => p.port === 'ext0')!.steeredToEngine).toEqual({ packets: 13, bytes: 1300 });
    await engine.stop();
  });

  it('afxdp: keeps what a replaced stale program counted (inherited) apart from its own counts, across runs', async () => {
    const afxdp = parseApplianceConfig(
      { mode: 'inline', backend: 'afxdp', failMode: 'open', ports: [{ interface: 'ext0', role: 'external' }, { interface: 'int0', role: 'internal' }], policy: 'p.ts', dataDir: '/tmp/unused' },
      '/etc/sigwall/inline.yaml',
    );
    const kinds = (steered: number, failOpen: number) => ({ ...emptyKernelPortCounters(), steeredToEngine: { packets: steered, bytes: steered * 100 }, failOpenForwarded: { packets: failOpen, bytes: failOpen * 100 } });
    const { addon, native } = scripted(1);
    const engine = new LiveEngine({ config: afxdp, table, addon });
    await engine.start();
    // The start replaced the program a crashed run left on ext0 (42 SCTP frames forwarded unjudged
    // while no engine ran); int0's stale program had a counter map of another shape.
    native().kernel = [
      { port: 'ext0', ...kinds(5, 0), inherited: kinds(100, 42) },
      { port: 'int0', ...kinds(3, 0), inheritedProblem: 'the stale program (id 9) has no sigwall_stats map' },
    ];
    let kernel = EngineCounters.parse(engine.counters()).kernel!;
    expect(kernel.failOpenForwarded.packets).toBe(0); // this engine's own counts
    expect(kernel.steeredToEngine.packets).toBe(8);
    expect(kernel.inherited).toEqual(kinds(100, 42));
    expect(kernel.perPort[0]).toEqual({ port: 'ext0', ...kinds(5, 0), inherited: kinds(100, 42) });
    expect(kernel.perPort[1]).toEqual({ port: 'int0', ...kinds(3, 0), inheritedProblem: 'the stale program (id 9) has no sigwall_stats map' });
    await engine.stop();
    // A clean stop detached the programs: the next start replaces nothing, the inherited record stays.
    await engine.start();
    native().kernel = [{ port: 'ext0', ...kinds(1, 0) }, { port: 'int0', ...kinds(0, 0) }];
    kernel = engine.counters().kernel!;
    expect(kernel.steeredToEngine.packets).toBe(9);
    expect(kernel.inherited!.failOpenForwarded).toEqual({ packets: 42, bytes: 4200 });
    expect(kernel.perPort[0]!.inherited!.failOpenForwarded.packets).toBe(42);
    expect(kernel.perPort[1]!.inheritedProblem).toMatch(/no sigwall_stats map/);
    await engine.stop();
    // An engine that never replaced anything reports no inherited record.
    const plain = new LiveEngine({ config: afxdp, table, addon });
    await plain.start();
    native().kernel = [{ port: 'ext0', ...kinds(1, 0) }, { port: 'int0', ...kinds(0, 0) }];
    const fresh = plain.counters().kernel!;
    expect(fresh.inherited).toBeUndefined();
    expect(fresh.perPort.every((p) => p.inherited === undefined && p.inheritedProblem === undefined)).toBe(true);
    await plain.stop();
  });

  it('has no kernel counters for a backend without an XDP program', async () => {
    const { addon, native } = scripted(1);
    const engine = new LiveEngine({ config, table, addon });
    await engine.start();
    native().kernel = [{ port: 'span0', ...emptyKernelPortCounters() }]; // ignored: afpacket keeps none
    expect(engine.counters().kernel).toBeUndefined();
    await engine.stop();
  });

  it('sums the workers, and per-rule slots only of workers on the active table', async () => {
    const { addon, native } = scripted(2);
    const engine = new LiveEngine({ config, table, addon });
    await engine.start();
    const layout = real.counterLayout(1024, 2);
    const counters = native().counters!;
    const set = (worker: number, index: number, value: number) => (counters[worker * layout.stride + index] = BigInt(value));
    for (const worker of [0, 1]) {
      set(worker, layout.slots.packets, 100 + worker);
      set(worker, layout.slots.messages, 10 * (worker + 1));
      set(worker, layout.slots.verdictDrop, 3);
      set(worker, layout.slots.category1, 2);
      set(worker, layout.slots.eventsLost, worker);
      set(worker, layout.slots.ringDrops, 5);
      set(worker, layout.slots.tableGeneration, 1);
      set(worker, layout.rules + 2, 7);
      set(worker, layout.ruleShadow + 0, 1);
      set(worker, layout.anomalies + layout.anomalyNames.indexOf('tcap.global_opcode'), 4);
    }
    const summed = EngineCounters.parse(engine.counters());
    expect(summed).toMatchObject({ packets: 201, messages: 30, verdicts: { drop: 6 }, categories: { cat1: 4 }, eventsLost: 1, ringDrops: 10, anomalies: { 'tcap.global_opcode': 8 } });
    expect(summed.ruleHits[2]).toBe(14);
    expect(summed.ruleShadowHits[0]).toBe(2);
    expect(summed.perWorker).toEqual([
      { worker: 0, packets: 100, messages: 10, eventsLost: 0, ringDrops: 5 },
      { worker: 1, packets: 101, messages: 20, eventsLost: 1, ringDrops: 5 },
    ]);
    // Worker 1 still classifies with an older table: its rule slots are in another rule order.
    set(1, layout.slots.tableGeneration, 0);
    expect(engine.counters().ruleHits[2]).toBe(7);
    await engine.stop();
  });

  it('times out a swap that a worker never takes, with SIGWALL_ERR_ENGINE naming the generations', async () => {
    const { addon, native } = scripted(2);
    const engine = new LiveEngine({ config, table, addon, swapTimeoutMs: 100 });
    await engine.start();
    native().takeTables = false;
    native().generations = [2, 1];
    native().nextGeneration = 2;
    const error = await engine.setTable(other).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigwallError);
    expect(error).toMatchObject({ code: 'SIGWALL_ERR_ENGINE', message: 'table generation 2 not taken by every worker within 100 ms (workers at 2, 1): a worker is stuck' });
    expect(engine.status().table?.generation).toBe(1);
    // The next swap completes once the workers move.
    native().takeTables = true;
    expect(await engine.setTable(other)).toEqual({ generation: 3 });
    expect(engine.status().table).toMatchObject({ generation: 3, policyName: 'other', rules: 1 });
    expect(engine.counters().ruleIds).toEqual(['other#drop-ati']);
    await engine.stop();
  });

  it('refuses a table with more rules than the counters hold', async () => {
    const { addon } = scripted(1);
    const engine = new LiveEngine({ config, table: other, addon, ruleCapacity: 1 });
    await engine.start();
    await expect(engine.setTable(table)).rejects.toMatchObject({ code: 'SIGWALL_ERR_TABLE', message: expect.stringMatching(/17 rules exceed the engine's 1 rule counters/) });
    await engine.stop();
    expect(() => new LiveEngine({ config, table, addon, ruleCapacity: 3 })).toThrow(/ruleCapacity 3 must be an integer from the table's 17 rules/);
  });

  it('reports a failure while running once, with the native error in the status', async () => {
    const { addon, native } = scripted(1);
    const engine = new LiveEngine({ config, table, addon, statePollMs: 5 });
    const seen: string[] = [];
    engine.onStateChange((status) => seen.push(`${status.state}: ${status.error}`));
    await engine.start();
    native().nativeState = 'failed';
    native().error = { code: 'SIGWALL_ERR_ENGINE', message: 'span1: interface went away (ENODEV)', port: 'span1' };
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(seen).toEqual(['failed: span1: interface went away (ENODEV)']);
    const summary = await engine.stop();
    expect(summary.status).toMatchObject({ state: 'failed', error: 'span1: interface went away (ENODEV)' });
    expect(seen).toHaveLength(1);
    // No worker runs to take a table: it becomes the table of the next start; the failure stays
    // in the status until then.
    expect(await engine.setTable(other)).toEqual({ generation: 2 });
    expect(engine.status()).toMatchObject({ state: 'failed', error: 'span1: interface went away (ENODEV)', table: { generation: 2, policyName: 'other' } });
  });

  it('names an addon built without the live engine', () => {
    const { addon } = scripted(1);
    const old = { ...addon, LiveEngine: undefined } as unknown as LiveAddon;
    expect(() => new LiveEngine({ config, table, addon: old })).toThrow(expect.objectContaining({ code: 'SIGWALL_ERR_ADDON', message: expect.stringMatching(/has no live engine .*npm run build:native/) }));
  });

  it('maps a native start error to SIGWALL_ERR_ENGINE with the port and errno', async () => {
    const { addon } = scripted(1);
    const failing: LiveAddon = {
      ...addon,
      LiveEngine: function () {
        return {
          workers: 1,
          start() {
            throw { code: 'SIGWALL_ERR_ENGINE', message: 'span0: bind: No such device', port: 'span0', errno: 19 };
          },
          stop() {},
          setTable: () => 1,
          activeGenerations: () => [1],
          drainEvents: () => 0,
          state: () => 'idle' as const,
          lastError: () => null,
        };
      } as unknown as LiveAddon['LiveEngine'],
    };
    const engine = new LiveEngine({ config, table, addon: failing });
    const error = await engine.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigwallError);
    expect(error).toMatchObject({ code: 'SIGWALL_ERR_ENGINE', message: 'span0: bind: No such device', details: { port: 'span0', errno: 19 } });
    expect(engine.status()).toMatchObject({ state: 'failed', error: 'span0: bind: No such device' });
  });

  it('decodes event records: IPv6, malformed, global opcodes, shadow rules, a replaced table generation, frame bytes', async () => {
    const { addon, native } = scripted(2);
    const engine = new LiveEngine({ config, table, addon });
    await engine.start();
    const layout = real.eventLayout();
    const flags = layout.flagBits;
    const anomalyIndex = (name: string) => real.counterLayout(1, 1).anomalyNames.indexOf(name);
    const shadowIndex = policy.rules.findIndex((rule) => rule.mode === 'shadow');
    const frame = Uint8Array.from({ length: 90 }, (_, i) => i);
    const v6src = Uint8Array.from(Buffer.from('20010db8000000000000000000000001', 'hex'));
    const v6dst = Uint8Array.from(Buffer.from('fe800000000000000202b3fffe1e8329', 'hex'));
    const badCrc = anomalyIndex('sctp.bad_crc');
    const invokeInEnd = anomalyIndex('tcap.invoke_in_end');
    expect(invokeInEnd).toBeGreaterThanOrEqual(64); // the high word of the bitmap
    expect(badCrc).toBeLessThan(64); // the low word
    native().pending.push(
      record({
        timestampNs: 1_768_467_600_089_266_123n, frame: 7, sequence: 41, tableGeneration: 1, worker: 1, port: 1, kind: 0, action: 1, side: 1,
        category: 1, rule: 0, shadowCount: 1, shadow: [shadowIndex], flags: flags.hasIp | flags.hasMtp3 | flags.hasSccp | flags.hasTcap | flags.callingSsn,
        ipVersion: 6, ipSrc: v6src, ipDst: v6dst, srcPort: 2905, dstPort: 2906, stream: 3, ppid: 3, opc: 1001, dpc: 2002, si: 3,
        callingSsn: 7, callingDigitsLength: 12, callingDigits: '447700900001', calledDigitsLength: 0,
        tcapType: 4, otidLength: 0, dtidLength: 2, dtid: Uint8Array.of(0xab, 0x01), opcodeCount: 2, opcodes: [71, layout.noOpcode], application: 1,
        imsiLength: 15, imsi: '234150000000026', msisdnLength: 0,
        anomalies: [1n << BigInt(badCrc), 1n << BigInt(invokeInEnd - 64)], linkType: 1, originalLength: 1500, capturedLength: frame.length,
      }),
      record({
        timestampNs: 5n, frame: 9, sequence: 0, tableGeneration: 1, worker: 0, port: 0, kind: 3, action: 1, side: 0, category: layout.noCategory,
        rule: layout.noRule, flags: flags.malformed, opcodeCount: 0, linkType: 1, originalLength: 60, capturedLength: 0,
      }),
    );
    // The frame bytes sit after the header.
    native().pending[0]!.set(frame, layout.frameOffset);
    const [blocked, malformed] = engine.drainEvents();
    expect(native().pending).toHaveLength(0);
    EngineEvent.parse(blocked);
    EngineEvent.parse(malformed);
    expect(blocked).toEqual({
      id: '1-41',
      time: '2026-01-15T09:00:00.089266123Z',
      timestampNs: '1768467600089266123',
      kind: 'blocked',
      action: 'drop',
      worker: 1,
      port: 'span1',
      side: 'internal',
      ruleIndex: 0,
      ruleId: policy.rules[0]!.id,
      category: '1',
      shadowRuleIds: [policy.rules[shadowIndex]!.id],
      tableGeneration: 1,
      frame: 7,
      ip: { src: '2001:db8::1', dst: 'fe80::202:b3ff:fe1e:8329' },
      sctp: { srcPort: 2905, dstPort: 2906, stream: 3, ppid: 3 },
      mtp3: { opc: 1001, dpc: 2002, si: 3 },
      sccp: { callingDigits: '447700900001', callingSsn: 7 },
      tcap: { type: 'continue', dtid: 'ab01' },
      application: 'map',
      operations: [{ opcode: 71, name: 'anyTimeInterrogation' }, {}],
      imsi: '234150000000026',
      anomalies: ['sctp.bad_crc', 'tcap.invoke_in_end'],
      packet: { linkType: 1, originalLength: 1500, base64: Buffer.from(frame).toString('base64') },
    });
    expect(malformed).toMatchObject({ id: '0-0', kind: 'malformed', action: 'drop', ruleId: `${policy.name}#malformed`, port: 'span0', side: 'external', operations: [], anomalies: [] });
    expect(malformed).not.toHaveProperty('ruleIndex');
    expect(malformed).not.toHaveProperty('category');
    expect(malformed).not.toHaveProperty('ip');
    expect(malformed).not.toHaveProperty('packet');

    // After a swap, an event still in a ring from generation 1 keeps generation 1's rule ids.
    expect(await engine.setTable(other)).toEqual({ generation: 2 });
    native().pending.push(record({ timestampNs: 1n, frame: 10, sequence: 1, tableGeneration: 1, kind: 0, action: 1, rule: 2, category: 2 }));
    native().pending.push(record({ timestampNs: 2n, frame: 11, sequence: 2, tableGeneration: 2, kind: 0, action: 1, rule: 0, category: 1 }));
    native().pending.push(record({ timestampNs: 3n, frame: 12, sequence: 3, tableGeneration: 2, kind: 0, action: 1, rule: layout.noRule, category: layout.noCategory }));
    const later = engine.drainEvents(2);
    expect(later.map((event) => event.ruleId)).toEqual([policy.rules[2]!.id, 'other#drop-ati']);
    expect(engine.drainEvents().map((event) => event.ruleId)).toEqual(['other#default']);
    expect(engine.drainEvents()).toEqual([]);

    // An event left in a ring through more swaps than the engine keeps tables for keeps its
    // rule index but gets no id rather than another table's.
    for (let i = 0; i < 16; i++) await engine.setTable(other);
    native().pending.push(record({ timestampNs: 4n, frame: 13, sequence: 4, tableGeneration: 1, kind: 0, action: 1, rule: 2, category: 2 }));
    const [stale] = engine.drainEvents();
    EngineEvent.parse(stale);
    expect(stale).toMatchObject({ ruleIndex: 2, tableGeneration: 1 });
    expect(stale).not.toHaveProperty('ruleId');
    await engine.stop();
  });
});
