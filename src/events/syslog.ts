// Events to syslog, for the SIEM: RFC 5424 messages, over UDP (RFC 5426: one message per
// datagram) or TCP (RFC 6587 §3.4.1 octet counting: "<length> <message>"), to the configured
// host:port (events.syslogTarget).
//
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [sigwall@32473 ...] MSG
//
// PRI = facility * 8 + severity (§6.2.1): blocked and alerted are warning (4), shadow hits and
// malformed messages notice (5). MSGID is the event kind. The structured data element carries
// what a SIEM rule keys on (§6.3; param values escape '"', '\' and ']' per §6.3.3); 32473 is the
// enterprise number RFC 5612 reserves for documentation, to be replaced by the project's own
// when it has one. MSG is the event as JSON (protected like every export), without the frame.
//
// Never blocks the events pipeline: a TCP target that is down or slow gets a bounded backlog,
// reconnects with backoff, and messages beyond the backlog are dropped and counted.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { hostname } from 'node:os';
import { connect, isIPv6, type Socket } from 'node:net';
import type { EngineEvent } from '../engine/contract.js';

export interface SyslogTarget {
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  facility: number;
  appName: string;
}

export interface SyslogStats {
  sent: number;
  dropped: number;
  errors: number;
  lastError?: string;
}

const kSeverity: Record<EngineEvent['kind'], number> = { blocked: 4, alerted: 4, shadow: 5, malformed: 5 };
const kMaxUdpMessage = 8192; // RFC 5426 §3.2: receivers take at least 2048; larger are truncated here
const kMaxBacklogMessages = 10_000;
const kMaxSocketBuffer = 4 << 20;
const kReconnectMinMs = 500;
const kReconnectMaxMs = 30_000;
const kEnterpriseId = 32473;
const kFlushWaitMs = 2000;

function sdValue(value: string | number): string {
  return String(value).replace(/["\\\]]/g, (c) => `\\${c}`);
}

// RFC 5424 §6.2.4 HOSTNAME: printable US-ASCII without spaces, at most 255; NILVALUE when unknown.
function headerHost(): string {
  const name = hostname().replace(/[^!-~]/g, '');
  return name.length > 0 ? name.slice(0, 255) : '-';
}

export function formatSyslogMessage(event: EngineEvent, target: Pick<SyslogTarget, 'facility' | 'appName'>, host = headerHost(), pid = process.pid): string {
  const pri = target.facility * 8 + kSeverity[event.kind];
  const params: [string, string | number | undefined][] = [
    ['id', event.id],
    ['action', event.action],
    ['rule', event.ruleId],
    ['category', event.category],
    ['frame', event.frame],
    ['calling', event.sccp?.callingDigits],
    ['called', event.sccp?.calledDigits],
    ['operation', event.operations.map((op) => op.name ?? op.opcode).filter((x) => x !== undefined).join(',') || undefined],
    ['imsi', event.imsi],
    ['msisdn', event.msisdn],
  ];
  const sd = `[sigwall@${kEnterpriseId}${params
    .filter((param): param is [string, string | number] => param[1] !== undefined)
    .map(([name, value]) => ` ${name}="${sdValue(value)}"`)
    .join('')}]`;
  const { packet: _frame, ...body } = event;
  return `<${pri}>1 ${event.time} ${host} ${target.appName} ${pid} ${event.kind} ${sd} ${JSON.stringify(body)}`;
}

export class SyslogSink {
  readonly #target: SyslogTarget;
  readonly #host = headerHost();
  readonly #stats: SyslogStats = { sent: 0, dropped: 0, errors: 0 };
  #udp: UdpSocket | undefined;
  #udpInFlight = 0;
  #udpIdle: (() => void)[] = [];
  #tcp: Socket | undefined;
  #tcpConnected = false;
  #backlog: Buffer[] = [];
  #reconnectMs = kReconnectMinMs;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(target: SyslogTarget) {
    this.#target = target;
    if (target.transport === 'udp') {
      this.#udp = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
      this.#udp.on('error', (error) => this.#error(error));
      this.#udp.unref();
    } else {
      this.#connect();
    }
  }

  stats(): SyslogStats {
    return { ...this.#stats };
  }

  write(events: readonly EngineEvent[]): void {
    if (this.#closed) return;
    for (const event of events) {
      const message = formatSyslogMessage(event, this.#target, this.#host);
      if (this.#udp) this.#sendUdp(message);
      else this.#sendTcp(message);
    }
  }

  // Resolves when every message handed over so far has left (UDP) or been written to the
  // socket or dropped (TCP, connected); a TCP target that is down keeps its backlog.
  async flush(): Promise<void> {
    if (this.#udp && this.#udpInFlight > 0) await new Promise<void>((resolve) => this.#udpIdle.push(resolve));
    const tcp = this.#tcp;
    if (tcp && this.#tcpConnected && tcp.writableLength > 0) {
      // Until the socket drains, closes, or kFlushWaitMs pass: a stuck collector never holds up
      // the appliance's stop.
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          tcp.off('drain', done);
          tcp.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, kFlushWaitMs);
        tcp.once('drain', done);
        tcp.once('close', done);
      });
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#udp) {
      const udp = this.#udp;
      this.#udp = undefined;
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    }
    if (this.#tcp) {
      const tcp = this.#tcp;
      this.#tcp = undefined;
      this.#stats.dropped += this.#backlog.length;
      this.#backlog = [];
      await new Promise<void>((resolve) => {
        tcp.end(() => resolve());
        tcp.once('close', () => resolve());
        setTimeout(() => {
          tcp.destroy();
          resolve();
        }, 1000).unref();
      });
    }
  }

  #error(error: Error): void {
    this.#stats.errors++;
    this.#stats.lastError = error.message;
  }

  #sendUdp(message: string): void {
    let bytes = Buffer.from(message, 'utf8');
    if (bytes.length > kMaxUdpMessage) bytes = bytes.subarray(0, kMaxUdpMessage);
    this.#udpInFlight++;
    this.#udp!.send(bytes, this.#target.port, this.#target.host, (error) => {
      if (error) {
        this.#error(error);
        this.#stats.dropped++;
      } else {
        this.#stats.sent++;
      }
      if (--this.#udpInFlight === 0) for (const resolve of this.#udpIdle.splice(0)) resolve();
    });
  }

  #sendTcp(message: string): void {
    const body = Buffer.from(message, 'utf8');
    const frame = Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
    if (!this.#tcpConnected) {
      if (this.#backlog.length >= kMaxBacklogMessages) {
        this.#backlog.shift();
        this.#stats.dropped++;
      }
      this.#backlog.push(frame);
      return;
    }
    if (this.#tcp!.writableLength > kMaxSocketBuffer) {
      this.#stats.dropped++;
      return;
    }
    this.#tcp!.write(frame);
    this.#stats.sent++;
  }

  #connect(): void {
    if (this.#closed) return;
    const socket = connect({ host: this.#target.host, port: this.#target.port });
    this.#tcp = socket;
    socket.setNoDelay(true);
    socket.unref();
    socket.on('connect', () => {
      this.#tcpConnected = true;
      this.#reconnectMs = kReconnectMinMs;
      const backlog = this.#backlog;
      this.#backlog = [];
      for (const frame of backlog) {
        socket.write(frame);
        this.#stats.sent++;
      }
    });
    socket.on('error', (error) => this.#error(error));
    socket.on('close', () => {
      this.#tcpConnected = false;
      if (this.#closed || this.#tcp !== socket) return;
      this.#reconnectTimer = setTimeout(() => this.#connect(), this.#reconnectMs);
      this.#reconnectTimer.unref();
      this.#reconnectMs = Math.min(kReconnectMaxMs, this.#reconnectMs * 2);
    });
  }
}
