// `sigwall build-demo` and `sigwall build-load`: captures made by sigwall's own traffic builder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDemoCapture, writeLoadCapture } from '../builder/capture.js';
import { SigwallError } from '../errors.js';

function usage(message: string): never {
  throw new SigwallError(
    'SIGWALL_ERR_USAGE',
    `${message}\nusage: sigwall build-demo <out.pcap> [--labels <out.json>]\n       sigwall build-load <out.pcap> --messages N [--seed S]`,
  );
}

function write(path: string, bytes: Uint8Array | string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  } catch (error) {
    throw new SigwallError('SIGWALL_ERR_FILE', `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function runBuildCommand(command: 'build-demo' | 'build-load', args: string[]): number {
  if (command === 'build-demo') {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { labels: { type: 'string' } } });
    if (positionals.length !== 1) usage('build-demo takes exactly one output file');
    const { pcap, labels } = buildDemoCapture();
    write(positionals[0]!, pcap);
    if (values.labels) write(values.labels, JSON.stringify(labels, null, 1) + '\n');
    process.stderr.write(`wrote ${positionals[0]}: ${labels.length} labelled messages\n`);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { messages: { type: 'string' }, seed: { type: 'string' } },
  });
  if (positionals.length !== 1) usage('build-load takes exactly one output file');
  const messages = Number(values.messages);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(messages) || messages < 1 || messages > 50_000_000) usage('--messages takes a whole number from 1 to 50000000');
  if (!Number.isInteger(seed)) usage('--seed takes a whole number');
  writeLoadCapture(positionals[0]!, messages, seed);
  process.stderr.write(`wrote ${positionals[0]}: ${messages} messages\n`);
  return 0;
}
