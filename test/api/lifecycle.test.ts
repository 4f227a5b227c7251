// The policy lifecycle across restarts and crashes: the active version survives a restart; a
// changed config.policy is reported, never silently applied; a process killed at any step of an
// apply leaves the old or the new version active, complete; a failure injected mid-apply leaves
// store and engine as they were.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bootstrapPolicy } from '../../src/api/policy-service.js';
import { StatusResponse } from '../../src/api/schemas.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { setCrashHookForTests, type CrashPoint } from '../../src/store/durable.js';
import { PolicyStore, sha256Hex } from '../../src/store/policy-store.js';
import { baselineAsInput, jsonSource, makeHarness, repoRoot, type Harness } from './harness.js';

const dirs: string[] = [];
let h: Harness | undefined;
afterEach(async () => {
  setCrashHookForTests(undefined);
  await h?.cleanup();
  h = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigwall-life-'));
  dirs.push(dir);
  return dir;
}

async function candidate(): Promise<unknown> {
  const policy = await baselineAsInput();
  policy.rules = policy.rules.filter((rule) => rule.name !== 'cat1-map');
  return policy;
}

describe('restart', () => {
  it('apply -> a new store and API over the same data directory -> the same active version', async () => {
    const dir = tempDir();
    h = await makeHarness({ dir });
    const applied = await h.app.inject({ method: 'POST', url: '/v1/policy/apply', payload: { ...jsonSource(await candidate()), author: 'alice' } });
    expect(applied.statusCode).toBe(200);
    const sha = applied.json().version.sha256 as string;
    await h.cleanup();

    h = await makeHarness({ dir }); // a restart: new store instance, bootstrap, engine from the store
    expect(h.store.activeId()).toBe('2');
    expect(h.engine.status().table?.sha256).toBe(sha);
    const status = StatusResponse.parse((await h.app.inject({ method: 'GET', url: '/v1/status' })).json());
    expect(status.policy.activeVersion?.id).toBe('2');
    expect(status.policy.engineTableMatches).toBe(true);
    expect(status.configPolicy.changed).toBe(false);
    expect(h.store.versions().map((version) => version.id)).toEqual(['1', '2']);
  });

  it('a config.policy changed since its import is reported in status and audit; the active version stays', async () => {
    const dir = tempDir();
    const policyFile = join(dir, 'site-policy.json');
    writeFileSync(policyFile, jsonSource(await baselineAsInput()).source);
    h = await makeHarness({ dir, overrides: { policy: policyFile } });
    expect(h.store.record('1').configPolicy).toEqual({ path: policyFile, sha256: sha256Hex(jsonSource(await baselineAsInput()).source) });
    await h.cleanup();

    writeFileSync(policyFile, jsonSource(await candidate()).source);
    h = await makeHarness({ dir, overrides: { policy: policyFile } });
    expect(h.store.activeId()).toBe('1'); // not replaced behind the operator's back
    expect(h.store.versions()).toHaveLength(1);
    const status = StatusResponse.parse((await h.app.inject({ method: 'GET', url: '/v1/status' })).json());
    expect(status.configPolicy).toMatchObject({ path: policyFile, changed: true, importedAs: '1' });
    expect(status.configPolicy.message).toContain('changed since it was imported as version 1');
    expect(h.store.auditEntries().map((entry) => entry.action)).toEqual(['import', 'config-policy-changed']);
    expect(h.logs.join('\n')).toContain('changed since it was imported');

    // Applying the file through the API is the explicit way to use it.
    await h.app.inject({ method: 'POST', url: '/v1/policy/apply', payload: { ...jsonSource(await candidate(), 'site-policy.json'), author: 'ops' } });
    expect(h.store.activeId()).toBe('2');
  });

  it('a first start imports config.policy as version 1; an unreadable one is a config error', async () => {
    const dir = tempDir();
    const store = PolicyStore.open(join(dir, 'data'));
    const config = (await import('./harness.js')).makeConfig(dir, { policy: join(dir, 'missing.yaml') });
    await expect(bootstrapPolicy(config, store, compilePolicy)).rejects.toMatchObject({ code: 'SIGWALL_ERR_CONFIG' });
    expect(store.activeId()).toBeUndefined();
    expect(store.versions()).toEqual([]);
  });
});

describe('crash during apply', () => {
  const points: (CrashPoint | 'none')[] = ['version-files-written', 'version-renamed', 'active-temp-written', 'none'];

  it.each(points)('a process SIGKILLed at %s leaves the old or the new version active, complete', async (point) => {
    const dir = tempDir();
    h = await makeHarness({ dir });
    const dataDir = h.config.dataDir;
    const oldSha = h.store.record('1').sha256;
    await h.cleanup();
    h = undefined;
    const policyFile = join(dir, 'candidate.json');
    writeFileSync(policyFile, jsonSource(await candidate()).source);

    const child = spawnSync(process.execPath, ['--import', join(repoRoot, 'test/api/child/ts-register.mjs'), join(repoRoot, 'test/api/child/apply-and-die.mjs'), dataDir, policyFile, point], {
      encoding: 'utf8',
      cwd: repoRoot,
    });
    if (point === 'none') {
      expect(child.stderr).toBe('');
      expect(child.stdout).toBe('active 2\n');
    } else {
      expect(child.signal).toBe('SIGKILL');
    }

    const store = PolicyStore.open(dataDir);
    const active = store.active()!;
    expect(['1', '2']).toContain(active.record.id);
    expect(sha256Hex(active.image)).toBe(active.record.sha256);
    if (point === 'none') expect(active.record.id).toBe('2');
    else expect(active.record.id).toBe('1');
    expect(active.record.sha256 === oldSha).toBe(active.record.id === '1');
    // Leftovers of the interrupted write are reported and gone; nothing half-written remains.
    if (point === 'version-files-written' || point === 'active-temp-written') expect(store.warnings.join('\n')).toMatch(/leftover of an interrupted write/);
    else expect(store.warnings).toEqual([]);
    const entries = [...readdirSync(join(dataDir, 'policies')), ...readdirSync(join(dataDir, 'policies', 'versions'))];
    expect(entries.filter((name) => name.startsWith('.tmp-'))).toEqual([]);
    // The next apply works and takes a fresh id.
    h = await makeHarness({ dir });
    const next = await h.app.inject({ method: 'POST', url: '/v1/policy/apply', payload: { ...jsonSource(await baselineAsInput()), author: 'after-crash' } });
    expect(next.statusCode).toBe(200);
    expect(Number(next.json().version.id)).toBeGreaterThan(Number(active.record.id));
  });

  it('a failure injected after the pointer temp file leaves store and engine as they were', async () => {
    h = await makeHarness();
    const before = { active: h.store.activeId(), sha: h.engine.status().table?.sha256, counters: h.engine.counters() };
    setCrashHookForTests((point) => {
      if (point === 'active-temp-written') throw new Error('disk full (injected)');
    });
    const response = await h.app.inject({ method: 'POST', url: '/v1/policy/apply', payload: { ...jsonSource(await candidate()), author: 'alice' } });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ code: 'SIGWALL_ERR_INTERNAL', message: expect.any(String) });
    // The engine took the new table, then got the old one back.
    expect(h.engine.setTableCalls.map((call) => call.accepted)).toEqual([true, true]);
    expect(h.engine.status().table?.sha256).toBe(before.sha);
    expect(h.store.activeId()).toBe(before.active);
    expect(h.store.versions().map((version) => version.id)).toEqual(['1']);
    setCrashHookForTests(undefined);
    const reopened = PolicyStore.open(h.config.dataDir);
    expect(reopened.activeId()).toBe('1');
    expect(reopened.warnings.join('\n')).toMatch(/leftover of an interrupted write/);
  });

  it('a damaged active version is a store error on open, never a silent fallback', async () => {
    const dir = tempDir();
    h = await makeHarness({ dir });
    const dataDir = h.config.dataDir;
    await h.cleanup();
    h = undefined;
    writeFileSync(join(dataDir, 'policies', 'versions', '000001', 'table.bin'), 'garbage');
    expect(() => PolicyStore.open(dataDir)).toThrow(expect.objectContaining({ code: 'SIGWALL_ERR_STORE' }));
    expect(existsSync(join(dataDir, 'policies', 'active'))).toBe(true);
  });
});
