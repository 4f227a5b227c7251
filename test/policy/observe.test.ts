// The observe form of a policy (src/policy/observe.ts), judged by the reference evaluator on the
// demo capture's real messages, on both ingress sides, plus a malformed copy of each: it never
// drops, and it reports every decision the real policy made. Two policies: the shipped FS.11
// baseline, and a variant that exercises what the baseline lacks (an enforce allow exception in
// front of the drop rules, an enforce alert rule, a default of drop).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../../src/dataplane/decoder.js';
import type { MessageRecord } from '../../src/decode/record.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { loadPolicy, resolvePolicy } from '../../src/policy/load.js';
import { observePolicy } from '../../src/policy/observe.js';
import type { ResolvedPolicy } from '../../src/policy/schema.js';

const repoRoot = new URL('../..', import.meta.url).pathname;
const demoCapture = new Uint8Array(readFileSync(join(repoRoot, 'firmware-config', 'demo', 'demo.pcap')));
const baselinePath = join(repoRoot, 'firmware-config', 'policies', 'fs11-baseline.ts');

function messages(): MessageRecord[] {
  const { records } = decodeCapture(demoCapture);
  // A malformed copy of every message: defaults.malformed decides those before any rule.
  return [...records, ...records.map((record) => ({ ...structuredClone(record), status: 'malformed' as const }))];
}

// The baseline with an ATI exception (enforce allow) before every rule, an enforce alert rule on
// insertSubscriberData, and a default of drop: a policy where allow decisions, alert decisions
// and default drops all occur on the demo capture.
async function variantPolicy(): Promise<ResolvedPolicy> {
  const baseline = await loadPolicy(baselinePath);
  const input = JSON.parse(JSON.stringify({ ...baseline, rules: baseline.rules.map(({ id: _id, ...rule }) => rule) })) as {
    defaults: { action: string; malformed: string };
    rules: unknown[];
  };
  input.defaults.action = 'drop';
  input.rules.unshift(
    { name: 'ati-partner-exception', action: 'allow', category: 1, match: { 'map.opcode': [71] } },
    { name: 'isd-watch', action: 'alert', match: { 'map.opcode': [7] } },
  );
  return resolvePolicy(input, 'variant.json');
}

interface Tally {
  ruleDrops: number;
  defaultDrops: number;
  malformedDrops: number;
  allowDecisions: number;
  alertDecisions: number;
}

function checkObserveForm(policy: ResolvedPolicy, records: MessageRecord[]): Tally {
  const observed = observePolicy(policy);
  const ruleIds = new Set(policy.rules.map((rule) => rule.id));
  const tally: Tally = { ruleDrops: 0, defaultDrops: 0, malformedDrops: 0, allowDecisions: 0, alertDecisions: 0 };
  for (const record of records) {
    for (const side of ['external', 'internal'] as const) {
      const real = evaluate(policy, record, { side });
      const observe = evaluate(observed, record, { side });
      const where = `frame ${record.frame} (${record.status}, ${side}): real ${JSON.stringify(real)}, observe ${JSON.stringify(observe)}`;
      expect(observe.action, where).not.toBe('drop');
      if (real.action === 'drop' && ruleIds.has(real.rule)) {
        tally.ruleDrops++;
        // The rule that dropped is reported as a shadow hit, right after the shadow hits the
        // real policy reported, in the same order.
        expect(observe.shadowHits.slice(0, real.shadowHits.length + 1), where).toEqual([...real.shadowHits, real.rule]);
      } else if (real.action === 'drop') {
        // No rule decided: the default or the malformed action, reported as an alert of it.
        if (real.rule === `${policy.name}#default`) tally.defaultDrops++;
        else tally.malformedDrops++;
        expect(observe, where).toEqual({ ...real, action: 'alert' });
      } else {
        if (real.action === 'allow' && ruleIds.has(real.rule)) tally.allowDecisions++;
        if (real.action === 'alert' && ruleIds.has(real.rule)) tally.alertDecisions++;
        expect(observe, where).toEqual(real);
      }
    }
  }
  return tally;
}

describe('observePolicy', () => {
  it('never drops under the baseline, and reports each message the baseline drops as a shadow hit of the rule that dropped it', async () => {
    const baseline = await loadPolicy(baselinePath);
    const tally = checkObserveForm(baseline, messages());
    // Not vacuous: the demo's attacks are dropped by rules, the malformed copies by the default.
    expect(tally.ruleDrops).toBeGreaterThan(10);
    expect(tally.malformedDrops).toBeGreaterThan(10);
  });

  it('keeps allow exceptions deciding, keeps alert rules, and turns the default drop into an alert', async () => {
    const tally = checkObserveForm(await variantPolicy(), messages());
    expect(tally.ruleDrops).toBeGreaterThan(0);
    expect(tally.defaultDrops).toBeGreaterThan(0);
    expect(tally.malformedDrops).toBeGreaterThan(0);
    expect(tally.allowDecisions).toBeGreaterThan(0);
    expect(tally.alertDecisions).toBeGreaterThan(0);
  });

  it('changes only modes and defaults: same name, rule ids, order, matches and actions', async () => {
    const policy = await variantPolicy();
    const observed = observePolicy(policy);
    expect(observed.name).toBe(policy.name);
    expect(observed.rules.map((rule) => rule.id)).toEqual(policy.rules.map((rule) => rule.id));
    expect(observed.rules.map((rule) => rule.action)).toEqual(policy.rules.map((rule) => rule.action));
    expect(observed.rules.map((rule) => rule.match)).toEqual(policy.rules.map((rule) => rule.match));
    expect(observed.rules.filter((rule) => rule.mode === 'enforce' && rule.action === 'drop')).toEqual([]);
    expect(observed.rules.find((rule) => rule.name === 'ati-partner-exception')?.mode).toBe('enforce');
    expect(observed.defaults).toEqual({ action: 'alert', malformed: 'alert' });
    // The input is left as it was (resolved policies are frozen; the transform copies).
    expect(policy.defaults).toEqual({ action: 'drop', malformed: 'drop' });
    expect(policy.rules.some((rule) => rule.mode === 'enforce' && rule.action === 'drop')).toBe(true);
  });

  it('compiles, and the native classifier agrees with the evaluator on the observe form', async () => {
    const observed = observePolicy(await loadPolicy(baselinePath));
    const { records } = decodeCapture(demoCapture, { table: compilePolicy(observed).image });
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      const expected = evaluate(observed, record);
      expect(record.verdict, `frame ${record.frame}`).toMatchObject({ action: expected.action, rule: expected.rule, shadowHits: expected.shadowHits });
    }
  });
});
