// Classification cost against the rule count: policies of 10, 100, 1,000 and 10,000 FS.11-like
// rules, each with 100,000 GT/IMSI prefixes in total (named lists the rules reference), compiled
// and then classifying every message of one generated load capture, all in the same run. Prints
// ns/message of classification (benchDecode's classifyNanoseconds / messages, best of the runs),
// its ratio to the 10-rule policy, compile time and image size, and the verdict on the targets:
//   10,000 rules classify at most 1.2x the time of 10 rules (docs/table-format.md "Why this shape");
//   10,000 rules + 100,000 prefixes compile in at most 1 s.
// A policy the compiler refuses (SIGWALL_ERR_POLICY_TOO_COMPLEX) is reported on its row and the
// bench goes on; any other error ends it with a non-zero exit.
//   BENCH_MESSAGES  messages in the generated capture (default 100000)
//   BENCH_RUNS      classification runs per policy, the best is kept (default 5)
//   BENCH_COMPILE_RUNS  compilations per policy: the first (cold) and the best are shown (default 3)
//   BENCH_SIZES     rule counts (default 10,100,1000,10000)
//   BENCH_PREFIXES  prefixes per policy (default 100000)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDecode } from '../dist/dataplane/decoder.js';
import { compilePolicy } from '../dist/policy/compile.js';
import { resolvePolicy } from '../dist/policy/load.js';
import { buildPolicy } from './policies.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const messages = Math.max(1, Number(process.env.BENCH_MESSAGES ?? 100_000));
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const compileRuns = Math.max(1, Number(process.env.BENCH_COMPILE_RUNS ?? 3));
const sizes = (process.env.BENCH_SIZES ?? '10,100,1000,10000').split(',').map(Number);
const totalPrefixes = Math.max(2, Number(process.env.BENCH_PREFIXES ?? 100_000));
const TARGET_RATIO = 1.2;
const TARGET_COMPILE_MS = 1000;
const fmt = (n, digits = 0) => (n === undefined ? '-' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));

// ---------------------------------------------------------------------------------------------

const scratch = mkdtempSync(join(tmpdir(), 'sigwall-bench-'));
let unexpected = false;

try {
  const file = join(scratch, 'load.pcap');
  execFileSync(process.execPath, [join(root, 'bin', 'sigwall.js'), 'build-load', file, '--messages', String(messages)], { stdio: 'inherit' });
  const capture = readFileSync(file);

  const rows = [];
  for (const ruleCount of sizes) {
    const row = { ruleCount };
    rows.push(row);
    try {
      const built = buildPolicy(ruleCount, totalPrefixes);
      Object.assign(row, { prefixes: built.prefixes, lists: built.lists, shadows: built.shadows });
      let started = performance.now();
      const policy = resolvePolicy(built.input, `bench-${ruleCount}`);
      row.resolveMs = performance.now() - started;
      let compiled;
      for (let run = 0; run < compileRuns; run++) {
        started = performance.now();
        try {
          compiled = compilePolicy(policy);
        } finally {
          const ms = performance.now() - started;
          row.firstCompileMs ??= ms;
          row.compileMs = Math.min(row.compileMs ?? Infinity, ms);
        }
      }
      const { image, stats } = compiled;
      row.image = image;
      row.imageBytes = image.byteLength;
      row.classes = stats.dimensions.reduce((sum, d) => sum + (d.sparse ? 0 : d.classes), 0);
      row.sparseClasses = stats.dimensions.reduce((sum, d) => sum + (d.sparse ? d.classes : 0), 0);
      row.listEntries = stats.ruleListEntries;
      row.phaseEntries = stats.phases.reduce((sum, p) => sum + p.rows * p.columns, 0);
      row.results = stats.results;
    } catch (error) {
      if (error?.code === 'SIGWALL_ERR_POLICY_TOO_COMPLEX') {
        row.tooComplex = `${error.message} (refused after ${fmt(row.compileMs)} ms)`;
      } else {
        row.failed = error;
        unexpected = true;
      }
    }
  }

  // Classification, the policies interleaved run by run so that drift (clock, cache, other
  // load on the machine) falls on all of them alike.
  const compiled = rows.filter((row) => row.image);
  for (const row of compiled) benchDecode(capture, 1, { table: row.image }); // warm-up
  for (let run = 0; run < runs; run++) {
    for (const row of compiled) {
      const result = benchDecode(capture, 1, { table: row.image });
      const ns = result.classifyNanoseconds / result.messages;
      if (!(row.nsPerMessage <= ns)) {
        row.nsPerMessage = ns;
        row.messages = result.messages;
        row.actions = result.actions;
      }
    }
  }

  const base = rows.find((row) => row.ruleCount === 10 && row.nsPerMessage !== undefined) ?? compiled[0];
  const ratioOf = (row) => (base && row.nsPerMessage !== undefined ? row.nsPerMessage / base.nsPerMessage : undefined);

  const messagesSeen = compiled[0]?.messages;
  console.log(`\ncapture: ${fmt(messagesSeen ?? messages)} messages, ${(capture.length / 1e6).toFixed(1)} MB; classification best of ${runs} runs per policy, interleaved; ns/msg = classifyNanoseconds / messages`);
  const header = ['rules', 'prefixes', 'lists', 'shadow', 'resolve ms', 'compile ms first/best', 'image', 'dense/sparse classes', 'phase cells', 'list entries', 'ns/msg', 'ratio', 'allow/drop/alert'];
  const table = [header];
  for (const row of rows) {
    if (row.tooComplex || row.failed) {
      table.push([fmt(row.ruleCount), fmt(row.prefixes), fmt(row.lists), fmt(row.shadows), fmt(row.resolveMs), '-', '-', '-', '-', '-', '-', '-', '-']);
      continue;
    }
    const a = row.actions;
    table.push([
      fmt(row.ruleCount), fmt(row.prefixes), fmt(row.lists), fmt(row.shadows), fmt(row.resolveMs), `${fmt(row.firstCompileMs)} / ${fmt(row.compileMs)}`,
      `${(row.imageBytes / 1024).toFixed(0)} KiB`, `${fmt(row.classes)} / ${fmt(row.sparseClasses)}`, fmt(row.phaseEntries), fmt(row.listEntries),
      fmt(row.nsPerMessage, 1), `${ratioOf(row).toFixed(2)}x`, a ? `${a.allow}/${a.drop}/${a.alert}` : '-',
    ]);
  }
  const widths = header.map((_, c) => Math.max(...table.map((line) => line[c].length)));
  for (const line of table) console.log(line.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  for (const row of rows) {
    if (row.tooComplex) console.log(`${fmt(row.ruleCount)} rules: NOT COMPILED, SIGWALL_ERR_POLICY_TOO_COMPLEX: ${row.tooComplex}`);
    if (row.failed) console.log(`${fmt(row.ruleCount)} rules: UNEXPECTED ERROR: ${row.failed?.stack ?? row.failed}`);
  }

  const big = rows.find((row) => row.ruleCount === 10_000);
  const verdict = (label, ok, detail) => console.log(`${label}: ${ok === undefined ? 'NOT MEASURED' : ok ? 'met' : 'NOT met'} (${detail})`);
  console.log('');
  if (!big || !base) {
    verdict(`target 10,000 rules <= ${TARGET_RATIO}x of 10 rules`, undefined, !big ? 'no 10,000-rule row in BENCH_SIZES' : 'no baseline row');
  } else if (big.nsPerMessage === undefined || base.ruleCount !== 10) {
    verdict(`target 10,000 rules <= ${TARGET_RATIO}x of 10 rules`, undefined, big.tooComplex ? '10,000 rules did not compile: too complex' : base.ruleCount !== 10 ? '10 rules did not compile' : '10,000 rules failed');
  } else {
    const ratio = ratioOf(big);
    verdict(`target 10,000 rules <= ${TARGET_RATIO}x of 10 rules`, ratio <= TARGET_RATIO, `${fmt(big.nsPerMessage, 1)} vs ${fmt(base.nsPerMessage, 1)} ns/message = ${ratio.toFixed(2)}x`);
  }
  if (!big || big.image === undefined) {
    verdict(`target compile <= ${TARGET_COMPILE_MS} ms for 10,000 rules + ${fmt(totalPrefixes)} prefixes`, undefined,
      big?.tooComplex ? `10,000 rules did not compile: too complex, refused after ${fmt(big.compileMs)} ms` : 'not compiled');
  } else {
    verdict(`target compile <= ${TARGET_COMPILE_MS} ms for 10,000 rules + ${fmt(totalPrefixes)} prefixes`, big.compileMs <= TARGET_COMPILE_MS, `best of ${compileRuns}: ${fmt(big.compileMs)} ms, first ${fmt(big.firstCompileMs)} ms (+ ${fmt(big.resolveMs)} ms validating and resolving the policy)`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (unexpected) process.exitCode = 1;
