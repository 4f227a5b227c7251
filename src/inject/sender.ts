// Sends whole IPv4 packets (our own header included: IPPROTO_RAW implies IP_HDRINCL, raw(7))
// through the npm raw-socket package, paced at a rate, counting what was sent and what failed.
// The kernel routes each packet by its destination address (or out of --interface with
// SO_BINDTODEVICE) and fills in nothing but the total length and, when zero, the IP id.
import { createRequire } from 'node:module';
import { SigwallError } from '../errors.js';
import type { Ipv4Packet } from './packets.js';

interface RawSocket {
  send(buffer: Buffer, offset: number, length: number, address: string, after: (error: Error | null, bytes: number) => void): void;
  setOption(level: number, option: number, value: number | Buffer, length?: number): void;
  on(event: 'error', listener: (error: Error) => void): void;
  pauseRecv(): void;
  resumeSend(): void;
  close(): void;
}

interface RawSocketModule {
  createSocket(options: { protocol: number; addressFamily: number; bufferSize?: number }): RawSocket;
  AddressFamily: { IPv4: number };
  SocketLevel: { SOL_SOCKET: number; IPPROTO_IP: number };
  SocketOption: { IP_HDRINCL: number; SO_BINDTODEVICE: number; SO_SNDBUF: number };
}

const IPPROTO_RAW = 255;

function loadRawSocket(): RawSocketModule {
  try {
    return createRequire(import.meta.url)('raw-socket') as RawSocketModule;
  } catch (error) {
    throw new SigwallError(
      'SIGWALL_ERR_ENGINE',
      `sigwall inject needs the raw-socket package and its native build: ${(error as Error).message}. Reinstall with npm ci (raw-socket builds with node-gyp: needs python3, make and a C++ compiler)`,
    );
  }
}

export interface SendOptions {
  /** Packets per second; undefined or 0 = as fast as the socket takes them. */
  rate?: number;
  /** Send the packet list this many times (default 1). */
  repeat?: number;
  /** Bind the socket to this interface (SO_BINDTODEVICE) instead of routing by address. */
  interface?: string;
  /** Called about every 250 ms with the running totals. */
  onProgress?: (progress: SendResult) => void;
  /** Stop early (e.g. on SIGINT): the promise resolves with what was sent so far. */
  signal?: AbortSignal;
}

export interface SendResult {
  sent: number;
  failed: number;
  bytes: number;
  /** Failures by error message (e.g. "Message too long": larger than the path MTU with DF). */
  errors: Record<string, number>;
  elapsedMs: number;
}

/** Opens the raw socket; no privilege (CAP_NET_RAW) becomes SIGWALL_ERR_ENGINE with the fix. */
export function openRawSender(iface?: string): RawSocket {
  const raw = loadRawSocket();
  let socket: RawSocket;
  try {
    socket = raw.createSocket({ protocol: IPPROTO_RAW, addressFamily: raw.AddressFamily.IPv4, bufferSize: 256 });
  } catch (error) {
    const message = (error as Error).message;
    if (/not permitted|EPERM|EACCES|permission/i.test(message)) {
      throw new SigwallError(
        'SIGWALL_ERR_ENGINE',
        `sigwall inject: cannot open a raw IPv4 socket (${message}): sending raw IP needs CAP_NET_RAW. Run it as root, or grant the capability: sudo setcap cap_net_raw+ep "$(readlink -f "$(command -v node)")"`,
      );
    }
    throw new SigwallError('SIGWALL_ERR_ENGINE', `sigwall inject: cannot open a raw IPv4 socket: ${message}`);
  }
  try {
    socket.pauseRecv(); // an IPPROTO_RAW socket receives nothing; do not poll for it
    socket.setOption(raw.SocketLevel.IPPROTO_IP, raw.SocketOption.IP_HDRINCL, 1);
    socket.setOption(raw.SocketLevel.SOL_SOCKET, raw.SocketOption.SO_SNDBUF, 4 << 20);
    if (iface !== undefined) {
      const name = Buffer.from(`${iface}\0`, 'latin1');
      socket.setOption(raw.SocketLevel.SOL_SOCKET, raw.SocketOption.SO_BINDTODEVICE, name, name.length);
    }
  } catch (error) {
    socket.close();
    throw new SigwallError('SIGWALL_ERR_ENGINE', `sigwall inject: cannot set up the raw socket${iface ? ` on ${iface}` : ''}: ${(error as Error).message}`, { port: iface });
  }
  return socket;
}

/** Sends the packets (repeat times) at the rate; resolves when every send has completed. */
export function sendPackets(packets: readonly Ipv4Packet[], opts: SendOptions = {}): Promise<SendResult> {
  const repeat = opts.repeat ?? 1;
  const total = packets.length * repeat;
  const rate = opts.rate && opts.rate > 0 ? opts.rate : undefined;
  const socket = openRawSender(opts.interface);
  const buffers = packets.map((p) => Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength));
  const result: SendResult = { sent: 0, failed: 0, bytes: 0, errors: {}, elapsedMs: 0 };
  const started = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
  // raw-socket queues requests and sends one per writable event: keep a bounded number queued
  // so the rate is the wire's, not the queue's, and memory stays flat for long runs.
  const kMaxQueued = 256;
  let queued = 0;
  let next = 0;
  let lastProgress = 0;
  return new Promise<SendResult>((resolvePromise) => {
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    // raw-socket sends one queued request per writable event of its poll handle. Now and then
    // (seen while the first ARP resolution was pending) no further event came and the queue
    // sat still; re-arming the handle restarts it, and a queue still stuck after kStallMs
    // fails the rest instead of hanging.
    const kStallMs = 5000;
    let completions = 0;
    let seenCompletions = 0;
    let stillSince = 0;
    const watchdog = setInterval(() => {
      if (queued === 0 || completions !== seenCompletions) {
        seenCompletions = completions;
        stillSince = elapsedMs();
        return;
      }
      if (elapsedMs() - stillSince > kStallMs) {
        const stuck = total - result.sent - result.failed;
        result.failed += stuck;
        result.errors['send queue stalled'] = (result.errors['send queue stalled'] ?? 0) + stuck;
        finish();
      } else {
        socket.resumeSend();
      }
    }, 50);
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(watchdog);
      if (timer) clearTimeout(timer);
      result.elapsedMs = elapsedMs();
      socket.close();
      opts.onProgress?.(result);
      resolvePromise(result);
    };
    socket.on('error', (error) => {
      const key = error.message;
      result.errors[key] = (result.errors[key] ?? 0) + (total - result.sent - result.failed);
      result.failed = total - result.sent;
      finish();
    });
    const done = (error: Error | null, bytes: number) => {
      queued--;
      completions++;
      if (error) {
        result.failed++;
        result.errors[error.message] = (result.errors[error.message] ?? 0) + 1;
      } else {
        result.sent++;
        result.bytes += bytes;
      }
      if (result.sent + result.failed === total || (opts.signal?.aborted && queued === 0)) finish();
      else if (!rate) pump();
    };
    const pump = () => {
      if (finished) return;
      const now = elapsedMs();
      if (opts.onProgress && now - lastProgress >= 250) {
        lastProgress = now;
        opts.onProgress({ ...result, elapsedMs: now });
      }
      if (opts.signal?.aborted) {
        if (queued === 0) finish();
        return;
      }
      const due = rate ? Math.min(total, Math.floor((now / 1000) * rate) + 1) : total;
      while (next < due && queued < kMaxQueued) {
        const buffer = buffers[next % buffers.length]!;
        const packet = packets[next % packets.length]!;
        next++;
        queued++;
        socket.send(buffer, 0, buffer.length, packet.dst, done);
      }
      if (rate && next < total) timer = setTimeout(pump, Math.max(0, Math.min(10, ((next + 1) / rate) * 1000 - now)));
    };
    if (total === 0) finish();
    else pump();
  });
}
