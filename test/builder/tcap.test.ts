// TCAP (Q.773) checked against tshark: the five message types, transaction ids of any length,
// the dialogue portion (AARQ, AARE, ABRT, AUDT) with its application context, every component
// type, local and global operation codes, and the non-minimal / indefinite BER encodings that
// must decode to the same fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type BerEncodeOptions,
  e164Gt,
  encodeEthernet,
  encodeIpv4,
  encodeM3uaData,
  encodeSccp,
  encodeSctpPacket,
  encodeTcap,
  ETHERTYPE,
  mapAcn,
  mapInvoke,
  mapReturnError,
  mapReturnResult,
  MAP_ERROR,
  PPID,
  type TcapMessage,
} from '../../src/builder/index.js';
import { fields, type FrameFields, HAVE_TSHARK, matching, nums, one, problems, TempDir } from './tshark.js';

const tmp = new TempDir();
afterAll(() => tmp.remove());

let tsn = 1;
function frame(tcap: TcapMessage, ber?: BerEncodeOptions): Uint8Array {
  const sccp = encodeSccp({
    type: 'udt',
    protocolClass: 0,
    called: { route: 'gt', ssn: 6, gt: e164Gt('447700900001') },
    calling: { route: 'gt', ssn: 7, gt: e164Gt('12025550102') },
    data: encodeTcap(tcap, ber),
  });
  const m3ua = encodeM3uaData({ routingContext: 1, protocolData: { opc: 2001, dpc: 1001, si: 3, ni: 0, sls: 0, data: sccp } });
  const sctp = encodeSctpPacket({ srcPort: 2905, dstPort: 2905, verificationTag: 9, chunks: [{ type: 'data', tsn: tsn++, sid: 1, ssn: 0, ppid: PPID.m3ua, data: m3ua }] });
  return encodeEthernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: ETHERTYPE.ipv4, payload: encodeIpv4({ src: '192.0.2.1', dst: '192.0.2.2', payload: sctp }) });
}

const ACN = mapAcn('anyTimeInterrogation');
const ati = mapInvoke(1, { op: 'anyTimeInterrogation', subscriber: { imsi: '234150000000042' }, gsmScfAddress: '99988000002' });
const begin = (otid: string): TcapMessage => ({ type: 'begin', otid, dialogue: { kind: 'aarq', applicationContext: ACN }, components: [ati] });

describe.skipIf(!HAVE_TSHARK)('TCAP, decoded by tshark', () => {
  const messages: [TcapMessage, BerEncodeOptions?][] = [
    /* 1 */ [begin('11223344')],
    /* 2 */ [
      {
        type: 'continue',
        otid: '55667788',
        dtid: '11223344',
        dialogue: { kind: 'aare', applicationContext: mapAcn('updateLocation') },
        components: [mapInvoke(2, { op: 'insertSubscriberData', msisdn: '447700900142', teleservices: [0x11] }, { linkedId: 1 }), mapReturnResult(3, { op: 'insertSubscriberData' }, false)],
      },
    ],
    /* 3 */ [{ type: 'end', dtid: '55667788', components: [mapReturnResult(1, { op: 'updateLocation', hlrNumber: '447700900001' })] }],
    /* 4 */ [{ type: 'end', dtid: '0a0b0c0d', components: [mapReturnError(1, MAP_ERROR.unknownSubscriber)] }],
    /* 5 */ [
      {
        type: 'end',
        dtid: '0a0b0c0e',
        components: [
          { type: 'reject', invokeId: 1, problem: { kind: 'invoke', code: 1 } },
          { type: 'reject', invokeId: null, problem: { kind: 'general', code: 2 } },
        ],
      },
    ],
    /* 6 */ [{ type: 'abort', dtid: '0a0b0c0f', pAbortCause: 1 }],
    /* 7 */ [{ type: 'abort', dtid: '0a0b0c10', dialogue: { kind: 'abrt', source: 'user' } }],
    /* 8 */ [{ type: 'unidirectional', dialogue: { kind: 'audt', applicationContext: ACN }, components: [ati] }],
    /* 9 */ [{ type: 'begin', otid: '2468ace0', dialogue: { kind: 'aarq', applicationContext: ACN }, components: [mapInvoke(1, { op: 'anyTimeInterrogation', subscriber: { imsi: '234150000000042' }, gsmScfAddress: '99988000002' }, { globalOpcode: '0.4.0.0.1.0.71' })] }],
    /* 10 */ [begin('0102030405060708')],
    /* 11 */ [begin('7f')],
    /* 12 */ [begin('11223344'), { length: { octets: 2 } }],
    /* 13 */ [begin('11223344'), { length: 'indefinite' }],
    /* 14 */ [begin('11223344'), { length: { octets: 3 }, primitiveLength: 'minimal' }],
    /* 15 */ [{ type: 'end', dtid: '55667788', dialogue: { kind: 'aare', applicationContext: ACN, result: 1, diagnostic: { source: 'user', value: 2 } } }],
  ];
  let file = '';
  let rows: FrameFields[] = [];
  beforeAll(() => {
    file = tmp.pcap(messages.map(([m, o]) => frame(m, o)));
    rows = fields(file, [
      'tcap.otid',
      'tcap.dtid',
      'tcap.application_context_name',
      'tcap.p_abortCause',
      'tcap.abort_source',
      'tcap.result',
      'tcap.dialogue_service_user',
      'gsm_map.old.Component',
      'gsm_old.invokeID',
      'gsm_old.linkedID',
      'gsm_old.localValue',
      'gsm_old.globalValue',
      'gsm_old.invokeProblem',
      'gsm_old.generalProblem',
      'e212.imsi',
      'e164.msisdn',
    ]);
  }, 120_000);
  const r = (n: number) => rows[n - 1];

  it('writes the five message types', () => {
    expect(matching(file, 'tcap.begin_element')).toEqual([1, 9, 10, 11, 12, 13, 14]);
    expect(matching(file, 'tcap.continue_element')).toEqual([2]);
    expect(matching(file, 'tcap.end_element')).toEqual([3, 4, 5, 15]);
    expect(matching(file, 'tcap.abort_element')).toEqual([6, 7]);
    expect(matching(file, 'tcap.unidirectional_element')).toEqual([8]);
  });

  it('writes transaction ids of any length', () => {
    expect(one(r(1), 'tcap.otid')).toBe('11223344');
    expect([one(r(2), 'tcap.otid'), one(r(2), 'tcap.dtid')]).toEqual(['55667788', '11223344']);
    expect(one(r(3), 'tcap.dtid')).toBe('55667788');
    expect(one(r(10), 'tcap.otid')).toBe('0102030405060708');
    expect(one(r(11), 'tcap.otid')).toBe('7f');
  });

  it('writes the dialogue portion with its application context', () => {
    expect(one(r(1), 'tcap.application_context_name')).toBe('0.4.0.0.1.0.29.3');
    expect(one(r(2), 'tcap.application_context_name')).toBe('0.4.0.0.1.0.1.3');
    expect(one(r(8), 'tcap.application_context_name')).toBe('0.4.0.0.1.0.29.3');
    // tshark 4.0 names the AUDT of a Unidirectional (frame 8, uniDialogue-as-id) a dialogueRequest:
    // AUDT and AARQ share the [APPLICATION 0] tag.
    expect(matching(file, 'tcap.dialogueRequest_element')).toEqual([1, 8, 9, 10, 11, 12, 13, 14]);
    expect(matching(file, 'tcap.oid == 0.0.17.773.1.2.1')).toEqual([8]);
    expect(matching(file, 'tcap.dialogueResponse_element')).toEqual([2, 15]);
    expect(matching(file, 'tcap.dialogueAbort_element')).toEqual([7]);
    expect(one(r(15), 'tcap.result')).toBe('1');
    expect(one(r(15), 'tcap.dialogue_service_user')).toBe('2');
    expect(one(r(6), 'tcap.p_abortCause')).toBe('1');
    expect(one(r(7), 'tcap.abort_source')).toBe('0');
  });

  it('writes every component type with local or global codes', () => {
    expect(nums(r(1), 'gsm_map.old.Component')).toEqual([1]);
    expect(nums(r(2), 'gsm_map.old.Component')).toEqual([1, 7]);
    expect(nums(r(2), 'gsm_old.invokeID')).toEqual([2, 3]);
    expect(nums(r(2), 'gsm_old.linkedID')).toEqual([1]);
    expect(nums(r(2), 'gsm_old.localValue')).toEqual([7, 7]);
    expect(nums(r(3), 'gsm_map.old.Component')).toEqual([2]);
    expect(nums(r(3), 'gsm_old.localValue')).toEqual([2]);
    expect(nums(r(4), 'gsm_map.old.Component')).toEqual([3]);
    expect(nums(r(4), 'gsm_old.localValue')).toEqual([1]); // the error code
    expect(nums(r(5), 'gsm_map.old.Component')).toEqual([4, 4]);
    expect(nums(r(5), 'gsm_old.invokeProblem')).toEqual([1]);
    expect(nums(r(5), 'gsm_old.generalProblem')).toEqual([2]);
    expect(one(r(9), 'gsm_old.globalValue')).toBe('0.4.0.0.1.0.71');
    expect(r(9)!['gsm_old.localValue']).toEqual([]);
  });

  it('decodes non-minimal and indefinite lengths to the same fields', () => {
    for (const n of [1, 10, 11, 12, 13, 14]) {
      expect(nums(r(n), 'gsm_old.localValue'), `message ${n}`).toEqual([71]);
      expect(one(r(n), 'e212.imsi'), `message ${n}`).toBe('234150000000042');
      expect(one(r(n), 'e164.msisdn'), `message ${n}`).toBe('99988000002');
      expect(one(r(n), 'tcap.application_context_name'), `message ${n}`).toBe('0.4.0.0.1.0.29.3');
    }
  });

  it('has no malformed frames except the global opcode tshark cannot map to an argument', () => {
    expect(problems(file)).toEqual([{ frame: 9, messages: ['Unknown invokeData 0'] }]);
  });
});
