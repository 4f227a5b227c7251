// Runs the live engine (src/engine/live.ts, compiled to dist/) inside the appliance's network
// namespace for test/live: the test process cannot enter a namespace itself, so it starts this
// script with `ip netns exec` and drives it with one JSON command per stdin line; each answer is
// one JSON line on stdout: {id, ok: true, result} or {id, ok: false, error: {code, message}}.
//
// commands: start {config (appliance config input), table (base64 image), inspect?}
//           counters | events {max?} | status | setTable {table} | stop
// On stdin EOF the engine is stopped and the process exits.
import { createInterface } from 'node:readline';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../../dist/', import.meta.url);
const { LiveEngine } = await import(new URL('engine/live.js', dist).href);
const { parseApplianceConfig } = await import(new URL('config/appliance.js', dist).href);

let engine;
let ownDataDir;

// A fresh, exactly sized copy: a decoded Buffer may be a slice of Node's shared pool.
function fromBase64(text) {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function answer(id, body) {
  process.stdout.write(JSON.stringify({ id, ...body }) + '\n');
}

const handlers = {
  async start({ config, table, inspect, dataDir: givenDataDir }) {
    if (engine) throw Object.assign(new Error('already started'), { code: 'SIGWALL_ERR_CONFLICT' });
    // The caller's directory (deleted with its scratch space, even after a SIGKILL), or our own.
    const dataDir = givenDataDir ?? (ownDataDir = mkdtempSync(join(tmpdir(), 'sigwall-live-driver-')));
    mkdirSync(dataDir, { recursive: true });
    const parsed = parseApplianceConfig({ policy: 'unused.yaml', dataDir, ...config }, 'test/live/driver');
    engine = new LiveEngine({ config: parsed, table: fromBase64(table), inspect: inspect ?? true, statePollMs: 20 });
    await engine.start();
    return engine.status();
  },
  counters: () => engine.counters(),
  events: ({ max }) => engine.drainEvents(max ?? 4096),
  status: () => engine.status(),
  setTable: ({ table }) => engine.setTable(fromBase64(table)),
  async stop() {
    const summary = await engine.stop();
    return summary;
  },
};

const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(async () => {
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      answer(null, { ok: false, error: { code: 'SIGWALL_ERR_USAGE', message: `not JSON: ${line}` } });
      return;
    }
    const handler = handlers[request.cmd];
    if (!handler) return answer(request.id, { ok: false, error: { code: 'SIGWALL_ERR_USAGE', message: `unknown command ${request.cmd}` } });
    if (request.cmd !== 'start' && !engine) return answer(request.id, { ok: false, error: { code: 'SIGWALL_ERR_ENGINE', message: 'not started' } });
    try {
      answer(request.id, { ok: true, result: await handler(request) });
    } catch (error) {
      answer(request.id, { ok: false, error: { code: error.code ?? 'ERROR', message: error.message } });
    }
  });
});
lines.on('close', () => {
  queue = queue.then(async () => {
    if (engine) await engine.stop().catch(() => undefined);
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
