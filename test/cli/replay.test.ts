// `sigwall replay` as a user runs it: the built CLI in a subprocess.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MessageRecord } from '../../src/decode/record.js';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'bin', 'sigwall.js');
const demo = join(root, 'firmware-config', 'demo', 'demo.pcap');
const scratch = mkdtempSync(join(tmpdir(), 'sigwall-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function sigwall(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

describe('sigwall replay', () => {
  it('prints a table with a row per message and a summary per operation and anomaly', () => {
    const run = sigwall('replay', demo);
    expect(run.status).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^frame\troute\tsccp/);
    expect(run.stdout).toMatch(/invokes per operation/);
    expect(run.stdout).toMatch(/map anyTimeInterrogation/);
    expect(run.stdout).toMatch(/messages per anomaly/);
    expect(run.stdout).toMatch(/tcap\.global_opcode/);
  });

  it('--json prints one schema-valid record per line', () => {
    const run = sigwall('replay', demo, '--json');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(100);
    for (const line of lines) MessageRecord.parse(JSON.parse(line));
  });

  it('names the file and offset of a capture it cannot read, and exits 1', () => {
    const bad = join(scratch, 'bad.pcap');
    writeFileSync(bad, Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000' + '0000', 'hex'));
    const run = sigwall('replay', bad);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(bad);
    expect(run.stderr).toMatch(/offset 24/);
    expect(run.stderr).toMatch(/SIGWALL_ERR_CAPTURE/);
  });

  it('reports a missing file and bad arguments clearly', () => {
    const missing = sigwall('replay', join(scratch, 'nope.pcap'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read capture .*nope\.pcap: ENOENT/);
    const noFile = sigwall('replay');
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toMatch(/usage: sigwall/);
    const badSsn = sigwall('replay', demo, '--cap-ssn', '999');
    expect(badSsn.status).toBe(2);
    const unknown = sigwall('frobnicate');
    expect(unknown.status).toBe(2);
  });

  it('--policy screens every message and summarises drops per category and rule', () => {
    const baseline = join(root, 'firmware-config', 'policies', 'fs11-baseline.ts');
    const run = sigwall('replay', demo, '--policy', baseline);
    expect(run.status, run.stderr).toBe(0);
    const [header, ...rows] = run.stdout.split('\n');
    expect(header).toMatch(/\tverdict\trule\tshadow hits$/);
    const ati = rows.find((row) => row.includes('inv anyTimeInterrogation'));
    expect(ati).toMatch(/\tDROP\tfs11-baseline#cat1-map \(cat 1\)\t/);
    expect(run.stdout).toMatch(/blocked per category\n\s+\d+\s+category 1\n\s+\d+\s+category 2/);
    expect(run.stdout).toMatch(/drops and alerts per rule\n\s+\d+\s+drop fs11-baseline#cat1-map/);
    expect(run.stdout).toMatch(/shadow hits per rule/);

    const json = sigwall('replay', demo, '--policy', baseline, '--json');
    const records = json.stdout.trim().split('\n').map((line) => MessageRecord.parse(JSON.parse(line)));
    expect(records.every((r) => r.verdict !== undefined)).toBe(true);
    expect(records.filter((r) => r.verdict?.action === 'drop').length).toBeGreaterThan(40);
  });

  it('--table screens with a compiled image and refuses a corrupt one', () => {
    const baseline = join(root, 'firmware-config', 'policies', 'fs11-baseline.ts');
    const table = join(scratch, 'baseline.bin');
    const compiled = sigwall('compile', baseline, '-o', table);
    expect(compiled.status, compiled.stderr).toBe(0);
    const withTable = sigwall('replay', demo, '--table', table, '--json');
    const withPolicy = sigwall('replay', demo, '--policy', baseline, '--json');
    expect(withTable.stdout).toBe(withPolicy.stdout);

    const corrupt = join(scratch, 'corrupt.bin');
    const bytes = readFileSync(table);
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(corrupt, bytes);
    const refused = sigwall('replay', demo, '--table', corrupt);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/SIGWALL_ERR_TABLE/);
    expect(sigwall('replay', demo, '--table', table, '--policy', baseline).status).toBe(2);
    expect(sigwall('replay', demo, '--side', 'sideways').status).toBe(2);
  });

  it('lists the anomaly catalogue', () => {
    const out = execFileSync(process.execPath, [cli, 'anomalies'], { encoding: 'utf8' });
    expect(out).toMatch(/^sctp\.bad_crc\s+CRC32c/m);
  });
});
