// SMS transfer-layer PDUs (3GPP TS 23.040 §9.2.2) carried in MAP sm-RP-UI: SMS-DELIVER for
// mt-forwardSM and SMS-SUBMIT for mo-forwardSM, with a numeric or alphanumeric originator
// (the field SMS spoofing forges).

import { concat } from './bytes.js';
import { gsm7Septets, packSeptets, tbcd } from './digits.js';

/** A TP address (§9.1.2.5): international number, or alphanumeric (TON 101, GSM 7-bit). */
export type SmsAddress = { digits: string; international?: boolean } | { alphanumeric: string };

export function encodeSmsAddress(a: SmsAddress): Uint8Array {
  if ('alphanumeric' in a) {
    const packed = packSeptets(gsm7Septets(a.alphanumeric));
    // Address-Length counts the semi-octets of the packed value.
    const semiOctets = Math.ceil((a.alphanumeric.length * 7) / 4);
    return concat([Uint8Array.of(semiOctets, 0xd0), packed]);
  }
  return concat([Uint8Array.of(a.digits.length, a.international === false ? 0x81 : 0x91), tbcd(a.digits)]);
}

/** TP-SCTS (§9.2.3.11): semi-octet swapped YYMMDDhhmmss and a time zone in quarter hours. */
function timestamp(date: Date): Uint8Array {
  const two = (n: number): number => {
    const tens = Math.floor(n / 10) % 10;
    const ones = n % 10;
    return (ones << 4) | tens;
  };
  return Uint8Array.of(
    two(date.getUTCFullYear() % 100),
    two(date.getUTCMonth() + 1),
    two(date.getUTCDate()),
    two(date.getUTCHours()),
    two(date.getUTCMinutes()),
    two(date.getUTCSeconds()),
    0x00,
  );
}

export interface SmsDeliver {
  originator: SmsAddress;
  text: string; // GSM 7-bit default alphabet subset
  timestamp: Date;
  moreMessagesToSend?: boolean;
}

/** SMS-DELIVER (§9.2.2.1): TP-MTI 00, TP-MMS, TP-OA, TP-PID, TP-DCS, TP-SCTS, TP-UDL, TP-UD. */
export function encodeSmsDeliver(d: SmsDeliver): Uint8Array {
  const septets = gsm7Septets(d.text);
  const first = d.moreMessagesToSend ? 0x00 : 0x04; // TP-MMS = 1: no more messages waiting
  return concat([Uint8Array.of(first), encodeSmsAddress(d.originator), Uint8Array.of(0x00, 0x00), timestamp(d.timestamp), Uint8Array.of(septets.length), packSeptets(septets)]);
}

export interface SmsSubmit {
  messageReference: number;
  destination: SmsAddress;
  text: string;
}

/** SMS-SUBMIT (§9.2.2.2): TP-MTI 01, no validity period, TP-MR, TP-DA, TP-PID, TP-DCS, TP-UDL, TP-UD. */
export function encodeSmsSubmit(s: SmsSubmit): Uint8Array {
  const septets = gsm7Septets(s.text);
  return concat([Uint8Array.of(0x01, s.messageReference & 0xff), encodeSmsAddress(s.destination), Uint8Array.of(0x00, 0x00, septets.length), packSeptets(septets)]);
}
