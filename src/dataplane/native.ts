// Loads the native addon (built by cmake-js into build/native/Release) and describes its
// surface. The native object is never the public API: src/dataplane wraps it.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SigwallError } from '../errors.js';
import type { MessageRecord } from '../decode/record.js';

export interface NativeDecodeOptions {
  verifyCrc?: boolean;
  mtp3Variant?: 'itu' | 'japan' | 'ansi';
  capSsns?: number[];
  // A compiled table image (src/policy/compile.ts): every record gets a `verdict`.
  table?: Uint8Array;
  ingressSide?: 'external' | 'internal';
}

export interface NativeCaptureErrorInfo {
  code: string;
  message: string;
  offset: number;
}

export interface NativeBatch {
  records: MessageRecord[];
  done: boolean;
  offset: number;
  frames: number;
  error?: NativeCaptureErrorInfo;
}

export interface NativeCaptureDecoder {
  decodeBatch(maxRecords: number): NativeBatch;
  // Replaces the table from the next batch on; an invalid image throws {code: 'SIGWALL_ERR_TABLE'}
  // and the current table stays in use.
  setTable(table: Uint8Array): void;
  stats(): DecodeStats;
}

export interface DecodeStats {
  frames: number;
  bytes: number;
  nonIp: number;
  nonSctp: number;
  ipFragments: number;
  sctpPackets: number;
  sctpBadCrc: number;
  dataChunks: number;
  messages: number;
  tcapMessages: number;
  malformedFrames: number;
  sctpReassembled: number;
  sctpReassemblyBoundHits: number;
  sctpReassemblySequenceErrors: number;
  sctpReassemblyTimedOut: number;
  sctpReassemblyDuplicates: number;
  sccpReassembled: number;
  sccpReassemblyBoundHits: number;
  sccpReassemblySequenceErrors: number;
  sccpReassemblyTimedOut: number;
  anomalies: Record<string, number>;
}

export interface NativeBenchResult {
  frames: number;
  messages: number;
  components: number;
  nanoseconds: number;
  // With a table: the part of `nanoseconds` spent classifying, and the verdicts by action.
  classifyNanoseconds?: number;
  actions?: { allow: number; drop: number; alert: number };
  error?: NativeCaptureErrorInfo;
}

export interface NativeAddon {
  CaptureDecoder: new (capture: Uint8Array, options?: NativeDecodeOptions) => NativeCaptureDecoder;
  benchDecode(capture: Uint8Array, iterations: number, options?: NativeDecodeOptions): NativeBenchResult;
  anomalyCatalog(): { name: string; description: string }[];
  operationNames(): { map: Record<string, string>; cap: Record<string, string> };
}

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const addonPath = process.env.SIGWALL_ADDON ?? join(projectRoot, 'build', 'native', 'Release', 'sigwall.node');

let loaded: NativeAddon | undefined;

export function nativeAddon(): NativeAddon {
  if (loaded) return loaded;
  if (!existsSync(addonPath)) {
    throw new SigwallError('SIGWALL_ERR_ADDON', `native addon not found at ${addonPath}: run \`npm run build:native\``);
  }
  try {
    loaded = createRequire(import.meta.url)(addonPath) as NativeAddon;
  } catch (error) {
    throw new SigwallError('SIGWALL_ERR_ADDON', `native addon at ${addonPath} failed to load: ${(error as Error).message}`);
  }
  return loaded;
}
