// Prints the suite's closing line, "tests: N passed, N failed, N skipped", from the vitest JSON
// reports and the GoogleTest XML reports written during `npm test`.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) continue;
  if (file.endsWith('.json')) {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  } else if (file.endsWith('.xml')) {
    const xml = readFileSync(file, 'utf8');
    const suites = /<testsuites[^>]*\btests="(\d+)"[^>]*\bfailures="(\d+)"[^>]*\bdisabled="(\d+)"[^>]*\berrors="(\d+)"/.exec(xml);
    if (!suites) continue;
    const skippedCount = [...xml.matchAll(/<skipped/g)].length;
    const [tests, failures, disabled, errors] = suites.slice(1).map(Number);
    failed += failures + errors;
    skipped += disabled + skippedCount;
    passed += tests - failures - errors - disabled - skippedCount;
  }
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
