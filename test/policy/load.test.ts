// Loading and resolving policies: every kind of policy error names the file, the rule and the
// path; a valid policy comes back frozen, fully defaulted, with names resolved and stable ids.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PolicyError, SigwallError, formatPolicyIssue, type PolicyIssue } from '../../src/errors.js';
import { loadPolicy, resolvePolicy } from '../../src/policy/load.js';
import type { PolicyInput } from '../../src/policy/schema.js';

const scratch = mkdtempSync(join(tmpdir(), 'sigwall-policy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

// A valid policy to break one piece at a time.
function basePolicy(): PolicyInput {
  return {
    name: 'test',
    networks: {
      home: { mccMnc: ['23415'], gtPrefixes: ['4477'] },
      partners: {
        alpha: { mccMnc: ['20801'], gtPrefixes: ['336'] },
        beta: { mccMnc: ['26201'], gtPrefixes: ['49171'] },
      },
    },
    lists: {
      'trusted-hlrs': { kind: 'gt', prefixes: ['447700', '447701'] },
      'vip-imsis': { kind: 'imsi', prefixes: ['234150000'] },
      'vip-msisdns': { kind: 'msisdn', prefixes: ['4477009'] },
    },
    rules: [
      {
        name: 'block-ati',
        category: 1,
        action: 'drop',
        match: { 'map.opcode': ['anyTimeInterrogation'], 'sccp.calling.digits': { networks: ['foreign'] } },
      },
      {
        name: 'watch-location',
        category: 2,
        action: 'alert',
        mode: 'shadow',
        match: { 'map.opcode': ['updateLocation', 'sendRoutingInfo'], 'sigwall.relation': { callingGtNetwork: 'differs-from-imsi-home' } },
      },
    ],
  };
}

function withRule(rule: Record<string, unknown>): PolicyInput {
  const policy = basePolicy();
  policy.rules.push(rule as PolicyInput['rules'][number]);
  return policy;
}

function issuesOf(action: () => unknown): readonly PolicyIssue[] {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).issues;
  }
  throw new Error('expected a PolicyError');
}

async function issuesOfAsync(action: () => Promise<unknown>): Promise<readonly PolicyIssue[]> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).issues;
  }
  throw new Error('expected a PolicyError');
}

// The one issue of a policy with one fault, checked to name the rule and the path in both the
// issue and the error's message.
function onlyIssue(input: unknown, file = 'policy.yaml'): PolicyIssue {
  let caught: unknown;
  try {
    resolvePolicy(input, file);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PolicyError);
  const error = caught as PolicyError;
  expect(error.code).toBe('SIGWALL_ERR_POLICY');
  expect(error.issues).toHaveLength(1);
  const issue = error.issues[0]!;
  expect(error.message).toBe(formatPolicyIssue(issue));
  expect(error.message).toContain(`${file}: `);
  if (issue.rule !== undefined) expect(error.message).toContain(`rule ${issue.rule}: ${issue.path}: `);
  return issue;
}

describe('resolvePolicy: a valid policy', () => {
  const policy = resolvePolicy(basePolicy(), 'test.ts');

  it('gives every rule the stable id <policy>#<rule>', () => {
    expect(policy.rules.map((rule) => rule.id)).toEqual(['test#block-ati', 'test#watch-location']);
  });

  it('fills every default', () => {
    expect(policy.defaults).toEqual({ action: 'allow', malformed: 'drop' });
    expect(policy.rules[0]!.mode).toBe('enforce');
    expect(policy.rules[0]!.match['sccp.calling.digits']).toEqual({ networks: ['foreign'], not: false });
    expect(policy.networks.home.pointCodes).toEqual([]);
    const bare = resolvePolicy({ name: 'bare', networks: { home: {} }, rules: [{ name: 'r', action: 'drop', match: { 'mtp3.si': [3] } }] });
    expect(bare.lists).toEqual({});
    expect(bare.networks.partners).toEqual({});
    expect(bare.rules[0]!.category).toBe('custom');
  });

  it('resolves operation names to their codes and keeps numbers, negated sets too', () => {
    expect(policy.rules[0]!.match['map.opcode']).toEqual([71]);
    expect(policy.rules[1]!.match['map.opcode']).toEqual([2, 22]);
    const resolved = resolvePolicy(
      withRule({ name: 'cap', action: 'drop', match: { 'cap.opcode': { not: ['initialDP', 0, 200] }, 'map.opcode': [250, 'mo-forwardSM'] } }),
    );
    expect(resolved.rules[2]!.match['cap.opcode']).toEqual({ not: [0, 200] });
    expect(resolved.rules[2]!.match['map.opcode']).toEqual([250, 46]);
  });

  it('is deeply frozen', () => {
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.rules)).toBe(true);
    expect(Object.isFrozen(policy.rules[0]!.match['map.opcode'])).toBe(true);
    expect(Object.isFrozen(policy.networks.partners['alpha']!.gtPrefixes)).toBe(true);
    expect(() => (policy.rules as unknown as unknown[]).push({})).toThrow(TypeError);
  });
});

describe('resolvePolicy: each kind of error names the rule and the path', () => {
  it('an unknown match field, with a suggestion', () => {
    const issue = onlyIssue(withRule({ name: 'typo', action: 'drop', match: { 'map.opcod': [1] } }));
    expect(issue).toMatchObject({ file: 'policy.yaml', rule: 'typo', path: 'rules[2].match.map.opcod' });
    expect(issue.message).toMatch(/unknown match field "map\.opcod"; did you mean "map\.opcode"\?/);
  });

  it('an unknown field outside the rules', () => {
    const policy = basePolicy() as unknown as { networks: { partners: Record<string, Record<string, unknown>> } };
    policy.networks.partners['alpha']!['mccmnc'] = ['1'];
    const issue = onlyIssue(policy);
    expect(issue.rule).toBeUndefined();
    expect(issue.path).toBe('networks.partners.alpha.mccmnc');
    expect(issue.message).toMatch(/did you mean "mccMnc"/);
  });

  it('a value of the wrong type', () => {
    const issue = onlyIssue(withRule({ name: 'ssn', action: 'drop', match: { 'sccp.called.ssn': [6, 'hlr'] } }));
    expect(issue).toMatchObject({ rule: 'ssn', path: 'rules[2].match.sccp.called.ssn[1]' });
    expect(issue.message).toBe('expected a number or "absent", got "hlr"');
  });

  it('a set condition that is neither a list nor { not }', () => {
    const issue = onlyIssue(withRule({ name: 'ssn', action: 'drop', match: { 'sccp.called.ssn': 6 } }));
    expect(issue).toMatchObject({ rule: 'ssn', path: 'rules[2].match.sccp.called.ssn' });
    expect(issue.message).toBe('expected a list or { not: [...] }, got number 6');
  });

  it('an enum value that does not exist', () => {
    const issue = onlyIssue(withRule({ name: 'tcap', action: 'drop', match: { 'tcap.type': { not: ['begn'] } } }));
    expect(issue).toMatchObject({ rule: 'tcap', path: 'rules[2].match.tcap.type.not[0]' });
    expect(issue.message).toMatch(/^expected one of "unidirectional", "begin", .*"absent", got "begn"$/);
  });

  it('an action that does not exist, and a missing one', () => {
    expect(onlyIssue(withRule({ name: 'act', action: 'block', match: { 'mtp3.si': [3] } }))).toMatchObject({
      rule: 'act',
      path: 'rules[2].action',
      message: 'expected one of "allow", "drop", "alert", got "block"',
    });
    expect(onlyIssue(withRule({ name: 'act', match: { 'mtp3.si': [3] } }))).toMatchObject({ rule: 'act', path: 'rules[2].action' });
  });

  it('an operation code above 255', () => {
    const issue = onlyIssue(withRule({ name: 'big', action: 'drop', match: { 'map.opcode': [300] } }));
    expect(issue).toMatchObject({ rule: 'big', path: 'rules[2].match.map.opcode[0]', message: 'expected at most 255, got number 300' });
  });

  it('an unknown list', () => {
    const issue = onlyIssue(withRule({ name: 'lists', action: 'drop', match: { 'sccp.calling.digits': { lists: ['trusted-hlr'] } } }));
    expect(issue).toMatchObject({ rule: 'lists', path: 'rules[2].match.sccp.calling.digits.lists[0]' });
    expect(issue.message).toMatch(/unknown list "trusted-hlr"; did you mean "trusted-hlrs"\?/);
  });

  it('a list whose kind does not fit the field', () => {
    const imsiOnGt = onlyIssue(withRule({ name: 'kind', action: 'drop', match: { 'map.hlr_number': { lists: ['vip-imsis'] } } }));
    expect(imsiOnGt).toMatchObject({ rule: 'kind', path: 'rules[2].match.map.hlr_number.lists[0]' });
    expect(imsiOnGt.message).toMatch(/list "vip-imsis" holds imsi prefixes, but map\.hlr_number is a global title: only gt lists fit/);
    const gtOnImsi = onlyIssue(withRule({ name: 'kind', action: 'drop', match: { 'e212.imsi': { lists: ['trusted-hlrs'] } } }));
    expect(gtOnImsi.message).toMatch(/only imsi lists fit/);
    // msisdn lists fit both MSISDN fields; gt lists fit every address field.
    resolvePolicy(
      withRule({
        name: 'fits',
        action: 'drop',
        match: {
          'e164.msisdn': { lists: ['vip-msisdns'] },
          'map.sm_rp_oa.msisdn': { lists: ['vip-msisdns'] },
          'map.gsmscf_address': { lists: ['trusted-hlrs'] },
          'e212.imsi': { lists: ['vip-imsis'] },
        },
      }),
    );
  });

  it('an unknown network', () => {
    const issue = onlyIssue(withRule({ name: 'net', action: 'drop', match: { 'sccp.calling.digits': { networks: ['partner:gamma'] } } }));
    expect(issue).toMatchObject({ rule: 'net', path: 'rules[2].match.sccp.calling.digits.networks[0]' });
    expect(issue.message).toBe('unknown network "partner:gamma" (partners: alpha, beta)');
  });

  it('a network reference of the wrong form', () => {
    const issue = onlyIssue(withRule({ name: 'net', action: 'drop', match: { 'sccp.calling.digits': { networks: ['alpha'] } } }));
    expect(issue).toMatchObject({ rule: 'net', path: 'rules[2].match.sccp.calling.digits.networks[0]' });
    expect(issue.message).toMatch(/a network is "home", "partners", "foreign" or "partner:<name>"/);
  });

  it('a network that lacks the prefixes a digits field is matched against', () => {
    const policy = withRule({ name: 'imsi-home', action: 'drop', match: { 'e212.imsi': { networks: ['partners'] } } });
    policy.networks.partners!['beta'] = { gtPrefixes: ['49171'] };
    policy.rules.splice(1, 1);
    const issue = onlyIssue(policy);
    expect(issue).toMatchObject({ rule: 'imsi-home', path: 'rules[1].match.e212.imsi.networks[0]' });
    expect(issue.message).toMatch(/e212\.imsi is an IMSI, matched against a network's mccMnc, and partner:beta defines none/);

    const foreign = withRule({ name: 'gt-foreign', action: 'drop', match: { 'sccp.called.digits': { networks: ['foreign'] } } });
    foreign.networks.home = { mccMnc: ['23415'] };
    foreign.rules = foreign.rules.slice(2);
    expect(onlyIssue(foreign).message).toMatch(/matched against a network's gtPrefixes, and home defines none/);
  });

  it('"partners" when no partner is defined', () => {
    const policy = withRule({ name: 'p', action: 'drop', match: { 'sccp.calling.digits': { networks: ['partners'] } } });
    policy.networks.partners = {};
    policy.rules = policy.rules.slice(2);
    expect(onlyIssue(policy)).toMatchObject({ rule: 'p', path: 'rules[0].match.sccp.calling.digits.networks[0]' });
  });

  it('a relation over networks without both gtPrefixes and mccMnc', () => {
    const policy = basePolicy();
    policy.networks.partners!['beta'] = { gtPrefixes: ['49171'] };
    const issue = onlyIssue(policy);
    expect(issue).toMatchObject({ rule: 'watch-location', path: 'rules[1].match.sigwall.relation' });
    expect(issue.message).toMatch(/partner:beta has no mccMnc/);
  });

  it('an unknown operation name, with a suggestion or the other application', () => {
    const issue = onlyIssue(withRule({ name: 'ops', action: 'drop', match: { 'map.opcode': ['updateLocation', 'anyTimeInterogation'] } }));
    expect(issue).toMatchObject({ rule: 'ops', path: 'rules[2].match.map.opcode[1]' });
    expect(issue.message).toBe('unknown MAP operation "anyTimeInterogation"; did you mean "anyTimeInterrogation"?');
    const cap = onlyIssue(withRule({ name: 'ops', action: 'drop', match: { 'map.opcode': { not: ['initialDP'] } } }));
    expect(cap).toMatchObject({ rule: 'ops', path: 'rules[2].match.map.opcode.not[0]' });
    expect(cap.message).toMatch(/"initialDP" is a CAP operation: match it with cap\.opcode/);
  });

  it('a duplicate rule name', () => {
    const issue = onlyIssue(withRule({ name: 'block-ati', action: 'drop', match: { 'mtp3.si': [3] } }));
    expect(issue).toMatchObject({ rule: 'block-ati', path: 'rules[2].name' });
    expect(issue.message).toMatch(/duplicate rule name "block-ati" \(first used by rules\[0\]\)/);
  });

  it('a rule name reserved for the default and malformed verdicts', () => {
    const issue = onlyIssue(withRule({ name: 'default', action: 'drop', match: { 'mtp3.si': [3] } }));
    expect(issue).toMatchObject({ rule: 'default', path: 'rules[2].name' });
    expect(issue.message).toMatch(/"default" is reserved: "test#default" is the id of the default verdict/);
    expect(onlyIssue(withRule({ name: 'malformed', action: 'drop', match: { 'mtp3.si': [3] } }))).toMatchObject({ rule: 'malformed' });
  });

  it('an unknown anomaly', () => {
    const issue = onlyIssue(withRule({ name: 'anom', action: 'drop', match: { 'sigwall.anomaly': ['tcap.global_opcod'] } }));
    expect(issue).toMatchObject({ rule: 'anom', path: 'rules[2].match.sigwall.anomaly[0]' });
    expect(issue.message).toMatch(/unknown anomaly "tcap\.global_opcod"; did you mean "tcap\.global_opcode"\?/);
  });

  it('an empty match, an empty set and an empty digits condition', () => {
    expect(onlyIssue(withRule({ name: 'empty', action: 'drop', match: {} }))).toMatchObject({
      rule: 'empty',
      path: 'rules[2].match',
      message: 'a rule matches on at least one field',
    });
    expect(onlyIssue(withRule({ name: 'empty', action: 'drop', match: { 'sccp.called.ssn': [] } }))).toMatchObject({
      rule: 'empty',
      path: 'rules[2].match.sccp.called.ssn',
    });
    expect(onlyIssue(withRule({ name: 'empty', action: 'drop', match: { 'sccp.called.digits': { not: true } } }))).toMatchObject({
      rule: 'empty',
      path: 'rules[2].match.sccp.called.digits',
      message: 'a digits condition names at least one prefix, list or network',
    });
  });

  it('a bad prefix, in a rule and in a list', () => {
    const inRule = onlyIssue(withRule({ name: 'pfx', action: 'drop', match: { 'sccp.calling.digits': { prefixes: ['44', '+4477'] } } }));
    expect(inRule).toMatchObject({ rule: 'pfx', path: 'rules[2].match.sccp.calling.digits.prefixes[1]' });
    expect(inRule.message).toBe('a prefix is 1 to 20 decimal digits, got "+4477"');
    const policy = basePolicy();
    policy.lists!['trusted-hlrs']!.prefixes.push('4477 01');
    expect(onlyIssue(policy)).toMatchObject({ path: 'lists.trusted-hlrs.prefixes[2]' });
  });

  it('a bad rule name', () => {
    expect(onlyIssue(withRule({ name: 'Block ATI', action: 'drop', match: { 'mtp3.si': [3] } }))).toMatchObject({
      rule: 'Block ATI',
      path: 'rules[2].name',
    });
  });

  it('reports every problem of a policy at once, one line each', () => {
    const policy = withRule({ name: 'a', action: 'drop', match: { 'map.opcode': ['nope'], 'sigwall.anomaly': ['nope.nope'] } });
    policy.rules.push({ name: 'a', action: 'drop', match: { 'e212.imsi': { lists: ['nope'] } } });
    const issues = issuesOf(() => resolvePolicy(policy, 'p.json'));
    expect(issues.map((issue) => issue.path)).toEqual([
      'rules[3].name',
      // Within a rule, in the order of the field registry.
      'rules[2].match.sigwall.anomaly[0]',
      'rules[2].match.map.opcode[0]',
      'rules[3].match.e212.imsi.lists[0]',
    ]);
    try {
      resolvePolicy(policy, 'p.json');
    } catch (error) {
      expect((error as Error).message.split('\n')).toHaveLength(4);
      expect((error as Error).message.split('\n')[2]).toMatch(/^p\.json: rule a: rules\[2\]\.match\.map\.opcode\[0\]: unknown MAP operation "nope"/);
    }
  });
});

describe('loadPolicy: files', () => {
  const yamlPolicy = `# a policy in YAML
name: yaml-policy
networks:
  home:
    mccMnc: ["23415"]
    gtPrefixes: ["4477"]
  partners:
    alpha: { mccMnc: ["20801"], gtPrefixes: ["336"] }
lists:
  hlrs: { kind: gt, prefixes: ["447700"] }
rules:
  - name: block-ati
    category: 1
    action: drop
    match:
      map.opcode: [anyTimeInterrogation]
      sccp.calling.digits: { networks: [foreign], not: false }
  - name: global-opcode
    action: drop
    match:
      sigwall.anomaly: [tcap.global_opcode]
`;

  it('reads YAML', async () => {
    const policy = await loadPolicy(write('ok.yaml', yamlPolicy));
    expect(policy.rules.map((rule) => rule.id)).toEqual(['yaml-policy#block-ati', 'yaml-policy#global-opcode']);
    expect(policy.rules[0]!.match['map.opcode']).toEqual([71]);
  });

  it('gives the line and column of a schema error in YAML', async () => {
    const path = write('bad-op.yml', yamlPolicy.replace('[anyTimeInterrogation]', '[anyTimeInterrogation, sendIdentificaton]'));
    const issues = await issuesOfAsync(() => loadPolicy(path));
    expect(issues).toEqual([
      {
        file: path,
        rule: 'block-ati',
        path: 'rules[0].match.map.opcode[1]',
        message: 'unknown MAP operation "sendIdentificaton"; did you mean "sendIdentification"?',
        line: 16,
        column: 42,
      },
    ]);
    const unknownField = write('bad-field.yaml', yamlPolicy.replace('    category: 1\n', '    categroy: 1\n'));
    const [issue] = await issuesOfAsync(() => loadPolicy(unknownField));
    expect(issue).toMatchObject({ rule: 'block-ati', path: 'rules[0].categroy', line: 13, column: 5 });
    expect(issue!.message).toMatch(/did you mean "category"/);
  });

  it('reports a YAML syntax error with its line and column', async () => {
    const path = write('syntax.yaml', yamlPolicy.replace('      map.opcode: [anyTimeInterrogation]', '      map.opcode: [anyTimeInterrogation'));
    const issues = await issuesOfAsync(() => loadPolicy(path));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.message).toMatch(/^YAML syntax: /);
    expect(issues[0]!.line).toBeGreaterThanOrEqual(16);
    expect(issues[0]!.column).toBeGreaterThan(0);
    const duplicateKey = write('dup.yaml', 'name: a\nname: b\n');
    const [issue] = await issuesOfAsync(() => loadPolicy(duplicateKey));
    expect(issue).toMatchObject({ line: 2, column: 1 });
    expect(issue!.message).toMatch(/unique/i);
  });

  it('reads JSON, and reports a JSON syntax error', async () => {
    const policy = await loadPolicy(write('ok.json', JSON.stringify(basePolicy())));
    expect(policy.rules[1]!.id).toBe('test#watch-location');
    const [issue] = await issuesOfAsync(() => loadPolicy(write('bad.json', '{"name": "x",\n "rules": [ }')));
    expect(issue!.message).toMatch(/^JSON syntax: /);
  });

  it('imports a TypeScript module, its own imports included', async () => {
    write('partners.ts', "interface Net { mccMnc: string[]; gtPrefixes: string[] }\nexport const alpha: Net = { mccMnc: ['20801'], gtPrefixes: ['336'] };\n");
    const path = write(
      'policy.ts',
      `import type { PolicyInput } from '${new URL('../../src/policy/schema.js', import.meta.url).pathname}';
import { alpha } from './partners.js';
const policy: PolicyInput = {
  name: 'ts-policy',
  networks: { home: { mccMnc: ['23415'], gtPrefixes: ['4477'] }, partners: { alpha } },
  rules: [{ name: 'r', action: 'drop', match: { 'sccp.calling.digits': { networks: ['partner:alpha'] } } }],
};
export default policy;
`,
    );
    const policy = await loadPolicy(path);
    expect(policy.rules[0]!.id).toBe('ts-policy#r');
    expect(policy.networks.partners['alpha']!.mccMnc).toEqual(['20801']);
  });

  it('imports a JavaScript module, and refuses one without a default export', async () => {
    const policy = await loadPolicy(write('policy.mjs', `export default ${JSON.stringify(basePolicy())};\n`));
    expect(policy.name).toBe('test');
    const [issue] = await issuesOfAsync(() => loadPolicy(write('nodefault.mjs', 'export const policy = {};\n')));
    expect(issue!.message).toMatch(/no default export/);
  });

  it('refuses a missing file and an unknown extension', async () => {
    await expect(loadPolicy(join(scratch, 'missing.yaml'))).rejects.toMatchObject({ code: 'SIGWALL_ERR_FILE' });
    await expect(loadPolicy(join(scratch, 'missing.yaml'))).rejects.toBeInstanceOf(SigwallError);
    const [issue] = await issuesOfAsync(() => loadPolicy(write('policy.toml', 'name = "x"\n')));
    expect(issue!.message).toMatch(/not "\.toml"/);
  });
});
