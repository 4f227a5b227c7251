// The appliance: everything `sigwall serve` (and `npm start`) runs, composed in one place.
//
//   policy store (active version, or config.policy imported as the first) -> compile
//   -> engine (createEngine: the native data plane, any mode) -> events pipeline (drains the
//   engine into the hub, JSON lines, pcapng, syslog) -> control API (unix socket, optional TCP)
//   -> a live summary; SIGINT/SIGTERM stop it in reverse order.
//
// Start-up is all or nothing: if a later step fails (another instance holds the socket, the
// capture is unreadable), what was started is stopped again and the error is thrown.
import { readFileSync } from 'node:fs';
import type { ApplianceConfig } from '../config/appliance.js';
import { createEngine } from '../engine/factory.js';
import type { Engine, EngineStatus } from '../engine/contract.js';
import { readTableImageInfo, type TableRuleInfo } from '../engine/image-info.js';
import { EventPipeline } from '../events/pipeline.js';
import { renderMetrics } from '../metrics/prometheus.js';
import { compilePolicy } from '../policy/compile.js';
import { bootstrapPolicy } from '../api/policy-service.js';
import { buildApi, listenApi, type ApiListener } from '../api/server.js';
import { PolicyStore, sha256Hex } from '../store/policy-store.js';
import { inheritedKernelTexts, summaryBlock, summaryLine, type SummaryInput } from './summary.js';

export interface ApplianceOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface RunApplianceOptions {
  out?: ApplianceOutput; // summary and notices (stdout)
  err?: ApplianceOutput; // problems (stderr)
  summaryIntervalMs?: number; // non-TTY: one summary line per interval (default 10 s)
  handleSignals?: boolean; // stop on SIGINT/SIGTERM (default true)
}

export interface RunningAppliance {
  readonly config: ApplianceConfig;
  readonly engine: Engine;
  readonly events: EventPipeline;
  readonly api: ApiListener;
  // Resolves with the exit code once the appliance has stopped (signal or stop()).
  readonly done: Promise<number>;
  stop(reason?: string): Promise<number>;
}

const kTtyRedrawMs = 1000;
// SIGHUP too: the terminal of a foreground `npm start` closing must not leave the socket behind.
const kStopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const kDefaultSummaryMs = 10_000;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '';
  } catch {
    return '';
  }
}

// The rules of the table the engine runs (for per-rule labels and blocked-per-category), found by
// the image's SHA-256 among every image handed to the engine (a stored version, or the observe
// form the API installs when an inline appliance is switched to monitor) and the store's active
// version.
class TableRules {
  readonly #bySha = new Map<string, readonly TableRuleInfo[]>();
  constructor(private readonly store: PolicyStore) {}

  remember(image: Uint8Array): void {
    const info = readTableImageInfo(image);
    this.#bySha.set(info.sha256, info.rules);
  }

  // The engine as the API sees it: every table it installs is remembered first.
  remembering(engine: Engine): Engine {
    const setTable = (image: Uint8Array) => {
      this.remember(image);
      return engine.setTable(image);
    };
    return new Proxy(engine, {
      get: (target, property) => {
        if (property === 'setTable') return setTable;
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  for(status: EngineStatus): readonly TableRuleInfo[] | undefined {
    const sha = status.table?.sha256;
    if (sha === undefined) return undefined;
    const known = this.#bySha.get(sha);
    if (known) return known;
    const active = this.store.active();
    if (active && sha256Hex(active.image) === sha) {
      this.remember(active.image);
      return this.#bySha.get(sha);
    }
    return undefined;
  }
}

export async function runAppliance(config: ApplianceConfig, options: RunApplianceOptions = {}): Promise<RunningAppliance> {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const tty = out.isTTY === true;
  const startedAt = Date.now();
  let summaryLines = 0; // lines of the TTY block currently on screen
  let renderSummary: (() => string[]) | undefined;
  const clearBlock = () => {
    if (tty && summaryLines > 0) out.write(`\x1b[${summaryLines}F\x1b[J`);
    summaryLines = 0;
  };
  const drawBlock = () => {
    if (!tty || !renderSummary) return;
    const lines = renderSummary();
    out.write(lines.join('\n') + '\n');
    summaryLines = lines.length;
  };
  // Notices go above the live block on a terminal.
  const notice = (line: string) => {
    clearBlock();
    out.write(line + '\n');
    drawBlock();
  };
  const problem = (line: string) => {
    clearBlock();
    err.write(line + '\n');
    drawBlock();
  };

  const store = PolicyStore.open(config.dataDir);
  const compile = compilePolicy;
  const { version } = await bootstrapPolicy(config, store, compile, notice);
  const engine = createEngine(config, version.image);
  const tableRules = new TableRules(store);
  tableRules.remember(version.image);
  const events = new EventPipeline(config, engine, { log: problem });
  const version_ = packageVersion();
  const summaryInput = (): SummaryInput => {
    const status = engine.status();
    return { status, counters: engine.counters(), rules: tableRules.for(status) };
  };
  const metrics = () => {
    const status = engine.status();
    return renderMetrics({
      status,
      counters: engine.counters(),
      rules: tableRules.for(status),
      applianceName: config.name,
      version: version_,
      processUptimeSeconds: (Date.now() - startedAt) / 1000,
      extra: (exposition) => {
        const stats = events.stats();
        const hub = events.hub.stats();
        exposition
          .counter('sigwall_events_drained_total', 'Events taken from the engine by the events pipeline.', stats.drained)
          .counter('sigwall_events_written_total', 'Events written per export.', [
            { labels: { sink: 'jsonl' }, value: stats.jsonLines },
            { labels: { sink: 'pcapng' }, value: stats.pcapngPackets },
            { labels: { sink: 'syslog' }, value: stats.syslog?.sent ?? 0 },
          ])
          .counter('sigwall_events_export_dropped_total', 'Events an export could not take (syslog backlog full or send failed).', stats.syslog?.dropped ?? 0)
          .counter('sigwall_events_sink_errors_total', 'Failed writes of event files.', stats.sinkErrors)
          .gauge('sigwall_event_subscribers', 'Live event subscribers (SSE streams).', hub.subscribers)
          .counter('sigwall_event_subscriber_lost_total', 'Events dropped from slow subscribers queues.', hub.subscriberLost);
      },
    });
  };

  const app = buildApi({ config, engine: tableRules.remembering(engine), store, events: events.hub, metrics, compile, log: problem });
  let api: ApiListener;
  try {
    api = await listenApi(app, config.api);
  } catch (error) {
    await events.stop();
    await app.close();
    throw error;
  }

  events.start();
  try {
    await engine.start();
  } catch (error) {
    await events.stop();
    await api.close();
    throw error;
  }

  const offEngine = engine.onStateChange((status) => {
    if (status.state === 'finished') notice('sigwall: the replay reached the end of its capture; the API stays up (Ctrl-C or SIGTERM to stop)');
    if (status.state === 'failed') problem(`sigwall: the engine failed: ${status.error ?? 'unknown error'}; the API stays up for inspection`);
  });

  const replay = config.replay;
  notice(`sigwall ${version_} ${config.name}: mode ${config.mode}, backend ${config.backend}` + (replay ? `, replaying ${replay.capture} (pace ${replay.pace}${replay.pace === 'rate' ? ` ${replay.rate}/s` : ''}${replay.loop ? ', looping' : ''})` : ''));
  notice(`policy version ${version.record.id} (${engine.status().table?.policyName ?? '?'}, ${version.record.comment}); events in ${config.dataDir}/events`);
  // Run by `npm start`, the `sigwall` command is not on PATH; the project's own bin is.
  const sigwallCommand = process.env.npm_lifecycle_event !== undefined ? 'node bin/sigwall.js' : 'sigwall';
  notice(`control API on unix socket ${api.socket}: ${sigwallCommand} ctl --socket ${api.socket} status`);
  if (api.tcp) notice(`control API on http://${api.tcp.host.includes(':') ? `[${api.tcp.host}]` : api.tcp.host}:${api.tcp.port} (bearer token from ${config.api.tcp!.tokenFile})`);
  notice('Ctrl-C or SIGTERM stops the appliance');
  // afxdp after a crash: what the fail action did while no engine ran, or why it is unknown.
  const startKernel = engine.counters().kernel;
  if (startKernel) for (const text of inheritedKernelTexts(startKernel)) problem(`sigwall: ${text}`);

  renderSummary = () => summaryBlock(summaryInput());
  drawBlock();
  const summaryTimer = tty
    ? setInterval(() => {
        clearBlock();
        drawBlock();
      }, kTtyRedrawMs)
    : setInterval(() => out.write(`sigwall: ${summaryLine(summaryInput())}\n`), options.summaryIntervalMs ?? kDefaultSummaryMs);

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  let stopping: Promise<number> | undefined;

  const stop = (reason = 'stop requested'): Promise<number> => {
    stopping ??= (async () => {
      clearInterval(summaryTimer);
      offEngine();
      let code = 0;
      notice(`sigwall: stopping (${reason})`);
      try {
        await engine.stop();
      } catch (error) {
        problem(`sigwall: stopping the engine: ${(error as Error).message}`);
        code = 1;
      }
      await events.stop();
      try {
        await api.close();
      } catch (error) {
        problem(`sigwall: closing the API: ${(error as Error).message}`);
        code = 1;
      }
      renderSummary = undefined;
      clearBlock();
      out.write(`sigwall: final: ${summaryLine(summaryInput())}\n`);
      out.write('sigwall: stopped\n');
      removeSignals();
      resolveDone(code);
      return code;
    })();
    return stopping;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal while stopping: the operator wants out now.
      err.write(`sigwall: ${signal} again while stopping; exiting now\n`);
      process.exit(130);
    }
    void stop(signal);
  };
  const removeSignals = () => {
    for (const signal of kStopSignals) process.off(signal, onSignal);
  };
  if (options.handleSignals !== false) {
    for (const signal of kStopSignals) process.on(signal, onSignal);
  }

  return { config, engine, events, api, done, stop };
}
