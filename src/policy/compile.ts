// The policy compiler: a resolved policy -> the table image of docs/table-format.md (that file is
// the contract with the native loader; this file follows it field for field). The semantics are
// the reference evaluator's (evaluate.ts): every class below is "the set of rules whose
// conditions accept these values", computed with the same rules evaluate.ts states, and the test
// suite classifies the demo traffic with the image (test/support/table-interpreter.ts) and holds
// the verdicts to evaluate()'s.
//
// Building is where the cost goes. Digits fields are SPARSE dimensions (docs/table-format.md, "Why
// this shape"): per class, the positive-type rules that accept it and the negative-type rules that
// reject it (digitsDimension()), never crossed with anything. The other, DENSE dimensions split
// their values into equivalence classes (bitsets of compatible rules) and are folded pairwise
// (Recursive Flow Classification) with identical bitsets merged at every step, after cutting each
// bitset above the first rule it decides for sure (truncate()); the final cells hold rule lists.
// Bitsets are Uint32Array words; a rule whose bit is 1 in every class of an input (one no folded
// field constrains, and truncation did not clear) lets a phase compare only the words of rules
// that vary on both sides (combine()). Rule lists go to one typed pool (ListPool).
import { performance } from 'node:perf_hooks';
import { crc32c } from '../builder/crc32c.js';
import { anomalyCatalog, operationNames } from '../dataplane/decoder.js';
import { PolicyError, PolicyTooComplexError } from '../errors.js';
import type { ResolvedPolicyLike, ResolvedRuleLike } from './evaluate.js';
import { FIELDS, type FieldDefinition } from './fields.js';
import { registryHash } from './registry-header.js';

// ---------------------------------------------------------------------------------------------
// Format constants (docs/table-format.md)

export const TABLE_MAGIC = 'SGWLTBL1';
export const TABLE_FORMAT_VERSION = 2;
export const TABLE_HEADER_SIZE = 64;

export const SectionKind = { RULES: 1, STRINGS: 2, DIMENSION: 3, PHASE: 4, RESULTS: 5, RULE_LISTS: 6, NETWORKS: 7, POLICY_NAME: 8, SPARSE: 9, ACCEPT: 10 } as const;
export const LookupKind = { SMALL: 0, SORTED_U32: 1, DIGITS: 2, BYTES: 3, ANOMALY: 4, OPERATION: 5, RELATION: 6 } as const;
export const FeatureBit = { SCCP: 1, TCAP: 2, COMPONENT: 4, RELATION: 8 } as const;

const RELATION_FIELD_ID = 0xffff;
const NO_RULE = 0xffff;
const UNMARKED = 0xffff;
const DIGITS_NODE_SIZE = 8;
// RULES: the designated sparse dimension of a rule without positive-type sparse conditions.
const NO_SPARSE = 0xff;
// The RULES masks are u16: at most 16 sparse dimensions (the registry has 11 digits fields).
const MAX_SPARSE = 16;
// RULES flags: bit 0, the rule has a component-scope condition (it needs a component).
const RULE_FLAG_COMPONENT = 1;

// Budgets (docs/table-format.md "Budgets and errors").
export const BUDGET = {
  phaseEntries: 16 * 1024 * 1024,
  classes: 65_534,
  rules: 65_534,
  results: 65_534,
  anomalyMasks: 12,
} as const;

const ACTION_CODE = { allow: 0, drop: 1, alert: 2 } as const;

export interface CompileOptions {
  // Anomaly names in anomalies.def order (bit i = index i). Default: the addon's anomalyCatalog().
  anomalies?: readonly string[];
  // MAP/CAP operation names -> codes, for a policy whose opcode sets still hold names (one that
  // did not go through resolvePolicy). Default: the addon's operationNames().
  operations?: { map: Record<string, string>; cap: Record<string, string> };
}

export interface DimensionStats {
  field: string;
  lookup: keyof typeof LookupKind;
  scope: 'message' | 'component';
  classes: number;
  // Sparse: out of the RFC cross product, classes carry rule lists (docs/table-format.md).
  sparse: boolean;
  prefixes?: number;
  nodes?: number;
}

export interface PhaseStats {
  left: string;
  right: string;
  rows: number;
  columns: number;
  classes: number;
}

export interface CompileStats {
  rules: number;
  prefixes: number;
  dimensions: DimensionStats[];
  phases: PhaseStats[];
  results: number;
  ruleListEntries: number;
  // The longest rule list (a result list or a sparse class's list): what bounds the per-message
  // list scans (docs/table-format.md, "Classifying", worst case).
  longestRuleList: number;
  imageBytes: number;
  buildMs: number;
}

export interface CompiledTable {
  image: Uint8Array;
  stats: CompileStats;
}

// ---------------------------------------------------------------------------------------------
// Bitsets of rules

class RuleSpace {
  readonly words: number;
  readonly all: Uint32Array;

  constructor(readonly count: number) {
    this.words = Math.max(1, Math.ceil(count / 32));
    this.all = new Uint32Array(this.words);
    for (let r = 0; r < count; r++) this.all[r >>> 5]! |= 1 << (r & 31);
  }

  empty(): Uint32Array {
    return new Uint32Array(this.words);
  }

  of(rules: Iterable<number>): Uint32Array {
    const set = this.empty();
    for (const r of rules) set[r >>> 5]! |= 1 << (r & 31);
    return set;
  }
}

function setBit(set: Uint32Array, r: number): void {
  set[r >>> 5]! |= 1 << (r & 31);
}

function keyOf(set: Uint32Array): string {
  return Buffer.from(set.buffer, set.byteOffset, set.byteLength).toString('latin1');
}

function tooComplex(what: string, size: string, limit: string, details: Record<string, unknown>): never {
  throw new PolicyTooComplexError(`policy too complex: ${what} has ${size} (limit ${limit})`, details);
}

// Decided-rule truncation. `decided` holds the enforce rules whose every condition is on inputs
// already folded into a bitset of this kind (and none on the other side, message vs component):
// such a rule r, once its bit is set, is set in every cell of the final phase this bitset
// reaches, so every final decision through it is <= r. Rules after r can then never decide, and
// shadow rules after r are never reported (RESULTS trims them below the decision), so their bits
// are cleared: bitsets that differ only there become one class. The final bitsets are the
// untruncated ones cut above the lowest such r, which is at or above the untruncated decision
// (docs/table-format.md, "Decided-rule truncation").
function truncate(set: Uint32Array, decided: Uint32Array | undefined): Uint32Array {
  if (decided === undefined) return set;
  for (let w = 0; w < set.length; w++) {
    const bits = set[w]! & decided[w]!;
    if (bits === 0) continue;
    const low = bits & -bits;
    // Keep bits up to and including the lowest decided rule.
    set[w] = set[w]! & (low | (low - 1));
    for (let v = w + 1; v < set.length; v++) set[v] = 0;
    break;
  }
  return set;
}

// The rules whose bit differs between some of these classes: every other rule's bit is 1 in
// all of them (combine() relies on it). Truncation can clear bits of rules no input constrains,
// so this is computed from the classes, not from the conditions.
function varying(space: RuleSpace, classes: readonly Uint32Array[]): Uint32Array {
  const common = Uint32Array.from(space.all);
  for (const set of classes) for (let w = 0; w < space.words; w++) common[w]! &= set[w]!;
  const out = space.empty();
  for (let w = 0; w < space.words; w++) out[w] = space.all[w]! & ~common[w]!;
  return out;
}

// Interns the class bitsets of one dimension or phase: identical bitsets get one class id.
// With `decided`, a bitset is truncated (in place) before it is interned.
class ClassSet {
  readonly sets: Uint32Array[] = [];
  private readonly ids = new Map<string, number>();

  constructor(
    private readonly name: string,
    private readonly limit: number = BUDGET.classes,
    private readonly decided?: Uint32Array,
  ) {}

  intern(set: Uint32Array): number {
    truncate(set, this.decided);
    const key = keyOf(set);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      if (id >= this.limit) tooComplex(this.name, `more than ${this.limit} classes`, `${this.limit}`, { at: this.name, classes: id + 1 });
      this.sets.push(set);
      this.ids.set(key, id);
    }
    return id;
  }
}

// ---------------------------------------------------------------------------------------------
// Conditions

type SetValue = string | number;
type SetCondition = readonly SetValue[] | { readonly not: readonly SetValue[] };

function setValues(condition: unknown): { values: readonly SetValue[]; negated: boolean } {
  return Array.isArray(condition)
    ? { values: condition as SetValue[], negated: false }
    : { values: (condition as { not: readonly SetValue[] }).not, negated: true };
}

interface DigitsConditionLike {
  readonly prefixes?: readonly string[] | undefined;
  readonly lists?: readonly string[] | undefined;
  readonly networks?: readonly string[] | undefined;
  readonly not?: boolean | undefined;
}

function policyError(policy: ResolvedPolicyLike, index: number, field: string, message: string): PolicyError {
  return new PolicyError([{ file: policy.name, rule: policy.rules[index]!.id, path: `rules[${index}].match.${field}`, message }]);
}

// ---------------------------------------------------------------------------------------------
// Dimensions

interface Dimension {
  fieldId: number;
  name: string;
  lookup: keyof typeof LookupKind;
  scope: 'message' | 'component';
  // Dense dimensions: per class, the bitset of compatible rules (empty for sparse ones).
  classes: Uint32Array[];
  // Rules with a condition on this dimension: the only bits that differ between its classes.
  constrained: Uint32Array;
  // Sparse dimensions: per class, the positive-type rules accepting it and the negative-type
  // rules rejecting it, ascending.
  // (ListPool ids).
  sparse?: { positive: number; negative: number }[];
  absentClass: number;
  defaultClass: number;
  // The lookup structure after the 8-byte head; BYTES entries point into STRINGS.
  body: (strings: StringTable) => Uint8Array;
  // DIGITS: the section written in place, `head` bytes left free for the head (a trie is
  // megabytes: one copy fewer).
  section?: (head: number) => Uint8Array;
  prefixes?: number;
  nodes?: number;
}

class StringTable {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  add(bytes: Uint8Array): number {
    const offset = this.size;
    this.chunks.push(bytes);
    this.size += bytes.length;
    return offset;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

// RULE_LISTS: u16 rule lists, each stored once. A list is interned by content: an open-addressing
// table of list ids over typed arrays (no string keys, no Map: the bench's 10,000 rules make
// about 100,000 lists, and the digits path states go through the same pool).
class ListPool {
  data: Uint16Array | Uint32Array;
  length = 0;
  longest = 0;
  offsets = new Int32Array(1024);
  counts = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private ids = 0;
  // Slots hold id + 1 (0: empty); the table is kept at most half full.
  private slots = new Int32Array(2048);

  // `wide`: u32 entries (the digits path states: lists of source ids), else u16 (rule indices).
  constructor(private readonly wide = false) {
    this.data = wide ? new Uint32Array(1 << 16) : new Uint16Array(1 << 16);
    this.intern([], 0); // id 0: the empty list
  }

  list(id: number): Uint16Array | Uint32Array {
    return this.data.subarray(this.offsets[id]!, this.offsets[id]! + this.counts[id]!);
  }

  // The id of the list `list[0, n)` (ascending rule indices).
  intern(list: ArrayLike<number>, n: number = list.length): number {
    let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
    for (let i = 0; i < n; i++) h = Math.imul(h ^ list[i]!, 0x01000193) ^ (h >>> 15);
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const at = this.slots[slot]!;
      if (at === 0) break;
      const id = at - 1;
      if (this.hashes[id] === h && this.counts[id] === n) {
        const from = this.offsets[id]!;
        let same = true;
        for (let i = 0; same && i < n; i++) same = this.data[from + i] === list[i];
        if (same) return id;
      }
      slot = (slot + 1) & mask;
    }
    if (this.length + n > this.data.length) {
      const size = Math.max(this.data.length * 2, this.length + n);
      const grown = this.wide ? new Uint32Array(size) : new Uint16Array(size);
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    for (let i = 0; i < n; i++) this.data[this.length + i] = list[i]!;
    const id = this.ids++;
    if (id === this.offsets.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.offsets = grow(this.offsets);
      this.counts = grow(this.counts);
      this.hashes = grow(this.hashes);
    }
    this.offsets[id] = this.length;
    this.counts[id] = n;
    if (n > this.longest) this.longest = n;
    this.hashes[id] = h;
    this.length += n;
    this.slots[slot] = id + 1;
    if (this.ids * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.ids; id++) {
      let slot = this.hashes[id]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

// A set-valued field over an explicit universe of values: the class of each listed value, of a
// value no rule lists (default) and of the absent field, per evaluate.ts rule 3.
function setClasses(
  space: RuleSpace,
  name: string,
  universe: readonly SetValue[],
  conditions: readonly { rule: number; condition: unknown }[],
  canonical: (value: SetValue) => SetValue | undefined = (value) => value,
  decided?: Uint32Array,
): { classes: ClassSet; valueClass: number[]; defaultClass: number; absentClass: number; constrained: Uint32Array } {
  const constrained = space.of(conditions.map((c) => c.rule));
  const base = space.empty();
  for (let w = 0; w < space.words; w++) base[w] = space.all[w]! & ~constrained[w]!;
  const index = new Map<SetValue, number>(universe.map((value, i) => [value, i]));
  // Slots: the universe's values, then default, then absent.
  const slots = universe.length + 2;
  const DEFAULT = universe.length;
  const ABSENT = universe.length + 1;
  const bits = Array.from({ length: slots }, () => Uint32Array.from(base));
  for (const { rule, condition } of conditions) {
    const { values, negated } = setValues(condition);
    const listed = new Set<number>();
    let absentListed = false;
    for (const raw of values) {
      if (raw === 'absent') absentListed = true;
      else {
        const value = canonical(raw);
        const slot = value === undefined ? undefined : index.get(value);
        if (slot !== undefined) listed.add(slot);
      }
    }
    if (absentListed) listed.add(ABSENT);
    if (negated) {
      for (let s = 0; s < slots; s++) if (!listed.has(s)) setBit(bits[s]!, rule);
    } else {
      for (const s of listed) setBit(bits[s]!, rule);
    }
  }
  const classes = new ClassSet(`dimension ${name}`, BUDGET.classes, decided);
  const valueClass = bits.slice(0, universe.length).map((set) => classes.intern(set));
  return { classes, valueClass, defaultClass: classes.intern(bits[DEFAULT]!), absentClass: classes.intern(bits[ABSENT]!), constrained };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// Little-endian u16s into `out` at `at` (a bulk copy on a little-endian host).
function writeU16s(out: Uint8Array, at: number, values: ArrayLike<number>): void {
  if (LITTLE_ENDIAN && values instanceof Uint16Array) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < values.length; i++) view.setUint16(at + i * 2, values[i]!, true);
}

function u16Table(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  values.forEach((value, i) => view.setUint16(i * 2, value, true));
  return out;
}

// OIDs: the BER contents of a dotted OID (X.690 §8.19), and whether the dotted text is the one
// the decoder would print for those contents (format_oid: no leading zeros, first arc 0..2,
// second arc < 40 under 0 and 1, arcs below 2^63). A non-canonical text equals no record's value.
export function oidContents(dotted: string): Uint8Array | undefined {
  if (!/^[0-2](\.(0|[1-9][0-9]*))+$/.test(dotted)) return undefined;
  const arcs = dotted.split('.').map((arc) => BigInt(arc));
  const limit = 1n << 63n;
  if (arcs[0]! < 2n && arcs[1]! >= 40n) return undefined;
  const subidentifiers = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)];
  const out: number[] = [];
  for (const value of subidentifiers) {
    if (value >= limit) return undefined;
    const septets: number[] = [];
    let v = value;
    do {
      septets.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    septets.forEach((septet, i) => out.push(i < septets.length - 1 ? septet | 0x80 : septet));
  }
  return Uint8Array.from(out);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------
// Digit tries

function popcount10(bits: number): number {
  let n = 0;
  for (let b = bits; b !== 0; b &= b - 1) n++;
  return n;
}

class Trie {
  children = new Int32Array(10 * 1024);
  parent = new Int32Array(1024);
  // Per node, bit d set when it has a child for digit d (encode() reads only those children).
  bitmaps = new Uint16Array(1024);
  count = 1;

  insert(prefix: string): number {
    let node = 0;
    for (let i = 0; i < prefix.length; i++) {
      const digit = prefix.charCodeAt(i) - 48;
      const slot = node * 10 + digit;
      let child = this.children[slot]!;
      if (child === 0) {
        child = this.count++;
        if (child * 10 + 10 > this.children.length) {
          const grown = new Int32Array(this.children.length * 2);
          grown.set(this.children);
          this.children = grown;
          const grownParent = new Int32Array(this.parent.length * 2);
          grownParent.set(this.parent);
          this.parent = grownParent;
          const grownBitmaps = new Uint16Array(this.bitmaps.length * 2);
          grownBitmaps.set(this.bitmaps);
          this.bitmaps = grownBitmaps;
        }
        this.children[slot] = child;
        this.parent[child] = node;
        this.bitmaps[node] = this.bitmaps[node]! | (1 << digit);
      }
      node = child;
    }
    return node;
  }

  // The node format of docs/table-format.md: u16 mark, u16 child bitmap, u32 first child, a
  // node's children consecutive and in digit order. The order is depth-first over child blocks
  // (a visited node's children are placed next, then its first child is visited), so a chain of
  // single children, most of a prefix trie, lies in consecutive nodes: a walk reads few cache
  // lines. `head`: bytes left free before the structure (a multiple of 4).
  encode(mark: (node: number) => number, head = 0): Uint8Array {
    const count = this.count;
    const whole = new Uint8Array(head + 4 + count * DIGITS_NODE_SIZE);
    const view = new DataView(whole.buffer, head);
    view.setUint32(0, count, true);
    const position = new Int32Array(count);
    const stack = new Int32Array(count);
    const children = this.children;
    const bitmaps = this.bitmaps;
    let depth = 0;
    stack[depth++] = 0;
    let next = 1;
    while (depth > 0) {
      const node = stack[--depth]!;
      const first = next;
      const bitmap = bitmaps[node]!;
      // Children get the next positions in digit order; they are visited first to last, so
      // pushed last to first.
      next += popcount10(bitmap);
      let at = next;
      for (let d = 9; d >= 0; d--) {
        if (((bitmap >>> d) & 1) === 0) continue;
        const child = children[node * 10 + d]!;
        position[child] = --at;
        stack[depth++] = child;
      }
      const out = 4 + position[node]! * DIGITS_NODE_SIZE;
      view.setUint16(out, mark(node), true);
      view.setUint16(out + 2, bitmap, true);
      view.setUint32(out + 4, bitmap === 0 ? 0 : first, true);
    }
    return whole;
  }
}

// ---------------------------------------------------------------------------------------------
// The compiler

interface RuleConditions {
  byField: Map<string, unknown>;
  hasComponent: boolean;
  hasMessage: boolean;
  hasSparse: boolean;
}

// Digits fields are sparse dimensions (docs/table-format.md, "Why this shape"): their classes
// are per-partner prefix sets, thousands of them, that would multiply through the RFC tables.
function isSparse(field: FieldDefinition): boolean {
  return field.type === 'digits';
}

function classCountOf(d: Dimension): number {
  return d.sparse !== undefined ? d.sparse.length : d.classes.length;
}

type NetworkLike = ResolvedPolicyLike['networks']['home'];

export function compilePolicy(policy: ResolvedPolicyLike, options: CompileOptions = {}): CompiledTable {
  const started = performance.now();
  const rules = policy.rules;
  if (rules.length > BUDGET.rules) tooComplex('the policy', `${rules.length} rules`, `${BUDGET.rules}`, { rules: rules.length });
  const space = new RuleSpace(rules.length);
  const enforce = space.empty();
  const shadow = space.empty();
  rules.forEach((rule, r) => setBit(rule.mode === 'shadow' ? shadow : enforce, r));

  const scopeOf = new Map<string, 'message' | 'component'>(FIELDS.map((f) => [f.name, f.scope]));
  const fieldByName = new Map<string, FieldDefinition>(FIELDS.map((f) => [f.name, f]));
  scopeOf.set('sigwall.relation', 'component');
  const conditions: RuleConditions[] = rules.map((rule) => {
    const byField = new Map<string, unknown>();
    let hasComponent = false;
    let hasMessage = false;
    let hasSparse = false;
    for (const [field, condition] of Object.entries(rule.match)) {
      if (condition === undefined) continue;
      byField.set(field, condition);
      if (scopeOf.get(field) === 'component') hasComponent = true;
      else hasMessage = true;
      const definition = fieldByName.get(field);
      if (definition !== undefined && isSparse(definition)) hasSparse = true;
    }
    return { byField, hasComponent, hasMessage, hasSparse };
  });
  // The enforce rules decided once the given fields of one scope are folded (see truncate()):
  // every condition of the rule is on one of them.
  const decidedAfter = (scope: 'message' | 'component', folded: ReadonlySet<string>): Uint32Array => {
    const set = space.empty();
    conditions.forEach((c, r) => {
      if (rules[r]!.mode === 'shadow') return;
      // A sparse condition is never folded into the RFC: such a rule is never decided there.
      if (c.hasSparse) return;
      if (scope === 'message' ? c.hasComponent : c.hasMessage) return;
      for (const field of c.byField.keys()) if (scopeOf.get(field) === scope && !folded.has(field)) return;
      setBit(set, r);
    });
    return set;
  };
  const decidedBy = (field: string) => decidedAfter(scopeOf.get(field)!, new Set([field]));
  const byField = new Map<string, { rule: number; condition: unknown }[]>();
  conditions.forEach((c, rule) => {
    for (const [field, condition] of c.byField) {
      let list = byField.get(field);
      if (list === undefined) byField.set(field, (list = []));
      list.push({ rule, condition });
    }
  });
  const conditionsOn = (field: string) => byField.get(field) ?? [];

  const partners = Object.entries(policy.networks.partners);
  const networksInOrder: NetworkLike[] = [policy.networks.home, ...partners.map(([, network]) => network)];
  let prefixCount = 0;

  const dimensions: Dimension[] = [];
  let features = 0;
  // Per rule: the sparse dimensions it constrains, and those of them where it is negative-type
  // (bit i = sparse index i).
  const sparseMask = new Uint16Array(rules.length);
  const negativeType = new Uint16Array(rules.length);
  // RULE_LISTS: the sparse classes' lists and the result lists.
  const lists = new ListPool();

  const fieldIds = new Map<string, number>(FIELDS.map((field, i) => [field.name, i]));
  const used = FIELDS.filter((field) => byField.has(field.name));
  for (const field of used) {
    if (field.layer === 'sccp') features |= FeatureBit.SCCP;
    if (field.layer === 'tcap') features |= FeatureBit.TCAP;
    if (field.scope === 'component' && field.layer !== 'tcap') features |= FeatureBit.COMPONENT;
  }
  const relationRules = conditionsOn('sigwall.relation');
  if (relationRules.length > 0) features |= FeatureBit.RELATION | FeatureBit.COMPONENT;

  const build = (field: FieldDefinition, list: { rule: number; condition: unknown }[]): Dimension => {
    const fieldId = fieldIds.get(field.name)!;
    const scope = field.scope;
    switch (field.type) {
      case 'smallInt':
      case 'enum': {
        const universe: SetValue[] = field.type === 'enum' ? [...field.values!] : Array.from({ length: 256 }, (_, i) => i);
        const built = setClasses(space, field.name, universe, list, undefined, decidedBy(field.name));
        const table = Array.from({ length: 256 }, (_, i) => built.valueClass[i] ?? built.defaultClass);
        return {
          fieldId, name: field.name, lookup: 'SMALL', scope, classes: built.classes.sets, constrained: built.constrained,
          absentClass: built.absentClass, defaultClass: built.defaultClass, body: () => u16Table(table),
        };
      }
      case 'pointCode':
      case 'uint32': {
        const values = [...new Set(list.flatMap(({ condition }) => setValues(condition).values.filter((v): v is number => typeof v === 'number')))].sort((a, b) => a - b);
        const built = setClasses(space, field.name, values, list, undefined, decidedBy(field.name));
        return {
          fieldId, name: field.name, lookup: 'SORTED_U32', scope, classes: built.classes.sets, constrained: built.constrained,
          absentClass: built.absentClass, defaultClass: built.defaultClass,
          body: () => {
            const out = new Uint8Array(4 + values.length * 8);
            const view = new DataView(out.buffer);
            view.setUint32(0, values.length, true);
            values.forEach((value, i) => {
              view.setUint32(4 + i * 8, value, true);
              view.setUint16(8 + i * 8, built.valueClass[i]!, true);
            });
            return out;
          },
        };
      }
      case 'oid': {
        const canonical = (value: SetValue) => (typeof value === 'string' && oidContents(value) !== undefined ? value : undefined);
        const texts = [...new Set(list.flatMap(({ condition }) => setValues(condition).values.filter((v) => v !== 'absent' && canonical(v) !== undefined) as string[]))];
        const entries = texts.map((text) => ({ text, bytes: oidContents(text)! })).sort((a, b) => compareBytes(a.bytes, b.bytes));
        const universe = entries.map((e) => e.text);
        const built = setClasses(space, field.name, universe, list, canonical, decidedBy(field.name));
        return {
          fieldId, name: field.name, lookup: 'BYTES', scope, classes: built.classes.sets, constrained: built.constrained,
          absentClass: built.absentClass, defaultClass: built.defaultClass,
          body: (strings) => {
            const out = new Uint8Array(4 + entries.length * 8);
            const view = new DataView(out.buffer);
            view.setUint32(0, entries.length, true);
            entries.forEach((entry, i) => {
              view.setUint32(4 + i * 8, strings.add(entry.bytes), true);
              view.setUint16(8 + i * 8, entry.bytes.length, true);
              view.setUint16(10 + i * 8, built.valueClass[i]!, true);
            });
            return out;
          },
        };
      }
      case 'operation': {
        const application = field.name === 'cap.opcode' ? 'cap' : 'map';
        let names: Map<string, number> | undefined;
        const resolved = list.map(({ rule, condition }) => {
          const { values, negated } = setValues(condition);
          const numbers = values.map((value) => {
            if (typeof value === 'number') return value;
            names ??= new Map(Object.entries((options.operations ?? operationNames())[application]).map(([code, name]) => [name, Number(code)]));
            const code = names.get(value);
            if (code === undefined) throw policyError(policy, rule, field.name, `unknown ${application.toUpperCase()} operation "${value}"`);
            return code;
          });
          return { rule, condition: negated ? { not: numbers } : numbers };
        });
        const built = setClasses(space, field.name, Array.from({ length: 256 }, (_, i) => i), resolved, undefined, decidedBy(field.name));
        // 256 x (application is CAP) + opcode; the other application's half reads "absent" (the
        // field exists only on components of its own application), the last entry anything else.
        const own = built.valueClass;
        const other = Array.from({ length: 256 }, () => built.absentClass);
        const table = application === 'map' ? [...own, ...other, built.defaultClass] : [...other, ...own, built.defaultClass];
        return {
          fieldId, name: field.name, lookup: 'OPERATION', scope, classes: built.classes.sets, constrained: built.constrained,
          absentClass: built.absentClass, defaultClass: built.defaultClass, body: () => u16Table(table),
        };
      }
      case 'anomaly': {
        const catalog = options.anomalies ?? anomalyCatalog().map((a) => a.name);
        const bitOf = new Map(catalog.map((name, i) => [name, i]));
        const masks: Uint8Array[] = [];
        const maskKeys = new Map<string, number>();
        const perRule = list.map(({ rule, condition }) => {
          const { values, negated } = setValues(condition);
          const mask = new Uint8Array(16);
          for (const name of values) {
            const bit = bitOf.get(String(name));
            // An anomaly the decoders do not know is never present (resolvePolicy refuses it).
            if (bit !== undefined && bit < 128) mask[bit >>> 3]! |= 1 << (bit & 7);
          }
          const key = mask.join(',');
          let j = maskKeys.get(key);
          if (j === undefined) {
            j = masks.length;
            if (j >= BUDGET.anomalyMasks) tooComplex(`dimension ${field.name}`, `more than ${BUDGET.anomalyMasks} distinct anomaly masks`, `${BUDGET.anomalyMasks}`, { at: field.name });
            masks.push(mask);
            maskKeys.set(key, j);
          }
          return { rule, mask: j, negated };
        });
        const constrained = space.of(list.map((c) => c.rule));
        const classes = new ClassSet(`dimension ${field.name}`, BUDGET.classes, decidedBy(field.name));
        const k = masks.length;
        const table: number[] = [];
        for (let index = 0; index < 1 << k; index++) {
          const set = space.empty();
          for (let w = 0; w < space.words; w++) set[w] = space.all[w]! & ~constrained[w]!;
          for (const { rule, mask, negated } of perRule) {
            const any = ((index >>> mask) & 1) === 1;
            if (any !== negated) setBit(set, rule);
          }
          table.push(classes.intern(set));
        }
        return {
          fieldId, name: field.name, lookup: 'ANOMALY', scope, classes: classes.sets, constrained,
          absentClass: table[0]!, defaultClass: table[0]!,
          body: () => {
            const out = new Uint8Array(4 + k * 16 + table.length * 2);
            const view = new DataView(out.buffer);
            view.setUint32(0, k, true);
            masks.forEach((mask, j) => out.set(mask, 4 + j * 16));
            table.forEach((c, i) => view.setUint16(4 + k * 16 + i * 2, c, true));
            return out;
          },
        };
      }
      case 'digits':
        // Digits fields are sparse: digitsDimension() builds them (isSparse()).
        throw new Error(`internal: ${field.name} is a sparse dimension`);
    }
  };

  // A digits field (evaluate.ts rule 5): a trie of every prefix any condition on the field uses.
  // Each prefix node is a "source" entry (a rule's own prefixes, a list, a network); the state on
  // a path is the set of rules some source on it satisfies, plus whether a network (home or a
  // partner) prefix is on it, for "foreign". A node is marked where its class differs from the
  // class it would inherit.
  // A digits field (evaluate.ts rule 5) is a SPARSE dimension (docs/table-format.md, "Why this
  // shape"): it never enters the RFC cross product. Its trie holds every prefix any condition on
  // the field uses; each prefix is a "source" (a rule's own prefixes, a list, a network). The
  // state of a trie node is the set of sources on its path (plus whether a network prefix is on
  // it, for "foreign"); per state the rules it satisfies follow. Each rule constraining the field
  // is positive-type (listed where it accepts) or negative-type (listed where it rejects),
  // whichever lists fewer states; a class is a distinct (positive list, negative list) pair, and
  // a node is marked where its class differs from the class it would inherit.
  const pathStructures = new Map<string, { trie: Trie; states: ListPool; pairs: number[]; nodePair: Int32Array; prefixes: number }>();
  const digitsDimension = (field: FieldDefinition, fieldId: number, list: { rule: number; condition: unknown }[], sparseIndex: number): Dimension => {
    const membership = field.digitsKind === 'imsi' ? 'mccMnc' : 'gtPrefixes';
    const negated = new Uint8Array(rules.length);
    const foreignRules: number[] = [];
    const sources = new Map<string, { id: number; rules: number[]; prefixes: readonly string[]; network: boolean }>();
    const source = (key: string, prefixes: readonly string[], network: boolean) => {
      let s = sources.get(key);
      if (s === undefined) {
        s = { id: sources.size, rules: [], prefixes, network };
        sources.set(key, s);
      }
      return s;
    };
    const addRule = (s: { rules: number[] }, rule: number) => {
      if (s.rules[s.rules.length - 1] !== rule) s.rules.push(rule);
    };
    let foreignUsed = false;
    for (const { rule, condition } of list) {
      const c = condition as DigitsConditionLike;
      if (c.not) negated[rule] = 1;
      if ((c.prefixes?.length ?? 0) > 0) addRule(source(`rule:${rule}`, c.prefixes!, false), rule);
      for (const name of c.lists ?? []) {
        const named = policy.lists[name];
        if (named === undefined) throw policyError(policy, rule, field.name, `unknown list "${name}"`);
        addRule(source(`list:${name}`, named.prefixes, false), rule);
      }
      for (const ref of c.networks ?? []) {
        if (ref === 'foreign') {
          if (foreignRules[foreignRules.length - 1] !== rule) foreignRules.push(rule);
          foreignUsed = true;
        } else if (ref === 'home') addRule(source('network:home', policy.networks.home[membership], true), rule);
        else if (ref === 'partners') for (const [name, network] of partners) addRule(source(`partner:${name}`, network[membership], true), rule);
        else {
          const name = ref.slice('partner:'.length);
          const network = policy.networks.partners[name];
          if (network === undefined) throw policyError(policy, rule, field.name, `unknown partner "${ref}"`);
          addRule(source(`partner:${name}`, network[membership], true), rule);
        }
      }
    }
    if (foreignUsed) {
      source('network:home', policy.networks.home[membership], true);
      for (const [name, network] of partners) source(`partner:${name}`, network[membership], true);
    }

    const sourceList = [...sources.values()];
    // The trie and its path states depend on the sources only (not on the rules): a field whose
    // conditions name the same sources as another's (calling and called GT screened with the
    // same partner lists) shares them.
    const structureKey = `${membership}|${[...sources.entries()].map(([key, s]) => (key.startsWith('rule:') ? `${key}=${s.prefixes.join(',')}` : key)).join('\n')}`;
    let structure = pathStructures.get(structureKey);
    if (structure === undefined) {
      structure = (() => {
        const trie = new Trie();
        // Per node, its one source + 1 (0: none, -1: several, in nodeSources).
        let singleSource = new Int32Array(1024);
        const nodeSources = new Map<number, number[]>();
        let netNode = new Uint8Array(1024);
        let prefixes = 0;
        for (const s of sourceList) {
          for (const prefix of s.prefixes) {
            prefixes++;
            const node = trie.insert(prefix);
            if (node >= singleSource.length) {
              const size = Math.max(singleSource.length * 2, node + 1);
              const grown = new Int32Array(size);
              grown.set(singleSource);
              singleSource = grown;
              const grownNet = new Uint8Array(size);
              grownNet.set(netNode);
              netNode = grownNet;
            }
            const one = singleSource[node]!;
            if (one === 0) singleSource[node] = s.id + 1;
            else if (one > 0 && one !== s.id + 1) {
              singleSource[node] = -1;
              nodeSources.set(node, [one - 1, s.id]);
            } else if (one === -1) {
              const at = nodeSources.get(node)!;
              if (!at.includes(s.id)) at.push(s.id);
            }
            if (s.network) netNode[node] = 1;
          }
        }

        // Path states: sorted source-id sets, interned; transitions memoised.
        // State ids are ListPool ids of the sorted source-id lists (0: no source).
        const states = new ListPool(true);
        const merged = new Int32Array(sourceList.length + 1);
        const transitions = new Map<string | number, number>();
        const sourceCount = sourceList.length + 1;
        const nodeState = new Int32Array(trie.count);
        const nodeNet = new Uint8Array(trie.count);
        // (state, net) pairs met, as state * 2 + net, in order of first use; the default (no source,
        // no network) first.
        const pairIndex = new Map<number, number>([[0, 0]]);
        const pairs: number[] = [0];
        const nodePair = new Int32Array(trie.count);
        for (let node = 1; node < trie.count; node++) {
          const parent = trie.parent[node]!;
          let state = nodeState[parent]!;
          const one = node < singleSource.length ? singleSource[node]! : 0;
          const ownNet = node < netNode.length ? netNode[node]! : 0;
          if (one === 0 && ownNet === 0) {
            // No prefix ends here: the parent's state (most nodes).
            nodeState[node] = state;
            nodeNet[node] = nodeNet[parent]!;
            nodePair[node] = nodePair[parent]!;
            continue;
          }
          if (one !== 0) {
            const tkey = one > 0 ? state * sourceCount + one : `${state}:${nodeSources.get(node)!.join(',')}`;
            let next = transitions.get(tkey);
            if (next === undefined) {
              // The state's sources plus this node's, sorted, deduplicated.
              const own = one > 0 ? [one - 1] : nodeSources.get(node)!;
              const before = states.list(state);
              let n = 0;
              for (let i = 0; i < before.length; i++) merged[n++] = before[i]!;
              for (const s of own) if (!before.includes(s) && !merged.subarray(before.length, n).includes(s)) merged[n++] = s;
              merged.subarray(0, n).sort();
              next = states.intern(merged, n);
              transitions.set(tkey, next);
            }
            state = next;
          }
          nodeState[node] = state;
          const net = nodeNet[parent]! | ownNet;
          nodeNet[node] = net;
          const pair = state * 2 + net;
          let p = pairIndex.get(pair);
          if (p === undefined) {
            p = pairs.length;
            pairs.push(pair);
            pairIndex.set(pair, p);
          }
          nodePair[node] = p;
        }
        return { trie, states, pairs, nodePair, prefixes };
      })();
      pathStructures.set(structureKey, structure);
    }
    const { trie, states, pairs, nodePair, prefixes } = structure;
    prefixCount += prefixes;

    // The rules each pair satisfies before negation ("hit"); the absent value hits none.
    const seen = new Int32Array(rules.length).fill(-1);
    const scratch = new Int32Array(rules.length);
    const hits: Int32Array[] = pairs.map((pair, p) => {
      const state = pair >>> 1;
      let n = 0;
      let parts = 0;
      const add = (list: readonly number[]) => {
        parts++;
        for (const r of list) {
          if (seen[r] === p) continue;
          seen[r] = p;
          scratch[n++] = r;
        }
      };
      for (const s of states.list(state)) add(sourceList[s]!.rules);
      if ((pair & 1) === 0 && foreignRules.length > 0) add(foreignRules);
      const out = scratch.slice(0, n);
      // Each source's rules ascend; several sources need a merge.
      if (parts > 1) out.sort();
      return out;
    });
    // Positive or negative type per rule: the one that lists fewer of the pairs + absent.
    const hitCount = new Int32Array(rules.length);
    for (const h of hits) for (let i = 0; i < h.length; i++) hitCount[h[i]!]!++;
    const total = pairs.length + 1;
    const constrainedRules = list.map((c) => c.rule);
    for (const r of constrainedRules) {
      const accepts = negated[r] ? total - hitCount[r]! : hitCount[r]!;
      // Ties go positive: a positive-type rule leaves the RFC result lists.
      negativeType[r]! |= accepts <= total - accepts ? 0 : 1 << sparseIndex;
    }
    const isNegative = (r: number) => (negativeType[r]! >>> sparseIndex) & 1;
    // Rules listed where they are NOT hit: positive-type negated ones, negative-type plain ones.
    const listedWhenMissed = constrainedRules.filter((r) => (isNegative(r) === 1) !== (negated[r] === 1));
    const mark = new Int32Array(rules.length).fill(-1);
    const classLists: { positive: number; negative: number }[] = [];
    // (positive list id, negative list id) -> class.
    const classIds = new Map<number, number>();
    const positive = new Int32Array(rules.length);
    const negative = new Int32Array(rules.length);
    const classOf = (hit: Int32Array | undefined, stamp: number): number => {
      let p = 0;
      let n = 0;
      if (hit !== undefined) {
        for (let i = 0; i < hit.length; i++) {
          const r = hit[i]!;
          mark[r] = stamp;
          // Hit and listed where hit: a plain positive-type rule accepts, a negated
          // negative-type one rejects.
          if (isNegative(r) === negated[r]) {
            if (isNegative(r)) negative[n++] = r;
            else positive[p++] = r;
          }
        }
      }
      let sortP = false;
      let sortN = false;
      for (const r of listedWhenMissed) {
        if (mark[r] === stamp) continue;
        if (isNegative(r)) {
          sortN ||= n > 0 && negative[n - 1]! > r;
          negative[n++] = r;
        } else {
          sortP ||= p > 0 && positive[p - 1]! > r;
          positive[p++] = r;
        }
      }
      if (sortP) positive.subarray(0, p).sort();
      if (sortN) negative.subarray(0, n).sort();
      const pid = lists.intern(positive, p);
      const nid = lists.intern(negative, n);
      const key = pid * 0x4000000 + nid;
      let id = classIds.get(key);
      if (id === undefined) {
        id = classLists.length;
        if (id >= BUDGET.classes) tooComplex(`dimension ${field.name}`, `more than ${BUDGET.classes} classes`, `${BUDGET.classes}`, { at: field.name, classes: id + 1 });
        classLists.push({ positive: pid, negative: nid });
        classIds.set(key, id);
      }
      return id;
    };
    const pairClass = hits.map((hit, p) => classOf(hit, p));
    const defaultClass = pairClass[0]!;
    const absentClass = classOf(undefined, -2);
    const nodeClass = new Int32Array(trie.count);
    const marks = new Uint16Array(trie.count).fill(UNMARKED);
    nodeClass[0] = defaultClass;
    for (let node = 1; node < trie.count; node++) {
      const c = pairClass[nodePair[node]!]!;
      nodeClass[node] = c;
      if (c !== nodeClass[trie.parent[node]!]) marks[node] = c;
    }
    return {
      fieldId, name: field.name, lookup: 'DIGITS', scope: field.scope, classes: [],
      constrained: space.empty(), absentClass, defaultClass, sparse: classLists,
      body: () => trie.encode((node) => marks[node]!), section: (head) => trie.encode((node) => marks[node]!, head), prefixes, nodes: trie.count,
    };
  };

  // Sparse dimensions get their index (the bit of the RULES masks) in directory order: message
  // scope first, registry order within a scope, as the dimensions themselves.
  let sparseCount = 0;
  for (const field of used) {
    if (isSparse(field)) {
      if (sparseCount >= MAX_SPARSE) tooComplex('the policy', `more than ${MAX_SPARSE} sparse (digits) dimensions`, `${MAX_SPARSE}`, { at: field.name });
      const index = sparseCount++;
      const list = conditionsOn(field.name);
      for (const { rule } of list) sparseMask[rule]! |= 1 << index;
      dimensions.push(digitsDimension(field, fieldIds.get(field.name)!, list, index));
    } else dimensions.push(build(field, conditionsOn(field.name)));
  }
  // Per rule: its positive-type sparse dimensions, the first of which is its designated one.
  const positiveMask = new Uint16Array(rules.length);
  const designated = new Uint8Array(rules.length).fill(NO_SPARSE);
  const eligible = space.empty(); // rules with no positive-type sparse condition: RFC result lists
  const stoppers = space.empty(); // enforce rules with no sparse condition: a result list ends at one
  for (let r = 0; r < rules.length; r++) {
    positiveMask[r] = sparseMask[r]! & ~negativeType[r]!;
    if (positiveMask[r] !== 0) designated[r] = 31 - Math.clz32(positiveMask[r]! & -positiveMask[r]!);
    else setBit(eligible, r);
    if (sparseMask[r] === 0 && rules[r]!.mode !== 'shadow') setBit(stoppers, r);
  }

  // Relations (evaluate.ts rule 6): a component-scope dimension of three values, and the
  // network tries it reads.
  let networksSection: Uint8Array | undefined;
  if (relationRules.length > 0) {
    const constrained = space.of(relationRules.map((c) => c.rule));
    const classes = new ClassSet('dimension sigwall.relation', BUDGET.classes, decidedBy('sigwall.relation'));
    const table = [0, 1, 2].map((index) => {
      const set = space.empty();
      for (let w = 0; w < space.words; w++) set[w] = space.all[w]! & ~constrained[w]!;
      for (const { rule, condition } of relationRules) {
        const wanted = (condition as { callingGtNetwork?: string }).callingGtNetwork;
        if ((index === 1 && wanted === 'same-as-imsi-home') || (index === 2 && wanted === 'differs-from-imsi-home')) setBit(set, rule);
      }
      return classes.intern(set);
    });
    dimensions.push({
      fieldId: RELATION_FIELD_ID, name: 'sigwall.relation', lookup: 'RELATION', scope: 'component', classes: classes.sets, constrained,
      absentClass: table[0]!, defaultClass: table[0]!, body: () => u16Table(table),
    });
    const networkTrie = (membership: 'gtPrefixes' | 'mccMnc') => {
      const trie = new Trie();
      const owner = new Map<number, number>();
      networksInOrder.forEach((network, index) => {
        for (const prefix of network[membership]) {
          prefixCount++;
          const node = trie.insert(prefix);
          // The first network that claims a prefix owns it: home, then partners in order.
          if (!owner.has(node)) owner.set(node, index);
        }
      });
      return trie.encode((node) => owner.get(node) ?? UNMARKED);
    };
    const gt = networkTrie('gtPrefixes');
    const imsi = networkTrie('mccMnc');
    networksSection = new Uint8Array(4 + gt.length + imsi.length);
    new DataView(networksSection.buffer).setUint32(0, networksInOrder.length, true);
    networksSection.set(gt, 4);
    networksSection.set(imsi, 4 + gt.length);
  }


  // Both roots always exist: a side without a dense dimension gets a one-class one.
  const unconstrained = (name: string): Dimension => {
    const field = FIELDS.find((f) => f.name === name)!;
    return build(field, []);
  };
  if (!dimensions.some((d) => d.scope === 'message' && d.sparse === undefined)) dimensions.unshift(unconstrained('sigwall.application'));
  if (!dimensions.some((d) => d.scope === 'component' && d.sparse === undefined)) dimensions.push(unconstrained('tcap.component_type'));

  // -------------------------------------------------------------------------------------------
  // Phases (dense dimensions only)

  interface Node {
    kind: 0 | 1;
    index: number;
    name: string;
    classes: Uint32Array[];
    constrained: Uint32Array;
  }
  interface Phase {
    left: Node;
    right: Node;
    rows: number;
    columns: number;
    table: Uint16Array;
    outputs: number;
  }
  const phases: Phase[] = [];
  const phaseStats: PhaseStats[] = [];

  // The RFC carries only the rules a result list can hold (no positive-type sparse condition):
  // the others are found through their designated sparse dimension and verified with the
  // acceptance bitsets, which keep every rule's bit. Dropping them here merges phase classes.
  const rfcClasses = new Map<Dimension, Uint32Array[]>();
  for (const d of dimensions) {
    if (d.sparse !== undefined) continue;
    const masked = d.classes.map((set) => {
      const out = new Uint32Array(space.words);
      for (let w = 0; w < space.words; w++) out[w] = set[w]! & eligible[w]!;
      return out;
    });
    rfcClasses.set(d, masked);
  }
  const fold = (scope: 'message' | 'component'): Node => {
    const dims = dimensions.map((d, index) => ({ d, index })).filter(({ d }) => d.scope === scope && d.sparse === undefined);
    const folded = new Set<string>([dims[0]!.d.name]);
    const first = rfcClasses.get(dims[0]!.d)!;
    let root: Node = { kind: 0, index: dims[0]!.index, name: dims[0]!.d.name, classes: first, constrained: varying(space, first) };
    for (const { d, index } of dims.slice(1)) {
      const classes = rfcClasses.get(d)!;
      const right: Node = { kind: 0, index, name: d.name, classes, constrained: varying(space, classes) };
      const name = `phase ${phases.length} (${root.name} x ${d.name})`;
      folded.add(d.name);
      const combined = combine(space, name, root.classes, root.constrained, right.classes, right.constrained, BUDGET.classes, decidedAfter(scope, folded));
      phases.push({ left: root, right, rows: root.classes.length, columns: right.classes.length, table: Uint16Array.from(combined.table), outputs: combined.classes.length });
      phaseStats.push({ left: root.name, right: d.name, rows: root.classes.length, columns: right.classes.length, classes: combined.classes.length });
      root = { kind: 1, index: phases.length - 1, name: `phase ${phases.length - 1}`, classes: combined.classes, constrained: combined.constrained };
    }
    return root;
  };
  const messageRoot = fold('message');
  const componentRoot = fold('component');

  // The final phase: message class x (component class | no component). Without components only
  // the rules with no component condition can match (evaluate.ts rule 2).
  const componentRules = space.of(conditions.flatMap((c, rule) => (c.hasComponent ? [rule] : [])));
  const noComponent = space.empty();
  for (let w = 0; w < space.words; w++) noComponent[w] = space.all[w]! & ~componentRules[w]! & eligible[w]!;
  const finalName = `final phase (message root x component root + no component)`;
  const finalColumns = [...componentRoot.classes, noComponent];
  const rows = messageRoot.classes.length;
  const columns = finalColumns.length;
  if (rows * columns > BUDGET.phaseEntries)
    tooComplex(finalName, `${rows} x ${columns} = ${rows * columns} entries`, `${BUDGET.phaseEntries}`, { at: finalName, rows, columns });

  // Results, per cell: the rule list L (docs/table-format.md, Results): the rules of (message
  // class AND component class), ascending, cut after the first enforce rule with no sparse
  // condition (it decides whenever the walk reaches it). Identical lists are one result.
  const words = space.words;
  const results: { offset: number; count: number }[] = [];
  const resultKeys: Uint32Array[] = [];
  const resultFirst = new Map<number, number>();
  const resultNext: number[] = [];
  const cell = new Uint32Array(words);
  const listScratch = new Int32Array(rules.length);
  const finalTable = new Uint16Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    const a = messageRoot.classes[i]!;
    for (let j = 0; j < columns; j++) {
      const b = finalColumns[j]!;
      let n = 0;
      let h = 0x9e3779b9;
      for (let w = 0; w < words; w++) {
        let bits = a[w]! & b[w]!;
        const stop = bits & stoppers[w]!;
        if (stop !== 0) {
          const low = stop & -stop;
          bits &= low | (low - 1);
        }
        cell[w] = bits;
        n = w + 1;
        h = Math.imul(h ^ bits, 0x01000193) ^ (h >>> 15);
        if (stop !== 0) break;
      }
      // Trailing zero words do not make a list different.
      while (n > 0 && cell[n - 1] === 0) n--;
      h = Math.imul(h ^ n, 0x85ebca6b);
      let id: number | undefined = resultFirst.get(h);
      let last = -1;
      while (id !== undefined && id !== -1) {
        const key = resultKeys[id]!;
        let same = key.length === n;
        for (let k = 0; same && k < n; k++) same = key[k] === cell[k];
        if (same) break;
        last = id;
        id = resultNext[id]!;
      }
      if (id === undefined || id === -1) {
        id = results.length;
        if (id >= BUDGET.results) tooComplex(finalName, `more than ${BUDGET.results} results`, `${BUDGET.results}`, { at: finalName, results: id + 1 });
        let count = 0;
        for (let w = 0; w < n; w++) {
          let bits = cell[w]!;
          while (bits !== 0) {
            const low = bits & -bits;
            listScratch[count++] = w * 32 + (31 - Math.clz32(low));
            bits ^= low;
          }
        }
        const listId = lists.intern(listScratch, count);
        results.push({ offset: lists.offsets[listId]!, count });
        resultKeys.push(cell.slice(0, n));
        resultNext.push(-1);
        if (last === -1) resultFirst.set(h, id);
        else resultNext[last] = id;
      }
      finalTable[i * columns + j] = id;
    }
  }
  phases.push({
    left: messageRoot,
    right: { kind: componentRoot.kind, index: componentRoot.index, name: componentRoot.name, classes: finalColumns, constrained: space.empty() },
    rows,
    columns,
    table: finalTable,
    outputs: results.length,
  });
  phaseStats.push({ left: messageRoot.name, right: `${componentRoot.name} + no component`, rows, columns, classes: results.length });

  // -------------------------------------------------------------------------------------------
  // The image

  const strings = new StringTable();
  const encoder = new TextEncoder();
  const sparseDimensions = dimensions.map((d, index) => ({ d, index })).filter(({ d }) => d.sparse !== undefined);
  const rulesSection = new Uint8Array(rules.length * 16);
  {
    const view = new DataView(rulesSection.buffer);
    rules.forEach((rule: ResolvedRuleLike, r) => {
      const id = encoder.encode(rule.id);
      view.setUint32(r * 16, strings.add(id), true);
      view.setUint16(r * 16 + 4, id.length, true);
      view.setUint8(r * 16 + 6, ACTION_CODE[rule.action]);
      view.setUint8(r * 16 + 7, rule.mode === 'shadow' ? 1 : 0);
      view.setUint8(r * 16 + 8, rule.category === 'custom' ? 0 : rule.category);
      view.setUint8(r * 16 + 9, conditions[r]!.hasComponent ? RULE_FLAG_COMPONENT : 0);
      view.setUint8(r * 16 + 10, designated[r]!);
      view.setUint16(r * 16 + 12, sparseMask[r]!, true);
      view.setUint16(r * 16 + 14, negativeType[r]!, true);
    });
  }
  const dimensionSections = dimensions.map((d) => {
    let out: Uint8Array;
    if (d.section !== undefined) out = d.section(8);
    else {
      const body = d.body(strings);
      out = new Uint8Array(8 + body.length);
      out.set(body, 8);
    }
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    view.setUint16(0, d.fieldId, true);
    view.setUint8(2, LookupKind[d.lookup]);
    view.setUint8(3, d.scope === 'message' ? 0 : 1);
    view.setUint16(4, d.absentClass, true);
    view.setUint16(6, d.defaultClass, true);
    return { data: out, count: classCountOf(d) };
  });
  const sparseSections = sparseDimensions.map(({ d, index }) => {
    const classLists = d.sparse!;
    const out = new Uint8Array(8 + classLists.length * 12);
    const view = new DataView(out.buffer);
    view.setUint16(0, index, true);
    classLists.forEach(({ positive, negative }, c) => {
      const at = 8 + c * 12;
      view.setUint32(at, lists.offsets[positive]!, true);
      view.setUint32(at + 4, lists.offsets[negative]!, true);
      view.setUint16(at + 8, lists.counts[positive]!, true);
      view.setUint16(at + 10, lists.counts[negative]!, true);
    });
    return { data: out, count: classLists.length };
  });
  // ACCEPT: per dense dimension, per class, the bitset of the rules the class is compatible
  // with (u64 words, rule r = bit r % 64 of word r / 64), for verifying sparse candidates.
  const acceptWords = Math.ceil(rules.length / 64);
  const denseClassCount = dimensions.reduce((sum, d) => sum + (d.sparse === undefined ? d.classes.length : 0), 0);
  const acceptSection = new Uint8Array(8 + denseClassCount * acceptWords * 8);
  {
    const view = new DataView(acceptSection.buffer);
    view.setUint32(0, acceptWords, true);
    let at = 8;
    for (const d of dimensions) {
      if (d.sparse !== undefined) continue;
      for (const set of d.classes) {
        for (let w = 0; w < acceptWords * 2; w++) view.setUint32(at + w * 4, w < set.length ? set[w]! : 0, true);
        at += acceptWords * 8;
      }
    }
  }
  const phaseSections = phases.map((p) => {
    const out = new Uint8Array(8 + p.table.length * 2);
    const view = new DataView(out.buffer);
    view.setUint8(0, p.left.kind);
    view.setUint8(1, p.left.index);
    view.setUint8(2, p.right.kind);
    view.setUint8(3, p.right.index);
    view.setUint16(4, p.rows, true);
    view.setUint16(6, p.columns, true);
    writeU16s(out, 8, p.table);
    return { data: out, count: p.outputs };
  });
  const resultsSection = new Uint8Array(16 + results.length * 8);
  {
    const view = new DataView(resultsSection.buffer);
    view.setUint8(0, messageRoot.kind);
    view.setUint16(2, messageRoot.index, true);
    view.setUint8(4, componentRoot.kind);
    view.setUint16(6, componentRoot.index, true);
    view.setUint16(8, phases.length - 1, true);
    results.forEach((result, i) => {
      view.setUint32(16 + i * 8, result.offset, true);
      view.setUint16(20 + i * 8, result.count, true);
    });
  }
  const ruleListsSection = new Uint8Array(lists.length * 2);
  writeU16s(ruleListsSection, 0, lists.data.subarray(0, lists.length));

  const sections: { kind: number; data: Uint8Array; count: number }[] = [
    { kind: SectionKind.RULES, data: rulesSection, count: rules.length },
    ...dimensionSections.map((s) => ({ kind: SectionKind.DIMENSION, ...s })),
    ...phaseSections.map((s) => ({ kind: SectionKind.PHASE, ...s })),
    { kind: SectionKind.RESULTS, data: resultsSection, count: results.length },
    ...sparseSections.map((s) => ({ kind: SectionKind.SPARSE, ...s })),
    { kind: SectionKind.ACCEPT, data: acceptSection, count: denseClassCount },
    { kind: SectionKind.RULE_LISTS, data: ruleListsSection, count: lists.length },
    ...(networksSection ? [{ kind: SectionKind.NETWORKS, data: networksSection, count: networksInOrder.length }] : []),
    // The <policy> of the "<policy>#default" and "<policy>#malformed" verdicts.
    { kind: SectionKind.POLICY_NAME, data: encoder.encode(policy.name), count: 0 },
  ];
  // STRINGS last among the builders: the dimensions above added the OID bytes to it.
  const stringBytes = strings.bytes();
  sections.splice(1, 0, { kind: SectionKind.STRINGS, data: stringBytes, count: stringBytes.length });

  const align = (n: number) => (n + 7) & ~7;
  const directoryOffset = TABLE_HEADER_SIZE;
  let offset = align(directoryOffset + sections.length * 16);
  const placed = sections.map((s) => {
    const at = offset;
    offset = align(offset + s.data.length);
    return { ...s, offset: at };
  });
  const size = offset;
  if (size > 0xffffffff) tooComplex('the image', `${size} bytes`, '4 GiB', { bytes: size });
  const image = new Uint8Array(size);
  const view = new DataView(image.buffer);
  image.set(encoder.encode(TABLE_MAGIC), 0);
  view.setUint32(8, TABLE_FORMAT_VERSION, true);
  view.setUint32(12, TABLE_HEADER_SIZE, true);
  view.setUint32(16, size, true);
  view.setBigUint64(24, registryHash(), true);
  view.setUint32(32, features, true);
  view.setUint32(36, sections.length, true);
  view.setUint32(40, directoryOffset, true);
  view.setUint8(44, ACTION_CODE[policy.defaults.malformed]);
  view.setUint8(45, ACTION_CODE[policy.defaults.action]);
  view.setUint32(48, rules.length, true);
  placed.forEach((s, i) => {
    const at = directoryOffset + i * 16;
    view.setUint32(at, s.kind, true);
    view.setUint32(at + 4, s.offset, true);
    view.setUint32(at + 8, s.data.length, true);
    view.setUint32(at + 12, s.count, true);
    image.set(s.data, s.offset);
  });
  view.setUint32(20, crc32c(image), true);

  const stats: CompileStats = {
    rules: rules.length,
    prefixes: prefixCount,
    dimensions: dimensions.map((d) => ({
      field: d.name, lookup: d.lookup, scope: d.scope, classes: classCountOf(d), sparse: d.sparse !== undefined,
      ...(d.prefixes !== undefined ? { prefixes: d.prefixes, nodes: d.nodes! } : {}),
    })),
    phases: phaseStats,
    results: results.length,
    ruleListEntries: lists.length,
    longestRuleList: lists.longest,
    imageBytes: size,
    buildMs: performance.now() - started,
  };
  return { image, stats };
}
// of rules constrained on both sides), and only those last words are computed per cell.
function combine(
  space: RuleSpace,
  name: string,
  left: readonly Uint32Array[],
  leftConstrained: Uint32Array,
  right: readonly Uint32Array[],
  rightConstrained: Uint32Array,
  limit: number,
  decided: Uint32Array,
): { table: Uint32Array; classes: Uint32Array[]; constrained: Uint32Array } {
  const rows = left.length;
  const columns = right.length;
  if (rows * columns > BUDGET.phaseEntries)
    tooComplex(name, `${rows} x ${columns} = ${rows * columns} entries`, `${BUDGET.phaseEntries}`, { at: name, rows, columns });
  const words = space.words;
  const onlyLeft = space.empty();
  const onlyRight = space.empty();
  const both = space.empty();
  for (let w = 0; w < words; w++) {
    onlyLeft[w] = leftConstrained[w]! & ~rightConstrained[w]!;
    onlyRight[w] = rightConstrained[w]! & ~leftConstrained[w]!;
    both[w] = leftConstrained[w]! & rightConstrained[w]!;
  }
  const bothWords: number[] = [];
  for (let w = 0; w < words; w++) if (both[w] !== 0) bothWords.push(w);
  const partIds = (sets: readonly Uint32Array[], mask: Uint32Array) => {
    const ids = new Map<string, number>();
    const scratch = space.empty();
    return sets.map((set) => {
      for (let w = 0; w < words; w++) scratch[w] = set[w]! & mask[w]!;
      const key = keyOf(scratch);
      let id = ids.get(key);
      if (id === undefined) {
        id = ids.size;
        ids.set(key, id);
      }
      return id;
    });
  };
  const rowPart = partIds(left, onlyLeft);
  const columnPart = partIds(right, onlyRight);

  const table = new Uint32Array(rows * columns);
  const classes: Uint32Array[] = [];
  const rawLimit = Math.max(limit, Math.min(limit * 16, Math.floor((256 << 20) / (words * 4))));
  const fresh = (a: Uint32Array, b: Uint32Array): number => {
    const id = classes.length;
    // Before truncation merges them there may be more than `limit` classes; the bound here only
    // caps the memory (about 256 MiB of bitsets).
    if (id >= rawLimit) tooComplex(name, `more than ${rawLimit} classes before truncation (${rows} x ${columns} entries)`, `${limit}`, { at: name, rows, columns });
    const set = new Uint32Array(words);
    for (let w = 0; w < words; w++) set[w] = a[w]! & b[w]!;
    classes.push(set);
    return id;
  };
  const B = bothWords.length;
  const bothIndex = Int32Array.from(bothWords);
  // Classes by hash of (row part, column part, shared words), chained on collision; each class
  // keeps its key to compare.
  const first = new Map<number, number>();
  const next: number[] = [];
  const keyRow: number[] = [];
  const keyColumn: number[] = [];
  let keyWords = new Uint32Array(Math.max(B, 1) * 1024);
  const cell = new Uint32Array(Math.max(B, 1));
  for (let i = 0; i < rows; i++) {
    const a = left[i]!;
    const rp = rowPart[i]!;
    for (let j = 0; j < columns; j++) {
      const b = right[j]!;
      const cp = columnPart[j]!;
      let h = Math.imul(rp ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(cp + 0x7f4a7c15, 0xc2b2ae35);
      for (let k = 0; k < B; k++) {
        const w = bothIndex[k]!;
        const c = a[w]! & b[w]! & both[w]!;
        cell[k] = c;
        h = Math.imul(h ^ c, 0x01000193) ^ (h >>> 15);
      }
      let id = first.get(h);
      let last = -1;
      while (id !== undefined && id !== -1) {
        if (keyRow[id] === rp && keyColumn[id] === cp) {
          let same = true;
          const base = id * B;
          for (let k = 0; k < B; k++) {
            if (keyWords[base + k] !== cell[k]) {
              same = false;
              break;
            }
          }
          if (same) break;
        }
        last = id;
        id = next[id]!;
      }
      if (id === undefined || id === -1) {
        id = fresh(a, b);
        next.push(-1);
        keyRow.push(rp);
        keyColumn.push(cp);
        if ((id + 1) * B > keyWords.length) {
          const grown = new Uint32Array(keyWords.length * 2);
          grown.set(keyWords);
          keyWords = grown;
        }
        keyWords.set(cell.subarray(0, B), id * B);
        if (last === -1) first.set(h, id);
        else next[last] = id;
      }
      table[i * columns + j] = id;
    }
  }
  // Decided-rule truncation (truncate()): the classes found above are the untruncated ANDs;
  // truncated, some of them coincide.
  const merged = new ClassSet(name, limit);
  const renumber = new Uint32Array(classes.length);
  for (let c = 0; c < classes.length; c++) renumber[c] = merged.intern(truncate(classes[c]!, decided));
  if (merged.sets.length < classes.length) for (let k = 0; k < table.length; k++) table[k] = renumber[table[k]!]!;
  return { table, classes: merged.sets, constrained: varying(space, merged.sets) };
}
