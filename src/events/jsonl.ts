// Events as JSON lines, one event per line, in <dataDir>/events/events-YYYY-MM-DD[.N].jsonl (the
// day of the event's time, UTC), rotated by size, the directory's total bounded (files.ts).
// Events arrive already protected (subscriber ids masked or hashed by configuration). Each
// batch becomes one append per file it touches.
import type { EngineEvent } from '../engine/contract.js';
import { WriteChain } from './write-chain.js';
import { dayOf, ensureDirectory, EventFiles, RotatingSeries } from './files.js';

export interface JsonLinesSinkOptions {
  dir: string;
  maxFileBytes: number;
  maxTotalBytes: number;
}

export class JsonLinesSink {
  readonly #series: RotatingSeries;
  readonly #options: JsonLinesSinkOptions;
  readonly #chain: WriteChain<EngineEvent>;
  #written = 0;
  #retentionChecked = false; // the first write of a run checks what earlier runs left
  readonly #files: EventFiles; // shared with the other series of the directory, for retention

  constructor(options: JsonLinesSinkOptions, files: EventFiles = new EventFiles(options.dir, options.maxTotalBytes)) {
    ensureDirectory(options.dir);
    this.#options = options;
    this.#files = files;
    this.#series = files.add(new RotatingSeries(options.dir, 'events', 'jsonl', options.maxFileBytes));
    this.#chain = new WriteChain(`events file in ${options.dir}`, options.dir, (batch) => this.#append(batch));
  }

  get written(): number {
    return this.#written;
  }

  // Queues a batch; write() never waits on the disk, flush() does.
  write(events: readonly EngineEvent[]): void {
    if (events.length === 0) return;
    this.#chain.queue([...events]);
  }

  flush(): Promise<void> {
    return this.#chain.flush();
  }

  async #append(events: EngineEvent[]): Promise<void> {
    let lines: string[] = [];
    let bytes = 0;
    let day = '';
    let room = 0; // what the file this group goes to can still take
    let startedFile = false;
    const put = async () => {
      if (lines.length === 0) return;
      const text = lines.join('');
      const previous = this.#series.currentName;
      const { name, fresh } = this.#series.target(day, bytes);
      if (fresh || !this.#retentionChecked) startedFile = true;
      if (previous !== undefined && previous !== name) this.#files.writing.delete(previous);
      this.#files.writing.add(name);
      await this.#series.append(name, text);
      this.#written += lines.length;
      lines = [];
      bytes = 0;
    };
    for (const event of events) {
      const line = JSON.stringify(event) + '\n';
      const length = Buffer.byteLength(line);
      const eventDay = dayOf(event.time);
      // A new day, or a line the file cannot take: write this group first (files fill up to
      // the limit; a line is never split).
      if (lines.length > 0 && (eventDay !== day || bytes + length > room)) await put();
      if (lines.length === 0) {
        day = eventDay;
        room = this.#series.room(day, length);
      }
      lines.push(line);
      bytes += length;
    }
    await put();
    if (startedFile) {
      this.#retentionChecked = true;
      this.#files.enforce();
    }
  }
}
