// A table image interpreter written from docs/table-format.md alone (format 2): it reads the
// image's bytes (header, directory, sections) and classifies a MessageRecord by the lookups,
// phases, result lists, sparse class lists and ACCEPT bitsets the format describes, without any
// of the compiler's in-memory structures. The tests hold its
// verdicts to the reference evaluator's, which proves the image right independently of the
// native classifier; the native loader/classifier can be checked against it the same way.
import { crc32c } from '../../src/builder/crc32c.js';
import type { ComponentRecord, MessageRecord } from '../../src/decode/record.js';
import { FIELDS } from '../../src/policy/fields.js';
import { registryHash } from '../../src/policy/registry-header.js';

const ACTIONS = ['allow', 'drop', 'alert'] as const;
type Action = (typeof ACTIONS)[number];

export interface TableRule {
  id: string;
  action: Action;
  mode: 'enforce' | 'shadow';
  category: 1 | 2 | 3 | 'custom';
}

// Per-rule sparse metadata (RULES bytes 9..15).
interface RuleMeta {
  component: boolean;
  designated: number; // 0xFF: none
  sparse: number; // mask of sparse indices it constrains
  negative: number; // of those, the negative-type ones
}

interface Sparse {
  dimension: number;
  at: number; // offset of the first class record
  classes: number;
}

export interface TableVerdict {
  action: Action;
  // The deciding rule's index, or why none decided.
  rule: number | 'default' | 'malformed';
  // Shadow rules that matched before the decision, ascending.
  shadowHits: number[];
}

interface Dimension {
  fieldId: number;
  lookup: number;
  scope: 0 | 1;
  absentClass: number;
  defaultClass: number;
  classes: number;
  at: number; // offset of the lookup structure
  size: number; // bytes of the lookup structure
}

interface PhaseRef {
  kind: number;
  index: number;
}

interface Phase {
  left: PhaseRef;
  right: PhaseRef;
  rows: number;
  columns: number;
  at: number; // offset of the table
}

class FormatError extends Error {}

function fail(message: string): never {
  throw new FormatError(`table image: ${message}`);
}

export class TableInterpreter {
  readonly rules: TableRule[] = [];
  readonly features: number;
  readonly policyName: string = '';
  readonly malformedAction: Action;
  readonly defaultAction: Action;
  private readonly view: DataView;
  private readonly dimensions: Dimension[] = [];
  private readonly phases: Phase[] = [];
  private readonly roots: { message: PhaseRef; component: PhaseRef; final: number };
  private readonly results: { at: number; count: number };
  private readonly lists: { at: number; count: number };
  private readonly meta: RuleMeta[] = [];
  private readonly sparse: Sparse[] = [];
  // Per dimension: the offset of its first ACCEPT bitset (dense), or -1 (sparse).
  private readonly accept: number[] = [];
  private readonly acceptWords: number = 0;
  private readonly strings: { at: number; size: number };
  private readonly networks: { count: number; gt: number; imsi: number } | undefined;
  private readonly anomalyBit: Map<string, number>;

  constructor(
    private readonly image: Uint8Array,
    anomalyNames: readonly string[],
  ) {
    this.anomalyBit = new Map(anomalyNames.map((name, i) => [name, i]));
    this.view = new DataView(image.buffer, image.byteOffset, image.byteLength);
    const v = this.view;
    if (image.length < 64) fail('shorter than the header');
    if (new TextDecoder().decode(image.subarray(0, 8)) !== 'SGWLTBL1') fail('bad magic');
    if (v.getUint32(8, true) !== 2) fail('unknown format version');
    if (v.getUint32(12, true) !== 64) fail('bad header size');
    if (v.getUint32(16, true) !== image.length) fail('image size does not match');
    const copy = Uint8Array.from(image);
    new DataView(copy.buffer).setUint32(20, 0, true);
    if (crc32c(copy) !== v.getUint32(20, true)) fail('CRC32c mismatch');
    if (v.getBigUint64(24, true) !== registryHash()) fail('built for another field registry');
    this.features = v.getUint32(32, true);
    const sectionCount = v.getUint32(36, true);
    const directory = v.getUint32(40, true);
    this.malformedAction = this.action(v.getUint8(44));
    this.defaultAction = this.action(v.getUint8(45));
    const ruleCount = v.getUint32(48, true);
    this.checkRange(directory, sectionCount * 16, 'section directory');

    let rules: { at: number; count: number } | undefined;
    let strings: { at: number; size: number } | undefined;
    let results: { at: number; count: number } | undefined;
    let lists: { at: number; count: number } | undefined;
    let accept: { at: number; size: number } | undefined;
    let networks: { at: number; size: number } | undefined;
    for (let i = 0; i < sectionCount; i++) {
      const e = directory + i * 16;
      const kind = v.getUint32(e, true);
      const at = v.getUint32(e + 4, true);
      const size = v.getUint32(e + 8, true);
      const count = v.getUint32(e + 12, true);
      this.checkRange(at, size, `section ${i}`);
      switch (kind) {
        case 1:
          if (size < count * 16) fail('RULES too small');
          rules = { at, count };
          break;
        case 2:
          strings = { at, size };
          break;
        case 3: {
          if (size < 8) fail('DIMENSION too small');
          this.dimensions.push({
            fieldId: v.getUint16(at, true),
            lookup: v.getUint8(at + 2),
            scope: v.getUint8(at + 3) as 0 | 1,
            absentClass: v.getUint16(at + 4, true),
            defaultClass: v.getUint16(at + 6, true),
            classes: count,
            at: at + 8,
            size: size - 8,
          });
          break;
        }
        case 4: {
          if (size < 8) fail('PHASE too small');
          const phase: Phase = {
            left: { kind: v.getUint8(at), index: v.getUint8(at + 1) },
            right: { kind: v.getUint8(at + 2), index: v.getUint8(at + 3) },
            rows: v.getUint16(at + 4, true),
            columns: v.getUint16(at + 6, true),
            at: at + 8,
          };
          if (size < 8 + phase.rows * phase.columns * 2) fail('PHASE table truncated');
          this.phases.push(phase);
          break;
        }
        case 5:
          if (size < 16 + count * 8) fail('RESULTS too small');
          results = { at, count };
          break;
        case 6:
          if (size < count * 2) fail('RULE_LISTS too small');
          lists = { at, count };
          break;
        case 9:
          if (size < 8 + count * 12) fail('SPARSE too small');
          this.sparse.push({ dimension: v.getUint16(at, true), at: at + 8, classes: count });
          break;
        case 10:
          accept = { at, size };
          break;
        case 7:
          networks = { at, size };
          break;
        case 8:
          this.policyName = new TextDecoder().decode(image.subarray(at, at + size));
          break;
        default:
          fail(`unknown section kind ${kind}`);
      }
    }
    if (!rules || !strings || !results || !lists || !accept) fail('a required section is missing');
    if (rules.count !== ruleCount) fail('rule count differs from the RULES section');
    this.strings = strings;
    this.results = results;
    this.lists = lists;
    const decoder = new TextDecoder();
    for (let r = 0; r < rules.count; r++) {
      const e = rules.at + r * 16;
      const offset = v.getUint32(e, true);
      const length = v.getUint16(e + 4, true);
      if (offset + length > strings.size) fail('rule id outside STRINGS');
      const category = v.getUint8(e + 8);
      this.rules.push({
        id: decoder.decode(image.subarray(strings.at + offset, strings.at + offset + length)),
        action: this.action(v.getUint8(e + 6)),
        mode: v.getUint8(e + 7) === 1 ? 'shadow' : 'enforce',
        category: category === 0 ? 'custom' : (category as 1 | 2 | 3),
      });
      this.meta.push({
        component: (v.getUint8(e + 9) & 1) === 1,
        designated: v.getUint8(e + 10),
        sparse: v.getUint16(e + 12, true),
        negative: v.getUint16(e + 14, true),
      });
    }
    this.acceptWords = v.getUint32(accept.at, true);
    let acceptAt = accept.at + 8;
    this.dimensions.forEach((d, i) => {
      if (this.sparse.some((s) => s.dimension === i)) this.accept.push(-1);
      else {
        this.accept.push(acceptAt);
        acceptAt += d.classes * this.acceptWords * 8;
      }
    });
    if (acceptAt > accept.at + accept.size) fail('ACCEPT too small');
    const r = results.at;
    this.roots = {
      message: { kind: v.getUint8(r), index: v.getUint16(r + 2, true) },
      component: { kind: v.getUint8(r + 4), index: v.getUint16(r + 6, true) },
      final: v.getUint16(r + 8, true),
    };
    if (this.roots.final !== this.phases.length - 1) fail('the final phase is not the last');
    if (networks) {
      const count = v.getUint32(networks.at, true);
      const gt = networks.at + 4;
      const imsi = gt + 4 + v.getUint32(gt, true) * 8;
      this.checkRange(imsi, 4, 'NETWORKS');
      this.checkRange(imsi + 4, v.getUint32(imsi, true) * 8, 'NETWORKS');
      this.networks = { count, gt, imsi };
    }
  }

  get dimensionCount(): number {
    return this.dimensions.length;
  }

  get phaseShapes(): { rows: number; columns: number }[] {
    return this.phases.map(({ rows, columns }) => ({ rows, columns }));
  }

  dimensionFields(): { fieldId: number; lookup: number; scope: number; classes: number }[] {
    return this.dimensions.map(({ fieldId, lookup, scope, classes }) => ({ fieldId, lookup, scope, classes }));
  }

  private action(code: number): Action {
    const action = ACTIONS[code];
    if (action === undefined) fail(`bad action ${code}`);
    return action;
  }

  private checkRange(at: number, size: number, what: string): void {
    if (at + size > this.image.length) fail(`${what} outside the image`);
  }

  // -------------------------------------------------------------------------------------------

  classify(record: MessageRecord, side: 'external' | 'internal' = 'external'): TableVerdict {
    if (record.status === 'malformed') return { action: this.malformedAction, rule: 'malformed', shadowHits: [] };
    const classes = new Map<string, number>(); // "d<i>" / "p<i>" -> class
    this.dimensions.forEach((d, i) => {
      if (d.scope === 0) classes.set(`d${i}`, this.lookup(d, record, undefined, side));
    });
    this.phases.forEach((phase, i) => {
      if (i !== this.roots.final && this.scopeOf(phase.left) === 0) classes.set(`p${i}`, this.combine(phase, classes));
    });
    const messageClass = this.ref(this.roots.message, classes);
    const finalPhase = this.phases[this.roots.final]!;
    // Per component (or "no component"): the enforce rule that decides it, and its shadow hits.
    const contexts: { decision: number; shadows: number[] }[] = [];
    const components = record.tcap?.components ?? [];
    if (components.length === 0) contexts.push(this.decide(this.cell(finalPhase, messageClass, finalPhase.columns - 1), classes, false));
    for (const component of components) {
      const own = new Map(classes);
      this.dimensions.forEach((d, i) => {
        if (d.scope === 1) own.set(`d${i}`, this.lookup(d, record, component, side));
      });
      this.phases.forEach((phase, i) => {
        if (i !== this.roots.final && this.scopeOf(phase.left) === 1) own.set(`p${i}`, this.combine(phase, own));
      });
      const componentClass = this.ref(this.roots.component, own);
      if (componentClass >= finalPhase.columns - 1) fail('component class outside the final phase');
      contexts.push(this.decide(this.cell(finalPhase, messageClass, componentClass), own, true));
    }
    const decision = Math.min(0xffff, ...contexts.map((c) => c.decision));
    const shadowHits = [...new Set(contexts.flatMap((c) => c.shadows))].filter((r) => r < decision).sort((a, b) => a - b);
    if (decision === 0xffff) return { action: this.defaultAction, rule: 'default', shadowHits };
    const rule = this.rules[decision];
    if (rule === undefined) fail('decision rule out of range');
    return { action: rule.action, rule: decision, shadowHits };
  }

  // docs/table-format.md, "Classifying": the result list L of the final cell, walked with the
  // negative-type sparse checks, and the verified positive candidates of every sparse dimension.
  private decide(result: number, classes: Map<string, number>, component: boolean): { decision: number; shadows: number[] } {
    if (result >= this.results.count) fail('result index out of range');
    const v = this.view;
    const at = this.results.at + 16 + result * 8;
    const list = this.list(v.getUint32(at, true), v.getUint16(at + 4, true));
    const sparseClass = this.sparse.map((s) => {
      const d = this.dimensions[s.dimension]!;
      if (d.scope === 1 && !component) return undefined;
      const c = this.ref({ kind: 0, index: s.dimension }, classes);
      if (c >= s.classes) fail('class outside a SPARSE section');
      const e = s.at + c * 12;
      return { positive: this.list(v.getUint32(e, true), v.getUint16(e + 8, true)), negative: this.list(v.getUint32(e + 4, true), v.getUint16(e + 10, true)) };
    });
    const passesSparse = (r: number, skip: number): boolean => {
      const meta = this.meta[r]!;
      if (meta.component && !component) return false;
      for (let s = 0; s < this.sparse.length; s++) {
        if (s === skip || ((meta.sparse >>> s) & 1) === 0) continue;
        const lists = sparseClass[s];
        if (lists === undefined) return false;
        if ((meta.negative >>> s) & 1) {
          if (lists.negative.includes(r)) return false;
        } else if (!lists.positive.includes(r)) return false;
      }
      return true;
    };
    const acceptedByDense = (r: number): boolean =>
      this.dimensions.every((d, i) => {
        if (this.accept[i] === -1 || (d.scope === 1 && !component)) return true;
        const c = this.ref({ kind: 0, index: i }, classes);
        const word = this.accept[i]! + c * this.acceptWords * 8 + (r >>> 6) * 8;
        return ((v.getUint8(word + ((r & 63) >>> 3)) >>> (r & 7)) & 1) === 1;
      });
    const passing: number[] = [];
    for (const r of list) {
      const meta = this.meta[r]!;
      if (meta.sparse & ~meta.negative) fail('a positive-type rule in a result list');
      if (passesSparse(r, -1)) {
        passing.push(r);
        if (this.rules[r]!.mode === 'enforce') break;
      }
    }
    sparseClass.forEach((lists, s) => {
      if (lists === undefined) return;
      for (const r of lists.positive) {
        if (this.meta[r]!.designated !== s) continue;
        if (acceptedByDense(r) && passesSparse(r, s)) passing.push(r);
      }
    });
    const decision = Math.min(0xffff, ...passing.filter((r) => this.rules[r]!.mode === 'enforce'));
    return { decision, shadows: passing.filter((r) => this.rules[r]!.mode === 'shadow' && r < decision) };
  }

  private list(offset: number, count: number): number[] {
    if (offset + count > this.lists.count) fail('rule list out of range');
    const out: number[] = [];
    for (let k = 0; k < count; k++) {
      const r = this.view.getUint16(this.lists.at + (offset + k) * 2, true);
      if (r >= this.rules.length) fail('rule index out of range');
      out.push(r);
    }
    return out;
  }

  private scopeOf(ref: PhaseRef): number {
    if (ref.kind === 0) return this.dimensions[ref.index]!.scope;
    return this.scopeOf(this.phases[ref.index]!.left);
  }

  private ref(ref: PhaseRef, classes: Map<string, number>): number {
    const value = classes.get(`${ref.kind === 0 ? 'd' : 'p'}${ref.index}`);
    if (value === undefined) fail(`input ${ref.kind}/${ref.index} not evaluated before use`);
    return value;
  }

  private cell(phase: Phase, row: number, column: number): number {
    if (row >= phase.rows || column >= phase.columns) fail('class outside a phase table');
    return this.view.getUint16(phase.at + (row * phase.columns + column) * 2, true);
  }

  private combine(phase: Phase, classes: Map<string, number>): number {
    return this.cell(phase, this.ref(phase.left, classes), this.ref(phase.right, classes));
  }

  // ------------------------------------------------------------------------------------------
  // Lookups (docs/table-format.md, "Dimensions")

  private lookup(d: Dimension, record: MessageRecord, component: ComponentRecord | undefined, side: string): number {
    const c = this.lookupRaw(d, record, component, side);
    if (c >= d.classes) fail(`class ${c} outside dimension ${d.fieldId} (${d.classes} classes)`);
    return c;
  }

  private lookupRaw(d: Dimension, record: MessageRecord, component: ComponentRecord | undefined, side: string): number {
    const v = this.view;
    switch (d.lookup) {
      case 0: {
        // SMALL
        const field = FIELDS[d.fieldId]!;
        const value = fieldValue(field.name, record, component, side);
        if (value === undefined) return d.absentClass;
        const index = 'values' in field ? (field.values as readonly string[]).indexOf(String(value)) : Number(value);
        if (index < 0 || index > 255) fail(`value ${String(value)} has no SMALL index`);
        return v.getUint16(d.at + index * 2, true);
      }
      case 1: {
        // SORTED_U32
        const value = fieldValue(FIELDS[d.fieldId]!.name, record, component, side);
        if (value === undefined) return d.absentClass;
        const n = v.getUint32(d.at, true);
        let lo = 0;
        let hi = n - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const key = v.getUint32(d.at + 4 + mid * 8, true);
          if (key === value) return v.getUint16(d.at + 8 + mid * 8, true);
          if (key < Number(value)) lo = mid + 1;
          else hi = mid - 1;
        }
        return d.defaultClass;
      }
      case 2: {
        // DIGITS
        const value = fieldValue(FIELDS[d.fieldId]!.name, record, component, side);
        if (value === undefined) return d.absentClass;
        const found = this.walk(d.at, String(value));
        return found === 0xffff ? d.defaultClass : found;
      }
      case 3: {
        // BYTES
        const value = fieldValue(FIELDS[d.fieldId]!.name, record, component, side);
        if (value === undefined) return d.absentClass;
        const bytes = berOid(String(value));
        const n = v.getUint32(d.at, true);
        let lo = 0;
        let hi = n - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const e = d.at + 4 + mid * 8;
          const offset = v.getUint32(e, true);
          const length = v.getUint16(e + 4, true);
          if (offset + length > this.strings.size) fail('BYTES entry outside STRINGS');
          const key = this.image.subarray(this.strings.at + offset, this.strings.at + offset + length);
          const order = compare(key, bytes);
          if (order === 0) return v.getUint16(e + 6, true);
          if (order < 0) lo = mid + 1;
          else hi = mid - 1;
        }
        return d.defaultClass;
      }
      case 4: {
        // ANOMALY
        const k = v.getUint32(d.at, true);
        if (k > 12) fail('more than 12 anomaly masks');
        let index = 0;
        for (let j = 0; j < k; j++) {
          const mask = d.at + 4 + j * 16;
          const hit = record.anomalies.some((name) => {
            const bit = this.anomalyBit.get(name);
            return bit !== undefined && (v.getUint8(mask + (bit >> 3)) & (1 << (bit & 7))) !== 0;
          });
          if (hit) index |= 1 << j;
        }
        return v.getUint16(d.at + 4 + k * 16 + index * 2, true);
      }
      case 5: {
        // OPERATION
        const opcode = component?.opcode;
        const application = record.application;
        if ((application === 'map' || application === 'cap') && opcode !== undefined && component?.globalOpcode === undefined && opcode >= 0 && opcode <= 255) {
          return v.getUint16(d.at + (256 * (application === 'cap' ? 1 : 0) + opcode) * 2, true);
        }
        return v.getUint16(d.at + 512 * 2, true);
      }
      case 6: {
        // RELATION
        if (!this.networks || component === undefined) fail('RELATION without NETWORKS');
        const imsi = componentImsi(component);
        const imsiNetwork = imsi === undefined ? 0xffff : this.walk(this.networks.imsi, imsi);
        let index = 0;
        if (imsiNetwork !== 0xffff) {
          const calling = record.sccp?.calling.digits;
          const callingNetwork = calling === undefined ? 0xffff : this.walk(this.networks.gt, calling);
          index = callingNetwork === imsiNetwork ? 1 : 2;
        }
        return v.getUint16(d.at + index * 2, true);
      }
      default:
        fail(`unknown lookup kind ${d.lookup}`);
    }
  }

  // The mark of the deepest marked node on the digits' path (0xFFFF: none). `at` is the offset
  // of the trie's u32 node count; the 8-byte nodes follow it (u16 mark, u16 child bitmap, u32
  // first child: a node's children are consecutive, in digit order).
  private walk(at: number, digits: string): number {
    const v = this.view;
    const count = v.getUint32(at, true);
    const nodes = at + 4;
    this.checkRange(nodes, count * 8, 'DIGITS trie');
    let node = 0;
    let found = v.getUint16(nodes, true);
    for (const ch of digits) {
      const digit = ch.charCodeAt(0) - 48;
      if (digit < 0 || digit > 9) break;
      const bitmap = v.getUint16(nodes + node * 8 + 2, true);
      if (((bitmap >>> digit) & 1) === 0) break;
      let below = bitmap & ((1 << digit) - 1);
      let rank = 0;
      for (; below !== 0; below &= below - 1) rank++;
      const child = v.getUint32(nodes + node * 8 + 4, true) + rank;
      if (child >= count || child <= node) fail('trie child out of range');
      node = child;
      const mark = v.getUint16(nodes + node * 8, true);
      if (mark !== 0xffff) found = mark;
    }
    return found;
  }
}

function compare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

// The minimal BER contents of the arcs a record's dotted OID shows (X.690 §8.19).
function berOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((arc) => BigInt(arc));
  const first = arcs.length > 1 ? arcs[0]! * 40n + arcs[1]! : arcs[0]!;
  const out: number[] = [];
  for (const value of [first, ...arcs.slice(2)]) {
    const groups: number[] = [];
    let rest = value;
    do {
      groups.push(Number(rest % 128n));
      rest /= 128n;
    } while (rest > 0n);
    for (let i = groups.length - 1; i >= 0; i--) out.push(groups[i]! | (i > 0 ? 0x80 : 0));
  }
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------------------------------------
// Field values: where each registry field is read in a MessageRecord (docs/table-format.md
// refers to evaluate.ts FIELD_VALUES; this is an independent transcription).

function componentImsi(c: ComponentRecord): string | undefined {
  if (c.map?.imsi !== undefined) return c.map.imsi;
  if (c.map?.smRpDa?.kind === 'imsi') return c.map.smRpDa.digits;
  return c.cap?.imsi;
}

function fieldValue(name: string, r: MessageRecord, c: ComponentRecord | undefined, side: string): string | number | undefined {
  switch (name) {
    case 'ingress.side': return side;
    case 'mtp3.opc': return r.mtp3?.opc;
    case 'mtp3.dpc': return r.mtp3?.dpc;
    case 'mtp3.si': return r.mtp3?.si;
    case 'm3ua.routing_context': return r.m3ua ? r.m3ua.routingContext : r.sua?.routingContext;
    case 'sccp.message_type': return r.sccp?.messageType;
    case 'sccp.called.ssn': return r.sccp?.called.ssn;
    case 'sccp.calling.ssn': return r.sccp?.calling.ssn;
    case 'sccp.called.gti': return r.sccp?.called.gti;
    case 'sccp.calling.gti': return r.sccp?.calling.gti;
    case 'sccp.called.tt': return r.sccp?.called.tt;
    case 'sccp.calling.tt': return r.sccp?.calling.tt;
    case 'sccp.called.np': return r.sccp?.called.np;
    case 'sccp.calling.np': return r.sccp?.calling.np;
    case 'sccp.called.nai': return r.sccp?.called.nai;
    case 'sccp.calling.nai': return r.sccp?.calling.nai;
    case 'sccp.called.pc': return r.sccp?.called.pc;
    case 'sccp.calling.pc': return r.sccp?.calling.pc;
    case 'sccp.called.digits': return r.sccp?.called.digits;
    case 'sccp.calling.digits': return r.sccp?.calling.digits;
    case 'tcap.type': return r.tcap?.type;
    case 'tcap.application_context_name': return r.tcap?.applicationContext;
    case 'sigwall.application': return r.application;
  }
  if (c === undefined) fail(`component field ${name} read without a component`);
  const map = c.map;
  switch (name) {
    case 'tcap.component_type': return c.type;
    case 'e212.imsi': return componentImsi(c);
    case 'e164.msisdn': return map?.msisdn;
    case 'map.msc_number': return map?.mscNumber;
    case 'map.vlr_number': return map?.vlrNumber;
    case 'map.sgsn_number': return map?.sgsnNumber;
    case 'map.hlr_number': return map?.hlrNumber;
    case 'map.gsmscf_address': return map?.gsmscfAddress;
    case 'map.service_centre_address':
      if (map === undefined) return undefined;
      if (map.serviceCentreAddress !== undefined) return map.serviceCentreAddress;
      if (map.smRpDa?.kind === 'serviceCentreAddressDA') return map.smRpDa.digits;
      if (map.smRpOa?.kind === 'serviceCentreAddressOA') return map.smRpOa.digits;
      return undefined;
    case 'map.sm_rp_oa.msisdn': return map?.smRpOa?.kind === 'msisdn' ? map.smRpOa.digits : undefined;
  }
  return fail(`no value for field ${name}`);
}
