// `sigwall compile <policy> -o <table.bin>`: load and resolve a policy, compile it to the table
// image (docs/table-format.md), write the image and print the compiler's stats. An invalid
// policy prints every problem (as `sigwall check` does); one too complex for the image budgets
// names the phase or dimension that overflowed.
import { writeFileSync } from 'node:fs';
import { PolicyError, PolicyTooComplexError, SigwallError } from '../errors.js';
import { compilePolicy, type CompileStats } from '../policy/compile.js';
import { loadPolicy } from '../policy/load.js';

export interface CompileCommandOptions {
  output: string;
  json: boolean;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function formatStats(stats: CompileStats): string {
  const lines = [
    `rules: ${stats.rules.toLocaleString('en-US')}, prefixes: ${stats.prefixes.toLocaleString('en-US')}`,
    `dimensions (${stats.dimensions.length}):`,
    ...stats.dimensions.map(
      (d) => `  ${d.field.padEnd(32)} ${d.scope.padEnd(9)} ${d.lookup.padEnd(10)} ${plural(d.classes, 'class', 'classes')}${d.sparse ? ' (sparse)' : ''}${d.nodes !== undefined ? `, ${plural(d.prefixes ?? 0, 'prefix', 'prefixes')} in ${plural(d.nodes, 'trie node', 'trie nodes')}` : ''}`,
    ),
    `phases (${stats.phases.length}):`,
    ...stats.phases.map((p, i) => `  ${String(i).padStart(2)}: ${p.left} x ${p.right}: ${p.rows.toLocaleString('en-US')} x ${p.columns.toLocaleString('en-US')} -> ${plural(p.classes, i === stats.phases.length - 1 ? 'result' : 'class', i === stats.phases.length - 1 ? 'results' : 'classes')}`),
    `rule list entries: ${stats.ruleListEntries.toLocaleString('en-US')} (longest list ${stats.longestRuleList.toLocaleString('en-US')})`,
    `image: ${stats.imageBytes.toLocaleString('en-US')} bytes, built in ${stats.buildMs.toFixed(1)} ms`,
  ];
  return lines.join('\n');
}

// Returns the exit code: 0 when the image was written, 1 for an invalid or too complex policy.
export async function compileCommand(path: string, options: CompileCommandOptions): Promise<number> {
  try {
    const policy = await loadPolicy(path);
    const { image, stats } = compilePolicy(policy);
    try {
      writeFileSync(options.output, image);
    } catch (error) {
      throw new SigwallError('SIGWALL_ERR_FILE', `${options.output}: cannot write the table image: ${(error as Error).message}`, { file: options.output });
    }
    options.out.write(options.json ? `${JSON.stringify({ output: options.output, ...stats })}\n` : `${formatStats(stats)}\nwrote ${options.output}\n`);
    return 0;
  } catch (error) {
    if (error instanceof PolicyError) {
      options.err.write(`${error.message}\n`);
      options.err.write(`sigwall: ${path}: ${plural(error.issues.length, 'error', 'errors')} [${error.code}]\n`);
      return 1;
    }
    if (error instanceof PolicyTooComplexError) {
      options.err.write(`sigwall: ${path}: ${error.message} [${error.code}]\n`);
      return 1;
    }
    throw error;
  }
}
