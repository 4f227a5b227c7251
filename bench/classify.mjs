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
// The policies. Rules come in groups of ten, one group per "roaming partner" g, each with a GT
// list gt-g and an IMSI list imsi-g; the 100,000 prefixes are shared out over all the lists. So
// 10 rules have 2 lists of 50,000 prefixes, 10,000 rules have 2,000 lists of 50. The ten rule
// shapes are those of the FS.11 baseline (firmware-config/policies/fs11-baseline.ts): side +
// component type + opcode set + GT or IMSI digits condition, SSN conditions, CAP, an internal
// rule, and a shadow rule in every tenth group.

// xorshift32: the same policies on every run.
function prng(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

// MAP/CAP operation codes by FS.11 category (FS11.md; the baseline's lists).
const MAP_CAT1 = [5, 22, 24, 43, 50, 51, 52, 55, 58, 62, 65, 71, 83, 85];
const MAP_CAT2 = [3, 4, 7, 8, 18, 37, 60, 61, 70];
const MAP_CAT3 = [2, 9, 10, 11, 12, 13, 14, 15, 17, 19, 23, 46, 48, 54, 56, 57, 59, 66, 67];
const MAP_VLR_TO_HLR = [9, 10, 11, 12, 13, 14, 17];
const MAP_SMS = [44, 45]; // mt-forwardSM, sendRoutingInfoForSM
const CAP_SCF_TO_SSF = [20, 22, 23, 31, 33, 34, 35];

// Country codes (E.164) and MCCs (E.212) the random prefixes start with.
const COUNTRY_CODES = ['1', '7', '20', '27', '31', '33', '34', '39', '41', '44', '46', '49', '52', '55', '61', '65', '81', '86', '91', '234', '255', '351', '353', '358', '420', '852', '966', '971'];
const MCCS = ['202', '204', '206', '208', '214', '222', '228', '232', '234', '240', '244', '250', '262', '268', '302', '310', '334', '404', '440', '450', '460', '505', '510', '520', '530', '602', '621', '655', '722', '724'];
// The load capture's own networks (src/builder/network.ts), so that rules also match traffic.
const CAPTURE_GT_PREFIXES = ['4477009000', '120255501', '614915700', '9998800'];
const CAPTURE_IMSI_PREFIXES = ['23415', '310990', '50599'];

function digits(random, count) {
  let out = '';
  for (let i = 0; i < count; i++) out += String(Math.floor(random() * 10));
  return out;
}

function subset(random, values, min, max) {
  const count = Math.min(values.length, min + Math.floor(random() * (max - min + 1)));
  const chosen = new Set();
  while (chosen.size < count) chosen.add(values[Math.floor(random() * values.length)]);
  return [...chosen].sort((a, b) => a - b);
}

function buildPolicy(ruleCount, prefixCount, seed = 1) {
  const random = prng(seed * 7919 + ruleCount);
  const groups = Math.max(1, Math.ceil(ruleCount / 10));
  const listCount = groups * 2;
  const seen = new Set();
  const lists = {};
  let made = 0;
  for (let l = 0; l < listCount; l++) {
    const gt = l % 2 === 0;
    const g = Math.floor(l / 2);
    const want = Math.floor(prefixCount / listCount) + (l < prefixCount % listCount ? 1 : 0);
    const prefixes = [];
    // The first group's lists also hold the capture's networks.
    if (g === 0) for (const p of gt ? CAPTURE_GT_PREFIXES : CAPTURE_IMSI_PREFIXES) if (!seen.has(p) && prefixes.length < want) seen.add(p), prefixes.push(p);
    while (prefixes.length < want) {
      const p = gt
        ? COUNTRY_CODES[Math.floor(random() * COUNTRY_CODES.length)] + digits(random, 4 + Math.floor(random() * 5)) // CC + NDC (+ range): 5..12 digits
        : MCCS[Math.floor(random() * MCCS.length)] + digits(random, 2 + Math.floor(random() * 6)); // MCC + MNC (+ MSIN range): 5..11 digits
      if (seen.has(p)) continue;
      seen.add(p);
      prefixes.push(p);
    }
    made += prefixes.length;
    lists[`${gt ? 'gt' : 'imsi'}-${g}`] = { kind: gt ? 'gt' : 'imsi', prefixes };
  }

  const ext = { 'ingress.side': ['external'] };
  const invoke = { 'tcap.component_type': ['invoke'] };
  const rules = [];
  for (let i = 0; i < ruleCount; i++) {
    const g = Math.floor(i / 10);
    const gtList = `gt-${g}`;
    const imsiList = `imsi-${g}`;
    const name = `r${i}`;
    switch (i % 10) {
      case 0: // Category 1 from anyone without a bilateral agreement
        rules.push({ name, category: 1, action: 'drop', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_CAT1, 3, 10), 'sccp.calling.digits': { lists: [gtList], not: true } } });
        break;
      case 1: // Category 2 about the subscribers of the IMSI ranges
        rules.push({ name, category: 2, action: 'drop', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_CAT2, 2, 6), 'e212.imsi': { lists: [imsiList] } } });
        break;
      case 2: // Category 2 from the partner's GTs for its IMSIs: allowed
        rules.push({ name, category: 2, action: 'allow', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_CAT2, 2, 6), 'sccp.calling.digits': { lists: [gtList] }, 'e212.imsi': { lists: [imsiList] } } });
        break;
      case 3: // SMS from the partner's SMSCs: alert
        rules.push({ name, category: 'custom', action: 'alert', match: { ...ext, ...invoke, 'map.opcode': MAP_SMS, 'sccp.calling.digits': { lists: [gtList] } } });
        break;
      case 4: // VLR-to-HLR operations not towards the HLR
        rules.push({ name, category: 1, action: 'drop', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_VLR_TO_HLR, 2, 7), 'sccp.called.ssn': { not: [6] }, 'sccp.called.digits': { lists: [gtList] } } });
        break;
      case 5: // CAP gsmSCF-to-gsmSSF from outside the partner
        rules.push({ name, category: 2, action: 'drop', match: { ...ext, ...invoke, 'cap.opcode': subset(random, CAP_SCF_TO_SSF, 2, 7), 'sccp.calling.digits': { lists: [gtList], not: true } } });
        break;
      case 6: // Category 3 from outside the partner: counted (shadow) in every tenth group
        rules.push({ name, category: 3, action: 'drop', mode: g % 10 === 0 ? 'shadow' : 'enforce', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_CAT3, 3, 10), 'sccp.calling.digits': { lists: [gtList], not: true } } });
        break;
      case 7: // Category 2 towards the called GTs of the list
        rules.push({ name, category: 2, action: 'drop', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_CAT2, 2, 6), 'sccp.called.digits': { lists: [gtList] } } });
        break;
      case 8: // Category 3 for IMSIs outside the ranges: alert
        rules.push({ name, category: 3, action: 'alert', match: { ...ext, ...invoke, 'map.opcode': subset(random, MAP_CAT3, 2, 6), 'e212.imsi': { lists: [imsiList], not: true }, 'sccp.calling.ssn': [7] } });
        break;
      case 9: // Category 1 sent out from the home network: alert
        rules.push({ name, category: 1, action: 'alert', match: { 'ingress.side': ['internal'], ...invoke, 'map.opcode': subset(random, MAP_CAT1, 2, 6), 'sccp.called.digits': { lists: [gtList], not: true } } });
        break;
    }
  }
  return {
    input: {
      name: `bench-${ruleCount}`,
      networks: { home: { mccMnc: ['23415'], gtPrefixes: ['447700900'] } },
      lists,
      defaults: { action: 'allow', malformed: 'drop' },
      rules,
    },
    prefixes: made,
    lists: listCount,
    shadows: rules.filter((r) => r.mode === 'shadow').length,
  };
}

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
      row.classes = stats.dimensions.reduce((sum, d) => sum + d.classes, 0);
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
  const header = ['rules', 'prefixes', 'lists', 'shadow', 'resolve ms', 'compile ms first/best', 'image', 'classes', 'phase cells', 'ns/msg', 'ratio', 'allow/drop/alert'];
  const table = [header];
  for (const row of rows) {
    if (row.tooComplex || row.failed) {
      table.push([fmt(row.ruleCount), fmt(row.prefixes), fmt(row.lists), fmt(row.shadows), fmt(row.resolveMs), '-', '-', '-', '-', '-', '-', '-']);
      continue;
    }
    const a = row.actions;
    table.push([
      fmt(row.ruleCount), fmt(row.prefixes), fmt(row.lists), fmt(row.shadows), fmt(row.resolveMs), `${fmt(row.firstCompileMs)} / ${fmt(row.compileMs)}`,
      `${(row.imageBytes / 1024).toFixed(0)} KiB`, fmt(row.classes), fmt(row.phaseEntries),
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
