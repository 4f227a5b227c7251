// The table `replay` screens with: a policy compiled on the spot (--policy) or an image built
// earlier by `sigwall compile` (--table). The native classifier then adds a verdict to each record.
import { readFileSync } from 'node:fs';
import { SigwallError } from '../errors.js';
import { compilePolicy } from '../policy/compile.js';
import { loadPolicy } from '../policy/load.js';

export async function screeningTable(options: { policy?: string; table?: string }): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (options.table !== undefined) {
    try {
      return new Uint8Array(readFileSync(options.table));
    } catch (error) {
      throw new SigwallError('SIGWALL_ERR_FILE', `cannot read table ${options.table}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  if (options.policy === undefined) return undefined;
  return new Uint8Array(compilePolicy(await loadPolicy(options.policy)).image);
}
