// npm run docs:fields: rewrite the field table of docs/policy.md from the registry (after
// build:ts, which the npm script runs first).
import { readFileSync, writeFileSync } from 'node:fs';
import { withFieldTable } from '../dist/policy/docs.js';

const page = new URL('../docs/policy.md', import.meta.url);
const before = readFileSync(page, 'utf8');
const after = withFieldTable(before);
if (after !== before) writeFileSync(page, after);
console.log(after === before ? 'docs/policy.md: field table up to date' : 'docs/policy.md: field table rewritten');
