// M3UA, M2PA/MTP3, SUA and SCCP encoders checked against tshark: every header field, the
// parameter orders RFC 4666 allows, the ASP bring-up messages, every SCCP connectionless
// message type, GTI 1-4 party addresses, and XUDT segmentation reassembled by tshark.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  encodeAspActive,
  encodeAspUp,
  encodeEthernet,
  encodeIpv4,
  encodeM2paLinkStatus,
  encodeM2paUserData,
  encodeM3uaData,
  encodeMtp3,
  encodeSccp,
  encodeSctpPacket,
  encodeSuaCldt,
  encodeTcap,
  e164Gt,
  ETHERTYPE,
  mapAcn,
  mapInvoke,
  PPID,
  SCTP_PORT,
  type SccpAddress,
  type SccpMessage,
  segmentXudt,
} from '../../src/builder/index.js';
import { fields, type FrameFields, HAVE_TSHARK, num, one, problems, TempDir } from './tshark.js';

const tmp = new TempDir();
afterAll(() => tmp.remove());

let tsn = 1;
function frame(ppid: number, port: number, payload: Uint8Array): Uint8Array {
  const sctp = encodeSctpPacket({ srcPort: port, dstPort: port, verificationTag: 5, chunks: [{ type: 'data', tsn: tsn++, sid: 1, ssn: 0, ppid, data: payload }] });
  return encodeEthernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: ETHERTYPE.ipv4, payload: encodeIpv4({ src: '192.0.2.1', dst: '192.0.2.2', payload: sctp }) });
}
const m3uaFrame = (m: Uint8Array): Uint8Array => frame(PPID.m3ua, SCTP_PORT.m3ua, m);

const hlr: SccpAddress = { route: 'gt', ssn: 6, gt: e164Gt('447700900001') };
const scf: SccpAddress = { route: 'gt', ssn: 147, gt: e164Gt('99988000002') };
const ati = (otid: string): Uint8Array =>
  encodeTcap({
    type: 'begin',
    otid,
    dialogue: { kind: 'aarq', applicationContext: mapAcn('anyTimeInterrogation') },
    components: [mapInvoke(1, { op: 'anyTimeInterrogation', subscriber: { imsi: '234150000000042' }, gsmScfAddress: '99988000002' })],
  });
const sccpFrame = (m: SccpMessage, pd: { opc?: number; dpc?: number; sls?: number } = {}): Uint8Array =>
  m3uaFrame(encodeM3uaData({ routingContext: 1, protocolData: { opc: pd.opc ?? 2001, dpc: pd.dpc ?? 1001, si: 3, ni: 0, sls: pd.sls ?? 0, data: encodeSccp(m) } }));

describe.skipIf(!HAVE_TSHARK)('M3UA, M2PA and SUA, decoded by tshark', () => {
  const udt = encodeSccp({ type: 'udt', protocolClass: 0, called: hlr, calling: scf, data: ati('01020304') });
  const frames = [
    // 1: DATA in the RFC order (NA, RC, Protocol Data, Correlation Id)
    m3uaFrame(encodeM3uaData({ networkAppearance: 8, routingContext: 100, correlationId: 77, protocolData: { opc: 2001, dpc: 1001, si: 3, ni: 2, mp: 1, sls: 9, data: udt } })),
    // 2: Protocol Data first, then RC and NA
    m3uaFrame(encodeM3uaData({ networkAppearance: 8, routingContext: 100, order: ['protocolData', 'routingContext', 'networkAppearance'], protocolData: { opc: 3, dpc: 4, si: 3, ni: 0, sls: 15, data: udt } })),
    // 3-6: ASP bring-up
    m3uaFrame(encodeAspUp({ aspIdentifier: 42 })),
    m3uaFrame(encodeAspUp({ ack: true })),
    m3uaFrame(encodeAspActive({ trafficMode: 2, routingContext: 100 })),
    m3uaFrame(encodeAspActive({ ack: true, trafficMode: 2, routingContext: 100 })),
    // 7: M2PA user data carrying MTP3 + SCCP; 8: M2PA link status
    frame(PPID.m2pa, SCTP_PORT.m2pa, encodeM2paUserData({ bsn: 0xffffff, fsn: 17, mtp3: encodeMtp3({ ni: 2, si: 3, opc: 0x1234, dpc: 0x0567, sls: 11, sif: udt }) })),
    frame(PPID.m2pa, SCTP_PORT.m2pa, encodeM2paLinkStatus({ bsn: 0xffffff, fsn: 0xffffff, state: 4 })),
    // 9: SUA CLDT, route on GT; 10: SUA CLDT, route on SSN + PC
    frame(
      PPID.sua,
      SCTP_PORT.sua,
      encodeSuaCldt({
        routingContext: 300,
        protocolClass: 1,
        returnOnError: true,
        source: { route: 'gt', gt: { gti: 4, tt: 0, np: 1, nai: 4, digits: '99988000002' }, ssn: 147 },
        destination: { route: 'gt', gt: { gti: 4, tt: 0, np: 1, nai: 4, digits: '447700900001' }, ssn: 6 },
        sequenceControl: 3,
        hopCount: 12,
        data: ati('0a0b0c0d'),
      }),
    ),
    frame(PPID.sua, SCTP_PORT.sua, encodeSuaCldt({ protocolClass: 0, source: { route: 'ssn+pc', pc: 2003, ssn: 147 }, destination: { route: 'ssn+pc', pc: 1001, ssn: 6 }, data: ati('0e0f1011') })),
  ];
  let file = '';
  let rows: FrameFields[] = [];
  beforeAll(() => {
    file = tmp.pcap(frames);
    rows = fields(file, [
      'm3ua.message_class',
      'm3ua.message_type',
      'm3ua.network_appearance',
      'm3ua.routing_context',
      'm3ua.protocol_data_opc',
      'm3ua.protocol_data_dpc',
      'm3ua.protocol_data_si',
      'm3ua.protocol_data_ni',
      'm3ua.protocol_data_mp',
      'm3ua.protocol_data_sls',
      'm3ua.asp_identifier',
      'm3ua.traffic_mode_type',
      'm2pa.type',
      'm2pa.bsn',
      'm2pa.fsn',
      'mtp3.opc',
      'mtp3.dpc',
      'mtp3.sls',
      'mtp3.service_indicator',
      'mtp3.network_indicator',
      'sua.message_class',
      'sua.message_type',
      'sua.routing_context',
      'sua.protocol_class_class',
      'sua.protocol_class_return_on_error_bit',
      'sua.source.routing_indicator',
      'sua.source.global_title_digits',
      'sua.source.ssn',
      'sua.destination.global_title_digits',
      'sua.destination.ssn',
      'sua.destination.point_code',
      'sua.ss7_hop_counter_counter',
      'sua.sequence_control_sequence_control',
      'gsm_old.localValue',
      'e212.imsi',
      'tcap.otid',
    ]);
  }, 120_000);
  const r = (n: number) => rows[n - 1];

  it('M3UA DATA carries NA, RC and the protocol data in either order', () => {
    for (const n of [1, 2]) {
      expect([one(r(n), 'm3ua.message_class'), one(r(n), 'm3ua.message_type')]).toEqual(['1', '1']);
      expect(one(r(n), 'm3ua.network_appearance')).toBe('8');
      expect(one(r(n), 'm3ua.routing_context')).toBe('100');
      expect(one(r(n), 'gsm_old.localValue')).toBe('71');
      expect(one(r(n), 'e212.imsi')).toBe('234150000000042');
    }
    expect(['opc', 'dpc', 'si', 'ni', 'mp', 'sls'].map((f) => one(r(1), `m3ua.protocol_data_${f}`))).toEqual(['2001', '1001', '3', '2', '1', '9']);
    expect(['opc', 'dpc', 'sls'].map((f) => one(r(2), `m3ua.protocol_data_${f}`))).toEqual(['3', '4', '15']);
  });

  it('M3UA ASPUP, ASPUP ACK, ASPAC and ASPAC ACK', () => {
    expect([3, 4, 5, 6].map((n) => [one(r(n), 'm3ua.message_class'), one(r(n), 'm3ua.message_type')])).toEqual([
      ['3', '1'],
      ['3', '4'],
      ['4', '1'],
      ['4', '3'],
    ]);
    expect(one(r(3), 'm3ua.asp_identifier')).toBe('42');
    expect(one(r(5), 'm3ua.traffic_mode_type')).toBe('2');
    expect(one(r(5), 'm3ua.routing_context')).toBe('100');
  });

  it('M2PA user data carries the MTP3 routing label and SCCP', () => {
    expect(one(r(7), 'm2pa.type')).toBe('1');
    expect(one(r(7), 'm2pa.bsn')).toBe('16777215');
    expect(one(r(7), 'm2pa.fsn')).toBe('17');
    expect([one(r(7), 'mtp3.opc'), one(r(7), 'mtp3.dpc'), one(r(7), 'mtp3.sls')]).toEqual([String(0x1234), String(0x0567), '11']);
    expect(num(r(7), 'mtp3.service_indicator')).toBe(3);
    expect(num(r(7), 'mtp3.network_indicator')).toBe(2);
    expect(one(r(7), 'gsm_old.localValue')).toBe('71');
    expect(one(r(8), 'm2pa.type')).toBe('2');
  });

  it('SUA CLDT with GT, SSN, PC, hop count and protocol class', () => {
    expect([one(r(9), 'sua.message_class'), one(r(9), 'sua.message_type')]).toEqual(['7', '1']);
    expect(one(r(9), 'sua.routing_context')).toBe('300');
    expect(one(r(9), 'sua.protocol_class_class')).toBe('1');
    expect(one(r(9), 'sua.protocol_class_return_on_error_bit')).toBe('1');
    expect(one(r(9), 'sua.source.routing_indicator')).toBe('1');
    expect(one(r(9), 'sua.source.global_title_digits')).toBe('99988000002');
    expect(one(r(9), 'sua.destination.global_title_digits')).toBe('447700900001');
    expect([one(r(9), 'sua.source.ssn'), one(r(9), 'sua.destination.ssn')]).toEqual(['147', '6']);
    expect(one(r(9), 'sua.ss7_hop_counter_counter')).toBe('12');
    expect(one(r(9), 'sua.sequence_control_sequence_control')).toBe('3');
    expect(one(r(9), 'gsm_old.localValue')).toBe('71');
    expect(one(r(10), 'sua.destination.point_code')).toBe('1001');
    expect(one(r(10), 'sua.destination.ssn')).toBe('6');
    expect(one(r(10), 'tcap.otid')).toBe('0e0f1011');
  });

  it('has no malformed frames', () => {
    expect(problems(file)).toEqual([]);
  });
});

describe.skipIf(!HAVE_TSHARK)('SCCP (Q.713), decoded by tshark', () => {
  const gt1: SccpAddress = { route: 'gt', gt: { gti: 1, nai: 4, digits: '447700900' } };
  const gt2: SccpAddress = { route: 'gt', ssn: 7, gt: { gti: 2, tt: 0, digits: '1202555010' } }; // GTI 2 has no odd/even indicator: an even count
  const gt3: SccpAddress = { route: 'gt', ssn: 8, gt: { gti: 3, tt: 0, np: 1, digits: '6149157000' } };
  const pcSsn: SccpAddress = { route: 'ssn', pc: 1001, ssn: 6 };
  const tcap = ati('a1a2a3a4');
  const long = ati('b1b2b3b4');
  const segments = segmentXudt({ called: hlr, calling: scf, protocolClass: 1, returnOnError: true, hopCounter: 10 }, long, 0x00beef, { count: 4 });
  const messages: SccpMessage[] = [
    /* 1 */ { type: 'udt', protocolClass: 0, called: pcSsn, calling: gt1, data: tcap },
    /* 2 */ { type: 'udt', protocolClass: 1, returnOnError: true, called: gt2, calling: gt3, data: tcap },
    /* 3 */ { type: 'xudt', protocolClass: 1, hopCounter: 7, importance: 3, called: hlr, calling: scf, data: tcap },
    /* 4 */ { type: 'ludt', protocolClass: 1, hopCounter: 9, called: hlr, calling: scf, data: tcap },
    /* 5 */ { type: 'udts', returnCause: 1, called: scf, calling: hlr, data: tcap },
    /* 6 */ { type: 'xudts', returnCause: 7, hopCounter: 4, called: scf, calling: hlr, data: tcap },
    /* 7 */ { type: 'ludts', returnCause: 2, hopCounter: 5, called: scf, calling: hlr, data: tcap },
    /* 8-11 */ ...segments,
  ];
  let file = '';
  let rows: FrameFields[] = [];
  beforeAll(() => {
    file = tmp.pcap(messages.map((m) => sccpFrame(m)));
    rows = fields(file, [
      'sccp.message_type',
      'sccp.class',
      'sccp.handling',
      'sccp.hops',
      'sccp.importance',
      'sccp.return_cause',
      'sccp.called.ri',
      'sccp.called.gti',
      'sccp.called.ssn',
      'sccp.called.pc',
      'sccp.called.tt',
      'sccp.called.np',
      'sccp.called.es',
      'sccp.called.nai',
      'sccp.called.digits',
      'sccp.calling.ri',
      'sccp.calling.gti',
      'sccp.calling.ssn',
      'sccp.calling.tt',
      'sccp.calling.np',
      'sccp.calling.es',
      'sccp.calling.nai',
      'sccp.calling.oe',
      'sccp.calling.digits',
      'sccp.segmentation.first',
      'sccp.segmentation.class',
      'sccp.segmentation.remaining',
      'sccp.segmentation.slr',
      'sccp.msg.fragment',
      'tcap.otid',
      'gsm_old.localValue',
    ]);
  }, 120_000);
  const r = (n: number) => rows[n - 1];

  const n = (i: number, f: string): number | undefined => num(r(i), f);

  it('writes every connectionless message type', () => {
    expect(rows.map((x) => num(x, 'sccp.message_type'))).toEqual([0x09, 0x09, 0x11, 0x13, 0x0a, 0x12, 0x14, 0x11, 0x11, 0x11, 0x11]);
    expect([1, 2, 3, 4].map((i) => n(i, 'sccp.class'))).toEqual([0, 1, 1, 1]);
    expect(n(2, 'sccp.handling')).toBe(8); // return message on error
    expect([3, 4, 6, 7].map((i) => n(i, 'sccp.hops'))).toEqual([7, 9, 4, 5]);
    expect(n(3, 'sccp.importance')).toBe(3);
    expect([5, 6, 7].map((i) => n(i, 'sccp.return_cause'))).toEqual([1, 7, 2]);
    for (const i of [1, 2, 3, 4, 5, 6, 7]) expect(one(r(i), 'tcap.otid'), `message ${i}`).toBe('a1a2a3a4');
  });

  it('writes party addresses with PC, SSN and GTI 1 to 4', () => {
    expect([n(1, 'sccp.called.ri'), n(1, 'sccp.called.gti'), n(1, 'sccp.called.pc'), n(1, 'sccp.called.ssn')]).toEqual([1, 0, 1001, 6]);
    // GTI 1: nature of address with the odd/even bit (bit 8 set: nine digits)
    expect([n(1, 'sccp.calling.gti'), n(1, 'sccp.calling.nai'), n(1, 'sccp.calling.oe'), one(r(1), 'sccp.calling.digits')]).toEqual([1, 4, 1, '447700900']);
    expect([n(2, 'sccp.called.gti'), n(2, 'sccp.called.tt'), n(2, 'sccp.called.ssn'), one(r(2), 'sccp.called.digits')]).toEqual([2, 0, 7, '1202555010']);
    // GTI 3: numbering plan 1 (E.164), encoding scheme 2 (BCD, even)
    expect([n(2, 'sccp.calling.gti'), n(2, 'sccp.calling.np'), n(2, 'sccp.calling.es'), one(r(2), 'sccp.calling.digits')]).toEqual([3, 1, 2, '6149157000']);
    expect([n(3, 'sccp.called.ri'), n(3, 'sccp.called.gti'), n(3, 'sccp.called.np'), n(3, 'sccp.called.es'), n(3, 'sccp.called.nai')]).toEqual([0, 4, 1, 2, 4]);
    expect([one(r(3), 'sccp.called.digits'), one(r(3), 'sccp.calling.digits'), n(3, 'sccp.calling.es')]).toEqual(['447700900001', '99988000002', 1]);
  });

  it('segments a TCAP message over four XUDTs that tshark reassembles', () => {
    expect([8, 9, 10, 11].map((i) => n(i, 'sccp.segmentation.first'))).toEqual([1, 0, 0, 0]);
    expect([8, 9, 10, 11].map((i) => n(i, 'sccp.segmentation.remaining'))).toEqual([3, 2, 1, 0]);
    expect([8, 9, 10, 11].map((i) => n(i, 'sccp.segmentation.class'))).toEqual([1, 1, 1, 1]);
    expect([8, 9, 10, 11].map((i) => n(i, 'sccp.segmentation.slr'))).toEqual([0x00beef, 0x00beef, 0x00beef, 0x00beef]);
    expect([8, 9, 10].map((i) => one(r(i), 'tcap.otid'))).toEqual([undefined, undefined, undefined]);
    expect(one(r(11), 'tcap.otid')).toBe('b1b2b3b4');
    expect(one(r(11), 'gsm_old.localValue')).toBe('71');
    expect(r(11)!['sccp.msg.fragment']).toEqual(['8', '9', '10', '11']);
  });

  it('has no malformed frames', () => {
    expect(problems(file)).toEqual([]);
  });
});
