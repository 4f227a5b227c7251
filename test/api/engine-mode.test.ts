// POST /v1/engine/mode through app.inject() with the FakeEngine (it records setTable calls and
// holds the image it was given): an inline appliance switched to monitor runs the observe form
// of the active version (nothing dropped on the demo capture, every drop a shadow hit), switched
// back runs the version's own image byte for byte; policy changes made in monitor keep monitor;
// offline and monitor appliances refuse; every switch is audited; a restart comes back in the
// configured mode.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineModeResponse, ErrorBody, StatusResponse } from '../../src/api/schemas.js';
import { decodeCaptureRecords } from '../../src/dataplane/decoder.js';
import type { MessageRecord } from '../../src/decode/record.js';
import { SigwallError } from '../../src/errors.js';
import { sha256Hex } from '../../src/store/policy-store.js';
import { baselineAsInput, demoCapture, jsonSource, makeHarness, type Harness } from './harness.js';

const inline = {
  mode: 'inline' as const,
  backend: 'afpacket' as const,
  replay: undefined,
  ports: [
    { interface: 'sw-ext0', role: 'external' as const },
    { interface: 'sw-int0', role: 'internal' as const },
  ],
};

const captureBytes = new Uint8Array(readFileSync(demoCapture));

// The demo capture classified with a table image, as the engine's workers would.
function classify(image: Uint8Array): MessageRecord[] {
  const records: MessageRecord[] = [];
  const iterator = decodeCaptureRecords(captureBytes, { table: image, file: 'demo.pcap' });
  for (let step = iterator.next(); !step.done; step = iterator.next()) records.push(step.value);
  return records;
}

const drops = (records: MessageRecord[]) => records.filter((record) => record.verdict?.action === 'drop');

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

async function harness(overrides = {}): Promise<Harness> {
  h = await makeHarness({ overrides });
  return h;
}

const post = (app: Harness['app'], url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });
const setMode = (app: Harness['app'], mode: string, extra: Record<string, unknown> = {}) => post(app, '/v1/engine/mode', { mode, author: 'noc-alice', ...extra });
const status = async (app: Harness['app']) => StatusResponse.parse((await app.inject({ method: 'GET', url: '/v1/status' })).json());

function expectConflict(response: { statusCode: number; json(): unknown }, pattern: RegExp) {
  expect(response.statusCode).toBe(409);
  const body = ErrorBody.strict().parse(response.json());
  expect(body.code).toBe('SIGWALL_ERR_CONFLICT');
  expect(body.message).toMatch(pattern);
  return body;
}

describe('POST /v1/engine/mode on an inline appliance', () => {
  it('monitor swaps in a table that drops nothing and reports every drop as a shadow hit; inline restores the version image byte for byte', async () => {
    const { app, engine, store } = await harness(inline);
    const active = store.active()!;
    const before = await status(app);
    expect(before.operatingMode).toMatchObject({ mode: 'inline', effectiveMode: 'inline', by: 'sigwall (configuration)', via: 'startup' });
    expect(before.policy.engineTableMatches).toBe(true);

    const enforced = classify(active.image);
    const enforcedDrops = drops(enforced);
    expect(enforcedDrops.length).toBeGreaterThan(5); // the demo's attacks

    const response = await setMode(app, 'monitor', { comment: 'cat3 rule misfiring, observing' });
    expect(response.statusCode).toBe(200);
    const body = EngineModeResponse.parse(response.json());
    expect(body.mode).toMatchObject({ mode: 'inline', effectiveMode: 'monitor', by: 'noc-alice', via: 'inject', comment: 'cat3 rule misfiring, observing' });
    expect(engine.setTableCalls).toHaveLength(1);
    expect(engine.setTableCalls[0]).toEqual({ sha256: sha256Hex(engine.image), accepted: true });
    expect(sha256Hex(engine.image)).not.toBe(active.record.sha256);

    const observed = classify(engine.image);
    expect(observed).toHaveLength(enforced.length);
    expect(drops(observed)).toEqual([]);
    // Message by message: where the real table dropped by a rule, that rule is a shadow hit now.
    let ruleDrops = 0;
    for (const [index, record] of enforced.entries()) {
      const verdict = record.verdict;
      if (verdict?.action !== 'drop') continue;
      const observedVerdict = observed[index]!.verdict!;
      if (verdict.rule.endsWith('#malformed') || verdict.rule.endsWith('#default')) {
        expect(observedVerdict).toMatchObject({ action: 'alert', rule: verdict.rule });
      } else {
        ruleDrops++;
        expect(observedVerdict.shadowHits, `frame ${record.frame}`).toContain(verdict.rule);
      }
    }
    expect(ruleDrops).toBeGreaterThan(5);

    const during = await status(app);
    expect(during.operatingMode).toMatchObject({ mode: 'inline', effectiveMode: 'monitor', by: 'noc-alice' });
    expect(during.policy.engineTableMatches).toBe(true); // against the observe form, which is what should run
    expect(during.policy.activeVersion?.id).toBe(active.record.id); // the store keeps the real version

    const back = await setMode(app, 'inline', { author: 'noc-bob' });
    expect(back.statusCode).toBe(200);
    expect(EngineModeResponse.parse(back.json()).mode).toMatchObject({ effectiveMode: 'inline', by: 'noc-bob' });
    expect(Buffer.compare(Buffer.from(engine.image), Buffer.from(active.image))).toBe(0);
    expect(drops(classify(engine.image))).toHaveLength(enforcedDrops.length);
    expect((await status(app)).policy.engineTableMatches).toBe(true);

    const audit = store.auditEntries(10).filter((entry) => entry.action === 'engine-mode');
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ who: 'noc-alice', via: 'inject', from: 'inline', to: 'monitor', version: active.record.id, comment: 'cat3 rule misfiring, observing' });
    expect(audit[1]).toMatchObject({ who: 'noc-bob', via: 'inject', from: 'monitor', to: 'inline', version: active.record.id });
    for (const entry of audit) expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
  });

  it('apply, rollback and list updates made in monitor install the observe form and keep monitor; the store keeps the real versions', async () => {
    const { app, engine, store } = await harness(inline);
    expect((await setMode(app, 'monitor')).statusCode).toBe(200);

    // A stricter candidate: the shadow rules made enforce. Its real table drops more.
    const strict = await baselineAsInput();
    strict.rules = strict.rules.map((rule) => ({ ...rule, mode: 'enforce' }));
    const applied = await post(app, '/v1/policy/apply', { ...jsonSource(strict), author: 'noc-alice', comment: 'enforce everything' });
    expect(applied.statusCode).toBe(200);
    const version = store.active()!;
    expect(version.record.id).toBe('2');
    expect(drops(classify(version.image)).length).toBeGreaterThan(0); // the stored version is the real one
    expect(drops(classify(engine.image))).toEqual([]); // the engine runs its observe form
    let now = await status(app);
    expect(now.operatingMode.effectiveMode).toBe('monitor');
    expect(now.policy.engineTableMatches).toBe(true);

    const listed = await app.inject({ method: 'PATCH', url: '/v1/lists/cat1-bilateral', payload: { add: ['4477009'], author: 'noc-alice' } });
    expect(listed.statusCode).toBe(200);
    expect(store.activeId()).toBe('3');
    expect(drops(classify(engine.image))).toEqual([]);
    expect((await status(app)).policy.engineTableMatches).toBe(true);

    const rolled = await post(app, '/v1/policy/rollback', { to: '1', author: 'noc-alice' });
    expect(rolled.statusCode).toBe(200);
    expect(drops(classify(engine.image))).toEqual([]);
    now = await status(app);
    expect(now.operatingMode.effectiveMode).toBe('monitor');
    expect(now.policy.activeVersion?.id).toBe('1');
    expect(now.policy.engineTableMatches).toBe(true);

    // Back to inline: the rolled-back-to version's own image.
    expect((await setMode(app, 'inline')).statusCode).toBe(200);
    expect(Buffer.compare(Buffer.from(engine.image), Buffer.from(store.read('1').image))).toBe(0);
  });

  it('engineTableMatches compares against the form that should run', async () => {
    const { app, engine, store } = await harness(inline);
    await setMode(app, 'monitor');
    // The engine given the real table behind the API's back: in monitor that is the wrong one.
    await engine.setTable(store.active()!.image);
    expect((await status(app)).policy.engineTableMatches).toBe(false);
  });

  it('refuses a switch to the mode in effect, and leaves everything as it was when the engine refuses the table', async () => {
    const { app, engine, store } = await harness(inline);
    expectConflict(await setMode(app, 'inline'), /already in inline mode/);
    expect(engine.setTableCalls).toEqual([]);

    engine.failSetTable = new SigwallError('SIGWALL_ERR_ENGINE', 'worker 0 did not reach a quiescent point');
    const failed = await setMode(app, 'monitor');
    expect(failed.statusCode).toBe(500);
    expect(ErrorBody.parse(failed.json()).code).toBe('SIGWALL_ERR_ENGINE');
    const after = await status(app);
    expect(after.operatingMode.effectiveMode).toBe('inline');
    expect(after.policy.engineTableMatches).toBe(true);
    expect(store.auditEntries(10).some((entry) => entry.action === 'engine-mode')).toBe(false);

    engine.failSetTable = undefined;
    expect((await setMode(app, 'monitor')).statusCode).toBe(200);
    expectConflict(await setMode(app, 'monitor'), /already in monitor mode \(since .*, set by noc-alice\)/);
  });

  it('one change at a time: an apply while a switch waits for the engine is refused, and the switch completes', async () => {
    const { app, engine, store } = await harness(inline);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inEngine = new Promise<void>((resolve) => (entered = resolve));
    const setTable = engine.setTable.bind(engine);
    engine.setTable = async (image) => {
      entered();
      await gate; // a data plane whose workers have not all passed a quiescent point yet
      return setTable(image);
    };
    const switching = setMode(app, 'monitor');
    await inEngine;
    const apply = await post(app, '/v1/policy/apply', { ...jsonSource(await baselineAsInput()), author: 'noc-bob' });
    expectConflict(apply, /another policy or mode change is in progress/);
    release();
    expect((await switching).statusCode).toBe(200);
    expect(store.activeId()).toBe('1');
    expect(drops(classify(engine.image))).toEqual([]);
  });

  it('validates the body: only inline or monitor, no unknown fields', async () => {
    const { app, engine } = await harness(inline);
    for (const payload of [{ mode: 'offline' }, { mode: 'bypass' }, {}, { mode: 'monitor', force: true }, { mode: 'monitor', author: '' }]) {
      const response = await post(app, '/v1/engine/mode', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(ErrorBody.parse(response.json()).code).toBe('SIGWALL_ERR_BAD_REQUEST');
    }
    expect(engine.setTableCalls).toEqual([]);
  });

  it('is runtime state: the appliance restarted on the same data directory comes back inline with the real table', async () => {
    const first = await harness(inline);
    expect((await setMode(first.app, 'monitor')).statusCode).toBe(200);
    await first.app.close();
    // A restart: a new process opens the same store and builds its engine and API afresh.
    const restarted = await makeHarness({ dir: first.dir, overrides: inline });
    try {
      const after = await status(restarted.app);
      expect(after.operatingMode).toMatchObject({ mode: 'inline', effectiveMode: 'inline', by: 'sigwall (configuration)' });
      expect(after.policy.engineTableMatches).toBe(true);
      expect(drops(classify(restarted.engine.image)).length).toBeGreaterThan(0);
    } finally {
      await restarted.app.close();
    }
  });
});

describe('POST /v1/engine/mode where the backend does not allow it', () => {
  it('an offline (capture replay) appliance refuses: there is no wire', async () => {
    const { app, engine, store } = await harness();
    for (const mode of ['monitor', 'inline']) {
      const body = expectConflict(await setMode(app, mode), /replays a capture \(mode offline\): there is no wire/);
      expect(body.details).toEqual({ configuredMode: 'offline', requested: mode });
    }
    expect(engine.setTableCalls).toEqual([]);
    expect(store.auditEntries(10).some((entry) => entry.action === 'engine-mode')).toBe(false);
    expect((await status(app)).operatingMode).toMatchObject({ mode: 'offline', effectiveMode: 'offline' });
  });

  it('a monitor (SPAN/TAP) appliance refuses: its port cannot forward', async () => {
    const { app, engine } = await harness({ mode: 'monitor', backend: 'afpacket', replay: undefined, ports: [{ interface: 'sw-tap0', role: 'monitor' }] });
    for (const mode of ['inline', 'monitor']) {
      const body = expectConflict(await setMode(app, mode), /configured in monitor mode: its ports receive a SPAN\/TAP copy and cannot forward/);
      expect(body.details).toEqual({ configuredMode: 'monitor', requested: mode });
    }
    expect(engine.setTableCalls).toEqual([]);
  });
});
