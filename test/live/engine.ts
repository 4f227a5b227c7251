// The live engine running in namespace M (test/live/engine-driver.mjs), driven from the test.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineCounters, EngineEvent, EngineStatus, EngineSummary } from '../../src/engine/contract.js';
import type { ApplianceConfigInput } from '../../src/config/appliance.js';
import { kRoot, sleep, type Spawned, type Topology } from './harness.js';

const kDriver = join(kRoot, 'test/live/engine-driver.mjs');

/** Why the engine cannot run (dist/ or the addon missing), or undefined. */
export function engineUnavailable(backend: 'afpacket' | 'afxdp'): string | undefined {
  if (!existsSync(join(kRoot, 'dist/engine/live.js'))) return 'dist/engine/live.js is missing: npm run build:ts';
  const addon = process.env.SIGWALL_ADDON ?? join(kRoot, 'build/native/Release/sigwall.node');
  if (!existsSync(addon)) return `the addon ${addon} is missing: npm run build:native`;
  return undefined;
}

export class EngineProcess {
  readonly #p: Spawned;
  readonly #topology: Topology;
  #next = 0;

  private constructor(topology: Topology, p: Spawned) {
    this.#topology = topology;
    this.#p = p;
  }

  static async start(topology: Topology, opts: { config: Partial<ApplianceConfigInput>; table: Uint8Array; inspect?: boolean }): Promise<EngineProcess> {
    const p = topology.spawn(topology.m, process.execPath, [kDriver], { stdin: true });
    const engine = new EngineProcess(topology, p);
    const dataDir = join(topology.scratch, `engine-${p.child.pid}`);
    await engine.request<EngineStatus>('start', { config: opts.config, table: Buffer.from(opts.table).toString('base64'), inspect: opts.inspect ?? true, dataDir });
    return engine;
  }

  get pid(): number {
    return this.#p.child.pid!;
  }

  get stderr(): string[] {
    return this.#p.stderr;
  }

  async request<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    const id = ++this.#next;
    this.#p.child.stdin!.write(JSON.stringify({ id, cmd, ...args }) + '\n');
    const until = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.#p.stdout) {
        if (!line.startsWith(`{"id":${id},`)) continue;
        const answer = JSON.parse(line) as { ok: boolean; result: T; error?: { code: string; message: string } };
        if (!answer.ok) throw Object.assign(new Error(`engine ${cmd}: ${answer.error!.message}`), { code: answer.error!.code });
        return answer.result;
      }
      if (this.#p.child.exitCode !== null || this.#p.child.signalCode !== null) {
        throw new Error(`the engine driver exited (${this.#p.child.exitCode ?? this.#p.child.signalCode}) before answering ${cmd}: ${this.#p.stderr.join('\n')}`);
      }
      if (Date.now() > until) throw new Error(`the engine did not answer ${cmd} within ${timeoutMs} ms`);
      await sleep(10);
    }
  }

  counters(): Promise<EngineCounters> {
    return this.request('counters');
  }

  events(): Promise<EngineEvent[]> {
    return this.request('events', { max: 4096 });
  }

  status(): Promise<EngineStatus> {
    return this.request('status');
  }

  setTable(image: Uint8Array): Promise<{ generation: number }> {
    return this.request('setTable', { table: Buffer.from(image).toString('base64') });
  }

  async stop(): Promise<EngineSummary> {
    const summary = await this.request<EngineSummary>('stop');
    this.#p.child.stdin!.end();
    await this.#topology.kill(this.#p, 'SIGTERM', 5000);
    return summary;
  }

  /** SIGKILL: no stop(), no cleanup; whatever the engine attached stays behind. */
  async kill(): Promise<void> {
    await this.#topology.kill(this.#p, 'SIGKILL');
  }

  /** Waits until the counters satisfy `done` (polling), returns the last counters. */
  async waitCounters(done: (c: EngineCounters) => boolean, timeoutMs: number): Promise<EngineCounters> {
    const until = Date.now() + timeoutMs;
    let counters = await this.counters();
    while (!done(counters) && Date.now() < until) {
      await sleep(50);
      counters = await this.counters();
    }
    return counters;
  }
}
