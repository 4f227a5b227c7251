// Byte-exact checks of the building blocks: CRC32c, the IPv4 checksum, BER, digit encodings,
// SCCP pointers, and that the association's single-buffer frame equals the layered encoders.
import { describe, expect, it } from 'vitest';

import {
  addressString,
  Association,
  ber,
  bcd,
  crc32c,
  encodeEthernet,
  encodeIpv4,
  encodeIpv6,
  encodeSccp,
  encodeSctpPacket,
  encodeSll,
  ETHERTYPE,
  fromHex,
  gsm7Septets,
  internetChecksum,
  isupCalledPartyNumber,
  packSeptets,
  plmnId,
  tbcd,
  toHex,
} from '../../src/builder/index.js';

describe('crc32c (RFC 9260 App. B, test vectors of RFC 3720 §B.4)', () => {
  it('matches the published vectors', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('is placed least significant byte first in the SCTP common header', () => {
    const pkt = encodeSctpPacket({ srcPort: 2905, dstPort: 2905, verificationTag: 0x01020304, chunks: [{ type: 'cookie-ack' }] });
    const zeroed = pkt.slice();
    zeroed.fill(0, 8, 12);
    const crc = crc32c(zeroed);
    expect([...pkt.subarray(8, 12)]).toEqual([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24]);
  });
});

describe('IPv4 header checksum (RFC 1071)', () => {
  it('sums to zero over a finished header', () => {
    const ip = encodeIpv4({ src: '192.0.2.1', dst: '198.51.100.2', payload: new Uint8Array(40), identification: 0x1c46 });
    expect(internetChecksum(ip.subarray(0, 20))).toBe(0);
  });
});

describe('BER writer (X.690)', () => {
  const enc = (n: ber.BerNode, o?: ber.BerEncodeOptions): string => toHex(ber.encodeBer(n, o));

  it('writes minimal, long-form and indefinite lengths', () => {
    expect(toHex(ber.encodeLength(5))).toBe('05');
    expect(toHex(ber.encodeLength(200))).toBe('81c8');
    expect(toHex(ber.encodeLength(300))).toBe('82012c');
    expect(toHex(ber.encodeLength(5, { octets: 2 }))).toBe('820005');
    expect(toHex(ber.encodeLength(5, 'indefinite'))).toBe('80');
    expect(() => ber.encodeLength(300, { octets: 1 })).toThrow(RangeError);
  });

  it('applies a length form to constructed and primitive nodes', () => {
    const seq = ber.sequence([ber.integer(1), ber.octetString(Uint8Array.of(0xaa))]);
    expect(enc(seq)).toBe('3006020101' + '0401aa');
    expect(enc(seq, { length: { octets: 2 } })).toBe('3082000a' + '02820001' + '01' + '04820001aa');
    // indefinite on the constructed node only; primitives keep the definite short form
    expect(enc(seq, { length: 'indefinite' })).toBe('3080' + '020101' + '0401aa' + '0000');
  });

  it('encodes high tag numbers, integers and OIDs', () => {
    expect(toHex(ber.encodeTag(ber.tag.context(50), false))).toBe('9f32');
    expect(toHex(ber.encodeTag(ber.tag.context(52), true))).toBe('bf34');
    expect(toHex(ber.encodeTag(ber.tag.context(200), false))).toBe('9f8148');
    expect(toHex(ber.integerContent(0))).toBe('00');
    expect(toHex(ber.integerContent(127))).toBe('7f');
    expect(toHex(ber.integerContent(128))).toBe('0080');
    expect(toHex(ber.integerContent(-1))).toBe('ff');
    expect(toHex(ber.integerContent(-129))).toBe('ff7f');
    expect(toHex(ber.oidContent('0.4.0.0.1.0.29.3'))).toBe('04000001001d03');
    expect(toHex(ber.oidContent('0.0.17.773.1.1.1'))).toBe('0011860501' + '0101');
  });
});

describe('digit encodings', () => {
  it('TBCD puts the first digit in the low nibble and pads with 1111', () => {
    expect(toHex(tbcd('234150000000001'))).toBe('3214050000000010'.slice(0, 14) + 'f1');
    expect(toHex(tbcd('1234'))).toBe('2143');
  });

  it('SCCP BCD pads with 0000', () => {
    expect(toHex(bcd('44770'))).toBe('447700');
  });

  it('AddressString carries ext, nature and plan', () => {
    expect(toHex(addressString('447700900001'))).toBe('91447700090010');
  });

  it('ISUP called party number (Q.763 §3.9)', () => {
    expect(toHex(isupCalledPartyNumber({ digits: '4477009001' }))).toBe('0410' + '4477000910');
    expect(toHex(isupCalledPartyNumber({ digits: '447' }))).toBe('8410' + '4407');
  });

  it('PLMN identity with two- and three-digit MNCs', () => {
    expect(toHex(plmnId('234', '15'))).toBe('32f451');
    expect(toHex(plmnId('310', '990'))).toBe('130099');
  });

  it('GSM 7-bit packing (TS 23.038 §6.1.2.1.1)', () => {
    expect(toHex(packSeptets(gsm7Septets('hellohello')))).toBe('e8329bfd4697d9ec37');
  });
});

describe('SCCP pointers', () => {
  const addr = { route: 'ssn' as const, ssn: 6, pc: 100 };
  it('UDT pointers count from each pointer octet (Q.713 §2.3)', () => {
    const m = encodeSccp({ type: 'udt', protocolClass: 0, called: addr, calling: addr, data: Uint8Array.of(1, 2, 3) });
    // type, class, pointers 03 07 0b, called 04 43 64 00 06, calling 04 43 64 00 06, data 03 010203
    expect(toHex(m)).toBe('0900' + '03070b' + '0443640006' + '0443640006' + '03010203');
  });
  it('XUDT without optional part has a zero optional pointer', () => {
    const m = encodeSccp({ type: 'xudt', protocolClass: 1, hopCounter: 9, called: addr, calling: addr, data: Uint8Array.of(7) });
    expect(toHex(m)).toBe('1101' + '09' + '04080c00' + '0443640006' + '0443640006' + '0107');
  });
});

describe('Association frames', () => {
  it('equal the layered encoders byte for byte', () => {
    const a = new Association({
      name: 't',
      adaptation: 'm3ua',
      vlans: [{ vid: 10 }],
      a: { mac: '02:00:00:00:00:01', ip: '192.0.2.1', port: 2905, pc: 1 },
      b: { mac: '02:00:00:00:00:02', ip: '192.0.2.2', port: 2905, pc: 2 },
      verificationTags: [0x11111111, 0x22222222],
    });
    const chunk = { type: 'data' as const, tsn: 77, sid: 1, ssn: 0, ppid: 3, data: fromHex('0102030405') };
    const frame = a.packet('ab', [chunk]);
    const sctp = encodeSctpPacket({ srcPort: 2905, dstPort: 2905, verificationTag: 0x22222222, chunks: [chunk] });
    const ip = encodeIpv4({ src: '192.0.2.1', dst: '192.0.2.2', payload: sctp, identification: 1000 });
    const eth = encodeEthernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', vlans: [{ vid: 10 }], etherType: ETHERTYPE.ipv4, payload: ip });
    expect(toHex(frame.data)).toBe(toHex(eth));
  });

  it('equal the layered encoders on a Linux cooked IPv6 link too', () => {
    const a = new Association({
      name: 't6',
      link: 'sll',
      adaptation: 'sua',
      a: { mac: '02:00:00:00:00:01', ip: '2001:db8::1', port: 14001, pc: 1 },
      b: { mac: '02:00:00:00:00:02', ip: '2001:db8::2', port: 14001, pc: 2 },
      verificationTags: [0x11111111, 0x22222222],
    });
    const chunk = { type: 'sack' as const, cumulativeTsnAck: 5, aRwnd: 1000 };
    const frame = a.packet('ba', [chunk]);
    const sctp = encodeSctpPacket({ srcPort: 14001, dstPort: 14001, verificationTag: 0x11111111, chunks: [chunk] });
    const sll = encodeSll({ packetType: 0, address: '02:00:00:00:00:02', protocol: ETHERTYPE.ipv6, payload: encodeIpv6({ src: '2001:db8::2', dst: '2001:db8::1', payload: sctp }) });
    expect(frame.linkType).toBe(113);
    expect(toHex(frame.data)).toBe(toHex(sll));
  });
});
