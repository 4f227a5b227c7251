// The events pipeline of a running appliance: drains the engine's events on a timer
// (Engine.drainEvents; the engine's ring is bounded, so draining often keeps losses at zero) and
// hands each batch to the hub (queries, live subscribers) and the configured exports: JSON lines,
// syslog (both with subscriber ids protected) and the pcapng of blocked messages (frames as
// received). Sinks write asynchronously; a failing sink is reported through `log`, never stops
// the engine or the other sinks.
import { join } from 'node:path';
import type { ApplianceConfig } from '../config/appliance.js';
import type { Engine, EngineEvent } from '../engine/contract.js';
import { EventFiles } from './files.js';
import { EventHub } from './hub.js';
import { JsonLinesSink } from './jsonl.js';
import { PcapngSink } from './pcapng.js';
import { loadSalt, subscriberIdProtection } from './protect.js';
import { SyslogSink, type SyslogStats } from './syslog.js';

const kDrainIntervalMs = 100;
const kDrainBatch = 4096;
const kMaxBatchesPerPump = 64;
// A pump that found this many events (or half a worker's ring, when smaller) is a burst (a fast
// forensic replay fills a worker's ring in milliseconds and then waits for the drain): the next
// pump comes after kBusyDrainMs, not at the next interval, so the replay is not held back by the
// timer.
const kBusyEvents = 1024;
const kBusyDrainMs = 2;

export interface EventPipelineStats {
  drained: number;
  jsonLines: number;
  pcapngPackets: number;
  syslog?: SyslogStats;
  sinkErrors: number;
}

export class EventPipeline {
  readonly hub: EventHub;
  readonly #engine: Engine;
  readonly #protect: (event: EngineEvent) => EngineEvent;
  readonly #jsonl: JsonLinesSink | undefined;
  readonly #pcapng: PcapngSink | undefined;
  readonly #syslog: SyslogSink | undefined;
  readonly #log: (line: string) => void;
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Timeout | undefined;
  readonly #busyEvents: number;
  #drained = 0;
  #sinkErrors = 0;

  constructor(config: ApplianceConfig, engine: Engine, options: { log?: (line: string) => void } = {}) {
    const events = config.events;
    const salt = events.subscriberIds === 'hash' ? loadSalt(events.saltFile!) : undefined;
    this.#protect = subscriberIdProtection(events.subscriberIds, salt);
    this.hub = new EventHub({ protect: this.#protect });
    this.#engine = engine;
    this.#busyEvents = Math.max(1, Math.min(kBusyEvents, config.rings.events >> 1));
    this.#log = options.log ?? (() => undefined);
    const dir = join(config.dataDir, 'events');
    // One retention over both series: neither deletes the file the other writes, and each
    // reserves room for both open files.
    const files = new EventFiles(dir, events.maxTotalBytes);
    const limits = { dir, maxFileBytes: events.maxFileBytes, maxTotalBytes: events.maxTotalBytes };
    this.#jsonl = events.file ? new JsonLinesSink(limits, files) : undefined;
    this.#pcapng = events.pcapng ? new PcapngSink({ ...limits, application: `sigwall (${config.name})` }, files) : undefined;
    this.#syslog = events.syslog && events.syslogTarget ? new SyslogSink(events.syslogTarget) : undefined;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#tick(), kDrainIntervalMs);
  }

  #tick(): void {
    if (this.#soon) clearTimeout(this.#soon);
    this.#soon = undefined;
    if (this.pump() >= this.#busyEvents && this.#timer) this.#soon = setTimeout(() => this.#tick(), kBusyDrainMs);
  }

  // Drains what the engine has now (bounded per call, so one pump never holds the loop long).
  pump(): number {
    let total = 0;
    for (let i = 0; i < kMaxBatchesPerPump; i++) {
      const events = this.#engine.drainEvents(kDrainBatch);
      if (events.length === 0) break;
      total += events.length;
      this.#dispatch(events);
      if (events.length < kDrainBatch) break;
    }
    return total;
  }

  // Waits until every event drained so far is in the files and handed to syslog.
  async flush(): Promise<void> {
    const failures: string[] = [];
    for (const sink of [this.#jsonl, this.#pcapng, this.#syslog]) {
      try {
        await sink?.flush();
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    if (failures.length > 0) {
      this.#sinkErrors += failures.length;
      for (const failure of failures) this.#log(`events: ${failure}`);
    }
  }

  // A last drain, everything written, syslog closed.
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#soon) clearTimeout(this.#soon);
    this.#timer = undefined;
    this.#soon = undefined;
    this.pump();
    await this.flush();
    await this.#syslog?.close();
  }

  stats(): EventPipelineStats {
    return {
      drained: this.#drained,
      jsonLines: this.#jsonl?.written ?? 0,
      pcapngPackets: this.#pcapng?.written ?? 0,
      ...(this.#syslog ? { syslog: this.#syslog.stats() } : {}),
      sinkErrors: this.#sinkErrors,
    };
  }

  #dispatch(events: EngineEvent[]): void {
    this.#drained += events.length;
    this.hub.publish(events);
    const exported = this.#jsonl || this.#syslog ? events.map(this.#protect) : [];
    this.#jsonl?.write(exported);
    this.#pcapng?.write(events);
    this.#syslog?.write(exported);
    // Surface write failures without waiting for them here.
    if (this.#jsonl || this.#pcapng) void this.flush();
  }
}
