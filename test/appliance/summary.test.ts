// The live summary's figures: blocked per FS.11 category from the rules that decided (enforced
// drop rules only), drops without a rule counted as `default`, top rules by hits.
import { describe, expect, it } from 'vitest';
import { inheritedKernelTexts, summaryBlock, summaryFigures, summaryLine } from '../../src/appliance/summary.js';
import { emptyKernelPortCounters, type EngineCounters, type EngineStatus } from '../../src/engine/contract.js';
import type { TableRuleInfo } from '../../src/engine/image-info.js';

const rules: TableRuleInfo[] = [
  { index: 0, id: 'p#cat1', action: 'drop', mode: 'enforce', category: '1' },
  { index: 1, id: 'p#cat2', action: 'drop', mode: 'enforce', category: '2' },
  { index: 2, id: 'p#cat3-shadow', action: 'drop', mode: 'shadow', category: '3' },
  { index: 3, id: 'p#partner', action: 'allow', mode: 'enforce', category: '1' },
  { index: 4, id: 'p#usd', action: 'alert', mode: 'enforce', category: 'custom' },
];
const status: EngineStatus = { state: 'running', mode: 'offline', backend: 'pcap', workers: 1, ports: [], uptimeSeconds: 3725, table: { generation: 2, sha256: 'x', policyName: 'p', rules: 5 } };
const counters: EngineCounters = {
  packets: 900, bytes: 0, messages: 500, forwardedPackets: 0, droppedPackets: 0,
  verdicts: { allow: 420, drop: 75, alert: 5 }, malformed: 1, shadowHits: 9,
  categories: { custom: 5, cat1: 60, cat2: 12, cat3: 0 },
  ruleIds: rules.map((rule) => rule.id), ruleHits: [40, 12, 0, 20, 5], ruleShadowHits: [0, 0, 9, 0, 0],
  anomalies: {}, ringDrops: 0, reassemblyBoundHits: 0, eventsLost: 0, perWorker: [],
};

describe('summary', () => {
  it('counts blocked per category from enforced drop rules, the rest as default', () => {
    const figures = summaryFigures({ status, counters, rules });
    expect(figures.blockedByCategory).toEqual({ cat1: 40, cat2: 12, cat3: 0, custom: 0, default: 23 });
    expect(figures.topRules).toEqual([
      { id: 'p#cat1', hits: 40, action: 'drop' },
      { id: 'p#cat2', hits: 12, action: 'drop' },
      { id: 'p#usd', hits: 5, action: 'alert' },
    ]);
  });

  it('formats one line, and a block for a terminal', () => {
    expect(summaryLine({ status, counters, rules })).toBe(
      '[running] messages 500 (packets 900); blocked 75 (cat1 40, cat2 12, cat3 0, default 23); alerted 5; shadow 9; malformed 1; top rules: p#cat1 40, p#cat2 12, p#usd 5',
    );
    const block = summaryBlock({ status, counters, rules });
    expect(block[0]).toBe('engine running  uptime 1h02m05s  table p gen 2');
    expect(block).toContain('blocked per category: cat1 40, cat2 12, cat3 0, default 23');
    // Without the table's rules (unknown image), drops cannot be attributed: all default.
    expect(summaryFigures({ status, counters, rules: undefined }).blockedByCategory.default).toBe(75);
  });

  it('afxdp: adds what the XDP program did, the fail actions that fired standing out', () => {
    const kernel = {
      ...emptyKernelPortCounters(),
      steeredToEngine: { packets: 900, bytes: 90_000 },
      nonSctpBridged: { packets: 12, bytes: 1000 },
      failClosedDropped: { packets: 3, bytes: 300 },
      perPort: [],
    };
    const afxdp = { status: { ...status, mode: 'inline' as const, backend: 'afxdp' as const }, counters: { ...counters, kernel }, rules };
    const text = 'kernel (XDP) packets: to engine 900, fail-closed dropped 3, non-SCTP bridged 12';
    expect(summaryLine(afxdp).endsWith(`; ${text}`)).toBe(true);
    expect(summaryBlock(afxdp)).toContain(text);
    // Idle kernel path: only the frames handed to the engine.
    expect(summaryBlock({ ...afxdp, counters: { ...counters, kernel: { ...emptyKernelPortCounters(), perPort: [] } } })).toContain('kernel (XDP) packets: to engine 0');
    expect(summaryLine({ status, counters, rules })).not.toContain('kernel');
  });

  it('afxdp: mentions what the fail action did while no engine ran, and a replaced program whose counts are lost', () => {
    const inherited = { ...emptyKernelPortCounters(), failOpenForwarded: { packets: 42, bytes: 5000 }, failClosedDropped: { packets: 0, bytes: 0 }, nonSctpBridged: { packets: 9, bytes: 600 } };
    const kernel = {
      ...emptyKernelPortCounters(),
      perPort: [
        { port: 'mA', ...emptyKernelPortCounters(), inherited },
        { port: 'mB', ...emptyKernelPortCounters(), inherited: emptyKernelPortCounters() },
      ],
      inherited,
    };
    const text = 'kernel (XDP) while no engine ran (the crashed run\'s program, replaced at start, on mA): fail-open forwarded 42 packets';
    expect(inheritedKernelTexts(kernel)).toEqual([text]);
    const afxdp = { status: { ...status, mode: 'inline' as const, backend: 'afxdp' as const }, counters: { ...counters, kernel }, rules };
    expect(summaryBlock(afxdp)).toContain(text);
    expect(summaryLine(afxdp)).toContain(`; ${text}`);
    // Replaced, but the fail action never fired: nothing to say.
    const quiet = { ...kernel, inherited: { ...emptyKernelPortCounters(), nonSctpBridged: { packets: 9, bytes: 600 } }, perPort: [{ port: 'mA', ...emptyKernelPortCounters() }] };
    expect(inheritedKernelTexts(quiet)).toEqual([]);
    // A replaced program whose counter map could not be read.
    const lost = { ...emptyKernelPortCounters(), perPort: [{ port: 'mB', ...emptyKernelPortCounters(), inheritedProblem: 'the stale program (id 7) has no sigwall_stats map' }] };
    expect(inheritedKernelTexts(lost)).toEqual(['warning: mB: the counts of the replaced stale XDP program are lost (the stale program (id 7) has no sigwall_stats map)']);
  });
});
