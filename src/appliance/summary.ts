// The appliance's live summary: what an operator watching `npm start` / `sigwall serve` wants at
// a glance: traffic, what was blocked per FS.11 category, which rules fire most, and whether the
// engine is healthy. One block of lines redrawn in place on a terminal, one line per interval
// otherwise (journald, a pipe, a test).
import { kernelCounterKinds, type EngineCounters, type EngineStatus, type KernelCounterKind, type KernelCounters } from '../engine/contract.js';
import type { TableRuleInfo } from '../engine/image-info.js';

export interface SummaryInput {
  status: EngineStatus;
  counters: EngineCounters;
  rules: readonly TableRuleInfo[] | undefined; // the active table's rules, when known
}

export interface SummaryFigures {
  messages: number;
  packets: number;
  blocked: number;
  alerted: number;
  shadow: number;
  malformed: number;
  // Blocked messages by the deciding rule's category; `default` for the policy's default and
  // malformed actions (no rule).
  blockedByCategory: { cat1: number; cat2: number; cat3: number; custom: number; default: number };
  topRules: { id: string; hits: number; action: string }[];
}

const kTopRules = 5;

export function summaryFigures({ counters, rules }: SummaryInput): SummaryFigures {
  const byId = new Map((rules ?? []).map((rule) => [rule.id, rule]));
  const blockedByCategory = { cat1: 0, cat2: 0, cat3: 0, custom: 0, default: 0 };
  let blockedByRules = 0;
  const fired: { id: string; hits: number; action: string }[] = [];
  counters.ruleIds.forEach((id, i) => {
    const hits = counters.ruleHits[i] ?? 0;
    const rule = byId.get(id);
    if (hits === 0) return;
    if (rule && rule.action !== 'allow') fired.push({ id, hits, action: rule.action });
    if (!rule || rule.action !== 'drop' || rule.mode !== 'enforce') return;
    blockedByRules += hits;
    blockedByCategory[rule.category === 'custom' ? 'custom' : (`cat${rule.category}` as 'cat1' | 'cat2' | 'cat3')] += hits;
  });
  // Drops not decided by a rule of the table: the default action or the malformed action.
  blockedByCategory.default = Math.max(0, counters.verdicts.drop - blockedByRules);
  fired.sort((a, b) => b.hits - a.hits || a.id.localeCompare(b.id));
  return {
    messages: counters.messages,
    packets: counters.packets,
    blocked: counters.verdicts.drop,
    alerted: counters.verdicts.alert,
    shadow: counters.shadowHits,
    malformed: counters.malformed,
    blockedByCategory,
    topRules: fired.slice(0, kTopRules),
  };
}

function categoryText(figures: SummaryFigures): string {
  const c = figures.blockedByCategory;
  const parts = [`cat1 ${c.cat1}`, `cat2 ${c.cat2}`, `cat3 ${c.cat3}`];
  if (c.custom > 0) parts.push(`custom ${c.custom}`);
  if (c.default > 0) parts.push(`default ${c.default}`);
  return parts.join(', ');
}

const kKernelKindText: Record<KernelCounterKind, string> = {
  steeredToEngine: 'to engine',
  failOpenForwarded: 'fail-open forwarded',
  failOpenPassed: 'fail-open passed',
  failClosedDropped: 'fail-closed dropped',
  nonSctpBridged: 'non-SCTP bridged',
  nonSctpPassed: 'non-SCTP passed',
  unparsedAsSctp: 'unparsed as SCTP',
};

// afxdp: what the XDP program did, in packets summed over the ports: always the frames handed to
// the engine, then every other kind that counted something (a fail action that fired stands out).
export function kernelText(kernel: KernelCounters): string {
  const parts = kernelCounterKinds.filter((kind) => kind === 'steeredToEngine' || kernel[kind].packets > 0).map((kind) => `${kKernelKindText[kind]} ${kernel[kind].packets}`);
  return `kernel (XDP) packets: ${parts.join(', ')}`;
}

const kFailActionKinds = ['failOpenForwarded', 'failOpenPassed', 'failClosedDropped'] as const;

// afxdp, after a start that replaced a program a crashed run left on a port: what that program's
// fail action did while no engine ran (KernelCounters.inherited; only when it fired), and a
// warning per port whose replaced program's counts could not be read. Empty otherwise.
export function inheritedKernelTexts(kernel: KernelCounters): string[] {
  const texts: string[] = [];
  const inherited = kernel.inherited;
  if (inherited && kFailActionKinds.some((kind) => inherited[kind].packets > 0)) {
    const parts = kFailActionKinds.filter((kind) => inherited[kind].packets > 0).map((kind) => `${kKernelKindText[kind]} ${inherited[kind].packets}`);
    const ports = kernel.perPort.filter((port) => port.inherited && kFailActionKinds.some((kind) => port.inherited![kind].packets > 0)).map((port) => port.port);
    texts.push(`kernel (XDP) while no engine ran (the crashed run's program, replaced at start, on ${ports.join(', ')}): ${parts.join(', ')} packets`);
  }
  for (const port of kernel.perPort) {
    if (port.inheritedProblem !== undefined) texts.push(`warning: ${port.port}: the counts of the replaced stale XDP program are lost (${port.inheritedProblem})`);
  }
  return texts;
}

// One line (non-TTY).
export function summaryLine(input: SummaryInput): string {
  const f = summaryFigures(input);
  const top = f.topRules.length > 0 ? `; top rules: ${f.topRules.map((rule) => `${rule.id} ${rule.hits}`).join(', ')}` : '';
  return (
    `[${input.status.state}] messages ${f.messages} (packets ${f.packets}); blocked ${f.blocked} (${categoryText(f)}); ` +
    `alerted ${f.alerted}; shadow ${f.shadow}; malformed ${f.malformed}${top}` +
    (input.counters.kernel ? [kernelText(input.counters.kernel), ...inheritedKernelTexts(input.counters.kernel)].map((text) => `; ${text}`).join('') : '')
  );
}

// The block redrawn on a terminal.
export function summaryBlock(input: SummaryInput): string[] {
  const f = summaryFigures(input);
  const { status, counters } = input;
  const uptime = Math.floor(status.uptimeSeconds);
  const lines = [
    `engine ${status.state}  uptime ${Math.floor(uptime / 3600)}h${String(Math.floor(uptime / 60) % 60).padStart(2, '0')}m${String(uptime % 60).padStart(2, '0')}s  ` +
      `table ${status.table ? `${status.table.policyName} gen ${status.table.generation}` : '-'}`,
    `messages ${f.messages}  packets ${f.packets}  allowed ${counters.verdicts.allow}  blocked ${f.blocked}  alerted ${f.alerted}  shadow ${f.shadow}  malformed ${f.malformed}`,
    `blocked per category: ${categoryText(f)}`,
    'top rules:',
    ...(f.topRules.length > 0 ? f.topRules.map((rule) => `  ${String(rule.hits).padStart(8)}  ${rule.action.padEnd(5)}  ${rule.id}`) : ['  (none yet)']),
  ];
  if (counters.kernel) lines.push(kernelText(counters.kernel), ...inheritedKernelTexts(counters.kernel));
  if (counters.eventsLost > 0) lines.push(`events lost (ring full): ${counters.eventsLost}`);
  if (status.error) lines.push(`error: ${status.error}`);
  return lines;
}
