// `sigwall run --config` as an operator runs it: the built CLI in a subprocess (as an
// unprivileged user when the tests run as root: an offline configuration needs no privilege),
// the demo capture replayed through the real engine to its end, a looping replay stopped by
// SIGINT, a machine that is not ready refused with every fix; and, in-process, the second
// signal that forces the exit.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter, PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import baseline from '../../firmware-config/policies/fs11-baseline.js';
import { runCommand } from '../../src/cli/run.js';
import { decodeCapture } from '../../src/dataplane/decoder.js';
import { EngineCounters, EngineEvent, EngineStatus } from '../../src/engine/contract.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { withRuleIds } from '../../src/policy/evaluate.js';
import { Policy } from '../../src/policy/schema.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'bin', 'sigwall.js');
const demo = join(root, 'firmware-config', 'demo', 'demo.pcap');
const baselinePath = join(root, 'firmware-config', 'policies', 'fs11-baseline.ts');
const scratch = mkdtempSync(join(tmpdir(), 'sigwall-run-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const reference = decodeCapture(readFileSync(demo), { table: compilePolicy(withRuleIds(Policy.parse(baseline))).image }).records;
const unprivileged = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function writeConfig(name: string, lines: string[]): string {
  const dataDir = mkdtempSync(join(scratch, 'data-'));
  chmodSync(dataDir, 0o777);
  const file = join(scratch, name);
  writeFileSync(file, [...lines, `policy: ${baselinePath}`, `dataDir: ${dataDir}`, ''].join('\n'));
  chmodSync(file, 0o644);
  return file;
}

const offline = (loop: boolean, pace = 'fast') => ['mode: offline', 'backend: pcap', 'replay:', `  capture: ${demo}`, `  pace: ${pace}`, ...(pace === 'rate' ? ['  rate: 500'] : []), `  loop: ${loop}`];

function sigwall(args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000, ...unprivileged });
}

describe('sigwall run', () => {
  it('replays an offline configuration to its end without privileges and prints the summary', () => {
    const file = writeConfig('offline.yaml', offline(false));
    const run = sigwall(['run', '--config', file]);
    expect(run.stderr).not.toMatch(/SIGWALL_ERR/);
    expect(run.status).toBe(0);
    const drops = reference.filter((r) => r.verdict!.action === 'drop').length;
    expect(run.stdout).toMatch(/^sigwall: offline pcap, 1 worker, finished after /);
    expect(run.stdout).toContain(`messages ${reference.length.toLocaleString('en-US')}`);
    expect(run.stdout).toMatch(new RegExp(`verdicts: allow \\d+, drop ${drops}, alert \\d+`));
    expect(run.stdout).toMatch(/decisions per rule\n\s+\d+\s+fs11-baseline#/);
  });

  it('--json prints the final status and counters as one JSON document; --events adds each event as a JSON line', () => {
    const file = writeConfig('offline-json.yaml', offline(false));
    const run = sigwall(['run', '--config', file, '--json', '--events']);
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const summary = lines.at(-1)!;
    const events = lines.slice(0, -1).map((line) => EngineEvent.parse(line));
    EngineStatus.parse(summary.status);
    const counters = EngineCounters.parse(summary.counters);
    expect(counters.messages).toBe(reference.length);
    expect(events.filter((event) => event.kind === 'blocked').length).toBe(reference.filter((r) => r.verdict!.action === 'drop' && !r.verdict!.rule.endsWith('#malformed')).length);
    expect(summary.eventsDrained).toBe(events.length);
  });

  it('stops a looping replay on SIGINT with a summary and exit code 0', async () => {
    const file = writeConfig('loop.yaml', offline(true, 'rate'));
    const child = spawn(process.execPath, [cli, 'run', '--config', file], { ...unprivileged });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const running = new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('running')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await running;
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/^sigwall: offline pcap, 1 worker, stopped after /);
    expect(stdout).toMatch(/packets [1-9]/);
  });

  it('runs the shipped demo configuration until SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, 'run', '--config', join(root, 'firmware-config', 'appliance', 'demo.yaml')]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const running = new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('running')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await running;
    expect(stderr).toBe('sigwall: sigwall-demo running (offline, pcap); stop with Ctrl-C\n');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/^sigwall-demo: offline pcap, 1 worker, stopped after /);
    expect(stdout).toMatch(/policy fs11-baseline \(\d+ rules, table generation 1/);
    expect(stdout).toMatch(/verdicts: allow [1-9][\d,]*, drop [1-9]/);
  });

  it('refuses a machine that is not ready with every problem and its fix, exit code 1', () => {
    const file = writeConfig('monitor.yaml', ['mode: monitor', 'backend: afpacket', 'ports:', '  - interface: sgwnone0', '    role: monitor', '  - interface: sgwnone1', '    role: monitor', 'cpus: [4096]']);
    const run = sigwall(['run', '--config', file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/\[SIGWALL_ERR_CONFIG\]/);
    expect(run.stderr).toContain(`${file}: ports[0].interface: interface sgwnone0 does not exist`);
    expect(run.stderr).toContain(`${file}: ports[1].interface: interface sgwnone1 does not exist`);
    expect(run.stderr).toContain(`${file}: cpus[0]: CPU 4096 is not online`);
    expect(run.stderr).toMatch(/fix: /);
    if (process.getuid?.() === 0) expect(run.stderr).toContain('backend afpacket needs CAP_NET_RAW');
  });

  it('reports usage errors with exit code 2', () => {
    expect(sigwall(['run']).status).toBe(2);
    expect(sigwall(['run', '--config']).status).toBe(2);
  });

  it('forces the exit on a second signal', async () => {
    const file = writeConfig('force.yaml', offline(true, 'rate'));
    const signals = new EventEmitter();
    const out = new PassThrough();
    const err = new PassThrough();
    let errText = '';
    err.on('data', (chunk: Buffer) => (errText += chunk.toString()));
    const forced: number[] = [];
    const done = runCommand(file, { json: false, events: false, out, err, signals, forceExit: (code) => forced.push(code) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    signals.emit('SIGINT');
    signals.emit('SIGTERM');
    expect(await done).toBe(0);
    expect(forced).toEqual([130]);
    expect(errText).toMatch(/SIGTERM again: exiting without waiting for the workers/);
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
  });
});
