// `sigwall ctl` against a real API on a temporary unix socket (and TCP with a token).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listenApi, type ApiListener } from '../../src/api/server.js';
import { ctl } from '../../src/cli/ctl.js';
import type { EngineEvent } from '../../src/engine/contract.js';
import { baselineAsInput, baselinePolicy, demoCapture, jsonSource, makeHarness, type Harness } from './harness.js';

let h: Harness;
let listener: ApiListener;
beforeEach(async () => {
  h = await makeHarness();
  listener = await listenApi(h.app, h.config.api);
});
afterEach(async () => {
  await listener.close();
  await h.cleanup();
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return runWith({}, ...argv);
}

async function runWith(options: { signal?: AbortSignal; env?: NodeJS.ProcessEnv }, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (chunk: Buffer) => (outText += chunk.toString()));
  err.on('data', (chunk: Buffer) => (errText += chunk.toString()));
  const code = await ctl(['--socket', listener.socket, ...argv], { out, err, env: options.env ?? {}, ...(options.signal ? { signal: options.signal } : {}) });
  return { code, out: outText, err: errText };
}

// Waits (up to 10 s) until the hub has `count` live subscribers.
async function subscribers(count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (h.events.stats().subscribers !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} subscribers, have ${h.events.stats().subscribers}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function writePolicy(name: string, policy: unknown): Promise<string> {
  const file = join(h.dir, name);
  writeFileSync(file, jsonSource(policy).source);
  return file;
}

async function lax(): Promise<string> {
  const policy = await baselineAsInput();
  policy.rules = policy.rules.filter((rule) => rule.name !== 'cat1-map');
  return writePolicy('lax.json', policy);
}

describe('sigwall ctl', () => {
  it('status and stats: readable tables, or the API JSON with --json', async () => {
    const status = await run('status');
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/^engine\s+running \(offline, pcap, 1 worker\)$/m);
    expect(status.out).toMatch(/^policy\s+version 1: fs11-baseline, \d+ rules, config by /m);
    expect(status.out).toContain('is unchanged since it was imported as version 1');
    const json = await run('--json', 'status');
    expect(JSON.parse(json.out).policy.activeVersion.id).toBe('1');

    const stats = await run('stats');
    expect(stats.code).toBe(0);
    expect(stats.out).toMatch(/^dropped\s+[1-9][\d,]*$/m);
    expect(stats.out).toMatch(/^fs11-baseline#cat1-map\s+[1-9]\d*\s+\d+$/m);
  });

  it('policy validate: 0 for a valid policy (TS with relative imports, by path), 1 with every issue for an invalid one', async () => {
    const valid = await run('policy', 'validate', baselinePolicy);
    expect(valid.err).toBe('');
    expect(valid.code).toBe(0);
    expect(valid.out).toMatch(/^ok: fs11-baseline: \d+ rules/);

    const broken = join(h.dir, 'broken.yaml');
    writeFileSync(broken, 'name: broken\nnetworks:\n  home: {}\nrules:\n  - name: a\n    action: maybe\n    match: { map.opcode: [1] }\n');
    const invalid = await run('policy', 'validate', broken);
    expect(invalid.code).toBe(1);
    expect(invalid.out).toContain('broken.yaml:6:5: rule a: rules[0].action:');
  });

  it('policy compile, dry-run (path and upload), apply, history, show, diff, rollback', async () => {
    const file = await lax();
    const compiled = await run('policy', 'compile', file);
    expect(compiled.code).toBe(0);
    expect(compiled.out).toMatch(/^image\s+[\d,]+ bytes/m);

    for (const args of [['--capture', demoCapture], ['--capture', demoCapture, '--upload']]) {
      const dry = await run('policy', 'dry-run', file, ...args);
      expect(dry.code).toBe(0);
      expect(dry.out).toMatch(/^newly blocked\s+0$/m);
      expect(dry.out).toMatch(/^newly passed\s+[1-9]/m);
      expect(dry.out).toMatch(/^fs11-baseline#cat1-map\s+[1-9]\d*\s+[\d,]+/m);
    }

    const applied = await run('policy', 'apply', file, '--comment', 'trial', '--author', 'carol');
    expect(applied.code).toBe(0);
    expect(applied.out).toContain('version 2 active (parent 1)');
    expect(applied.out).toMatch(/^-\s+fs11-baseline#cat1-map\s+removed$/m);

    const history = await run('policy', 'history');
    expect(history.out).toMatch(/^\s1\s.*config/m);
    expect(history.out).toMatch(/^\*2\s.*apply\s+carol\s+fs11-baseline\s+\d+\s+\+0 -1 ~0\s+trial$/m);

    const shown = await run('policy', 'show', '2');
    expect(shown.out).toContain('# version 2 (active): lax.json by carol');

    const diff = await run('policy', 'diff', '1', '2');
    expect(diff.out).toContain('version 1 -> 2');
    expect(diff.out).toMatch(/^-\s+fs11-baseline#cat1-map\s+removed$/m);

    const rollback = await run('policy', 'rollback', '--comment', 'revert');
    expect(rollback.code).toBe(0);
    expect(rollback.out).toContain('rolled back from version 2 to 1');
    expect(rollback.out).toMatch(/^\+\s+fs11-baseline#cat1-map\s+added at position/m);
    expect(h.store.activeId()).toBe('1');
  });

  it('lists: show, set from a file, add, remove', async () => {
    expect((await run('lists')).out).toMatch(/^cat1-bilateral\s+gt\s+0$/m);
    const file = join(h.dir, 'partners.txt');
    writeFileSync(file, '# bilateral agreements\n4917\n3312 # partner c\n\n');
    const set = await run('lists', 'set', 'cat1-bilateral', file);
    expect(set.code).toBe(0);
    expect(set.out).toMatch(/^~\s+list cat1-bilateral\s+changed: \+2 -0 prefixes$/m);
    expect((await run('lists', 'add', 'cat1-bilateral', '55')).out).toContain('version 3 active');
    expect((await run('lists', 'remove', 'cat1-bilateral', '4917')).out).toContain('version 4 active');
    expect((await run('lists')).out).toMatch(/^cat1-bilateral\s+gt\s+2\s+3312 55$/m);
  });

  it('events tail, and tail --follow over the SSE stream', async () => {
    const event = (id: string): EngineEvent => ({
      id,
      time: '2026-01-01T00:00:00.000Z',
      timestampNs: '1767225600000000000',
      kind: 'blocked',
      action: 'drop',
      worker: 0,
      ruleId: 'fs11-baseline#cat1-map',
      category: '1',
      shadowRuleIds: [],
      tableGeneration: 1,
      frame: 12,
      operations: [{ opcode: 71, name: 'anyTimeInterrogation' }],
      anomalies: [],
      sccp: { callingDigits: '33612345678', calledDigits: '447700900010' },
    });
    expect((await run('events', 'tail')).out).toBe('no events\n');
    h.events.publish([event('0-1')]);
    const tail = await run('events', 'tail');
    expect(tail.out).toMatch(/blocked\s+fs11-baseline#cat1-map\s+frame 12\s+33612345678 -> 447700900010\s+anyTimeInterrogation/);

    const following = run('events', 'tail', '--follow', '--limit', '2', '--json');
    await subscribers(1);
    h.events.publish([event('0-2'), event('0-3'), event('0-4')]);
    const followed = await following;
    expect(followed.code).toBe(0);
    expect(followed.out.trim().split('\n').map((line) => JSON.parse(line).id)).toEqual(['0-2', '0-3']);

    // Ctrl-C (the abort signal) ends an unbounded follow cleanly.
    const controller = new AbortController();
    await subscribers(0); // the bounded reader has gone
    const unbounded = runWith({ signal: controller.signal }, 'events', 'tail', '-f');
    await subscribers(1);
    controller.abort();
    expect((await unbounded).code).toBe(0);
  });

  it('engine stop/start', async () => {
    expect((await run('engine', 'stop')).out).toBe('engine stopped\n');
    const again = await run('engine', 'stop');
    expect(again.code).toBe(1);
    expect(again.err).toContain('[SIGWALL_ERR_CONFLICT]');
    expect((await run('engine', 'start')).out).toBe('engine running\n');
  });

  it('exit codes: 1 for an API error, 2 for usage, 3 when the API cannot be reached', async () => {
    const refused = await run('policy', 'rollback');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/has no previous version to roll back to \[SIGWALL_ERR_CONFLICT\]/);
    const invalidApply = await run('policy', 'apply', await writePolicy('bad.json', { name: 'x' }));
    expect(invalidApply.code).toBe(1);
    expect(invalidApply.err).toContain('[SIGWALL_ERR_POLICY]');
    expect((await run('policy', 'frobnicate')).code).toBe(2);
    expect((await run('policy', 'validate')).code).toBe(2);
    expect((await run('--bogus-option', 'status')).code).toBe(2);
    expect((await run()).code).toBe(2);
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: sigwall ctl');
    const out = new PassThrough();
    const err = new PassThrough();
    let errText = '';
    err.on('data', (chunk: Buffer) => (errText += chunk.toString()));
    expect(await ctl(['--socket', join(h.dir, 'nothing.sock'), 'status'], { out, err, env: {} })).toBe(3);
    expect(errText).toContain('cannot reach the API');
  });

  it('--url with --token-file over TCP; without the token file it is a usage error', async () => {
    await listener.close();
    await h.cleanup();
    h = await makeHarness();
    const tokenFile = join(h.dir, 'token');
    writeFileSync(tokenFile, 'a-long-enough-secret-token-123\n', { mode: 0o600 });
    listener = await listenApi(h.app, { ...h.config.api, tcp: { host: '127.0.0.1', port: 0, tokenFile } });
    const url = `http://127.0.0.1:${listener.tcp!.port}`;
    const out = new PassThrough();
    let outText = '';
    out.on('data', (chunk: Buffer) => (outText += chunk.toString()));
    expect(await ctl(['--url', url, '--token-file', tokenFile, 'status'], { out, err: new PassThrough(), env: {} })).toBe(0);
    expect(outText).toContain('version 1');
    expect(await ctl(['--url', url, 'status'], { out: new PassThrough(), err: new PassThrough(), env: {} })).toBe(2);
    const wrong = join(h.dir, 'wrong-token');
    writeFileSync(wrong, 'not-the-right-token-at-all\n', { mode: 0o600 });
    const err = new PassThrough();
    let errText = '';
    err.on('data', (chunk: Buffer) => (errText += chunk.toString()));
    expect(await ctl(['--url', url, '--token-file', wrong, 'status'], { out: new PassThrough(), err, env: {} })).toBe(1);
    expect(errText).toContain('[SIGWALL_ERR_UNAUTHORIZED]');
  });
});
