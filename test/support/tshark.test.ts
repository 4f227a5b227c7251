// The tshark side of the differential: parsing (no tshark needed) and extraction from real
// captures (skipped, with the reason printed, when ../shared/captures is absent).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capturesDir, decodeOptionsFor, readCaptureTable } from './captures.js';
import { addJsonPacket, cellGlobalIdText, parseFieldsOutput, tsharkFrames, type TsharkFrames } from './tshark.js';

const fieldsOf = (frames: TsharkFrames, frame: number) => Object.fromEntries(frames.get(frame) ?? []);

describe('parsing tshark output', () => {
  it('splits -T fields columns and aggregated occurrences, dropping empty columns', () => {
    const frames = parseFieldsOutput('5\t1|2\t\t0x09\n6\t\t\t\n', ['sctp.data_tsn_raw', 'sctp.data_ssn', 'sccp.message_type']);
    expect(fieldsOf(frames, 5)).toEqual({ 'sctp.data_tsn_raw': ['1', '2'], 'sccp.message_type': ['0x09'] });
    expect(frames.has(6)).toBe(false);
  });

  it('rejects a line without a frame number', () => {
    expect(() => parseFieldsOutput('x\t1\n', ['sctp.data_tsn_raw'])).toThrow(/unexpected tshark/);
  });

  // Shaped as tshark 4.0 prints it with --no-duplicate-keys (abridged): a returnError's error code
  // and an invoke's opcode are both gsm_old.localValue, told apart by their parent.
  const mapPacket = {
    _source: {
      layers: {
        frame: { 'frame.number': '7' },
        tcap: {
          'tcap.continue_element': {
            'Source Transaction ID': { 'tcap.otid': '04:7b' },
            'Destination Transaction ID': { 'tcap.dtid': '07:00:04:00' },
            'tcap.dialogueResponse_element': { 'tcap.protocol_version': '80', 'tcap.application_context_name': '0.4.0.0.1.0.25.3' },
            'tcap.components': '2',
          },
        },
        gsm_map: {
          'gsm_map.old.Component': ['1', '3'],
          'gsm_map.old.Component_tree': [
            {
              'gsm_old.invoke_element': {
                'gsm_old.invokeID': '1',
                'gsm_old.opCode_tree': { 'gsm_old.localValue': '46' },
                'gsm_old.sm_RP_DA_tree': { 'gsm_old.imsi': '32:14', 'e212.imsi': '234101234567890' },
                'gsm_old.sm_RP_OA_tree': {
                  'gsm_old.msisdn': '91:44',
                  'gsm_old.msisdn_tree': { 'gsm_map.nature_of_number': '0x01', 'e164.msisdn': '447700000001' },
                },
                'gsm_map.sm.serviceCentreAddress': '91:44',
                'gsm_map.sm.serviceCentreAddress_tree': { 'gsm_map.address.digits': '4477' },
              },
            },
            {
              'gsm_old.returnError_element': {
                'gsm_old.invokeID': '2',
                'gsm_old.errorCode_tree': { 'gsm_old.localValue': '27' },
              },
            },
          ],
        },
      },
    },
  };

  it('derives TCAP type, dialogue and the MAP fields from the tree', () => {
    const frames: TsharkFrames = new Map();
    addJsonPacket(mapPacket, frames);
    expect(fieldsOf(frames, 7)).toEqual({
      'tcap.type': ['continue'],
      'tcap.otid': ['04:7b'],
      'tcap.dtid': ['07:00:04:00'],
      'tcap.dialogue': ['aare'],
      'tcap.protocol_version': ['80'],
      'tcap.application_context_name': ['0.4.0.0.1.0.25.3'],
      'tcap.components': ['2'],
      'gsm_map.old.Component': ['1', '3'],
      'gsm_old.invokeID': ['1', '2'],
      'gsm_old.opCode.localValue': ['46'],
      'gsm_old.errorCode.localValue': ['27'],
      'gsm_map.sm_RP_DA': ['imsi:234101234567890'],
      'gsm_map.sm_RP_OA': ['msisdn:447700000001'],
      'gsm_map.serviceCentreAddress': ['4477'],
    });
  });

  it('names networkNode-Number by its role: the MSC, or the SGSN with gprsNodeIndicator', () => {
    const frames: TsharkFrames = new Map();
    const locationInfo = (gprs: boolean) => ({
      'gsm_map.sm.networkNode_Number': '91:99',
      'gsm_map.sm.networkNode_Number_tree': { 'gsm_map.nature_of_number': '0x01', 'e164.msisdn': gprs ? '222' : '111' },
      ...(gprs ? { 'gsm_map.sm.gprsNodeIndicator_element': '' } : {}),
    });
    addJsonPacket(
      {
        _source: {
          layers: {
            frame: { 'frame.number': '3' },
            gsm_map: {
              'gsm_map.old.Component': ['2', '2'],
              'gsm_map.old.Component_tree': [
                { 'gsm_old.returnResultLast_element': { 'gsm_old.resultretres_element': { 'gsm_map.sm.locationInfoWithLMSI_element': locationInfo(false) } } },
                { 'gsm_old.returnResultLast_element': { 'gsm_old.resultretres_element': { 'gsm_map.sm.locationInfoWithLMSI_element': locationInfo(true) } } },
              ],
            },
          },
        },
      },
      frames,
    );
    expect(fieldsOf(frames, 3)).toEqual({ 'gsm_map.old.Component': ['2', '2'], 'gsm_map.msc_Number': ['111'], 'gsm_map.sgsn_Number': ['222'] });
  });

  it('ignores an IMSI in the dialogue portion (MAP-OpenInfo), which is not a component field', () => {
    const frames: TsharkFrames = new Map();
    addJsonPacket(
      {
        _source: {
          layers: {
            frame: { 'frame.number': '1' },
            tcap: {
              'tcap.begin_element': {
                'tcap.dialogueRequest_element': {
                  'tcap.user_information_tree': { 'gsm_map.dialogue.destinationReference': '56:10', 'e212.imsi': '655011420096316' },
                },
              },
            },
          },
        },
      },
      frames,
    );
    expect(fieldsOf(frames, 1)).toEqual({ 'tcap.type': ['begin'], 'tcap.dialogue': ['aarq'] });
  });

  it('decodes a cell global identity from its 7 octets', () => {
    // MCC 234, MNC 15 (2 digits: filler 0xF), LAC 0x1234, CI 0x5678
    expect(cellGlobalIdText('32:f4:51:12:34:56:78')).toBe('234-15-4660-22136');
    expect(cellGlobalIdText('32:f4')).toBeUndefined();
  });
});

describe('the captures README table', () => {
  it('reads each capture with its -o preferences and maps them to decode options', () => {
    const table = readCaptureTable(
      [
        '| file | source | frames | link | MAP msgs | CAP msgs | tshark options needed | what it is |',
        '|---|---|---|---|---|---|---|---|',
        '| `a/camel.pcap` | x | 5 | eth | 0 | 8 | `-o camel.tcap.ssn:146,152,200` | CAP |',
        '| `a/isup.cap` | x | 6 | eth | 0 | 0 | `-o m3ua.version:Internet Draft version 6` | ISUP |',
        '| `a/plain.pcap` | x | 1 | eth | 1 | 0 |  | MAP |',
      ].join('\n'),
    );
    expect([...table]).toEqual([
      ['a/camel.pcap', ['camel.tcap.ssn:146,152,200']],
      ['a/isup.cap', ['m3ua.version:Internet Draft version 6']],
      ['a/plain.pcap', []],
    ]);
    expect(decodeOptionsFor(['camel.tcap.ssn:146,152,200'])).toEqual({ verifyCrc: false, capSsns: [146, 152, 200] });
    expect(decodeOptionsFor(['mtp3.standard:Japan'])).toEqual({ verifyCrc: false, mtp3Variant: 'japan' });
    expect(decodeOptionsFor(['m3ua.version:Internet Draft version 6'])).toEqual({ verifyCrc: false, m3uaDraft6: true });
    expect(() => decodeOptionsFor(['sccp.reassemble:FALSE'])).toThrow(/no sigwall decode option/);
  });
});

const present = existsSync(join(capturesDir, 'README.md'));
if (!present) console.log(`tshark extraction tests on real captures skipped: ${capturesDir} is absent`);

describe.skipIf(!present)('tshark extraction from real captures', () => {
  const capture = (name: string) => join(capturesDir, name);

  it('sigcorr/ss7_location_tracking.pcap: SRI then ATI over M3UA/SCCP GT routing', () => {
    const frames = tsharkFrames(capture('sigcorr/ss7_location_tracking.pcap'));
    expect([...frames.keys()]).toEqual([1, 2]);
    const common = {
      'sctp.srcport': ['2905'],
      'sctp.dstport': ['2905'],
      'sctp.chunk_type': ['0'],
      'sctp.data_tsn_raw': ['1'],
      'sctp.data_sid': ['0x0000'],
      'sctp.data_payload_proto_id': ['3'],
      'sctp.data_b_bit': ['1'],
      'sctp.data_e_bit': ['1'],
      'sctp.data_u_bit': ['0'],
      'm3ua.message_class': ['1'],
      'm3ua.message_type': ['1'],
      'm3ua.protocol_data_opc': ['100'],
      'm3ua.protocol_data_dpc': ['200'],
      'm3ua.protocol_data_si': ['3'],
      'm3ua.protocol_data_ni': ['2'],
      'm3ua.protocol_data_mp': ['0'],
      'm3ua.protocol_data_sls': ['0'],
      'mtp3.opc': ['100'],
      'mtp3.dpc': ['200'],
      'mtp3.sls': ['0'],
      'sccp.message_type': ['0x09'],
      'sccp.class': ['0x00'],
      'sccp.called.ri': ['0x00'],
      'sccp.called.gti': ['0x04'],
      'sccp.called.ssn': ['6'],
      'sccp.called.tt': ['0x00'],
      'sccp.called.np': ['0x01'],
      'sccp.called.es': ['0x02'],
      'sccp.called.nai': ['0x04'],
      'sccp.called.digits': ['441234567890'],
      'sccp.calling.ri': ['0x00'],
      'sccp.calling.gti': ['0x04'],
      'sccp.calling.ssn': ['147'],
      'sccp.calling.tt': ['0x00'],
      'sccp.calling.np': ['0x01'],
      'sccp.calling.es': ['0x02'],
      'sccp.calling.nai': ['0x04'],
      'sccp.calling.digits': ['491720000000'],
      'tcap.type': ['begin'],
      'tcap.components': ['1'],
      'gsm_map.old.Component': ['1'],
    };
    expect(fieldsOf(frames, 1)).toEqual({
      ...common,
      'sctp.data_ssn': ['0'],
      'tcap.otid': ['00:01:00:01'],
      'gsm_old.invokeID': ['1'],
      'gsm_old.opCode.localValue': ['22'], // sendRoutingInfo
      'gsm_map.msisdn': ['447712345678'],
    });
    expect(fieldsOf(frames, 2)).toEqual({
      ...common,
      'sctp.data_ssn': ['1'],
      'tcap.otid': ['00:01:00:02'],
      'gsm_old.invokeID': ['2'],
      'gsm_old.opCode.localValue': ['71'], // anyTimeInterrogation
      'gsm_map.subscriberIdentity': ['imsi'],
      'gsm_map.imsi': ['234101234567890'],
    });
  });

  it('velyfirewall/camel2.pcap: CAP over M2UA, components and initialDP fields', () => {
    const frames = tsharkFrames(capture('velyfirewall/camel2.pcap'));
    const frame1 = fieldsOf(frames, 1);
    expect(frame1).toMatchObject({
      'sctp.data_payload_proto_id': ['2'], // M2UA
      'mtp3.opc': ['4000'],
      'mtp3.dpc': ['304'],
      'mtp3.sls': ['4'],
      'mtp3.service_indicator': ['0x03'],
      'mtp3.network_indicator': ['0x02'],
      'sccp.class': ['0x01'],
      'sccp.called.ssn': ['146'],
      'tcap.type': ['begin'],
      'tcap.otid': ['07:00:04:00'],
      'tcap.dialogue': ['aarq'],
      'tcap.application_context_name': ['0.4.0.0.1.0.50.1'],
      'camel.component': ['1'],
      'camel.invokeId.present': ['1'],
      'camel.opcode.local': ['0'], // initialDP
      'camel.serviceKey': ['110'],
      'camel.calledPartyNumber': ['1227010900F'], // tshark shows ST (0xF) as F
      'camel.callingPartyNumber': ['75'],
      'camel.eventTypeBCSM': ['2'],
      'camel.iMSI': ['607029900140199'],
      'camel.mscAddress': ['2207750007'],
    });
    expect(frame1).not.toHaveProperty('gsm_old.invokeID');
    // Two components in one Continue: requestReportBCSMEvent then connect; the seven
    // eventTypeBCSM of the bcsmEvents list are not the argument's own field.
    expect(fieldsOf(frames, 2)).toMatchObject({
      'tcap.type': ['continue'],
      'tcap.otid': ['04:7b'],
      'tcap.dtid': ['07:00:04:00'],
      'tcap.components': ['2'],
      'camel.component': ['1', '1'],
      'camel.invokeId.present': ['1', '2'],
      'camel.opcode.local': ['23', '20'],
    });
    expect(fieldsOf(frames, 2)).not.toHaveProperty('camel.eventTypeBCSM');
    expect(fieldsOf(frames, 4)).toMatchObject({ 'tcap.type': ['end'], 'tcap.dtid': ['07:00:04:00'], 'camel.opcode.local': ['22'] });
  });

  it('sigcorr/camel.pcap needs camel.tcap.ssn for CAP, and then shows location information', () => {
    const without = tsharkFrames(capture('sigcorr/camel.pcap'));
    expect(fieldsOf(without, 1)).not.toHaveProperty('camel.opcode.local');
    const frames = tsharkFrames(capture('sigcorr/camel.pcap'), ['camel.tcap.ssn:146,152,200']);
    expect(fieldsOf(frames, 1)).toMatchObject({
      'sccp.called.ri': ['0x01'],
      'sccp.called.pc': ['100'],
      'camel.serviceKey': ['42'],
      'camel.locationInformation.vlr_number': ['33662000000'],
      'camel.locationInformation.cellGlobalId': ['132-333-13365-13879'],
      'camel.calledPartyBCDNumber': ['788005047'],
    });
    expect(fieldsOf(frames, 2)).toMatchObject({ 'camel.opcode.local': ['23', '35', '31'] });
  });

  it('sigcorr/atk011_sms_interception.pcap: sm-RP-DA IMSI is not the subscriber IMSI field', () => {
    const frames = tsharkFrames(capture('sigcorr/atk011_sms_interception.pcap'));
    expect(fieldsOf(frames, 2)).toMatchObject({ 'gsm_old.opCode.localValue': ['46'], 'gsm_map.sm_RP_DA': ['imsi:234101234567890'] });
    expect(fieldsOf(frames, 2)).not.toHaveProperty('gsm_map.imsi');
  });

  it('pwnss7/overflow-acn.pcap: XUDT segments, TCAP on the last segment only', () => {
    const frames = tsharkFrames(capture('pwnss7/overflow-acn.pcap'));
    for (const frame of [1, 2, 3, 4, 5, 6]) {
      expect(fieldsOf(frames, frame)).toMatchObject({
        'sccp.message_type': ['0x11'],
        'sccp.segmentation.first': [frame === 1 ? '0x01' : '0x00'],
        'sccp.segmentation.remaining': [`0x0${6 - frame}`],
        'sccp.segmentation.slr': ['0xb1eed4'],
      });
      if (frame < 6) expect(fieldsOf(frames, frame)).not.toHaveProperty('tcap.type');
    }
    expect(fieldsOf(frames, 6)).toMatchObject({
      'tcap.otid': ['2f:3b:46:02'],
      'tcap.application_context_name': ['0.4.0.0.1.0.19.2'],
      'gsm_old.opCode.localValue': ['59'],
      'gsm_map.msisdn': ['27761485722'],
    });
    // The IMSI of the MAP-OpenInfo destinationReference is in the dialogue, not a component.
    expect(fieldsOf(frames, 6)).not.toHaveProperty('gsm_map.imsi');
  });

  it('ossie/japan_tcap_over_m2pa.pcap: Japan point codes need mtp3.standard', () => {
    const frames = tsharkFrames(capture('ossie/japan_tcap_over_m2pa.pcap'), ['mtp3.standard:Japan']);
    expect(fieldsOf(frames, 1)).toMatchObject({ 'sctp.data_payload_proto_id': ['5'], 'mtp3.opc': ['3003'], 'mtp3.dpc': ['2730'], 'sccp.called.pc': ['2730'] });
    expect(fieldsOf(frames, 2)).not.toHaveProperty('mtp3.opc'); // an M2PA message without user data
    expect(fieldsOf(frames, 5)).toMatchObject({ 'tcap.dtid': ['18:25:00:01'], 'gsm_map.old.Component': ['2'], 'gsm_old.invokeID': ['0'] });
    expect(fieldsOf(tsharkFrames(capture('ossie/japan_tcap_over_m2pa.pcap')), 1)).toMatchObject({ 'mtp3.opc': ['12012'] });
  });

  it('ossie/sctp-test.pcap: bundled DATA chunks give one value per chunk, in chunk order', () => {
    const frames = tsharkFrames(capture('ossie/sctp-test.pcap'));
    expect(fieldsOf(frames, 6)).toMatchObject({
      'sctp.data_tsn_raw': ['13844', '13845'],
      'sctp.data_sid': ['0x0000', '0x0001'],
      'sctp.data_e_bit': ['1', '1'],
    });
    expect(frames.has(1)).toBe(true); // INIT: ports only
    expect(fieldsOf(frames, 1)).not.toHaveProperty('sctp.data_tsn_raw');
  });
});
