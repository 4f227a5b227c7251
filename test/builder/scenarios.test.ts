// The scenario library and the whole captures: the demo capture is deterministic, labels every
// SS7 message, covers every scenario, and tshark decodes what each label says at the frame it
// names; the load capture streams at least 100k messages that tshark decodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ATTACK_SCENARIOS,
  BENIGN_SCENARIOS,
  buildDemo,
  buildDemoCapture,
  buildDemoPcapng,
  buildLoadCapture,
  EVASIONS,
  type Label,
  MAP_OPERATIONS,
  parseLoadCaptureOptions,
  SCENARIOS,
  writeLoadCapture,
} from '../../src/builder/index.js';
import { fields, type FrameFields, HAVE_TSHARK, matching, nums, problems, TempDir } from './tshark.js';

const tmp = new TempDir();
afterAll(() => tmp.remove());

const demo = buildDemoCapture();

describe('the demo capture', () => {
  it('is deterministic for a seed and changes with it', () => {
    const again = buildDemoCapture();
    expect(Buffer.from(again.pcap).equals(Buffer.from(demo.pcap))).toBe(true);
    expect(again.labels).toEqual(demo.labels);
    expect(Buffer.from(buildDemoCapture({ seed: 7 }).pcap).equals(Buffer.from(demo.pcap))).toBe(false);
  });

  it('holds a few hundred labelled messages covering every scenario', () => {
    expect(demo.labels.length).toBeGreaterThanOrEqual(200);
    const names = new Set(demo.labels.map((l) => l.scenario));
    for (const s of SCENARIOS) expect(names.has(s.name), s.name).toBe(true);
    for (const s of ATTACK_SCENARIOS) expect(demo.labels.some((l) => l.scenario === s.name && l.kind === 'attack'), s.name).toBe(true);
    for (const e of EVASIONS) expect(demo.labels.some((l) => l.evasion === e), e).toBe(true);
    expect(demo.labels.filter((l) => l.kind === 'benign').length).toBeGreaterThan(demo.labels.filter((l) => l.kind === 'attack').length);
  });

  it('labels each screened invoke with its FS.11 category', () => {
    for (const l of demo.labels) {
      if (l.application !== 'map' || l.operation === undefined) continue;
      const info = MAP_OPERATIONS[l.operation as keyof typeof MAP_OPERATIONS] as { fs11Category?: number } | undefined;
      const invokes = l.fs11Category !== undefined;
      if (invokes) expect(l.fs11Category, `${l.scenario} frame ${l.frame}`).toBe(info?.fs11Category);
    }
    const attacksWithCategory = demo.labels.filter((l) => l.kind === 'attack' && l.fs11Category !== undefined);
    expect(new Set(attacksWithCategory.map((l) => l.fs11Category))).toEqual(new Set([1, 2, 3]));
  });

  it('numbers frames in order and names every frame of a split message', () => {
    const byScenario = (name: string): Label => demo.labels.find((l) => l.scenario === name)!;
    expect(byScenario('evasion-xudt-segmented').frames).toHaveLength(3);
    expect(byScenario('evasion-sctp-fragmented').frames).toHaveLength(3);
    expect(byScenario('evasion-idata-fragmented').frames).toHaveLength(2);
    const bundled = demo.labels.filter((l) => l.scenario === 'evasion-bundled');
    expect(bundled.map((l) => [l.kind, l.chunk])).toEqual([
      ['benign', 0],
      ['attack', 1],
    ]);
    expect(bundled[0]!.frame).toBe(bundled[1]!.frame);
    for (const l of demo.labels) expect(l.frames[l.frames.length - 1]).toBe(l.frame);
  });

  it('validates user options with zod', () => {
    expect(() => buildDemo({ format: 'pcapng', comments: true, bogus: 1 })).toThrow();
    expect(buildDemo({ format: 'pcapng', benignFlows: 5 }).format).toBe('pcapng');
    expect(() => parseLoadCaptureOptions({ messages: 0 })).toThrow();
    expect(parseLoadCaptureOptions({ messages: 10 })).toEqual({ messages: 10, seed: 1 });
  });
});

/** TCAP messages tshark sees: one transaction id per Begin/End/Abort, two per Continue. */
function tcapMessageCount(file: string): number {
  const rows = fields(file, ['tcap.otid', 'tcap.dtid']);
  let ids = 0;
  for (const r of rows) ids += r['tcap.otid']!.length + r['tcap.dtid']!.length;
  return ids - matching(file, 'tcap.continue_element').length;
}

describe.skipIf(!HAVE_TSHARK)('the demo capture, decoded by tshark', () => {
  let file = '';
  let rows: FrameFields[] = [];
  beforeAll(() => {
    file = tmp.write(demo.pcap);
    rows = fields(file, ['gsm_old.localValue', 'gsm_old.globalValue', 'camel.local', 'e212.imsi', 'e164.msisdn', 'sctp.checksum.status', 'ip.checksum.status', 'ipv6.src']);
  }, 120_000);
  const row = (frame: number) => rows[frame - 1]!;

  it('decodes, at each label\'s frame, the operation the label names', () => {
    for (const l of demo.labels) {
      if (l.opcode === undefined) continue;
      const r = row(l.frame);
      if (l.evasion === 'global-opcode') {
        expect(r['gsm_old.globalValue'], `frame ${l.frame}`).toEqual(['0.4.0.0.1.0.71']);
        continue;
      }
      const opcodes = nums(r, l.application === 'cap' ? 'camel.local' : 'gsm_old.localValue');
      expect(opcodes, `${l.scenario} frame ${l.frame}`).toContain(l.opcode);
    }
  });

  it('carries the targeted subscriber in the attacks', () => {
    for (const l of demo.labels) {
      if (l.kind !== 'attack' || l.fs11Category === undefined || l.evasion === 'global-opcode') continue;
      if (l.imsi === undefined && l.msisdn === undefined) continue;
      const r = row(l.frame);
      const seen = [...r['e212.imsi']!, ...r['e164.msisdn']!];
      expect(seen.includes(l.imsi ?? '') || seen.includes(l.msisdn ?? ''), `${l.scenario} frame ${l.frame}`).toBe(true);
    }
  });

  it('has one TCAP message per label', () => {
    expect(tcapMessageCount(file)).toBe(demo.labels.length);
  });

  it('has good checksums everywhere and no malformed frame except the global opcode', () => {
    expect(rows.every((r) => r['sctp.checksum.status']![0] === '1')).toBe(true);
    expect(rows.every((r) => r['ip.checksum.status']![0] === '1' || r['ipv6.src']!.length === 1)).toBe(true);
    const globalOpcode = demo.labels.find((l) => l.evasion === 'global-opcode')!.frame;
    expect(problems(file).map((p) => p.frame)).toEqual([globalOpcode]);
  });

  it('exports as pcapng with the labels as packet comments', () => {
    const { pcapng, labels } = buildDemoPcapng({ comments: true });
    const ng = tmp.write(pcapng, 'pcapng');
    const commented = fields(ng, ['frame.comment']).filter((r) => r['frame.comment']!.length > 0);
    expect(commented.map((r) => Number(r['frame.number']![0]))).toEqual([...new Set(labels.map((l) => l.frame))]);
    const ati = labels.find((l) => l.scenario === 'tracking-any-time-interrogation')!;
    const text = commented.find((r) => Number(r['frame.number']![0]) === ati.frame)!['frame.comment']![0];
    expect(text).toContain('attack tracking-any-time-interrogation anyTimeInterrogation cat1');
  });
});

describe.skipIf(!HAVE_TSHARK)('the load capture', () => {
  it(
    'streams at least 100k SS7 messages in bounded chunks that tshark decodes',
    () => {
      let largest = 0;
      let chunks = 0;
      for (const c of buildLoadCapture(3000, 3)) {
        largest = Math.max(largest, c.length);
        chunks++;
      }
      expect(chunks).toBeGreaterThan(0);
      expect(largest).toBeLessThanOrEqual((1 << 20) + 2 * 65536);

      const file = `${tmp.path}/load.pcap`;
      const bytes = writeLoadCapture(file, 100_000, 11);
      expect(bytes).toBeGreaterThan(1 << 20);
      expect(tcapMessageCount(file)).toBeGreaterThanOrEqual(100_000);
    },
    300_000,
  );
});

describe('the scenario catalogue', () => {
  it('has unique names and both kinds', () => {
    expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
    expect(BENIGN_SCENARIOS.every((s) => s.kind === 'benign')).toBe(true);
    expect(ATTACK_SCENARIOS.every((s) => s.kind === 'attack')).toBe(true);
  });
});
