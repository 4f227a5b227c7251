// describeTable reads the rule list of a compiled image (ids, actions, modes, categories in table
// order) as the policy states it, and refuses images it cannot read without reading out of bounds.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import baseline from '../../firmware-config/policies/fs11-baseline.js';
import { describeTable } from '../../src/engine/table-info.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { withRuleIds } from '../../src/policy/evaluate.js';
import { Policy } from '../../src/policy/schema.js';

const policy = withRuleIds(Policy.parse(baseline));
const image = compilePolicy(policy).image;

describe('describeTable', () => {
  it('lists the policy rules in order with their action, mode and category', () => {
    const info = describeTable(image);
    expect(info.policyName).toBe(policy.name);
    expect(info.sha256).toBe(createHash('sha256').update(image).digest('hex'));
    expect(info.rules.map((rule) => rule.id)).toEqual(policy.rules.map((rule) => rule.id));
    for (const [i, rule] of policy.rules.entries()) {
      expect(info.rules[i]).toMatchObject({
        index: i,
        action: rule.action,
        mode: rule.mode ?? 'enforce',
        category: rule.category === undefined ? 'custom' : String(rule.category),
      });
    }
    expect(info.rules.some((rule) => rule.mode === 'shadow')).toBe(true);
  });

  it('refuses short, foreign and out-of-bounds images with SIGWALL_ERR_TABLE', () => {
    expect(() => describeTable(image.subarray(0, 10))).toThrow(expect.objectContaining({ code: 'SIGWALL_ERR_TABLE' }));
    const foreign = image.slice();
    foreign[0] = 0x58;
    expect(() => describeTable(foreign)).toThrow(/bad magic/);
    const directory = image.slice();
    new DataView(directory.buffer).setUint32(40, directory.byteLength + 8, true);
    expect(() => describeTable(directory)).toThrow(/directory out of bounds/);
    for (let cut = 64; cut < image.byteLength; cut += 97) {
      try {
        describeTable(image.subarray(0, cut));
      } catch (error) {
        expect((error as { code?: string }).code).toBe('SIGWALL_ERR_TABLE');
      }
    }
  });
});
