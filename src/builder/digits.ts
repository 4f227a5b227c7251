// Digit encodings shared by SCCP, MAP, CAP and SMS: TBCD (TS 29.002 §17.7.8), the BCD of SCCP
// global titles (Q.713 §3.4.2.3), AddressString / ISDN-AddressString, the ISUP called and
// calling party numbers (Q.763 §3.9, §3.10), PLMN identities and GSM 7-bit packing
// (TS 23.038 §6.1.2.1).

import { checkRange, concat } from './bytes.js';

/** TBCD digit values: 0-9, then '*' 1010, '#' 1011, 'a' 1100, 'b' 1101, 'c' 1110. */
const TBCD_VALUES: Record<string, number> = { '*': 10, '#': 11, a: 12, b: 13, c: 14, A: 12, B: 13, C: 14 };

function digitValue(ch: string): number {
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  const v = TBCD_VALUES[ch];
  if (v === undefined) throw new RangeError(`not a TBCD digit: '${ch}'`);
  return v;
}

/** Two digits per octet, the first in the low nibble; an odd count ends with `filler`. */
export function packDigits(digits: string, filler: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(digits.length / 2));
  for (let i = 0; i < digits.length; i++) {
    const v = digitValue(digits[i]!);
    out[i >> 1]! |= i % 2 === 0 ? v : v << 4;
  }
  if (digits.length % 2 === 1) out[out.length - 1]! |= (filler & 0x0f) << 4;
  return out;
}

/** TBCD-STRING (TS 29.002 §17.7.8): filler 1111 for an odd number of digits. IMSI, IMEI. */
export function tbcd(digits: string): Uint8Array {
  return packDigits(digits, 0x0f);
}

/** SCCP global-title / ISUP address signals: filler 0000 for an odd number of digits. */
export function bcd(digits: string): Uint8Array {
  return packDigits(digits, 0x00);
}

/** Nature of address (TS 29.002 AddressString, bits 7-5 of octet 1). */
export const ADDRESS_NATURE = { unknown: 0, international: 1, national: 2, networkSpecific: 3, subscriber: 4, abbreviated: 6 } as const;
/** Numbering plan (bits 4-1). */
export const NUMBERING_PLAN = { unknown: 0, isdn: 1, data: 3, telex: 4, landMobile: 6, national: 8, private: 9 } as const;

export interface AddressStringOptions {
  nature?: number; // default international
  plan?: number; // default ISDN/telephony (E.164)
}

/** AddressString / ISDN-AddressString (TS 29.002 §17.7.8): ext bit, nature, plan, TBCD digits. */
export function addressString(digits: string, opts: AddressStringOptions = {}): Uint8Array {
  const nature = opts.nature ?? ADDRESS_NATURE.international;
  const plan = opts.plan ?? NUMBERING_PLAN.isdn;
  checkRange('nature of address', nature, 0, 7);
  checkRange('numbering plan', plan, 0, 15);
  return concat([Uint8Array.of(0x80 | (nature << 4) | plan), tbcd(digits)]);
}

/** ISUP nature of address indicator values (Q.763 §3.9 b). */
export const ISUP_NAI = { subscriber: 1, unknown: 2, national: 3, international: 4 } as const;

export interface IsupCalledPartyNumber {
  digits: string;
  nai?: number; // default international
  npi?: number; // numbering plan indicator, default 1 (ISDN E.164)
  inn?: boolean; // internal network number indicator: true = routing to INN not allowed
}

/** Called Party Number parameter content (Q.763 §3.9). */
export function isupCalledPartyNumber(n: IsupCalledPartyNumber): Uint8Array {
  const odd = n.digits.length % 2 === 1;
  const nai = n.nai ?? ISUP_NAI.international;
  const npi = n.npi ?? 1;
  return concat([Uint8Array.of((odd ? 0x80 : 0) | (nai & 0x7f), (n.inn ? 0x80 : 0) | ((npi & 7) << 4)), bcd(n.digits)]);
}

export interface IsupCallingPartyNumber {
  digits: string;
  nai?: number;
  npi?: number;
  numberIncomplete?: boolean; // NI
  presentation?: number; // APRI: 0 allowed, 1 restricted
  screening?: number; // 1 user provided verified and passed, 3 network provided
}

/** Calling Party Number parameter content (Q.763 §3.10). */
export function isupCallingPartyNumber(n: IsupCallingPartyNumber): Uint8Array {
  const odd = n.digits.length % 2 === 1;
  const nai = n.nai ?? ISUP_NAI.international;
  const npi = n.npi ?? 1;
  const octet2 = (n.numberIncomplete ? 0x80 : 0) | ((npi & 7) << 4) | (((n.presentation ?? 0) & 3) << 2) | ((n.screening ?? 3) & 3);
  return concat([Uint8Array.of((odd ? 0x80 : 0) | (nai & 0x7f), octet2), bcd(n.digits)]);
}

/** MCC+MNC in three octets (TS 24.008 §10.5.1.3): MNC digit 3 is 1111 for two-digit MNCs. */
export function plmnId(mcc: string, mnc: string): Uint8Array {
  if (!/^\d{3}$/.test(mcc)) throw new RangeError(`MCC has 3 digits: ${mcc}`);
  if (!/^\d{2,3}$/.test(mnc)) throw new RangeError(`MNC has 2 or 3 digits: ${mnc}`);
  const d = (s: string, i: number): number => s.charCodeAt(i) - 48;
  const mnc3 = mnc.length === 3 ? d(mnc, 2) : 0x0f;
  return Uint8Array.of((d(mcc, 1) << 4) | d(mcc, 0), (mnc3 << 4) | d(mcc, 2), (d(mnc, 1) << 4) | d(mnc, 0));
}

/** Cell global identity, fixed length (TS 29.002 CellGlobalIdOrServiceAreaIdFixedLength). */
export function cellGlobalId(cgi: { mcc: string; mnc: string; lac: number; ci: number }): Uint8Array {
  checkRange('LAC', cgi.lac, 0, 0xffff);
  checkRange('CI', cgi.ci, 0, 0xffff);
  return concat([plmnId(cgi.mcc, cgi.mnc), Uint8Array.of(cgi.lac >> 8, cgi.lac & 0xff, cgi.ci >> 8, cgi.ci & 0xff)]);
}

// GSM 7-bit default alphabet (TS 23.038 §6.2.1) for the characters the builder uses; the
// basic Latin letters, digits, space and common punctuation share their ASCII codes.
const GSM7_SPECIAL: Record<string, number> = { '@': 0x00, $: 0x02, _: 0x11 };

export function gsm7Septets(text: string): number[] {
  return [...text].map((ch) => {
    const special = GSM7_SPECIAL[ch];
    if (special !== undefined) return special;
    const code = ch.charCodeAt(0);
    if (/[A-Za-z0-9 !"#%&'()*+,\-./:;<=>?\n\r]/.test(ch)) return code;
    throw new RangeError(`character not in the builder's GSM 7-bit subset: '${ch}'`);
  });
}

/** Packs septets LSB first into octets (TS 23.038 §6.1.2.1.1). */
export function packSeptets(septets: readonly number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil((septets.length * 7) / 8));
  let bit = 0;
  for (const s of septets) {
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte]! |= (s << shift) & 0xff;
    if (shift > 1) out[byte + 1]! |= s >> (8 - shift);
    bit += 7;
  }
  return out;
}

/** USSD string packing (TS 23.038 §6.1.2.3.1): 7-bit packed; when the last octet has 7 spare
 *  bits they are filled with CR so the receiver does not read an '@'. */
export function packUssd(text: string): Uint8Array {
  const septets = gsm7Septets(text);
  if (septets.length % 8 === 7) septets.push(0x0d);
  return packSeptets(septets);
}
