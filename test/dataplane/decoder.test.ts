// The public decode API over the native addon: records validate against the schema, capture
// errors become CaptureError with the file and offset, bad options are refused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anomalyCatalog, decodeCapture, decodeCaptureRecords, operationNames } from '../../src/dataplane/decoder.js';
import { MessageRecord } from '../../src/decode/record.js';
import { CaptureError, SigwallError } from '../../src/errors.js';

const demo = readFileSync(new URL('../../firmware-config/demo/demo.pcap', import.meta.url));

describe('decodeCapture', () => {
  it('decodes the demo capture into schema-valid records with TCAP and MAP fields', () => {
    const { records, stats } = decodeCapture(demo);
    expect(records.length).toBeGreaterThan(100);
    for (const record of records) MessageRecord.parse(record);
    expect(stats.messages).toBe(records.length);
    expect(stats.tcapMessages).toBe(records.filter((r) => r.tcap).length);
    const operations = new Set(records.flatMap((r) => r.tcap?.components.map((c) => c.operation) ?? []));
    for (const name of ['anyTimeInterrogation', 'updateLocation', 'sendRoutingInfoForSM', 'mt-forwardSM', 'purgeMS'])
      expect(operations).toContain(name);
    const imsis = records.flatMap((r) => r.tcap?.components.map((c) => c.map?.imsi).filter(Boolean) ?? []);
    expect(imsis.length).toBeGreaterThan(10);
    for (const imsi of imsis) expect(imsi).toMatch(/^\d{6,15}$/);
  });

  it('streams in batches with the same records as the one-shot call', () => {
    const all = decodeCapture(demo).records;
    const streamed = [...decodeCaptureRecords(demo, { batchSize: 7 })];
    expect(streamed).toEqual(all);
  });

  it('refuses bytes that are not a capture, naming the offset', () => {
    const notACapture = new TextEncoder().encode('this is not a pcap file at all');
    expect(() => decodeCapture(notACapture, { file: 'notes.txt' })).toThrowError(CaptureError);
    try {
      decodeCapture(notACapture, { file: 'notes.txt' });
    } catch (error) {
      expect((error as CaptureError).code).toBe('SIGWALL_ERR_CAPTURE');
      expect((error as CaptureError).offset).toBe(0);
      expect((error as Error).message).toMatch(/^notes\.txt: /);
    }
  });

  it('reports a truncated capture after the messages before the cut', () => {
    const full = decodeCapture(demo).records;
    const cut = demo.subarray(0, Math.floor(demo.length / 2));
    const seen: MessageRecord[] = [];
    let failure: unknown;
    try {
      for (const record of decodeCaptureRecords(cut, { file: 'half.pcap' })) seen.push(record);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(CaptureError);
    expect((failure as CaptureError).offset).toBeGreaterThan(24);
    expect((failure as CaptureError).offset).toBeLessThanOrEqual(cut.length);
    expect(seen.length).toBeGreaterThan(0);
    // What was decoded before the cut equals the start of the full decode (a message whose
    // reassembly was cut short is simply absent).
    expect(seen).toEqual(full.slice(0, seen.length));
  });

  it('refuses invalid options with SIGWALL_ERR_OPTIONS', () => {
    expect(() => decodeCapture(demo, { capSsns: [300] })).toThrowError(SigwallError);
    expect(() => decodeCapture(demo, { mtp3Variant: 'martian' as never })).toThrowError(/mtp3Variant/);
    expect(() => decodeCapture(demo, { unknownOption: 1 } as never)).toThrowError(/unknownOption|Unrecognized/);
  });
});

describe('native catalogues', () => {
  it('lists unique, layer-prefixed anomaly names', () => {
    const names = anomalyCatalog().map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9]+\.[a-z0-9_]+$/);
    expect(names).toEqual(expect.arrayContaining(['sctp.bad_crc', 'tcap.global_opcode', 'ber.indefinite_length', 'sccp.missing_ssn']));
  });

  it('names MAP and CAP operations from the native tables', () => {
    const { map, cap } = operationNames();
    expect(map[71]).toBe('anyTimeInterrogation');
    expect(map[2]).toBe('updateLocation');
    expect(map[45]).toBe('sendRoutingInfoForSM');
    expect(cap[0]).toBe('initialDP');
    expect(map[200]).toBeUndefined();
  });
});
