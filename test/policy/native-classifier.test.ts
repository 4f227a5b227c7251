// The native classifier (native/table/) against the reference evaluator: captures are decoded
// with a compiled table, and every record's native verdict (action, rule, category, shadow hits),
// computed in C++ from the Ss7Message, must equal evaluate() on the record built from the same
// Ss7Message. Policies: the FS.11 baseline, and seeded random policies drawn from the values the
// captures carry (so that most conditions can hold), for both ingress sides.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import baseline from '../../firmware-config/policies/fs11-baseline.js';
import { anomalyCatalog, benchDecode, decodeCapture, type DecodeOptions } from '../../src/dataplane/decoder.js';
import type { MessageRecord } from '../../src/decode/record.js';
import { PolicyTooComplexError, SigwallError } from '../../src/errors.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { evaluate, withRuleIds, type ResolvedPolicyLike } from '../../src/policy/evaluate.js';
import { FIELDS } from '../../src/policy/fields.js';
import { Policy, type PolicyInput } from '../../src/policy/schema.js';
import { capturesDir, loadCaptureCases } from '../support/captures.js';

type Side = 'external' | 'internal';

interface Capture {
  name: string;
  bytes: Uint8Array;
  options: DecodeOptions;
}

const demo: Capture = {
  name: 'demo.pcap',
  bytes: readFileSync(new URL('../../firmware-config/demo/demo.pcap', import.meta.url)),
  options: {},
};

// The real captures too, when present (they are not part of the repository).
const shared: Capture[] = existsSync(capturesDir)
  ? loadCaptureCases().cases.map((c) => ({
      name: c.name,
      bytes: readFileSync(c.file),
      options: { verifyCrc: false, ...(c.options.capSsns ? { capSsns: c.options.capSsns } : {}), ...(c.options.mtp3Variant ? { mtp3Variant: c.options.mtp3Variant } : {}) },
    }))
  : [];
const captures = [demo, ...shared];

function decodeAll(capture: Capture, options: DecodeOptions = {}): MessageRecord[] {
  try {
    return decodeCapture(capture.bytes, { ...capture.options, ...options }).records;
  } catch (error) {
    // A capture that ends in an error still yields its records up to the fault; the decode
    // tests cover that. Here only complete decodes are compared.
    if ((error as SigwallError).code === 'SIGWALL_ERR_CAPTURE') return [];
    throw error;
  }
}

const plainRecords = captures.map((capture) => decodeAll(capture));

// Decodes every capture with the policy's table, per side, and compares each record's native
// verdict with evaluate() on the same record. Counts the records compared, those a rule decided
// and those with shadow hits (so that a test can tell it compared more than defaults).
// `small`: only the captures under 1 MB (the random policies; the baseline takes them all).
const coverage = { compared: 0, decided: 0, shadowed: 0 };

function expectNativeAgreement(policy: ResolvedPolicyLike, sides: readonly Side[] = ['external', 'internal'], small = false): number {
  const { image } = compilePolicy(policy);
  let compared = 0;
  for (const side of sides) {
    // Each decode loads (and validates) the image again: skip the captures without a record.
    const chosen = captures.filter((c, i) => plainRecords[i]!.length > 0 && (!small || c.bytes.byteLength < 1 << 20));
    for (const capture of chosen) {
      const records = decodeAll(capture, { table: image, ingressSide: side });
      for (const record of records) {
        expect(record.verdict, `${capture.name} frame ${record.frame}: no native verdict`).toBeDefined();
        const { verdict, ...plain } = record;
        const expected = evaluate(policy, plain as MessageRecord, { side });
        const where = `${policy.name} ${side} ${capture.name} frame ${record.frame} chunk ${record.chunk}`;
        expect({ action: verdict!.action, rule: verdict!.rule, category: verdict!.category, shadowHits: verdict!.shadowHits }, where).toEqual({
          action: expected.action,
          rule: expected.rule,
          category: expected.category,
          shadowHits: expected.shadowHits,
        });
        compared += 1;
        coverage.compared += 1;
        if (!expected.rule.endsWith('#default') && !expected.rule.endsWith('#malformed')) coverage.decided += 1;
        if (expected.shadowHits.length > 0) coverage.shadowed += 1;
      }
    }
  }
  return compared;
}

describe('native classifier = reference evaluator', () => {
  it('decodes the captures', () => {
    expect(plainRecords[0]!.length).toBeGreaterThan(50);
  });

  it('the FS.11 baseline, both sides, on every capture', () => {
    const policy = withRuleIds(Policy.parse(baseline));
    const compared = expectNativeAgreement(policy);
    expect(compared).toBeGreaterThan(2 * plainRecords[0]!.length - 1);
    // The native path really decided something: drops and allows both occur on the demo.
    const { image } = compilePolicy(policy);
    const actions = new Set(decodeAll(demo, { table: image }).map((r) => r.verdict!.action));
    expect(actions).toContain('drop');
    expect(actions).toContain('allow');
  });

  it('a policy without rules', () => {
    const policy = withRuleIds(Policy.parse({ name: 'empty', networks: { home: {} }, rules: [], defaults: { action: 'alert', malformed: 'allow' } }));
    expectNativeAgreement(policy, ['external']);
  });

  it('seeded random policies drawn from the captures', () => {
    const all = plainRecords.flat();
    let ruleTotal = 0;
    Object.assign(coverage, { compared: 0, decided: 0, shadowed: 0 });
    let policies = 0;
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      if (policies === 4) break;
      // 250 rules over 10 fields and lists of thousands of prefixes. Random rules still combine
      // worse than real ones: a seed whose final phase exceeds the budget is skipped, not shrunk
      // (the budget errors are compile.test.ts's subject); enough seeds fit.
      const policy = withRuleIds(Policy.parse(randomPolicy(seed, all, 250)));
      try {
        compilePolicy(policy);
      } catch (error) {
        if (error instanceof PolicyTooComplexError) continue;
        throw error;
      }
      expect(expectNativeAgreement(policy, ['external', 'internal'], true)).toBeGreaterThan(0);
      ruleTotal += policy.rules.length;
      policies++;
    }
    expect(policies).toBeGreaterThanOrEqual(4);
    expect(ruleTotal).toBeGreaterThanOrEqual(1000);
    // Rules decided and shadow rules hit, not only defaults.
    expect(coverage.decided).toBeGreaterThan(coverage.compared / 10);
    expect(coverage.shadowed).toBeGreaterThan(coverage.compared / 50);
  });

  it('seeded random policies with many overlapping lists and negations (the sparse dimensions)', () => {
    const all = plainRecords.flat();
    Object.assign(coverage, { compared: 0, decided: 0, shadowed: 0 });
    for (const seed of [11, 12, 13]) {
      const policy = withRuleIds(Policy.parse(randomPolicy(seed, all, 400, true)));
      const { stats } = compilePolicy(policy);
      // Every digits field is sparse: out of the RFC tables, whatever its class count.
      for (const d of stats.dimensions) expect(d.sparse).toBe(d.lookup === 'DIGITS');
      expect(stats.dimensions.filter((d) => d.sparse).length).toBeGreaterThanOrEqual(2);
      expect(expectNativeAgreement(policy, ['external', 'internal'], true)).toBeGreaterThan(0);
    }
    expect(coverage.decided).toBeGreaterThan(coverage.compared / 10);
    expect(coverage.shadowed).toBeGreaterThan(coverage.compared / 50);
  });
});

describe('native table errors and benchmark', () => {
  it('an invalid table is SIGWALL_ERR_TABLE naming the problem', () => {
    const { image } = compilePolicy(withRuleIds(Policy.parse(baseline)));
    const corrupt = image.slice();
    corrupt[corrupt.length - 1]! ^= 0xff;
    const run = () => decodeCapture(demo.bytes, { table: corrupt });
    expect(run).toThrow(SigwallError);
    expect(run).toThrow(/CRC32c/);
    try {
      run();
    } catch (error) {
      expect((error as SigwallError).code).toBe('SIGWALL_ERR_TABLE');
    }
    expect(() => decodeCapture(demo.bytes, { table: image.slice(0, 40) })).toThrow(/shorter than the 64-byte header/);
  });

  it('benchDecode reports the classification time apart', () => {
    const { image } = compilePolicy(withRuleIds(Policy.parse(baseline)));
    const plain = benchDecode(demo.bytes, 2);
    const classified = benchDecode(demo.bytes, 2, { table: image });
    expect(plain.classifyNanoseconds).toBeUndefined();
    expect(classified.messages).toBe(plain.messages);
    expect(classified.classifyNanoseconds).toBeGreaterThanOrEqual(0);
    expect(classified.classifyNanoseconds!).toBeLessThan(classified.nanoseconds);
    expect(classified.actions!.allow + classified.actions!.drop + classified.actions!.alert).toBe(classified.messages);
  });
});

// ---------------------------------------------------------------------------------------------
// Random policies from the values the records carry

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Pools = Map<string, Set<string | number>>;

// The values each field takes in the records (FIELD_VALUES' sources), component fields over
// all components. Enough to draw conditions that hold for some messages and not others.
function valuePools(records: readonly MessageRecord[]): Pools {
  const pools: Pools = new Map();
  const add = (field: string, value: string | number | undefined) => {
    if (value === undefined) return;
    if (!pools.has(field)) pools.set(field, new Set());
    pools.get(field)!.add(value);
  };
  for (const r of records) {
    add('mtp3.opc', r.mtp3?.opc);
    add('mtp3.dpc', r.mtp3?.dpc);
    add('mtp3.si', r.mtp3?.si);
    add('m3ua.routing_context', (r.m3ua ?? r.sua)?.routingContext);
    add('sccp.message_type', r.sccp?.messageType);
    for (const side of ['called', 'calling'] as const) {
      const a = r.sccp?.[side];
      add(`sccp.${side}.ssn`, a?.ssn);
      add(`sccp.${side}.gti`, a?.gti);
      add(`sccp.${side}.tt`, a?.tt);
      add(`sccp.${side}.np`, a?.np);
      add(`sccp.${side}.nai`, a?.nai);
      add(`sccp.${side}.pc`, a?.pc);
      add(`sccp.${side}.digits`, a?.digits);
    }
    add('tcap.type', r.tcap?.type);
    add('tcap.application_context_name', r.tcap?.applicationContext);
    add('sigwall.application', r.application);
    for (const a of r.anomalies) add('sigwall.anomaly', a);
    for (const c of r.tcap?.components ?? []) {
      add('tcap.component_type', c.type);
      if (r.application === 'map') add('map.opcode', c.opcode);
      if (r.application === 'cap') add('cap.opcode', c.opcode);
      add('e212.imsi', c.map?.imsi ?? (c.map?.smRpDa?.kind === 'imsi' ? c.map.smRpDa.digits : undefined) ?? c.cap?.imsi);
      add('e164.msisdn', c.map?.msisdn);
      add('map.msc_number', c.map?.mscNumber);
      add('map.vlr_number', c.map?.vlrNumber);
      add('map.sgsn_number', c.map?.sgsnNumber);
      add('map.hlr_number', c.map?.hlrNumber);
      add('map.gsmscf_address', c.map?.gsmscfAddress);
      add('map.service_centre_address', c.map?.serviceCentreAddress ?? c.map?.smRpDa?.digits ?? c.map?.smRpOa?.digits);
      add('map.sm_rp_oa.msisdn', c.map?.smRpOa?.digits);
    }
  }
  return pools;
}

// `manyLists`: the shape of the bench (bench/classify.mjs) and of real partner screening, which
// exercises the sparse dimensions hard: 30 GT and 30 IMSI lists, overlapping (a prefix the
// captures carry, cut at several lengths, lands in several lists), rules with up to three
// digits conditions, half of them negated, naming one to three lists or mixing lists,
// prefixes and networks.
function randomPolicy(seed: number, records: readonly MessageRecord[], ruleCount: number, manyLists = false): PolicyInput {
  const random = mulberry32(seed);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const pools = valuePools(records);
  const pool = (field: string) => [...(pools.get(field) ?? [])];
  const decimal = (s: string) => /^[0-9]+$/.test(s);
  const gts = [...pool('sccp.called.digits'), ...pool('sccp.calling.digits'), ...pool('map.msc_number'), ...pool('map.vlr_number')]
    .map(String)
    .filter((d) => decimal(d) && d.length >= 2);
  const imsis = pool('e212.imsi').map(String).filter((d) => decimal(d) && d.length >= 6);
  const prefixOf = (digits: string) => digits.slice(0, 1 + Math.floor(random() * Math.min(digits.length, 8)));
  const gtPrefix = () => (gts.length ? prefixOf(pick(gts)) : String(Math.floor(random() * 100)));
  const mccMnc = () => (imsis.length && random() < 0.8 ? pick(imsis).slice(0, 5) : String(20000 + Math.floor(random() * 80000)));
  const network = () => ({ gtPrefixes: Array.from({ length: 1 + Math.floor(random() * 2) }, gtPrefix), mccMnc: Array.from({ length: 1 + Math.floor(random() * 2) }, mccMnc) });
  const bulk = (n: number, min: number, max: number) =>
    Array.from({ length: n }, () => String(1 + Math.floor(random() * 9)) + Array.from({ length: min - 1 + Math.floor(random() * (max - min + 1)) }, () => Math.floor(random() * 10)).join(''));
  const anomalies = anomalyCatalog().map((a) => a.name);
  const anomalyNames = [...new Set([...pool('sigwall.anomaly').map(String).slice(0, 2), 'tcap.global_opcode', pick(anomalies)])];

  // A handful of fields per policy, as real policies have (and so that the tables stay within
  // the compiler's budgets): 6 set fields and 4 digits fields.
  const shuffled = <T,>(items: readonly T[]) => items.map((item) => [random(), item] as const).sort((x, y) => x[0] - y[0]).map(([, item]) => item);
  const setFields = shuffled(FIELDS.filter((f) => f.type !== 'digits' && f.type !== 'anomaly')).slice(0, 6);
  const digitFields = manyLists
    ? ['sccp.calling.digits', 'sccp.called.digits', 'e212.imsi'].map((name) => FIELDS.find((f) => f.name === name)!)
    : shuffled(FIELDS.filter((f) => f.type === 'digits')).slice(0, 4);

  function setCondition(field: (typeof FIELDS)[number]): unknown {
    let values: (string | number)[];
    // Values the schema accepts (a negative opcode is in the records, not nameable in a rule).
    const seen = pool(field.name).filter((v) => typeof v !== 'number' || v >= 0 && (v <= 255 || !(field.type === 'smallInt' || field.type === 'operation')));
    if (field.type === 'enum') values = [...new Set(Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(field.values!)))];
    else if (seen.length === 0 || random() < 0.1)
      values = field.type === 'oid' ? ['0.4.0.0.1.0.1.3'] : [Math.floor(random() * (field.type === 'smallInt' || field.type === 'operation' ? 256 : 20000))];
    else values = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(seen)))];
    if ('absentMatchable' in field && field.absentMatchable && random() < 0.2) values.push('absent');
    return random() < 0.3 ? { not: values } : values;
  }

  const listCount = manyLists ? 30 : 0;
  const manyListsOf = (kind: 'gt' | 'imsi') =>
    Object.fromEntries(
      Array.from({ length: listCount }, (_, l) => {
        const real = kind === 'gt' ? gtPrefix : () => (imsis.length ? prefixOf(pick(imsis)) : mccMnc());
        return [`${kind}-${l}`, { kind, prefixes: [...Array.from({ length: 1 + Math.floor(random() * 4) }, real), ...bulk(100, 4, 11)] }];
      }),
    );
  const lists = manyLists
    ? { ...manyListsOf('gt'), ...manyListsOf('imsi') }
    : {
        gts: { kind: 'gt', prefixes: [...Array.from({ length: 3 }, gtPrefix), ...bulk(2500, 4, 12)] },
        imsis: { kind: 'imsi', prefixes: [...Array.from({ length: 2 }, () => (imsis.length ? prefixOf(pick(imsis)) : '234')), ...bulk(1500, 5, 10)] },
      };

  function manyListsCondition(field: (typeof FIELDS)[number]): unknown {
    const kind = field.name === 'e212.imsi' ? 'imsi' : 'gt';
    const c: { prefixes?: string[]; lists?: string[]; networks?: string[]; not?: boolean } = {};
    c.lists = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => `${kind}-${Math.floor(random() * listCount)}`))];
    if (random() < 0.15) c.prefixes = [kind === 'imsi' ? mccMnc() : gtPrefix()];
    if (random() < 0.1) c.networks = [pick(['home', 'partners', 'foreign', 'partner:alpha', 'partner:beta'])];
    if (random() < 0.5) c.not = true;
    return c;
  }

  function digitsCondition(field: (typeof FIELDS)[number]): unknown {
    if (manyLists) return manyListsCondition(field);
    const seen = pool(field.name).map(String).filter((d) => decimal(d) && d.length > 0);
    const c: { prefixes?: string[]; lists?: string[]; networks?: string[]; not?: boolean } = {};
    const kind = random();
    if (kind < 0.5 || seen.length === 0) c.prefixes = Array.from({ length: 1 + Math.floor(random() * 2) }, () => (seen.length ? prefixOf(pick(seen)) : gtPrefix()));
    else if (kind < 0.65) c.lists = [field.name === 'e212.imsi' ? 'imsis' : 'gts'];
    else c.networks = [pick(['home', 'partners', 'foreign', 'partner:alpha', 'partner:beta'])];
    if (random() < 0.3) c.not = true;
    return c;
  }

  const rules = Array.from({ length: ruleCount }, (_, i) => {
    const match: Record<string, unknown> = {};
    const n = 1 + Math.floor(random() * (manyLists ? 4 : 3));
    for (let k = 0; k < n; k++) {
      const r = random();
      if (r < 0.55) {
        const field = pick(setFields);
        match[field.name] = setCondition(field);
      } else if (r < 0.85) {
        const field = pick(digitFields);
        match[field.name] = digitsCondition(field);
      } else {
        // A few names only: the compiler allows at most 12 distinct anomaly masks.
        const names = [...new Set([pick(anomalyNames), ...(random() < 0.3 ? [pick(anomalyNames)] : [])])];
        match['sigwall.anomaly'] = random() < 0.3 ? { not: names } : names;
      }
    }
    if (random() < 0.1) match['sigwall.relation'] = { callingGtNetwork: pick(['same-as-imsi-home', 'differs-from-imsi-home']) };
    return {
      name: `r${i}`,
      action: pick(['allow', 'drop', 'alert'] as const),
      mode: random() < 0.3 ? ('shadow' as const) : ('enforce' as const),
      category: pick([1, 2, 3, 'custom'] as const),
      match,
    };
  });

  return {
    name: `native-random-${seed}`,
    networks: { home: network(), partners: { alpha: network(), beta: network() } },
    // A few prefixes the captures carry, and the bulk of a real list: random ones (most match
    // nothing, and all of them share the list's class).
    lists: lists as PolicyInput['lists'],
    defaults: { action: pick(['allow', 'drop', 'alert'] as const), malformed: pick(['allow', 'drop', 'alert'] as const) },
    rules,
  };
}
