// The offline engine (createEngine on a mode offline configuration: the native LiveEngine on
// the pcap backend) on the demo capture with the FS.11 baseline: its counters equal what
// `sigwall replay --policy` reports for the same capture, every blocked message becomes exactly
// one event, table swaps and pacing behave as on a live link, a forensic replay (pace fast, no
// loop) keeps the capture's time and waits for a slow drainer instead of losing events.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import baseline from '../../firmware-config/policies/fs11-baseline.js';
import { EngineCounters, EngineEvent, type Engine, type EngineStatus } from '../../src/engine/contract.js';
import { createEngine } from '../../src/engine/factory.js';
import { parseApplianceConfig, type ApplianceConfigInput } from '../../src/config/appliance.js';
import { EventPipeline } from '../../src/events/pipeline.js';
import { MessageRecord } from '../../src/decode/record.js';
import { SigwallError } from '../../src/errors.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { withRuleIds } from '../../src/policy/evaluate.js';
import { Policy } from '../../src/policy/schema.js';

const root = new URL('../..', import.meta.url).pathname;
const demo = join(root, 'firmware-config', 'demo', 'demo.pcap');
const baselineTable = compilePolicy(withRuleIds(Policy.parse(baseline))).image;
const dropAllTable = compilePolicy(
  withRuleIds(Policy.parse({ name: 'drop-all', networks: { home: {} }, rules: [], defaults: { action: 'drop', malformed: 'drop' } })),
).image;

type ReplayInput = NonNullable<ApplianceConfigInput['replay']>;

// An offline appliance configuration over the demo capture (pace fast, no loop unless told).
function offline(replay: Partial<ReplayInput> = {}, rings: { batch?: number; events?: number } = {}) {
  return parseApplianceConfig(
    { mode: 'offline', backend: 'pcap', replay: { capture: demo, pace: 'fast', loop: false, ...replay }, rings: { batch: 16, events: 4096, ...rings }, policy: 'unused.ts', dataDir: '/tmp/unused' },
    join(root, 'offline.yaml'),
  );
}

function engineFor(replay: Partial<ReplayInput> = {}, rings: { batch?: number; events?: number } = {}, table = baselineTable): Engine {
  return createEngine(offline(replay, rings), table);
}

function drainAll(engine: Engine): EngineEvent[] {
  const events: EngineEvent[] = [];
  for (;;) {
    const batch = engine.drainEvents(1000);
    events.push(...batch);
    if (batch.length === 0) return events;
  }
}

// Resolves with the status the engine reports when it leaves `running` by itself.
function finished(engine: Engine): Promise<EngineStatus> {
  return new Promise((resolve) => {
    const off = engine.onStateChange((status) => {
      off();
      resolve(status);
    });
  });
}

// What `sigwall replay --policy` says about the demo: the records it prints, one per message.
function cliRecords(): MessageRecord[] {
  const run = spawnSync(process.execPath, [join(root, 'bin', 'sigwall.js'), 'replay', demo, '--json', '--policy', join(root, 'firmware-config', 'policies', 'fs11-baseline.ts')], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout.trim().split('\n').map((line) => MessageRecord.parse(JSON.parse(line)));
}

function tally<T>(items: Iterable<T>, key: (item: T) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

describe('the offline engine (LiveEngine, pcap backend)', () => {
  it('through the events pipeline: every blocked message once in the JSON lines and once in a live subscription', async () => {
    const records = cliRecords();
    const dataDir = mkdtempSync(join(tmpdir(), 'sigwall-replay-events-'));
    try {
      const config = parseApplianceConfig(
        { mode: 'offline', backend: 'pcap', replay: { capture: demo, pace: 'rate', rate: 3000 }, policy: 'unused.ts', dataDir, events: { subscriberIds: 'mask' } },
        join(dataDir, 'appliance.yaml'),
      );
      const engine = createEngine(config, baselineTable);
      const pipeline = new EventPipeline(config, engine);
      const streamed: EngineEvent[] = [];
      // Like the SSE route: a subscriber that sometimes says its socket is full and resumes later.
      let calls = 0;
      const subscription = pipeline.hub.subscribe({ kind: 'blocked' }, (event) => {
        streamed.push(event);
        if (++calls % 7 === 0) {
          setImmediate(() => subscription.resume());
          return false;
        }
        return true;
      });
      const done = finished(engine);
      pipeline.start();
      await engine.start();
      await done;
      await pipeline.stop();
      for (let i = 0; i < 100 && subscription.queued > 0; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(subscription.lost).toBe(0);

      const dropped = records.filter((r) => r.verdict!.action === 'drop').map((r) => `${r.frame} ${r.verdict!.rule}`);
      expect(streamed.map((e) => `${e.frame} ${e.ruleId}`)).toEqual(dropped);
      const files = readdirSync(join(dataDir, 'events'));
      // A paced replay plays as live traffic: today's file (two if the run crosses midnight UTC).
      const jsonl = files.filter((name) => name.endsWith('.jsonl')).sort();
      expect(jsonl.length).toBeGreaterThanOrEqual(1);
      const lines = jsonl.flatMap((name) => readFileSync(join(dataDir, 'events', name), 'utf8').trim().split('\n').map((line) => EngineEvent.parse(JSON.parse(line))));
      const blockedLines = lines.filter((e) => e.kind === 'blocked');
      expect(blockedLines.map((e) => `${e.frame} ${e.ruleId}`)).toEqual(dropped);
      expect(new Set(lines.map((e) => e.id)).size).toBe(lines.length);
      expect(blockedLines.map((e) => e.id)).toEqual(streamed.map((e) => e.id));
      // Masked on export: no clear IMSI in the file, none in the stream.
      expect(lines.some((e) => e.imsi !== undefined)).toBe(true);
      for (const e of [...lines, ...streamed]) if (e.imsi !== undefined) expect(e.imsi).toMatch(/^\d{5}\*+\d{2}$/);
      expect(files.filter((name) => name.endsWith('.pcapng')).length).toBeGreaterThanOrEqual(1);
      expect(pipeline.stats()).toMatchObject({ pcapngPackets: dropped.length, sinkErrors: 0 });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('counts exactly what `sigwall replay --policy` reports, and emits one event per blocked message', async () => {
    const records = cliRecords();
    const engine = engineFor();
    const done = finished(engine);
    await engine.start();
    const status = await done;
    expect(status.state).toBe('finished');
    const counters = EngineCounters.parse(engine.counters());

    expect(counters.packets).toBe(475);
    expect(counters.messages).toBe(records.length);
    expect(counters.verdicts).toEqual({
      allow: records.filter((r) => r.verdict!.action === 'allow').length,
      drop: records.filter((r) => r.verdict!.action === 'drop').length,
      alert: records.filter((r) => r.verdict!.action === 'alert').length,
    });
    expect(counters.verdicts.drop).toBeGreaterThan(40);
    expect(counters.malformed).toBe(records.filter((r) => r.status === 'malformed').length);
    expect(counters.shadowHits).toBe(records.filter((r) => r.verdict!.shadowHits.length > 0).length);
    const byCategory = tally(records, (r) => (r.verdict!.category === undefined ? undefined : String(r.verdict!.category)));
    expect(counters.categories).toEqual({ custom: byCategory.custom ?? 0, cat1: byCategory['1'] ?? 0, cat2: byCategory['2'] ?? 0, cat3: byCategory['3'] ?? 0 });
    const ruleHits = Object.fromEntries(counters.ruleIds.map((id, i) => [id, counters.ruleHits[i]!]).filter(([, n]) => n !== 0));
    expect(ruleHits).toEqual(tally(records, (r) => (r.verdict!.rule.endsWith('#default') || r.verdict!.rule.endsWith('#malformed') ? undefined : r.verdict!.rule)));
    const shadow = Object.fromEntries(counters.ruleIds.map((id, i) => [id, counters.ruleShadowHits[i]!]).filter(([, n]) => n !== 0));
    expect(shadow).toEqual(tally(records.flatMap((r) => r.verdict!.shadowHits), (id) => id));
    expect(counters.anomalies).toEqual(tally(records.flatMap((r) => r.anomalies), (a) => a));
    expect(counters.eventsLost).toBe(0);

    const events = drainAll(engine).map((event) => EngineEvent.parse(event));
    expect(engine.drainEvents()).toEqual([]);
    const blocked = events.filter((e) => e.kind === 'blocked');
    // Every dropped message, once, in capture order, with its rule and its frame's bytes.
    expect(blocked.map((e) => `${e.frame} ${e.ruleId}`)).toEqual(records.filter((r) => r.verdict!.action === 'drop').map((r) => `${r.frame} ${r.verdict!.rule}`));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const event of blocked) {
      expect(event.packet?.linkType).toBe(1);
      expect(Buffer.from(event.packet!.base64, 'base64').length).toBe(event.packet!.originalLength);
      expect(event.tableGeneration).toBe(1);
      // Forensic replay (fast, no loop): the capture's own time.
      expect(event.time.startsWith('2026-01-15T09:00:0')).toBe(true);
    }
    expect(events.filter((e) => e.kind === 'shadow').length).toBe(records.filter((r) => r.verdict!.action === 'allow' && r.verdict!.shadowHits.length > 0).length);
    const ati = blocked.find((e) => e.operations.some((op) => op.name === 'anyTimeInterrogation'));
    expect(ati?.category).toBe('1');
    expect(ati?.imsi ?? ati?.msisdn).toBeDefined();
    // Stopping a replay that reached its end keeps how it ended: finished.
    expect((await engine.stop()).status.state).toBe('finished');
  });

  it('takes a table before start: a refused image leaves the starting table, a valid one replaces it', async () => {
    const engine = engineFor();
    const flipped = dropAllTable.slice();
    flipped[flipped.length >> 1]! ^= 1;
    await expect(engine.setTable(flipped)).rejects.toMatchObject({ code: 'SIGWALL_ERR_TABLE' });
    expect(engine.status().table?.generation).toBe(1);
    // Before the first start the new table is the one the workers start with: generation 1.
    expect(await engine.setTable(dropAllTable)).toEqual({ generation: 1 });
    expect(engine.status().table).toMatchObject({ generation: 1, policyName: 'drop-all', rules: 0 });
    const done = finished(engine);
    await engine.start();
    await done;
    const counters = engine.counters();
    expect(counters.verdicts.drop).toBe(counters.messages);
    expect(drainAll(engine).every((e) => e.tableGeneration === 1 && (e.ruleId === 'drop-all#default' || e.ruleId === 'drop-all#malformed'))).toBe(true);
  });

  it('a swap while running takes effect at a burst boundary; counters follow the active table', async () => {
    const engine = engineFor({ pace: 'rate', rate: 2000 });
    const done = finished(engine);
    await engine.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await expect(engine.setTable(new Uint8Array(10))).rejects.toBeInstanceOf(SigwallError);
    await engine.setTable(dropAllTable);
    await done;
    const events = drainAll(engine);
    const generations = events.map((e) => e.tableGeneration);
    // Generation 1 first, then 2 only: no event of the old table after the new one started.
    expect(generations.indexOf(2)).toBeGreaterThan(0);
    expect(generations.slice(generations.indexOf(2)).every((g) => g === 2)).toBe(true);
    const counters = engine.counters();
    expect(counters.ruleIds).toEqual([]);
    expect(counters.messages).toBe(251);
  });

  it('paces by rate without blocking the event loop, loops, and stops cleanly', async () => {
    const engine = engineFor({ pace: 'rate', rate: 1000, loop: true });
    await engine.start();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await new Promise((resolve) => setTimeout(resolve, 700));
    clearInterval(timer);
    const midway = engine.counters().packets;
    // 1000 frames/s for ~0.7 s: into the second pass, far from a fast replay's count.
    expect(midway).toBeGreaterThan(475);
    expect(midway).toBeLessThan(1400);
    expect(ticks).toBeGreaterThan(50);
    const summary = await engine.stop();
    expect(summary.status.state).toBe('stopped');
    const after = engine.counters().packets;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(engine.counters().packets).toBe(after);
    // Looping replays play as live traffic: event times are now, not the capture's 2026-01-15.
    const events = drainAll(engine);
    expect(events.length).toBeGreaterThan(0);
    expect(Math.abs(Date.parse(events.at(-1)!.time) - Date.now())).toBeLessThan(5000);
  });

  it('starts again after a stop (from the capture start, counters kept); refuses a start while running', async () => {
    // 500 frames/s: the 475 frames take about a second; stopped as soon as some are through.
    const engine = engineFor({ pace: 'rate', rate: 500 });
    await engine.start();
    await expect(engine.start()).rejects.toMatchObject({ code: 'SIGWALL_ERR_CONFLICT' });
    for (let waited = 0; engine.counters().packets === 0 && waited < 10_000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    const first = (await engine.stop()).counters.packets;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(475);
    const done = finished(engine);
    await engine.start();
    expect(engine.status().state).toBe('running');
    await done;
    expect(engine.counters().packets).toBe(first + 475);
    const events = drainAll(engine);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    await engine.stop();
  });

  it('paces by the capture timing', async () => {
    const engine = engineFor({ pace: 'capture' });
    await engine.start();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // The demo spans 2.84 s: after 1 s, part of it, not all of it.
    const packets = engine.counters().packets;
    expect(packets).toBeGreaterThan(20);
    expect(packets).toBeLessThan(475);
    expect(engine.status().state).toBe('running');
    await engine.stop();
  });

  it('a fast replay waits for a slow drainer and loses no event', async () => {
    const engine = engineFor({}, { events: 16 });
    const done = finished(engine);
    const drained: EngineEvent[] = [];
    const drainer = setInterval(() => drained.push(...engine.drainEvents(5)), 2);
    await engine.start();
    await done;
    clearInterval(drainer);
    drained.push(...drainAll(engine));
    const counters = engine.counters();
    expect(counters.eventsLost).toBe(0);
    expect(drained.filter((e) => e.kind === 'blocked')).toHaveLength(counters.verdicts.drop);
    expect(counters.messages).toBe(251);
    await engine.stop();
  });

  it('a fast replay through the events pipeline with a small ring: every event reaches the hub, none lost', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sigwall-fast-events-'));
    try {
      const config = parseApplianceConfig(
        { mode: 'offline', backend: 'pcap', replay: { capture: demo, pace: 'fast' }, rings: { events: 16 }, policy: 'unused.ts', dataDir, events: { file: false, pcapng: false } },
        join(dataDir, 'appliance.yaml'),
      );
      const engine = createEngine(config, baselineTable);
      const pipeline = new EventPipeline(config, engine);
      const blocked: EngineEvent[] = [];
      pipeline.hub.subscribe({ kind: 'blocked' }, (event) => {
        blocked.push(event);
        return true;
      });
      const done = finished(engine);
      pipeline.start();
      await engine.start();
      expect((await done).state).toBe('finished');
      await pipeline.stop();
      const counters = engine.counters();
      expect(counters.eventsLost).toBe(0);
      expect(blocked).toHaveLength(counters.verdicts.drop);
      expect(blocked.map((e) => e.frame)).toEqual(cliRecords().filter((r) => r.verdict!.action === 'drop').map((r) => r.frame));
      await engine.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a paced replay is a live link: events the ring cannot hold when nobody drains are counted as lost', async () => {
    const engine = engineFor({ pace: 'rate', rate: 100_000 }, { events: 16 });
    const done = finished(engine);
    await engine.start();
    await done;
    const counters = engine.counters();
    expect(drainAll(engine)).toHaveLength(16);
    expect(counters.eventsLost).toBeGreaterThan(40);
    expect(counters.messages).toBe(251);
    await engine.stop();
  });

  it('refuses a capture cut short at start, naming the fault (the whole capture is checked before any frame is replayed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigwall-cut-'));
    try {
      const cut = join(dir, 'cut.pcap');
      const bytes = readFileSync(demo);
      writeFileSync(cut, bytes.subarray(0, bytes.byteLength - 10));
      const engine = engineFor({ capture: cut });
      await expect(engine.start()).rejects.toMatchObject({ code: 'SIGWALL_ERR_CAPTURE', message: expect.stringMatching(/offset \d+/) });
      expect(engine.status().state).toBe('failed');
      expect(engine.counters().packets).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails to start on a missing or unreadable capture with a stable code', async () => {
    const missing = engineFor({ capture: join(root, 'no-such.pcap') });
    await expect(missing.start()).rejects.toMatchObject({ code: 'SIGWALL_ERR_FILE' });
    expect(missing.status().state).toBe('failed');
    const notCapture = engineFor({ capture: join(root, 'package.json') });
    await expect(notCapture.start()).rejects.toMatchObject({ code: 'SIGWALL_ERR_CAPTURE' });
    expect(() => createEngine(offline(), new Uint8Array(64))).toThrow(SigwallError);
  });
});
