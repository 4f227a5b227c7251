// Does sigwall see what Wireshark sees? Every real capture in ../shared/captures and the
// project's own generated traffic are decoded by sigwall (decodeCapture) and by tshark, and
// compared field by field (test/support/compare.ts says how the two sides line up). Every
// difference must be explained in KNOWN_DIFFERENCES below, one capture and named fields at a
// time, with the reason; anything else fails the test.
//
// The only skip: the captures folder is absent (a user's clone); CI has it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCapture, type DecodeOptions } from '../../src/dataplane/decoder.js';
import type { MessageRecord } from '../../src/decode/record.js';
import { capturesDir, loadCaptureCases, type CaptureDecodeOptions } from '../support/captures.js';
import {
  compareCapture,
  explain,
  groupDifferences,
  summaryLine,
  unusedKnownDifferences,
  type CaptureComparison,
  type Difference,
  type KnownDifference,
} from '../support/compare.js';
import { tsharkFrames, tsharkVersion } from '../support/tshark.js';

// Known, justified differences. Each names one capture, the exact fields, optionally the frames,
// and why the difference is right (a tshark limitation, or a deliberate sigwall choice).
// An entry that no longer explains anything fails the last test of the suite: delete it.
const KNOWN_DIFFERENCES: readonly KnownDifference[] = [];

const TIMEOUT_MS = 180_000;

function decode(bytes: Uint8Array, options: CaptureDecodeOptions, file: string): MessageRecord[] {
  // CaptureDecodeOptions may carry options the decoder's schema does not know yet (m3uaDraft6);
  // its strict schema then rejects them with SIGWALL_ERR_OPTIONS naming the key, which is the
  // failure we want to see rather than a silent decode with different settings.
  return decodeCapture(bytes, { ...(options as DecodeOptions), file }).records;
}

function report(comparison: CaptureComparison, unexplained: readonly Difference[], explainedCount: number): void {
  const lines = [summaryLine(comparison)];
  if (explainedCount > 0) lines.push(`  ${explainedCount} known difference(s) (allow-listed)`);
  if (unexplained.length > 0) {
    lines.push(`  ${unexplained.length} UNEXPLAINED difference(s):`);
    lines.push(...groupDifferences(unexplained).map((line) => `  ${line}`));
  }
  console.log(lines.join('\n'));
}

function totals(title: string, comparisons: readonly CaptureComparison[]): string {
  const sum = (pick: (c: CaptureComparison) => number) => comparisons.reduce((total, c) => total + pick(c), 0);
  return summaryLine({
    capture: `${title} (${comparisons.length} captures)`,
    messages: sum((c) => c.messages),
    tsharkMessages: sum((c) => c.tsharkMessages),
    compared: sum((c) => c.compared),
    agreed: sum((c) => c.agreed),
  });
}

// SIGWALL_DIFFERENTIAL_DUMP=<dir>: every difference (explained or not) as JSON, for analysis.
function dumpDifferences(suite: string, comparisons: readonly CaptureComparison[]): void {
  const dir = process.env.SIGWALL_DIFFERENTIAL_DUMP;
  if (!dir) return;
  const summary = comparisons.map(({ byField, ...rest }) => ({ ...rest, byField: Object.fromEntries(byField) }));
  writeFileSync(join(dir, `differential-${suite}.json`), JSON.stringify(summary, null, 1));
}

const capturesPresent = existsSync(join(capturesDir, 'README.md'));
if (!capturesPresent) {
  console.log(`tshark differential on real captures skipped: ${capturesDir} is absent (it is present in CI)`);
}

describe.skipIf(!capturesPresent)('tshark differential: real captures', () => {
  const listing = capturesPresent ? loadCaptureCases(capturesDir) : { cases: [], unlisted: [], missing: [] };
  const comparisons: CaptureComparison[] = [];
  const allDifferences: Difference[] = [];

  afterAll(() => {
    if (comparisons.length > 0) console.log(totals('all real captures', comparisons));
    dumpDifferences('real', comparisons);
  });

  it('tshark is installed', () => {
    expect(tsharkVersion()).toMatch(/TShark/);
  });

  it('every capture is listed in captures/README.md with its tshark options, and every listed one exists', () => {
    expect(listing.unlisted).toEqual([]);
    expect(listing.missing).toEqual([]);
  });

  for (const capture of listing.cases) {
    it(
      `${capture.name}${capture.prefs.length ? ` (${capture.prefs.join(', ')})` : ''}`,
      () => {
        const records = decode(new Uint8Array(readFileSync(capture.file)), capture.options, capture.file);
        const comparison = compareCapture(capture.name, records, tsharkFrames(capture.file, capture.prefs), {
          m3uaDraft6: capture.options.m3uaDraft6,
        });
        comparisons.push(comparison);
        allDifferences.push(...comparison.differences);
        const { explained, unexplained } = explain(comparison.differences, KNOWN_DIFFERENCES);
        report(comparison, unexplained, explained.length);
        expect(comparison.compared).toBeGreaterThanOrEqual(0);
        expect(unexplained, `${unexplained.length} unexplained difference(s) with tshark (printed above)`).toEqual([]);
      },
      TIMEOUT_MS,
    );
  }

  it('every known difference still occurs (no stale allow-list entries)', () => {
    const compared = new Set(comparisons.map((c) => c.capture));
    const stale = unusedKnownDifferences(allDifferences, KNOWN_DIFFERENCES).filter((entry) => compared.has(entry.capture));
    expect(stale).toEqual([]);
  });
});

// The project's own traffic builder: SUA, IPv6, VLAN and the attack patterns the public
// captures lack. Each generated capture goes to a temporary file for tshark.
interface Builder {
  buildDemoCapture(): { pcap: Uint8Array };
  buildLoadCapture(n: number): { pcap: Uint8Array } | Uint8Array;
}

describe('tshark differential: generated captures', () => {
  const comparisons: CaptureComparison[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'sigwall-differential-'));

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
    if (comparisons.length > 0) console.log(totals('generated captures', comparisons));
    dumpDifferences('generated', comparisons);
  });

  async function builder(): Promise<Builder> {
    return (await import('../../src/builder/index.js')) as unknown as Builder;
  }

  function differential(name: string, pcap: Uint8Array): void {
    const file = join(workDir, `${name}.pcap`);
    writeFileSync(file, pcap);
    // Default preferences on both sides: CAP on SSN 146 (camel.tcap.ssn), ITU MTP3, M3UA RFC 4666.
    const records = decode(pcap, { verifyCrc: false }, file);
    const comparison = compareCapture(name, records, tsharkFrames(file));
    comparisons.push(comparison);
    const { explained, unexplained } = explain(comparison.differences, KNOWN_DIFFERENCES);
    report(comparison, unexplained, explained.length);
    expect(records.length, 'the generated capture decodes to messages').toBeGreaterThan(0);
    expect(unexplained, `${unexplained.length} unexplained difference(s) with tshark (printed above)`).toEqual([]);
  }

  it('demo capture', async () => {
    const { buildDemoCapture } = await builder();
    differential('generated/demo', buildDemoCapture().pcap);
  }, TIMEOUT_MS);

  it('load capture (2,000 messages)', async () => {
    const { buildLoadCapture } = await builder();
    const built = buildLoadCapture(2000);
    differential('generated/load-2000', built instanceof Uint8Array ? built : built.pcap);
  }, TIMEOUT_MS);
});
