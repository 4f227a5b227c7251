// The Prometheus exposition, parsed back by a strict reader of the text format 0.0.4: every
// family has HELP and TYPE before its samples, names and label syntax are valid, label values
// round-trip through escaping, and the numbers are the engine's counters.
import { describe, expect, it } from 'vitest';
import { EngineCounters, emptyKernelPortCounters, type EngineStatus, type KernelPortCounters } from '../../src/engine/contract.js';
import { escapeLabelValue, renderMetrics } from '../../src/metrics/prometheus.js';

interface Family {
  help: string;
  type: string;
  samples: { labels: Record<string, string>; value: number }[];
}

const kName = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const kLabel = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;

function parseExposition(text: string): Map<string, Family> {
  expect(text.endsWith('\n')).toBe(true);
  const families = new Map<string, Family>();
  let current: string | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    let match: RegExpExecArray | null;
    if ((match = new RegExp(`^# HELP (${kName}) (.*)$`).exec(line))) {
      expect(families.has(match[1]!), `family ${match[1]} declared twice`).toBe(false);
      current = match[1]!;
      families.set(current, { help: match[2]!, type: '', samples: [] });
    } else if ((match = new RegExp(`^# TYPE (${kName}) (counter|gauge)$`).exec(line))) {
      expect(match[1]).toBe(current);
      families.get(current!)!.type = match[2]!;
    } else {
      match = new RegExp(`^(${kName})(?:\\{((?:${kLabel})(?:,${kLabel})*)\\})? (\\S+)$`).exec(line);
      expect(match, `not a sample line: ${line}`).not.toBeNull();
      expect(match![1]).toBe(current);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match![2] ?? '').matchAll(new RegExp(kLabel, 'g'))) {
        labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
      families.get(current!)!.samples.push({ labels, value: Number(match![match!.length - 1]) });
    }
  }
  for (const [name, family] of families) {
    expect(family.type, name).not.toBe('');
    if (family.type === 'counter') expect(name.endsWith('_total'), name).toBe(true);
  }
  return families;
}

const status: EngineStatus = {
  state: 'running',
  mode: 'offline',
  backend: 'pcap',
  workers: 1,
  ports: [{ name: 'demo.pcap', role: 'capture' }],
  uptimeSeconds: 12.5,
  table: { generation: 3, sha256: 'ab'.repeat(32), policyName: 'fs11 "baseline"\\v2', rules: 2 },
};

const counters: EngineCounters = {
  packets: 475,
  bytes: 63_000,
  messages: 251,
  forwardedPackets: 0,
  droppedPackets: 0,
  verdicts: { allow: 197, drop: 54, alert: 0 },
  malformed: 0,
  shadowHits: 10,
  categories: { custom: 3, cat1: 27, cat2: 27, cat3: 0 },
  ruleIds: ['p#cat1-map', 'p#odd "rule"\nname'],
  ruleHits: [24, 5],
  ruleShadowHits: [0, 6],
  anomalies: { 'tcap.global_opcode': 1, 'sctp.reassembled': 2 },
  ringDrops: 0,
  reassemblyBoundHits: 0,
  eventsLost: 0,
  perWorker: [{ worker: 0, packets: 475, messages: 251, eventsLost: 0, ringDrops: 0 }],
};

describe('renderMetrics', () => {
  it('is valid exposition text with the counters, per rule and per category labels', () => {
    const families = parseExposition(
      renderMetrics({
        status,
        counters,
        applianceName: 'fw-1',
        rules: [
          { index: 0, id: 'p#cat1-map', action: 'drop', mode: 'enforce', category: '1' },
          { index: 1, id: 'p#odd "rule"\nname', action: 'drop', mode: 'shadow', category: '3' },
        ],
      }),
    );
    expect(families.get('sigwall_engine_info')!.samples[0]!.labels).toMatchObject({ mode: 'offline', backend: 'pcap', state: 'running', policy: 'fs11 "baseline"\\v2', appliance: 'fw-1' });
    expect(families.get('sigwall_engine_uptime_seconds')!.samples[0]!.value).toBe(12.5);
    expect(families.get('sigwall_engine_up')!.samples[0]!.value).toBe(1);
    expect(families.get('sigwall_table_generation')!.samples[0]!.value).toBe(3);
    expect(families.get('sigwall_packets_total')!.samples[0]!.value).toBe(475);
    expect(families.get('sigwall_verdicts_total')!.samples).toEqual([
      { labels: { action: 'allow' }, value: 197 },
      { labels: { action: 'drop' }, value: 54 },
      { labels: { action: 'alert' }, value: 0 },
    ]);
    expect(families.get('sigwall_category_decisions_total')!.samples.map((s) => [s.labels.category, s.value])).toEqual([['custom', 3], ['1', 27], ['2', 27], ['3', 0]]);
    expect(families.get('sigwall_rule_hits_total')!.samples).toEqual([
      { labels: { rule: 'p#cat1-map', category: '1', action: 'drop', mode: 'enforce' }, value: 24 },
      { labels: { rule: 'p#odd "rule"\nname', category: '3', action: 'drop', mode: 'shadow' }, value: 5 },
    ]);
    expect(families.get('sigwall_rule_shadow_hits_total')!.samples[1]!.value).toBe(6);
    expect(families.get('sigwall_anomalies_total')!.samples.map((s) => s.labels.anomaly).sort()).toEqual(['sctp.reassembled', 'tcap.global_opcode']);
    expect(families.get('sigwall_worker_packets_total')!.samples).toEqual([{ labels: { worker: '0' }, value: 475 }]);
  });

  it('renders the XDP program counters (afxdp) per port and kind, packets and bytes, and only for afxdp', () => {
    const port = (values: Partial<Record<keyof KernelPortCounters, [number, number]>>): KernelPortCounters => {
      const out = emptyKernelPortCounters();
      for (const [kind, [packets, bytes]] of Object.entries(values)) out[kind as keyof KernelPortCounters] = { packets, bytes };
      return out;
    };
    const mA = port({ steeredToEngine: [100, 12_000], nonSctpBridged: [7, 600], failClosedDropped: [3, 360], unparsedAsSctp: [1, 90] });
    const mB = port({ steeredToEngine: [40, 5000], nonSctpBridged: [5, 420] });
    const total = port({ steeredToEngine: [140, 17_000], nonSctpBridged: [12, 1020], failClosedDropped: [3, 360], unparsedAsSctp: [1, 90] });
    const kernel = { ...total, perPort: [{ port: 'mA', ...mA }, { port: 'm"B', ...mB }] };
    expect(EngineCounters.parse({ ...counters, kernel }).kernel).toEqual(kernel); // the schema accepts what the engine fills
    const families = parseExposition(renderMetrics({ status: { ...status, mode: 'inline', backend: 'afxdp' }, counters: { ...counters, kernel } }));
    const packets = families.get('sigwall_kernel_packets_total')!;
    const bytes = families.get('sigwall_kernel_bytes_total')!;
    expect(packets.type).toBe('counter');
    expect(packets.help).toMatch(/XDP program/);
    const kinds = ['steered_to_engine', 'fail_open_forwarded', 'fail_open_passed', 'fail_closed_dropped', 'non_sctp_bridged', 'non_sctp_passed', 'unparsed_as_sctp'];
    // Every kind for every port, zeros included (a dashboard's rate() needs the series to exist).
    expect(packets.samples.map((s) => `${s.labels.port}/${s.labels.kind}`)).toEqual([...kinds.map((k) => `mA/${k}`), ...kinds.map((k) => `m"B/${k}`)]);
    const value = (family: Family, port: string, kind: string) => family.samples.find((s) => s.labels.port === port && s.labels.kind === kind)?.value;
    expect(value(packets, 'mA', 'steered_to_engine')).toBe(100);
    expect(value(bytes, 'mA', 'steered_to_engine')).toBe(12_000);
    expect(value(packets, 'mA', 'fail_closed_dropped')).toBe(3);
    expect(value(bytes, 'mA', 'fail_closed_dropped')).toBe(360);
    expect(value(packets, 'mA', 'fail_open_forwarded')).toBe(0);
    expect(value(packets, 'm"B', 'non_sctp_bridged')).toBe(5);
    expect(value(bytes, 'm"B', 'non_sctp_bridged')).toBe(420);
    // Other backends have no such counters: no family at all rather than misleading zeros.
    const withoutKernel = parseExposition(renderMetrics({ status, counters }));
    expect(withoutKernel.has('sigwall_kernel_packets_total')).toBe(false);
    expect(withoutKernel.has('sigwall_kernel_bytes_total')).toBe(false);
  });

  it('renders the inherited counts (a stale program replaced at start) apart, only for the ports that have them', () => {
    const mA = { ...emptyKernelPortCounters(), steeredToEngine: { packets: 10, bytes: 1200 } };
    const inheritedA = { ...emptyKernelPortCounters(), failOpenForwarded: { packets: 42, bytes: 5040 }, nonSctpBridged: { packets: 6, bytes: 360 } };
    const kernel = {
      ...mA,
      perPort: [
        { port: 'mA', ...mA, inherited: inheritedA },
        { port: 'mB', ...emptyKernelPortCounters(), inheritedProblem: 'the stale program (id 7) has no sigwall_stats map' },
      ],
      inherited: inheritedA,
    };
    expect(EngineCounters.parse({ ...counters, kernel }).kernel).toEqual(kernel);
    const families = parseExposition(renderMetrics({ status: { ...status, mode: 'inline', backend: 'afxdp' }, counters: { ...counters, kernel } }));
    const packets = families.get('sigwall_kernel_inherited_packets_total')!;
    const bytes = families.get('sigwall_kernel_inherited_bytes_total')!;
    expect(packets.type).toBe('counter');
    expect(packets.help).toMatch(/while no engine ran/);
    expect(new Set(packets.samples.map((s) => s.labels.port))).toEqual(new Set(['mA']));
    expect(packets.samples).toHaveLength(7);
    const value = (family: Family, kind: string) => family.samples.find((s) => s.labels.port === 'mA' && s.labels.kind === kind)?.value;
    expect(value(packets, 'fail_open_forwarded')).toBe(42);
    expect(value(bytes, 'fail_open_forwarded')).toBe(5040);
    expect(value(packets, 'non_sctp_bridged')).toBe(6);
    // Not added into this engine's own counters.
    expect(families.get('sigwall_kernel_packets_total')!.samples.find((s) => s.labels.port === 'mA' && s.labels.kind === 'fail_open_forwarded')?.value).toBe(0);
    // Without a replaced program: no inherited family.
    const fresh = parseExposition(renderMetrics({ status: { ...status, mode: 'inline', backend: 'afxdp' }, counters: { ...counters, kernel: { ...mA, perPort: [{ port: 'mA', ...mA }] } } }));
    expect(fresh.has('sigwall_kernel_packets_total')).toBe(true);
    expect(fresh.has('sigwall_kernel_inherited_packets_total')).toBe(false);
  });

  it('escapes backslash, quote and newline in label values', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it('renders a stopped engine without a table and lets the caller add families', () => {
    const text = renderMetrics({
      status: { ...status, state: 'stopped', table: undefined },
      counters: { ...counters, ruleIds: [], ruleHits: [], ruleShadowHits: [], anomalies: {} },
      extra: (exposition) => exposition.counter('sigwall_events_written_total', 'Events written.', [{ labels: { sink: 'jsonl' }, value: 7 }]),
    });
    const families = parseExposition(text);
    expect(families.get('sigwall_engine_up')!.samples[0]!.value).toBe(0);
    expect(families.get('sigwall_rule_hits_total')!.samples).toEqual([]);
    expect(families.get('sigwall_events_written_total')!.samples[0]).toEqual({ labels: { sink: 'jsonl' }, value: 7 });
  });
});
