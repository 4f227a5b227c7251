// Syslog export to a local listener: RFC 5424 messages over UDP (one per datagram) and TCP
// (octet-counted frames), with the structured data a SIEM keys on; a TCP target that comes up
// late gets the backlog.
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { subscriberIdProtection } from '../../src/events/protect.js';
import { formatSyslogMessage, SyslogSink } from '../../src/events/syslog.js';
import { sampleEvent } from './support.js';

// RFC 5424 §6: HEADER SP STRUCTURED-DATA SP MSG.
const kSyslogLine = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\d+) (\S+) (\[sigwall@32473(?: [a-z]+="(?:[^"\\\]]|\\["\\\]])*")*\]) (.*)$/s;

function parse(message: string) {
  const match = kSyslogLine.exec(message);
  expect(match, message).not.toBeNull();
  const [, pri, time, host, app, pid, msgid, sd, body] = match!;
  return { pri: Number(pri), time, host, app, pid: Number(pid), msgid, sd, body: JSON.parse(body!) as Record<string, unknown> };
}

// Splits an RFC 6587 octet-counted stream: "<len> <message>" repeated.
function octetFrames(stream: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < stream.length) {
    const space = stream.indexOf(0x20, at);
    const length = Number(stream.subarray(at, space).toString('ascii'));
    out.push(stream.subarray(space + 1, space + 1 + length).toString('utf8'));
    at = space + 1 + length;
  }
  return out;
}

const target = { facility: 16, appName: 'sigwall' };

describe('syslog', () => {
  it('formats RFC 5424: PRI from facility and severity, kind as MSGID, escaped SD params, JSON body without the frame', () => {
    const event = sampleEvent(5, { ruleId: 'p#rule"with]odd\\chars', packet: { linkType: 1, originalLength: 1, base64: 'AA==' } });
    const parsed = parse(formatSyslogMessage(event, target, 'fw-1', 4242));
    expect(parsed.pri).toBe(16 * 8 + 4);
    expect(parsed).toMatchObject({ time: event.time, host: 'fw-1', app: 'sigwall', pid: 4242, msgid: 'blocked' });
    expect(parsed.sd).toContain('rule="p#rule\\"with\\]odd\\\\chars"');
    expect(parsed.sd).toContain('category="1"');
    expect(parsed.sd).toContain('operation="anyTimeInterrogation"');
    expect(parsed.body.id).toBe('0-5');
    expect(parsed.body.packet).toBeUndefined();
    expect(parse(formatSyslogMessage(sampleEvent(6, { kind: 'shadow', action: 'allow' }), target)).pri).toBe(16 * 8 + 5);
  });

  it('sends one datagram per event over UDP', async () => {
    const server = createSocket('udp4');
    const received: string[] = [];
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    server.on('message', (message) => received.push(message.toString('utf8')));
    const { port } = server.address();
    const sink = new SyslogSink({ host: '127.0.0.1', port, transport: 'udp', ...target });
    const protect = subscriberIdProtection('mask');
    sink.write([sampleEvent(1), sampleEvent(2), sampleEvent(3, { kind: 'alerted', action: 'alert' })].map(protect));
    await sink.flush();
    for (let i = 0; i < 100 && received.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await sink.close();
    server.close();
    expect(received).toHaveLength(3);
    const parsed = received.map(parse);
    expect(parsed.map((p) => p.msgid)).toEqual(['blocked', 'blocked', 'alerted']);
    expect(parsed[0]!.body.imsi).toBe('23415********89');
    expect(received.join('')).not.toContain('234150123456789');
    expect(sink.stats()).toMatchObject({ sent: 3, dropped: 0 });
  });

  it('sends octet-counted frames over TCP, holding a backlog until the listener is up', async () => {
    // Reserve a port, close it: the sink starts while nobody listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const sink = new SyslogSink({ host: '127.0.0.1', port, transport: 'tcp', ...target });
    sink.write([sampleEvent(1), sampleEvent(2)]);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const chunks: Buffer[] = [];
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (chunk) => chunks.push(chunk));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    // The sink retries with backoff (500 ms first).
    for (let i = 0; i < 300 && octetFrames(Buffer.concat(chunks)).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    sink.write([sampleEvent(3)]);
    for (let i = 0; i < 300 && octetFrames(Buffer.concat(chunks)).length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await sink.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const frames = octetFrames(Buffer.concat(chunks)).map(parse);
    expect(frames.map((f) => f.body.id)).toEqual(['0-1', '0-2', '0-3']);
    expect(sink.stats()).toMatchObject({ sent: 3, dropped: 0 });
  });
});
