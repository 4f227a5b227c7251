// Runs tshark, the oracle, over captures the builder wrote to a temporary directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { encodePcap, encodePcapng, type CapturedPacket, LINKTYPE } from '../../src/builder/index.js';

export const HAVE_TSHARK = ((): boolean => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

if (!HAVE_TSHARK) console.warn('tshark not found: the builder tests that need it are skipped');

/** Preferences for every run: TSN analysis off (captures-README), CRC32c and IPv4 checksums verified. */
export const PREFS = ['-n', '-o', 'sctp.tsn_analysis:FALSE', '-o', 'sctp.checksum:crc-32c', '-o', 'ip.check_checksum:TRUE'];

/** A temporary directory, created on first use (a fully skipped file creates none). */
export class TempDir {
  private dir: string | undefined;
  private n = 0;

  get path(): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'sigwall-builder-'));
    return this.dir;
  }

  write(bytes: Uint8Array, ext = 'pcap'): string {
    const file = join(this.path, `c${++this.n}.${ext}`);
    writeFileSync(file, bytes);
    return file;
  }

  /** Frames (Ethernet unless said otherwise) into a classic pcap at 1 ms spacing. */
  pcap(frames: readonly Uint8Array[], linkType: number = LINKTYPE.ethernet): string {
    let t = 1_768_467_600_000_000_000n;
    const packets: CapturedPacket[] = frames.map((data) => ({ timestampNs: (t += 1_000_000n), data }));
    return this.write(encodePcap(packets, { linkType }));
  }

  pcapng(packets: readonly CapturedPacket[], linkTypes: readonly number[]): string {
    return this.write(encodePcapng(packets, { interfaces: linkTypes.map((linkType) => ({ linkType })) }), 'pcapng');
  }

  /** Removes the directory; SIGWALL_KEEP_TMP=1 keeps it for debugging and prints where. */
  remove(): void {
    if (this.dir === undefined) return;
    if (process.env.SIGWALL_KEEP_TMP) {
      console.warn(`kept ${this.dir}`);
      return;
    }
    rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

export type FrameFields = Record<string, string[]>;

function run(args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
}

/**
 * `tshark -T fields` for every frame: one record per frame mapping each field to all its
 * occurrences (bundled chunks and several components give several values).
 */
export function fields(file: string, names: readonly string[], extra: readonly string[] = []): FrameFields[] {
  const all = ['frame.number', ...names];
  const out = run(['-r', file, ...PREFS, ...extra, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', '-E', 'separator=/t', ...all.flatMap((f) => ['-e', f])]);
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const cols = line.split('\t');
      const rec: FrameFields = {};
      all.forEach((f, i) => {
        const v = cols[i] ?? '';
        rec[f] = v === '' ? [] : v.split('|');
      });
      return rec;
    });
}

/** Frame numbers matching a display filter. */
export function matching(file: string, filter: string, extra: readonly string[] = []): number[] {
  const out = run(['-r', file, ...PREFS, ...extra, '-Y', filter, '-T', 'fields', '-e', 'frame.number']);
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map(Number);
}

/** Frames with a malformed-packet marker or an expert item of warning severity or worse. */
export function problems(file: string, extra: readonly string[] = []): { frame: number; messages: string[] }[] {
  return fields(file, ['_ws.malformed', '_ws.expert.severity', '_ws.expert.message'], extra)
    .filter((r) => r['_ws.malformed']!.length > 0 || r['_ws.expert.severity']!.some((s) => Number(s) >= 0x600000))
    .map((r) => ({ frame: Number(r['frame.number']![0]), messages: r['_ws.expert.message']! }));
}

/** The one value of a field in a frame record (first occurrence). */
export function one(rec: FrameFields | undefined, name: string): string | undefined {
  return rec?.[name]?.[0];
}

/** A numeric field's first value, whether tshark prints it in decimal or hex. */
export function num(rec: FrameFields | undefined, name: string): number | undefined {
  const v = rec?.[name]?.[0];
  return v === undefined ? undefined : Number(v);
}

/** All values of a numeric field. */
export function nums(rec: FrameFields | undefined, name: string): number[] {
  return (rec?.[name] ?? []).map(Number);
}
