// M2PA (RFC 4165): common header (§2.1), the M2PA header with BSN/FSN (§2.2) and the User
// Data message (§2.3.1) whose data field is the priority octet followed by the MTP3 message.

import { checkRange, concat, u32be, u8 } from './bytes.js';

export const M2PA_CLASS = 11;
export const M2PA_TYPE = { userData: 1, linkStatus: 2 } as const;

export interface M2paUserData {
  bsn: number; // backward sequence number, 24 bits
  fsn: number; // forward sequence number, 24 bits
  /** Priority (Japan only, §2.3.1); 0 elsewhere. */
  priority?: number;
  /** The MTP3 message: SIO, routing label, user part (see encodeMtp3). */
  mtp3: Uint8Array;
}

export function encodeM2paUserData(msg: M2paUserData): Uint8Array {
  checkRange('BSN', msg.bsn, 0, 0xffffff);
  checkRange('FSN', msg.fsn, 0, 0xffffff);
  const body = concat([u32be(msg.bsn & 0xffffff), u32be(msg.fsn & 0xffffff), u8(((msg.priority ?? 0) & 3) << 6), msg.mtp3]);
  // §2.1: version 1, spare, class 11, type, length of the whole message.
  return concat([u8(1), u8(0), u8(M2PA_CLASS), u8(M2PA_TYPE.userData), u32be(8 + body.length), body]);
}

/** Link Status (§2.3.2): 1 alignment, 2 proving normal, 3 proving emergency, 4 ready, ... */
export function encodeM2paLinkStatus(opts: { bsn: number; fsn: number; state: number }): Uint8Array {
  const body = concat([u32be(opts.bsn & 0xffffff), u32be(opts.fsn & 0xffffff), u32be(opts.state)]);
  return concat([u8(1), u8(0), u8(M2PA_CLASS), u8(M2PA_TYPE.linkStatus), u32be(8 + body.length), body]);
}
