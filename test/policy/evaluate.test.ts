// The reference evaluator on hand-built records: one test per condition kind, absent fields,
// negation, component co-occurrence, rule order, shadow rules, malformed and default verdicts,
// and the calling-GT / IMSI network relation.
import { describe, expect, it } from 'vitest';
import { MessageRecord } from '../../src/decode/record.js';
import { PolicyError } from '../../src/errors.js';
import { evaluate, EVALUATED_FIELDS, withRuleIds, type ResolvedPolicyLike } from '../../src/policy/evaluate.js';
import { FIELDS } from '../../src/policy/fields.js';
import { Policy, type PolicyInput } from '../../src/policy/schema.js';

const HOME_HLR = '447700900001';
const HOME_VLR = '447700900002';
const PARTNER_A_HLR = '12025550101';
const PARTNER_B_HLR = '61491570001';
const ATTACKER = '99988000002';
const HOME_IMSI = '234150000000001';
const PARTNER_A_IMSI = '310990000000001';
const PARTNER_B_IMSI = '505990000000001';
const UNKNOWN_IMSI = '208010000000001';

type RecordInput = Parameters<typeof MessageRecord.parse>[0];
type Component = MessageRecord['tcap'] extends infer T ? (T extends { components: (infer C)[] } ? C : never) : never;

const invoke = (opcode: number, extra: Partial<Component> = {}): Component => ({ type: 'invoke', invokeId: 1, opcode, ...extra });

// A minimal schema-valid MAP Begin from `calling` to `called` with the given components.
function message(options: {
  calling?: string | undefined;
  called?: string | undefined;
  callingSsn?: number | undefined;
  calledSsn?: number | undefined;
  components?: Component[];
  tcap?: 'none' | 'begin' | 'continue' | 'end';
  application?: 'map' | 'cap' | 'unknown';
  anomalies?: string[];
  status?: 'ok' | 'anomaly' | 'malformed';
  adaptation?: 'm3ua' | 'sua';
  applicationContext?: string;
}): MessageRecord {
  const address = (digits: string | undefined, ssn: number | undefined) => ({ ri: 0, gti: 4, tt: 0, np: 1, nai: 4, ...(ssn === undefined ? {} : { ssn }), ...(digits === undefined ? {} : { digits }) });
  const components = options.components ?? [];
  const input: RecordInput = {
    frame: 1,
    chunk: 0,
    timestampNs: '0',
    ip: { version: 4, src: '192.0.2.10', dst: '198.51.100.1' },
    sctp: { srcPort: 2905, dstPort: 2905, tsn: 1, sid: 1, ssn: 0, ppid: options.adaptation === 'sua' ? 4 : 3, fragments: 1, idata: false },
    adaptation: options.adaptation ?? 'm3ua',
    ...(options.adaptation === 'sua'
      ? { sua: { messageClass: 7, messageType: 1, routingContext: 300 } }
      : { m3ua: { messageClass: 1, messageType: 1, routingContext: 100 }, mtp3: { opc: 2001, dpc: 1001, si: 3, ni: 0, mp: 0, sls: 0 } }),
    sccp: {
      messageType: 9,
      protocolClass: 0,
      called: address('called' in options ? options.called : HOME_HLR, 'calledSsn' in options ? options.calledSsn : 6),
      calling: address('calling' in options ? options.calling : PARTNER_A_HLR, 'callingSsn' in options ? options.callingSsn : 7),
      segments: 1,
    },
    ...(options.tcap === 'none'
      ? {}
      : {
          tcap: {
            type: options.tcap ?? 'begin',
            otid: '01020304',
            ...(options.applicationContext ? { applicationContext: options.applicationContext } : {}),
            componentCount: components.length,
            components,
          },
        }),
    application: options.application ?? (options.tcap === 'none' ? 'unknown' : 'map'),
    anomalies: options.anomalies ?? [],
    status: options.status ?? (options.anomalies?.length ? 'anomaly' : 'ok'),
  };
  return MessageRecord.parse(input);
}

const NETWORKS: PolicyInput['networks'] = {
  home: { mccMnc: ['23415'], gtPrefixes: ['447700900'] },
  partners: {
    'partner-a': { mccMnc: ['310990'], gtPrefixes: ['120255501'] },
    'partner-b': { mccMnc: ['50599'], gtPrefixes: ['61491570'] },
  },
};

function policy(rules: PolicyInput['rules'], extra: Partial<PolicyInput> = {}): ResolvedPolicyLike {
  return withRuleIds(Policy.parse({ name: 'test', networks: NETWORKS, rules, ...extra }));
}

// One rule `r` (drop) with the given match: the verdict's rule says whether it matched.
function matches(match: Record<string, unknown>, record: MessageRecord, context?: { side?: 'external' | 'internal' }, extra: Partial<PolicyInput> = {}): boolean {
  const verdict = evaluate(policy([{ name: 'r', action: 'drop', match }], extra), record, context);
  return verdict.rule === 'test#r';
}

describe('field coverage', () => {
  it('reads every field of the registry', () => {
    expect([...EVALUATED_FIELDS].sort()).toEqual(FIELDS.map((f) => f.name).sort());
  });
});

describe('malformed and default', () => {
  it('gives a malformed message defaults.malformed before any rule', () => {
    const p = policy([{ name: 'everything', action: 'allow', match: { 'ingress.side': ['external', 'internal'] } }]);
    const record = message({ status: 'malformed', anomalies: ['tcap.malformed'], components: [invoke(71)] });
    expect(evaluate(p, record)).toEqual({ action: 'drop', rule: 'test#malformed', category: undefined, shadowHits: [] });
    const alerting = policy([], { defaults: { malformed: 'alert' } });
    expect(evaluate(alerting, record).action).toBe('alert');
  });

  it('gives an unmatched message defaults.action and the default rule id', () => {
    const record = message({ components: [invoke(2)] });
    expect(evaluate(policy([{ name: 'ati', action: 'drop', match: { 'map.opcode': [71] } }]), record)).toEqual({ action: 'allow', rule: 'test#default', category: undefined, shadowHits: [] });
    expect(evaluate(policy([], { defaults: { action: 'drop' } }), record).action).toBe('drop');
  });

  it('reports the deciding rule and its category', () => {
    const p = policy([{ name: 'ati', action: 'drop', category: 1, match: { 'map.opcode': [71] } }]);
    expect(evaluate(p, message({ components: [invoke(71)] }))).toEqual({ action: 'drop', rule: 'test#ati', category: 1, shadowHits: [] });
    const custom = policy([{ name: 'ati', action: 'alert', match: { 'map.opcode': [71] } }]);
    expect(evaluate(custom, message({ components: [invoke(71)] })).category).toBe('custom');
  });
});

describe('set conditions', () => {
  const withSsn = message({ calledSsn: 6 });
  const withoutSsn = message({ calledSsn: undefined, anomalies: ['sccp.missing_ssn'] });

  it('matches a value in the set, and `not` a value outside it', () => {
    expect(matches({ 'sccp.called.ssn': [6, 7] }, withSsn)).toBe(true);
    expect(matches({ 'sccp.called.ssn': [7] }, withSsn)).toBe(false);
    expect(matches({ 'sccp.called.ssn': { not: [6] } }, withSsn)).toBe(false);
    expect(matches({ 'sccp.called.ssn': { not: [7, 8] } }, withSsn)).toBe(true);
  });

  it('treats an absent field as "absent": positive sets need it, `not` sets hold unless they name it', () => {
    expect(matches({ 'sccp.called.ssn': [6] }, withoutSsn)).toBe(false);
    expect(matches({ 'sccp.called.ssn': ['absent'] }, withoutSsn)).toBe(true);
    expect(matches({ 'sccp.called.ssn': ['absent'] }, withSsn)).toBe(false);
    expect(matches({ 'sccp.called.ssn': { not: [6] } }, withoutSsn)).toBe(true);
    expect(matches({ 'sccp.called.ssn': { not: ['absent', 6] } }, withoutSsn)).toBe(false);
    expect(matches({ 'sccp.called.ssn': { not: ['absent'] } }, withSsn)).toBe(true);
  });

  it('reads point codes, SI and routing context from MTP3/M3UA or SUA', () => {
    const m3ua = message({});
    expect(matches({ 'mtp3.opc': [2001], 'mtp3.dpc': [1001], 'mtp3.si': [3] }, m3ua)).toBe(true);
    expect(matches({ 'm3ua.routing_context': [100] }, m3ua)).toBe(true);
    const sua = message({ adaptation: 'sua' });
    expect(matches({ 'm3ua.routing_context': [300] }, sua)).toBe(true);
    // SUA carries no MTP3 routing label: the OPC is absent.
    expect(matches({ 'mtp3.opc': [2001] }, sua)).toBe(false);
    expect(matches({ 'mtp3.opc': { not: [2001] } }, sua)).toBe(true);
  });

  it('reads SCCP message type and address indicators', () => {
    const record = message({});
    expect(matches({ 'sccp.message_type': [9], 'sccp.called.gti': [4], 'sccp.calling.tt': [0], 'sccp.called.np': [1], 'sccp.calling.nai': [4] }, record)).toBe(true);
    expect(matches({ 'sccp.called.pc': ['absent'] }, record)).toBe(true);
  });

  it('reads the TCAP type (absent without TCAP), the application context and the application', () => {
    expect(matches({ 'tcap.type': ['begin'] }, message({}))).toBe(true);
    expect(matches({ 'tcap.type': ['continue', 'end'] }, message({ tcap: 'end' }))).toBe(true);
    expect(matches({ 'tcap.type': ['absent'] }, message({ tcap: 'none' }))).toBe(true);
    expect(matches({ 'tcap.type': { not: ['begin'] } }, message({ tcap: 'none' }))).toBe(true);
    const withAc = message({ applicationContext: '0.4.0.0.1.0.29.3' });
    expect(matches({ 'tcap.application_context_name': ['0.4.0.0.1.0.29.3'] }, withAc)).toBe(true);
    expect(matches({ 'tcap.application_context_name': ['absent'] }, message({}))).toBe(true);
    expect(matches({ 'sigwall.application': ['map'] }, withAc)).toBe(true);
    expect(matches({ 'sigwall.application': ['cap'] }, withAc)).toBe(false);
  });

  it('takes the ingress side from the context, external by default', () => {
    const record = message({});
    expect(matches({ 'ingress.side': ['external'] }, record)).toBe(true);
    expect(matches({ 'ingress.side': ['external'] }, record, { side: 'internal' })).toBe(false);
    expect(matches({ 'ingress.side': ['internal'] }, record, { side: 'internal' })).toBe(true);
  });
});

describe('anomaly conditions', () => {
  it('holds when any named anomaly is present; `not` when none is', () => {
    const record = message({ anomalies: ['tcap.multiple_components', 'tcap.global_opcode'] });
    expect(matches({ 'sigwall.anomaly': ['tcap.global_opcode'] }, record)).toBe(true);
    expect(matches({ 'sigwall.anomaly': ['sccp.missing_ssn', 'tcap.tid_length'] }, record)).toBe(false);
    expect(matches({ 'sigwall.anomaly': { not: ['tcap.global_opcode'] } }, record)).toBe(false);
    expect(matches({ 'sigwall.anomaly': { not: ['tcap.global_opcode'] } }, message({}))).toBe(true);
  });
});

describe('operation conditions', () => {
  it('matches MAP operations by number or by the name Wireshark shows', () => {
    const record = message({ components: [invoke(44)] });
    expect(matches({ 'map.opcode': [44] }, record)).toBe(true);
    expect(matches({ 'map.opcode': ['mt-forwardSM'] }, record)).toBe(true);
    expect(matches({ 'map.opcode': ['anyTimeInterrogation'] }, record)).toBe(false);
    expect(matches({ 'map.opcode': { not: ['anyTimeInterrogation'] } }, record)).toBe(true);
  });

  it('reads map.opcode only on MAP messages and cap.opcode only on CAP ones', () => {
    const cap = message({ application: 'cap', components: [invoke(0)] });
    expect(matches({ 'cap.opcode': ['initialDP'] }, cap)).toBe(true);
    expect(matches({ 'map.opcode': [0] }, cap)).toBe(false);
    const map = message({ components: [invoke(0)] });
    expect(matches({ 'cap.opcode': [0] }, map)).toBe(false);
  });

  it('never equals a global opcode to a local one', () => {
    const record = message({ components: [{ type: 'invoke', invokeId: 1, globalOpcode: '0.4.0.0.1.0.71' }], anomalies: ['tcap.global_opcode'] });
    expect(matches({ 'map.opcode': [71] }, record)).toBe(false);
    // The opcode is absent: a `not` set holds, as for any absent field.
    expect(matches({ 'map.opcode': { not: [71] } }, record)).toBe(true);
  });

  it('refuses an operation name the decoder does not know, naming the rule', () => {
    expect(() => matches({ 'map.opcode': ['noSuchOperation'] }, message({ components: [invoke(1)] }))).toThrowError(/test#r.*map\.opcode.*noSuchOperation/);
    expect(() => matches({ 'map.opcode': ['noSuchOperation'] }, message({ components: [invoke(1)] }))).toThrowError(PolicyError);
  });

  it('matches component types', () => {
    const record = message({ tcap: 'end', components: [{ type: 'returnResultLast', invokeId: 1, opcode: 71 }] });
    expect(matches({ 'map.opcode': [71] }, record)).toBe(true);
    expect(matches({ 'map.opcode': [71], 'tcap.component_type': ['invoke'] }, record)).toBe(false);
    expect(matches({ 'tcap.component_type': ['returnResultLast', 'returnError'] }, record)).toBe(true);
  });
});

describe('digits conditions', () => {
  const fromPartnerA = message({ calling: PARTNER_A_HLR });
  const fromAttacker = message({ calling: ATTACKER });
  const noCallingGt = message({ calling: undefined });

  it('matches prefixes and named lists', () => {
    expect(matches({ 'sccp.calling.digits': { prefixes: ['1202'] } }, fromPartnerA)).toBe(true);
    expect(matches({ 'sccp.calling.digits': { prefixes: ['1203', '44'] } }, fromPartnerA)).toBe(false);
    const lists = { lists: { bad: { kind: 'gt' as const, prefixes: ['99988'] } } };
    expect(matches({ 'sccp.calling.digits': { lists: ['bad'] } }, fromAttacker, undefined, lists)).toBe(true);
    expect(matches({ 'sccp.calling.digits': { lists: ['bad'] } }, fromPartnerA, undefined, lists)).toBe(false);
    expect(() => matches({ 'sccp.calling.digits': { lists: ['missing'] } }, fromPartnerA)).toThrowError(/unknown list "missing"/);
  });

  it('matches networks: home, partners, partner:<name>, foreign', () => {
    const home = message({ calling: HOME_VLR });
    expect(matches({ 'sccp.calling.digits': { networks: ['home'] } }, home)).toBe(true);
    expect(matches({ 'sccp.calling.digits': { networks: ['partners'] } }, home)).toBe(false);
    expect(matches({ 'sccp.calling.digits': { networks: ['partners'] } }, fromPartnerA)).toBe(true);
    expect(matches({ 'sccp.calling.digits': { networks: ['partner:partner-a'] } }, fromPartnerA)).toBe(true);
    expect(matches({ 'sccp.calling.digits': { networks: ['partner:partner-b'] } }, fromPartnerA)).toBe(false);
    expect(matches({ 'sccp.calling.digits': { networks: ['foreign'] } }, fromPartnerA)).toBe(false);
    expect(matches({ 'sccp.calling.digits': { networks: ['foreign'] } }, home)).toBe(false);
    expect(matches({ 'sccp.calling.digits': { networks: ['foreign'] } }, fromAttacker)).toBe(true);
    expect(() => matches({ 'sccp.calling.digits': { networks: ['partner:nobody'] } }, home)).toThrowError(/unknown partner/);
  });

  it('treats the parts as alternatives and `not` as the negation of the whole', () => {
    const condition = { prefixes: ['999'], networks: ['partner:partner-b'] };
    expect(matches({ 'sccp.calling.digits': condition }, fromAttacker)).toBe(true);
    expect(matches({ 'sccp.calling.digits': condition }, fromPartnerA)).toBe(false);
    expect(matches({ 'sccp.calling.digits': { ...condition, not: true } }, fromPartnerA)).toBe(true);
    expect(matches({ 'sccp.calling.digits': { ...condition, not: true } }, fromAttacker)).toBe(false);
  });

  it('treats absent digits as unknown: positive false, negated true', () => {
    expect(matches({ 'sccp.calling.digits': { networks: ['foreign'] } }, noCallingGt)).toBe(false);
    expect(matches({ 'sccp.calling.digits': { networks: ['home'], not: true } }, noCallingGt)).toBe(true);
    expect(matches({ 'e212.imsi': { networks: ['home'], not: true } }, message({ components: [invoke(71)] }))).toBe(true);
  });

  it('reads IMSI membership by MCC+MNC and every other digits field by GT prefixes', () => {
    const record = message({ components: [invoke(71, { map: { imsi: HOME_IMSI, msisdn: '447700900123' } })] });
    expect(matches({ 'e212.imsi': { networks: ['home'] } }, record)).toBe(true);
    expect(matches({ 'e212.imsi': { prefixes: ['23415'] } }, record)).toBe(true);
    expect(matches({ 'e164.msisdn': { networks: ['home'] } }, record)).toBe(true);
    // The home GT prefix does not make an IMSI home, nor the MCC+MNC an MSISDN.
    const crossed = { ...NETWORKS, home: { mccMnc: ['44770'], gtPrefixes: ['23415'] } };
    expect(matches({ 'e212.imsi': { networks: ['home'] } }, record, undefined, { networks: crossed })).toBe(false);
    expect(matches({ 'e164.msisdn': { networks: ['home'] } }, record, undefined, { networks: crossed })).toBe(false);
  });

  it('finds the IMSI in map.imsi, an sm-RP-DA imsi, or the CAP imsi', () => {
    const mtForwardSm = message({ components: [invoke(44, { map: { smRpDa: { kind: 'imsi', digits: PARTNER_B_IMSI } } })] });
    expect(matches({ 'e212.imsi': { networks: ['partner:partner-b'] } }, mtForwardSm)).toBe(true);
    const lmsi = message({ components: [invoke(44, { map: { smRpDa: { kind: 'lmsi', digits: '01020304' } } })] });
    expect(matches({ 'e212.imsi': { prefixes: ['0'] } }, lmsi)).toBe(false);
    const initialDp = message({ application: 'cap', components: [invoke(0, { cap: { imsi: PARTNER_A_IMSI } })] });
    expect(matches({ 'e212.imsi': { networks: ['partner:partner-a'] } }, initialDp)).toBe(true);
  });

  it('reads the MAP address fields, the SC address from sm-RP-DA/OA, and the sm-RP-OA MSISDN', () => {
    const updateLocation = message({ components: [invoke(2, { map: { imsi: HOME_IMSI, mscNumber: '99988000003', vlrNumber: '99988000004' } })] });
    expect(matches({ 'map.msc_number': { prefixes: ['99988000003'] }, 'map.vlr_number': { networks: ['foreign'] } }, updateLocation)).toBe(true);
    const others = message({ components: [invoke(7, { map: { sgsnNumber: '1', hlrNumber: '2', gsmscfAddress: '3' } })] });
    expect(matches({ 'map.sgsn_number': { prefixes: ['1'] }, 'map.hlr_number': { prefixes: ['2'] }, 'map.gsmscf_address': { prefixes: ['3'] } }, others)).toBe(true);
    const moForwardSm = message({ components: [invoke(46, { map: { smRpDa: { kind: 'serviceCentreAddressDA', digits: '447700900004' }, smRpOa: { kind: 'msisdn', digits: '447700900150' } } })] });
    expect(matches({ 'map.service_centre_address': { networks: ['home'] }, 'map.sm_rp_oa.msisdn': { prefixes: ['4477009001'] } }, moForwardSm)).toBe(true);
    const mtForwardSm = message({ components: [invoke(44, { map: { smRpOa: { kind: 'serviceCentreAddressOA', digits: '61491570004' } } })] });
    expect(matches({ 'map.service_centre_address': { networks: ['partner:partner-b'] } }, mtForwardSm)).toBe(true);
    expect(matches({ 'map.sm_rp_oa.msisdn': { prefixes: ['6'] } }, mtForwardSm)).toBe(false);
  });
});

describe('component scope', () => {
  const atiHomeImsi = { 'map.opcode': [71], 'e212.imsi': { networks: ['home'] } };

  it('requires one component to satisfy every component condition together', () => {
    const together = message({ components: [invoke(71, { map: { imsi: HOME_IMSI } })] });
    expect(matches(atiHomeImsi, together)).toBe(true);
    // The opcode on one component, the home IMSI on the other: no single component satisfies both.
    const apart = message({ components: [invoke(71, { map: { imsi: PARTNER_A_IMSI } }), { ...invoke(56, { map: { imsi: HOME_IMSI } }), invokeId: 2 }] });
    expect(matches(atiHomeImsi, apart)).toBe(false);
  });

  it('finds a forbidden operation in any component, not only the first', () => {
    const hidden = message({ anomalies: ['tcap.multiple_components'], components: [invoke(56, { map: { imsi: HOME_IMSI } }), { ...invoke(71, { map: { imsi: HOME_IMSI } }), invokeId: 2 }] });
    expect(matches({ 'map.opcode': [71] }, hidden)).toBe(true);
    expect(matches(atiHomeImsi, hidden)).toBe(true);
  });

  it('matches no component rule on a message without TCAP or without components; message rules still apply', () => {
    expect(matches({ 'map.opcode': { not: [71] } }, message({ tcap: 'none' }))).toBe(false);
    expect(matches({ 'tcap.component_type': { not: ['invoke'] } }, message({ components: [] }))).toBe(false);
    expect(matches({ 'sccp.called.ssn': [6] }, message({ tcap: 'none' }))).toBe(true);
  });

  it('applies message conditions to the message and component conditions per component', () => {
    const record = message({ calling: ATTACKER, components: [invoke(56), { ...invoke(71), invokeId: 2 }] });
    expect(matches({ 'sccp.calling.digits': { networks: ['foreign'] }, 'map.opcode': [71] }, record)).toBe(true);
    expect(matches({ 'sccp.calling.digits': { networks: ['partners'] }, 'map.opcode': [71] }, record)).toBe(false);
  });
});

describe('rule order and shadow rules', () => {
  const record = message({ calling: ATTACKER, components: [invoke(71, { map: { imsi: HOME_IMSI } })] });

  it('lets the first matching enforce rule decide', () => {
    const p = policy([
      { name: 'not-this', action: 'drop', match: { 'map.opcode': [2] } },
      { name: 'first', action: 'alert', category: 2, match: { 'sccp.calling.digits': { networks: ['foreign'] } } },
      { name: 'second', action: 'drop', category: 1, match: { 'map.opcode': [71] } },
    ]);
    expect(evaluate(p, record)).toEqual({ action: 'alert', rule: 'test#first', category: 2, shadowHits: [] });
  });

  it('reports the shadow rules that matched before the deciding rule, in order, and none after it', () => {
    const p = policy([
      { name: 'shadow-a', action: 'drop', mode: 'shadow', match: { 'map.opcode': [71] } },
      { name: 'shadow-miss', action: 'drop', mode: 'shadow', match: { 'map.opcode': [2] } },
      { name: 'shadow-b', action: 'allow', mode: 'shadow', match: { 'ingress.side': ['external'] } },
      { name: 'decides', action: 'drop', category: 1, match: { 'map.opcode': [71] } },
      { name: 'shadow-after', action: 'drop', mode: 'shadow', match: { 'map.opcode': [71] } },
    ]);
    expect(evaluate(p, record)).toEqual({ action: 'drop', rule: 'test#decides', category: 1, shadowHits: ['test#shadow-a', 'test#shadow-b'] });
  });

  it('never lets a shadow rule decide: without an enforce match the default applies, with the hits', () => {
    const p = policy([{ name: 'watch', action: 'drop', mode: 'shadow', match: { 'map.opcode': [71] } }]);
    expect(evaluate(p, record)).toEqual({ action: 'allow', rule: 'test#default', category: undefined, shadowHits: ['test#watch'] });
  });

  it('gives the same verdict when a policy is evaluated again (compiled once, cached)', () => {
    const p = policy([{ name: 'ati', action: 'drop', match: { 'map.opcode': ['anyTimeInterrogation'] } }]);
    expect(evaluate(p, record)).toEqual(evaluate(p, record));
  });
});

describe('relation callingGtNetwork', () => {
  const psi = (calling: string | undefined, imsi: string | undefined) => message({ calling, callingSsn: 6, called: HOME_VLR, calledSsn: 7, components: [invoke(70, imsi === undefined ? {} : { map: { imsi } })] });
  const same = { 'sigwall.relation': { callingGtNetwork: 'same-as-imsi-home' } };
  const differs = { 'sigwall.relation': { callingGtNetwork: 'differs-from-imsi-home' } };

  it('holds "same" when the calling GT and the IMSI belong to the same network', () => {
    expect(matches(same, psi(PARTNER_B_HLR, PARTNER_B_IMSI))).toBe(true);
    expect(matches(differs, psi(PARTNER_B_HLR, PARTNER_B_IMSI))).toBe(false);
    expect(matches(same, psi(HOME_HLR, HOME_IMSI))).toBe(true);
  });

  it('holds "differs" for another known network, and for an unknown or absent calling GT', () => {
    expect(matches(differs, psi(PARTNER_A_HLR, PARTNER_B_IMSI))).toBe(true);
    expect(matches(differs, psi(PARTNER_A_HLR, HOME_IMSI))).toBe(true);
    expect(matches(differs, psi(ATTACKER, PARTNER_B_IMSI))).toBe(true);
    expect(matches(same, psi(ATTACKER, PARTNER_B_IMSI))).toBe(false);
    expect(matches(differs, psi(undefined, PARTNER_B_IMSI))).toBe(true);
  });

  it('holds neither without an IMSI or with an IMSI of no known network', () => {
    expect(matches(same, psi(PARTNER_B_HLR, undefined))).toBe(false);
    expect(matches(differs, psi(ATTACKER, undefined))).toBe(false);
    expect(matches(differs, psi(ATTACKER, UNKNOWN_IMSI))).toBe(false);
    expect(matches(same, psi(ATTACKER, UNKNOWN_IMSI))).toBe(false);
  });

  it('reads the IMSI of the component being matched, together with its other conditions', () => {
    const rule = { 'map.opcode': [70], ...differs };
    // PSI carries the matching partner IMSI; a second component carries a foreign one.
    const record = message({ calling: PARTNER_B_HLR, components: [invoke(70, { map: { imsi: PARTNER_B_IMSI } }), { ...invoke(56, { map: { imsi: PARTNER_A_IMSI } }), invokeId: 2 }] });
    expect(matches(rule, record)).toBe(false);
    expect(matches(differs, record)).toBe(true);
  });

  it('assigns overlapping prefixes to the network with the longest one', () => {
    const overlapping = { ...NETWORKS, home: { mccMnc: ['23415'], gtPrefixes: ['4477'] }, partners: { ...NETWORKS.partners, 'partner-a': { mccMnc: ['310990'], gtPrefixes: ['447712'] } } };
    const record = psi('447712000001', PARTNER_A_IMSI);
    expect(matches(same, record, undefined, { networks: overlapping })).toBe(true);
    expect(matches(same, psi('447700000001', HOME_IMSI), undefined, { networks: overlapping })).toBe(true);
  });
});
