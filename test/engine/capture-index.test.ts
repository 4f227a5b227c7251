// The replay engine's frame index agrees with the native capture reader: the same frames, in
// the same numbering, with the same timestamps, on pcap (both byte orders, µs and ns) and on
// pcapng (nanosecond interfaces, several link types); a damaged capture stops the index at
// the last whole frame with the offset of the fault.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDemoPcapng } from '../../src/builder/capture.js';
import { encodePcapng } from '../../src/builder/pcap.js';
import { decodeCapture } from '../../src/dataplane/decoder.js';
import { indexCapture, type CaptureIndex } from '../../src/engine/capture-index.js';

const demo = new Uint8Array(readFileSync(new URL('../../firmware-config/demo/demo.pcap', import.meta.url)));

// Every record's frame has the record's timestamp in the index, and the index has every frame.
function expectAgreesWithDecoder(capture: Uint8Array, index: CaptureIndex) {
  const { records, stats } = decodeCapture(capture);
  expect(index.frames).toBe(stats.frames);
  expect(index.error).toBeUndefined();
  expect(records.length).toBeGreaterThan(100);
  for (const record of records) expect(index.timestampNs[record.frame - 1]!.toString()).toBe(record.timestampNs);
  let bytes = 0;
  for (let i = 0; i < index.frames; i++) bytes += index.capturedLength[i]!;
  expect(bytes).toBe(stats.bytes);
}

// The demo's classic pcap rewritten big-endian with nanosecond timestamps.
function bigEndianNanosecond(pcap: Uint8Array): Uint8Array {
  const input = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  const out = new Uint8Array(pcap.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xa1b23c4d, false);
  view.setUint16(4, input.getUint16(4, true), false);
  view.setUint16(6, input.getUint16(6, true), false);
  view.setUint32(16, input.getUint32(16, true), false);
  view.setUint32(20, input.getUint32(20, true), false);
  let at = 24;
  while (at < pcap.byteLength) {
    view.setUint32(at, input.getUint32(at, true), false);
    view.setUint32(at + 4, input.getUint32(at + 4, true) * 1000 + 7, false);
    const captured = input.getUint32(at + 8, true);
    view.setUint32(at + 8, captured, false);
    view.setUint32(at + 12, input.getUint32(at + 12, true), false);
    out.set(pcap.subarray(at + 16, at + 16 + captured), at + 16);
    at += 16 + captured;
  }
  return out;
}

describe('indexCapture', () => {
  it('indexes the demo pcap as the native reader reads it', () => {
    const index = indexCapture(demo);
    expect(index.frames).toBe(475);
    expect(index.linkType.every((type) => type === 1)).toBe(true);
    expectAgreesWithDecoder(demo, index);
  });

  it('reads big-endian nanosecond pcap', () => {
    const capture = bigEndianNanosecond(demo);
    const index = indexCapture(capture);
    expect(index.timestampNs[0]! % 1000n).toBe(7n);
    expectAgreesWithDecoder(capture, index);
  });

  it('reads pcapng with comments and nanosecond interfaces', () => {
    const { pcapng } = buildDemoPcapng({ comments: true });
    const index = indexCapture(pcapng);
    expectAgreesWithDecoder(pcapng, index);
  });

  it('keeps each frame link type and bytes across interfaces', () => {
    const frames = [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6, 7, 8), Uint8Array.of(9)];
    const capture = encodePcapng(
      frames.map((data, i) => ({ data, timestampNs: 1_700_000_000_123_456_789n + BigInt(i), interfaceId: i % 2, comment: `c${i}` })),
      { interfaces: [{ linkType: 1 }, { linkType: 113 }] },
    );
    const index = indexCapture(capture);
    expect(index.frames).toBe(3);
    expect([...index.linkType]).toEqual([1, 113, 1]);
    expect([...index.timestampNs]).toEqual([1_700_000_000_123_456_789n, 1_700_000_000_123_456_790n, 1_700_000_000_123_456_791n]);
    for (const [i, data] of frames.entries()) {
      expect(capture.subarray(index.dataOffset[i]!, index.dataOffset[i]! + index.capturedLength[i]!)).toEqual(data);
    }
  });

  it('stops at a damaged record with its offset, and refuses what is not a capture', () => {
    const cut = demo.subarray(0, demo.byteLength - 10);
    const index = indexCapture(cut);
    expect(index.frames).toBe(474);
    expect(index.error?.message).toMatch(/runs past the end/);
    expect(index.error!.offset).toBeGreaterThan(24);
    expect(indexCapture(new TextEncoder().encode('not a capture at all')).error).toMatchObject({ offset: 0 });
    expect(indexCapture(new Uint8Array(2)).frames).toBe(0);
    // A block length that runs past the file: stops, never reads out of bounds.
    const pcapng = encodePcapng([{ data: Uint8Array.of(1, 2, 3, 4), timestampNs: 1n }], { interfaces: [{ linkType: 1 }] });
    const broken = pcapng.slice();
    new DataView(broken.buffer).setUint32(broken.byteLength - 36 + 4, 0x7ffffff0, true) // the last EPB (36 bytes): its total length;
    expect(indexCapture(broken).error).toBeDefined();
  });
});
