// The pcapng export of blocked messages, read back by tshark: every blocked message of a demo
// replay is one packet, decoded as the same SS7 message, with the verdict, rule, category and
// event id in its comment (frame.comment). tshark is required here, not optional.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import baseline from '../../firmware-config/policies/fs11-baseline.js';
import type { EngineEvent } from '../../src/engine/contract.js';
import { parseApplianceConfig } from '../../src/config/appliance.js';
import { createEngine } from '../../src/engine/factory.js';
import { packetComment, PcapngSink } from '../../src/events/pcapng.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { withRuleIds } from '../../src/policy/evaluate.js';
import { Policy } from '../../src/policy/schema.js';
import { sampleEvent } from './support.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sigwall-pcapng-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A forensic replay of the demo through the engine (pace fast: capture time, nothing lost).
async function demoEvents(): Promise<EngineEvent[]> {
  const table = compilePolicy(withRuleIds(Policy.parse(baseline))).image;
  const config = parseApplianceConfig(
    { mode: 'offline', backend: 'pcap', replay: { capture: join(root, 'firmware-config', 'demo', 'demo.pcap'), pace: 'fast' }, policy: 'unused.ts', dataDir: dir },
    join(dir, 'appliance.yaml'),
  );
  const engine = createEngine(config, table);
  const done = new Promise((resolve) => engine.onStateChange(resolve));
  await engine.start();
  await done;
  const events: EngineEvent[] = [];
  for (let batch = engine.drainEvents(1000); batch.length > 0; batch = engine.drainEvents(1000)) events.push(...batch);
  await engine.stop();
  return events;
}

function tshark(file: string, ...fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  return out.trimEnd().split('\n').map((line) => line.split('|'));
}

describe('pcapng export of blocked messages', () => {
  it('tshark reads every blocked message with its comment, frame and time', async () => {
    const events = await demoEvents();
    const blocked = events.filter((e) => e.kind === 'blocked');
    expect(blocked.length).toBeGreaterThan(40);
    const sink = new PcapngSink({ dir, maxFileBytes: 64 << 20, maxTotalBytes: 1 << 30 });
    sink.write(events.slice(0, 30));
    sink.write(events.slice(30));
    await sink.flush();
    const files = readdirSync(dir);
    expect(files).toEqual(['blocked-2026-01-15.pcapng']);
    const rows = tshark(join(dir, files[0]!), 'frame.comment', 'frame.time_epoch', 'frame.len', 'gsm_old.localValue');
    expect(rows).toHaveLength(blocked.length);
    for (const [i, event] of blocked.entries()) {
      const [comment, epoch, length, opcodes] = rows[i]!;
      expect(comment).toBe(packetComment(event));
      expect(comment).toContain(`verdict=drop rule=${event.ruleId} category=${event.category ?? '-'} event=${event.id}`);
      // Nanosecond timestamps survive (tshark prints 9 decimals).
      expect(epoch!.replace('.', '')).toBe(event.timestampNs);
      expect(Number(length)).toBe(event.packet!.originalLength);
      const named = event.operations.map((op) => op.opcode).filter((op) => op !== undefined);
      // A message completed by its last fragment shows in tshark only with the earlier frames.
      const whole = !event.anomalies.some((a) => a === 'sctp.reassembled' || a.startsWith('sccp.segment'));
      if (whole && named.length > 0 && event.application === 'map') expect(opcodes!.split(',').map(Number)).toEqual(expect.arrayContaining(named));
    }
    expect(rows.some(([comment]) => /rule=fs11-baseline#cat1-map category=1 .*operation=anyTimeInterrogation/.test(comment!))).toBe(true);
  });

  it('starts a new file per run and per link type, and rotates by size', async () => {
    const sub = join(dir, 'rotate');
    const frame = Buffer.alloc(200, 1).toString('base64');
    const make = (n: number, linkType = 1) => sampleEvent(n, { packet: { linkType, originalLength: 200, base64: frame } });
    const sink = new PcapngSink({ dir: sub, maxFileBytes: 4096, maxTotalBytes: 1 << 30 });
    sink.write(Array.from({ length: 30 }, (_, i) => make(i + 1)));
    sink.write([make(31, 113)]); // Linux cooked capture: needs its own interface
    await sink.flush();
    const again = new PcapngSink({ dir: sub, maxFileBytes: 4096, maxTotalBytes: 1 << 30 });
    again.write([make(32)]);
    await again.flush();
    const files = readdirSync(sub).sort((a, b) => a.length - b.length || a.localeCompare(b));
    expect(files.length).toBeGreaterThanOrEqual(4);
    let packets = 0;
    const comments: string[] = [];
    for (const file of files) {
      const rows = tshark(join(sub, file), 'frame.comment', 'frame.interface_id');
      packets += rows.length;
      comments.push(...rows.map(([comment]) => comment!));
    }
    expect(packets).toBe(32);
    expect(comments.map((c) => /event=(\S+)/.exec(c)![1]).sort()).toEqual(Array.from({ length: 32 }, (_, i) => `0-${i + 1}`).sort());
  });
});
