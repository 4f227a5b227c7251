// `sigwall serve --config <appliance.yaml>`: the appliance (src/appliance/run.ts): the engine
// (any mode: offline replay, monitor, inline) with the policy store, the control API and the
// events pipeline, until SIGINT or SIGTERM. The configuration is checked against the machine
// first, as `sigwall run` (the engine alone) does. `npm start` is this with the demo
// configuration.
import { parseArgs } from 'node:util';
import { runAppliance } from '../appliance/run.js';
import { loadCheckedConfig } from './startup.js';

export async function serve(args: string[], usage: (message: string) => never): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, 'summary-interval': { type: 'string' } },
  });
  if (positionals.length > 0) usage(`serve takes no positional arguments, got "${positionals.join(' ')}"`);
  if (values.config === undefined) usage('serve needs --config <appliance.yaml>');
  let summaryIntervalMs: number | undefined;
  if (values['summary-interval'] !== undefined) {
    const seconds = Number(values['summary-interval']);
    if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 86_400) usage(`--summary-interval takes seconds (0.1 to 86400), got "${values['summary-interval']}"`);
    summaryIntervalMs = seconds * 1000;
  }
  const config = loadCheckedConfig(values.config, { err: process.stderr });
  const appliance = await runAppliance(config, { summaryIntervalMs });
  return appliance.done;
}
