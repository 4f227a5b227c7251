// The real captures in ../shared/captures and, per capture, the tshark preferences its
// README lists ("tshark options needed") with the sigwall decode options that mean the same.
// The README is the one place a capture's preferences are written down; this reads its table.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// Data only, never copied into the repository; absent in a user's clone (captures/README.md).
export const capturesDir = resolve(repoRoot, '..', 'shared', 'captures');

/** What sigwall's decodeCapture needs to decode a capture as tshark does with its preferences. */
export interface CaptureDecodeOptions {
  // tshark verifies no SCTP checksum by default (sctp.checksum: none) and several captures carry
  // a zero checksum, so the comparison decodes without verification as well. CRC handling is
  // covered by the native SCTP tests.
  verifyCrc: false;
  capSsns?: number[];
  mtp3Variant?: 'itu' | 'japan' | 'ansi';
  m3uaDraft6?: boolean;
}

export interface CaptureCase {
  name: string; // path under captures/, e.g. 'sigcorr/camel.pcap'
  file: string; // absolute path
  prefs: string[]; // tshark preferences "name:value"
  options: CaptureDecodeOptions;
}

export class CaptureListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureListError';
  }
}

const MTP3_STANDARDS: Record<string, CaptureDecodeOptions['mtp3Variant']> = { ITU: 'itu', Japan: 'japan', ANSI: 'ansi' };

/** The decode options matching tshark preferences; an unknown preference is an error, not ignored. */
export function decodeOptionsFor(prefs: readonly string[]): CaptureDecodeOptions {
  const options: CaptureDecodeOptions = { verifyCrc: false };
  for (const pref of prefs) {
    const colon = pref.indexOf(':');
    const name = pref.slice(0, colon);
    const value = pref.slice(colon + 1);
    if (name === 'camel.tcap.ssn') {
      options.capSsns = value.split(',').map((ssn) => {
        const number = Number(ssn.trim());
        if (!Number.isInteger(number)) throw new CaptureListError(`bad SSN "${ssn}" in ${pref}`);
        return number;
      });
    } else if (name === 'mtp3.standard' && MTP3_STANDARDS[value]) {
      options.mtp3Variant = MTP3_STANDARDS[value];
    } else if (name === 'm3ua.version' && value === 'Internet Draft version 6') {
      options.m3uaDraft6 = true;
    } else {
      throw new CaptureListError(`no sigwall decode option corresponds to the tshark preference "${pref}"`);
    }
  }
  return options;
}

function captureFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...captureFiles(path));
    else if (/\.(pcap|pcapng|cap)$/i.test(entry)) files.push(path);
  }
  return files;
}

/** The README's table: capture name -> tshark preferences (from its `-o name:value` options). */
export function readCaptureTable(readme: string): Map<string, string[]> {
  const table = new Map<string, string[]>();
  let optionsColumn = -1;
  for (const line of readme.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').map((cell) => cell.trim());
    const header = cells.findIndex((cell) => cell === 'tshark options needed');
    if (header >= 0) {
      optionsColumn = header;
      continue;
    }
    const name = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!name || optionsColumn < 0 || !/\.(pcap|pcapng|cap)$/i.test(name)) continue;
    const options = cells[optionsColumn] ?? '';
    const prefs = [...options.matchAll(/-o\s+([^`]+?)`/g)].map((match) => (match[1] ?? '').trim());
    table.set(name, prefs);
  }
  return table;
}

/** Every capture under `dir`, with its preferences from the README (files it does not list are reported). */
export function loadCaptureCases(dir = capturesDir): { cases: CaptureCase[]; unlisted: string[]; missing: string[] } {
  const readmePath = join(dir, 'README.md');
  if (!existsSync(readmePath)) throw new CaptureListError(`${readmePath} not found`);
  const table = readCaptureTable(readFileSync(readmePath, 'utf8'));
  const files = captureFiles(dir).map((file) => relative(dir, file).split('\\').join('/')).sort();
  const cases: CaptureCase[] = [];
  const unlisted: string[] = [];
  for (const name of files) {
    const prefs = table.get(name);
    if (prefs === undefined) unlisted.push(name);
    cases.push({ name, file: join(dir, name), prefs: prefs ?? [], options: decodeOptionsFor(prefs ?? []) });
  }
  const missing = [...table.keys()].filter((name) => !files.includes(name));
  return { cases, unlisted, missing };
}
