// `sigwall compile` as a user runs it: the built CLI (npm run build:ts) in a subprocess.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'bin', 'sigwall.js');
const baseline = join(root, 'firmware-config', 'policies', 'fs11-baseline.ts');
const scratch = mkdtempSync(join(tmpdir(), 'sigwall-compile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function sigwall(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: scratch });
}

describe('sigwall compile', () => {
  it('writes the table image of the FS.11 baseline and prints the stats', () => {
    const output = join(scratch, 'fs11.bin');
    const result = sigwall('compile', baseline, '-o', output);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^rules: 17, prefixes: \d+/);
    expect(result.stdout).toMatch(/sccp\.calling\.digits +message +DIGITS +\d+ classes/);
    expect(result.stdout).toMatch(/-> \d+ results/);
    expect(result.stdout).toMatch(/image: [\d,]+ bytes, built in [\d.]+ ms/);
    const image = readFileSync(output);
    expect(image.subarray(0, 8).toString('latin1')).toBe('SGWLTBL1');
    expect(image.readUInt32LE(16)).toBe(image.length);
  });

  it('--json prints the stats as one JSON object', () => {
    const output = join(scratch, 'fs11-json.bin');
    const result = sigwall('compile', baseline, '-o', output, '--json');
    expect(result.status).toBe(0);
    const stats = JSON.parse(result.stdout) as { output: string; rules: number; imageBytes: number };
    expect(stats).toMatchObject({ output, rules: 17 });
    expect(readFileSync(output).length).toBe(stats.imageBytes);
  });

  it('reports an invalid policy like check does, and a policy too complex for the budgets', () => {
    const invalid = join(scratch, 'invalid.yaml');
    writeFileSync(invalid, 'name: bad\nnetworks:\n  home: {}\nrules:\n  - name: x\n    action: drop\n    match:\n      map.opcode: [noSuchOperation]\n');
    const bad = sigwall('compile', invalid, '-o', join(scratch, 'bad.bin'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/rule x: rules\[0\]\.match\.map\.opcode\[0\]: .*noSuchOperation/);
    expect(bad.stderr).toMatch(/\[SIGWALL_ERR_POLICY\]/);

    const wide = join(scratch, 'wide.json');
    const rules = Array.from({ length: 4200 }, (_, i) => ({ name: `r${i}`, action: 'drop', match: { 'mtp3.opc': [i], 'mtp3.dpc': [i] } }));
    writeFileSync(wide, JSON.stringify({ name: 'wide', networks: { home: {} }, rules }));
    const complex = sigwall('compile', wide, '-o', join(scratch, 'wide.bin'));
    expect(complex.status).toBe(1);
    expect(complex.stderr).toMatch(/phase 0 \(mtp3\.opc x mtp3\.dpc\) has 4201 x 4201 = 17648401 entries \(limit 16777216\) \[SIGWALL_ERR_POLICY_TOO_COMPLEX\]/);
  });

  it('needs -o', () => {
    const result = sigwall('compile', baseline);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/compile needs -o <table\.bin>/);
  });
});
