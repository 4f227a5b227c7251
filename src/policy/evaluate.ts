// The reference evaluator: the definition of what a policy does to a message. The native
// classifier is tested against it message by message, so it is written to be read, not to be
// fast: every condition is checked the obvious way, on the decoded MessageRecord.
//
// Semantics (docs/policy.md states the same for operators):
//
// 1. A message whose decode status is "malformed" gets defaults.malformed, rule
//    "<policy>#malformed", before any rule is looked at: a firewall that passes what it cannot
//    read is a bypass.
// 2. Rules are tried in order. A rule matches a message when
//    - every message-scope condition holds (fields.ts scope "message"), and
//    - if the rule has component-scope conditions (fields.ts scope "component", and
//      sigwall.relation), at least one component of the message satisfies all of them together.
//      A message without TCAP or without components matches no rule that has component
//      conditions. This is what keeps "several components with one forbidden" from hiding the
//      forbidden one, and what ties an IMSI condition to the component whose operation matched.
//    The first matching `enforce` rule decides: its action, its id, its category. `shadow`
//    rules that match before it are listed in shadowHits, in order; shadow rules after the
//    deciding rule are not evaluated. No enforce rule matches: defaults.action, rule
//    "<policy>#default", category undefined.
// 3. Set conditions (point codes, small integers, routing context, enums, OIDs, operations):
//    `[a, b]` holds when the field's value is one of them; `{ not: [a, b] }` when it is none of
//    them. A field the message does not carry matches a positive set only if the set names
//    "absent", and satisfies a `not` set unless "absent" is among its values ("calling SSN not 6"
//    holds for a message without a calling SSN).
// 4. Anomaly conditions: `[a, b]` holds when any of the named anomalies is present,
//    `{ not: [a, b] }` when none is.
// 5. Digits conditions: the digits start with one of `prefixes`, or with a prefix of one of the
//    named `lists`, or belong to one of `networks` ("home", "partners" = any partner,
//    "partner:<name>", "foreign" = neither home nor any partner). Network membership reads the
//    network's mccMnc for an IMSI (fields.ts digitsKind 'imsi': e212.imsi) and its gtPrefixes
//    for every other digits field (GTs, MSISDNs, MAP addresses). The parts
//    are alternatives (any one suffices); `not: true` negates the whole condition. Absent digits:
//    a positive condition is false, a negated one true (unknown is not home).
// 6. sigwall.relation callingGtNetwork (component scope): the network of sccp.calling.digits is
//    found by gtPrefixes and the network of the component's IMSI (e212.imsi) by mccMnc, each
//    among home and the partners, by the longest matching prefix (ties: home, then partners in
//    the order written). "same-as-imsi-home" holds when both are found and are the same network;
//    "differs-from-imsi-home" holds when the IMSI's network is found and the calling GT's is
//    another one or none (an unknown calling GT differs). Without an IMSI neither holds.
//
// Field values (where each registry field is read in the record) are the table FIELD_VALUES
// below. Notable choices: ingress.side comes from the caller (default "external"); map.opcode
// exists only on components of MAP messages and cap.opcode only on CAP ones, and only as a local
// operation code: a global (OID) opcode equals no number, and is screened with the anomaly
// tcap.global_opcode instead.
import { operationNames } from '../dataplane/decoder.js';
import type { ComponentRecord, MessageRecord } from '../decode/record.js';
import { PolicyError } from '../errors.js';
import { FIELD_BY_NAME, type FieldDefinition } from './fields.js';
import type { Action, DigitsCondition, Policy, Relation, Rule } from './schema.js';

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

// The minimal input the evaluator needs: `Policy.parse(input)` output with an id per rule, or
// the frozen policy resolvePolicy() returns. Operation names may still be names here; they are
// resolved to numbers once per policy (see compile()).
export type ResolvedRuleLike = DeepReadonly<Pick<Rule, 'category' | 'action' | 'mode' | 'match'>> & {
  readonly id: string;
};
export type ResolvedPolicyLike = DeepReadonly<Pick<Policy, 'name' | 'networks' | 'lists' | 'defaults'>> & {
  readonly rules: readonly ResolvedRuleLike[];
};

export type Category = Rule['category'];

export interface Verdict {
  action: Action;
  // The deciding rule's id, or "<policy>#default" / "<policy>#malformed".
  rule: string;
  category: Category | undefined;
  // Ids of the shadow rules that matched before the deciding rule, in rule order.
  shadowHits: string[];
}

export interface EvaluationContext {
  // The side the message arrived from. Default: external (the interconnect).
  side?: 'external' | 'internal';
}

// Rule ids as resolvePolicy() gives them, for a policy that only went through Policy.parse().
export function withRuleIds(policy: Policy): ResolvedPolicyLike {
  return { ...policy, rules: policy.rules.map((rule) => ({ ...rule, id: `${policy.name}#${rule.name}` })) };
}

// ---------------------------------------------------------------------------------------------
// Field values

type Value = string | number | undefined;
type MessageValue = (record: MessageRecord, context: Required<EvaluationContext>) => Value;
type ComponentValue = (record: MessageRecord, component: ComponentRecord) => Value;

// e212.imsi: the MAP imsi, else an sm-RP-DA of kind imsi (mt-forwardSM), else the CAP imsi.
function componentImsi(component: ComponentRecord): string | undefined {
  const smRpDa = component.map?.smRpDa;
  return component.map?.imsi ?? (smRpDa?.kind === 'imsi' ? smRpDa.digits : undefined) ?? component.cap?.imsi;
}

function serviceCentreAddress(component: ComponentRecord): string | undefined {
  const map = component.map;
  if (map === undefined) return undefined;
  if (map.serviceCentreAddress !== undefined) return map.serviceCentreAddress;
  if (map.smRpDa?.kind === 'serviceCentreAddressDA') return map.smRpDa.digits;
  if (map.smRpOa?.kind === 'serviceCentreAddressOA') return map.smRpOa.digits;
  return undefined;
}

const MESSAGE_VALUES: Record<string, MessageValue> = {
  'ingress.side': (_, context) => context.side,
  'mtp3.opc': (r) => r.mtp3?.opc,
  'mtp3.dpc': (r) => r.mtp3?.dpc,
  'mtp3.si': (r) => r.mtp3?.si,
  'm3ua.routing_context': (r) => (r.m3ua ?? r.sua)?.routingContext,
  'sccp.message_type': (r) => r.sccp?.messageType,
  'sccp.called.ssn': (r) => r.sccp?.called.ssn,
  'sccp.calling.ssn': (r) => r.sccp?.calling.ssn,
  'sccp.called.gti': (r) => r.sccp?.called.gti,
  'sccp.calling.gti': (r) => r.sccp?.calling.gti,
  'sccp.called.tt': (r) => r.sccp?.called.tt,
  'sccp.calling.tt': (r) => r.sccp?.calling.tt,
  'sccp.called.np': (r) => r.sccp?.called.np,
  'sccp.calling.np': (r) => r.sccp?.calling.np,
  'sccp.called.nai': (r) => r.sccp?.called.nai,
  'sccp.calling.nai': (r) => r.sccp?.calling.nai,
  'sccp.called.pc': (r) => r.sccp?.called.pc,
  'sccp.calling.pc': (r) => r.sccp?.calling.pc,
  'sccp.called.digits': (r) => r.sccp?.called.digits,
  'sccp.calling.digits': (r) => r.sccp?.calling.digits,
  'tcap.type': (r) => r.tcap?.type,
  'tcap.application_context_name': (r) => r.tcap?.applicationContext,
  'sigwall.application': (r) => r.application,
  // sigwall.anomaly is a set over record.anomalies, not one value: see anomalyHolds().
};

const COMPONENT_VALUES: Record<string, ComponentValue> = {
  'tcap.component_type': (_, c) => c.type,
  'map.opcode': (r, c) => (r.application === 'map' ? c.opcode : undefined),
  'cap.opcode': (r, c) => (r.application === 'cap' ? c.opcode : undefined),
  'e212.imsi': (_, c) => componentImsi(c),
  'e164.msisdn': (_, c) => c.map?.msisdn,
  'map.msc_number': (_, c) => c.map?.mscNumber,
  'map.vlr_number': (_, c) => c.map?.vlrNumber,
  'map.sgsn_number': (_, c) => c.map?.sgsnNumber,
  'map.hlr_number': (_, c) => c.map?.hlrNumber,
  'map.gsmscf_address': (_, c) => c.map?.gsmscfAddress,
  'map.service_centre_address': (_, c) => serviceCentreAddress(c),
  'map.sm_rp_oa.msisdn': (_, c) => (c.map?.smRpOa?.kind === 'msisdn' ? c.map.smRpOa.digits : undefined),
};

// Which fields have a value extractor: the tests check every registry field is covered.
export const EVALUATED_FIELDS: readonly string[] = [...Object.keys(MESSAGE_VALUES), 'sigwall.anomaly', ...Object.keys(COMPONENT_VALUES)];

// ---------------------------------------------------------------------------------------------
// Conditions

type SetValue = string | number;
type SetCondition = readonly SetValue[] | { readonly not: readonly SetValue[] };

function setValues(condition: SetCondition): { values: readonly SetValue[]; negated: boolean } {
  return Array.isArray(condition) ? { values: condition, negated: false } : { values: (condition as { not: readonly SetValue[] }).not, negated: true };
}

function setHolds(condition: SetCondition, value: Value): boolean {
  const { values, negated } = setValues(condition);
  const listed = values.includes(value === undefined ? 'absent' : value);
  return negated ? !listed : listed;
}

function anomalyHolds(condition: SetCondition, anomalies: readonly string[]): boolean {
  const { values, negated } = setValues(condition);
  const anyPresent = values.some((name) => anomalies.includes(String(name)));
  return negated ? !anyPresent : anyPresent;
}

type NetworkLike = ResolvedPolicyLike['networks']['home'];
// What network membership reads (fields.ts digitsKind): an IMSI (E.212) its MCC+MNC, a GT or an
// MSISDN (E.164) its gtPrefixes.
type Membership = 'mccMnc' | 'gtPrefixes';

function membershipOf(definition: FieldDefinition): Membership {
  return definition.digitsKind === 'imsi' ? 'mccMnc' : 'gtPrefixes';
}

function networkPrefixes(network: NetworkLike, kind: Membership): readonly string[] {
  return network[kind];
}

function startsWithAny(digits: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => digits.startsWith(prefix));
}

function inNetwork(policy: ResolvedPolicyLike, ref: string, digits: string, kind: Membership): boolean {
  const home = startsWithAny(digits, networkPrefixes(policy.networks.home, kind));
  const partners = Object.values(policy.networks.partners);
  if (ref === 'home') return home;
  if (ref === 'partners') return partners.some((partner) => startsWithAny(digits, networkPrefixes(partner, kind)));
  if (ref === 'foreign') return !home && !partners.some((partner) => startsWithAny(digits, networkPrefixes(partner, kind)));
  const partner = policy.networks.partners[ref.slice('partner:'.length)];
  // compile() has checked the partner exists.
  return partner !== undefined && startsWithAny(digits, networkPrefixes(partner, kind));
}

function digitsHold(policy: ResolvedPolicyLike, condition: DeepReadonly<DigitsCondition>, digits: string | undefined, kind: Membership): boolean {
  let matched = false;
  if (digits !== undefined) {
    const fromPrefixes = startsWithAny(digits, condition.prefixes ?? []);
    const fromLists = (condition.lists ?? []).some((name) => startsWithAny(digits, policy.lists[name]?.prefixes ?? []));
    const fromNetworks = (condition.networks ?? []).some((ref) => inNetwork(policy, ref, digits, kind));
    matched = fromPrefixes || fromLists || fromNetworks;
  }
  return condition.not ? !matched : matched;
}

// The network (home or a partner) owning `digits`: the longest matching prefix wins; on a tie,
// home, then partners in the order written. undefined when no network claims the digits.
function owningNetwork(policy: ResolvedPolicyLike, digits: string | undefined, kind: Membership): string | undefined {
  if (digits === undefined) return undefined;
  const candidates: [string, NetworkLike][] = [['home', policy.networks.home], ...Object.entries(policy.networks.partners).map(([name, network]): [string, NetworkLike] => [`partner:${name}`, network])];
  let owner: string | undefined;
  let longest = 0;
  for (const [id, network] of candidates) {
    for (const prefix of networkPrefixes(network, kind)) {
      if (digits.startsWith(prefix) && prefix.length > longest) {
        owner = id;
        longest = prefix.length;
      }
    }
  }
  return owner;
}

function relationHolds(policy: ResolvedPolicyLike, relation: DeepReadonly<Relation>, record: MessageRecord, component: ComponentRecord): boolean {
  // callingGtNetwork is the only relation so far (the schema requires it).
  const imsiNetwork = owningNetwork(policy, componentImsi(component), 'mccMnc');
  if (imsiNetwork === undefined) return false; // no IMSI, or one of no known network: neither holds
  const callingNetwork = owningNetwork(policy, record.sccp?.calling.digits, 'gtPrefixes');
  const same = callingNetwork === imsiNetwork;
  return relation.callingGtNetwork === 'same-as-imsi-home' ? same : !same;
}

// ---------------------------------------------------------------------------------------------
// Compilation: split each rule's conditions by scope and resolve operation names, once per policy.

interface Condition {
  field: string;
  definition: FieldDefinition | undefined; // undefined for sigwall.relation
  condition: unknown;
}

interface CompiledRule {
  rule: ResolvedRuleLike;
  message: Condition[];
  component: Condition[];
}

// Keyed by the policy object: a policy is not changed once evaluated (resolvePolicy() freezes it).
const compiled = new WeakMap<ResolvedPolicyLike, CompiledRule[]>();

// resolvePolicy() reports these with the file and line; a policy that did not go through it
// gets the same error class, naming the policy, the rule and the field.
function policyError(policy: ResolvedPolicyLike, rule: ResolvedRuleLike, field: string, message: string): PolicyError {
  const index = policy.rules.indexOf(rule);
  return new PolicyError([{ file: policy.name, rule: rule.id, path: `rules[${index}].match.${field}`, message }]);
}

// Operation names -> local codes, per application, from the decoder's own tables (the names
// Wireshark shows). Loaded only when a policy names an operation.
let operationCodes: { map: Map<string, number>; cap: Map<string, number> } | undefined;

function operationCode(application: 'map' | 'cap', name: string): number | undefined {
  if (operationCodes === undefined) {
    const names = operationNames();
    const invert = (table: Record<string, string>) => new Map(Object.entries(table).map(([code, n]) => [n, Number(code)]));
    operationCodes = { map: invert(names.map), cap: invert(names.cap) };
  }
  return operationCodes[application].get(name);
}

function resolveOperations(policy: ResolvedPolicyLike, rule: ResolvedRuleLike, field: string, condition: SetCondition): SetCondition {
  const application = field === 'map.opcode' ? 'map' : 'cap';
  const resolve = (value: SetValue): number => {
    if (typeof value === 'number') return value;
    const code = operationCode(application, value);
    if (code === undefined) throw policyError(policy, rule, field, `unknown ${application.toUpperCase()} operation "${value}"`);
    return code;
  };
  const { values, negated } = setValues(condition);
  return negated ? { not: values.map(resolve) } : values.map(resolve);
}

function compile(policy: ResolvedPolicyLike): CompiledRule[] {
  const cached = compiled.get(policy);
  if (cached) return cached;
  const rules = policy.rules.map((rule): CompiledRule => {
    const message: Condition[] = [];
    const component: Condition[] = [];
    for (const [field, raw] of Object.entries(rule.match)) {
      if (raw === undefined) continue;
      if (field === 'sigwall.relation') {
        component.push({ field, definition: undefined, condition: raw });
        continue;
      }
      const definition = FIELD_BY_NAME.get(field);
      if (definition === undefined) throw policyError(policy, rule, field, `unknown field "${field}"`);
      let condition = raw;
      if (definition.type === 'operation') condition = resolveOperations(policy, rule, field, raw as SetCondition);
      if (definition.type === 'digits') {
        const digits = raw as DeepReadonly<DigitsCondition>;
        for (const name of digits.lists ?? []) {
          if (policy.lists[name] === undefined) throw policyError(policy, rule, field, `unknown list "${name}"`);
        }
        for (const ref of digits.networks ?? []) {
          if (ref.startsWith('partner:') && policy.networks.partners[ref.slice('partner:'.length)] === undefined)
            throw policyError(policy, rule, field, `unknown partner "${ref}"`);
        }
      }
      (definition.scope === 'component' ? component : message).push({ field, definition, condition });
    }
    return { rule, message, component };
  });
  compiled.set(policy, rules);
  return rules;
}

function messageConditionHolds(policy: ResolvedPolicyLike, c: Condition, record: MessageRecord, context: Required<EvaluationContext>): boolean {
  const definition = c.definition!;
  if (definition.type === 'anomaly') return anomalyHolds(c.condition as SetCondition, record.anomalies);
  const value = MESSAGE_VALUES[c.field]!(record, context);
  if (definition.type === 'digits') return digitsHold(policy, c.condition as DeepReadonly<DigitsCondition>, value as string | undefined, membershipOf(definition));
  return setHolds(c.condition as SetCondition, value);
}

function componentConditionHolds(policy: ResolvedPolicyLike, c: Condition, record: MessageRecord, component: ComponentRecord): boolean {
  if (c.definition === undefined) return relationHolds(policy, c.condition as DeepReadonly<Relation>, record, component);
  const value = COMPONENT_VALUES[c.field]!(record, component);
  if (c.definition.type === 'digits') return digitsHold(policy, c.condition as DeepReadonly<DigitsCondition>, value as string | undefined, membershipOf(c.definition));
  return setHolds(c.condition as SetCondition, value);
}

function ruleMatches(policy: ResolvedPolicyLike, rule: CompiledRule, record: MessageRecord, context: Required<EvaluationContext>): boolean {
  if (!rule.message.every((c) => messageConditionHolds(policy, c, record, context))) return false;
  if (rule.component.length === 0) return true;
  const components = record.tcap?.components ?? [];
  return components.some((component) => rule.component.every((c) => componentConditionHolds(policy, c, record, component)));
}

// ---------------------------------------------------------------------------------------------

export function evaluate(policy: ResolvedPolicyLike, record: MessageRecord, context?: EvaluationContext): Verdict {
  const rules = compile(policy);
  if (record.status === 'malformed') {
    return { action: policy.defaults.malformed, rule: `${policy.name}#malformed`, category: undefined, shadowHits: [] };
  }
  const ctx: Required<EvaluationContext> = { side: context?.side ?? 'external' };
  const shadowHits: string[] = [];
  for (const compiledRule of rules) {
    if (!ruleMatches(policy, compiledRule, record, ctx)) continue;
    const { rule } = compiledRule;
    if (rule.mode === 'shadow') {
      shadowHits.push(rule.id);
      continue;
    }
    return { action: rule.action, rule: rule.id, category: rule.category, shadowHits };
  }
  return { action: policy.defaults.action, rule: `${policy.name}#default`, category: undefined, shadowHits };
}
