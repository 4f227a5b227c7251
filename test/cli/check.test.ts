// `sigwall check` as a user runs it: the built CLI (npm run build:ts) in a subprocess, so the
// TypeScript policy goes through the real loader hooks rather than the test runner's compiler.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'bin', 'sigwall.js');
const fixture = join(root, 'test', 'cli', 'fixtures', 'policy.ts');
const scratch = mkdtempSync(join(tmpdir(), 'sigwall-check-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function sigwall(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: scratch });
}

function write(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

const yamlPolicy = `name: cli-yaml
networks:
  home: { mccMnc: ["23415"], gtPrefixes: ["4477"] }
lists:
  hlrs: { kind: gt, prefixes: ["447700", "447701", "447702"] }
  vips: { kind: imsi, prefixes: ["2341500"] }
rules:
  - name: block-ati
    action: drop
    match:
      map.opcode: [anyTimeInterrogation]
  - name: watch-global-opcode
    action: alert
    mode: shadow
    match:
      sigwall.anomaly: [tcap.global_opcode]
  - name: watch-vips
    action: alert
    mode: shadow
    match:
      e212.imsi: { lists: [vips] }
`;

describe('sigwall check', () => {
  it('summarises a valid TypeScript policy that imports definePolicy and a module of its own', () => {
    const run = sigwall('check', fixture);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('ok: 2 rules (1 enforce, 1 shadow), 1 list with 3 prefixes, networks: home + alpha, beta\n');
  });

  it('summarises a valid YAML policy', () => {
    const run = sigwall('check', write('ok.yaml', yamlPolicy));
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('ok: 3 rules (1 enforce, 2 shadow), 2 lists with 4 prefixes, networks: home\n');
  });

  it('--json prints the resolved policy: defaults, ids, operation codes', () => {
    const run = sigwall('check', fixture, '--json');
    expect(run.status).toBe(0);
    const policy = JSON.parse(run.stdout);
    expect(policy.defaults).toEqual({ action: 'allow', malformed: 'drop' });
    expect(policy.rules.map((rule: { id: string }) => rule.id)).toEqual([
      'cli-fixture#block-location-from-outside',
      'cli-fixture#shadow-foreign-sms',
    ]);
    expect(policy.rules[0].match['map.opcode']).toEqual([71, 70]);
    expect(policy.rules[1].match['map.opcode']).toEqual([44]);
    expect(policy.networks.partners.beta.pointCodes).toEqual([]);
  });

  it('prints every error, one per line with file, line, rule and path, and exits 1', () => {
    const broken = yamlPolicy
      .replace('[anyTimeInterrogation]', '[anyTimeInterrogation, noSuchOperation]')
      .replace('{ lists: [vips] }', '{ lists: [vip] }')
      .replace('name: watch-vips', 'name: block-ati');
    const path = write('broken.yaml', broken);
    const run = sigwall('check', path);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      `${path}:17:5: rule block-ati: rules[2].name: duplicate rule name "block-ati" (first used by rules[0]); rule names make the stable ids`,
      `${path}:11:42: rule block-ati: rules[0].match.map.opcode[1]: unknown MAP operation "noSuchOperation"`,
      `${path}:21:28: rule block-ati: rules[2].match.e212.imsi.lists[0]: unknown list "vip"; did you mean "vips"?`,
      `sigwall: ${path}: 3 errors [SIGWALL_ERR_POLICY]`,
    ]);
  });

  it('reports a YAML syntax error with its line and column', () => {
    const path = write('syntax.yaml', yamlPolicy.replace('  - name: block-ati\n', '  - name: block-ati\n   oops\n'));
    const run = sigwall('check', path);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^${path}:\\d+:\\d+: YAML syntax: `));
  });

  it('reports a TypeScript syntax error with its line and column', () => {
    const path = write('syntax.ts', "export default {\n  name: 'x',\n  rules: [ ,, }\n};\n");
    const run = sigwall('check', path);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^${path}:3:\\d+: TypeScript syntax: `));
  });

  it('reports a schema error in a TypeScript policy by rule and path', () => {
    const path = write('bad.ts', "export default { name: 'x', networks: { home: {} }, rules: [{ name: 'r', action: 'drop', match: { 'sccp.called.ssn': [6, 400] } }] };\n");
    const run = sigwall('check', path);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${path}: rule r: rules[0].match.sccp.called.ssn[1]: expected at most 255, got number 400\n`);
  });

  it('refuses a missing file (exit 1) and a missing argument (exit 2)', () => {
    const missing = sigwall('check', 'nowhere.yaml');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nowhere\.yaml: no such policy file \[SIGWALL_ERR_FILE\]/);
    const usage = sigwall('check');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/check takes exactly one policy file/);
  });
});
