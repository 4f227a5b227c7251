// native/table/fields.generated.h is generated from the field registry; the table image names
// fields by id and carries the registry hash, so the committed header must be exactly what the
// registry generates today (`npm run gen:fields` rewrites it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIELDS } from '../../src/policy/fields.js';
import { registryHash, registryHeader } from '../../src/policy/registry-header.js';

describe('generated registry header', () => {
  it('equals a fresh generation from src/policy/fields.ts', () => {
    const committed = readFileSync(new URL('../../native/table/fields.generated.h', import.meta.url), 'utf8');
    expect(committed, 'regenerate with `npm run gen:fields`').toBe(registryHeader());
  });

  it('lists every field with its id, type, scope and the registry hash', () => {
    const header = registryHeader();
    expect(header).toContain(`kFieldCount = ${FIELDS.length};`);
    expect(header).toContain(`kRegistryHash = 0x${registryHash().toString(16).padStart(16, '0')}ull;`);
    expect(header).toMatch(/kSccpCallingDigits = 19,/);
    expect(header).toMatch(/\{FieldType::kDigits, true\},\s+\/\/ e212\.imsi/);
  });
});
