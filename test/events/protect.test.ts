// Subscriber ids on export: clear, masked (first 5 and last 2 digits kept), or HMAC-SHA-256
// hashed with a salt file (stable per salt, different across salts, frames left out).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashIdentifier, loadSalt, maskIdentifier, subscriberIdProtection } from '../../src/events/protect.js';
import { sampleEvent } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'sigwall-protect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const withFrame = sampleEvent(1, { packet: { linkType: 1, originalLength: 4, base64: 'AAECAw==' } });

describe('subscriber id protection', () => {
  it('clear exports the event unchanged, frame included', () => {
    expect(subscriberIdProtection('clear')(withFrame)).toEqual(withFrame);
  });

  it('mask keeps the home network digits and the last two, and drops the frame bytes', () => {
    expect(maskIdentifier('234150123456789')).toBe('23415********89');
    expect(maskIdentifier('447700900123')).toBe('44770*****23');
    expect(maskIdentifier('1234567')).toBe('*******');
    const masked = subscriberIdProtection('mask')(withFrame);
    expect(masked.imsi).toBe('23415********89');
    expect(masked.msisdn).toBe('44770*****23');
    expect(masked.packet).toBeUndefined();
    expect(masked.ruleId).toBe(withFrame.ruleId);
    expect(withFrame.imsi).toBe('234150123456789'); // the original is not modified
  });

  it('hash is HMAC-SHA-256 of the digits under the salt, truncated to 128 bits: stable per salt', () => {
    const saltFile = join(dir, 'salt');
    writeFileSync(saltFile, Buffer.alloc(32, 7));
    const salt = loadSalt(saltFile);
    const expected = 'h:' + createHmac('sha256', Buffer.alloc(32, 7)).update('234150123456789').digest('hex').slice(0, 32);
    expect(hashIdentifier('234150123456789', salt)).toBe(expected);
    const hashed = subscriberIdProtection('hash', salt)(withFrame);
    expect(hashed.imsi).toBe(expected);
    expect(hashed.msisdn).toMatch(/^h:[0-9a-f]{32}$/);
    expect(hashed.packet).toBeUndefined();
    expect(subscriberIdProtection('hash', salt)(withFrame).imsi).toBe(hashed.imsi);
    expect(subscriberIdProtection('hash', Buffer.alloc(32, 8))(withFrame).imsi).not.toBe(hashed.imsi);
    expect(JSON.stringify(hashed)).not.toContain('234150123456789');
  });

  it('creates a missing salt file (32 random bytes, mode 0600) and reuses it; refuses a short one', () => {
    const saltFile = join(dir, 'state', 'subscriber-salt');
    const first = loadSalt(saltFile);
    expect(first.length).toBe(32);
    expect(statSync(saltFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(loadSalt(saltFile)).equals(readFileSync(saltFile))).toBe(true);
    const short = join(dir, 'short');
    writeFileSync(short, 'abc');
    expect(() => loadSalt(short)).toThrow(expect.objectContaining({ code: 'SIGWALL_ERR_CONFIG' }));
    expect(() => subscriberIdProtection('hash')).toThrow(expect.objectContaining({ code: 'SIGWALL_ERR_CONFIG' }));
  });
});
