// The API on its real listeners: the unix socket (mode, stale socket, a second instance), the
// loopback TCP listener with its bearer token, the SSE stream, and the OpenAPI document.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listenApi, routesOf, type ApiListener } from '../../src/api/server.js';
import type { EngineEvent } from '../../src/engine/contract.js';
import { makeHarness, type Harness } from './harness.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(target: { socketPath: string } | { host: string; port: number }, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request({ ...target, method, path, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...options.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

let h: Harness | undefined;
let listener: ApiListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
  await h?.cleanup();
  h = undefined;
});

describe('unix socket', () => {
  it('serves the API with the configured mode, without a token, and removes the socket on close', async () => {
    h = await makeHarness({ overrides: { api: { socket: 'api.sock', socketMode: 0o600 } } });
    listener = await listenApi(h.app, h.config.api);
    expect(listener.socket).toBe(join(h.config.dataDir, 'api.sock'));
    expect(statSync(listener.socket).mode & 0o777).toBe(0o600);
    const health = await call({ socketPath: listener.socket }, 'GET', '/v1/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    const applied = await call({ socketPath: listener.socket }, 'POST', '/v1/policy/rollback', { body: { author: 'a' } });
    expect(applied.status).toBe(409);
    expect(JSON.parse(applied.body).code).toBe('SIGWALL_ERR_CONFLICT');
    const audit = await call({ socketPath: listener.socket }, 'POST', '/v1/engine/stop', { body: { author: 'ops' } });
    expect(audit.status).toBe(200);
    const entries = JSON.parse((await call({ socketPath: listener.socket }, 'GET', '/v1/audit')).body).entries;
    expect(entries.at(-1)).toMatchObject({ action: 'engine-stop', via: 'unix', who: 'ops' });
    await listener.close();
    expect(existsSync(join(h.config.dataDir, 'api.sock'))).toBe(false);
    listener = undefined;
  });

  it('refuses oversized (413) and malformed (400) requests on the socket with catalog errors', async () => {
    h = await makeHarness({ overrides: { api: { socket: 'api.sock', bodyLimitBytes: 4096 } } });
    listener = await listenApi(h.app, h.config.api);
    const target = { socketPath: listener.socket };
    const big = await call(target, 'POST', '/v1/policy/validate', { body: { source: 'y'.repeat(8192), format: 'yaml' } });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toMatchObject({ code: 'SIGWALL_ERR_TOO_LARGE' });
    const malformed = await new Promise<Answer>((resolve, reject) => {
      const req = request({ socketPath: listener!.socket, method: 'POST', path: '/v1/policy/apply', headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end('{"source": "name: x", "format": "yaml", ');
    });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toMatchObject({ code: 'SIGWALL_ERR_BAD_REQUEST' });
    expect(malformed.headers['content-type']).toMatch(/^application\/json/);
    expect(h.store.versions()).toHaveLength(1);
  });

  it('honours another socket mode', async () => {
    h = await makeHarness({ overrides: { api: { socket: 'api.sock', socketMode: 0o660 } } });
    listener = await listenApi(h.app, h.config.api);
    expect(statSync(listener.socket).mode & 0o777).toBe(0o660);
  });

  it('refuses to start when another instance answers on the socket', async () => {
    h = await makeHarness();
    listener = await listenApi(h.app, h.config.api);
    const second = await makeHarness({ dir: h.dir });
    try {
      await expect(listenApi(second.app, second.config.api)).rejects.toMatchObject({ code: 'SIGWALL_ERR_CONFLICT' });
      // The first instance still answers.
      expect((await call({ socketPath: listener.socket }, 'GET', '/v1/health')).status).toBe(200);
    } finally {
      await second.app.close();
    }
  });

  it('replaces a stale socket left by a killed process; refuses a path that is not a socket', async () => {
    h = await makeHarness();
    const socket = h.config.api.socket;
    // A process that listens on the socket and is killed: the socket file stays, nobody answers.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(statSync(socket).isSocket()).toBe(true);
    listener = await listenApi(h.app, h.config.api);
    expect((await call({ socketPath: socket }, 'GET', '/v1/health')).status).toBe(200);
    await listener.close();
    listener = undefined;

    writeFileSync(socket, 'not a socket');
    const again = await makeHarness({ dir: h.dir });
    try {
      await expect(listenApi(again.app, again.config.api)).rejects.toMatchObject({ code: 'SIGWALL_ERR_CONFIG' });
    } finally {
      await again.app.close();
    }
  });
});

describe('loopback TCP with a bearer token', () => {
  const token = 'x7Kq2-this-is-a-long-test-token';

  async function withTcp(): Promise<{ host: string; port: number }> {
    h = await makeHarness();
    const tokenFile = join(h.dir, 'token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    listener = await listenApi(h.app, { ...h.config.api, tcp: { host: '127.0.0.1', port: 0 as number, tokenFile } });
    return listener.tcp!;
  }

  it('answers 401 without a token or with a wrong one, 200 with the right one; the socket needs none', async () => {
    const tcp = await withTcp();
    const missing = await call(tcp, 'GET', '/v1/status');
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toMatchObject({ code: 'SIGWALL_ERR_UNAUTHORIZED' });
    expect(missing.body).not.toContain(token);
    for (const header of [`Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, `Basic ${token}`, 'Bearer', token]) {
      const wrong = await call(tcp, 'GET', '/v1/status', { headers: { authorization: header } });
      expect(wrong.status).toBe(401);
    }
    // 401 comes before routing and validation: an unknown route does not reveal itself.
    expect((await call(tcp, 'GET', '/v1/nothing-here')).status).toBe(401);
    const ok = await call(tcp, 'GET', '/v1/status', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).api.tcp).toBe(`http://127.0.0.1:${tcp.port}`);
    expect((await call({ socketPath: listener!.socket }, 'GET', '/v1/status')).status).toBe(200);
    expect(h!.logs.join('\n')).not.toContain(token);
  });

  it('refuses a token file others can read, and a short token', async () => {
    h = await makeHarness();
    const tokenFile = join(h.dir, 'token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o644 });
    chmodSync(tokenFile, 0o644);
    await expect(listenApi(h.app, { ...h.config.api, tcp: { host: '127.0.0.1', port: 0, tokenFile } })).rejects.toMatchObject({ code: 'SIGWALL_ERR_CONFIG' });
    chmodSync(tokenFile, 0o600);
    writeFileSync(tokenFile, 'short\n');
    await expect(listenApi(h.app, { ...h.config.api, tcp: { host: '127.0.0.1', port: 0, tokenFile } })).rejects.toMatchObject({ code: 'SIGWALL_ERR_CONFIG' });
  });
});

function streamEvent(id: string): EngineEvent {
  return { id, time: '2026-01-01T00:00:00.000Z', timestampNs: '1767225600000000000', kind: 'blocked', action: 'drop', worker: 0, ruleId: 'p#r', category: '1', shadowRuleIds: [], tableGeneration: 1, frame: 7, operations: [], anomalies: [] };
}

describe('GET /v1/events/stream (server-sent events)', () => {
  it('streams matching events with ids, sends heartbeats, and unsubscribes when the client goes', async () => {
    h = await makeHarness();
    listener = await listenApi(h.app, h.config.api);
    const received: string[] = [];
    let resolveEvents!: () => void;
    const gotEvents = new Promise<void>((resolve) => (resolveEvents = resolve));
    const req = request({ socketPath: listener.socket, path: '/v1/events/stream?kind=blocked&heartbeatMs=50', method: 'GET' }, (res) => {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        received.push(chunk);
        const text = received.join('');
        if (text.includes('id: 0-2') && text.includes(': heartbeat')) resolveEvents();
      });
    });
    req.end();
    await new Promise<void>((resolve) => {
      const wait = () => (h!.events.stats().subscribers === 1 ? resolve() : setTimeout(wait, 10));
      wait();
    });
    h.events.publish([streamEvent('0-1'), { ...streamEvent('0-9'), kind: 'shadow' }, streamEvent('0-2')]);
    await gotEvents;
    const text = received.join('');
    const events = [...text.matchAll(/id: (\S+)\nevent: engine-event\ndata: (.*)\n\n/g)].map((m) => [m[1], JSON.parse(m[2]!).id]);
    expect(events).toEqual([
      ['0-1', '0-1'],
      ['0-2', '0-2'],
    ]);
    req.destroy();
    await new Promise<void>((resolve) => {
      const wait = () => (h!.events.stats().subscribers === 0 ? resolve() : setTimeout(wait, 10));
      wait();
    });
    expect(h.events.stats().subscribers).toBe(0);
  });

  it('resumes after Last-Event-ID with the retained events it missed, then live ones', async () => {
    h = await makeHarness();
    listener = await listenApi(h.app, h.config.api);
    h.events.publish([streamEvent('0-1'), streamEvent('0-2'), streamEvent('0-3')]);
    let text = '';
    let done!: () => void;
    const complete = new Promise<void>((resolve) => (done = resolve));
    const req = request({ socketPath: listener.socket, path: '/v1/events/stream', method: 'GET', headers: { 'last-event-id': '0-1' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('id: 0-4')) done();
      });
    });
    req.end();
    await new Promise<void>((resolve) => {
      const wait = () => (h!.events.stats().subscribers === 1 ? resolve() : setTimeout(wait, 10));
      wait();
    });
    h.events.publish([streamEvent('0-4')]);
    await complete;
    req.destroy();
    expect([...text.matchAll(/^id: (\S+)$/gm)].map((m) => m[1])).toEqual(['0-2', '0-3', '0-4']);
  });

  it('refuses invalid filters with a JSON 400 before streaming', async () => {
    h = await makeHarness();
    const response = await h.app.inject({ method: 'GET', url: '/v1/events/stream?category=9' });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('SIGWALL_ERR_BAD_REQUEST');
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document covering every registered route', async () => {
    h = await makeHarness();
    const response = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json() as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content?: Record<string, { schema: unknown }> }>; parameters: { name: string; in: string; required: boolean }[]; requestBody?: unknown }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    // The structure OpenAPI 3.1 requires (spec.openapis.org/oas/v3.1.0 §4.8).
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info.title).toBe('string');
    expect(typeof doc.info.version).toBe('string');
    const operationIds = new Set<string>();
    const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
    const resolveRef = (ref: string) => ref.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], doc);
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path.startsWith('/')).toBe(true);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, operation] of Object.entries(item)) {
        expect(methods.has(method)).toBe(true);
        expect(operationIds.has(operation.operationId)).toBe(false);
        operationIds.add(operation.operationId);
        expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
        for (const [status, answer] of Object.entries(operation.responses)) {
          expect(status).toMatch(/^[1-5][0-9][0-9]$/);
          for (const media of Object.values(answer.content ?? {})) {
            const ref = (media.schema as { $ref?: string }).$ref;
            if (ref) expect(resolveRef(ref)).toBeDefined();
          }
        }
        // Every path template has a required path parameter, and no path parameter is extra.
        const pathParameters = operation.parameters.filter((p) => p.in === 'path');
        expect(pathParameters.map((p) => p.name).sort()).toEqual([...templated].sort());
        expect(pathParameters.every((p) => p.required)).toBe(true);
        if (method === 'get') expect(operation.requestBody).toBeUndefined();
      }
    }
    // Every registered route is documented, and every documented route exists.
    const registered = routesOf(h.app).map((route) => `${route.method.toLowerCase()} ${route.url.replace(/:([A-Za-z_]+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));
    expect(documented.sort()).toEqual([...new Set(registered)].sort());
    for (const route of ['get /v1/health', 'post /v1/policy/apply', 'get /v1/policy/versions/{a}/diff/{b}', 'patch /v1/lists/{name}', 'get /v1/events/stream', 'post /v1/engine/stop', 'get /openapi.json']) {
      expect(documented).toContain(route);
    }
    // Request schemas are the zod ones: required fields and closed objects.
    const apply = doc.paths['/v1/policy/apply']!.post! as unknown as { requestBody: { content: { 'application/json': { schema: { required: string[]; additionalProperties: boolean } } } } };
    expect(apply.requestBody.content['application/json'].schema.required.sort()).toEqual(['author', 'format', 'source']);
    expect(apply.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    const events = doc.paths['/v1/events']!.get!;
    expect(events.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['kind', 'ruleId', 'category', 'since', 'gtPrefix', 'limit']));
    expect(doc.components.schemas.Error).toMatchObject({ type: 'object', required: expect.arrayContaining(['code', 'message']) });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
