// MAP (TS 29.002) arguments of every screened operation, their results, and CAP (TS 29.078)
// initialDP / connect / releaseCall, checked against tshark: operation codes, IMSIs, MSISDNs
// and other address digits, USSD strings, IMEI, SS codes, CAMEL fields; no malformed packet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  CAP_V2_ACN,
  capInvoke,
  cellGlobalId,
  type Component,
  e164Gt,
  encodeEthernet,
  encodeIpv4,
  encodeM3uaData,
  encodeSccp,
  encodeSctpPacket,
  encodeTcap,
  ETHERTYPE,
  mapAcn,
  type MapArgument,
  mapInvoke,
  MAP_OPERATIONS,
  mapReturnResult,
  PPID,
  SS_CODE,
  TELESERVICE,
  toHex,
} from '../../src/builder/index.js';
import { fields, type FrameFields, HAVE_TSHARK, nums, one, problems, TempDir } from './tshark.js';

const tmp = new TempDir();
afterAll(() => tmp.remove());

let tsn = 1;
function frame(components: Component[], acn: string, ssn = 6): Uint8Array {
  const tcap = encodeTcap({ type: 'begin', otid: Uint8Array.of(0, 0, 0, tsn), dialogue: { kind: 'aarq', applicationContext: acn }, components });
  const sccp = encodeSccp({ type: 'udt', protocolClass: 0, called: { route: 'gt', ssn, gt: e164Gt('447700900001') }, calling: { route: 'gt', ssn, gt: e164Gt('12025550102') }, data: tcap });
  const m3ua = encodeM3uaData({ routingContext: 1, protocolData: { opc: 2001, dpc: 1001, si: 3, ni: 0, sls: 0, data: sccp } });
  const sctp = encodeSctpPacket({ srcPort: 2905, dstPort: 2905, verificationTag: 9, chunks: [{ type: 'data', tsn: tsn++, sid: 1, ssn: 0, ppid: PPID.m3ua, data: m3ua }] });
  return encodeEthernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: ETHERTYPE.ipv4, payload: encodeIpv4({ src: '192.0.2.1', dst: '192.0.2.2', payload: sctp }) });
}

const IMSI = '234150000000042';
const MSISDN = '447700900142';
const ATTACKER = '99988000002';
const HLR = '447700900001';

/** Each argument with the digits tshark must show: IMSIs (e212.imsi) and ISDN numbers (e164.msisdn). */
const ARGUMENTS: { arg: MapArgument; imsi?: string[]; msisdn?: string[]; extra?: Record<string, string[]> }[] = [
  { arg: { op: 'updateLocation', imsi: IMSI, mscNumber: '12025550103', vlrNumber: '12025550102' }, imsi: [IMSI], msisdn: ['12025550103', '12025550102'] },
  { arg: { op: 'cancelLocation', imsi: IMSI, cancellationType: 1 }, imsi: [IMSI], extra: { 'gsm_map.ms.cancellationType': ['1'] } },
  { arg: { op: 'provideRoamingNumber', imsi: IMSI, mscNumber: '447700900003', msisdn: MSISDN, gmscAddress: ATTACKER }, imsi: [IMSI], msisdn: ['447700900003', MSISDN, ATTACKER] },
  { arg: { op: 'insertSubscriberData', imsi: IMSI, msisdn: MSISDN, category: 10, teleservices: [TELESERVICE.telephony], oCsi: { serviceKey: 666, gsmScfAddress: ATTACKER } }, imsi: [IMSI], msisdn: [MSISDN, ATTACKER], extra: { 'gsm_map.ms.serviceKey': ['666'] } },
  { arg: { op: 'deleteSubscriberData', imsi: IMSI, ssCodes: [SS_CODE.cfnry], camelSubscriptionInfoWithdraw: true }, imsi: [IMSI] },
  { arg: { op: 'registerSS', ssCode: SS_CODE.cfu, teleservice: TELESERVICE.telephony, forwardedToNumber: ATTACKER, noReplyConditionTime: 20 }, msisdn: [ATTACKER], extra: { 'gsm_map.ss.ss_Code': ['33'] } },
  { arg: { op: 'sendRoutingInfo', msisdn: MSISDN, interrogationType: 0, gmscAddress: ATTACKER, numberOfForwarding: 1 }, msisdn: [MSISDN, ATTACKER] },
  { arg: { op: 'updateGprsLocation', imsi: IMSI, sgsnNumber: '12025550106', sgsnAddress: '192.0.2.106' }, imsi: [IMSI], msisdn: ['12025550106'] },
  { arg: { op: 'sendRoutingInfoForGprs', imsi: IMSI, ggsnAddress: '203.0.113.66', ggsnNumber: ATTACKER }, imsi: [IMSI], msisdn: [ATTACKER] },
  { arg: { op: 'reset', hlrNumber: HLR, hlrList: ['23415'] }, msisdn: [HLR], imsi: ['23415'] }, // the HLR list holds IMSI prefixes
  // the check digit is replaced by the spare digit 0 (TS 23.003 §6.2.1)
  { arg: { op: 'checkIMEI', imei: '356938035643809' }, extra: { 'gsm_map.tbcd_digits': ['356938035643800'] } },
  {
    arg: { op: 'mtForwardSM', imsi: IMSI, serviceCentre: ATTACKER, sms: { originator: { alphanumeric: 'HomeBank' }, text: 'Verify your account', timestamp: new Date(Date.UTC(2026, 0, 15, 10, 0, 0)) } },
    imsi: [IMSI],
    msisdn: [ATTACKER],
    extra: { 'gsm_sms.tp-oa': ['HomeBank'], 'gsm_sms.sms_text': ['Verify your account'] },
  },
  { arg: { op: 'sendRoutingInfoForSM', msisdn: MSISDN, priority: true, serviceCentre: ATTACKER }, msisdn: [MSISDN, ATTACKER] },
  {
    arg: { op: 'moForwardSM', serviceCentre: '447700900004', msisdn: MSISDN, sms: { messageReference: 7, destination: { digits: '447700900150' }, text: 'Send me the code' }, imsi: IMSI },
    imsi: [IMSI],
    msisdn: ['447700900004', MSISDN, '447700900150'], // TP-DA decodes as an E.164 number too
    extra: { 'gsm_sms.tp-da': ['447700900150'], 'gsm_sms.sms_text': ['Send me the code'] },
  },
  { arg: { op: 'sendAuthenticationInfo', imsi: IMSI, vectors: 3, requestingNodeType: 0 }, imsi: [IMSI] },
  { arg: { op: 'sendIMSI', msisdn: MSISDN }, msisdn: [MSISDN] },
  { arg: { op: 'processUnstructuredSSRequest', ussd: '*144*99988000099*50#', msisdn: MSISDN }, msisdn: [MSISDN], extra: { 'gsm_map.ussd_string': ['*144*99988000099*50#'] } },
  { arg: { op: 'unstructuredSSRequest', ussd: 'Reply with your PIN' }, extra: { 'gsm_map.ussd_string': ['Reply with your PIN'] } },
  { arg: { op: 'anyTimeSubscriptionInterrogation', subscriber: { msisdn: MSISDN }, gsmScfAddress: ATTACKER, requestedSsCode: SS_CODE.cfu, requestedCamel: 0, odb: true }, msisdn: [MSISDN, ATTACKER] },
  { arg: { op: 'anyTimeModification', subscriber: { imsi: IMSI }, gsmScfAddress: ATTACKER, forwarding: { ssCode: SS_CODE.cfu, forwardedToNumber: '99988000099' } }, imsi: [IMSI], msisdn: [ATTACKER, '99988000099'] },
  { arg: { op: 'purgeMS', imsi: IMSI, vlrNumber: '99988000004', sgsnNumber: '99988000007' }, imsi: [IMSI], msisdn: ['99988000004', '99988000007'] },
  { arg: { op: 'provideSubscriberInfo', imsi: IMSI, requested: { locationInformation: true, subscriberState: true, currentLocation: true, imei: true } }, imsi: [IMSI] },
  { arg: { op: 'anyTimeInterrogation', subscriber: { msisdn: MSISDN }, gsmScfAddress: ATTACKER }, msisdn: [MSISDN, ATTACKER] },
  { arg: { op: 'provideSubscriberLocation', mlcNumber: '99988000006', imsi: IMSI, msisdn: MSISDN }, imsi: [IMSI], msisdn: ['99988000006', MSISDN] },
  { arg: { op: 'sendRoutingInfoForLCS', mlcNumber: '99988000006', target: { imsi: IMSI } }, imsi: [IMSI], msisdn: ['99988000006'] },
];

const RESULTS: { res: Parameters<typeof mapReturnResult>[1]; imsi?: string[]; msisdn?: string[]; extra?: Record<string, string[]> }[] = [
  { res: { op: 'updateLocation', hlrNumber: HLR }, msisdn: [HLR] },
  { res: { op: 'sendRoutingInfoForSM', imsi: IMSI, mscNumber: '447700900003', lmsi: '00a1b2c3' }, imsi: [IMSI], msisdn: ['447700900003'] },
  { res: { op: 'sendAuthenticationInfo', triplets: [{ rand: new Uint8Array(16).fill(1), sres: new Uint8Array(4).fill(2), kc: new Uint8Array(8).fill(3) }] } },
  { res: { op: 'sendIMSI', imsi: IMSI }, imsi: [IMSI] },
  { res: { op: 'provideRoamingNumber', roamingNumber: '12025550190' }, msisdn: ['12025550190'] },
  { res: { op: 'anyTimeInterrogation', location: { vlrNumber: '447700900002', mscNumber: '447700900003', cellGlobalId: { mcc: '234', mnc: '15', lac: 0x2a10, ci: 0x5d40 }, ageOfLocationInformation: 1 }, assumedIdle: true }, msisdn: ['447700900002', '447700900003'] },
  { res: { op: 'provideSubscriberInfo', location: { vlrNumber: '447700900002' } }, msisdn: ['447700900002'] },
  { res: { op: 'processUnstructuredSSRequest', ussd: 'Balance 12.50' }, extra: { 'gsm_map.ussd_string': ['Balance 12.50'] } },
  { res: { op: 'purgeMS' } },
];

describe.skipIf(!HAVE_TSHARK)('MAP, decoded by tshark', () => {
  it('covers every screened operation', () => {
    expect(new Set(ARGUMENTS.map((a) => a.arg.op))).toEqual(new Set(Object.keys(MAP_OPERATIONS)));
  });

  const frames = [
    ...ARGUMENTS.map((a) => frame([mapInvoke(1, a.arg)], mapAcn(a.arg.op))),
    ...RESULTS.map((r) => frame([mapReturnResult(1, r.res)], mapAcn(r.res.op))),
  ];
  const extraFields = [...new Set([...ARGUMENTS, ...RESULTS].flatMap((a) => Object.keys(a.extra ?? {})))];
  let file = '';
  let rows: FrameFields[] = [];
  beforeAll(() => {
    file = tmp.pcap(frames);
    rows = fields(file, ['gsm_map.old.Component', 'gsm_old.localValue', 'e212.imsi', 'e164.msisdn', 'tcap.application_context_name', 'gsm_map.cellGlobalIdOrServiceAreaIdFixedLength', ...extraFields]);
  }, 120_000);

  it.each(ARGUMENTS.map((a, i) => [a.arg.op, i] as const))('%s argument', (op, i) => {
    const a = ARGUMENTS[i]!;
    const row = rows[i];
    expect(nums(row, 'gsm_map.old.Component')).toEqual([1]);
    expect(nums(row, 'gsm_old.localValue')).toEqual([MAP_OPERATIONS[op].opcode]);
    expect(one(row, 'tcap.application_context_name')).toBe(mapAcn(op));
    expect(row!['e212.imsi']).toEqual(a.imsi ?? []);
    expect(row!['e164.msisdn']).toEqual(a.msisdn ?? []);
    for (const [f, v] of Object.entries(a.extra ?? {})) expect(row![f], f).toEqual(v);
  });

  it.each(RESULTS.map((r, i) => [r.res.op, i] as const))('%s result', (op, i) => {
    const r = RESULTS[i]!;
    const row = rows[ARGUMENTS.length + i];
    expect(nums(row, 'gsm_map.old.Component')).toEqual([2]);
    expect(nums(row, 'gsm_old.localValue')).toEqual([MAP_OPERATIONS[op].opcode]);
    expect(row!['e212.imsi']).toEqual(r.imsi ?? []);
    expect(row!['e164.msisdn']).toEqual(r.msisdn ?? []);
    for (const [f, v] of Object.entries(r.extra ?? {})) expect(row![f], f).toEqual(v);
  });

  it('writes the cell global id in the ATI result', () => {
    const atiRes = rows[ARGUMENTS.length + RESULTS.findIndex((r) => r.res.op === 'anyTimeInterrogation')];
    expect(one(atiRes, 'gsm_map.cellGlobalIdOrServiceAreaIdFixedLength')?.replaceAll(':', '')).toBe(toHex(cellGlobalId({ mcc: '234', mnc: '15', lac: 0x2a10, ci: 0x5d40 })));
  });

  it('has no malformed frames', () => {
    expect(problems(file)).toEqual([]);
  });
});

describe.skipIf(!HAVE_TSHARK)('CAP, decoded by tshark', () => {
  const cgi = { mcc: '310', mnc: '990', lac: 0x0451, ci: 0xc8ca };
  const frames = [
    frame(
      [
        capInvoke(1, {
          op: 'initialDP',
          serviceKey: 104,
          calledPartyNumber: { digits: '61491570159' },
          callingPartyNumber: { digits: '447700900129' },
          callingPartysCategory: 10,
          eventTypeBCSM: 2,
          imsi: '234150000000029',
          location: { vlrNumber: '12025550102', cellGlobalId: cgi, ageOfLocationInformation: 0 },
          mscAddress: '12025550103',
          calledPartyBcdNumber: '61491570159',
        }),
      ],
      CAP_V2_ACN,
      146,
    ),
    frame([capInvoke(1, { op: 'connect', destinationRoutingAddress: { digits: '99988000099' } })], CAP_V2_ACN, 146),
    frame([capInvoke(1, { op: 'releaseCall', cause: 31 })], CAP_V2_ACN, 146),
  ];
  let file = '';
  let rows: FrameFields[] = [];
  beforeAll(() => {
    file = tmp.pcap(frames);
    rows = fields(file, [
      'camel.local',
      'camel.serviceKey',
      'camel.eventTypeBCSM',
      'e164.calling_party_number.digits',
      'e164.called_party_number.digits',
      'e212.imsi',
      'e164.msisdn',
      'gsm_map.cellGlobalIdOrServiceAreaIdFixedLength',
      'camel.cause_indicator',
    ]);
  }, 120_000);

  it('writes initialDP with service key, ISUP numbers, IMSI and location', () => {
    const r = rows[0];
    expect(nums(r, 'camel.local')).toEqual([0]);
    expect(one(r, 'camel.serviceKey')).toBe('104');
    expect(one(r, 'camel.eventTypeBCSM')).toBe('2');
    expect(one(r, 'e164.calling_party_number.digits')).toBe('447700900129');
    expect(one(r, 'e164.called_party_number.digits')).toBe('61491570159');
    expect(one(r, 'e212.imsi')).toBe('234150000000029');
    expect(r!['e164.msisdn']).toEqual(expect.arrayContaining(['12025550102', '12025550103', '61491570159']));
    expect(one(r, 'gsm_map.cellGlobalIdOrServiceAreaIdFixedLength')?.replaceAll(':', '')).toBe(toHex(cellGlobalId(cgi)));
  });

  it('writes connect and releaseCall', () => {
    expect(nums(rows[1], 'camel.local')).toEqual([20]);
    expect(one(rows[1], 'e164.called_party_number.digits')).toBe('99988000099');
    expect(nums(rows[2], 'camel.local')).toEqual([22]);
  });

  it('has no malformed frames', () => {
    expect(problems(file)).toEqual([]);
  });
});
