// The offline engine's cost over the bare native path, in one run: a generated load capture
// screened with the FS.11 baseline by (a) decodeCapture, the native decode + classify that
// `sigwall replay --policy` uses, and (b) the ReplayEngine at pace fast with the events pipeline's
// drain (events drained, nothing written). Prints messages per second of both and the ratio
// (engine / native): what pacing, exact counters, event building and frame lookup cost per message.
//   BENCH_MESSAGES  messages in the generated capture (default 200000)
//   BENCH_RUNS      runs of each, the best is kept (default 3)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLoadCapture } from '../dist/builder/capture.js';
import { decodeCapture } from '../dist/dataplane/decoder.js';
import { ReplayEngine } from '../dist/engine/replay.js';
import { compilePolicy } from '../dist/policy/compile.js';
import { loadPolicy } from '../dist/policy/load.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const messages = Math.max(1, Number(process.env.BENCH_MESSAGES ?? 200_000));
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const fmt = (n) => Math.round(n).toLocaleString('en-US');

const dir = mkdtempSync(join(tmpdir(), 'sigwall-bench-replay-'));
try {
  const capture = join(dir, 'load.pcap');
  writeLoadCapture(capture, messages, 1);
  const bytes = readFileSync(capture);
  const table = compilePolicy(await loadPolicy(join(root, 'firmware-config', 'policies', 'fs11-baseline.ts'))).image;

  let nativeBest = Infinity;
  let nativeMessages = 0;
  let nativeDrops = 0;
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    const { records } = decodeCapture(bytes, { table });
    const ns = Number(process.hrtime.bigint() - started);
    nativeBest = Math.min(nativeBest, ns);
    nativeMessages = records.length;
    nativeDrops = records.filter((record) => record.verdict?.action === 'drop').length;
  }

  let engineBest = Infinity;
  let engineCounters;
  for (let run = 0; run < runs; run++) {
    const engine = new ReplayEngine(
      { capture, pace: 'fast', loop: false, side: 'external', decode: { verifyCrc: true, mtp3Variant: 'itu', capSsns: [146] }, batchRecords: 64, eventRingSize: 4096, holdWhenEventsFull: true },
      table,
    );
    const drained = { count: 0 };
    const drainer = setInterval(() => (drained.count += engine.drainEvents(4096).length), 100);
    const done = new Promise((resolve) => engine.onStateChange(resolve));
    const started = process.hrtime.bigint();
    await engine.start();
    const status = await done;
    const ns = Number(process.hrtime.bigint() - started);
    clearInterval(drainer);
    if (status.state !== 'finished') throw new Error(`engine ${status.state}: ${status.error}`);
    engineBest = Math.min(engineBest, ns);
    engineCounters = engine.counters();
  }
  if (engineCounters.messages !== nativeMessages || engineCounters.verdicts.drop !== nativeDrops) {
    throw new Error(`engine counted ${engineCounters.messages} messages / ${engineCounters.verdicts.drop} drops, native ${nativeMessages} / ${nativeDrops}`);
  }
  const nativeRate = (nativeMessages * 1e9) / nativeBest;
  const engineRate = (engineCounters.messages * 1e9) / engineBest;
  console.log(`capture: ${fmt(nativeMessages)} messages (${fmt(nativeDrops)} dropped by the FS.11 baseline), best of ${runs}`);
  console.log(`native decodeCapture + classify   ${fmt(nativeRate).padStart(12)} messages/s`);
  console.log(`ReplayEngine pace fast + drain    ${fmt(engineRate).padStart(12)} messages/s`);
  console.log(`ratio engine / native: ${(engineRate / nativeRate).toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
