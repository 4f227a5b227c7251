// `sigwall inject`: feeds an appliance (or a test namespace) from outside with the project's
// generated SIGTRAN traffic, or the packets of a capture, sent as raw IPv4.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { PcapWriter } from '../builder/pcap.js';
import { SigwallError } from '../errors.js';
import { ipv4Packets, type Ipv4Packet } from '../inject/packets.js';
import { kSourceHelp, sourceFrames } from '../inject/sources.js';
import { sendPackets, type SendResult } from '../inject/sender.js';

export const kInjectUsage = `usage: sigwall inject <source> [--src IP] [--dst IP] [--fix-checksums] [--only sctp|all]
         [--rate PPS] [--repeat N] [--interface IF] [--seed S] [--write <out.pcap>] [--dry-run] [--json]
  sends every IPv4 packet of the source as raw IP (needs CAP_NET_RAW); --src/--dst rewrite the
  addresses (the IPv4 header checksum is redone), --fix-checksums also recomputes every SCTP CRC32c;
  --write saves the packets as they would be sent (raw-IP pcap), --dry-run sends nothing
${kSourceHelp}`;

function usage(message: string): never {
  throw new SigwallError('SIGWALL_ERR_USAGE', `${message}\n\n${kInjectUsage}`);
}

function positiveNumber(name: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) usage(`${name} takes a positive ${integer ? 'whole ' : ''}number, got "${text}"`);
  return value;
}

export interface InjectSummary extends SendResult {
  source: string;
  frames: number;
  packets: number;
  skipped: Record<string, number>;
  dryRun: boolean;
}

function writeRawPcap(path: string, packets: readonly Ipv4Packet[]): void {
  const chunks: Uint8Array[] = [];
  const writer = new PcapWriter((c) => chunks.push(c), { linkType: 101 }); // LINKTYPE_RAW: IPv4 from its header
  let time = 0n;
  for (const p of packets) writer.write({ timestampNs: (time += 1000n), data: p.bytes });
  writer.close();
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.concat(chunks));
  } catch (error) {
    throw new SigwallError('SIGWALL_ERR_FILE', `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export async function injectCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      src: { type: 'string' },
      dst: { type: 'string' },
      'fix-checksums': { type: 'boolean', default: false },
      only: { type: 'string', default: 'all' },
      rate: { type: 'string' },
      repeat: { type: 'string' },
      interface: { type: 'string' },
      seed: { type: 'string' },
      write: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) usage('inject takes exactly one source');
  if (values.only !== 'all' && values.only !== 'sctp') usage(`--only is sctp or all, got "${values.only}"`);
  const rate = positiveNumber('--rate', values.rate, false);
  const repeat = positiveNumber('--repeat', values.repeat, true) ?? 1;
  const seed = positiveNumber('--seed', values.seed, true) ?? 1;
  if (values.interface !== undefined && !/^[^\s/:]{1,15}$/.test(values.interface)) usage(`--interface takes an interface name, got "${values.interface}"`);
  const source = positionals[0]!;
  const frames = sourceFrames(source, seed);
  const set = ipv4Packets(frames, { src: values.src, dst: values.dst, fixChecksums: values['fix-checksums'] ?? false });
  let packets = set.packets;
  if (values.only === 'sctp') {
    const other = packets.length;
    packets = packets.filter((p) => p.protocol === 132);
    if (other > packets.length) set.skipped['not-sctp'] = other - packets.length;
  }
  if (packets.length === 0) throw new SigwallError('SIGWALL_ERR_USAGE', `${source}: no IPv4 packets to send (${set.frames} frames; skipped ${JSON.stringify(set.skipped)})`);
  if (values.write !== undefined) writeRawPcap(values.write, packets);
  const dryRun = values['dry-run'] ?? false;
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const tty = !values.json && (err as NodeJS.WriteStream).isTTY === true;
  let result: SendResult;
  try {
    result = dryRun
      ? { sent: 0, failed: 0, bytes: 0, errors: {}, elapsedMs: 0 }
      : await sendPackets(packets, {
          rate,
          repeat,
          interface: values.interface,
          signal: abort.signal,
          onProgress: tty ? (p) => err.write(`\rsent ${p.sent}  failed ${p.failed}  ${(p.elapsedMs / 1000).toFixed(1)} s `) : undefined,
        });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (tty) err.write('\n');
  const summary: InjectSummary = { source, frames: set.frames, packets: packets.length, skipped: set.skipped, dryRun, ...result };
  if (values.json) {
    out.write(JSON.stringify(summary) + '\n');
  } else {
    const skipped = Object.entries(set.skipped).map(([reason, n]) => `${n} ${reason}`).join(', ');
    const pps = result.elapsedMs > 0 ? Math.round((result.sent / result.elapsedMs) * 1000) : 0;
    out.write(`${source}: ${set.frames} frames, ${packets.length} IPv4 packets${skipped ? ` (skipped: ${skipped})` : ''}${values.write ? `, written to ${values.write}` : ''}\n`);
    if (!dryRun) {
      out.write(`sent ${result.sent} of ${packets.length * repeat} (${result.bytes} bytes) in ${(result.elapsedMs / 1000).toFixed(2)} s, ${pps} packets/s; failed ${result.failed}\n`);
      for (const [message, n] of Object.entries(result.errors)) out.write(`  ${n} x ${message}\n`);
    }
  }
  return result.failed > 0 ? 1 : 0;
}
