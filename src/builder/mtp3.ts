// MTP3 (ITU-T Q.704 §14.2): service information octet and the ITU routing label, as carried
// by M2PA user data (and MTP2). Point codes are 14 bits.

import { checkRange, concat } from './bytes.js';

export const SERVICE_INDICATOR = { snm: 0, sntm: 1, sccp: 3, tup: 4, isup: 5 } as const;
export const NETWORK_INDICATOR = { international: 0, internationalSpare: 1, national: 2, nationalSpare: 3 } as const;

export interface Mtp3Message {
  ni: number; // network indicator (SIO bits 8-7)
  si: number; // service indicator (SIO bits 4-1)
  priority?: number; // SIO bits 6-5 (national use only)
  opc: number;
  dpc: number;
  sls: number;
  sif: Uint8Array; // user part message after the routing label
}

export function encodeMtp3(msg: Mtp3Message): Uint8Array {
  checkRange('OPC', msg.opc, 0, 0x3fff);
  checkRange('DPC', msg.dpc, 0, 0x3fff);
  checkRange('SLS', msg.sls, 0, 15);
  checkRange('NI', msg.ni, 0, 3);
  checkRange('SI', msg.si, 0, 15);
  const sio = (msg.ni << 6) | (((msg.priority ?? 0) & 3) << 4) | msg.si;
  // Q.704 §2.2: DPC in the lowest 14 bits, OPC next, SLS in the top 4; sent LSB first.
  const label = (msg.dpc | (msg.opc << 14) | (msg.sls << 28)) >>> 0;
  return concat([Uint8Array.of(sio, label & 0xff, (label >>> 8) & 0xff, (label >>> 16) & 0xff, label >>> 24), msg.sif]);
}
