// The comparison on hand-made MessageRecords: against tshark's view of real captures (what a
// correct decoder must produce, so zero differences) and on small synthetic frames for the
// alignment rules (bundled chunks, fragments, segments, packet-level fields).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageRecord } from '../../src/decode/record.js';
import { capturesDir } from './captures.js';
import { canonical, compareCapture, explain, groupDifferences, unusedKnownDifferences, type KnownDifference } from './compare.js';
import { tsharkFrames, type TsharkFrames } from './tshark.js';

type RecordOverrides = Partial<Omit<MessageRecord, 'sctp'>> & { sctp?: Partial<MessageRecord['sctp']> };

/** A record as the decoder would return it; parsed by the schema so that the fixtures stay valid. */
function record(overrides: RecordOverrides): MessageRecord {
  const { sctp, ...rest } = overrides;
  return MessageRecord.parse({
    frame: 1,
    chunk: 0,
    timestampNs: '0',
    ip: { version: 4, src: '10.0.0.1', dst: '10.0.0.2' },
    adaptation: 'none',
    application: 'unknown',
    anomalies: [],
    status: 'ok',
    ...rest,
    sctp: { srcPort: 2905, dstPort: 2905, tsn: 1, sid: 0, ssn: 0, ppid: 3, fragments: 1, idata: false, ...sctp },
  });
}

// GT with TT/NP/ES/NAI (GTI 4), international E.164; ES 1 = BCD odd, 2 = BCD even (Q.713 §3.4.2.3.4)
const gtAddress = (ssn: number, digits: string) => ({ ri: 0, gti: 4, ssn, tt: 0, np: 1, es: digits.length % 2 ? 1 : 2, nai: 4, digits });

// sigcorr/ss7_location_tracking.pcap decoded correctly: SRI (MSISDN) then ATI (IMSI).
function locationTracking(): MessageRecord[] {
  const common = {
    adaptation: 'm3ua' as const,
    m3ua: { messageClass: 1, messageType: 1 },
    mtp3: { opc: 100, dpc: 200, si: 3, ni: 2, mp: 0, sls: 0 },
    sccp: { messageType: 0x09, protocolClass: 0, called: gtAddress(6, '441234567890'), calling: gtAddress(147, '491720000000'), segments: 1 },
    application: 'map' as const,
  };
  return [
    record({
      ...common,
      frame: 1,
      sctp: { ssn: 0 },
      tcap: {
        type: 'begin',
        otid: '00010001',
        componentCount: 1,
        components: [{ type: 'invoke', invokeId: 1, opcode: 22, operation: 'sendRoutingInfo', map: { msisdn: '447712345678' } }],
      },
    }),
    record({
      ...common,
      frame: 2,
      sctp: { ssn: 1 },
      tcap: {
        type: 'begin',
        otid: '00010002',
        componentCount: 1,
        components: [
          { type: 'invoke', invokeId: 2, opcode: 71, operation: 'anyTimeInterrogation', map: { imsi: '234101234567890', subscriberIdentity: 'imsi' } },
        ],
      },
    }),
  ];
}

describe('canonical values', () => {
  it('compares integers by value whatever tshark prints them in', () => {
    expect(canonical('int', '0x09')).toBe('9');
    expect(canonical('int', '0x0000')).toBe('0');
    expect(canonical('int', '-666')).toBe('-666');
    expect(canonical('int', 9)).toBe('9');
    expect(canonical('int', true)).toBe('1');
    expect(canonical('int', 'Yes')).toBe('Yes');
    expect(canonical('bytes', '00:01:0A:01')).toBe('00010a01');
    expect(canonical('text', '1227010900F')).toBe('1227010900F');
  });
});

describe('comparison rules (synthetic tshark frames)', () => {
  const frames = (entries: [number, Record<string, string[]>][]): TsharkFrames =>
    new Map(entries.map(([frame, fields]) => [frame, new Map(Object.entries(fields))]));

  it('concatenates bundled messages in chunk order and keeps only the E-bit chunks of tshark', () => {
    const tshark = frames([
      // frame 3: a fragment (B, no E) then two complete messages
      [3, { 'sctp.srcport': ['2905'], 'sctp.dstport': ['2906'], 'sctp.chunk_type': ['3', '0', '0', '0'], 'sctp.data_tsn_raw': ['7', '8', '9'], 'sctp.data_sid': ['0x0001', '0x0000', '0x0002'], 'sctp.data_ssn': ['4', '5', '6'], 'sctp.data_payload_proto_id': ['3', '3', '0'], 'sctp.data_e_bit': ['0', '1', '1'] }],
      // frame 4: INIT, no DATA: ports are not compared
      [4, { 'sctp.srcport': ['2905'], 'sctp.dstport': ['2906'], 'sctp.chunk_type': ['1'] }],
    ]);
    const records = [
      record({ frame: 3, chunk: 2, sctp: { dstPort: 2906, tsn: 9, sid: 2, ssn: 6, ppid: 0 } }),
      record({ frame: 3, chunk: 1, sctp: { dstPort: 2906, tsn: 8, sid: 0, ssn: 5, ppid: 3 } }),
    ];
    const result = compareCapture('synthetic', records, tshark);
    expect(result.differences).toEqual([]);
    expect(result.compared).toBe(6); // srcport, dstport, tsn, sid, ssn, ppid on frame 3
    expect(result.tsharkMessages).toBe(2);
    expect(result.frames).toBe(1);
  });

  it('lines up I-DATA chunks, which have no SSN and a PPID in the first fragment only', () => {
    // frame 9: the last fragment of an I-DATA message (FSN, no PPID), then a DATA chunk
    const tshark = frames([
      [9, { 'sctp.srcport': ['1'], 'sctp.dstport': ['2'], 'sctp.chunk_type': ['64', '0'], 'sctp.data_tsn_raw': ['20', '21'], 'sctp.data_sid': ['0x0002', '0x0001'], 'sctp.data_ssn': ['7'], 'sctp.data_payload_proto_id': ['3'], 'sctp.data_b_bit': ['0', '1'], 'sctp.data_e_bit': ['1', '1'] }],
    ]);
    const records = [
      record({ frame: 9, chunk: 0, sctp: { srcPort: 1, dstPort: 2, tsn: 20, sid: 2, ssn: 0, ppid: 3, fragments: 2, idata: true } }),
      record({ frame: 9, chunk: 1, sctp: { srcPort: 1, dstPort: 2, tsn: 21, sid: 1, ssn: 7, ppid: 3 } }),
    ];
    const result = compareCapture('synthetic', records, tshark);
    expect(result.differences).toEqual([]);
    expect(result.byField.get('sctp.data_payload_proto_id')).toEqual({ compared: 1, agreed: 1 });
    expect(result.byField.get('sctp.data_ssn')).toEqual({ compared: 1, agreed: 1 });
    expect(result.byField.get('sctp.data_tsn_raw')).toEqual({ compared: 1, agreed: 1 });
  });

  it('reports a missing message, an extra one and a wrong value, each on its field', () => {
    const tshark = frames([
      [1, { 'sctp.srcport': ['1'], 'sctp.dstport': ['2'], 'sctp.chunk_type': ['0'], 'sctp.data_tsn_raw': ['10'], 'sctp.data_sid': ['0'], 'sctp.data_ssn': ['0'], 'sctp.data_payload_proto_id': ['3'], 'sctp.data_e_bit': ['1'], 'sccp.message_type': ['0x09'] }],
    ]);
    const records = [
      record({ frame: 1, sctp: { srcPort: 1, dstPort: 2, tsn: 11, ssn: 0, ppid: 3 } }),
      record({ frame: 2, sctp: { srcPort: 1, dstPort: 2, tsn: 12, ssn: 0, ppid: 3 } }),
    ];
    const result = compareCapture('synthetic', records, tshark);
    expect(result.differences.map(({ frame, field, ours, tshark: theirs }) => ({ frame, field, ours, theirs }))).toEqual([
      { frame: 1, field: 'sctp.data_tsn_raw', ours: '11', theirs: '10' },
      { frame: 1, field: 'sccp.message_type', ours: '', theirs: '9' },
      { frame: 2, field: 'sctp.srcport', ours: '1', theirs: '' },
      { frame: 2, field: 'sctp.dstport', ours: '2', theirs: '' },
      { frame: 2, field: 'sctp.data_tsn_raw', ours: '12', theirs: '' },
      { frame: 2, field: 'sctp.data_sid', ours: '0', theirs: '' },
      { frame: 2, field: 'sctp.data_ssn', ours: '0', theirs: '' },
      { frame: 2, field: 'sctp.data_payload_proto_id', ours: '3', theirs: '' },
    ]);
    expect(groupDifferences(result.differences)[0]).toMatch(/^sccp sccp.message_type: 1 difference/);
  });

  it('puts MTP3 of M3UA under both m3ua.protocol_data_* and mtp3 equivalents, and SI/NI of M2PA under mtp3', () => {
    const mtp3 = { opc: 1, dpc: 2, si: 3, ni: 2, mp: 0, sls: 5 };
    const m3ua = compareCapture('x', [record({ adaptation: 'm3ua', m3ua: { messageClass: 1, messageType: 1 }, mtp3 })], new Map());
    const m2pa = compareCapture('x', [record({ adaptation: 'm2pa', mtp3 })], new Map());
    const fields = (result: typeof m3ua) => result.differences.map((d) => d.field).filter((f) => !f.startsWith('sctp.'));
    expect(fields(m3ua)).toEqual([
      'm3ua.message_class', 'm3ua.message_type',
      'm3ua.protocol_data_opc', 'm3ua.protocol_data_dpc', 'm3ua.protocol_data_si', 'm3ua.protocol_data_ni', 'm3ua.protocol_data_mp', 'm3ua.protocol_data_sls',
      'mtp3.opc', 'mtp3.dpc', 'mtp3.sls',
    ]);
    expect(fields(m2pa)).toEqual(['mtp3.opc', 'mtp3.dpc', 'mtp3.sls', 'mtp3.service_indicator', 'mtp3.network_indicator']);
  });

  it('puts SUA addresses under sua.destination/sua.source, not sccp.*', () => {
    const result = compareCapture(
      'x',
      [record({ adaptation: 'sua', sua: { messageClass: 7, messageType: 1 }, sccp: { messageType: 0x09, protocolClass: 0, called: { ri: 0, gti: 4, ssn: 6, digits: '44' }, calling: { ri: 1, gti: 0, ssn: 8 }, segments: 1 } })],
      new Map(),
    );
    expect(result.differences.map((d) => d.field).filter((f) => !f.startsWith('sctp.'))).toEqual([
      'sua.message_class', 'sua.message_type', 'sua.destination.ssn', 'sua.destination.global_title_digits', 'sua.source.ssn',
    ]);
  });

  it('explains differences only by exact capture, field and frame, and finds stale entries', () => {
    const differences = [
      { capture: 'a.pcap', frame: 1, layer: 'sccp' as const, field: 'sccp.hops', ours: '1', tshark: '2' },
      { capture: 'a.pcap', frame: 2, layer: 'sccp' as const, field: 'sccp.hops', ours: '1', tshark: '2' },
      { capture: 'b.pcap', frame: 1, layer: 'sccp' as const, field: 'sccp.hops', ours: '1', tshark: '2' },
    ];
    const known: KnownDifference[] = [
      { capture: 'a.pcap', fields: ['sccp.hops'], frames: [1], reason: 'test' },
      { capture: 'c.pcap', fields: ['sccp.hops'], reason: 'stale' },
    ];
    const { explained, unexplained } = explain(differences, known);
    expect(explained.map(({ difference }) => difference.frame)).toEqual([1]);
    expect(unexplained.map((d) => `${d.capture}#${d.frame}`)).toEqual(['a.pcap#2', 'b.pcap#1']);
    expect(unusedKnownDifferences(differences, known).map((entry) => entry.reason)).toEqual(['stale']);
  });
});

const present = existsSync(join(capturesDir, 'README.md'));
if (!present) console.log(`comparison tests on real captures skipped: ${capturesDir} is absent`);

describe.skipIf(!present)('hand-made records against tshark on real captures', () => {
  it('sigcorr/ss7_location_tracking.pcap: correct records agree on every field', () => {
    const tshark = tsharkFrames(join(capturesDir, 'sigcorr/ss7_location_tracking.pcap'));
    const result = compareCapture('sigcorr/ss7_location_tracking.pcap', locationTracking(), tshark);
    expect(result.differences).toEqual([]);
    expect(result.messages).toBe(2);
    expect(result.tsharkMessages).toBe(2);
    // frame 1: 6 SCTP + 2 M3UA + 9 MTP3 + 2 SCCP + 16 address (no PC) + 3 TCAP + 3 component + 1 MAP
    // field (msisdn); frame 2 the same with 2 MAP fields (imsi, subscriberIdentity)
    expect(result.compared).toBe(42 + 43);
    expect(result.agreed).toBe(result.compared);

    // A decoder bug shows as exactly the fields it affects.
    const wrong = locationTracking();
    const sri = wrong[0] as MessageRecord;
    sri.sccp!.called.digits = '44123456789';
    sri.tcap!.components[0]!.opcode = 23;
    sri.tcap!.otid = '0001000a';
    const differences = compareCapture('sigcorr/ss7_location_tracking.pcap', wrong, tshark).differences;
    expect(differences.map(({ frame, field, ours, tshark: theirs }) => ({ frame, field, ours, theirs }))).toEqual([
      { frame: 1, field: 'sccp.called.digits', ours: '44123456789', theirs: '441234567890' },
      { frame: 1, field: 'tcap.otid', ours: '0001000a', theirs: '00010001' },
      { frame: 1, field: 'gsm_old.opCode.localValue', ours: '23', theirs: '22' },
    ]);
  });

  it('velyfirewall/camel2.pcap: CAP records agree; taking CAP for MAP shows on every component field', () => {
    const tshark = tsharkFrames(join(capturesDir, 'velyfirewall/camel2.pcap'));
    const route = (forward: boolean) => ({ opc: forward ? 4000 : 304, dpc: forward ? 304 : 4000, si: 3, ni: 2, mp: 0, sls: forward ? 4 : 7 });
    const sccp = (forward: boolean) => ({
      messageType: 0x09,
      protocolClass: 1,
      called: gtAddress(146, forward ? '2207750004' : '2207750007'),
      calling: gtAddress(146, forward ? '2207750007' : '2207750004'),
      segments: 1,
    });
    const base = (frame: number, forward: boolean) => ({
      frame,
      adaptation: 'm2pa' as const, // what matters here is that it is not M3UA: the label is MTP3's
      sctp: { srcPort: 2904, dstPort: 2904, tsn: 0, ppid: 2 },
      mtp3: route(forward),
      sccp: sccp(forward),
      application: 'cap' as const,
    });
    const records = [
      record({
        ...base(1, true),
        tcap: {
          type: 'begin',
          otid: '07000400',
          dialogue: 'aarq',
          applicationContext: '0.4.0.0.1.0.50.1',
          componentCount: 1,
          components: [
            {
              type: 'invoke',
              invokeId: 1,
              opcode: 0,
              cap: { serviceKey: 110, calledPartyNumber: '1227010900F', callingPartyNumber: '75', eventTypeBcsm: 2, imsi: '607029900140199', mscAddress: '2207750007' },
            },
          ],
        },
      }),
      record({
        ...base(2, false),
        tcap: {
          type: 'continue',
          otid: '047b',
          dtid: '07000400',
          dialogue: 'aare',
          protocolVersion: 0x80,
          applicationContext: '0.4.0.0.1.0.50.1',
          componentCount: 2,
          components: [
            { type: 'invoke', invokeId: 1, opcode: 23 },
            { type: 'invoke', invokeId: 2, opcode: 20 },
          ],
        },
      }),
      record({
        ...base(3, true),
        tcap: { type: 'continue', otid: '07000400', dtid: '047b', componentCount: 1, components: [{ type: 'invoke', invokeId: 2, opcode: 24, cap: { eventTypeBcsm: 4 } }] },
      }),
      record({ ...base(4, false), tcap: { type: 'end', dtid: '07000400', componentCount: 1, components: [{ type: 'invoke', invokeId: 3, opcode: 22 }] } }),
    ];
    const result = compareCapture('velyfirewall/camel2.pcap', records, tshark);
    expect(result.differences).toEqual([]);
    expect(result.compared).toBeGreaterThan(150);

    const asMap = records.map((r) => ({ ...r, application: 'map' as const }));
    const fields = new Set(compareCapture('velyfirewall/camel2.pcap', asMap, tshark).differences.map((d) => d.field));
    expect(fields).toEqual(new Set(['camel.component', 'camel.invokeId.present', 'camel.opcode.local', 'camel.serviceKey', 'camel.calledPartyNumber', 'camel.callingPartyNumber', 'camel.eventTypeBCSM', 'camel.iMSI', 'camel.mscAddress', 'gsm_map.old.Component', 'gsm_old.invokeID', 'gsm_old.opCode.localValue']));
  });

  it('pwnss7/overflow-acn.pcap: segments as records without TCAP, the whole message on the last', () => {
    const tshark = tsharkFrames(join(capturesDir, 'pwnss7/overflow-acn.pcap'));
    const records = [1, 2, 3, 4, 5, 6].map((frame) =>
      record({
        frame,
        sctp: { srcPort: 1337, dstPort: 31337, tsn: frame - 1, ssn: frame - 1 },
        adaptation: 'm3ua',
        m3ua: { messageClass: 1, messageType: 1 },
        mtp3: { opc: 666, dpc: 1337, si: 3, ni: 2, mp: 0, sls: 0 },
        sccp: {
          messageType: 0x11,
          protocolClass: 0,
          hopCounter: 12,
          called: gtAddress(147, '278291600'),
          calling: gtAddress(6, '27829106146'),
          segmentation: { first: frame === 1, class: 1, remaining: 6 - frame, localReference: 0xb1eed4 },
          segments: frame === 6 ? 6 : 1,
        },
        application: frame === 6 ? 'map' : 'unknown',
        anomalies: frame === 6 ? ['sccp.segmented'] : ['sccp.segment_incomplete'],
        ...(frame === 6
          ? {
              tcap: {
                type: 'begin' as const,
                otid: '2f3b4602',
                dialogue: 'aarq' as const,
                protocolVersion: 0x80,
                applicationContext: '0.4.0.0.1.0.19.2',
                componentCount: 1,
                components: [{ type: 'invoke' as const, invokeId: 1, opcode: 59, map: { msisdn: '27761485722' } }],
              },
            }
          : {}),
      }),
    );
    const result = compareCapture('pwnss7/overflow-acn.pcap', records, tshark);
    expect(result.differences).toEqual([]);
    expect(result.messages).toBe(6);
  });
});
