// A control API over a fresh data directory: the demo configuration's policy (the FS.11
// baseline) bootstrapped into a new store, a FakeEngine holding its table, a real EventHub.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { bootstrapPolicy } from '../../src/api/policy-service.js';
import { buildApi, type ApiDeps } from '../../src/api/server.js';
import { parseApplianceConfig, type ApplianceConfig, type ApplianceConfigInput } from '../../src/config/appliance.js';
import { EventHub } from '../../src/events/hub.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { loadPolicy } from '../../src/policy/load.js';
import type { ResolvedPolicy } from '../../src/policy/schema.js';
import { PolicyStore } from '../../src/store/policy-store.js';
import { FakeEngine } from '../support/fake-engine.js';

export const repoRoot = new URL('../..', import.meta.url).pathname;
export const demoCapture = join(repoRoot, 'firmware-config', 'demo', 'demo.pcap');
export const baselinePolicy = join(repoRoot, 'firmware-config', 'policies', 'fs11-baseline.ts');

export interface Harness {
  dir: string;
  config: ApplianceConfig;
  store: PolicyStore;
  engine: FakeEngine;
  events: EventHub;
  app: FastifyInstance;
  logs: string[];
  deps: ApiDeps;
  cleanup(): Promise<void>;
}

export function makeConfig(dir: string, overrides: Partial<ApplianceConfigInput> = {}): ApplianceConfig {
  return parseApplianceConfig(
    {
      name: 'sigwall-test',
      mode: 'offline',
      backend: 'pcap',
      replay: { capture: demoCapture, pace: 'fast' },
      policy: baselinePolicy,
      dataDir: join(dir, 'data'),
      ...overrides,
    },
    join(dir, 'appliance.yaml'),
    dir,
  );
}

export async function makeHarness(options: { dir?: string; overrides?: Partial<ApplianceConfigInput> } = {}): Promise<Harness> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sigwall-api-'));
  const config = makeConfig(dir, options.overrides);
  const store = PolicyStore.open(config.dataDir);
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);
  const { version } = await bootstrapPolicy(config, store, compilePolicy, log);
  const engine = new FakeEngine(version.image, demoCapture);
  await engine.start();
  const events = new EventHub();
  const deps: ApiDeps = { config, engine, store, events, metrics: () => '# HELP sigwall_messages_total Messages\n# TYPE sigwall_messages_total counter\nsigwall_messages_total 1\n', compile: compilePolicy, log };
  const app = buildApi(deps);
  await app.ready();
  return {
    dir,
    config,
    store,
    engine,
    events,
    app,
    logs,
    deps,
    async cleanup() {
      await app.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The baseline as a JSON policy (the resolved policy without rule ids: valid policy input), so
// tests can edit rules and lists as data.
let baselineInput: Record<string, unknown> | undefined;
export async function baselineAsInput(): Promise<{ name: string; rules: { name: string; [key: string]: unknown }[]; lists: Record<string, unknown>; [key: string]: unknown }> {
  if (!baselineInput) {
    const resolved: ResolvedPolicy = await loadPolicy(baselinePolicy);
    baselineInput = JSON.parse(JSON.stringify({ ...resolved, rules: resolved.rules.map(({ id: _id, ...rule }) => rule) })) as Record<string, unknown>;
  }
  return structuredClone(baselineInput) as Awaited<ReturnType<typeof baselineAsInput>>;
}

export function jsonSource(policy: unknown, name = 'candidate.json') {
  return { source: JSON.stringify(policy, null, 2), format: 'json' as const, name };
}
