// Every route of the control API through app.inject(): success and error cases, the error body
// {code, message, details?} with the catalog's codes and HTTP statuses, and what each change does
// to the store and the engine (a FakeEngine that records setTable calls).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplyResponse, CompileResponse, ErrorBody, DiffResponse, EngineCounters, ListsResponse, StatusResponse, ValidateResponse, VersionsResponse } from '../../src/api/schemas.js';
import { DryRunResult } from '../../src/api/policy-service.js';
import type { EngineEvent } from '../../src/engine/contract.js';
import { ErrorCatalog, SigwallError } from '../../src/errors.js';
import { baselineAsInput, demoCapture, jsonSource, makeHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
});
afterEach(async () => {
  await h.cleanup();
});

function expectError(response: { statusCode: number; json(): unknown }, status: number, code: keyof typeof ErrorCatalog) {
  expect(response.statusCode).toBe(status);
  const body = ErrorBody.strict().parse(response.json()); // exactly {code, message, details?}
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at /); // no stack trace
  return body;
}

const post = (url: string, payload: unknown) => h.app.inject({ method: 'POST', url, payload: payload as object });

async function withoutRule(ruleName: string) {
  const policy = await baselineAsInput();
  policy.rules = policy.rules.filter((rule) => rule.name !== ruleName);
  return policy;
}

describe('system routes', () => {
  it('GET /v1/health and /v1/status report the engine and the active version', async () => {
    const health = await h.app.inject({ method: 'GET', url: '/v1/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', engine: 'running', activeVersion: '1' });

    const status = StatusResponse.parse((await h.app.inject({ method: 'GET', url: '/v1/status' })).json());
    expect(status.engine.state).toBe('running');
    expect(status.policy.activeVersion?.id).toBe('1');
    expect(status.policy.activeVersion?.origin).toBe('config');
    expect(status.policy.engineTableMatches).toBe(true);
    expect(status.configPolicy.changed).toBe(false);
    expect(status.name).toBe('sigwall-test');
  });

  it('GET /v1/counters returns the engine counters', async () => {
    const counters = EngineCounters.parse((await h.app.inject({ method: 'GET', url: '/v1/counters' })).json());
    expect(counters.messages).toBeGreaterThan(0);
    expect(counters.verdicts.drop).toBeGreaterThan(0);
    expect(counters.ruleIds).toContain('fs11-baseline#cat1-map');
  });

  it('GET /v1/metrics is Prometheus text', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/v1/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toContain('sigwall_messages_total 1');
  });

  it('an unexpected fault is a 500 SIGWALL_ERR_INTERNAL without detail, logged', async () => {
    h.deps.metrics = () => {
      throw new TypeError('secret internal detail');
    };
    const body = expectError(await h.app.inject({ method: 'GET', url: '/v1/metrics' }), 500, 'SIGWALL_ERR_INTERNAL');
    expect(JSON.stringify(body)).not.toContain('secret internal detail');
    expect(h.logs.join('\n')).toContain('secret internal detail');
  });

  it('unknown routes and methods are 404 SIGWALL_ERR_NOT_FOUND', async () => {
    expectError(await h.app.inject({ method: 'GET', url: '/v1/nope' }), 404, 'SIGWALL_ERR_NOT_FOUND');
    expectError(await h.app.inject({ method: 'DELETE', url: '/v1/status' }), 404, 'SIGWALL_ERR_NOT_FOUND');
  });

  it('POST /v1/engine/stop and /start follow the engine state; repeats are 409', async () => {
    const stopped = await post('/v1/engine/stop', { author: 'ops' });
    expect(stopped.statusCode).toBe(200);
    expect(stopped.json().status.state).toBe('stopped');
    expect(stopped.json().counters.messages).toBeGreaterThan(0);
    expectError(await post('/v1/engine/stop', {}), 409, 'SIGWALL_ERR_CONFLICT');
    const started = await h.app.inject({ method: 'POST', url: '/v1/engine/start' });
    expect(started.statusCode).toBe(200);
    expect(started.json().status.state).toBe('running');
    expectError(await post('/v1/engine/start', {}), 409, 'SIGWALL_ERR_CONFLICT');
    expectError(await post('/v1/engine/start', { extra: 1 }), 400, 'SIGWALL_ERR_BAD_REQUEST');
    const audit = (await h.app.inject({ method: 'GET', url: '/v1/audit' })).json().entries as { action: string; who: string }[];
    expect(audit.filter((entry) => entry.action.startsWith('engine-')).map((entry) => [entry.action, entry.who])).toEqual([
      ['engine-stop', 'ops'],
      ['engine-start', 'api (inject)'],
    ]);
  });
});

describe('malformed and oversized requests', () => {
  it('a body that is not JSON, or of another content type, is 400 SIGWALL_ERR_BAD_REQUEST', async () => {
    expectError(await h.app.inject({ method: 'POST', url: '/v1/policy/validate', payload: '{"source": ', headers: { 'content-type': 'application/json' } }), 400, 'SIGWALL_ERR_BAD_REQUEST');
    expectError(await h.app.inject({ method: 'POST', url: '/v1/policy/validate', payload: 'name: x', headers: { 'content-type': 'application/yaml' } }), 400, 'SIGWALL_ERR_BAD_REQUEST');
  });

  it('a body that fails its schema is 400 naming the field', async () => {
    const body = expectError(await post('/v1/policy/validate', { source: 'x', format: 'xml' }), 400, 'SIGWALL_ERR_BAD_REQUEST');
    expect(body.message).toContain('body.format');
    expectError(await post('/v1/policy/validate', { format: 'json' }), 400, 'SIGWALL_ERR_BAD_REQUEST');
    expectError(await post('/v1/policy/apply', { ...jsonSource({}), comment: 'no author' }), 400, 'SIGWALL_ERR_BAD_REQUEST');
  });

  it('a body over api.bodyLimitBytes is 413 SIGWALL_ERR_TOO_LARGE', async () => {
    await h.cleanup();
    h = await makeHarness({ overrides: { api: { bodyLimitBytes: 2048 } } });
    const response = await post('/v1/policy/validate', { source: 'x'.repeat(4096), format: 'yaml' });
    expectError(response, 413, 'SIGWALL_ERR_TOO_LARGE');
    expect((await post('/v1/policy/validate', { source: 'name: small', format: 'yaml' })).statusCode).toBe(200);
  });
});

describe('policy routes', () => {
  it('POST /v1/policy/validate: a valid policy is summarised, an invalid one lists every issue with its line', async () => {
    const valid = ValidateResponse.parse((await post('/v1/policy/validate', jsonSource(await baselineAsInput()))).json());
    expect(valid).toMatchObject({ valid: true, policyName: 'fs11-baseline', issues: [] });
    expect(valid.lists).toEqual({ 'cat1-bilateral': { kind: 'gt', prefixes: 0 } });

    const yaml = ['name: broken', 'networks:', '  home: {}', 'rules:', '  - name: r1', '    action: dropp', '    match:', "      map.opcode: [anyTimeInterogation]", ''].join('\n');
    const invalid = ValidateResponse.parse((await post('/v1/policy/validate', { source: yaml, format: 'yaml', name: 'broken.yaml' })).json());
    expect(invalid.valid).toBe(false);
    expect(invalid.issues.map((issue) => [issue.file, issue.line, issue.path])).toContainEqual(['broken.yaml', 6, 'rules[0].action']);
    expect(invalid.issues.every((issue) => issue.file === 'broken.yaml')).toBe(true);
  });

  it('POST /v1/policy/validate takes a TypeScript policy', async () => {
    const source = `const action = 'drop' as const;\nexport default { name: 'ts-policy', networks: { home: { mccMnc: ['23415'] } }, rules: [{ name: 'ati', action, match: { 'map.opcode': ['anyTimeInterrogation'] } }] };\n`;
    const response = ValidateResponse.parse((await post('/v1/policy/validate', { source, format: 'ts', name: 'mine.ts' })).json());
    expect(response).toMatchObject({ valid: true, policyName: 'ts-policy', rules: 1 });
    const broken = ValidateResponse.parse((await post('/v1/policy/validate', { source: 'export const x = 1;\n', format: 'ts', name: 'nodefault.ts' })).json());
    expect(broken.valid).toBe(false);
    expect(broken.issues[0]!.message).toContain('no default export');
    // The same text again: the module is cached under its content-addressed URL.
    expect(ValidateResponse.parse((await post('/v1/policy/validate', { source, format: 'ts', name: 'again.ts' })).json())).toMatchObject({ valid: true, policyName: 'ts-policy' });
    const syntax = ValidateResponse.parse((await post('/v1/policy/validate', { source: 'export default {\n  name: ,\n};\n', format: 'ts', name: 'syntax.ts' })).json());
    expect(syntax.valid).toBe(false);
    expect(syntax.issues[0]!.file).toBe('syntax.ts');
    // Temporary files are removed once imported.
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(join(h.config.dataDir, 'tmp'))).toEqual([]);
  });

  it('POST /v1/policy/compile returns the table statistics; an invalid policy is 400 SIGWALL_ERR_POLICY', async () => {
    const compiled = CompileResponse.parse((await post('/v1/policy/compile', jsonSource(await baselineAsInput()))).json());
    expect(compiled.policyName).toBe('fs11-baseline');
    expect(compiled.sha256).toBe(h.store.record('1').sha256); // same policy, same image
    expect(compiled.stats.rules).toBeGreaterThan(10);
    const body = expectError(await post('/v1/policy/compile', jsonSource({ name: 'x', networks: { home: {} }, rules: [{ name: 'a', action: 'drop', match: {} }] })), 400, 'SIGWALL_ERR_POLICY');
    expect((body as { details?: { issues?: unknown[] } }).details?.issues?.length).toBeGreaterThan(0);
  });

  it('POST /v1/policy/dry-run counts newly passed per rule that blocked them, newly blocked per new rule', async () => {
    const response = await post('/v1/policy/dry-run', { ...jsonSource(await withoutRule('cat1-map')), capture: { path: demoCapture } });
    expect(response.statusCode).toBe(200);
    const result = DryRunResult.parse(response.json());
    expect(result.baseline.version).toBe('1');
    expect(result.totals.newlyBlocked).toBe(0);
    expect(result.totals.newlyPassed).toBeGreaterThan(0);
    expect(result.newlyPassedByRule.map((entry) => entry.rule)).toEqual(['fs11-baseline#cat1-map']);
    expect(result.newlyPassedByRule[0]!.newlyPassed).toBe(result.totals.newlyPassed);
    expect(result.totals.blockedAfter).toBe(result.totals.blockedBefore - result.totals.newlyPassed);

    // Everything the baseline lets through, dropped by the default: newly blocked under "#default".
    const strict = await baselineAsInput();
    (strict as unknown as { defaults: { action: string } }).defaults.action = 'drop';
    const uploaded = DryRunResult.parse(
      (await post('/v1/policy/dry-run', { ...jsonSource(strict), capture: { name: 'demo.pcap', base64: readFileSync(demoCapture).toString('base64') } })).json(),
    );
    expect(uploaded.totals.newlyPassed).toBe(0);
    expect(uploaded.totals.newlyBlocked).toBe(uploaded.totals.messages - uploaded.totals.blockedBefore);
    expect(uploaded.newlyBlockedByRule.map((entry) => entry.rule)).toEqual(['fs11-baseline#default']);
    expect(uploaded.newlyBlockedByRule[0]!.frames.length).toBeGreaterThan(0);

    // Without a capture: the configuration's replay capture.
    const defaulted = DryRunResult.parse((await post('/v1/policy/dry-run', jsonSource(await withoutRule('cat1-map')))).json());
    expect(defaulted.totals).toEqual(result.totals);
  });

  it('dry-run errors: unreadable capture path, not a capture, invalid policy', async () => {
    expectError(await post('/v1/policy/dry-run', { ...jsonSource(await baselineAsInput()), capture: { path: '/nonexistent.pcap' } }), 400, 'SIGWALL_ERR_FILE');
    expectError(await post('/v1/policy/dry-run', { ...jsonSource(await baselineAsInput()), capture: { base64: Buffer.from('not a capture at all').toString('base64') } }), 400, 'SIGWALL_ERR_CAPTURE');
    expectError(await post('/v1/policy/dry-run', { source: '{', format: 'json', capture: { path: demoCapture } }), 400, 'SIGWALL_ERR_POLICY');
  });

  it('POST /v1/policy/apply stores, activates and swaps the table; versions, show and diff follow', async () => {
    const response = await post('/v1/policy/apply', { ...jsonSource(await withoutRule('cat1-map')), author: 'alice', comment: 'drop cat1-map' });
    expect(response.statusCode).toBe(200);
    const applied = ApplyResponse.parse(response.json());
    expect(applied.version).toMatchObject({ id: '2', parent: '1', author: 'alice', comment: 'drop cat1-map', origin: 'apply', format: 'json' });
    expect(applied.diff.rulesRemoved.map((rule) => rule.id)).toEqual(['fs11-baseline#cat1-map']);
    expect(h.engine.setTableCalls).toEqual([{ sha256: applied.version.sha256, accepted: true }]);
    expect(h.engine.status().table?.sha256).toBe(applied.version.sha256);

    const versions = VersionsResponse.parse((await h.app.inject({ method: 'GET', url: '/v1/policy/versions' })).json());
    expect(versions.active).toBe('2');
    expect(versions.versions.map((version) => version.id)).toEqual(['1', '2']);

    const shown = (await h.app.inject({ method: 'GET', url: '/v1/policy/versions/2' })).json();
    expect(shown.active).toBe(true);
    expect(shown.source).toBe(jsonSource(await withoutRule('cat1-map')).source);
    expect(shown.resolved.rules.some((rule: { id: string }) => rule.id === 'fs11-baseline#cat1-map')).toBe(false);

    const diff = DiffResponse.parse((await h.app.inject({ method: 'GET', url: '/v1/policy/versions/1/diff/2' })).json());
    expect(diff.diff.rulesRemoved.map((rule) => rule.id)).toEqual(['fs11-baseline#cat1-map']);
    expect(diff.diff.rulesAdded).toEqual([]);
    expect(diff.diff.rulesChanged).toEqual([]);

    expectError(await h.app.inject({ method: 'GET', url: '/v1/policy/versions/99' }), 404, 'SIGWALL_ERR_NOT_FOUND');
    expectError(await h.app.inject({ method: 'GET', url: '/v1/policy/versions/abc' }), 400, 'SIGWALL_ERR_BAD_REQUEST');
    expectError(await h.app.inject({ method: 'GET', url: '/v1/policy/versions/1/diff/99' }), 404, 'SIGWALL_ERR_NOT_FOUND');

    const audit = (await h.app.inject({ method: 'GET', url: '/v1/audit?limit=1' })).json().entries;
    expect(audit).toEqual([expect.objectContaining({ action: 'apply', who: 'alice', via: 'inject', version: '2', parent: '1', summary: expect.objectContaining({ rulesRemoved: 1 }) })]);
  });

  it('a changed rule is reported with the fields that differ', async () => {
    const policy = await baselineAsInput();
    const rule = policy.rules.find((r) => r.name === 'cat1-map')!;
    rule.mode = 'shadow';
    const applied = ApplyResponse.parse((await post('/v1/policy/apply', { ...jsonSource(policy), author: 'bob' })).json());
    expect(applied.diff.rulesChanged.map((change) => [change.id, change.fields])).toEqual([['fs11-baseline#cat1-map', ['mode']]]);
  });

  it('an apply of a broken policy never reaches the engine: counters, active version and store untouched', async () => {
    const countersBefore = h.engine.counters();
    const broken = await baselineAsInput();
    broken.rules[0]!.action = 'reject';
    const body = expectError(await post('/v1/policy/apply', { ...jsonSource(broken, 'broken.json'), author: 'mallory' }), 400, 'SIGWALL_ERR_POLICY');
    expect(body.message).toContain('broken.json');
    expect(h.engine.setTableCalls).toEqual([]);
    expect(h.engine.counters()).toEqual(countersBefore);
    expect(h.store.activeId()).toBe('1');
    expect(h.store.versions().map((version) => version.id)).toEqual(['1']);
  });

  it('an apply the engine refuses leaves the store as it was and answers with the engine error', async () => {
    h.engine.failSetTable = new SigwallError('SIGWALL_ERR_TABLE', 'table image: refused by the loader (test)');
    const body = expectError(await post('/v1/policy/apply', { ...jsonSource(await withoutRule('cat1-map')), author: 'alice' }), 500, 'SIGWALL_ERR_TABLE');
    expect(body.message).toContain('refused by the loader');
    expect(h.store.activeId()).toBe('1');
    expect(h.store.versions().map((version) => version.id)).toEqual(['1']);
    expect(h.engine.status().table?.sha256).toBe(h.store.record('1').sha256);
    // The next apply gets the next free id: the refused one left nothing behind.
    h.engine.failSetTable = undefined;
    expect(ApplyResponse.parse((await post('/v1/policy/apply', { ...jsonSource(await withoutRule('cat1-map')), author: 'alice' })).json()).version.id).toBe('2');
  });

  it('a second change while one is in progress is 409 SIGWALL_ERR_CONFLICT', async () => {
    const service = (await import('../../src/api/policy-service.js')).PolicyService;
    const policies = new service(h.config, h.store, h.engine, h.deps.compile);
    const source = { text: jsonSource(await withoutRule('cat1-map')).source, format: 'json' as const, name: 'c.json' };
    const first = policies.apply(source, { who: 'a', via: 'test' }, '');
    await expect(policies.apply(source, { who: 'b', via: 'test' }, '')).rejects.toMatchObject({ code: 'SIGWALL_ERR_CONFLICT' });
    expect((await first).version.id).toBe('2');
  });

  it('POST /v1/policy/rollback restores the previous version and its verdicts on the demo capture', async () => {
    const baselineSource = jsonSource(await baselineAsInput());
    const dryRunBaseline = async () => DryRunResult.parse((await post('/v1/policy/dry-run', { ...baselineSource, capture: { path: demoCapture } })).json());
    expect((await dryRunBaseline()).totals).toMatchObject({ newlyBlocked: 0, newlyPassed: 0, actionChanged: 0, ruleChanged: 0 });

    await post('/v1/policy/apply', { ...jsonSource(await withoutRule('cat1-map')), author: 'alice' });
    const whileApplied = await dryRunBaseline();
    expect(whileApplied.totals.newlyBlocked).toBeGreaterThan(0);
    expect(whileApplied.newlyBlockedByRule.map((entry) => entry.rule)).toEqual(['fs11-baseline#cat1-map']);

    const rolledBack = await post('/v1/policy/rollback', { author: 'alice', comment: 'too lax' });
    expect(rolledBack.statusCode).toBe(200);
    expect(rolledBack.json()).toMatchObject({ version: { id: '1' }, from: '2' });
    expect(h.store.activeId()).toBe('1');
    expect(h.engine.setTableCalls.at(-1)?.sha256).toBe(h.store.record('1').sha256);
    const afterRollback = await dryRunBaseline();
    expect(afterRollback.totals).toMatchObject({ newlyBlocked: 0, newlyPassed: 0, actionChanged: 0, ruleChanged: 0 });
    expect(afterRollback.totals.blockedBefore).toBe(whileApplied.totals.blockedAfter);

    // To an explicit version, forward again.
    expect((await post('/v1/policy/rollback', { to: '2', author: 'alice' })).json().version.id).toBe('2');
  });

  it('rollback errors: no previous version (409), unknown version (404), already active (409)', async () => {
    expectError(await post('/v1/policy/rollback', { author: 'a' }), 409, 'SIGWALL_ERR_CONFLICT');
    expectError(await post('/v1/policy/rollback', { to: '42', author: 'a' }), 404, 'SIGWALL_ERR_NOT_FOUND');
    expectError(await post('/v1/policy/rollback', { to: '1', author: 'a' }), 409, 'SIGWALL_ERR_CONFLICT');
    expectError(await post('/v1/policy/rollback', { to: 'latest', author: 'a' }), 400, 'SIGWALL_ERR_BAD_REQUEST');
    expect(h.engine.setTableCalls).toEqual([]);
  });
});

describe('list routes', () => {
  it('GET /v1/lists, PATCH adds and removes, PUT replaces: each a new applied version', async () => {
    const lists = ListsResponse.parse((await h.app.inject({ method: 'GET', url: '/v1/lists' })).json());
    expect(lists).toEqual({ version: '1', lists: { 'cat1-bilateral': expect.objectContaining({ kind: 'gt', prefixes: [] }) } });

    const patched = await h.app.inject({ method: 'PATCH', url: '/v1/lists/cat1-bilateral', payload: { add: ['4917', '3312'], author: 'noc', comment: 'partner deal' } });
    expect(patched.statusCode).toBe(200);
    const version = ApplyResponse.parse(patched.json());
    expect(version.version).toMatchObject({ id: '2', origin: 'list-update', format: 'json', sourceName: 'fs11-baseline.json' });
    expect(version.diff.lists).toEqual([{ name: 'cat1-bilateral', change: 'changed', prefixesAdded: ['4917', '3312'], prefixesRemoved: [] }]);
    expect(version.diff.rulesChanged).toEqual([]);
    expect(h.engine.setTableCalls).toHaveLength(1);

    const removed = await h.app.inject({ method: 'PATCH', url: '/v1/lists/cat1-bilateral', payload: { remove: ['4917'], author: 'noc' } });
    expect(ApplyResponse.parse(removed.json()).version.id).toBe('3');
    const replaced = await h.app.inject({ method: 'PUT', url: '/v1/lists/cat1-bilateral', payload: { prefixes: ['1'], author: 'noc' } });
    expect(ApplyResponse.parse(replaced.json()).diff.lists[0]).toMatchObject({ prefixesAdded: ['1'], prefixesRemoved: ['3312'] });
    expect(ListsResponse.parse((await h.app.inject({ method: 'GET', url: '/v1/lists' })).json()).lists['cat1-bilateral']!.prefixes).toEqual(['1']);
  });

  it('the listed GT now passes category 1 operations: dry-run of the list change shows newly passed', async () => {
    // Find a calling GT the baseline blocks with cat1-map, then allow it through the list.
    const { decodeCapture } = await import('../../src/dataplane/decoder.js');
    const { records } = decodeCapture(new Uint8Array(readFileSync(demoCapture)), { table: h.store.read('1').image });
    const blocked = records.find((record) => record.verdict?.rule === 'fs11-baseline#cat1-map')!;
    const gt = blocked.sccp!.calling.digits!;
    const policy = await baselineAsInput();
    (policy.lists['cat1-bilateral'] as { prefixes: string[] }).prefixes = [gt];
    const result = DryRunResult.parse((await post('/v1/policy/dry-run', { ...jsonSource(policy), capture: { path: demoCapture } })).json());
    expect(result.newlyPassedByRule.map((entry) => entry.rule)).toContain('fs11-baseline#cat1-map');
    expect(result.newlyPassedByRule.find((entry) => entry.rule === 'fs11-baseline#cat1-map')!.frames).toContain(blocked.frame);
  });

  it('a list update of a YAML version keeps its comments and layout', async () => {
    const yaml = [
      '# site policy: reviewed by the NOC',
      'name: site',
      'networks:',
      '  home: { mccMnc: ["23415"], gtPrefixes: ["447700900"] }',
      'lists:',
      '  blocked-gts:',
      '    kind: gt',
      '    prefixes: ["999"] # known bad senders',
      'rules:',
      '  - name: blocked-senders # drop anything from them',
      '    action: drop',
      '    match:',
      "      sccp.calling.digits: { lists: [blocked-gts] }",
      '',
    ].join('\n');
    expect((await post('/v1/policy/apply', { source: yaml, format: 'yaml', name: 'site.yaml', author: 'noc' })).statusCode).toBe(200);
    const patched = await h.app.inject({ method: 'PATCH', url: '/v1/lists/blocked-gts', payload: { add: ['33612'], author: 'noc' } });
    expect(patched.statusCode).toBe(200);
    const version = ApplyResponse.parse(patched.json()).version;
    expect(version).toMatchObject({ format: 'yaml', sourceName: 'site.yaml', origin: 'list-update' });
    const source = (await h.app.inject({ method: 'GET', url: `/v1/policy/versions/${version.id}` })).json().source as string;
    expect(source).toContain('# site policy: reviewed by the NOC');
    expect(source).toContain('- name: blocked-senders # drop anything from them');
    expect(source).toMatch(/prefixes: \[ "?999"?, "?33612"? \]/);
  });

  it('list errors: unknown list 404, bad prefix 400, empty edit 400', async () => {
    expectError(await h.app.inject({ method: 'PATCH', url: '/v1/lists/nope', payload: { add: ['1'], author: 'a' } }), 404, 'SIGWALL_ERR_NOT_FOUND');
    expectError(await h.app.inject({ method: 'PATCH', url: '/v1/lists/cat1-bilateral', payload: { add: ['12ab'], author: 'a' } }), 400, 'SIGWALL_ERR_BAD_REQUEST');
    expectError(await h.app.inject({ method: 'PATCH', url: '/v1/lists/cat1-bilateral', payload: { author: 'a' } }), 400, 'SIGWALL_ERR_BAD_REQUEST');
    expectError(await h.app.inject({ method: 'PUT', url: '/v1/lists/Bad%20Name', payload: { prefixes: [], author: 'a' } }), 400, 'SIGWALL_ERR_BAD_REQUEST');
    expect(h.engine.setTableCalls).toEqual([]);
    expect(h.store.activeId()).toBe('1');
  });
});

function event(id: string, overrides: Partial<EngineEvent> = {}): EngineEvent {
  return {
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
    frame: 1,
    operations: [{ opcode: 71, name: 'anyTimeInterrogation' }],
    anomalies: [],
    sccp: { callingDigits: '4479000001' },
    ...overrides,
  };
}

describe('event routes', () => {
  it('GET /v1/events filters and limits; bad filters are 400', async () => {
    h.events.publish([event('0-1'), event('0-2', { kind: 'malformed', ruleId: 'fs11-baseline#malformed', category: undefined }), event('0-3', { sccp: { callingDigits: '33123' } })]);
    const all = (await h.app.inject({ method: 'GET', url: '/v1/events' })).json().events as EngineEvent[];
    expect(all.map((e) => e.id)).toEqual(['0-1', '0-2', '0-3']);
    const blocked = (await h.app.inject({ method: 'GET', url: '/v1/events?kind=blocked&limit=1' })).json().events as EngineEvent[];
    expect(blocked.map((e) => e.id)).toEqual(['0-3']);
    const byGt = (await h.app.inject({ method: 'GET', url: '/v1/events?gtPrefix=4479' })).json().events as EngineEvent[];
    expect(byGt.map((e) => e.id)).toEqual(['0-1', '0-2']);
    expectError(await h.app.inject({ method: 'GET', url: '/v1/events?kind=bogus' }), 400, 'SIGWALL_ERR_BAD_REQUEST');
    expectError(await h.app.inject({ method: 'GET', url: '/v1/events?limit=0' }), 400, 'SIGWALL_ERR_BAD_REQUEST');
    expectError(await h.app.inject({ method: 'GET', url: '/v1/events?unknown=1' }), 400, 'SIGWALL_ERR_BAD_REQUEST');
  });
});
