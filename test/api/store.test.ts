// The policy store on its own (versions, the active pointer, damaged versions, the audit log)
// and the rule-level diff.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diffPolicies, summarizeDiff } from '../../src/api/diff.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { resolvePolicy } from '../../src/policy/load.js';
import { PolicyStore, sha256Hex, type NewVersion } from '../../src/store/policy-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigwall-store-'));
  dirs.push(dir);
  return join(dir, 'data');
}

function version(name: string, author = 'tester'): NewVersion {
  const input = { name, networks: { home: { mccMnc: ['23415'] } }, rules: [{ name: 'ati', action: 'drop', match: { 'map.opcode': ['anyTimeInterrogation'] } }] };
  const text = JSON.stringify(input);
  const policy = resolvePolicy(input, `${name}.json`);
  const table = compilePolicy(policy);
  return { source: { text, format: 'json', name: `${name}.json` }, resolved: JSON.parse(JSON.stringify(policy)), image: table.image, stats: table.stats, author, comment: `${name} comment`, origin: 'apply' };
}

describe('PolicyStore', () => {
  it('writes complete versions, points active at one, and reads them back after reopening', () => {
    const dir = dataDir();
    const store = PolicyStore.open(dir);
    expect(store.versions()).toEqual([]);
    expect(store.activeId()).toBeUndefined();
    const first = store.writeVersion(version('one'));
    expect(first).toMatchObject({ id: '1', parent: null, author: 'tester', comment: 'one comment', policyName: 'one', rules: 1, format: 'json', sourceName: 'one.json' });
    expect(store.activeId()).toBeUndefined(); // written is not active
    store.setActive('1');
    const second = store.writeVersion(version('two', 'alice'));
    expect(second.parent).toBe('1');
    store.setActive('2');

    const reopened = PolicyStore.open(dir);
    expect(reopened.warnings).toEqual([]);
    expect(reopened.activeId()).toBe('2');
    const stored = reopened.read('2');
    expect(stored.source).toBe(version('two').source.text);
    expect(sha256Hex(stored.image)).toBe(second.sha256);
    expect(stored.record).toEqual(second);
    expect((stored.resolved as { rules: { id: string }[] }).rules[0]!.id).toBe('two#ati');
    expect(readFileSync(join(dir, 'policies', 'active'), 'utf8')).toBe('2\n');
    expect(statSync(join(dir, 'policies', 'versions', '000002', 'table.bin')).mode & 0o777).toBe(0o600);
    expect(() => reopened.read('3')).toThrow(expect.objectContaining({ code: 'SIGWALL_ERR_NOT_FOUND' }));
  });

  it('ignores and reports a damaged inactive version, and never reuses its number', () => {
    const dir = dataDir();
    const store = PolicyStore.open(dir);
    store.setActive(store.writeVersion(version('one')).id);
    store.writeVersion(version('two'));
    writeFileSync(join(dir, 'policies', 'versions', '000002', 'source.json'), '{"tampered": true}');
    const reopened = PolicyStore.open(dir);
    expect(reopened.versions().map((v) => v.id)).toEqual(['1']);
    expect(reopened.warnings).toEqual([expect.stringMatching(/000002: the source does not match the SHA-256 in record\.json/)]);
    expect(reopened.auditEntries().map((entry) => entry.action)).toEqual(['store-leftover']);
    expect(reopened.writeVersion(version('three')).id).toBe('3');
  });

  it('discards a never-active version; refuses to discard the active one', () => {
    const store = PolicyStore.open(dataDir());
    store.setActive(store.writeVersion(version('one')).id);
    const two = store.writeVersion(version('two'));
    store.discardVersion(two.id);
    expect(store.versions().map((v) => v.id)).toEqual(['1']);
    expect(() => store.discardVersion('1')).toThrow(expect.objectContaining({ code: 'SIGWALL_ERR_CONFLICT' }));
  });

  it('appends fsynced audit entries and skips a line torn by a crash', () => {
    const dir = dataDir();
    const store = PolicyStore.open(dir);
    store.audit({ who: 'a', via: 'unix', action: 'apply', version: '1', parent: null, comment: 'x' });
    appendFileSync(join(dir, 'audit.jsonl'), '{"time":"2026-01-01T00:00:00Z","who":"b","via":"un');
    expect(store.auditEntries().map((entry) => entry.who)).toEqual(['a']);
    expect(() => store.audit({ who: 'c', via: 'unix', action: 'bogus' as 'apply' })).toThrow();
  });
});

describe('diffPolicies', () => {
  const rule = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: id.split('#')[1], action: 'drop', mode: 'enforce', match: { 'map.opcode': [71] }, ...extra });

  it('reports added, removed and changed rules, moves, lists and other sections', () => {
    const before = { name: 'p', defaults: { action: 'allow' }, lists: { a: { kind: 'gt', prefixes: ['1', '2'] }, gone: { kind: 'gt', prefixes: ['9'] } }, rules: [rule('p#a'), rule('p#b'), rule('p#c'), rule('p#d')] };
    const after = {
      name: 'p',
      defaults: { action: 'drop' },
      lists: { a: { kind: 'gt', prefixes: ['2', '3'] }, fresh: { kind: 'imsi', prefixes: [] } },
      rules: [rule('p#new'), rule('p#b', { action: 'alert' }), rule('p#a'), rule('p#c')],
    };
    const diff = diffPolicies(before, after);
    expect(diff.rulesAdded.map((r) => [r.id, r.position])).toEqual([['p#new', 0]]);
    expect(diff.rulesRemoved.map((r) => [r.id, r.position])).toEqual([['p#d', 3]]);
    // b changed its action and moved before a; a moved after b; c kept its place among the shared rules.
    expect(diff.rulesChanged.map((r) => [r.id, r.fields])).toEqual([
      ['p#b', ['action', 'position']],
      ['p#a', ['position']],
    ]);
    expect(diff.lists).toEqual([
      { name: 'a', change: 'changed', prefixesAdded: ['3'], prefixesRemoved: ['1'] },
      { name: 'fresh', change: 'added', prefixesAdded: [], prefixesRemoved: [] },
      { name: 'gone', change: 'removed', prefixesAdded: [], prefixesRemoved: ['9'] },
    ]);
    expect(diff.otherChanges).toEqual(['defaults']);
    expect(summarizeDiff(diff)).toEqual({ rulesAdded: 1, rulesRemoved: 1, rulesChanged: 2, listsChanged: ['a', 'fresh', 'gone'], otherChanges: ['defaults'] });
    expect(diffPolicies(before, before)).toEqual({ rulesAdded: [], rulesRemoved: [], rulesChanged: [], lists: [], otherChanges: [] });
  });
});
