// `sigwall ctl engine mode` and the mode line of `sigwall ctl status`, against a real API on a
// temporary unix socket: an inline appliance switched to monitor and back, an offline one that
// refuses, usage errors.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { listenApi, type ApiListener } from '../../src/api/server.js';
import { ctl } from '../../src/cli/ctl.js';
import { sha256Hex } from '../../src/store/policy-store.js';
import { makeHarness, type Harness } from './harness.js';

const inline = {
  mode: 'inline' as const,
  backend: 'afpacket' as const,
  replay: undefined,
  ports: [
    { interface: 'sw-ext0', role: 'external' as const },
    { interface: 'sw-int0', role: 'internal' as const },
  ],
};

let h: Harness | undefined;
let listener: ApiListener | undefined;
afterEach(async () => {
  await listener?.close();
  await h?.cleanup();
  listener = undefined;
  h = undefined;
});

async function serve(overrides = {}): Promise<Harness> {
  h = await makeHarness({ overrides });
  listener = await listenApi(h.app, h.config.api);
  return h;
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (chunk: Buffer) => (outText += chunk.toString()));
  err.on('data', (chunk: Buffer) => (errText += chunk.toString()));
  const code = await ctl(['--socket', listener!.socket, ...argv], { out, err, env: {} });
  return { code, out: outText, err: errText };
}

describe('sigwall ctl engine mode', () => {
  it('switches an inline appliance to monitor and back; status shows the effective mode', async () => {
    const { engine, store } = await serve(inline);
    expect((await run('status')).out).toMatch(/^mode\s+inline \(configured\)$/m);

    const observe = await run('engine', 'mode', 'monitor', '--author', 'noc-alice', '--comment', 'rule misfiring');
    expect(observe.err).toBe('');
    expect(observe.code).toBe(0);
    expect(observe.out).toMatch(/^mode MONITOR \(observe: every packet forwarded, would-be drops reported as shadow hits\) since \S+ by noc-alice: rule misfiring; configured inline/);
    expect(sha256Hex(engine.image)).not.toBe(store.active()!.record.sha256);

    const status = await run('status');
    expect(status.out).toMatch(/^mode\s+MONITOR \(observe: .* by noc-alice: rule misfiring; configured inline \(a restart returns to it; sigwall ctl engine mode inline\)$/m);
    expect(status.out).not.toContain('NOT the active');
    const json = JSON.parse((await run('--json', 'status')).out);
    expect(json.operatingMode).toMatchObject({ mode: 'inline', effectiveMode: 'monitor', by: 'noc-alice', via: 'unix' });
    expect(json.policy.engineTableMatches).toBe(true);

    const again = await run('engine', 'mode', 'monitor');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already in monitor mode .*\[SIGWALL_ERR_CONFLICT\]/);

    const back = await run('--json', 'engine', 'mode', 'inline', '--author', 'noc-bob');
    expect(back.code).toBe(0);
    expect(JSON.parse(back.out).mode).toMatchObject({ effectiveMode: 'inline', by: 'noc-bob', via: 'unix' });
    expect(sha256Hex(engine.image)).toBe(store.active()!.record.sha256);
    expect((await run('status')).out).toMatch(/^mode\s+inline \(configured\)$/m);

    const audit = store.auditEntries(10).filter((entry) => entry.action === 'engine-mode');
    expect(audit.map((entry) => [entry.who, entry.via, entry.from, entry.to])).toEqual([
      ['noc-alice', 'unix', 'inline', 'monitor'],
      ['noc-bob', 'unix', 'monitor', 'inline'],
    ]);
  });

  it('an offline appliance refuses with the reason; a wrong mode or missing argument is a usage error', async () => {
    const { engine } = await serve();
    const refused = await run('engine', 'mode', 'monitor');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/replays a capture \(mode offline\): there is no wire.*\[SIGWALL_ERR_CONFLICT\]/);
    expect(engine.setTableCalls).toEqual([]);
    expect((await run('status')).out).toMatch(/^mode\s+offline \(configured\)$/m);

    for (const argv of [['engine', 'mode'], ['engine', 'mode', 'bypass'], ['engine', 'mode', 'inline', 'monitor']]) {
      const usage = await run(...argv);
      expect(usage.code, argv.join(' ')).toBe(2);
      expect(usage.err).toContain('engine mode inline|monitor');
    }
  });
});
