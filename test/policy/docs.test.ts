// docs/policy.md carries the field table generated from the registry (npm run docs:fields).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIELDS } from '../../src/policy/fields.js';
import { fieldTable, kFieldsBegin, kFieldsEnd, withFieldTable } from '../../src/policy/docs.js';

const page = readFileSync(new URL('../../docs/policy.md', import.meta.url), 'utf8');

describe('docs/policy.md field table', () => {
  it('holds exactly the generated table between the markers (npm run docs:fields rewrites it)', () => {
    const begin = page.indexOf(kFieldsBegin);
    const end = page.indexOf(kFieldsEnd);
    expect(begin).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(begin);
    expect(page.slice(begin + kFieldsBegin.length, end)).toBe(`\n${fieldTable()}\n`);
    expect(withFieldTable(page)).toBe(page);
  });

  it('has one row per registry field, in registry order', () => {
    const rows = fieldTable().split('\n').slice(2);
    expect(rows.map((row) => /^\| `([^`]+)`/.exec(row)?.[1])).toEqual(FIELDS.map((field) => field.name));
  });

  it('names every digits kind, enum value and absent-matchable field', () => {
    const table = fieldTable();
    expect(table).toContain('| `e212.imsi` | component | digits (imsi) |');
    expect(table).toContain('| `tcap.type` | message | set of names: `unidirectional`, `begin`, `continue`, `end`, `abort`, `absent` |');
  });

  it('replaces a stale table and refuses a page without markers', () => {
    const stale = `intro\n${kFieldsBegin}\n| old |\n${kFieldsEnd}\nrest\n`;
    expect(withFieldTable(stale)).toBe(`intro\n${kFieldsBegin}\n${fieldTable()}\n${kFieldsEnd}\nrest\n`);
    expect(() => withFieldTable('no markers')).toThrow(/fields:begin/);
  });
});
