// `sigwall replay <capture> [--json]`: every SS7 message of a capture, decoded by the native
// path, as a readable table with a summary, or as JSON lines (one MessageRecord per line).
import { readFileSync } from 'node:fs';
import { SigwallError } from '../errors.js';
import { decodeCaptureRecords, type DecodeOptions } from '../dataplane/decoder.js';
import type { DecodeStats } from '../dataplane/native.js';
import type { MessageRecord } from '../decode/record.js';
import { formatRecordRow, recordTableHeader, ReplaySummary } from './replay-format.js';

export interface ReplayOptions {
  json: boolean;
  decode: DecodeOptions;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

const kProgressMinBytes = 8 * 1024 * 1024;

export function readCapture(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new SigwallError('SIGWALL_ERR_FILE', `cannot read capture ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function replay(path: string, options: ReplayOptions): { summary: ReplaySummary; stats: DecodeStats } {
  const capture = readCapture(path);
  const summary = new ReplaySummary();
  const showProgress = options.err.isTTY === true && capture.byteLength >= kProgressMinBytes;
  const records = decodeCaptureRecords(capture, {
    ...options.decode,
    file: path,
    onProgress: showProgress
      ? (p) => options.err.write(`\r${((100 * p.offset) / p.size).toFixed(0).padStart(3)}%  ${p.frames} frames  ${p.messages} messages`)
      : undefined,
  });
  if (!options.json) options.out.write(recordTableHeader(options.decode.table !== undefined) + '\n');
  let stats: DecodeStats;
  try {
    for (;;) {
      const step = records.next();
      if (step.done) {
        stats = step.value;
        break;
      }
      const record: MessageRecord = step.value;
      summary.add(record);
      options.out.write((options.json ? JSON.stringify(record) : formatRecordRow(record)) + '\n');
    }
  } finally {
    if (showProgress) options.err.write('\r\x1b[K');
  }
  if (!options.json) options.out.write('\n' + summary.format(stats) + '\n');
  return { summary, stats };
}
