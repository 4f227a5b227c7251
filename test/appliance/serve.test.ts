// The README's main job, as a new user runs it: `npm start` is `node bin/sigwall.js serve
// --config firmware-config/appliance/demo.yaml`. Here the same command on a copy of demo.yaml
// whose data directory is a temporary one (so the test never touches the repository's
// .sigwall-demo): it starts, prints where the API is, the API answers on the unix socket, the
// summary shows the demo's attacks blocked, and SIGINT stops it with exit code 0 and the socket
// removed. Needs dist/ (npm run build:ts) like every CLI test.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { EngineCounters, EngineEvent } from '../../src/engine/contract.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'bin', 'sigwall.js');
const demoConfig = join(root, 'firmware-config', 'appliance', 'demo.yaml');
const scratch = mkdtempSync(join(tmpdir(), 'sigwall-serve-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

// demo.yaml as shipped, with its relative paths made absolute and the data directory moved.
function demoCopy(name: string, edit: (doc: ReturnType<typeof parseDocument>) => void = () => {}): { file: string; dataDir: string } {
  const doc = parseDocument(readFileSync(demoConfig, 'utf8'));
  const base = dirname(demoConfig);
  doc.setIn(['replay', 'capture'], resolve(base, String(doc.getIn(['replay', 'capture']))));
  doc.setIn(['policy'], resolve(base, String(doc.getIn(['policy']))));
  const dataDir = join(scratch, name, 'data');
  doc.setIn(['dataDir'], dataDir);
  edit(doc);
  const file = join(scratch, name, 'demo.yaml');
  rmSync(dirname(file), { recursive: true, force: true });
  spawnSync('mkdir', ['-p', dirname(file)]);
  writeFileSync(file, doc.toString());
  return { file, dataDir };
}

class Serve {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(config: string, ...extra: string[]) {
    this.child = spawn(process.execPath, [cli, 'serve', '--config', config, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(this.child);
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.stdout);
      if (match) return match;
      if (this.child.exitCode !== null) throw new Error(`serve exited (${this.child.exitCode}) before ${pattern}:\n${this.stdout}\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

// A server-sent events reader on the unix socket: every `engine-event` received until closed.
function sseStream(socketPath: string, path: string, headers: Record<string, string>): { events: EngineEvent[]; lost: number; close(): void; opened: Promise<void> } {
  const state = { events: [] as EngineEvent[], lost: 0, close: () => undefined as void, opened: Promise.resolve() };
  let buffer = '';
  state.opened = new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', headers }, (res) => {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      resolve();
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((line) => !line.startsWith(':')).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()]));
          if (fields.event === 'engine-event') state.events.push(EngineEvent.parse(JSON.parse(fields.data!)));
          if (fields.event === 'lost') state.lost += (JSON.parse(fields.data!) as { lost: number }).lost;
        }
      });
    });
    req.on('error', reject);
    state.close = () => req.destroy();
    req.end();
  });
  return state;
}

function get(socketPath: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('sigwall serve (npm start)', () => {
  it('package.json start runs serve on the demo configuration', () => {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe('node bin/sigwall.js serve --config firmware-config/appliance/demo.yaml');
  });

  it('serves the API on its socket, shows the demo attacks blocked, and stops cleanly on SIGINT', async () => {
    const { file, dataDir } = demoCopy('main');
    const serve = new Serve(file, '--summary-interval', '0.5');
    const [, socket] = await serve.waitFor(/control API on unix socket (\S+): (?:sigwall|node bin\/sigwall\.js) ctl --socket \1 status/);
    expect(socket).toBe(join(dataDir, 'sigwall.sock'));
    expect(statSync(socket!).mode & 0o777).toBe(0o600);

    // The live stream, resumed from an id the appliance never issued: every retained blocked
    // event first (nothing is missed however late the client connects), then the live ones.
    const stream = sseStream(socket!, '/v1/events/stream?kind=blocked', { 'last-event-id': 'before-start' });
    await stream.opened;

    const health = await get(socket!, '/v1/health');
    expect(health.status).toBe(200);
    const status = JSON.parse((await get(socket!, '/v1/status')).body) as { engine?: { state: string; mode: string } };
    expect(JSON.stringify(status)).toMatch(/"state":"running"/);

    // The demo spans ~3 s at its own pace: its ATI/PSL (category 1) and home-network (category 2)
    // attacks show up as blocked in the periodic summary.
    await serve.waitFor(/\[running\] messages \d+ .*blocked (\d+) \(cat1 [1-9]\d*, cat2 [1-9]\d*, cat3 \d+.*top rules: .*fs11-baseline#cat1-map \d+/);

    // `sigwall ctl` (the README's next step) against the same socket.
    const ctl = spawnSync(process.execPath, [cli, 'ctl', '--socket', socket!, 'status'], { encoding: 'utf8' });
    expect(ctl.status).toBe(0);
    expect(ctl.stdout).toMatch(/running/);

    const counters = EngineCounters.parse(JSON.parse((await get(socket!, '/v1/counters')).body));
    expect(counters.verdicts.drop).toBeGreaterThan(0);
    const metrics = await get(socket!, '/v1/metrics');
    expect(metrics.body).toMatch(/^sigwall_rule_hits_total\{rule="fs11-baseline#cat1-map",category="1",action="drop",mode="enforce"\} [1-9]/m);
    const events = JSON.parse((await get(socket!, '/v1/events?kind=blocked&limit=500')).body) as { events: EngineEvent[] };
    expect(events.events.length).toBeGreaterThan(0);
    // Masked subscriber ids (demo.yaml: subscriberIds mask) on the API too.
    for (const event of events.events) if (event.imsi) expect(event.imsi).toMatch(/^\d{5}\*+\d{2}$/);

    // The stream has kept up with the summary so far; it ends when the appliance stops.
    await serve.waitFor(/\[running\] messages \d+/);
    const streamedBeforeStop = stream.events.length;
    expect(streamedBeforeStop).toBeGreaterThan(0);
    serve.child.kill('SIGINT');
    const exit = await serve.exited;
    stream.close();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(serve.stdout).toMatch(/sigwall: stopping \(SIGINT\)/);
    expect(serve.stdout).toMatch(/sigwall: final: \[stopped\] messages \d+/);
    expect(serve.stdout).toMatch(/sigwall: stopped\n$/);
    expect(serve.stderr).toBe('');
    expect(existsSync(socket!)).toBe(false);

    // What it left: the policy version, the audit log, the event files (flushed at the stop).
    const files = readdirSync(join(dataDir, 'events'));
    const jsonl = files.filter((name) => name.endsWith('.jsonl'));
    const lines = jsonl.flatMap((name) => readFileSync(join(dataDir, 'events', name), 'utf8').trim().split('\n'));
    const blocked = lines.map((l) => EngineEvent.parse(JSON.parse(l))).filter((e) => e.kind === 'blocked');
    expect(blocked.length).toBe(Number(/final: .*blocked (\d+)/.exec(serve.stdout)![1]));
    // Every blocked message once in the file, once in the stream, the same events in the same order
    // (the stream may miss only what was published after it was torn down at the stop).
    expect(new Set(blocked.map((e) => e.id)).size).toBe(blocked.length);
    expect(stream.lost).toBe(0);
    expect(stream.events.map((e) => e.id)).toEqual(blocked.slice(0, stream.events.length).map((e) => e.id));
    expect(stream.events.length).toBeGreaterThanOrEqual(streamedBeforeStop);
    expect(files.some((name) => name.endsWith('.pcapng'))).toBe(true);
    expect(existsSync(join(dataDir, 'audit.jsonl'))).toBe(true);
  });

  it('stops on SIGTERM and SIGHUP too, and a restart keeps the policy version', async () => {
    const { file } = demoCopy('restart');
    const first = new Serve(file);
    await first.waitFor(/policy version 1 /);
    await first.waitFor(/Ctrl-C or SIGTERM stops the appliance/);
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    const second = new Serve(file);
    await second.waitFor(/policy version 1 .*imported from/);
    await second.waitFor(/Ctrl-C or SIGTERM stops the appliance/);
    expect(second.stdout).not.toMatch(/imported .* as policy version/);
    // The terminal of a foreground `npm start` closing (SIGHUP) stops it cleanly as well.
    second.child.kill('SIGHUP');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.stdout).toMatch(/stopping \(SIGHUP\)/);
  });

  it('refuses a second instance on the same socket, and a live configuration the machine is not ready for (preflight)', async () => {
    const { file } = demoCopy('twice');
    const first = new Serve(file);
    await first.waitFor(/Ctrl-C or SIGTERM stops the appliance/);
    const second = spawnSync(process.execPath, [cli, 'serve', '--config', file], { encoding: 'utf8', timeout: 30_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/another sigwall instance answers on it.*\[SIGWALL_ERR_CONFLICT\]/);
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);

    const monitor = demoCopy('monitor', (doc) => {
      doc.set('mode', 'monitor');
      doc.set('backend', 'afpacket');
      doc.delete('replay');
      doc.set('ports', [{ interface: 'eth9', role: 'monitor' }]);
    });
    const refused = spawnSync(process.execPath, [cli, 'serve', '--config', monitor.file], { encoding: 'utf8', timeout: 30_000 });
    // serve takes monitor/inline configurations (the native engine, as `run`), after the same
    // preflight: here it names the missing interface and the fix before anything starts.
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/ports\[0\]\.interface: interface eth9 does not exist on this machine/);
    expect(refused.stderr).toMatch(/fix: name an existing interface[\s\S]*\[SIGWALL_ERR_CONFIG\]/);
    expect(refused.stdout).not.toMatch(/control API on unix socket/);

    const usage = spawnSync(process.execPath, [cli, 'serve'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/serve needs --config/);
  });
});
