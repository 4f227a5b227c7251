// The injector's packet preparation (no privilege needed): capture reading, IPv4 extraction,
// address rewrite with checksum repair, the rig's message file, and `sigwall inject --dry-run`.
// Sending over a raw socket is exercised in test/live/ (namespaces, root).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDemoCapture, buildDemoPcapng, buildDemoFrames } from '../../src/builder/capture.js';
import { crc32c } from '../../src/builder/crc32c.js';
import { encodeEthernet, encodeSll } from '../../src/builder/link.js';
import { encodeIpv4, internetChecksum } from '../../src/builder/ip.js';
import { CaptureError } from '../../src/errors.js';
import { ipv4Packet, ipv4Packets, locateIpv4, readCaptureFrames } from '../../src/inject/packets.js';
import { decodeRigFile, encodeRigFile, scenarioRigMessages } from '../../src/inject/rig-messages.js';
import { scenarioFrames, sourceFrames } from '../../src/inject/sources.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'bin', 'sigwall.js');
const scratch = mkdtempSync(join(tmpdir(), 'sigwall-inject-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function sctpCrcOk(ip: Uint8Array): boolean {
  const ihl = (ip[0]! & 15) * 4;
  const sctp = ip.slice(ihl);
  const stored = sctp[8]! | (sctp[9]! << 8) | (sctp[10]! << 16) | (sctp[11]! << 24);
  sctp.fill(0, 8, 12);
  return crc32c(sctp) === stored >>> 0;
}

describe('capture reading', () => {
  it('reads the demo capture as pcap and as pcapng with the same frames and timestamps', () => {
    const frames = buildDemoFrames().packets;
    const fromPcap = readCaptureFrames(buildDemoCapture().pcap);
    const fromPcapng = readCaptureFrames(buildDemoPcapng().pcapng);
    expect(fromPcap.length).toBe(frames.length);
    expect(fromPcapng.length).toBe(frames.length);
    for (const [i, f] of frames.entries()) {
      expect(Buffer.from(fromPcap[i]!.data).equals(Buffer.from(f.data))).toBe(true);
      expect(Buffer.from(fromPcapng[i]!.data).equals(Buffer.from(f.data))).toBe(true);
      expect(fromPcapng[i]!.timestampNs).toBe(f.timestampNs); // pcapng keeps nanoseconds
      expect(fromPcap[i]!.timestampNs).toBe((f.timestampNs / 1000n) * 1000n); // pcap: microseconds
    }
  });

  it('refuses what is not a capture and a record that runs past the end, naming the offset', () => {
    expect(() => readCaptureFrames(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))).toThrow(/not a pcap or pcapng file/);
    const pcap = buildDemoCapture().pcap;
    const cut = pcap.subarray(0, pcap.length - 10);
    try {
      readCaptureFrames(cut, 'cut.pcap');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CaptureError);
      expect((error as CaptureError).message).toMatch(/^cut\.pcap: record of \d+ bytes runs past the end/);
      expect((error as CaptureError).offset).toBeGreaterThan(24);
    }
    const pcapng = buildDemoPcapng().pcapng;
    expect(() => readCaptureFrames(pcapng.subarray(0, pcapng.length - 3))).toThrow(/runs past the end|truncated/);
  });
});

describe('untrusted captures', () => {
  // Deterministic xorshift, so a failure reproduces.
  let state = 0x2545f491;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };

  it('a mutated or cut pcap/pcapng either reads or throws CaptureError, never anything else', () => {
    const sources = [buildDemoCapture().pcap, buildDemoPcapng().pcapng];
    let read = 0;
    let refused = 0;
    for (let round = 0; round < 400; round++) {
      const source = sources[round % 2]!;
      const bytes = source.slice(0, round % 5 === 0 ? Math.floor(random() * source.length) : source.length);
      for (let flips = 1 + Math.floor(random() * 8); flips > 0; flips--) {
        // Mostly the file and block headers, where the lengths are.
        const at = random() < 0.7 ? Math.floor(random() * Math.min(bytes.length, 64)) : Math.floor(random() * bytes.length);
        bytes[at] = Math.floor(random() * 256);
      }
      try {
        const frames = readCaptureFrames(bytes);
        for (const frame of frames) expect(frame.data.byteOffset + frame.data.length).toBeLessThanOrEqual(bytes.byteOffset + bytes.length);
        ipv4Packets(frames, { fixChecksums: true, src: '10.0.0.1', dst: '10.0.0.2' });
        read++;
      } catch (error) {
        expect(error).toBeInstanceOf(CaptureError);
        refused++;
      }
    }
    expect(read).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('frames with lying IPv4 lengths are skipped as truncated, not read past their end', () => {
    const ip = encodeIpv4({ src: '192.0.2.1', dst: '198.51.100.1', protocol: 132, payload: new Uint8Array(40) });
    const longer = ip.slice();
    longer[3] = 200; // total length beyond the frame
    const shortIhl = ip.slice();
    shortIhl[0] = 0x43; // IHL 3 words: below the minimum header
    const set = ipv4Packets(
      [longer, shortIhl].map((data) => ({ linkType: 101, data, timestampNs: 0n })),
      { fixChecksums: true },
    );
    expect(set.packets).toEqual([]);
    expect(set.skipped).toEqual({ truncated: 2 });
  });
});

describe('IPv4 extraction and rewrite', () => {
  const payload = Uint8Array.from({ length: 40 }, (_, i) => i);
  const ip = encodeIpv4({ src: '192.0.2.1', dst: '198.51.100.1', protocol: 17, payload });

  it('finds IPv4 behind Ethernet, two VLAN tags and Linux SLL; reports IPv6 and other types', () => {
    const tagged = encodeEthernet({ dst: '02:00:00:00:00:01', src: '02:00:00:00:00:02', vlans: [{ vid: 300 }, { vid: 42 }], etherType: 0x0800, payload: ip });
    expect(locateIpv4({ linkType: 1, data: tagged, timestampNs: 0n })).toEqual({ ok: true, offset: 22 });
    const sll = encodeSll({ packetType: 0, address: '02:00:00:00:00:02', protocol: 0x0800, payload: ip });
    expect(locateIpv4({ linkType: 113, data: sll, timestampNs: 0n })).toEqual({ ok: true, offset: 16 });
    expect(locateIpv4({ linkType: 101, data: ip, timestampNs: 0n })).toEqual({ ok: true, offset: 0 });
    const arp = encodeEthernet({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:02', etherType: 0x0806, payload: new Uint8Array(28) });
    expect(locateIpv4({ linkType: 1, data: arp, timestampNs: 0n })).toEqual({ ok: false, reason: 'not-ip' });
    expect(locateIpv4({ linkType: 1, data: tagged.subarray(0, 30), timestampNs: 0n })).toEqual({ ok: false, reason: 'truncated' });
    expect(locateIpv4({ linkType: 147, data: ip, timestampNs: 0n })).toEqual({ ok: false, reason: 'link' });
  });

  it('rewrites addresses with a valid header checksum and cuts link padding off', () => {
    const padded = encodeEthernet({ dst: '02:00:00:00:00:01', src: '02:00:00:00:00:02', etherType: 0x0800, payload: new Uint8Array([...ip, 0, 0, 0, 0]) });
    const result = ipv4Packet({ linkType: 1, data: padded, timestampNs: 0n }, 0, { src: '10.1.2.3', dst: '10.4.5.6', fixChecksums: false });
    if ('skipped' in result) throw new Error(result.skipped);
    expect(result.bytes.length).toBe(ip.length);
    expect([...result.bytes.subarray(12, 20)]).toEqual([10, 1, 2, 3, 10, 4, 5, 6]);
    expect(internetChecksum(result.bytes.subarray(0, 20))).toBe(0);
    expect(result.dst).toBe('10.4.5.6');
    expect([...result.bytes.subarray(20)]).toEqual([...payload]);
  });

  it('repairs a corrupted SCTP CRC32c only when asked', () => {
    const demo = scenarioFrames(['benign']);
    const set = ipv4Packets(demo, { fixChecksums: false });
    expect(set.packets.length).toBe(demo.length);
    expect(set.packets.every((p) => sctpCrcOk(p.bytes))).toBe(true);
    const broken = demo.map((f) => {
      const data = f.data.slice();
      data[data.length - 1] = data[data.length - 1]! ^ 0xff; // flips a payload byte: the CRC no longer matches
      return { ...f, data };
    });
    expect(ipv4Packets(broken, { fixChecksums: false }).packets.some((p) => sctpCrcOk(p.bytes))).toBe(false);
    const fixed = ipv4Packets(broken, { fixChecksums: true, src: '10.99.0.1', dst: '10.99.0.2' }).packets;
    expect(fixed.every((p) => sctpCrcOk(p.bytes) && internetChecksum(p.bytes.subarray(0, 20)) === 0)).toBe(true);
  });

  it('counts what it skips and refuses bad addresses', () => {
    const set = ipv4Packets(sourceFrames('demo'), { fixChecksums: false });
    expect(set.skipped).toEqual({ ipv6: 13 });
    expect(set.packets.length + 13).toBe(set.frames);
    expect(() => ipv4Packets([], { dst: '10.0.0.256', fixChecksums: false })).toThrow(/not an IPv4 address/);
    expect(() => ipv4Packets([], { src: 'host', fixChecksums: false })).toThrow(/--src takes a dotted IPv4 address/);
  });
});

describe('rig message file', () => {
  it('round-trips scenario messages with the routing label of their link', () => {
    const messages = scenarioRigMessages({ messages: 120, seed: 7 });
    expect(messages.length).toBeGreaterThanOrEqual(120);
    expect(messages.every((m) => m.si === 3 && m.stream >= 1 && m.stream <= 3)).toBe(true);
    expect(new Set(messages.map((m) => `${m.opc}>${m.dpc}`)).size).toBeGreaterThan(1); // both directions
    expect(messages.every((m) => m.label?.kind === 'benign')).toBe(true);
    const decoded = decodeRigFile(encodeRigFile(messages));
    expect(decoded.length).toBe(messages.length);
    for (const [i, m] of messages.entries()) {
      const { label: _label, ...wire } = m;
      expect(decoded[i]).toEqual({ ...wire, sccp: wire.sccp });
      expect(decoded[i]!.sccp[0]).toBe(0x09); // UDT (Q.713 §4.10) for benign traffic
    }
  });

  it('refuses a truncated file', () => {
    const bytes = encodeRigFile(scenarioRigMessages({ messages: 3 }));
    expect(() => decodeRigFile(bytes.subarray(0, bytes.length - 1))).toThrow(/payload runs past the end/);
    expect(() => decodeRigFile(bytes.subarray(0, 20))).toThrow(/truncated header/);
    expect(() => decodeRigFile(Uint8Array.of(1, 2, 3))).toThrow(/magic SWM3UA01 missing/);
  });
});

describe('sigwall inject --dry-run', () => {
  function sigwall(...args: string[]) {
    return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: scratch });
  }

  it('writes the packets it would send, readdressed, as a raw-IP pcap', () => {
    const out = join(scratch, 'sent.pcap');
    const result = sigwall('inject', 'scenario:roaming-update-location', '--src', '10.99.0.1', '--dst', '10.99.0.2', '--dry-run', '--write', out, '--json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout) as { packets: number; frames: number; sent: number; dryRun: boolean };
    expect(summary.dryRun).toBe(true);
    expect(summary.sent).toBe(0);
    const frames = readCaptureFrames(readFileSync(out));
    expect(frames.length).toBe(summary.packets);
    expect(frames.every((f) => f.linkType === 101 && f.data[9] === 132)).toBe(true);
    expect(frames.every((f) => [...f.data.subarray(12, 20)].join('.') === '10.99.0.1.10.99.0.2')).toBe(true);
    expect(frames.every((f) => sctpCrcOk(f.data) && internetChecksum(f.data.subarray(0, 20)) === 0)).toBe(true);
  });

  it('reports an unknown scenario, a missing file and bad options with their codes', () => {
    const unknown = sigwall('inject', 'scenario:nope', '--dry-run');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown scenario "nope"; known: benign, attack, .*\[SIGWALL_ERR_USAGE\]/s);
    const missing = sigwall('inject', join(scratch, 'missing.pcap'), '--dry-run');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/missing\.pcap: cannot read the capture: ENOENT/);
    expect(missing.stderr).toMatch(/\[SIGWALL_ERR_FILE\]/);
    const rate = sigwall('inject', 'demo', '--rate=-5', '--dry-run');
    expect(rate.status).toBe(2);
    expect(rate.stderr).toMatch(/--rate takes a positive number, got "-5"/);
  });
});
