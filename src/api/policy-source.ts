// Turning policy source text sent to the API (a .ts module, YAML or JSON) into a resolved policy,
// with the same checks and messages as `sigwall check` (src/policy/load.ts).
//
// YAML and JSON are written to a temporary file and read by readPolicyInput(), so line and column
// numbers are exactly those of the CLI; issues then name the author's file name, not the
// temporary one. A TypeScript policy is a module that must be imported: when the client names
// the file it read (`path`) and that file still holds exactly the submitted text, the module is
// imported from there, so its own relative imports resolve; otherwise from a content-addressed
// copy under <dataDir>/tmp (a policy without relative imports, or with only `sigwall/policy`).
// Either way the import URL carries the text's SHA-256, so a changed file is a new module and
// an unchanged one is not imported twice. A TS policy is code run by the appliance: whoever can
// reach the API can run it (docs/api.md, "Access").
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PolicyError, SigwallError, type PolicyIssue } from '../errors.js';
import { readPolicyInput, registerTypeScriptHooks, resolvePolicy, type PolicyCatalog } from '../policy/load.js';
import type { ResolvedPolicy } from '../policy/schema.js';
import { ensureDirectory, temporaryName, writeFileSynced } from '../store/durable.js';
import { sha256Hex, type PolicyFormat } from '../store/policy-store.js';

export interface PolicySourceText {
  text: string;
  format: PolicyFormat;
  name: string; // the author's file name, for messages
  path?: string; // absolute path of the file the client read (TS: lets relative imports resolve)
}

const kExtension: Record<PolicyFormat, string> = { ts: '.ts', yaml: '.yaml', json: '.json' };


function renamed(error: unknown, from: string, to: string): unknown {
  if (!(error instanceof PolicyError)) return error;
  return new PolicyError(error.issues.map((issue): PolicyIssue => ({ ...issue, file: issue.file === from ? to : issue.file })));
}

async function importTypeScript(source: PolicySourceText, tmpDir: string): Promise<unknown> {
  const digest = sha256Hex(source.text);
  let file: string;
  let temporary = false;
  if (source.path !== undefined && isAbsolute(source.path) && existsSync(source.path) && sha256Hex(readFileSync(source.path, 'utf8')) === digest) {
    file = source.path;
  } else {
    // Named by content: the same text is the same module URL, which Node imports once.
    ensureDirectory(tmpDir);
    file = join(tmpDir, `policy-${digest.slice(0, 32)}.ts`);
    temporary = true;
    try {
      writeFileSynced(file, source.text);
    } catch (error) {
      if (!existsSync(file)) throw error; // a concurrent request with the same text wrote it
    }
  }
  registerTypeScriptHooks();
  let module: { default?: unknown };
  try {
    module = (await import(`${pathToFileURL(file).href}?sha256=${digest}`)) as { default?: unknown };
  } catch (error) {
    const message = (error as Error).message;
    const syntax = message.startsWith(`${file}:`) ? /^:(\d+):(\d+): ([^]*)$/.exec(message.slice(file.length)) : null;
    if (syntax) throw new PolicyError([{ file: source.name, path: '', message: `TypeScript syntax: ${syntax[3]}`, line: Number(syntax[1]), column: Number(syntax[2]) }]);
    throw new PolicyError([{ file: source.name, path: '', message: `the module could not be loaded: ${message.split(file).join(source.name)}` }]);
  } finally {
    // Imported (or failed) once, the module stays in Node's cache under its URL: the file is done.
    if (temporary) rmSync(file, { force: true });
  }
  if (module.default === undefined) {
    throw new PolicyError([{ file: source.name, path: '', message: 'the module has no default export: end it with `export default definePolicy({ ... })`' }]);
  }
  return module.default;
}

// Validates and resolves policy source text. Throws PolicyError (every issue, naming
// `source.name`) or SigwallError.
export async function resolvePolicySource(source: PolicySourceText, tmpDir: string, catalog?: PolicyCatalog): Promise<ResolvedPolicy> {
  const name = basename(source.name) || `policy${kExtension[source.format]}`;
  if (source.format === 'ts') {
    const input = await importTypeScript({ ...source, name }, tmpDir);
    return resolvePolicy(input, name, catalog);
  }
  ensureDirectory(tmpDir);
  const file = `${temporaryName(tmpDir, 'policy-')}${kExtension[source.format]}`;
  writeFileSynced(file, source.text);
  try {
    const { input, source: where } = await readPolicyInput(file);
    return resolvePolicy(input, { ...where, file: name }, catalog);
  } catch (error) {
    throw renamed(error, file, name);
  } finally {
    rmSync(file, { force: true });
  }
}

// The format a file name implies.
export function formatOfFileName(file: string): PolicyFormat {
  if (/\.m?ts$/i.test(file)) return 'ts';
  if (/\.ya?ml$/i.test(file)) return 'yaml';
  if (/\.json$/i.test(file)) return 'json';
  throw new SigwallError('SIGWALL_ERR_USAGE', `${file}: a policy is a .ts, .yaml or .json file`);
}
