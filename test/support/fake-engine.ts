// An Engine for API tests: the whole contract, without threads or timers. It classifies a
// capture with its table (the native classifier through decodeCapture) when started, so its
// counters are real verdict counts; setTable validates the image the way the engine's loader
// does (SIGWALL_ERR_TABLE for an image the native loader refuses) and records every call.
import { readFileSync } from 'node:fs';
import { decodeCapture } from '../../src/dataplane/decoder.js';
import { emptyEngineCounters, type Engine, type EngineCounters, type EngineEvent, type EngineState, type EngineStatus, type EngineSummary } from '../../src/engine/contract.js';
import { readTableImageInfo as describeTable } from '../../src/engine/image-info.js';
import { SigwallError } from '../../src/errors.js';

function emptyCounters(ruleIds: string[]): EngineCounters {
  return { ...emptyEngineCounters(ruleIds), perWorker: [{ worker: 0, packets: 0, messages: 0, eventsLost: 0, ringDrops: 0 }] };
}

export class FakeEngine implements Engine {
  // Every setTable call, accepted or not, in order.
  readonly setTableCalls: { sha256: string | undefined; accepted: boolean }[] = [];
  // Makes the next setTable calls fail as a data plane would (e.g. a worker that never quiesces).
  failSetTable: SigwallError | undefined;
  #state: EngineState = 'stopped';
  #image: Uint8Array;
  #generation = 1;
  #startedAt: Date | undefined;
  #counters: EngineCounters;
  readonly #capture: Uint8Array | undefined;
  readonly #listeners = new Set<(status: EngineStatus) => void>();
  #events: EngineEvent[] = [];

  constructor(image: Uint8Array, capturePath?: string) {
    this.#image = image;
    this.#capture = capturePath ? new Uint8Array(readFileSync(capturePath)) : undefined;
    this.#counters = emptyCounters(describeTable(image).rules.map((rule) => rule.id));
  }

  get image(): Uint8Array {
    return this.#image;
  }

  async start(): Promise<void> {
    if (this.#state === 'running') throw new SigwallError('SIGWALL_ERR_ENGINE', 'already running');
    this.#state = 'running';
    this.#startedAt = new Date();
    if (this.#capture) this.#classify(this.#capture);
  }

  async stop(): Promise<EngineSummary> {
    this.#state = 'stopped';
    return { status: this.status(), counters: this.counters() };
  }

  status(): EngineStatus {
    const info = describeTable(this.#image);
    return {
      state: this.#state,
      mode: 'offline',
      backend: 'pcap',
      workers: 1,
      ports: [{ name: 'capture', role: 'capture' }],
      ...(this.#startedAt ? { startedAt: this.#startedAt.toISOString() } : {}),
      uptimeSeconds: this.#startedAt && this.#state === 'running' ? (Date.now() - this.#startedAt.getTime()) / 1000 : 0,
      table: { generation: this.#generation, sha256: info.sha256, policyName: info.policyName, rules: info.rules.length },
    };
  }

  counters(): EngineCounters {
    return structuredClone(this.#counters);
  }

  async setTable(image: Uint8Array): Promise<{ generation: number }> {
    if (this.failSetTable) {
      this.setTableCalls.push({ sha256: undefined, accepted: false });
      throw this.failSetTable;
    }
    let info: ReturnType<typeof describeTable>;
    try {
      // The native loader is the judge (bounds, CRC, registry hash), as in the real engines.
      if (this.#capture) decodeCapture(this.#capture.subarray(0, 24), { table: image });
      info = describeTable(image);
    } catch (error) {
      this.setTableCalls.push({ sha256: undefined, accepted: false });
      throw error;
    }
    this.setTableCalls.push({ sha256: info.sha256, accepted: true });
    this.#image = image;
    this.#generation++;
    // Counters indexed by rule follow the new table's rule order, as a live engine's do.
    const previous = this.#counters;
    this.#counters = { ...emptyCounters(info.rules.map((rule) => rule.id)), packets: previous.packets, bytes: previous.bytes, messages: previous.messages, verdicts: { ...previous.verdicts } };
    return { generation: this.#generation };
  }

  drainEvents(max = 1024): EngineEvent[] {
    return this.#events.splice(0, max);
  }

  // Test helper: events as the engine would produce them.
  pushEvents(events: EngineEvent[]): void {
    this.#events.push(...events);
  }

  onStateChange(listener: (status: EngineStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #classify(capture: Uint8Array): void {
    const { records, stats } = decodeCapture(capture, { table: this.#image });
    const counters = this.#counters;
    counters.packets += stats.frames;
    counters.bytes += stats.bytes;
    for (const record of records) {
      counters.messages++;
      if (record.status === 'malformed') counters.malformed++;
      const verdict = record.verdict;
      if (!verdict) continue;
      counters.verdicts[verdict.action]++;
      const index = counters.ruleIds.indexOf(verdict.rule);
      if (index >= 0) counters.ruleHits[index]!++;
      if (verdict.category !== undefined) counters.categories[verdict.category === 'custom' ? 'custom' : (`cat${verdict.category}` as 'cat1' | 'cat2' | 'cat3')]++;
      counters.shadowHits += verdict.shadowHits.length;
    }
    counters.perWorker[0] = { worker: 0, packets: counters.packets, messages: counters.messages, eventsLost: 0, ringDrops: 0 };
  }
}
