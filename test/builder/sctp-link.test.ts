// Link, IP and SCTP encoders checked against tshark: Ethernet with 802.1ad/802.1Q tags, Linux
// cooked capture, IPv4 (checksum good) and IPv6, every SCTP chunk type the builder writes,
// CRC32c status, bundling, and reassembly of DATA and I-DATA fragments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  encodeEthernet,
  encodeIpv4,
  encodeIpv6,
  encodeM3uaData,
  encodeSccp,
  encodeSctpPacket,
  encodeSll,
  ETHERTYPE,
  fragmentData,
  fragmentIData,
  LINKTYPE,
  PPID,
  type SctpChunk,
} from '../../src/builder/index.js';
import { fields, type FrameFields, HAVE_TSHARK, one, problems, TempDir } from './tshark.js';

const tmp = new TempDir();
afterAll(() => tmp.remove());

const A = { mac: '02:00:00:00:00:0a', ip: '192.0.2.10' };
const B = { mac: '02:00:00:00:00:0b', ip: '198.51.100.11' };
const OPAQUE_PPID = 0; // unspecified: tshark shows the DATA chunk as data
const opaquePort = 40000;

function frame(chunks: readonly SctpChunk[], opts: { vtag?: number; checksum?: number; ipChecksum?: number; vlans?: { vid: number; pcp?: number }[]; port?: number } = {}): Uint8Array {
  const port = opts.port ?? opaquePort;
  const sctp = encodeSctpPacket({ srcPort: port, dstPort: port, verificationTag: opts.vtag ?? 0xabcdef01, chunks, checksum: opts.checksum });
  const ip = encodeIpv4({ src: A.ip, dst: B.ip, payload: sctp, checksum: opts.ipChecksum });
  return encodeEthernet({ src: A.mac, dst: B.mac, vlans: opts.vlans, etherType: ETHERTYPE.ipv4, payload: ip });
}

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe.skipIf(!HAVE_TSHARK)('SCTP and below, decoded by tshark', () => {
  const frames = [
    // 1: INIT with address and supported-extensions parameters
    frame([{ type: 'init', initiateTag: 0x1234abcd, aRwnd: 65536, outboundStreams: 10, inboundStreams: 11, initialTsn: 4242, addresses: [A.ip, '2001:db8::1'], supportedExtensions: [64] }], { vtag: 0 }),
    // 2: INIT ACK with a state cookie
    frame([{ type: 'init-ack', initiateTag: 0x55667788, aRwnd: 32768, outboundStreams: 5, inboundStreams: 5, initialTsn: 9000, stateCookie: bytes(21) }]),
    // 3, 4
    frame([{ type: 'cookie-echo', cookie: bytes(21) }]),
    frame([{ type: 'cookie-ack' }]),
    // 5: SACK with two gap blocks and a duplicate
    frame([{ type: 'sack', cumulativeTsnAck: 4300, aRwnd: 50000, gapBlocks: [[2, 3], [5, 5]], duplicateTsns: [4299] }]),
    // 6, 7: heartbeat with an info length that needs padding
    frame([{ type: 'heartbeat', info: bytes(13) }]),
    frame([{ type: 'heartbeat-ack', info: bytes(13) }]),
    // 8: three DATA chunks bundled, unordered in the middle
    frame([
      { type: 'data', tsn: 100, sid: 1, ssn: 5, ppid: OPAQUE_PPID, data: bytes(10) },
      { type: 'data', tsn: 101, sid: 2, ssn: 0, ppid: OPAQUE_PPID, data: bytes(3), unordered: true },
      { type: 'data', tsn: 102, sid: 1, ssn: 6, ppid: OPAQUE_PPID, data: bytes(4) },
    ]),
    // 9: SACK bundled before a DATA chunk
    frame([{ type: 'sack', cumulativeTsnAck: 9000, aRwnd: 1000 }, { type: 'data', tsn: 103, sid: 3, ssn: 1, ppid: OPAQUE_PPID, data: bytes(8) }]),
    // 10: a bad CRC (negative control)
    frame([{ type: 'cookie-ack' }], { checksum: 0xdeadbeef }),
    // 11: a bad IPv4 header checksum (negative control)
    frame([{ type: 'cookie-ack' }], { ipChecksum: 0x1234 }),
    // 12: two VLAN tags
    frame([{ type: 'cookie-ack' }], { vlans: [{ vid: 300 }, { vid: 42, pcp: 5 }] }),
  ];
  // 13: IPv6
  frames.push(
    encodeEthernet({
      src: A.mac,
      dst: B.mac,
      etherType: ETHERTYPE.ipv6,
      payload: encodeIpv6({ src: '2001:db8:10::60', dst: '2001:db8:44::1', flowLabel: 0x12345, payload: encodeSctpPacket({ srcPort: 2905, dstPort: 2905, verificationTag: 7, chunks: [{ type: 'cookie-ack' }] }) }),
    }),
  );
  // 14-16: one M3UA message over three DATA fragments; 17-18: over two I-DATA fragments
  // SCCP UDT to an SSN without a dissector, so the reassembled message decodes cleanly.
  const sccp = encodeSccp({ type: 'udt', protocolClass: 0, called: { route: 'ssn', ssn: 250 }, calling: { route: 'ssn', ssn: 250 }, data: bytes(60) });
  const m3ua = encodeM3uaData({ routingContext: 55, protocolData: { opc: 11, dpc: 22, si: 3, ni: 2, sls: 3, data: sccp } });
  for (const c of fragmentData({ tsn: 200, sid: 1, ssn: 9, ppid: PPID.m3ua, data: m3ua }, { count: 3 })) frames.push(frame([c], { port: 2905 }));
  for (const c of fragmentIData({ tsn: 300, sid: 2, mid: 17, ppid: PPID.m3ua, data: m3ua }, { count: 2 })) frames.push(frame([c], { port: 2905 }));

  let file = '';
  let rows: FrameFields[] = [];
  beforeAll(() => {
    file = tmp.pcap(frames);
    rows = fields(file, [
      'sctp.chunk_type',
      'sctp.checksum.status',
      'ip.checksum.status',
      'sctp.verification_tag',
      'sctp.init_initiate_tag',
      'sctp.init_credit',
      'sctp.init_nr_out_streams',
      'sctp.init_nr_in_streams',
      'sctp.init_initial_tsn',
      'sctp.parameter_type',
      'sctp.sack_cumulative_tsn_ack_raw',
      'sctp.sack_a_rwnd',
      'sctp.sack_gap_block_start',
      'sctp.sack_gap_block_end',
      'sctp.sack_duplicate_tsn',
      'sctp.data_tsn_raw',
      'sctp.data_sid',
      'sctp.data_ssn',
      'sctp.data_payload_proto_id',
      'sctp.data_b_bit',
      'sctp.data_e_bit',
      'sctp.data_u_bit',
      'sctp.data_mid',
      'sctp.data_fsn',
      'sctp.fragment',
      'ieee8021ad.id',
      'vlan.id',
      'vlan.priority',
      'ipv6.flow',
      'm3ua.routing_context',
      'm3ua.protocol_data_opc',
      'm3ua.protocol_data_dpc',
    ]);
  }, 120_000);
  const r = (n: number) => rows[n - 1];

  it('writes every chunk type with its fields', () => {
    expect(r(1)!['sctp.chunk_type']).toEqual(['1']);
    expect(one(r(1), 'sctp.init_initiate_tag')).toBe('0x1234abcd');
    expect(one(r(1), 'sctp.init_credit')).toBe('65536');
    expect(one(r(1), 'sctp.init_nr_out_streams')).toBe('10');
    expect(one(r(1), 'sctp.init_nr_in_streams')).toBe('11');
    expect(one(r(1), 'sctp.init_initial_tsn')).toBe('4242');
    expect(r(1)!['sctp.parameter_type']).toEqual(['0x0005', '0x0006', '0x8008']);
    expect(r(2)!['sctp.chunk_type']).toEqual(['2']);
    expect(r(2)!['sctp.parameter_type']).toEqual(['0x0007']);
    expect(r(3)!['sctp.chunk_type']).toEqual(['10']);
    expect(r(4)!['sctp.chunk_type']).toEqual(['11']);
    expect(one(r(5), 'sctp.sack_cumulative_tsn_ack_raw')).toBe('4300');
    expect(one(r(5), 'sctp.sack_a_rwnd')).toBe('50000');
    expect(r(5)!['sctp.sack_gap_block_start']).toEqual(['2', '5']);
    expect(r(5)!['sctp.sack_gap_block_end']).toEqual(['3', '5']);
    expect(r(5)!['sctp.sack_duplicate_tsn']).toEqual(['4299']);
    expect(r(6)!['sctp.chunk_type']).toEqual(['4']);
    expect(r(7)!['sctp.chunk_type']).toEqual(['5']);
  });

  it('bundles DATA chunks with their TSN, stream, SSN, PPID and flags', () => {
    expect(r(8)!['sctp.chunk_type']).toEqual(['0', '0', '0']);
    expect(r(8)!['sctp.data_tsn_raw']).toEqual(['100', '101', '102']);
    expect(r(8)!['sctp.data_sid']).toEqual(['0x0001', '0x0002', '0x0001']);
    expect(r(8)!['sctp.data_ssn']).toEqual(['5', '0', '6']);
    expect(r(8)!['sctp.data_payload_proto_id']).toEqual(['0', '0', '0']);
    expect(r(8)!['sctp.data_u_bit']).toEqual(['0', '1', '0']);
    expect(r(8)!['sctp.data_b_bit']).toEqual(['1', '1', '1']);
    expect(r(8)!['sctp.data_e_bit']).toEqual(['1', '1', '1']);
    expect(r(9)!['sctp.chunk_type']).toEqual(['3', '0']);
  });

  it('computes good CRC32c and IPv4 checksums (and tshark sees the bad ones)', () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18]) expect(one(r(n), 'sctp.checksum.status'), `frame ${n}`).toBe('1');
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14]) expect(one(r(n), 'ip.checksum.status'), `frame ${n}`).toBe('1');
    expect(one(r(10), 'sctp.checksum.status')).toBe('0');
    expect(one(r(11), 'ip.checksum.status')).toBe('0');
  });

  it('writes VLAN tags, IPv6 and the verification tag', () => {
    expect(r(12)!['ieee8021ad.id']).toEqual(['300']);
    expect(r(12)!['vlan.id']).toEqual(['42']);
    expect(r(12)!['vlan.priority']).toEqual(['5']);
    expect(Number(one(r(13), 'ipv6.flow'))).toBe(0x12345);
    expect(one(r(2), 'sctp.verification_tag')).toBe('0xabcdef01');
  });

  it('fragments one user message over DATA chunks and tshark reassembles it', () => {
    expect([14, 15, 16].map((n) => [one(r(n), 'sctp.data_b_bit'), one(r(n), 'sctp.data_e_bit')])).toEqual([['1', '0'], ['0', '0'], ['0', '1']]);
    expect([14, 15, 16].map((n) => one(r(n), 'sctp.data_ssn'))).toEqual(['9', '9', '9']);
    expect([14, 15, 16].map((n) => one(r(n), 'sctp.data_tsn_raw'))).toEqual(['200', '201', '202']);
    expect(r(16)!['sctp.fragment']).toEqual(['14', '15', '16']);
    expect(one(r(16), 'm3ua.routing_context')).toBe('55');
    expect(one(r(16), 'm3ua.protocol_data_opc')).toBe('11');
    expect(r(14)!['m3ua.routing_context']).toEqual([]);
  });

  it('fragments over I-DATA with MID, PPID then FSN', () => {
    expect(r(17)!['sctp.chunk_type']).toEqual(['64']);
    expect(one(r(17), 'sctp.data_mid')).toBe('17');
    expect(one(r(17), 'sctp.data_payload_proto_id')).toBe('3');
    expect(one(r(18), 'sctp.data_fsn')).toBe('1');
    expect(r(18)!['sctp.fragment']).toEqual(['17', '18']);
    expect(one(r(18), 'm3ua.protocol_data_dpc')).toBe('22');
  });

  it('has no malformed frames apart from the two negative controls', () => {
    expect(problems(file).map((p) => p.frame)).toEqual([10, 11]);
  });

  it('writes Linux cooked capture frames', () => {
    const sll = tmp.pcap(
      [
        encodeSll({ packetType: 4, address: A.mac, protocol: ETHERTYPE.ipv4, payload: encodeIpv4({ src: A.ip, dst: B.ip, payload: encodeSctpPacket({ srcPort: 2905, dstPort: 2905, verificationTag: 1, chunks: [{ type: 'cookie-ack' }] }) }) }),
        encodeSll({ packetType: 0, address: B.mac, protocol: ETHERTYPE.ipv6, payload: encodeIpv6({ src: '2001:db8::2', dst: '2001:db8::1', payload: encodeSctpPacket({ srcPort: 2905, dstPort: 2905, verificationTag: 1, chunks: [{ type: 'cookie-ack' }] }) }) }),
      ],
      LINKTYPE.linuxSll,
    );
    const s = fields(sll, ['sll.pkttype', 'sll.src.eth', 'sll.etype', 'sctp.checksum.status', 'ip.src', 'ipv6.src']);
    expect(s.map((x) => [one(x, 'sll.pkttype'), one(x, 'sll.src.eth'), one(x, 'sll.etype'), one(x, 'sctp.checksum.status')])).toEqual([
      ['4', '02:00:00:00:00:0a', '0x0800', '1'],
      ['0', '02:00:00:00:00:0b', '0x86dd', '1'],
    ]);
    expect(one(s[1], 'ipv6.src')).toBe('2001:db8::2');
    expect(problems(sll)).toEqual([]);
  });
});
