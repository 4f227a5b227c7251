// Event files in <dataDir>/events: one series per day, `<prefix>-YYYY-MM-DD.<ext>`, then
// `<prefix>-YYYY-MM-DD.1.<ext>`, `.2`, ... as each reaches the size limit; the directory's total
// is kept under a bound by deleting the oldest files (by day, then number) of every series.
// Writes are appends of whole batches, serialised, so a line or a pcapng block is never split
// between files or interleaved with another write.
import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SigwallError } from '../errors.js';

const kEventFile = /^(events|blocked)-(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.(jsonl|pcapng)$/;

export interface EventFileName {
  prefix: string;
  day: string;
  part: number;
  ext: string;
}

export function parseEventFileName(name: string): EventFileName | undefined {
  const match = kEventFile.exec(name);
  if (!match) return undefined;
  return { prefix: match[1]!, day: match[2]!, part: match[3] === undefined ? 0 : Number(match[3]), ext: match[4]! };
}

export function eventFileName(prefix: string, day: string, part: number, ext: string): string {
  return part === 0 ? `${prefix}-${day}.${ext}` : `${prefix}-${day}.${part}.${ext}`;
}

// The UTC day of an event time (ISO 8601).
export function dayOf(time: string): string {
  return time.slice(0, 10);
}

export function ensureDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o750 });
  } catch (error) {
    throw new SigwallError('SIGWALL_ERR_STORE', `${dir}: cannot create the events directory: ${(error as Error).message}`, { file: dir });
  }
}

// Deletes the oldest event files until the directory's event files, plus `reserve` bytes, total
// at most maxTotalBytes. Files in `keep` (those being written) are never deleted. Run when a
// file is started, with `reserve` = the room that file may still grow into, it keeps the bound
// at every moment without a directory scan per write. Returns the names deleted.
export function enforceRetention(dir: string, maxTotalBytes: number, keep: ReadonlySet<string>, reserve = 0): string[] {
  const files: { name: string; parsed: EventFileName; size: number }[] = [];
  for (const name of readdirSync(dir)) {
    const parsed = parseEventFileName(name);
    if (!parsed) continue;
    try {
      files.push({ name, parsed, size: statSync(join(dir, name)).size });
    } catch {
      // Deleted meanwhile.
    }
  }
  let total = files.reduce((sum, file) => sum + file.size, 0);
  files.sort((a, b) => a.parsed.day.localeCompare(b.parsed.day) || a.parsed.part - b.parsed.part || a.name.localeCompare(b.name));
  const deleted: string[] = [];
  for (const file of files) {
    if (total + reserve <= maxTotalBytes) break;
    if (keep.has(file.name)) continue;
    try {
      unlinkSync(join(dir, file.name));
      total -= file.size;
      deleted.push(file.name);
    } catch {
      // Already gone.
    }
  }
  return deleted;
}

// One series (`prefix`, `ext`): which file a batch for a given day goes to, and its size.
export class RotatingSeries {
  #current: { day: string; part: number; size: number } | undefined;

  // resume: continue the last file a previous run left for the day (JSON lines); otherwise a
  // run starts a new file (pcapng: a file's header and interfaces belong to the run that wrote it).
  constructor(
    readonly dir: string,
    readonly prefix: string,
    readonly ext: string,
    readonly maxFileBytes: number,
    readonly resume = true,
  ) {}

  // Ends the current file: the next target() for that day starts the next part.
  next(): void {
    if (this.#current) this.#current = { day: this.#current.day, part: this.#current.part + 1, size: 0 };
  }

  // Bytes the current file may still grow by before it rotates (0 before the first file).
  get headroom(): number {
    return this.#current ? Math.max(0, this.maxFileBytes - this.#current.size) : 0;
  }

  get currentName(): string | undefined {
    return this.#current ? eventFileName(this.prefix, this.#current.day, this.#current.part, this.ext) : undefined;
  }

  // The file to append `bytes` to for events of `day`, and whether it is a new (empty) file.
  // A file is never left empty: a batch bigger than the limit still goes into one file.
  target(day: string, bytes: number): { name: string; fresh: boolean } {
    this.#open(day);
    if (this.#current!.size > 0 && this.#current!.size + bytes > this.maxFileBytes) {
      this.#current = { day, part: this.#current!.part + 1, size: 0 };
    }
    return { name: eventFileName(this.prefix, day, this.#current!.part, this.ext), fresh: this.#current!.size === 0 };
  }

  // Bytes the file for `day` can still take (a whole file's worth when it would rotate).
  room(day: string, bytes: number): number {
    this.#open(day);
    const size = this.#current!.size;
    return size > 0 && size + bytes > this.maxFileBytes ? this.maxFileBytes : this.maxFileBytes - size;
  }

  #open(day: string): void {
    if (!this.#current || this.#current.day !== day) {
      // Pick up after what a previous run left for that day: its last part, if not full.
      let part = -1;
      let size = 0;
      for (const name of readdirSync(this.dir)) {
        const parsed = parseEventFileName(name);
        if (!parsed || parsed.prefix !== this.prefix || parsed.ext !== this.ext || parsed.day !== day || parsed.part <= part) continue;
        part = parsed.part;
        size = statSync(join(this.dir, name)).size;
      }
      if (part < 0) this.#current = { day, part: 0, size: 0 };
      else if (this.resume) this.#current = { day, part, size };
      else this.#current = { day, part: part + 1, size: 0 };
    }
  }

  async append(name: string, bytes: Uint8Array | string): Promise<void> {
    await appendFile(join(this.dir, name), bytes, { mode: 0o640 });
    if (this.#current && this.currentName === name) this.#current.size += typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
  }
}

// The event files of one directory across series (JSON lines, pcapng): the names being written
// (never deleted) and the series whose open files may still grow, so that retention run by any
// of them reserves room for all.
export class EventFiles {
  readonly writing = new Set<string>();
  readonly #series: RotatingSeries[] = [];

  constructor(
    readonly dir: string,
    readonly maxTotalBytes: number,
  ) {}

  add(series: RotatingSeries): RotatingSeries {
    this.#series.push(series);
    return series;
  }

  enforce(): string[] {
    const reserve = this.#series.reduce((sum, series) => sum + series.headroom, 0);
    return enforceRetention(this.dir, this.maxTotalBytes, this.writing, reserve);
  }
}
