// A BER writer (ITU-T X.690) for TCAP, MAP and CAP. Values are built as a small tree of
// nodes and encoded in one pass. Besides the minimal definite length DER would use, every
// node can be given a non-minimal long-form length (X.690 §8.1.3.5 allows extra leading zero
// octets) or, for constructed nodes, the indefinite form (§8.1.3.6): the encoding tricks that
// firewall evasion tests need.

import { concat } from './bytes.js';

export type TagClass = 'universal' | 'application' | 'context' | 'private';

const CLASS_BITS: Record<TagClass, number> = { universal: 0x00, application: 0x40, context: 0x80, private: 0xc0 };

/** How a node's length is written. `{ octets: n }` is the long form with n length octets. */
export type LengthForm = 'minimal' | 'indefinite' | { octets: number };

export interface BerTag {
  cls: TagClass;
  number: number;
}

export interface BerPrimitive {
  kind: 'primitive';
  tag: BerTag;
  value: Uint8Array;
  length?: LengthForm;
}

export interface BerConstructed {
  kind: 'constructed';
  tag: BerTag;
  children: readonly BerNode[];
  length?: LengthForm;
}

/** Already-encoded bytes spliced in as they are. */
export interface BerRaw {
  kind: 'raw';
  bytes: Uint8Array;
}

export type BerNode = BerPrimitive | BerConstructed | BerRaw;

export interface BerEncodeOptions {
  /** Length form for nodes that do not set their own; default 'minimal'. Indefinite applies
   *  to constructed nodes only (a primitive falls back to minimal, X.690 §8.1.3.2). */
  length?: LengthForm;
  /** Length form for primitive nodes that do not set their own; default: `length` unless
   *  that is indefinite. */
  primitiveLength?: LengthForm;
}

/** Identifier octets (§8.1.2), with the high-tag-number form for tags above 30. */
export function encodeTag(tag: BerTag, constructed: boolean): Uint8Array {
  const first = CLASS_BITS[tag.cls] | (constructed ? 0x20 : 0);
  if (tag.number < 31) return Uint8Array.of(first | tag.number);
  const sub: number[] = [];
  let n = tag.number;
  sub.unshift(n & 0x7f);
  n = Math.floor(n / 128);
  while (n > 0) {
    sub.unshift(0x80 | (n & 0x7f));
    n = Math.floor(n / 128);
  }
  return Uint8Array.of(first | 0x1f, ...sub);
}

/** Length octets (§8.1.3). */
export function encodeLength(length: number, form: LengthForm = 'minimal'): Uint8Array {
  if (form === 'indefinite') return Uint8Array.of(0x80);
  const bytes: number[] = [];
  let n = length;
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  if (form === 'minimal') {
    if (length < 128) return Uint8Array.of(length);
    return Uint8Array.of(0x80 | bytes.length, ...bytes);
  }
  if (form.octets < bytes.length || form.octets > 126) throw new RangeError(`length ${length} does not fit ${form.octets} length octets`);
  while (bytes.length < form.octets) bytes.unshift(0);
  return Uint8Array.of(0x80 | form.octets, ...bytes);
}

export function encodeBer(node: BerNode, opts: BerEncodeOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  write(node, opts, parts);
  return concat(parts);
}

function write(node: BerNode, opts: BerEncodeOptions, out: Uint8Array[]): void {
  if (node.kind === 'raw') {
    out.push(node.bytes);
    return;
  }
  if (node.kind === 'primitive') {
    let form = node.length ?? opts.primitiveLength ?? opts.length ?? 'minimal';
    if (form === 'indefinite') form = 'minimal';
    out.push(encodeTag(node.tag, false), encodeLength(node.value.length, form), node.value);
    return;
  }
  const inner: Uint8Array[] = [];
  for (const child of node.children) write(child, opts, inner);
  const content = concat(inner);
  const form = node.length ?? opts.length ?? 'minimal';
  out.push(encodeTag(node.tag, true), encodeLength(content.length, form), content);
  if (form === 'indefinite') out.push(Uint8Array.of(0, 0)); // end-of-contents octets
}

// ---- node constructors -------------------------------------------------------------------

export const tag = {
  universal: (number: number): BerTag => ({ cls: 'universal', number }),
  application: (number: number): BerTag => ({ cls: 'application', number }),
  context: (number: number): BerTag => ({ cls: 'context', number }),
  private: (number: number): BerTag => ({ cls: 'private', number }),
};

export const UNIVERSAL = { boolean: 1, integer: 2, bitString: 3, octetString: 4, null: 5, oid: 6, external: 8, enumerated: 10, sequence: 16, set: 17 } as const;

export function prim(t: BerTag, value: Uint8Array, length?: LengthForm): BerPrimitive {
  return { kind: 'primitive', tag: t, value, length };
}

export function cons(t: BerTag, children: readonly BerNode[], length?: LengthForm): BerConstructed {
  return { kind: 'constructed', tag: t, children, length };
}

export function raw(bytes: Uint8Array): BerRaw {
  return { kind: 'raw', bytes };
}

export function sequence(children: readonly BerNode[]): BerConstructed {
  return cons(tag.universal(UNIVERSAL.sequence), children);
}

/** [n] IMPLICIT primitive. */
export function ctx(n: number, value: Uint8Array): BerPrimitive {
  return prim(tag.context(n), value);
}

/** [n] constructed: an implicitly tagged SEQUENCE, or an explicit tag around a CHOICE. */
export function ctxCons(n: number, children: readonly BerNode[]): BerConstructed {
  return cons(tag.context(n), children);
}

/** Two's-complement content octets of an INTEGER (§8.3), minimal. */
export function integerContent(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  const bytes: number[] = [];
  for (;;) {
    const b = Number(v & 0xffn);
    bytes.unshift(b);
    v >>= 8n;
    const signBit = (b & 0x80) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) break;
  }
  return Uint8Array.from(bytes);
}

export function integer(value: number | bigint, t: BerTag = tag.universal(UNIVERSAL.integer)): BerPrimitive {
  return prim(t, integerContent(value));
}

export function enumerated(value: number, t: BerTag = tag.universal(UNIVERSAL.enumerated)): BerPrimitive {
  return prim(t, integerContent(value));
}

export function octetString(value: Uint8Array, t: BerTag = tag.universal(UNIVERSAL.octetString)): BerPrimitive {
  return prim(t, value);
}

export function nullValue(t: BerTag = tag.universal(UNIVERSAL.null)): BerPrimitive {
  return prim(t, new Uint8Array(0));
}

export function boolean(value: boolean, t: BerTag = tag.universal(UNIVERSAL.boolean)): BerPrimitive {
  return prim(t, Uint8Array.of(value ? 0xff : 0x00));
}

/** BIT STRING (§8.6) from a list of set bit positions (bit 0 = most significant of octet 1). */
export function bitString(bits: readonly number[], sizeBits: number, t: BerTag = tag.universal(UNIVERSAL.bitString)): BerPrimitive {
  const octets = Math.ceil(sizeBits / 8);
  const out = new Uint8Array(1 + octets);
  out[0] = octets * 8 - sizeBits; // unused bits in the last octet
  for (const b of bits) out[1 + (b >> 3)]! |= 0x80 >> (b & 7);
  return prim(t, out);
}

/** OBJECT IDENTIFIER content octets (§8.19) from dotted form. */
export function oidContent(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => {
    if (!/^\d+$/.test(a)) throw new RangeError(`bad OID: ${dotted}`);
    return BigInt(a);
  });
  if (arcs.length < 2) throw new RangeError(`an OID has at least two arcs: ${dotted}`);
  const [a0, a1] = arcs as [bigint, bigint];
  if (a0 > 2n || (a0 < 2n && a1 > 39n)) throw new RangeError(`bad OID: ${dotted}`);
  const subids = [a0 * 40n + a1, ...arcs.slice(2)];
  const out: number[] = [];
  for (const sub of subids) {
    const group: number[] = [Number(sub & 0x7fn)];
    let v = sub >> 7n;
    while (v > 0n) {
      group.unshift(0x80 | Number(v & 0x7fn));
      v >>= 7n;
    }
    out.push(...group);
  }
  return Uint8Array.from(out);
}

export function oid(dotted: string, t: BerTag = tag.universal(UNIVERSAL.oid)): BerPrimitive {
  return prim(t, oidContent(dotted));
}

/** Applies a length form to a node and, recursively, all its constructed descendants. */
export function withLengthForm(node: BerNode, form: LengthForm): BerNode {
  if (node.kind === 'raw') return node;
  if (node.kind === 'primitive') return form === 'indefinite' ? node : { ...node, length: form };
  return { ...node, length: form, children: node.children.map((c) => withLengthForm(c, form)) };
}
