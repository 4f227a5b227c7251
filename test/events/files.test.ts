// The JSON-lines files: one per day, rotated by size with a numeric suffix, the directory's
// total bounded by deleting the oldest; one line per event, every event exactly once.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineEvent } from '../../src/engine/contract.js';
import { EventFiles, parseEventFileName } from '../../src/events/files.js';
import { PcapngSink } from '../../src/events/pcapng.js';
import { JsonLinesSink } from '../../src/events/jsonl.js';
import { sampleEvent } from './support.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigwall-events-'));
  dirs.push(dir);
  return dir;
}

function readLines(dir: string, names: string[]): EngineEvent[] {
  return names.flatMap((name) =>
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => EngineEvent.parse(JSON.parse(line))),
  );
}

describe('JsonLinesSink', () => {
  it('writes one line per event into the file of the event day, in order', async () => {
    const dir = scratch();
    const sink = new JsonLinesSink({ dir, maxFileBytes: 1 << 20, maxTotalBytes: 1 << 30 });
    const nextDay = Date.UTC(2026, 11, 5, 0, 0, 1) - Date.UTC(2026, 11, 4, 12, 0, 0);
    sink.write([sampleEvent(1), sampleEvent(2)]);
    sink.write([sampleEvent(3), sampleEvent(nextDay)]);
    await sink.flush();
    expect(readdirSync(dir).sort()).toEqual(['events-2026-12-04.jsonl', 'events-2026-12-05.jsonl']);
    expect(readLines(dir, ['events-2026-12-04.jsonl']).map((e) => e.id)).toEqual(['0-1', '0-2', '0-3']);
    expect(readLines(dir, ['events-2026-12-05.jsonl']).map((e) => e.id)).toEqual([`0-${nextDay}`]);
    expect(sink.written).toBe(4);
  });

  it('rotates by size with a numeric suffix, never splitting a line, and a new run continues the last file', async () => {
    const dir = scratch();
    // Frames 10..38: every line the same length.
    const lineBytes = JSON.stringify(sampleEvent(10)).length + 1;
    const maxFileBytes = lineBytes * 10 + 5; // ten lines fit, not eleven
    const sink = new JsonLinesSink({ dir, maxFileBytes, maxTotalBytes: 1 << 30 });
    for (let batch = 0; batch < 7; batch++) sink.write(Array.from({ length: 4 }, (_, i) => sampleEvent(batch * 4 + i + 10)));
    await sink.flush();
    const names = readdirSync(dir).sort((a, b) => parseEventFileName(a)!.part - parseEventFileName(b)!.part);
    expect(names).toEqual(['events-2026-12-04.jsonl', 'events-2026-12-04.1.jsonl', 'events-2026-12-04.2.jsonl']);
    for (const name of names) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(maxFileBytes);
    // Batches of 4 split where a file is full: 10 + 10 + 8.
    expect(names.map((name) => readLines(dir, [name]).length)).toEqual([10, 10, 8]);
    expect(readLines(dir, names).map((e) => e.frame)).toEqual(Array.from({ length: 28 }, (_, i) => i + 10));

    const again = new JsonLinesSink({ dir, maxFileBytes, maxTotalBytes: 1 << 30 });
    again.write([sampleEvent(38)]);
    await again.flush();
    expect(readdirSync(dir)).toHaveLength(3);
    expect(readLines(dir, ['events-2026-12-04.2.jsonl']).map((e) => e.frame)).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38]);
  });

  it('keeps the directory under the total bound by deleting the oldest files, never the one being written', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'events-2026-12-01.jsonl'), 'x'.repeat(3000) + '\n');
    writeFileSync(join(dir, 'blocked-2026-12-02.pcapng'), 'y'.repeat(3000));
    writeFileSync(join(dir, 'unrelated.txt'), 'kept');
    const lineBytes = JSON.stringify(sampleEvent(1)).length + 1;
    const maxFileBytes = Math.max(4096, lineBytes * 5);
    const maxTotalBytes = maxFileBytes * 3;
    const sink = new JsonLinesSink({ dir, maxFileBytes, maxTotalBytes });
    for (let i = 0; i < 40; i++) sink.write([sampleEvent(i + 1)]);
    await sink.flush();
    const names = readdirSync(dir);
    const eventFiles = names.filter((name) => parseEventFileName(name));
    const total = eventFiles.reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
    expect(total).toBeLessThanOrEqual(maxTotalBytes);
    expect(names).toContain('unrelated.txt');
    expect(names).not.toContain('events-2026-12-01.jsonl');
    expect(names).not.toContain('blocked-2026-12-02.pcapng');
    // What is left is the newest events, contiguous up to the last one written.
    const parts = eventFiles.sort((a, b) => parseEventFileName(a)!.part - parseEventFileName(b)!.part);
    const frames = readLines(dir, parts).map((e) => e.frame);
    expect(frames.at(-1)).toBe(40);
    expect(frames).toEqual(Array.from({ length: frames.length }, (_, i) => 40 - frames.length + 1 + i));
  });

  it('JSON lines and pcapng share one bound, held after every batch, never deleting an open file', async () => {
    const dir = scratch();
    const maxFileBytes = 8192;
    const maxTotalBytes = 5 * maxFileBytes;
    const files = new EventFiles(dir, maxTotalBytes);
    const jsonl = new JsonLinesSink({ dir, maxFileBytes, maxTotalBytes }, files);
    const pcapng = new PcapngSink({ dir, maxFileBytes, maxTotalBytes }, files);
    const frame = Buffer.alloc(300, 0xab).toString('base64');
    const total = () => readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
    let written = 0;
    for (let batch = 0; batch < 40; batch++) {
      const events = Array.from({ length: 7 }, (_, i) => sampleEvent(++written, { packet: { linkType: 1, originalLength: 300, base64: frame } }));
      jsonl.write(events);
      pcapng.write(events);
      await jsonl.flush();
      await pcapng.flush();
      expect(total()).toBeLessThanOrEqual(maxTotalBytes);
    }
    const names = readdirSync(dir);
    expect(names.some((name) => name.endsWith('.jsonl'))).toBe(true);
    expect(names.some((name) => name.endsWith('.pcapng'))).toBe(true);
    // The newest event is in both series: the open files survived.
    expect(names.filter((name) => name.endsWith('.jsonl')).some((name) => readFileSync(join(dir, name), 'utf8').includes(`"id":"0-${written}"`))).toBe(true);
    expect(names.filter((name) => name.endsWith('.pcapng')).some((name) => readFileSync(join(dir, name)).includes(`event=0-${written} `))).toBe(true);
  });

  it('reports a directory it cannot write as SIGWALL_ERR_STORE', async () => {
    const dir = scratch();
    const sink = new JsonLinesSink({ dir, maxFileBytes: 1 << 20, maxTotalBytes: 1 << 30 });
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'not a directory');
    sink.write([sampleEvent(1)]);
    await expect(sink.flush()).rejects.toMatchObject({ code: 'SIGWALL_ERR_STORE' });
    rmSync(dir);
  });
});
