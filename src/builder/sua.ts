// SUA (RFC 3868): common header (§3.1), parameters (§3.2), the connectionless data transfer
// message CLDT (§3.3.1.1) and the SCCP address parameter (§3.10.2/§3.10.3) with global
// title, point code and SSN.

import { checkRange, concat, pad, u16be, u32be, u8 } from './bytes.js';
import { bcd } from './digits.js';

export const SUA_CLASS = { mgmt: 0, ssnm: 2, aspsm: 3, asptm: 4, cl: 7, co: 8, rkm: 9 } as const;
export const SUA_TYPE = { cldt: 1, cldr: 2 } as const;

/** Parameter tags (§3.2). */
export const SUA_TAG = {
  routingContext: 0x0006,
  ss7HopCount: 0x0101,
  sourceAddress: 0x0102,
  destinationAddress: 0x0103,
  data: 0x010b,
  importance: 0x0113,
  messagePriority: 0x0114,
  protocolClass: 0x0115,
  sequenceControl: 0x0116,
  globalTitle: 0x8001,
  pointCode: 0x8002,
  ssn: 0x8003,
} as const;

/** Routing indicator of an SUA address (§3.10.2). */
export const SUA_ROUTING = { gt: 1, ssnPc: 2, hostname: 3, ssnIp: 4 } as const;

export interface SuaGlobalTitle {
  gti: number; // 1..4, as in SCCP
  tt?: number;
  np?: number;
  nai?: number;
  digits: string;
}

export interface SuaAddress {
  route: 'gt' | 'ssn+pc';
  gt?: SuaGlobalTitle;
  pc?: number;
  ssn?: number;
}

function param(tag: number, value: Uint8Array): Uint8Array {
  return pad(concat([u16be(tag), u16be(4 + value.length), value]));
}

export function encodeSuaAddress(addr: SuaAddress): Uint8Array {
  // §3.10.2 address indicator: bit 1 SSN present, bit 2 PC present, bit 3 GT present.
  const ai = (addr.ssn !== undefined ? 1 : 0) | (addr.pc !== undefined ? 2 : 0) | (addr.gt ? 4 : 0);
  const parts: Uint8Array[] = [u16be(addr.route === 'gt' ? SUA_ROUTING.gt : SUA_ROUTING.ssnPc), u16be(ai)];
  if (addr.gt) {
    const gt = addr.gt;
    checkRange('SUA GTI', gt.gti, 1, 4);
    // §3.10.2.3: reserved(3) GTI(1), number of digits, TT, NP, NAI, then BCD digits.
    parts.push(param(SUA_TAG.globalTitle, concat([Uint8Array.of(0, 0, 0, gt.gti, gt.digits.length, gt.tt ?? 0, gt.np ?? 1, gt.nai ?? 4), bcd(gt.digits)])));
  }
  if (addr.pc !== undefined) parts.push(param(SUA_TAG.pointCode, u32be(addr.pc)));
  if (addr.ssn !== undefined) parts.push(param(SUA_TAG.ssn, Uint8Array.of(0, 0, 0, addr.ssn)));
  return concat(parts);
}

export interface SuaCldt {
  routingContext?: number;
  protocolClass: number; // 0 or 1
  returnOnError?: boolean;
  source: SuaAddress;
  destination: SuaAddress;
  sequenceControl?: number;
  hopCount?: number;
  importance?: number;
  data: Uint8Array;
}

export function encodeSuaCldt(msg: SuaCldt): Uint8Array {
  const params: Uint8Array[] = [];
  if (msg.routingContext !== undefined) params.push(param(SUA_TAG.routingContext, u32be(msg.routingContext)));
  params.push(param(SUA_TAG.protocolClass, Uint8Array.of(0, 0, 0, (msg.returnOnError ? 0x80 : 0) | (msg.protocolClass & 3))));
  params.push(param(SUA_TAG.sourceAddress, encodeSuaAddress(msg.source)));
  params.push(param(SUA_TAG.destinationAddress, encodeSuaAddress(msg.destination)));
  params.push(param(SUA_TAG.sequenceControl, u32be(msg.sequenceControl ?? 0)));
  if (msg.hopCount !== undefined) params.push(param(SUA_TAG.ss7HopCount, Uint8Array.of(0, 0, 0, msg.hopCount)));
  if (msg.importance !== undefined) params.push(param(SUA_TAG.importance, Uint8Array.of(0, 0, 0, msg.importance)));
  params.push(param(SUA_TAG.data, msg.data));
  const body = concat(params);
  // §3.1: version 1, reserved, class 7 (connectionless), type 1 (CLDT), length.
  return concat([u8(1), u8(0), u8(SUA_CLASS.cl), u8(SUA_TYPE.cldt), u32be(8 + body.length), body]);
}
