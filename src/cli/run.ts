// `sigwall run --config <file> [--json] [--events]`: the engine alone (no policy store, no
// control API, no event files), in the foreground; `sigwall serve` is the whole appliance.
// Loads and checks the configuration against the machine (every problem with its fix:
// src/cli/startup.ts, shared with serve), compiles the policy, starts the engine (createEngine),
// shows a one-line live status on a terminal,
// stops cleanly on SIGINT/SIGTERM (a second signal forces the exit), and prints a summary.
// An offline configuration (a capture replayed through the engine) ends by itself when the
// capture does, unless it loops.
import type { ApplianceConfig } from '../config/appliance.js';
import type { PreflightMachine } from '../config/preflight.js';
import type { EngineCounters, EngineStatus, EngineSummary } from '../engine/contract.js';
import { createEngine } from '../engine/factory.js';
import { inheritedKernelTexts, kernelText } from '../appliance/summary.js';
import { loadCheckedConfig } from './startup.js';
import { SigwallError } from '../errors.js';
import { compilePolicy } from '../policy/compile.js';
import { loadPolicy } from '../policy/load.js';

export interface RunOptions {
  json: boolean;
  // Every event as a JSON line on `out` while running (otherwise events are drained and counted).
  events: boolean;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
  // Where SIGINT/SIGTERM arrive (tests pass an emitter).
  signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
  // Called on the second signal: leave now, without waiting for the workers.
  forceExit?: (code: number) => void;
  machine?: PreflightMachine;
  statusIntervalMs?: number;
}

const kStatusIntervalMs = 1000;
const kDrainIntervalMs = 100;
const kBusyEvents = 1024;
const kBusyDrainMs = 2;
const kTopRules = 10;

function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatStatusLine(status: EngineStatus, counters: EngineCounters, pps: number): string {
  const seconds = Math.floor(status.uptimeSeconds);
  const uptime = `${Math.floor(seconds / 3600)}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  return [
    `${status.state} ${uptime}`,
    `messages ${count(counters.messages)}`,
    `blocked ${count(counters.verdicts.drop)}`,
    `alerted ${count(counters.verdicts.alert)}`,
    `${count(Math.round(pps))} pps`,
    ...(counters.eventsLost > 0 ? [`events lost ${count(counters.eventsLost)}`] : []),
    ...(counters.ringDrops > 0 ? [`ring drops ${count(counters.ringDrops)}`] : []),
  ].join('  ');
}

export function formatSummary(config: ApplianceConfig, summary: EngineSummary): string {
  const { status, counters } = summary;
  const lines = [
    `${config.name}: ${status.mode} ${status.backend}, ${status.workers} worker${status.workers === 1 ? '' : 's'}, ${status.state} after ${status.uptimeSeconds.toFixed(1)} s`,
  ];
  if (status.table) lines.push(`policy ${status.table.policyName} (${status.table.rules} rules, table generation ${status.table.generation}, sha256 ${status.table.sha256.slice(0, 12)})`);
  if (status.error) lines.push(`error: ${status.error}`);
  lines.push(
    `packets ${count(counters.packets)} (${count(counters.bytes)} bytes), messages ${count(counters.messages)}, malformed ${count(counters.malformed)}`,
    `verdicts: allow ${count(counters.verdicts.allow)}, drop ${count(counters.verdicts.drop)}, alert ${count(counters.verdicts.alert)}; shadow hits ${count(counters.shadowHits)}`,
    `decided by category: 1 ${count(counters.categories.cat1)}, 2 ${count(counters.categories.cat2)}, 3 ${count(counters.categories.cat3)}, custom ${count(counters.categories.custom)}`,
  );
  if (status.mode === 'inline') lines.push(`forwarded packets ${count(counters.forwardedPackets)}, dropped packets ${count(counters.droppedPackets)}`);
  lines.push(`ring drops ${count(counters.ringDrops)}, events lost ${count(counters.eventsLost)}, reassembly bound hits ${count(counters.reassemblyBoundHits)}`);
  if (counters.kernel) lines.push(kernelText(counters.kernel), ...inheritedKernelTexts(counters.kernel));
  const table = (title: string, rows: [string, number][], limit = Infinity) => {
    const nonZero = rows.filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    if (nonZero.length === 0) return;
    lines.push('', title);
    for (const [name, n] of nonZero.slice(0, limit)) lines.push(`  ${String(n).padStart(10)}  ${name}`);
    if (nonZero.length > limit) lines.push(`  (${nonZero.length - limit} more rules: \`sigwall run --json\` lists every one)`);
  };
  table('decisions per rule', counters.ruleIds.map((id, i) => [id, counters.ruleHits[i] ?? 0]), kTopRules);
  table('shadow hits per rule (traffic not affected)', counters.ruleIds.map((id, i) => [id, counters.ruleShadowHits[i] ?? 0]), kTopRules);
  table('messages per anomaly', Object.entries(counters.anomalies));
  if (counters.perWorker.length > 1) {
    lines.push('', 'per worker');
    for (const w of counters.perWorker) lines.push(`  worker ${w.worker}: packets ${count(w.packets)}, messages ${count(w.messages)}, ring drops ${count(w.ringDrops)}, events lost ${count(w.eventsLost)}`);
  }
  return lines.join('\n');
}

export async function runCommand(configFile: string, options: RunOptions): Promise<number> {
  const config = loadCheckedConfig(configFile, { err: options.err, ...(options.machine ? { machine: options.machine } : {}) });

  const table = compilePolicy(await loadPolicy(config.policy)).image;
  const engine = createEngine(config, table);
  await engine.start();
  // afxdp after a crash: what the fail action did while no engine ran, or why it is unknown.
  const startKernel = engine.counters().kernel;
  if (startKernel) for (const text of inheritedKernelTexts(startKernel)) options.err.write(`sigwall: ${text}
`);

  const signals = options.signals ?? process;
  const tty = options.err.isTTY === true;
  let eventsSeen = 0;
  // Returns how many events it took.
  const drain = (): number => {
    let taken = 0;
    for (;;) {
      const events = engine.drainEvents(1024);
      taken += events.length;
      if (options.events) for (const event of events) options.out.write(JSON.stringify(event) + '\n');
      if (events.length < 1024) break;
    }
    eventsSeen += taken;
    return taken;
  };
  // A burst (a fast offline replay waits for its ring to be drained): drain again shortly
  // instead of at the next interval.
  let drainSoon: NodeJS.Timeout | undefined;
  const tick = () => {
    if (drainSoon) clearTimeout(drainSoon);
    drainSoon = drain() >= kBusyEvents ? setTimeout(tick, kBusyDrainMs) : undefined;
  };

  let lastPackets = 0;
  let lastTime = Date.now();
  const showStatus = () => {
    const counters = engine.counters();
    const now = Date.now();
    const pps = now > lastTime ? ((counters.packets - lastPackets) * 1000) / (now - lastTime) : 0;
    lastPackets = counters.packets;
    lastTime = now;
    options.err.write(`\r\x1b[K${formatStatusLine(engine.status(), counters, pps)}`);
  };

  // Resolves on the first signal or when the engine leaves `running` by itself.
  let signalCount = 0;
  let resolveEnd: (reason: string) => void = () => {};
  const ended = new Promise<string>((resolve) => {
    resolveEnd = resolve;
  });
  const onSignal = (signal: string) => {
    signalCount++;
    if (signalCount === 1) {
      resolveEnd(signal);
      return;
    }
    options.err.write(`\nsigwall: ${signal} again: exiting without waiting for the workers\n`);
    (options.forceExit ?? ((code: number) => process.exit(code)))(130);
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  signals.on('SIGINT', onSigint);
  signals.on('SIGTERM', onSigterm);
  const unsubscribe = engine.onStateChange((status) => resolveEnd(status.state));
  if (engine.status().state !== 'running') resolveEnd(engine.status().state);

  // These timers keep the process alive while the engine runs (the native threads do not).
  const drainTimer = setInterval(tick, kDrainIntervalMs);
  const statusTimer = tty ? setInterval(showStatus, options.statusIntervalMs ?? kStatusIntervalMs) : undefined;
  if (!tty && !options.json) options.err.write(`sigwall: ${config.name} running (${config.mode}, ${config.backend}); stop with Ctrl-C\n`);

  let summary: EngineSummary;
  try {
    const reason = await ended;
    if (tty) options.err.write(`\r\x1b[K${reason === 'SIGINT' || reason === 'SIGTERM' ? `${reason}: stopping\n` : ''}`);
  } finally {
    clearInterval(drainTimer);
    if (drainSoon) clearTimeout(drainSoon);
    if (statusTimer) clearInterval(statusTimer);
    unsubscribe();
    // From here a second signal forces the exit; it is removed once the summary is out.
    summary = await engine.stop();
    drain();
    signals.off('SIGINT', onSigint);
    signals.off('SIGTERM', onSigterm);
  }

  const failed = summary.status.state === 'failed';
  if (options.json) {
    options.out.write(
      JSON.stringify({ config: configFile, ...summary, eventsDrained: eventsSeen, ...(failed ? { error: { code: 'SIGWALL_ERR_ENGINE', message: summary.status.error ?? '' } } : {}) }) + '\n',
    );
  } else {
    options.out.write(formatSummary(config, summary) + '\n');
  }
  if (failed) throw new SigwallError('SIGWALL_ERR_ENGINE', summary.status.error ?? 'the data plane failed', { summaryPrinted: true });
  return 0;
}
