// The API driving the real offline engine (createEngine: the native LiveEngine, pcap backend) over the demo capture: an apply
// changes what the engine blocks, a rollback brings the previous verdicts back, and the engine's
// table is always the active version's.
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrapPolicy } from '../../src/api/policy-service.js';
import { buildApi } from '../../src/api/server.js';
import type { EngineCounters, EngineStatus } from '../../src/engine/contract.js';
import { createEngine } from '../../src/engine/factory.js';
import { EventHub } from '../../src/events/hub.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { PolicyStore } from '../../src/store/policy-store.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { baselineAsInput, jsonSource, makeConfig } from './harness.js';

let app: FastifyInstance | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.inject({ method: 'POST', url: '/v1/engine/stop', payload: {} });
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  app = undefined;
  dir = undefined;
});

async function runOnce(api: FastifyInstance): Promise<EngineCounters> {
  const started = await api.inject({ method: 'POST', url: '/v1/engine/start', payload: { author: 'test' } });
  expect(started.statusCode).toBe(200);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = (await api.inject({ method: 'GET', url: '/v1/status' })).json().engine as EngineStatus;
    if (status.state === 'finished') break;
    if (Date.now() > deadline || status.state === 'failed') throw new Error(`engine did not finish: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return (await api.inject({ method: 'GET', url: '/v1/counters' })).json() as EngineCounters;
}

describe('API + offline engine', () => {
  it('apply changes the verdicts, rollback restores them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sigwall-replay-api-'));
    const config = makeConfig(dir, { replay: { capture: join(new URL('../..', import.meta.url).pathname, 'firmware-config/demo/demo.pcap'), pace: 'fast', loop: false } });
    const store = PolicyStore.open(config.dataDir);
    const { version } = await bootstrapPolicy(config, store, compilePolicy);
    const engine = createEngine(config, version.image);
    app = buildApi({ config, engine, store, events: new EventHub(), metrics: () => '', compile: compilePolicy });
    await app.ready();

    const cat1 = (counters: EngineCounters) => counters.ruleHits[counters.ruleIds.indexOf('fs11-baseline#cat1-map')] ?? 0;
    const first = await runOnce(app);
    const dropsWithBaseline = first.verdicts.drop;
    expect(cat1(first)).toBeGreaterThan(0);

    const policy = await baselineAsInput();
    policy.rules = policy.rules.filter((rule) => rule.name !== 'cat1-map');
    const applied = await app.inject({ method: 'POST', url: '/v1/policy/apply', payload: { ...jsonSource(policy), author: 'test' } });
    expect(applied.statusCode).toBe(200);
    expect(engine.status().table?.sha256).toBe(applied.json().version.sha256);
    const second = await runOnce(app);
    const dropsWithLax = second.verdicts.drop - first.verdicts.drop;
    expect(dropsWithLax).toBe(dropsWithBaseline - cat1(first));
    expect(second.ruleIds).not.toContain('fs11-baseline#cat1-map');

    const rolledBack = await app.inject({ method: 'POST', url: '/v1/policy/rollback', payload: { author: 'test' } });
    expect(rolledBack.statusCode).toBe(200);
    expect(engine.status().table?.sha256).toBe(store.record('1').sha256);
    const third = await runOnce(app);
    expect(third.verdicts.drop - second.verdicts.drop).toBe(dropsWithBaseline);
    const status = (await app.inject({ method: 'GET', url: '/v1/status' })).json();
    expect(status.policy).toMatchObject({ activeVersion: { id: '1' }, engineTableMatches: true });
  });
});
