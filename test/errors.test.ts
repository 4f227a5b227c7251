import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCatalog } from '../src/errors.js';

describe('error catalog', () => {
  it('docs/errors.md lists exactly the codes of src/errors.ts', () => {
    const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `(SIGWALL_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(ErrorCatalog).sort());
  });
});
