// The Prometheus text exposition (format 0.0.4,
// https://prometheus.io/docs/instrumenting/exposition_formats/) of the engine's counters and
// status, for `GET /metrics`. Every family has HELP and TYPE; counters end in `_total`; label
// values escape backslash, double quote and newline, HELP text backslash and newline. Per-rule
// series carry the rule's id and, when the table's rule list is given, its FS.11 category,
// action and mode, so a dashboard can sum blocks per category without a second query.
import { kernelCounterKinds, type EngineCounters, type EngineStatus, type KernelCounterKind } from '../engine/contract.js';
import type { TableRuleInfo } from '../engine/image-info.js';

type Labels = Record<string, string | number>;
type Sample = { labels?: Labels; value: number };

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

export class Exposition {
  readonly #lines: string[] = [];
  readonly #families = new Set<string>();

  counter(name: string, help: string, samples: Sample[] | number): this {
    return this.#family(name, 'counter', help, samples);
  }

  gauge(name: string, help: string, samples: Sample[] | number): this {
    return this.#family(name, 'gauge', help, samples);
  }

  text(): string {
    return this.#lines.join('\n') + '\n';
  }

  #family(name: string, type: 'counter' | 'gauge', help: string, samples: Sample[] | number): this {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
    if (this.#families.has(name)) throw new Error(`metric family ${name} declared twice`);
    this.#families.add(name);
    this.#lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    const list = typeof samples === 'number' ? [{ value: samples }] : samples;
    for (const sample of list) {
      const labels = Object.entries(sample.labels ?? {});
      const labelText = labels.length === 0 ? '' : `{${labels.map(([key, value]) => `${key}="${escapeLabelValue(String(value))}"`).join(',')}}`;
      this.#lines.push(`${name}${labelText} ${formatValue(sample.value)}`);
    }
    return this;
  }
}

export interface MetricsInput {
  status: EngineStatus;
  counters: EngineCounters;
  rules?: readonly TableRuleInfo[]; // the active table's rules (labels per rule)
  applianceName?: string;
  version?: string;
  processUptimeSeconds?: number;
  extra?: (exposition: Exposition) => void; // e.g. the events pipeline's families
}

// steeredToEngine -> steered_to_engine (Prometheus label values are conventionally snake case).
function kernelKindLabel(kind: KernelCounterKind): string {
  return kind.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export function renderMetrics(input: MetricsInput): string {
  const { status, counters } = input;
  const byId = new Map((input.rules ?? []).map((rule) => [rule.id, rule]));
  const ruleLabels = (id: string): Labels => {
    const rule = byId.get(id);
    return rule ? { rule: id, category: rule.category, action: rule.action, mode: rule.mode } : { rule: id };
  };
  const out = new Exposition()
    .gauge('sigwall_engine_info', 'The engine: mode, backend, state and the active table (value 1).', [
      {
        labels: {
          appliance: input.applianceName ?? '',
          version: input.version ?? '',
          mode: status.mode,
          backend: status.backend,
          state: status.state,
          policy: status.table?.policyName ?? '',
          table_sha256: status.table?.sha256 ?? '',
        },
        value: 1,
      },
    ])
    .gauge('sigwall_engine_up', 'Whether the engine is running (1) or not (0).', status.state === 'running' ? 1 : 0)
    .gauge('sigwall_engine_uptime_seconds', 'Seconds since the engine started.', status.uptimeSeconds)
    .gauge('sigwall_engine_workers', 'Worker threads of the engine.', status.workers)
    .gauge('sigwall_table_generation', 'Generation of the active table (1 for the first, +1 per swap).', status.table?.generation ?? 0)
    .gauge('sigwall_table_rules', 'Rules in the active table.', status.table?.rules ?? 0);
  if (input.processUptimeSeconds !== undefined) out.gauge('sigwall_process_uptime_seconds', 'Seconds since the sigwall process started.', input.processUptimeSeconds);
  out
    .counter('sigwall_packets_total', 'Packets the engine received.', counters.packets)
    .counter('sigwall_bytes_total', 'Bytes of the packets the engine received.', counters.bytes)
    .counter('sigwall_messages_total', 'SS7 messages decoded (one per SCTP user message after reassembly).', counters.messages)
    .counter('sigwall_forwarded_packets_total', 'Packets forwarded (inline mode).', counters.forwardedPackets)
    .counter('sigwall_dropped_packets_total', 'Packets not forwarded because of a drop verdict (inline mode).', counters.droppedPackets)
    .counter('sigwall_verdicts_total', 'Messages by verdict.', (['allow', 'drop', 'alert'] as const).map((action) => ({ labels: { action }, value: counters.verdicts[action] })))
    .counter('sigwall_malformed_messages_total', 'Messages a decoder found malformed.', counters.malformed)
    .counter('sigwall_shadow_hit_messages_total', 'Messages that matched at least one shadow rule.', counters.shadowHits)
    .counter(
      'sigwall_category_decisions_total',
      'Messages decided by a rule of each FS.11 category (custom: rules outside the three categories).',
      (['custom', 'cat1', 'cat2', 'cat3'] as const).map((key) => ({ labels: { category: key === 'custom' ? 'custom' : key.slice(3) }, value: counters.categories[key] })),
    )
    .counter('sigwall_rule_hits_total', 'Messages decided by each rule.', counters.ruleIds.map((id, i) => ({ labels: ruleLabels(id), value: counters.ruleHits[i] ?? 0 })))
    .counter('sigwall_rule_shadow_hits_total', 'Messages each shadow rule would have decided.', counters.ruleIds.map((id, i) => ({ labels: ruleLabels(id), value: counters.ruleShadowHits[i] ?? 0 })))
    .counter('sigwall_anomalies_total', 'Messages flagged with each decoder anomaly.', Object.entries(counters.anomalies).map(([anomaly, value]) => ({ labels: { anomaly }, value })))
    .counter('sigwall_ring_drops_total', 'Packets the capture backend lost before a worker saw them.', counters.ringDrops)
    .counter('sigwall_reassembly_bound_hits_total', 'SCTP or SCCP reassemblies abandoned at a bound.', counters.reassemblyBoundHits)
    .counter('sigwall_events_lost_total', "Events not recorded because a worker's event ring was full.", counters.eventsLost)
    .counter('sigwall_worker_packets_total', 'Packets per worker.', counters.perWorker.map((w) => ({ labels: { worker: w.worker }, value: w.packets })))
    .counter('sigwall_worker_messages_total', 'Messages per worker.', counters.perWorker.map((w) => ({ labels: { worker: w.worker }, value: w.messages })));
  if (counters.kernel) {
    // afxdp: what the XDP program did per port, including what never reached a worker.
    const kernel = counters.kernel;
    const samples = (field: 'packets' | 'bytes') =>
      kernel.perPort.flatMap((port) => kernelCounterKinds.map((kind) => ({ labels: { port: port.port, kind: kernelKindLabel(kind) }, value: port[kind][field] })));
    out
      .counter(
        'sigwall_kernel_packets_total',
        'afxdp: frames the XDP program handled on each port, by kind (steered_to_engine: to the engine; fail_open_*/fail_closed_dropped: SCTP while no engine socket was bound; non_sctp_*: bridged or passed in the kernel; unparsed_as_sctp: subset of the first four).',
        samples('packets'),
      )
      .counter('sigwall_kernel_bytes_total', 'afxdp: bytes of the frames in sigwall_kernel_packets_total, by port and kind.', samples('bytes'));
    if (kernel.inherited) {
      // Only the ports where a start replaced a stale program (the family is absent otherwise).
      const inherited = (field: 'packets' | 'bytes') =>
        kernel.perPort.flatMap((port) => {
          const counts = port.inherited;
          return counts ? kernelCounterKinds.map((kind) => ({ labels: { port: port.port, kind: kernelKindLabel(kind) }, value: counts[kind][field] })) : [];
        });
      out
        .counter(
          'sigwall_kernel_inherited_packets_total',
          'afxdp: what the XDP program a crashed run left on a port had counted when a start replaced it, by kind; fail_open_*/fail_closed_dropped: SCTP forwarded unjudged or dropped while no engine ran. Not included in sigwall_kernel_packets_total.',
          inherited('packets'),
        )
        .counter('sigwall_kernel_inherited_bytes_total', 'afxdp: bytes of the frames in sigwall_kernel_inherited_packets_total, by port and kind.', inherited('bytes'));
    }
  }
  input.extra?.(out);
  return out.text();
}
