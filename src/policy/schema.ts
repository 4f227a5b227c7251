// The policy language: one zod schema, the one source of the policy's types. A policy is written
// as a TypeScript module with definePolicy(), or as YAML/JSON validated by the same schema.
// docs/policy.md explains it for operators; this file is the definition.
import { z } from 'zod';
import { FIELDS, type FieldDefinition } from './fields.js';

export const Action = z.enum(['allow', 'drop', 'alert']);
export type Action = z.infer<typeof Action>;

// Digit prefixes: E.164 GT prefixes (CC+NDC...), IMSI prefixes (MCC+MNC...), MSISDN prefixes.
export const DigitPrefix = z.string().regex(/^[0-9]{1,20}$/, 'a prefix is 1 to 20 decimal digits');
export const MccMnc = z.string().regex(/^[0-9]{5,6}$/, 'MCC+MNC is 5 or 6 digits (e.g. "23415", "310260")');
const Identifier = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'a name is lower-case letters, digits, "-" or "_", starting with a letter');

export const Network = z
  .object({
    description: z.string().optional(),
    // IMSI home network: the IMSI's MCC+MNC.
    mccMnc: z.array(MccMnc).default([]),
    // The network's global titles (E.164 CC+NDC prefixes of its HLR/VLR/MSC/SMSC/gsmSCF GTs)
    // and MSISDN ranges.
    gtPrefixes: z.array(DigitPrefix).default([]),
    pointCodes: z.array(z.number().int().min(0).max(0xffffff)).default([]),
  })
  .strict();
export type Network = z.infer<typeof Network>;

export const Networks = z
  .object({
    home: Network,
    partners: z.record(Identifier, Network).default({}),
  })
  .strict();

// Named prefix lists, updated through the API without editing rules.
export const PrefixList = z
  .object({
    kind: z.enum(['gt', 'imsi', 'msisdn']),
    description: z.string().optional(),
    prefixes: z.array(DigitPrefix),
  })
  .strict();
export type PrefixList = z.infer<typeof PrefixList>;

// A network reference: "home", "partners" (any partner), "partner:<name>", or "foreign"
// (neither home nor a partner).
export const NetworkRef = z.string().regex(/^(home|partners|foreign|partner:[a-z][a-z0-9_-]*)$/, 'a network is "home", "partners", "foreign" or "partner:<name>"');

// Conditions. A set condition lists values (the field equals one of them) or, with `not`,
// values it must not equal. "absent" stands for a field the message does not carry, where the
// field allows it (fields.ts: absentMatchable). A negated condition holds on an absent field
// unless "absent" is among its values: "calling SSN not 6" is true for a message without one.
const setCondition = <T extends z.ZodTypeAny>(value: T) =>
  z.union([z.array(value).min(1), z.object({ not: z.array(value).min(1) }).strict()]);

const Absent = z.literal('absent');
const SmallInt = z.number().int().min(0).max(255);
const Uint32 = z.number().int().min(0).max(0xffffffff);
const PointCode = z.number().int().min(0).max(0xffffffff);
const Oid = z.string().regex(/^[0-2](\.[0-9]+)+$/, 'an object identifier in dotted form, e.g. "0.4.0.0.1.0.1.3"');
const OperationRef = z.union([z.number().int().min(0).max(255), z.string().min(1)]);
const AnomalyName = z.string().regex(/^[a-z0-9]+\.[a-z0-9_]+$/, 'an anomaly name such as "tcap.global_opcode" (see `sigwall anomalies`)');

// Digits: a prefix, a named list or a network; `not` negates the whole condition (absent
// digits then match: unknown is not home).
export const DigitsCondition = z
  .object({
    prefixes: z.array(DigitPrefix).optional(),
    lists: z.array(Identifier).optional(),
    networks: z.array(NetworkRef).optional(),
    not: z.boolean().default(false),
  })
  .strict()
  .refine((c) => (c.prefixes?.length ?? 0) + (c.lists?.length ?? 0) + (c.networks?.length ?? 0) > 0, {
    message: 'a digits condition names at least one prefix, list or network',
  });
export type DigitsCondition = z.infer<typeof DigitsCondition>;

function conditionFor(field: FieldDefinition): z.ZodTypeAny {
  const withAbsent = <T extends z.ZodTypeAny>(value: T) => (field.absentMatchable ? z.union([value, Absent]) : value);
  switch (field.type) {
    case 'pointCode':
      return setCondition(withAbsent(PointCode));
    case 'smallInt':
      return setCondition(withAbsent(SmallInt));
    case 'uint32':
      return setCondition(withAbsent(Uint32));
    case 'digits':
      return DigitsCondition;
    case 'operation':
      return setCondition(OperationRef);
    case 'enum':
      return setCondition(withAbsent(z.enum(field.values as [string, ...string[]])));
    case 'oid':
      return setCondition(withAbsent(Oid));
    case 'anomaly':
      return setCondition(AnomalyName);
  }
}

// Cross-field relations (component scope: they read the component's IMSI).
export const Relation = z
  .object({
    // Category 2: the calling GT's network against the IMSI's home network (MCC+MNC).
    callingGtNetwork: z.enum(['same-as-imsi-home', 'differs-from-imsi-home']).optional(),
  })
  .strict()
  .refine((r) => r.callingGtNetwork !== undefined, { message: 'a relation names at least one relation' });
export type Relation = z.infer<typeof Relation>;

const matchShape: Record<string, z.ZodTypeAny> = Object.fromEntries(
  FIELDS.map((field) => [field.name, conditionFor(field).optional()]),
);
matchShape['sigwall.relation'] = Relation.optional();

export const Match = z
  .object(matchShape)
  .strict()
  .refine((m) => Object.values(m).some((v) => v !== undefined), { message: 'a rule matches on at least one field' });
export type Match = Record<string, unknown>;

export const Rule = z
  .object({
    name: Identifier,
    description: z.string().optional(),
    // The FS.11 category the rule screens (1, 2, 3), or "custom".
    category: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal('custom')]).default('custom'),
    // Where the screening choice comes from (e.g. "SigFW default config [S1]").
    source: z.string().optional(),
    action: Action,
    // shadow: a would-have-matched is logged and counted, traffic is not affected.
    mode: z.enum(['enforce', 'shadow']).default('enforce'),
    match: Match,
  })
  .strict();
export type Rule = z.infer<typeof Rule>;

export const Policy = z
  .object({
    name: Identifier,
    description: z.string().optional(),
    networks: Networks,
    lists: z.record(Identifier, PrefixList).default({}),
    defaults: z
      .object({
        // What happens to a message no enforced rule matches.
        action: Action.default('allow'),
        // What happens to a message that could not be decoded (status malformed), before any
        // rule: a firewall that passes what it cannot read is a bypass.
        malformed: Action.default('drop'),
      })
      .strict()
      .default({ action: 'allow', malformed: 'drop' }),
    rules: z.array(Rule),
  })
  .strict();
export type PolicyInput = z.input<typeof Policy>;
export type Policy = z.infer<typeof Policy>;

// Typed identity helper for policies written in TypeScript.
export function definePolicy(policy: PolicyInput): PolicyInput {
  return policy;
}

// What resolvePolicy() (load.ts) returns: the parsed policy with every default filled in, every
// reference checked, operation names replaced by their numbers (map.opcode / cap.opcode hold
// numbers only) and every rule given its stable id. The object is deeply frozen.
export type ResolvedRule = Rule & {
  // "<policy name>#<rule name>": follows the rule into the table, counters, events and errors.
  readonly id: string;
};
// Arrays are typed mutable so a ResolvedPolicy passes wherever a Policy is taken; at run time
// they are frozen.
export type ResolvedPolicy = Omit<Policy, 'rules'> & { rules: ResolvedRule[] };
