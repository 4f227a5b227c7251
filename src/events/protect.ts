// Subscriber identifiers (IMSI, MSISDN) in exported events, by configuration
// (events.subscriberIds): `clear` as decoded; `mask` keeps the first 5 digits (an IMSI's MCC+MNC,
// an MSISDN's country code and operator prefix) and the last 2, the rest becomes '*'; `hash`
// replaces each identifier with `h:` + the first 16 bytes (32 hex digits) of HMAC-SHA-256 keyed
// with the salt file's bytes, so the same subscriber gets the same token under one salt (events
// can be correlated) and the identifier cannot be recovered by hashing every IMSI of a range
// without the salt.
//
// Under mask or hash, the event's frame bytes (`packet`) are left out as well: they carry the
// identifiers in clear. The pcapng export of blocked messages is the one place that keeps the
// frames (it exists to open them in Wireshark); docs and the README say so.
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EngineEvent } from '../engine/contract.js';
import { SigwallError } from '../errors.js';

export type SubscriberIdMode = 'clear' | 'mask' | 'hash';

const kKeepHead = 5;
const kKeepTail = 2;
const kMinSaltBytes = 16;
const kHashBytes = 16;

export function maskIdentifier(digits: string): string {
  if (digits.length <= kKeepHead + kKeepTail) return '*'.repeat(digits.length);
  return digits.slice(0, kKeepHead) + '*'.repeat(digits.length - kKeepHead - kKeepTail) + digits.slice(-kKeepTail);
}

export function hashIdentifier(digits: string, salt: Uint8Array): string {
  return 'h:' + createHmac('sha256', salt).update(digits.toLowerCase()).digest().subarray(0, kHashBytes).toString('hex');
}

// Reads the salt; a missing file is created with 32 random bytes (mode 0600), so a fresh
// appliance configured for hashing works and keeps the same salt across restarts.
export function loadSalt(file: string): Uint8Array {
  if (!existsSync(file)) {
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SigwallError('SIGWALL_ERR_STORE', `${file}: cannot create the subscriber-id salt: ${(error as Error).message}`, { file });
      }
    }
  }
  let salt: Buffer;
  try {
    salt = readFileSync(file);
    chmodSync(file, 0o600);
  } catch (error) {
    throw new SigwallError('SIGWALL_ERR_CONFIG', `${file}: cannot read the subscriber-id salt (events.saltFile): ${(error as Error).message}`, { file });
  }
  if (salt.length < kMinSaltBytes) {
    throw new SigwallError('SIGWALL_ERR_CONFIG', `${file}: the subscriber-id salt has ${salt.length} bytes; at least ${kMinSaltBytes} are needed (events.saltFile)`, { file });
  }
  return salt;
}

export function subscriberIdProtection(mode: SubscriberIdMode, salt?: Uint8Array): (event: EngineEvent) => EngineEvent {
  if (mode === 'clear') return (event) => event;
  let transform: (digits: string) => string;
  if (mode === 'mask') {
    transform = maskIdentifier;
  } else {
    if (!salt) throw new SigwallError('SIGWALL_ERR_CONFIG', 'subscriberIds "hash" needs saltFile');
    const key = salt;
    transform = (digits) => hashIdentifier(digits, key);
  }
  return (event) => {
    const { packet: _frameBytes, imsi, msisdn, ...rest } = event;
    return {
      ...rest,
      ...(imsi !== undefined ? { imsi: transform(imsi) } : {}),
      ...(msisdn !== undefined ? { msisdn: transform(msisdn) } : {}),
    };
  };
}
