// `sigwall run` on real interfaces: a network namespace of its own with a veth pair, sigwall
// running inside it (ip netns exec) in monitor mode on one end while the demo capture's frames
// are sent into the other; after SIGINT the JSON summary counts exactly what
// `sigwall replay --policy` finds in the capture. And preflight on that machine: an inline port
// with GRO on is refused with the ethtool line that fixes it. Needs root (namespaces, AF_PACKET)
// and python3 (to send the frames); the namespace is deleted afterwards.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import baseline from '../../firmware-config/policies/fs11-baseline.js';
import { decodeCapture } from '../../src/dataplane/decoder.js';
import { EngineCounters } from '../../src/engine/contract.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { withRuleIds } from '../../src/policy/evaluate.js';
import { Policy } from '../../src/policy/schema.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'bin', 'sigwall.js');
const demo = join(root, 'firmware-config', 'demo', 'demo.pcap');
const baselinePath = join(root, 'firmware-config', 'policies', 'fs11-baseline.ts');
const namespace = `sgwrun${process.pid}`;
const hasTool = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const canRun = process.getuid?.() === 0 && hasTool('ip') && hasTool('python3') && hasTool('ethtool');
const scratch = mkdtempSync(join(tmpdir(), 'sigwall-run-live-'));

// Sends every frame of a classic pcap on an interface (AF_PACKET), one send per frame.
const sender = `
import socket, struct, sys
data = open(sys.argv[2], 'rb').read()
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
offset, frames = 24, 0
while offset + 16 <= len(data):
    length = struct.unpack_from('<I', data, offset + 8)[0]
    offset += 16
    s.send(data[offset:offset + length])
    offset += length
    frames += 1
print(frames)
`;

function inNamespace(...args: string[]) {
  execFileSync('ip', ['netns', 'exec', namespace, ...args], { stdio: 'pipe' });
}

function writeConfig(name: string, lines: string[]): string {
  const file = join(scratch, name);
  writeFileSync(file, [...lines, `policy: ${baselinePath}`, `dataDir: ${join(scratch, 'data')}`, ''].join('\n'));
  return file;
}

describe.runIf(canRun)('sigwall run on interfaces in a network namespace', () => {
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', namespace]);
    // Two pairs: A <-> M (monitor), X <-> Y (a second port for the inline preflight case).
    execFileSync('ip', ['-n', namespace, 'link', 'add', 'sgA', 'type', 'veth', 'peer', 'name', 'sgM']);
    execFileSync('ip', ['-n', namespace, 'link', 'add', 'sgX', 'type', 'veth', 'peer', 'name', 'sgY']);
    for (const link of ['lo', 'sgA', 'sgM', 'sgX', 'sgY']) execFileSync('ip', ['-n', namespace, 'link', 'set', link, 'up']);
    inNamespace('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1'); // a quiet link: only the frames we send
    writeFileSync(join(scratch, 'send.py'), sender);
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', namespace]);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('monitor mode with afpacket counts exactly the messages of the frames sent to the port', async () => {
    const reference = decodeCapture(readFileSync(demo), { table: compilePolicy(withRuleIds(Policy.parse(baseline))).image }).records;
    const file = writeConfig('monitor.yaml', ['mode: monitor', 'backend: afpacket', 'ports:', '  - interface: sgM', '    role: monitor']);
    const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, cli, 'run', '--config', file, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      // The engine is up once the policy is compiled and the ring is bound: wait for its socket.
      const deadline = Date.now() + 30_000;
      const packetSockets = () => execFileSync('ip', ['netns', 'exec', namespace, 'cat', '/proc/net/packet'], { encoding: 'utf8' }).split('\n').slice(1).filter((line) => line.trim() !== '').length;
      while (packetSockets() === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(packetSockets(), stderr).toBeGreaterThan(0);
      const sent = execFileSync('ip', ['netns', 'exec', namespace, 'python3', join(scratch, 'send.py'), 'sgA', demo], { encoding: 'utf8' });
      expect(Number(sent.trim())).toBe(475);
      // TPACKET_V3 hands a block over when it is full or its timer fires: give it time.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited, stderr).toBe(0);
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { status: { state: string; mode: string; backend: string }; counters: unknown; eventsDrained: number };
    expect(summary.status).toMatchObject({ state: 'stopped', mode: 'monitor', backend: 'afpacket' });
    const counters = EngineCounters.parse(summary.counters);
    expect(counters.packets).toBe(475);
    expect(counters.messages).toBe(reference.length);
    expect(counters.verdicts.drop).toBe(reference.filter((r) => r.verdict!.action === 'drop').length);
    expect(counters.forwardedPackets).toBe(0);
    expect(counters.ringDrops).toBe(0);
    expect(summary.eventsDrained).toBe(reference.filter((r) => r.verdict!.action !== 'allow' || r.verdict!.shadowHits.length > 0 || r.status === 'malformed').length);
  });

  it('refuses an inline port with GRO on, naming the ethtool command that fixes it', () => {
    inNamespace('ethtool', '-K', 'sgY', 'gro', 'on');
    try {
      const file = writeConfig('inline.yaml', ['mode: inline', 'backend: afpacket', 'ports:', '  - interface: sgM', '    role: external', '  - interface: sgY', '    role: internal']);
      const run = spawnSync('ip', ['netns', 'exec', namespace, process.execPath, cli, 'run', '--config', file], { encoding: 'utf8', timeout: 60_000 });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${file}: ports[1].interface: generic-receive-offload is on for inline port sgY`);
      expect(run.stderr).toContain('fix: `ethtool -K sgY gro off`');
      expect(run.stderr).not.toContain('ports[0]');
      expect(run.stderr).toMatch(/\[SIGWALL_ERR_CONFIG\]/);
    } finally {
      inNamespace('ethtool', '-K', 'sgY', 'gro', 'off');
    }
  });
});
