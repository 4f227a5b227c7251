// The `sigwall` command.
import { parseArgs } from 'node:util';
import { SigwallError } from '../errors.js';
import { replay } from './replay.js';
import { anomalyCatalog } from '../dataplane/decoder.js';

const kUsage = `usage: sigwall <command> [options]

commands:
  replay <capture> [--json] [--policy <policy> | --table <table.bin>] [--side external|internal]
         [--cap-ssn N[,N...]] [--mtp3 itu|japan|ansi] [--no-verify-crc]
      decode every SS7 message of a pcap/pcapng capture; a table and a summary, or JSON lines
  build-demo <out.pcap> [--labels <out.json>]
      write the bundled demo capture (benign roaming/SMS traffic and public attack patterns)
  build-load <out.pcap> --messages N [--seed S]
      write a large generated capture for benchmarks
  check <policy> [--json]
      validate a policy (.ts/.js module, .yaml or .json) and print a summary, or the resolved policy
  compile <policy> -o <table.bin> [--json]
      compile a policy to the data plane's table image and print the compiler's stats
  anomalies
      list every anomaly name the decoders can set
  ctl [--socket <path> | --url <url> --token-file <file>] [--json] <command>
      talk to a running appliance's control API (sigwall ctl help lists the commands)
  serve --config <appliance.yaml> [--summary-interval <seconds>]
      the appliance: engine + policy store + control API + events (any mode: offline, monitor,
      inline); checks the machine first, runs until SIGINT/SIGTERM with a live summary
  run --config <appliance.yaml> [--json] [--events]
      the engine alone, in the foreground (no policy store, no API, no event files): checks the
      machine, compiles the configured policy, starts, prints a summary on SIGINT/SIGTERM
  inject <demo | load:N | scenario:NAME,... | capture> [--src IP] [--dst IP] [--rate PPS] [--interface IF] ...
      send generated SIGTRAN traffic or a capture's packets as raw IPv4 (sigwall inject --help)`;

function usage(message: string): never {
  throw new SigwallError('SIGWALL_ERR_USAGE', `${message}\n\n${kUsage}`);
}

function parseSsns(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const ssns = text.split(',').map((part) => Number(part.trim()));
  if (ssns.some((ssn) => !Number.isInteger(ssn) || ssn < 0 || ssn > 255)) usage(`--cap-ssn takes SSNs 0..255, got "${text}"`);
  return ssns;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'replay': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          json: { type: 'boolean', default: false },
          'cap-ssn': { type: 'string' },
          mtp3: { type: 'string' },
          'no-verify-crc': { type: 'boolean', default: false },
          policy: { type: 'string' },
          table: { type: 'string' },
          side: { type: 'string' },
        },
      });
      if (positionals.length !== 1) usage('replay takes exactly one capture file');
      if (values.policy !== undefined && values.table !== undefined) usage('replay takes --policy or --table, not both');
      const side = values.side;
      if (side !== undefined && side !== 'external' && side !== 'internal') usage(`--side is external or internal, got "${side}"`);
      const { screeningTable } = await import('./screening.js');
      const table = await screeningTable({ policy: values.policy, table: values.table });
      const mtp3 = values.mtp3;
      if (mtp3 !== undefined && mtp3 !== 'itu' && mtp3 !== 'japan' && mtp3 !== 'ansi') usage(`--mtp3 is itu, japan or ansi, got "${mtp3}"`);
      replay(positionals[0]!, {
        json: values.json ?? false,
        decode: {
          verifyCrc: !values['no-verify-crc'],
          ...(mtp3 ? { mtp3Variant: mtp3 } : {}),
          ...(values['cap-ssn'] !== undefined ? { capSsns: parseSsns(values['cap-ssn']) } : {}),
          ...(table ? { table } : {}),
          ...(side ? { ingressSide: side } : {}),
        },
        out: process.stdout,
        err: process.stderr,
      });
      return 0;
    }
    case 'build-demo':
    case 'build-load': {
      const { runBuildCommand } = await import('./build-captures.js');
      return runBuildCommand(command, rest);
    }
    case 'check': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
      if (positionals.length !== 1) usage('check takes exactly one policy file');
      const { check } = await import('./check.js');
      return check(positionals[0]!, { json: values.json ?? false, out: process.stdout, err: process.stderr });
    }
    case 'compile': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { output: { type: 'string', short: 'o' }, json: { type: 'boolean', default: false } },
      });
      if (positionals.length !== 1) usage('compile takes exactly one policy file');
      if (values.output === undefined) usage('compile needs -o <table.bin>');
      const { compileCommand } = await import('./compile.js');
      return compileCommand(positionals[0]!, { output: values.output, json: values.json ?? false, out: process.stdout, err: process.stderr });
    }
    case 'ctl': {
      const { ctl } = await import('./ctl.js');
      const controller = new AbortController();
      // `events tail --follow` ends on Ctrl-C with exit code 0.
      process.once('SIGINT', () => controller.abort());
      return ctl(rest, { out: process.stdout, err: process.stderr, env: process.env, signal: controller.signal });
    }
    case 'serve': {
      const { serve } = await import('./serve.js');
      return serve(rest, usage);
    }
    case 'inject': {
      const { injectCommand, kInjectUsage } = await import('./inject.js');
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(kInjectUsage + '\n');
        return 0;
      }
      return injectCommand(rest, process.stdout, process.stderr);
    }
    case 'run': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean', default: false }, events: { type: 'boolean', default: false } },
      });
      if (positionals.length > 0 || values.config === undefined) usage('run needs --config <appliance.yaml>');
      const { runCommand } = await import('./run.js');
      return runCommand(values.config, { json: values.json ?? false, events: values.events ?? false, out: process.stdout, err: process.stderr });
    }
    case 'anomalies': {
      for (const { name, description } of anomalyCatalog()) process.stdout.write(`${name.padEnd(30)} ${description}\n`);
      return 0;
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(kUsage + '\n');
      return command === undefined ? 2 : 0;
    default:
      usage(`unknown command "${command}"`);
  }
}

export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (error) {
    if (error instanceof SigwallError) {
      process.stderr.write(`sigwall: ${error.message} [${error.code}]\n`);
      process.exitCode = error.code === 'SIGWALL_ERR_USAGE' ? 2 : 1;
    } else if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`sigwall: ${error.message}\n\n${kUsage}\n`);
      process.exitCode = 2;
    } else {
      throw error;
    }
  }
}
