// The offline engine's cost over the bare native path, in one run: a generated load capture
// screened with the FS.11 baseline by (a) benchDecode, the native decode + classify loop on the
// calling thread with nothing else (no counters, no events), and (b) the engine every mode uses
// (src/engine/live.ts over native/live/) on the pcap backend at pace fast, as `sigwall serve`
// runs it: one worker thread, per-worker counters, an event record per blocked/alerted/shadow/
// malformed message, drained and decoded by the appliance's events pipeline into its hub (file
// exports off: disk speed is not the engine's); the worker waits for the drain rather than lose
// an event. Rounds alternate the two; prints messages per second of both (best round each) and
// the ratio engine / native.
//   BENCH_MESSAGES  messages in the generated capture (default 200000)
//   BENCH_RUNS      rounds (default 3)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLoadCapture } from '../dist/builder/capture.js';
import { parseApplianceConfig } from '../dist/config/appliance.js';
import { benchDecode } from '../dist/dataplane/decoder.js';
import { LiveEngine } from '../dist/engine/live.js';
import { EventPipeline } from '../dist/events/pipeline.js';
import { compilePolicy } from '../dist/policy/compile.js';
import { loadPolicy } from '../dist/policy/load.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const messages = Math.max(1, Number(process.env.BENCH_MESSAGES ?? 200_000));
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const kStatePollMs = 1; // see the end of the replay within a millisecond, not the default 100

const dir = mkdtempSync(join(tmpdir(), 'sigwall-bench-replay-'));
try {
  const capture = join(dir, 'load.pcap');
  writeLoadCapture(capture, messages, 1);
  const bytes = readFileSync(capture);
  const table = compilePolicy(await loadPolicy(join(root, 'firmware-config', 'policies', 'fs11-baseline.ts'))).image;
  const config = parseApplianceConfig(
    { name: 'bench', mode: 'offline', backend: 'pcap', replay: { capture, pace: 'fast', loop: false }, policy: 'unused.ts', dataDir: dir, events: { file: false, pcapng: false } },
    join(dir, 'bench.yaml'),
  );

  const native = () => {
    const result = benchDecode(bytes, 1, { table });
    if (result.error) throw new Error(`benchDecode: ${result.error.message}`);
    return { ns: result.nanoseconds, messages: result.messages, drops: result.actions.drop };
  };

  const engine = async () => {
    const live = new LiveEngine({ config, table, capture: bytes, statePollMs: kStatePollMs });
    const pipeline = new EventPipeline(config, live);
    const done = new Promise((resolve) => live.onStateChange(resolve));
    const started = process.hrtime.bigint();
    pipeline.start();
    await live.start();
    const status = await done;
    const ns = Number(process.hrtime.bigint() - started);
    await pipeline.stop();
    const drained = pipeline.stats().drained;
    const { counters } = await live.stop();
    if (status.state !== 'finished') throw new Error(`engine ${status.state}: ${status.error}`);
    if (counters.eventsLost !== 0) throw new Error(`engine lost ${counters.eventsLost} events at pace fast`);
    return { ns, messages: counters.messages, drops: counters.verdicts.drop, events: drained };
  };

  native(); // warm-up: page in the capture, the decoder's tables
  let nativeBest;
  let engineBest;
  for (let round = 0; round < runs; round++) {
    const a = native();
    const b = await engine();
    if (!nativeBest || a.ns < nativeBest.ns) nativeBest = a;
    if (!engineBest || b.ns < engineBest.ns) engineBest = b;
  }
  if (engineBest.messages !== nativeBest.messages || engineBest.drops !== nativeBest.drops) {
    throw new Error(`engine counted ${engineBest.messages} messages / ${engineBest.drops} drops, benchDecode ${nativeBest.messages} / ${nativeBest.drops}`);
  }
  const nativeRate = (nativeBest.messages * 1e9) / nativeBest.ns;
  const engineRate = (engineBest.messages * 1e9) / engineBest.ns;
  console.log(`capture: ${fmt(nativeBest.messages)} messages (${fmt(nativeBest.drops)} dropped by the FS.11 baseline), best of ${runs} rounds`);
  console.log(`baseline: benchDecode (decode + classify, no engine)   ${fmt(nativeRate).padStart(12)} messages/s`);
  console.log(`engine: LiveEngine pcap, pace fast, ${fmt(engineBest.events)} events drained   ${fmt(engineRate).padStart(12)} messages/s`);
  console.log(`ratio engine / baseline: ${(engineRate / nativeRate).toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
