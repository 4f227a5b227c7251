// `sigwall check <policy>`: load and resolve a policy, print a one-line summary (or, with
// --json, the resolved policy), or every problem found, one per line.
import { PolicyError } from '../errors.js';
import { loadPolicy } from '../policy/load.js';
import type { ResolvedPolicy } from '../policy/schema.js';

export interface CheckOptions {
  json: boolean;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function policySummary(policy: ResolvedPolicy): string {
  const enforce = policy.rules.filter((rule) => rule.mode === 'enforce').length;
  const lists = Object.values(policy.lists);
  const prefixes = lists.reduce((sum, list) => sum + list.prefixes.length, 0);
  const partners = Object.keys(policy.networks.partners);
  return (
    `ok: ${count(policy.rules.length, 'rule', 'rules')} (${enforce} enforce, ${policy.rules.length - enforce} shadow), ` +
    `${count(lists.length, 'list', 'lists')} with ${count(prefixes, 'prefix', 'prefixes')}, networks: home${partners.length > 0 ? ` + ${partners.join(', ')}` : ''}`
  );
}

// Returns the exit code: 0 for a valid policy, 1 for an invalid one.
export async function check(path: string, options: CheckOptions): Promise<number> {
  let policy: ResolvedPolicy;
  try {
    policy = await loadPolicy(path);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    options.err.write(`${error.message}\n`);
    options.err.write(`sigwall: ${path}: ${count(error.issues.length, 'error', 'errors')} [${error.code}]\n`);
    return 1;
  }
  options.out.write(options.json ? `${JSON.stringify(policy, null, 2)}\n` : `${policySummary(policy)}\n`);
  return 0;
}
