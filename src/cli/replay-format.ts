// The readable form of decoded records: one row per message, and the closing summary.
import type { DecodeStats } from '../dataplane/native.js';
import type { ComponentRecord, MessageRecord, SccpAddressRecord } from '../decode/record.js';

const kSccpTypeNames: Record<number, string> = { 0x09: 'UDT', 0x0a: 'UDTS', 0x11: 'XUDT', 0x12: 'XUDTS', 0x13: 'LUDT', 0x14: 'LUDTS' };

export function sccpTypeName(type: number): string {
  return kSccpTypeNames[type] ?? `0x${type.toString(16).padStart(2, '0')}`;
}

function address(a: SccpAddressRecord): string {
  const parts = [a.digits ?? (a.pc !== undefined ? `pc ${a.pc}` : '-')];
  parts.push(a.ssn !== undefined ? `(${a.ssn})` : '(no ssn)');
  return parts.join('');
}

export function componentLabel(c: ComponentRecord): string {
  const operation =
    c.operation ?? (c.opcode !== undefined ? `op ${c.opcode}` : c.globalOpcode ? `global ${c.globalOpcode}` : '');
  const type = { invoke: 'inv', returnResultLast: 'rrl', returnResultNotLast: 'rrnl', returnError: 'err', reject: 'rej' }[c.type];
  const extra = c.errorCode !== undefined ? ` error ${c.errorCode}` : c.problem ? ` problem ${c.problem.type}/${c.problem.code}` : '';
  return `${type} ${operation}${extra}`.trim();
}

function subscriber(c: ComponentRecord): string {
  const m = c.map;
  if (m) return [m.imsi && `imsi ${m.imsi}`, m.msisdn && `msisdn ${m.msisdn}`].filter(Boolean).join(' ');
  const k = c.cap;
  if (k) return [k.serviceKey !== undefined && `sk ${k.serviceKey}`, k.imsi && `imsi ${k.imsi}`, k.callingPartyNumber && `a ${k.callingPartyNumber}`, k.calledPartyBcdNumber && `b ${k.calledPartyBcdNumber}`].filter(Boolean).join(' ');
  return '';
}

export function recordTableHeader(screened = false): string {
  const columns = ['frame', 'route', 'sccp', 'calling -> called', 'tcap', 'tids', 'components', 'subscriber', 'anomalies'];
  if (screened) columns.push('verdict', 'rule', 'shadow hits');
  return columns.join('\t');
}

export function formatRecordRow(r: MessageRecord): string {
  const frame = r.chunk ? `${r.frame}.${r.chunk}` : `${r.frame}`;
  const route = r.mtp3 ? `${r.mtp3.opc}>${r.mtp3.dpc}` : r.adaptation === 'none' ? `ppid ${r.sctp.ppid}` : r.adaptation;
  const sccp = r.sccp ? sccpTypeName(r.sccp.messageType) + (r.sccp.segments > 1 ? `[${r.sccp.segments}]` : '') : '-';
  const parties = r.sccp ? `${address(r.sccp.calling)} -> ${address(r.sccp.called)}` : '-';
  const tcap = r.tcap ? r.tcap.type : '-';
  const tids = r.tcap ? [r.tcap.otid && `o:${r.tcap.otid}`, r.tcap.dtid && `d:${r.tcap.dtid}`].filter(Boolean).join(' ') : '';
  const components = r.tcap ? r.tcap.components.map(componentLabel).join(', ') : '';
  const subscribers = r.tcap ? r.tcap.components.map(subscriber).filter(Boolean).join(', ') : '';
  const columns = [frame, route, sccp, parties, tcap, tids || '-', components || '-', subscribers || '-', r.anomalies.join(',') || '-'];
  if (r.verdict) {
    const category = r.verdict.category !== undefined && r.verdict.category !== 'custom' ? ` (cat ${r.verdict.category})` : '';
    columns.push(r.verdict.action.toUpperCase(), r.verdict.rule + category, r.verdict.shadowHits.join(',') || '-');
  }
  return columns.join('\t');
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

export class ReplaySummary {
  messages = 0;
  tcapMessages = 0;
  readonly operations = new Map<string, number>();
  readonly anomalies = new Map<string, number>();
  readonly statuses = new Map<string, number>();
  // With a policy: verdicts per action, drops and alerts per category and per rule, shadow hits.
  readonly actions = new Map<string, number>();
  readonly blockedByCategory = new Map<string, number>();
  readonly decisionsByRule = new Map<string, number>();
  readonly shadowHits = new Map<string, number>();

  add(record: MessageRecord): void {
    this.messages++;
    if (record.verdict) {
      const v = record.verdict;
      bump(this.actions, v.action);
      if (v.action !== 'allow') bump(this.decisionsByRule, `${v.action} ${v.rule}`);
      if (v.action === 'drop') bump(this.blockedByCategory, v.category === undefined ? 'none (default or malformed)' : v.category === 'custom' ? 'custom' : `category ${v.category}`);
      for (const rule of v.shadowHits) bump(this.shadowHits, rule);
    }
    this.statuses.set(record.status, (this.statuses.get(record.status) ?? 0) + 1);
    for (const anomaly of record.anomalies) this.anomalies.set(anomaly, (this.anomalies.get(anomaly) ?? 0) + 1);
    if (!record.tcap) return;
    this.tcapMessages++;
    for (const c of record.tcap.components) {
      if (c.type !== 'invoke') continue;
      const key = `${record.application} ${c.operation ?? (c.opcode !== undefined ? `opcode ${c.opcode}` : `global ${c.globalOpcode}`)}`;
      this.operations.set(key, (this.operations.get(key) ?? 0) + 1);
    }
  }

  format(stats: DecodeStats): string {
    const lines = [
      `frames ${stats.frames}, SCTP packets ${stats.sctpPackets}, messages ${this.messages} (TCAP ${this.tcapMessages}), ` +
        `malformed frames ${stats.malformedFrames}, bad CRC ${stats.sctpBadCrc}, ` +
        `SCTP reassembled ${stats.sctpReassembled}, SCCP reassembled ${stats.sccpReassembled}`,
    ];
    const table = (title: string, counts: Map<string, number>) => {
      if (counts.size === 0) return;
      lines.push('', title);
      for (const [name, count] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])))
        lines.push(`  ${String(count).padStart(8)}  ${name}`);
    };
    table('verdicts', this.actions);
    table('blocked per category', this.blockedByCategory);
    table('drops and alerts per rule', this.decisionsByRule);
    table('shadow hits per rule (would have matched; traffic not affected)', this.shadowHits);
    table('invokes per operation', this.operations);
    table('messages per anomaly', this.anomalies);
    table('messages per decode status', this.statuses);
    return lines.join('\n');
  }
}
