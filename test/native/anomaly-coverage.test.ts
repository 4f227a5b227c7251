// STYLE.md: one test per anomaly, asserting that exact anomaly. This keeps it so: every entry of
// native/decode/anomalies.def must be asserted somewhere in the GoogleTest suite, by its
// identifier (Anomaly::kName) or its name ("layer.name").
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

describe('anomaly catalogue', () => {
  it('every anomaly in anomalies.def is asserted by a native test', () => {
    const catalogue = readFileSync(join(root, 'native/decode/anomalies.def'), 'utf8');
    const entries = [...catalogue.matchAll(/^X\((\w+),\s*"([^"]+)"/gm)].map((m) => ({ id: m[1]!, name: m[2]! }));
    expect(entries.length).toBeGreaterThan(50);
    const testsDir = join(root, 'native/tests');
    const tests = readdirSync(testsDir)
      .filter((file) => file.endsWith('_test.cc'))
      .map((file) => readFileSync(join(testsDir, file), 'utf8'))
      .join('\n');
    const untested = entries.filter(({ id, name }) => !new RegExp(`\\bk${id}\\b`).test(tests) && !tests.includes(`"${name}`) && !tests.includes(`${name}"`) && !tests.includes(`${name},`));
    expect(untested.map((e) => e.name)).toEqual([]);
  });
});
