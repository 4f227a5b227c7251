// Capture writers: classic pcap (microseconds) and pcapng (nanoseconds, several interfaces,
// per-packet comments), read back by tshark; the streaming writer hands out the same bytes
// in bounded chunks.
import { afterAll, describe, expect, it } from 'vitest';

import {
  encodeEthernet,
  encodeIpv4,
  encodePcap,
  encodeSctpPacket,
  encodeSll,
  ETHERTYPE,
  LINKTYPE,
  PcapWriter,
  toHex,
} from '../../src/builder/index.js';
import { fields, HAVE_TSHARK, one, problems, TempDir } from './tshark.js';

const tmp = new TempDir();
afterAll(() => tmp.remove());

const sctp = (tag: number): Uint8Array => encodeSctpPacket({ srcPort: 2905, dstPort: 2905, verificationTag: tag, chunks: [{ type: 'cookie-ack' }] });
const eth = (tag: number): Uint8Array =>
  encodeEthernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: ETHERTYPE.ipv4, payload: encodeIpv4({ src: '192.0.2.1', dst: '192.0.2.2', payload: sctp(tag) }) });
const sll = (tag: number): Uint8Array => encodeSll({ address: '02:00:00:00:00:03', protocol: ETHERTYPE.ipv4, payload: encodeIpv4({ src: '192.0.2.3', dst: '192.0.2.2', payload: sctp(tag) }) });

const T0 = 1_768_467_600_123_456_789n;

describe('classic pcap', () => {
  it('writes the libpcap header and records', () => {
    const frame = eth(1);
    const file = encodePcap([{ timestampNs: T0, data: frame }], { linkType: LINKTYPE.ethernet });
    expect(toHex(file.subarray(0, 24))).toBe('d4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + '00000400' + '01000000');
    const view = new DataView(file.buffer, file.byteOffset);
    expect(view.getUint32(24, true)).toBe(1_768_467_600);
    expect(view.getUint32(28, true)).toBe(123_456); // microseconds, truncated
    expect(view.getUint32(32, true)).toBe(frame.length);
    expect(toHex(file.subarray(40))).toBe(toHex(frame));
  });

  it('streams in bounded chunks that join to the same file', () => {
    const packets = Array.from({ length: 40_000 }, (_, i) => ({ timestampNs: T0 + BigInt(i) * 1000n, data: eth(i) }));
    const chunks: Uint8Array[] = [];
    const w = new PcapWriter((c) => chunks.push(c), { linkType: LINKTYPE.ethernet });
    for (const p of packets) w.write(p);
    w.close();
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual((1 << 20) + 65536);
    const joined = Buffer.concat(chunks);
    expect(Buffer.from(encodePcap(packets, { linkType: LINKTYPE.ethernet })).equals(joined)).toBe(true);
  });
});

describe.skipIf(!HAVE_TSHARK)('captures read by tshark', () => {
  it('classic pcap keeps microseconds', () => {
    const file = tmp.pcap([eth(1)]);
    expect(problems(file)).toEqual([]);
    const rows = fields(file, ['frame.time_epoch', 'sctp.verification_tag']);
    expect(one(rows[0], 'sctp.verification_tag')).toBe('0x00000001');
  });

  it('pcapng keeps nanoseconds, interfaces and comments', () => {
    const file = tmp.pcapng(
      [
        { timestampNs: T0, data: eth(1), comment: 'attack tracking-any-time-interrogation cat1: blocked' },
        { timestampNs: T0 + 1n, data: sll(2), interfaceId: 1 },
        { timestampNs: T0 + 1_000_000_000n, data: eth(3), comment: 'a' },
      ],
      [LINKTYPE.ethernet, LINKTYPE.linuxSll],
    );
    const rows = fields(file, ['frame.time_epoch', 'frame.interface_id', 'frame.comment', 'sctp.verification_tag', 'sll.pkttype', 'sctp.checksum.status']);
    expect(rows.map((r) => one(r, 'frame.time_epoch'))).toEqual(['1768467600.123456789', '1768467600.123456790', '1768467601.123456789']);
    expect(rows.map((r) => one(r, 'frame.interface_id'))).toEqual(['0', '1', '0']);
    expect(rows.map((r) => one(r, 'frame.comment'))).toEqual(['attack tracking-any-time-interrogation cat1: blocked', undefined, 'a']);
    expect(rows.map((r) => one(r, 'sctp.verification_tag'))).toEqual(['0x00000001', '0x00000002', '0x00000003']);
    expect(one(rows[1], 'sll.pkttype')).toBe('0');
    expect(rows.map((r) => one(r, 'sctp.checksum.status'))).toEqual(['1', '1', '1']);
    expect(problems(file)).toEqual([]);
  });
});
