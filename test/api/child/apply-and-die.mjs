// Child of test/api/lifecycle.test.ts: applies a policy to a store the way the API does (write
// the version, then point `active` at it) and SIGKILLs itself at the crash point named on the
// command line, so the parent can check what a real crash leaves on disk.
// usage: node --import ./ts-register.mjs apply-and-die.mjs <dataDir> <policy.json> <crashPoint|none>
import { readFileSync } from 'node:fs';

const [dataDir, policyFile, crashAt] = process.argv.slice(2);
const { PolicyStore } = await import('../../../src/store/policy-store.ts');
const { setCrashHookForTests } = await import('../../../src/store/durable.ts');
const { resolvePolicy } = await import('../../../src/policy/load.ts');
const { compilePolicy } = await import('../../../src/policy/compile.ts');

const text = readFileSync(policyFile, 'utf8');
const policy = resolvePolicy(JSON.parse(text), 'candidate.json');
const table = compilePolicy(policy);
const store = PolicyStore.open(dataDir);
setCrashHookForTests((point) => {
  if (point === crashAt) process.kill(process.pid, 'SIGKILL');
});
const record = store.writeVersion({
  source: { text, format: 'json', name: 'candidate.json' },
  resolved: JSON.parse(JSON.stringify(policy)),
  image: table.image,
  stats: table.stats,
  author: 'crash-test',
  comment: `dies at ${crashAt}`,
  origin: 'apply',
});
store.setActive(record.id);
process.stdout.write(`active ${record.id}\n`);
