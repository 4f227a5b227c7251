// The rig itself, before any appliance sits in the path: A and B on one veth. The usrsctp peer
// brings up a real association and M3UA ASP, carries the generated traffic both ways and
// reports it acknowledged; `sigwall inject` delivers exactly the packets it was given, counts
// what it sends, and ends; and the namespace sweep removes what a crashed run left behind.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRigFile, scenarioRigMessages } from '../../src/inject/rig-messages.js';
import { buildSctpPeer, kAddressA, kAddressB, kPrefix, kRoot, peerReport, readCaptureFrames, requireLive, run, sleep, sweepLeftovers, Topology, waitFor } from './harness.js';

const cli = join(kRoot, 'bin/sigwall.js');

describe.skipIf(!requireLive())('test rig: usrsctp peer and sigwall inject, A and B back to back', () => {
  const topologies: Topology[] = [];
  afterEach(async () => {
    for (const t of topologies.splice(0)) await t.destroyAsync();
  });
  const direct = () => {
    const t = Topology.create({ withB: true, direct: true });
    topologies.push(t);
    return t;
  };

  it('carries M3UA DATA both ways over a real association, every message acknowledged', async () => {
    const t = direct();
    const peer = buildSctpPeer();
    const inbound = scenarioRigMessages({ messages: 300, seed: 3, direction: 'inbound' });
    const outbound = scenarioRigMessages({ messages: 120, seed: 5, direction: 'outbound' });
    writeFileSync(join(t.scratch, 'in.bin'), encodeRigFile(inbound));
    writeFileSync(join(t.scratch, 'out.bin'), encodeRigFile(outbound));
    const server = t.spawn(t.b, peer, ['server', '--local', kAddressB, '--port', '2905', '--input', join(t.scratch, 'out.bin'), '--out', join(t.scratch, 'b.jsonl'), '--timeout', '20000']);
    await waitFor(() => server.stderr.some((l) => l.includes('"listening"')), 10_000, 'the server to listen');
    const client = t.spawn(t.a, peer, ['client', '--local', kAddressA, '--remote', kAddressB, '--port', '2905', '--input', join(t.scratch, 'in.bin'), '--out', join(t.scratch, 'a.jsonl'), '--expect', String(outbound.length), '--timeout', '20000']);
    const [c, s] = await Promise.all([client.exited, server.exited]);
    expect(peerReport(client)).toMatchObject({ role: 'client', end: 'shutdown', aspUp: true, aspActive: true, sent: 300, received: 120, unacked: 0, sendFailures: 0 });
    expect(peerReport(server)).toMatchObject({ role: 'server', end: 'shutdown', aspUp: true, aspActive: true, sent: 120, received: 300 });
    expect([c.code, s.code]).toEqual([0, 0]);
    const atB = readFileSync(join(t.scratch, 'b.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { stream: number; ppid: number; sccp: string; opc: number; dpc: number; si: number; routingContext: number });
    expect(atB.length).toBe(300);
    for (const stream of [1, 2, 3]) {
      const got = atB.filter((m) => m.stream === stream);
      const want = inbound.filter((m) => m.stream === stream);
      expect(got.length).toBeGreaterThan(0);
      expect(got.map((m) => m.sccp)).toEqual(want.map((m) => Buffer.from(m.sccp).toString('hex')));
      expect(got.every((m, i) => m.ppid === 3 && m.si === 3 && m.opc === want[i]!.opc && m.dpc === want[i]!.dpc && m.routingContext === want[i]!.routingContext)).toBe(true);
    }
  });

  it('the peer refuses a bad message file or bad options before touching the network', () => {
    const peer = buildSctpPeer();
    const good = encodeRigFile(scenarioRigMessages({ messages: 4 }));
    const scratch = mkdtempSync(join(tmpdir(), 'sigwall-peer-input-'));
    try {
      const cases: [Uint8Array, RegExp][] = [
        [good.subarray(0, good.length - 3), /record 4 at offset \d+: payload of \d+ bytes runs past the end of the file/],
        [good.subarray(0, 8 + 10), /record 1 at offset 8: truncated header \(10 of 24 bytes\)/],
        [Uint8Array.of(1, 2, 3), /not a sigwall rig message file/],
      ];
      for (const [bytes, message] of cases) {
        writeFileSync(join(scratch, 'bad.bin'), bytes);
        const result = spawnSync(peer, ['client', '--local', kAddressA, '--remote', kAddressB, '--port', '2905', '--input', join(scratch, 'bad.bin')], { encoding: 'utf8' });
        expect(result.status).toBe(1);
        expect(result.stderr).toMatch(message);
      }
      const usage = spawnSync(peer, ['client', '--local', 'nowhere', '--port', '2905'], { encoding: 'utf8' });
      expect(usage.status).toBe(1);
      expect(usage.stderr).toMatch(/--local must be an IPv4 address/);
      expect(spawnSync(peer, ['server', '--local', kAddressB, '--port', '70000'], { encoding: 'utf8' }).stderr).toMatch(/bad option or value: --port 70000/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('the client reports a timeout, not success, when nobody answers', async () => {
    const t = direct();
    const peer = buildSctpPeer();
    // Nothing listens in B: its kernel answers ICMP protocol-unreachable, which usrsctp ignores
    // (RIG.md), so INIT is retried until the deadline.
    const client = t.spawn(t.a, peer, ['client', '--local', kAddressA, '--remote', kAddressB, '--port', '2905', '--timeout', '1500', '--rto-initial', '200', '--rto-max', '400']);
    const exit = await client.exited;
    expect(exit.code).toBe(3);
    expect(peerReport(client)).toMatchObject({ end: 'timeout', aspUp: false, sent: 0 });
  });

  it('sigwall inject sends every packet of a capture once, unchanged but for the addresses', async () => {
    const t = direct();
    expect(t.ping(t.a, kAddressB, 1)).toBe(1);
    const atB = await t.capture(t.b, 'vB', 'inject-b', ['ip', 'proto', '132']);
    const written = join(t.scratch, 'sent.pcap');
    const out = t.exec(t.a, process.execPath, [cli, 'inject', 'demo', '--src', kAddressA, '--dst', kAddressB, '--rate', '5000', '--write', written, '--json']);
    const summary = JSON.parse(out) as { sent: number; failed: number; packets: number; skipped: Record<string, number> };
    expect(summary).toMatchObject({ failed: 0, skipped: { ipv6: 13 } });
    expect(summary.sent).toBe(summary.packets);
    const arrived = readCaptureFrames(await atB.stop());
    const sent = readCaptureFrames(new Uint8Array(readFileSync(written)));
    expect(arrived.length).toBe(sent.length);
    // B sees Ethernet frames; the IP packet inside each is the one inject wrote, byte for byte.
    arrived.forEach((frame, i) => expect(Buffer.from(frame.data.subarray(14)).equals(Buffer.from(sent[i]!.data))).toBe(true));
  });

  it('sigwall inject without CAP_NET_RAW fails with SIGWALL_ERR_ENGINE and the fix', () => {
    // setpriv drops every capability for the child while staying root otherwise.
    const err = run('sh', ['-c', `setpriv --inh-caps=-all --bounding-set=-all '${process.execPath}' '${cli}' inject scenario:roaming-purge-ms --dst 127.0.0.1 2>&1; echo "exit=$?"`], { allowFail: true });
    expect(err).toMatch(/needs CAP_NET_RAW.*setcap cap_net_raw\+ep.*\[SIGWALL_ERR_ENGINE\]/s);
    expect(err).toMatch(/exit=1/);
  });

  it('the sweep deletes the namespaces of a run whose process is gone, and only those', async () => {
    // A namespace named as a dead run would name it (pid 2^22+1 is above the largest pid_max),
    // under a prefix of its own so the sweeps of suites running in parallel leave it to us.
    const prefix = `${kPrefix}sweep${process.pid}`;
    const stale = `${prefix}-4194305-1-a`;
    const alive = `${prefix}-${process.pid}-1-a`;
    run('ip', ['netns', 'add', stale]);
    run('ip', ['netns', 'add', alive]);
    try {
      const mine = direct();
      await sleep(10);
      const swept = sweepLeftovers(prefix);
      const left = run('ip', ['netns', 'list']);
      expect(swept).toEqual([stale]);
      expect(left).not.toContain(stale);
      expect(left).toContain(alive);
      expect(left).toContain(mine.a);
      expect(left).toContain(mine.b);
    } finally {
      run('ip', ['netns', 'del', alive], { allowFail: true });
      run('ip', ['netns', 'del', stale], { allowFail: true });
    }
  });
});
