// SCCP connectionless messages (ITU-T Q.713): party addresses (§3.4) with global title
// indicators 1-4, point code and SSN; UDT (§4.10), UDTS (§4.11), XUDT (§4.18), XUDTS (§4.19),
// LUDT (§4.24) and LUDTS (§4.25); the Segmentation parameter (§3.17) and the XUDT
// segmentation of a long user message (Q.714 §4.1.1.2).

import { checkRange, concat } from './bytes.js';
import { bcd } from './digits.js';

export const SCCP_MESSAGE_TYPE = { udt: 0x09, udts: 0x0a, xudt: 0x11, xudts: 0x12, ludt: 0x13, ludts: 0x14 } as const;

/** Optional parameter names (Q.713 §3.1 table 2). */
export const SCCP_PARAM = { endOfOptional: 0x00, segmentation: 0x10, importance: 0x12 } as const;

/** Subsystem numbers used on the MAP/CAP interconnect (TS 23.003 §8.2). */
export const SSN = { hlr: 6, vlr: 7, msc: 8, eir: 9, auc: 10, gmlc: 145, cap: 146, gsmScf: 147, sgsn: 149, ggsn: 150 } as const;

export type GlobalTitle =
  | { gti: 1; nai: number; digits: string }
  | { gti: 2; tt: number; digits: string }
  | { gti: 3; tt: number; np: number; digits: string; es?: number }
  | { gti: 4; tt: number; np: number; nai: number; digits: string; es?: number };

export interface SccpAddress {
  /** Routing indicator: route on global title or on (PC +) SSN. */
  route: 'gt' | 'ssn';
  pc?: number; // 14-bit ITU point code
  ssn?: number;
  gt?: GlobalTitle;
  /** Bit 8, reserved for national use. */
  national?: boolean;
}

/** Called/calling party address content (§3.4.1), without its length octet. */
export function encodeSccpAddress(addr: SccpAddress): Uint8Array {
  const gti = addr.gt?.gti ?? 0;
  const ai =
    (addr.national ? 0x80 : 0) |
    (addr.route === 'ssn' ? 0x40 : 0) |
    (gti << 2) |
    (addr.ssn !== undefined ? 0x02 : 0) |
    (addr.pc !== undefined ? 0x01 : 0);
  const parts: Uint8Array[] = [Uint8Array.of(ai)];
  if (addr.pc !== undefined) {
    checkRange('SCCP point code', addr.pc, 0, 0x3fff);
    parts.push(Uint8Array.of(addr.pc & 0xff, addr.pc >> 8)); // §3.4.2.1: LSB first
  }
  if (addr.ssn !== undefined) {
    checkRange('SSN', addr.ssn, 0, 255);
    parts.push(Uint8Array.of(addr.ssn));
  }
  if (addr.gt) parts.push(encodeGlobalTitle(addr.gt));
  return concat(parts);
}

function encodeGlobalTitle(gt: GlobalTitle): Uint8Array {
  const odd = gt.digits.length % 2 === 1;
  const digits = bcd(gt.digits);
  switch (gt.gti) {
    case 1: // §3.4.2.3.1: odd/even bit 8, nature of address bits 7-1
      return concat([Uint8Array.of((odd ? 0x80 : 0) | (gt.nai & 0x7f)), digits]);
    case 2: // §3.4.2.3.2: translation type only; no odd/even indicator, so an odd digit
      // count shows its 0 filler as a last digit (tshark does).
      return concat([Uint8Array.of(gt.tt), digits]);
    case 3: {
      // §3.4.2.3.3: TT, numbering plan (bits 8-5) and encoding scheme (bits 4-1)
      const es = gt.es ?? (odd ? 1 : 2);
      return concat([Uint8Array.of(gt.tt, ((gt.np & 0x0f) << 4) | (es & 0x0f)), digits]);
    }
    case 4: {
      // §3.4.2.3.4: TT, NP/ES, nature of address (bits 7-1)
      const es = gt.es ?? (odd ? 1 : 2);
      return concat([Uint8Array.of(gt.tt, ((gt.np & 0x0f) << 4) | (es & 0x0f), gt.nai & 0x7f), digits]);
    }
  }
}

/** The usual international E.164 global title: GTI 4, TT 0, NP 1 (E.164), NAI 4 (international). */
export function e164Gt(digits: string): GlobalTitle {
  return { gti: 4, tt: 0, np: 1, nai: 4, digits };
}

export interface Segmentation {
  first: boolean; // F bit
  /** C bit: class of the original message (0 or 1), for in-sequence delivery. */
  protocolClass: number;
  remaining: number; // remaining segments, 0..15
  localReference: number; // 24 bits
}

/** Segmentation parameter value (§3.17). */
export function encodeSegmentation(s: Segmentation): Uint8Array {
  checkRange('remaining segments', s.remaining, 0, 15);
  checkRange('segmentation local reference', s.localReference, 0, 0xffffff);
  const r = s.localReference;
  // Octets 2-4: the local reference, least significant octet first like every other
  // multi-octet SCCP field.
  return Uint8Array.of((s.first ? 0x80 : 0) | ((s.protocolClass & 1) << 6) | s.remaining, r & 0xff, (r >> 8) & 0xff, (r >> 16) & 0xff);
}

interface Parties {
  called: SccpAddress;
  calling: SccpAddress;
  data: Uint8Array;
}

interface ProtocolClassField {
  /** 0 or 1 (connectionless). */
  protocolClass: number;
  /** Message handling "return message on error" (§3.6). */
  returnOnError?: boolean;
}

export interface SccpUdt extends Parties, ProtocolClassField {
  type: 'udt';
}

export interface SccpXudt extends Parties, ProtocolClassField {
  type: 'xudt';
  hopCounter?: number; // default 15
  segmentation?: Segmentation;
  importance?: number;
}

export interface SccpLudt extends Parties, ProtocolClassField {
  type: 'ludt';
  hopCounter?: number;
  segmentation?: Segmentation;
  importance?: number;
}

export interface SccpUdts extends Parties {
  type: 'udts';
  returnCause: number; // §3.12
}

export interface SccpXudts extends Parties {
  type: 'xudts';
  returnCause: number;
  hopCounter?: number;
  segmentation?: Segmentation;
  importance?: number;
}

export interface SccpLudts extends Parties {
  type: 'ludts';
  returnCause: number;
  hopCounter?: number;
  segmentation?: Segmentation;
  importance?: number;
}

export type SccpMessage = SccpUdt | SccpXudt | SccpLudt | SccpUdts | SccpXudts | SccpLudts;

function protocolClassOctet(m: ProtocolClassField): number {
  checkRange('protocol class', m.protocolClass, 0, 1);
  return (m.returnOnError ? 0x80 : 0) | m.protocolClass;
}

function optionalPart(m: { segmentation?: Segmentation; importance?: number }): Uint8Array {
  const parts: Uint8Array[] = [];
  if (m.segmentation) parts.push(Uint8Array.of(SCCP_PARAM.segmentation, 4), encodeSegmentation(m.segmentation));
  if (m.importance !== undefined) parts.push(Uint8Array.of(SCCP_PARAM.importance, 1, m.importance & 7));
  if (parts.length === 0) return new Uint8Array(0);
  parts.push(Uint8Array.of(SCCP_PARAM.endOfOptional));
  return concat(parts);
}

function withLength(value: Uint8Array, max = 255): Uint8Array {
  if (value.length > max) throw new RangeError(`SCCP parameter of ${value.length} bytes exceeds ${max}`);
  return concat([Uint8Array.of(value.length), value]);
}

/**
 * The variable parts with one-octet pointers (§2.3): each pointer counts octets from itself to
 * its parameter's length octet; an absent optional part has pointer 0.
 */
function shortPointerBody(variable: Uint8Array[], optional: Uint8Array | null): Uint8Array {
  const pointerCount = variable.length + (optional === null ? 0 : 1);
  const pointers = new Uint8Array(pointerCount);
  let offset = pointerCount; // from the first pointer octet
  variable.forEach((v, i) => {
    pointers[i] = offset - i;
    offset += v.length;
  });
  if (optional !== null) pointers[variable.length] = optional.length === 0 ? 0 : offset - variable.length;
  for (const p of pointers) if (p > 255) throw new RangeError('SCCP pointer beyond 255: use LUDT');
  return concat([pointers, ...variable, ...(optional ? [optional] : [])]);
}

/**
 * LUDT/LUDTS: two-octet pointers, least significant octet first (§2.3, §4.24). The value
 * counts from the pointer's most significant (second) octet, as tshark reads it.
 */
function longPointerBody(variable: Uint8Array[], optional: Uint8Array): Uint8Array {
  const pointerCount = variable.length + 1;
  const pointers = new Uint8Array(pointerCount * 2);
  const put = (i: number, target: number): void => {
    const p = target === 0 ? 0 : target - (i * 2 + 1);
    pointers[i * 2] = p & 0xff;
    pointers[i * 2 + 1] = p >> 8;
  };
  let offset = pointerCount * 2;
  variable.forEach((v, i) => {
    put(i, offset);
    offset += v.length;
  });
  put(variable.length, optional.length === 0 ? 0 : offset);
  return concat([pointers, ...variable, optional]);
}

function longData(data: Uint8Array): Uint8Array {
  checkRange('long data length', data.length, 0, 3952); // §3.16
  return concat([Uint8Array.of(data.length & 0xff, data.length >> 8), data]);
}

export function encodeSccp(msg: SccpMessage): Uint8Array {
  const called = withLength(encodeSccpAddress(msg.called));
  const calling = withLength(encodeSccpAddress(msg.calling));
  switch (msg.type) {
    case 'udt':
      return concat([Uint8Array.of(SCCP_MESSAGE_TYPE.udt, protocolClassOctet(msg)), shortPointerBody([called, calling, withLength(msg.data)], null)]);
    case 'udts':
      return concat([Uint8Array.of(SCCP_MESSAGE_TYPE.udts, msg.returnCause), shortPointerBody([called, calling, withLength(msg.data)], null)]);
    case 'xudt':
      return concat([
        Uint8Array.of(SCCP_MESSAGE_TYPE.xudt, protocolClassOctet(msg), msg.hopCounter ?? 15),
        shortPointerBody([called, calling, withLength(msg.data, 254)], optionalPart(msg)),
      ]);
    case 'xudts':
      return concat([
        Uint8Array.of(SCCP_MESSAGE_TYPE.xudts, msg.returnCause, msg.hopCounter ?? 15),
        shortPointerBody([called, calling, withLength(msg.data, 254)], optionalPart(msg)),
      ]);
    case 'ludt':
      return concat([
        Uint8Array.of(SCCP_MESSAGE_TYPE.ludt, protocolClassOctet(msg), msg.hopCounter ?? 15),
        longPointerBody([called, calling, longData(msg.data)], optionalPart(msg)),
      ]);
    case 'ludts':
      return concat([
        Uint8Array.of(SCCP_MESSAGE_TYPE.ludts, msg.returnCause, msg.hopCounter ?? 15),
        longPointerBody([called, calling, longData(msg.data)], optionalPart(msg)),
      ]);
  }
}

/**
 * Splits one user message over XUDT segments (Q.714 §4.1.1.2): every segment carries the
 * Segmentation parameter with the same local reference, F on the first and the count of
 * segments still to come. `by.count` gives N nearly equal segments; `by.maxSegment` a size.
 */
export function segmentXudt(
  base: Omit<SccpXudt, 'type' | 'data' | 'segmentation'>,
  data: Uint8Array,
  localReference: number,
  by: { count: number } | { maxSegment: number },
): SccpXudt[] {
  const size = 'count' in by ? Math.ceil(data.length / by.count) : by.maxSegment;
  if (size < 1) throw new RangeError('segment size must be at least 1 byte');
  const pieces: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += size) pieces.push(data.subarray(off, Math.min(off + size, data.length)));
  if (pieces.length > 16) throw new RangeError('at most 16 XUDT segments (remaining count is 4 bits)');
  if ('count' in by && pieces.length !== by.count) throw new RangeError(`cannot split ${data.length} bytes into ${by.count} segments`);
  return pieces.map((piece, i) => ({
    ...base,
    type: 'xudt',
    data: piece,
    segmentation: { first: i === 0, protocolClass: base.protocolClass, remaining: pieces.length - 1 - i, localReference },
  }));
}
