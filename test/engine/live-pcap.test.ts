// The pcap backend through the real LiveEngine (native workers, counters buffer, event rings):
// the demo capture replayed with the FS.11 baseline gives the same counters and the same events
// as `sigwall replay --policy` (decodeCaptureRecords with the table) on the same capture, every
// blocked message exactly one event; a table swapped mid-replay takes over at one frame, every
// message after it decided by the new table; stop ends a looping replay cleanly. No root needed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import baseline from '../../firmware-config/policies/fs11-baseline.js';
import { parseApplianceConfig, type ApplianceConfigInput } from '../../src/config/appliance.js';
import { decodeCapture } from '../../src/dataplane/decoder.js';
import type { MessageRecord } from '../../src/decode/record.js';
import { EngineCounters, EngineEvent, EngineStatus, type EngineState } from '../../src/engine/contract.js';
import { isoFromNanoseconds, ipv6Text, LiveEngine } from '../../src/engine/live.js';
import { SigwallError } from '../../src/errors.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { withRuleIds } from '../../src/policy/evaluate.js';
import { Policy } from '../../src/policy/schema.js';

const root = new URL('../..', import.meta.url).pathname;
const demoPath = join(root, 'firmware-config', 'demo', 'demo.pcap');
const demo = readFileSync(demoPath);
const policy = withRuleIds(Policy.parse(baseline));
const table = compilePolicy(policy).image;
const dropAll = compilePolicy(withRuleIds(Policy.parse({ name: 'drop-all', networks: { home: {} }, rules: [], defaults: { action: 'drop', malformed: 'drop' } }))).image;

// The reference: `sigwall replay --policy` on the same capture.
const reference = decodeCapture(demo, { table }).records;

type EventKey = { frame: number; kind: EngineEvent['kind']; ruleId: string; shadow: string[] };

function expectedEvent(record: MessageRecord): EventKey | undefined {
  const verdict = record.verdict!;
  const kind = verdict.rule.endsWith('#malformed') ? 'malformed' : verdict.action === 'drop' ? 'blocked' : verdict.action === 'alert' ? 'alerted' : verdict.shadowHits.length > 0 ? 'shadow' : undefined;
  return kind ? { frame: record.frame, kind, ruleId: verdict.rule, shadow: verdict.shadowHits } : undefined;
}

const byFrame = (a: EventKey, b: EventKey) => a.frame - b.frame || a.ruleId.localeCompare(b.ruleId) || a.kind.localeCompare(b.kind);
const keyOf = (event: EngineEvent): EventKey => ({ frame: event.frame, kind: event.kind, ruleId: event.ruleId!, shadow: event.shadowRuleIds });

function offlineConfig(replay: Partial<NonNullable<ApplianceConfigInput['replay']>> = {}, extra: Partial<ApplianceConfigInput> = {}) {
  return parseApplianceConfig(
    { name: 'test', mode: 'offline', backend: 'pcap', replay: { capture: demoPath, pace: 'fast', loop: false, ...replay }, policy: 'p.ts', dataDir: '/tmp/unused', ...extra },
    join(root, 'test.yaml'),
  );
}

// Resolves with the state the engine reports when it leaves `running` by itself.
function settled(engine: LiveEngine, timeoutMs = 30_000): Promise<EngineState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine still ${engine.status().state} after ${timeoutMs} ms`)), timeoutMs);
    const done = (state: EngineState) => {
      clearTimeout(timer);
      resolve(state);
    };
    const off = engine.onStateChange((status) => {
      off();
      done(status.state);
    });
    const state = engine.status().state;
    if (state !== 'running') done(state);
  });
}

function drainAll(engine: LiveEngine): EngineEvent[] {
  const events: EngineEvent[] = [];
  for (;;) {
    const batch = engine.drainEvents(100);
    events.push(...batch);
    if (batch.length === 0) return events;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LiveEngine, pcap backend', () => {
  it('replays the demo capture with the same counters and events as `sigwall replay --policy`', async () => {
    const engine = new LiveEngine({ config: offlineConfig(), table });
    expect(engine.status().state).toBe('stopped') // not started yet;
    await engine.start();
    expect(await settled(engine)).toBe('finished');
    const events = drainAll(engine);
    const summary = await engine.stop();
    EngineStatus.parse(summary.status);
    EngineCounters.parse(summary.counters);
    expect(summary.status).toMatchObject({ state: 'finished', mode: 'offline', backend: 'pcap', workers: 1, ports: [{ name: 'demo.pcap', role: 'capture' }] });
    expect(summary.status.table).toMatchObject({ generation: 1, policyName: policy.name, rules: policy.rules.length });

    const counters = summary.counters;
    const count = (predicate: (r: MessageRecord) => boolean) => reference.filter(predicate).length;
    expect(counters.packets).toBe(475);
    expect(counters.bytes).toBe(demo.byteLength - 24 - 16 * 475); // pcap: file header + a 16-byte record header per packet
    expect(counters.messages).toBe(reference.length);
    expect(counters.verdicts).toEqual({
      allow: count((r) => r.verdict!.action === 'allow'),
      drop: count((r) => r.verdict!.action === 'drop'),
      alert: count((r) => r.verdict!.action === 'alert'),
    });
    expect(counters.verdicts.drop).toBeGreaterThan(0);
    expect(counters.malformed).toBe(count((r) => r.verdict!.rule.endsWith('#malformed')));
    expect(counters.shadowHits).toBe(count((r) => r.verdict!.shadowHits.length > 0));
    expect(counters.ruleIds).toEqual(policy.rules.map((rule) => rule.id));
    expect(counters.ruleHits).toEqual(policy.rules.map((rule) => count((r) => r.verdict!.rule === rule.id)));
    expect(counters.ruleShadowHits).toEqual(policy.rules.map((rule) => count((r) => r.verdict!.shadowHits.includes(rule.id))));
    const category = (c: 1 | 2 | 3 | 'custom') => count((r) => r.verdict!.category === c && !r.verdict!.rule.endsWith('#default') && !r.verdict!.rule.endsWith('#malformed'));
    expect(counters.categories).toEqual({ custom: category('custom'), cat1: category(1), cat2: category(2), cat3: category(3) });
    const anomalies = new Map<string, number>();
    for (const r of reference) for (const a of r.anomalies) anomalies.set(a, (anomalies.get(a) ?? 0) + 1);
    expect(Object.keys(counters.anomalies).sort()).toEqual([...anomalies.keys()].sort());
    expect(counters.eventsLost).toBe(0);
    expect(counters.ringDrops).toBe(0);
    expect(counters.forwardedPackets).toBe(0);

    // Events: every blocked, alerted, shadow-hit and malformed message exactly once.
    for (const event of events) EngineEvent.parse(event);
    const expected = reference.map(expectedEvent).filter((key): key is EventKey => key !== undefined);
    expect(events.map(keyOf).sort(byFrame)).toEqual(expected.sort(byFrame));
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    expect(events.filter((event) => event.kind === 'blocked').length).toBe(count((r) => r.verdict!.action === 'drop' && !r.verdict!.rule.endsWith('#malformed')));
  });

  it('fills each event with the message fields the decoder reports', async () => {
    const engine = new LiveEngine({ config: offlineConfig(), table });
    await engine.start();
    await settled(engine);
    const events = drainAll(engine);
    await engine.stop();
    const records = new Map<string, MessageRecord[]>();
    for (const r of reference) records.set(`${r.frame}`, [...(records.get(`${r.frame}`) ?? []), r]);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      // Several messages in one frame: the event is one of them (the same rule).
      const record = records.get(`${event.frame}`)!.find((r) => r.verdict!.rule === event.ruleId)!;
      expect(record, `frame ${event.frame}`).toBeDefined();
      expect(event.timestampNs).toBe(record.timestampNs);
      expect(event.time).toBe(isoFromNanoseconds(BigInt(record.timestampNs)));
      expect(event.side).toBe('external');
      expect(event.port).toBe('demo.pcap');
      expect(event.tableGeneration).toBe(1);
      expect(event.action).toBe(record.verdict!.action);
      if (record.verdict!.category !== undefined && event.ruleIndex !== undefined) expect(event.category).toBe(String(record.verdict!.category));
      expect(event.ip).toEqual({ src: record.ip.src, dst: record.ip.dst });
      expect(event.sctp).toEqual({ srcPort: record.sctp.srcPort, dstPort: record.sctp.dstPort, stream: record.sctp.sid, ppid: record.sctp.ppid });
      if (record.mtp3) expect(event.mtp3).toEqual({ opc: record.mtp3.opc, dpc: record.mtp3.dpc, si: record.mtp3.si });
      if (record.sccp) {
        expect(event.sccp?.callingDigits).toBe(record.sccp.calling.digits);
        expect(event.sccp?.calledDigits).toBe(record.sccp.called.digits);
        expect(event.sccp?.callingSsn).toBe(record.sccp.calling.ssn);
        expect(event.sccp?.calledSsn).toBe(record.sccp.called.ssn);
      }
      expect(event.application).toBe(record.application);
      if (record.tcap) {
        expect(event.tcap).toEqual({ type: record.tcap.type, ...(record.tcap.otid ? { otid: record.tcap.otid } : {}), ...(record.tcap.dtid ? { dtid: record.tcap.dtid } : {}) });
        const first = record.tcap.components.slice(0, 4);
        expect(event.operations).toEqual(first.map((c) => (c.opcode !== undefined ? { opcode: c.opcode, ...(c.operation ? { name: c.operation } : {}) } : {})));
        const imsi = record.tcap.components.map((c) => c.map?.imsi ?? c.cap?.imsi).find((value) => value !== undefined);
        expect(event.imsi).toBe(imsi);
      }
      expect(event.anomalies.sort()).toEqual([...record.anomalies].sort());
      expect(event.packet?.linkType).toBe(1);
      const frameBytes = Buffer.from(event.packet!.base64, 'base64');
      expect(frameBytes.length).toBe(Math.min(event.packet!.originalLength, 2048 - 320));
    }
  });

  it('swaps the table mid-replay: every message from one frame on is decided by the new table', async () => {
    const engine = new LiveEngine({ config: offlineConfig({ pace: 'rate', rate: 250 }), table });
    await engine.start();
    // Let part of the capture through under the baseline first.
    for (let waited = 0; engine.counters().messages < 40 && waited < 10_000; waited += 10) await sleep(10);
    const swapped = await engine.setTable(dropAll);
    expect(swapped).toEqual({ generation: 2 });
    expect(engine.status().table).toMatchObject({ generation: 2, policyName: 'drop-all', rules: 0 });
    expect(await settled(engine)).toBe('finished');
    const events = drainAll(engine);
    const { counters } = await engine.stop();
    for (const event of events) EngineEvent.parse(event);

    const after = events.filter((event) => event.tableGeneration === 2);
    const before = events.filter((event) => event.tableGeneration === 1);
    expect(after.length).toBeGreaterThan(0);
    expect(before.length).toBeGreaterThan(0);
    const boundary = Math.min(...after.map((event) => event.frame));
    expect(Math.max(...before.map((event) => event.frame))).toBeLessThanOrEqual(boundary);
    // Before the boundary: the baseline's events; from it on: every message blocked by drop-all.
    const expectedBefore = reference.filter((r) => r.frame < boundary).map(expectedEvent).filter((key): key is EventKey => key !== undefined);
    expect(before.map(keyOf).sort(byFrame)).toEqual(expectedBefore.sort(byFrame));
    const afterRecords = reference.filter((r) => r.frame >= boundary);
    expect(after.map(keyOf).sort(byFrame)).toEqual(
      afterRecords.map((r): EventKey => ({ frame: r.frame, kind: r.status === 'malformed' ? 'malformed' : 'blocked', ruleId: r.status === 'malformed' ? 'drop-all#malformed' : 'drop-all#default', shadow: [] })).sort(byFrame),
    );
    expect(counters.messages).toBe(reference.length);
    expect(counters.verdicts.drop).toBe(reference.filter((r) => r.frame < boundary && r.verdict!.action === 'drop').length + afterRecords.length);
    // Per-rule counters follow the active table (drop-all has no rules).
    expect(counters.ruleIds).toEqual([]);
    expect(counters.eventsLost).toBe(0);
  });

  it('per-rule counters follow their rule id through a swap while running', async () => {
    // The same policy compiled again: a new generation whose rules keep their ids, so the
    // per-rule totals over the whole replay must equal the reference, whatever burst it swapped at.
    const again = compilePolicy(policy).image;
    const engine = new LiveEngine({ config: offlineConfig({ pace: 'rate', rate: 500 }), table });
    await engine.start();
    for (let waited = 0; engine.counters().messages < 40 && waited < 10_000; waited += 10) await sleep(10);
    const before = engine.counters();
    expect(await engine.setTable(again)).toEqual({ generation: 2 });
    // Right after the swap nothing is lost: every rule at least where it was.
    const after = engine.counters();
    after.ruleHits.forEach((n, i) => expect(n).toBeGreaterThanOrEqual(before.ruleHits[i]!));
    expect(await settled(engine)).toBe('finished');
    drainAll(engine);
    const { counters } = await engine.stop();
    expect(counters.ruleIds).toEqual(policy.rules.map((rule) => rule.id));
    expect(counters.ruleHits).toEqual(policy.rules.map((rule) => reference.filter((r) => r.verdict!.rule === rule.id).length));
    expect(counters.ruleShadowHits).toEqual(policy.rules.map((rule) => reference.filter((r) => r.verdict!.shadowHits.includes(rule.id)).length));
  });

  it('refuses a corrupt table during a run and keeps the old one', async () => {
    const engine = new LiveEngine({ config: offlineConfig({ loop: true, pace: 'rate', rate: 2000 }), table });
    await engine.start();
    try {
      const corrupt = table.slice();
      corrupt[Math.floor(corrupt.length / 2)]! ^= 1;
      await expect(engine.setTable(corrupt)).rejects.toMatchObject({ code: 'SIGWALL_ERR_TABLE', message: expect.stringMatching(/CRC32c/) });
      await expect(engine.setTable(new Uint8Array(10))).rejects.toBeInstanceOf(SigwallError);
      expect(engine.status().table?.generation).toBe(1);
      expect(engine.status().state).toBe('running');
      // A valid table after the refused ones is generation 2.
      expect(await engine.setTable(table)).toEqual({ generation: 2 });
    } finally {
      await engine.stop();
    }
  });

  it('stops a looping replay cleanly; counters and events stay readable', async () => {
    const engine = new LiveEngine({ config: offlineConfig({ loop: true, pace: 'fast' }), table });
    let changes = 0;
    engine.onStateChange(() => changes++);
    await engine.start();
    for (let waited = 0; engine.counters().packets < 2 * 475 && waited < 10_000; waited += 10) await sleep(10);
    expect(engine.status().state).toBe('running');
    const summary = await engine.stop();
    expect(summary.status.state).toBe('stopped');
    expect(summary.counters.packets).toBeGreaterThanOrEqual(2 * 475);
    expect(summary.status.uptimeSeconds).toBeGreaterThan(0);
    // Stopped by the caller: not a state change of its own.
    expect(changes).toBe(0);
    const later = engine.counters();
    expect(later.packets).toBe(summary.counters.packets);
    expect(drainAll(engine).every((event) => EngineEvent.safeParse(event).success)).toBe(true);
    // stop() again is harmless.
    expect((await engine.stop()).status.state).toBe('stopped');
  });

  it('starts again after a stop: a table set meanwhile is the next generation, counters and event ids carry on', async () => {
    const engine = new LiveEngine({ config: offlineConfig({ pace: 'rate', rate: 5000 }), table });
    await engine.start();
    await expect(engine.start()).rejects.toMatchObject({ code: 'SIGWALL_ERR_CONFLICT' });
    expect(await settled(engine)).toBe('finished');
    const first = engine.counters();
    // Not running: the table waits for the next start (the native loader checked it already).
    const corrupt = dropAll.slice();
    corrupt[corrupt.length >> 1]! ^= 1;
    await expect(engine.setTable(corrupt)).rejects.toMatchObject({ code: 'SIGWALL_ERR_TABLE' });
    expect(await engine.setTable(dropAll)).toEqual({ generation: 2 });
    expect(engine.status()).toMatchObject({ state: 'finished', table: { generation: 2, policyName: 'drop-all' } });
    // The first run's counters are kept while the engine waits.
    expect(engine.counters()).toMatchObject({ packets: 475, messages: reference.length, ruleIds: [] });
    await engine.start();
    expect(await settled(engine)).toBe('finished');
    const events = drainAll(engine);
    const { counters } = await engine.stop();
    expect(counters.packets).toBe(2 * 475);
    expect(counters.messages).toBe(2 * reference.length);
    expect(counters.verdicts.drop).toBe(first.verdicts.drop + reference.length);
    // The events of both runs, the first run's before the second's, ids never reused.
    expect(events.filter((event) => event.tableGeneration === 1).length).toBe(reference.map(expectedEvent).filter((key) => key !== undefined).length);
    expect(events.filter((event) => event.tableGeneration === 2).length).toBe(reference.length);
    expect(events.findIndex((event) => event.tableGeneration === 2)).toBe(events.filter((event) => event.tableGeneration === 1).length);
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
  });

  it('reports a capture that is not pcap as SIGWALL_ERR_CAPTURE from start, and a failed state', async () => {
    const engine = new LiveEngine({ config: offlineConfig(), table, capture: new Uint8Array(64).fill(0x41) });
    await expect(engine.start()).rejects.toMatchObject({ code: 'SIGWALL_ERR_CAPTURE' });
    expect(engine.status().state).toBe('failed');
    expect(engine.status().error).toBeDefined();
  });

  it('sets the starting table before start, refusing a broken one', async () => {
    const engine = new LiveEngine({ config: offlineConfig(), table });
    await expect(engine.setTable(new Uint8Array(8))).rejects.toMatchObject({ code: 'SIGWALL_ERR_TABLE' });
    expect(await engine.setTable(dropAll)).toEqual({ generation: 1 });
    await engine.start();
    await settled(engine);
    const { counters, status } = await engine.stop();
    expect(status.table?.policyName).toBe('drop-all');
    expect(counters.verdicts.drop).toBe(reference.length);
  });
});

describe('event field formatting', () => {
  it('writes IPv6 addresses as RFC 5952 says', () => {
    const v6 = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
    expect(ipv6Text(v6('20010db8000000000000000000000001'))).toBe('2001:db8::1');
    expect(ipv6Text(v6('20010db8000000010000000000000001'))).toBe('2001:db8:0:1::1'); // the longer zero run
    expect(ipv6Text(v6('20010db8000000000001000000000001'))).toBe('2001:db8::1:0:0:1'); // the first of two equal runs
    expect(ipv6Text(v6('20010db8000100010001000100010001'))).toBe('2001:db8:1:1:1:1:1:1');
    expect(ipv6Text(v6('20010db800000001000100010001000a'))).toBe('2001:db8:0:1:1:1:1:a'); // one zero group stays
    expect(ipv6Text(v6('00000000000000000000000000000000'))).toBe('::');
    expect(ipv6Text(v6('00000000000000000000ffffc0000201'))).toBe('::ffff:192.0.2.1');
  });

  it('keeps every nanosecond in the ISO time', () => {
    expect(isoFromNanoseconds(1_700_000_000_123_456_789n)).toBe('2023-11-14T22:13:20.123456789Z');
    expect(isoFromNanoseconds(5n)).toBe('1970-01-01T00:00:00.000000005Z');
  });
});
