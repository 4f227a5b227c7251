// readTableImageInfo: the header, the policy name and the rules of a compiled image, and a
// SIGWALL_ERR_TABLE naming the field and offset for every kind of damage an untrusted image can
// carry (the reader only ever reads inside the image).
import { describe, expect, it } from 'vitest';
import baseline from '../../firmware-config/policies/fs11-baseline.js';
import { crc32c } from '../../src/builder/crc32c.js';
import { readTableImageInfo } from '../../src/engine/image-info.js';
import { SigwallError } from '../../src/errors.js';
import { compilePolicy, SectionKind, TABLE_FORMAT_VERSION } from '../../src/policy/compile.js';
import { withRuleIds } from '../../src/policy/evaluate.js';
import { registryHash } from '../../src/policy/registry-header.js';
import { Policy } from '../../src/policy/schema.js';

const policy = withRuleIds(Policy.parse(baseline));
const image = compilePolicy(policy).image;

function view(bytes: Uint8Array) {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// A copy of the image changed by `edit`, with the CRC recomputed so that the damage under test
// (not the checksum) is what the reader meets.
function edited(edit: (bytes: Uint8Array, dv: DataView) => void, source: Uint8Array = image): Uint8Array {
  const bytes = source.slice();
  edit(bytes, view(bytes));
  view(bytes).setUint32(20, 0, true);
  view(bytes).setUint32(20, crc32c(bytes), true);
  return bytes;
}

function directoryEntry(bytes: Uint8Array, kind: number): number {
  const dv = view(bytes);
  const count = dv.getUint32(36, true);
  const directory = dv.getUint32(40, true);
  for (let i = 0; i < count; i++) if (dv.getUint32(directory + i * 16, true) === kind) return directory + i * 16;
  throw new Error(`no section of kind ${kind}`);
}

function tableError(bytes: Uint8Array): SigwallError {
  try {
    readTableImageInfo(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(SigwallError);
    expect((error as SigwallError).code).toBe('SIGWALL_ERR_TABLE');
    return error as SigwallError;
  }
  throw new Error('the image was accepted');
}

describe('readTableImageInfo', () => {
  it('reads the header, the policy name and every rule of the compiled baseline in policy order', () => {
    const info = readTableImageInfo(image);
    expect(info.formatVersion).toBe(TABLE_FORMAT_VERSION);
    expect(info.imageSize).toBe(image.byteLength);
    expect(info.registryHash).toBe(registryHash());
    expect(info.policyName).toBe(policy.name);
    expect(info.defaultAction).toBe(policy.defaults.action);
    expect(info.malformedAction).toBe(policy.defaults.malformed);
    expect(info.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(info.rules.map((rule) => ({ id: rule.id, action: rule.action, mode: rule.mode, category: rule.category }))).toEqual(
      policy.rules.map((rule) => ({ id: rule.id, action: rule.action, mode: rule.mode, category: String(rule.category) })),
    );
    expect(info.rules.map((rule) => rule.index)).toEqual(policy.rules.map((_, i) => i));
    expect(info.rules.some((rule) => rule.mode === 'shadow')).toBe(true);
    expect(new Set(info.rules.map((rule) => rule.category))).toEqual(new Set(['1', '2', '3', 'custom']));
  });

  it('reads an image held in a subarray of a larger buffer', () => {
    const padded = new Uint8Array(image.byteLength + 24);
    padded.set(image, 8);
    expect(readTableImageInfo(padded.subarray(8, 8 + image.byteLength)).rules.length).toBe(policy.rules.length);
  });

  it('takes the policy name from rule 0 when the image has no POLICY_NAME section', () => {
    const without = edited((bytes, dv) => dv.setUint32(directoryEntry(bytes, SectionKind.POLICY_NAME), 99, true));
    expect(readTableImageInfo(without).policyName).toBe(policy.name);
  });

  it('reads an image with no rules', () => {
    const empty = compilePolicy(withRuleIds(Policy.parse({ name: 'nothing', networks: { home: {} }, rules: [], defaults: { action: 'drop', malformed: 'drop' } }))).image;
    const info = readTableImageInfo(empty);
    expect(info.rules).toEqual([]);
    expect(info.policyName).toBe('nothing');
    expect(info.defaultAction).toBe('drop');
  });

  const rulesEntry = directoryEntry(image, SectionKind.RULES);
  const rulesOffset = view(image).getUint32(rulesEntry + 4, true);
  const stringsEntry = directoryEntry(image, SectionKind.STRINGS);
  const stringsSize = view(image).getUint32(stringsEntry + 8, true);

  const cases: { name: string; bytes: () => Uint8Array; message: RegExp }[] = [
    { name: 'shorter than the header', bytes: () => image.slice(0, 40), message: /40 bytes is shorter than the 64-byte header/ },
    { name: 'another magic', bytes: () => edited((bytes) => bytes.set([0x50, 0x4b], 0)), message: /magic .* at offset 0 is not SGWLTBL1/ },
    { name: 'another format version', bytes: () => edited((_, dv) => dv.setUint32(8, 99, true)), message: /format version 99 at offset 8/ },
    { name: 'another header size', bytes: () => edited((_, dv) => dv.setUint32(12, 48, true)), message: /header size 48 at offset 12/ },
    { name: 'truncated', bytes: () => image.slice(0, image.length - 8), message: /image size field \d+ at offset 16 but \d+ bytes were given/ },
    {
      name: 'a flipped byte',
      bytes: () => {
        const bytes = image.slice();
        bytes[Math.floor(bytes.length / 2)]! ^= 1;
        return bytes;
      },
      message: /CRC32c .* at offset 20: the image is corrupted/,
    },
    { name: 'another field registry', bytes: () => edited((_, dv) => dv.setBigUint64(24, 0x1234n, true)), message: /registry hash 0x1234 at offset 24 .*another field registry/ },
    { name: 'a directory past the end', bytes: () => edited((_, dv) => dv.setUint32(40, image.length - 8, true)), message: /section directory .* lies outside/ },
    { name: 'a huge section count', bytes: () => edited((_, dv) => dv.setUint32(36, 0x10000000, true)), message: /section directory \(268435456 entries/ },
    { name: 'an unknown default action', bytes: () => edited((_, dv) => dv.setUint8(45, 7)), message: /default action 7 at offset 45/ },
    { name: 'an unknown malformed action', bytes: () => edited((_, dv) => dv.setUint8(44, 3)), message: /malformed action 3 at offset 44/ },
    {
      name: 'a RULES section past the end',
      bytes: () => edited((_, dv) => dv.setUint32(rulesEntry + 4, image.length - 4, true)),
      message: new RegExp(`section kind 1 \\(directory entry at offset ${rulesEntry}: .*\\) lies outside`),
    },
    {
      name: 'a section whose offset + size overflows 32 bits',
      bytes: () => edited((_, dv) => (dv.setUint32(stringsEntry + 4, 0xfffffff0, true), dv.setUint32(stringsEntry + 8, 0x20, true))),
      message: /section kind 2 .* lies outside/,
    },
    { name: 'no RULES section', bytes: () => edited((_, dv) => dv.setUint32(rulesEntry, 99, true)), message: /no RULES section \(kind 1\)/ },
    { name: 'no STRINGS section', bytes: () => edited((_, dv) => dv.setUint32(stringsEntry, 99, true)), message: /no STRINGS section \(kind 2\)/ },
    { name: 'RULES listed twice', bytes: () => edited((_, dv) => dv.setUint32(stringsEntry, SectionKind.RULES, true)), message: /section kind 1 appears twice/ },
    { name: 'a RULES count unlike the header', bytes: () => edited((_, dv) => dv.setUint32(rulesEntry + 12, 1, true)), message: /RULES section count 1 .* differs from the header's rule count/ },
    { name: 'a RULES size unlike the count', bytes: () => edited((_, dv) => dv.setUint32(rulesEntry + 8, 20, true)), message: /RULES section is 20 bytes, not 16 x/ },
    { name: 'a rule id past STRINGS', bytes: () => edited((_, dv) => dv.setUint32(rulesOffset + 16, stringsSize - 2, true)), message: /rule 1's id .* lies outside the \d+-byte STRINGS section/ },
    { name: 'an empty rule id', bytes: () => edited((_, dv) => dv.setUint16(rulesOffset + 4, 0, true)), message: /rule 0's id .* is empty/ },
    {
      name: 'a rule id that is not UTF-8',
      bytes: () =>
        edited((bytes, dv) => {
          const at = view(image).getUint32(stringsEntry + 4, true) + dv.getUint32(rulesOffset, true);
          bytes[at] = 0xff;
        }),
      message: /rule 0's id at offset \d+ is not valid UTF-8/,
    },
    { name: 'an unknown rule action', bytes: () => edited((_, dv) => dv.setUint8(rulesOffset + 16 * 2 + 6, 5)), message: new RegExp(`rule 2's action 5 at offset ${rulesOffset + 38}`) },
    { name: 'an unknown rule mode', bytes: () => edited((_, dv) => dv.setUint8(rulesOffset + 7, 2)), message: /rule 0's mode 2 at offset/ },
    { name: 'an unknown rule category', bytes: () => edited((_, dv) => dv.setUint8(rulesOffset + 8, 4)), message: /rule 0's category 4 at offset/ },
    { name: 'a rule count over 65,534', bytes: () => edited((_, dv) => dv.setUint32(48, 0x10000, true)), message: /rule count 65536 at offset 48/ },
  ];
  for (const { name, bytes, message } of cases) {
    it(`refuses ${name}`, () => {
      const error = tableError(bytes());
      expect(error.message).toMatch(/^table image: /);
      expect(error.message).toMatch(message);
    });
  }

  it('skips section kinds it does not read (the classification sections may change)', () => {
    const renamed = edited((bytes, dv) => {
      const count = dv.getUint32(36, true);
      const directory = dv.getUint32(40, true);
      for (let i = 0; i < count; i++) {
        const kind = dv.getUint32(directory + i * 16, true);
        if (kind !== SectionKind.RULES && kind !== SectionKind.STRINGS && kind !== SectionKind.POLICY_NAME) dv.setUint32(directory + i * 16, 200 + kind, true);
      }
      void bytes;
    });
    expect(readTableImageInfo(renamed).rules.length).toBe(policy.rules.length);
  });
});
