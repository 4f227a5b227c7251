// Swapping the compiled table while a capture is being decoded (BatchDecoder.setTable): a valid
// image takes effect from the next batch; an image the loader refuses (a flipped byte, a cut)
// throws SIGWALL_ERR_TABLE naming the problem, and the table already in use keeps deciding.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import baseline from '../../firmware-config/policies/fs11-baseline.js';
import { BatchDecoder, decodeCapture } from '../../src/dataplane/decoder.js';
import type { MessageRecord } from '../../src/decode/record.js';
import { CaptureError, SigwallError } from '../../src/errors.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { withRuleIds } from '../../src/policy/evaluate.js';
import { Policy } from '../../src/policy/schema.js';

const demo = readFileSync(new URL('../../firmware-config/demo/demo.pcap', import.meta.url));

// A: the FS.11 baseline. B: no rules, every message dropped by default.
const tableA = compilePolicy(withRuleIds(Policy.parse(baseline))).image;
const tableB = compilePolicy(
  withRuleIds(Policy.parse({ name: 'drop-all', networks: { home: {} }, rules: [], defaults: { action: 'drop', malformed: 'drop' } })),
).image;

const verdictOf = (r: MessageRecord) => ({ action: r.verdict?.action, rule: r.verdict?.rule });

// The reference: the whole capture under A alone, in record order.
const underA = decodeCapture(demo, { table: tableA }).records;
const BATCH = 16;

function corruptions(image: Uint8Array): { name: string; bytes: Uint8Array; message: RegExp }[] {
  const flipped = image.slice();
  flipped[Math.floor(flipped.length / 2)]! ^= 0x01;
  return [
    { name: 'one byte flipped', bytes: flipped, message: /^table image: .*CRC32c .*corrupted/ },
    { name: 'truncated', bytes: image.slice(0, image.length - 8), message: /^table image: .*image size field \d+ at offset 16 but \d+ bytes were given/ },
    { name: 'cut inside the header', bytes: image.slice(0, 40), message: /^table image: .*shorter than the 64-byte header/ },
  ];
}

function expectTableError(run: () => void, message: RegExp) {
  let failure: unknown;
  try {
    run();
  } catch (error) {
    failure = error;
  }
  expect(failure).toBeInstanceOf(SigwallError);
  expect((failure as SigwallError).code).toBe('SIGWALL_ERR_TABLE');
  expect((failure as Error).message).toMatch(message);
}

describe('BatchDecoder.setTable', () => {
  it('the baseline decides differently from drop-all on the demo capture', () => {
    expect(underA.length).toBeGreaterThan(4 * BATCH);
    expect(underA.every((r) => r.verdict !== undefined)).toBe(true);
    // Otherwise the swap below would show nothing.
    expect(underA.filter((r) => r.verdict!.action === 'allow').length).toBeGreaterThan(BATCH);
  });

  it('classifies with the new table from the batch after the swap on', () => {
    const decoder = new BatchDecoder(demo, { table: tableA });
    const before: MessageRecord[] = [];
    for (let i = 0; i < 2; i++) before.push(...decoder.decodeBatch(BATCH).records);
    expect(before.map(verdictOf)).toEqual(underA.slice(0, before.length).map(verdictOf));

    decoder.setTable(tableB);
    const after: MessageRecord[] = [];
    for (;;) {
      const batch = decoder.decodeBatch(BATCH);
      after.push(...batch.records);
      if (batch.done) break;
    }
    expect(before.length + after.length).toBe(underA.length);
    for (const record of after) expect(verdictOf(record)).toEqual({ action: 'drop', rule: 'drop-all#default' });
    // Only the verdicts change: the records are those of the same decode.
    const strip = ({ verdict: _, ...rest }: MessageRecord) => rest;
    expect([...before, ...after].map(strip)).toEqual(underA.map(strip));
    // And some of them were allowed under A.
    expect(underA.slice(before.length).some((r) => r.verdict!.action === 'allow')).toBe(true);
  });

  for (const { name, bytes, message } of corruptions(tableB)) {
    it(`refuses a replacement image (${name}) and keeps the active table`, () => {
      const decoder = new BatchDecoder(demo, { table: tableA });
      const seen: MessageRecord[] = [...decoder.decodeBatch(BATCH).records];
      expectTableError(() => decoder.setTable(bytes), message);
      // Still A, batch after batch, to the end.
      for (;;) {
        const batch = decoder.decodeBatch(BATCH);
        seen.push(...batch.records);
        if (batch.done) break;
      }
      expect(seen.map(verdictOf)).toEqual(underA.map(verdictOf));
    });
  }

  it('keeps the table a failed swap left in place: A -> B -> corrupted A stays B', () => {
    const decoder = new BatchDecoder(demo, { table: tableA });
    const first = decoder.decodeBatch(BATCH).records;
    decoder.setTable(tableB);
    expectTableError(() => decoder.setTable(corruptions(tableA)[0]!.bytes), /corrupted/);
    const rest: MessageRecord[] = [];
    for (;;) {
      const batch = decoder.decodeBatch(BATCH);
      rest.push(...batch.records);
      if (batch.done) break;
    }
    expect(first.map(verdictOf)).toEqual(underA.slice(0, first.length).map(verdictOf));
    for (const record of rest) expect(verdictOf(record)).toEqual({ action: 'drop', rule: 'drop-all#default' });
  });

  it('gives a decoder opened without a table one from the next batch on', () => {
    const decoder = new BatchDecoder(demo);
    const first = decoder.decodeBatch(BATCH).records;
    expect(first.every((r) => r.verdict === undefined)).toBe(true);
    decoder.setTable(tableA);
    const second = decoder.decodeBatch(BATCH).records;
    expect(second.map(verdictOf)).toEqual(underA.slice(first.length, first.length + second.length).map(verdictOf));
  });

  it('ends a cut capture with a CaptureError after the records before the cut', () => {
    const decoder = new BatchDecoder(demo.subarray(0, Math.floor(demo.length / 2)), { table: tableA, file: 'half.pcap' });
    const seen: MessageRecord[] = [];
    let failure: unknown;
    try {
      for (;;) {
        const batch = decoder.decodeBatch(BATCH);
        seen.push(...batch.records);
        if (batch.done) break;
      }
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(CaptureError);
    expect((failure as Error).message).toMatch(/^half\.pcap: /);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.map(verdictOf)).toEqual(underA.slice(0, seen.length).map(verdictOf));
  });

  it('refuses what is not a Uint8Array', () => {
    const decoder = new BatchDecoder(demo, { table: tableA });
    expect(() => decoder.setTable('not a table' as unknown as Uint8Array)).toThrowError(SigwallError);
  });
});
