// Decoding captures with the native path: the typed, error-class-throwing face of the addon.
import { z } from 'zod';
import { CaptureError, SigwallError } from '../errors.js';
import type { MessageRecord } from '../decode/record.js';
import { nativeAddon, type DecodeStats, type NativeBenchResult, type NativeCaptureDecoder } from './native.js';

export const DecodeOptions = z
  .object({
    verifyCrc: z.boolean().default(true),
    mtp3Variant: z.enum(['itu', 'japan', 'ansi']).default('itu'),
    // SSNs on which TCAP without an application context is CAP (Wireshark's camel.tcap.ssn).
    capSsns: z.array(z.number().int().min(0).max(255)).max(8).default([146]),
    // A compiled table image (src/policy/compile.ts): each record then carries the native
    // classifier's `verdict`. Loaded and validated once; an invalid image is SIGWALL_ERR_TABLE.
    // (Any Uint8Array: z.instanceof would type it Uint8Array<ArrayBuffer> and refuse, at compile
    // time, the images compilePolicy returns.)
    table: z.custom<Uint8Array>((value) => value instanceof Uint8Array, { message: 'table must be a Uint8Array' }).optional(),
    // The side the capture's messages arrived from (the policy field ingress.side).
    ingressSide: z.enum(['external', 'internal']).default('external'),
  })
  .strict();
export type DecodeOptions = z.input<typeof DecodeOptions>;

function nativeOptions(options: DecodeOptions | undefined) {
  const parsed = DecodeOptions.safeParse(options ?? {});
  if (!parsed.success) {
    throw new SigwallError('SIGWALL_ERR_OPTIONS', `invalid decode options: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

// The addon throws {code: 'SIGWALL_ERR_TABLE'} when it refuses a table image.
function withTableErrors<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SIGWALL_ERR_TABLE') throw new SigwallError('SIGWALL_ERR_TABLE', (error as Error).message);
    throw error;
  }
}

export interface DecodeProgress {
  offset: number;
  size: number;
  frames: number;
  messages: number;
}

// Streams the records of a capture in batches. A capture error ends the stream with a
// CaptureError (naming `file` and the offset) after every record decoded before it.
export function* decodeCaptureRecords(
  capture: Uint8Array,
  options?: DecodeOptions & { file?: string; batchSize?: number; onProgress?: (progress: DecodeProgress) => void },
): Generator<MessageRecord, DecodeStats, void> {
  const { file, batchSize, onProgress, ...decodeOptions } = options ?? {};
  const decoder = withTableErrors(() => new (nativeAddon().CaptureDecoder)(capture, nativeOptions(decodeOptions)));
  let messages = 0;
  for (;;) {
    const batch = decoder.decodeBatch(batchSize ?? 4096);
    for (const record of batch.records) yield record;
    messages += batch.records.length;
    onProgress?.({ offset: batch.offset, size: capture.byteLength, frames: batch.frames, messages });
    if (batch.error) throw new CaptureError(batch.error.message, batch.error.offset, file);
    if (batch.done) return decoder.stats();
  }
}

// A capture decoded batch by batch under the caller's control, for a data plane that swaps its
// policy while traffic flows: setTable() takes effect from the next batch, and an image the
// loader refuses (SIGWALL_ERR_TABLE) leaves the current table in use.
export class BatchDecoder {
  readonly #native: NativeCaptureDecoder;
  readonly #file: string | undefined;

  constructor(capture: Uint8Array, options?: DecodeOptions & { file?: string }) {
    const { file, ...decodeOptions } = options ?? {};
    this.#file = file;
    this.#native = withTableErrors(() => new (nativeAddon().CaptureDecoder)(capture, nativeOptions(decodeOptions)));
  }

  // Up to about maxRecords records (a frame's records are never split); a capture error is
  // thrown as a CaptureError once the records before it have been returned.
  decodeBatch(maxRecords = 4096): { records: MessageRecord[]; done: boolean } {
    const batch = this.#native.decodeBatch(maxRecords);
    if (batch.error && batch.records.length === 0) throw new CaptureError(batch.error.message, batch.error.offset, this.#file);
    return { records: batch.records, done: batch.done && !batch.error };
  }

  setTable(table: Uint8Array): void {
    if (!(table instanceof Uint8Array)) throw new SigwallError('SIGWALL_ERR_OPTIONS', 'table must be a Uint8Array');
    withTableErrors(() => this.#native.setTable(table));
  }

  stats(): DecodeStats {
    return this.#native.stats();
  }
}

// The whole capture at once: the records and the pipeline's counters.
export function decodeCapture(
  capture: Uint8Array,
  options?: DecodeOptions & { file?: string },
): { records: MessageRecord[]; stats: DecodeStats } {
  const records: MessageRecord[] = [];
  const iterator = decodeCaptureRecords(capture, options);
  for (;;) {
    const step = iterator.next();
    if (step.done) return { records, stats: step.value };
    records.push(step.value);
  }
}

export function benchDecode(capture: Uint8Array, iterations: number, options?: DecodeOptions): NativeBenchResult {
  const result = withTableErrors(() => nativeAddon().benchDecode(capture, iterations, nativeOptions(options)));
  if (result.error) throw new CaptureError(result.error.message, result.error.offset);
  return result;
}

export function anomalyCatalog() {
  return nativeAddon().anomalyCatalog();
}

export function operationNames() {
  return nativeAddon().operationNames();
}
