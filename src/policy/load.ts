// Loading a policy: read a file (TypeScript/JavaScript module, YAML or JSON), validate it with
// the zod schema, then check what the schema cannot express (references between the rules, the
// lists, the networks and the native operation and anomaly tables) and return one frozen,
// fully-defaulted policy. Every problem becomes a PolicyIssue naming the file, the rule and the
// path; all of them are reported together in one PolicyError.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { extname, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { PolicyError, SigwallError, type PolicyIssue } from '../errors.js';
import { anomalyCatalog, operationNames } from '../dataplane/decoder.js';
import { FIELDS, fieldDefinition, type DigitsKind } from './fields.js';
import {
  DigitsCondition,
  Network,
  Networks,
  Policy,
  PrefixList,
  Relation,
  Rule,
  type ResolvedPolicy,
  type ResolvedRule,
} from './schema.js';

// ---------------------------------------------------------------------------------------------
// What names resolve against: the data plane's own tables, so a policy can only name what the
// decoders can report.

export interface PolicyCatalog {
  // Operation name (as Wireshark shows it) → operation code, per TCAP user.
  readonly operations: { readonly map: ReadonlyMap<string, number>; readonly cap: ReadonlyMap<string, number> };
  readonly anomalies: ReadonlySet<string>;
}

export function catalogFrom(
  operations: { map: Record<string, string>; cap: Record<string, string> },
  anomalies: readonly { name: string }[],
): PolicyCatalog {
  const byName = (table: Record<string, string>) => new Map(Object.entries(table).map(([code, name]) => [name, Number(code)]));
  return {
    operations: { map: byName(operations.map), cap: byName(operations.cap) },
    anomalies: new Set(anomalies.map((anomaly) => anomaly.name)),
  };
}

let nativeCatalog: PolicyCatalog | undefined;

// The catalog of the native addon (throws SIGWALL_ERR_ADDON when it is not built).
export function nativePolicyCatalog(): PolicyCatalog {
  nativeCatalog ??= catalogFrom(operationNames(), anomalyCatalog());
  return nativeCatalog;
}

// ---------------------------------------------------------------------------------------------
// Where an input came from, for messages.

export interface PolicySource {
  readonly file: string;
  // Line and column (1-based) of a path of the input, where the format can tell (YAML).
  readonly locate?: (path: readonly PropertyKey[]) => { line: number; column: number } | undefined;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

class IssueList {
  readonly issues: PolicyIssue[] = [];

  constructor(
    private readonly source: PolicySource,
    private readonly input: unknown,
  ) {}

  add(path: readonly PropertyKey[], message: string): void {
    const rule = path[0] === 'rules' && typeof path[1] === 'number' ? valueAt(this.input, ['rules', path[1], 'name']) : undefined;
    const at = this.source.locate?.(path);
    this.issues.push({
      file: this.source.file,
      ...(typeof rule === 'string' ? { rule } : {}),
      path: formatPath(path),
      message,
      ...(at ? { line: at.line, column: at.column } : {}),
    });
  }

  throwIfAny(): void {
    if (this.issues.length > 0) throw new PolicyError(this.issues);
  }
}

// ---------------------------------------------------------------------------------------------
// Suggestions for misspelt names.

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function suggestion(name: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? `; did you mean "${best}"?` : '';
}

const kMatchKeys = [...FIELDS.map((field) => field.name), 'sigwall.relation'];
// Keys of every object of the schema, for suggestions outside a match.
const kSchemaKeys = [
  ...Object.keys(Policy.shape),
  ...Object.keys(Networks.shape),
  ...Object.keys(Network.shape),
  ...Object.keys(PrefixList.shape),
  ...Object.keys(Rule.shape),
  ...Object.keys(DigitsCondition.shape),
  ...Object.keys(Relation.shape),
  'not',
];

// ---------------------------------------------------------------------------------------------
// zod issues → policy issues, in the operator's words.

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

const kTypeWords: Record<string, string> = { array: 'a list', object: 'an object', number: 'a number', string: 'a string', boolean: 'true or false' };

type ZodIssue = z.core.$ZodIssue;

function expectedOneOf(alternatives: readonly ZodIssue[], value: unknown): string {
  const words: string[] = [];
  const values: string[] = [];
  for (const alternative of alternatives) {
    if (alternative.code === 'invalid_type') words.push(kTypeWords[alternative.expected] ?? alternative.expected);
    else if (alternative.code === 'invalid_value') values.push(...alternative.values.map((v) => JSON.stringify(v)));
  }
  if (values.length === 1) words.push(values[0]!);
  else if (values.length > 1) words.push(`one of ${values.join(', ')}`);
  // Set conditions are a list or { not: [...] }: say so rather than "a list or an object".
  if (words.includes('a list') && words.includes('an object')) words.splice(words.indexOf('an object'), 1, '{ not: [...] }');
  return `expected ${words.join(' or ')}, got ${describeValue(value)}`;
}

function translateZodIssues(list: IssueList, input: unknown, zodIssues: readonly ZodIssue[], base: readonly PropertyKey[] = []): void {
  // A match of only unknown fields is also "empty" to the schema; the unknown field is the news.
  const withUnknownKeys = new Set(zodIssues.filter((i) => i.code === 'unrecognized_keys').map((i) => formatPath(i.path)));
  for (const issue of zodIssues) {
    if (issue.code === 'custom' && withUnknownKeys.has(formatPath(issue.path))) continue;
    const path = [...base, ...issue.path];
    const value = valueAt(input, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const inMatch = path[path.length - 1] === 'match';
        for (const key of issue.keys) {
          const hint = suggestion(key, inMatch ? kMatchKeys : kSchemaKeys);
          list.add([...path, key], `unknown ${inMatch ? 'match field' : 'field'} "${key}"${hint || (inMatch ? ' (docs/policy.md lists the fields)' : '')}`);
        }
        break;
      }
      case 'invalid_union': {
        const branches = issue.errors;
        const atTheValue = (i: ZodIssue) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value');
        if (branches.every((branch) => branch.length === 1 && atTheValue(branch[0]!))) {
          list.add(path, expectedOneOf(branches.map((branch) => branch[0]!), value));
        } else {
          // The branch that got past the value's own type is the one the author meant.
          const meant = branches.find((branch) => !branch.some((i) => i.path.length === 0 && i.code === 'invalid_type')) ?? branches[0]!;
          translateZodIssues(list, input, meant, path);
        }
        break;
      }
      case 'invalid_type':
        list.add(path, value === undefined ? `missing (${kTypeWords[issue.expected] ?? issue.expected} is required)` : `expected ${kTypeWords[issue.expected] ?? issue.expected}, got ${describeValue(value)}`);
        break;
      case 'invalid_value':
        list.add(path, expectedOneOf([issue], value));
        break;
      case 'too_big':
        list.add(path, issue.origin === 'array' ? `at most ${issue.maximum} entries` : `expected at most ${issue.maximum}, got ${describeValue(value)}`);
        break;
      case 'too_small':
        list.add(path, issue.origin === 'array' ? `an empty list: name at least ${issue.minimum}` : `expected at least ${issue.minimum}, got ${describeValue(value)}`);
        break;
      case 'invalid_format':
        list.add(path, `${issue.message}, got ${describeValue(value)}`);
        break;
      default:
        list.add(path, issue.message.replace(/^Invalid (input|option): /, ''));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checks the schema cannot express.

type SetCondition<T> = T[] | { not: T[] };

function setValues<T>(condition: SetCondition<T>): { values: T[]; negated: boolean } {
  return Array.isArray(condition) ? { values: condition, negated: false } : { values: condition.not, negated: true };
}

function networkLabel(name: string): string {
  return name === 'home' ? 'home' : `partner:${name}`;
}

// The networks a reference stands for, or a message why it stands for none.
function referencedNetworks(policy: Policy, ref: string): { networks: [string, Network][] } | { error: string } {
  const partners = Object.entries(policy.networks.partners);
  const partnerNames = partners.map(([name]) => name);
  if (ref === 'home') return { networks: [['home', policy.networks.home]] };
  if (ref === 'partners' || ref === 'foreign') {
    if (ref === 'partners' && partners.length === 0) return { error: '"partners" stands for no network: networks.partners is empty' };
    // "foreign" is what is neither home nor a partner, so it is only as exact as they are.
    return { networks: [...(ref === 'foreign' ? [['home', policy.networks.home] as [string, Network]] : []), ...partners] };
  }
  const name = ref.slice('partner:'.length);
  const partner = policy.networks.partners[name];
  if (partner === undefined) {
    const known = partnerNames.length > 0 ? ` (partners: ${partnerNames.join(', ')})` : ' (networks.partners is empty)';
    return { error: `unknown network "${ref}"${suggestion(name, partnerNames) || known}` };
  }
  return { networks: [[name, partner]] };
}

const kDigitsWords: Record<DigitsKind, string> = { gt: 'a global title', imsi: 'an IMSI', msisdn: 'an MSISDN' };

function checkDigits(list: IssueList, policy: Policy, path: PropertyKey[], field: string, kind: DigitsKind, condition: DigitsCondition): void {
  condition.lists?.forEach((name, k) => {
    const named = policy.lists[name];
    if (named === undefined) {
      // Only on the error path: listing the names costs O(lists) per condition.
      const listNames = Object.keys(policy.lists);
      const known = listNames.length > 0 ? ` (lists: ${listNames.join(', ')})` : ' (the policy defines no lists)';
      list.add([...path, 'lists', k], `unknown list "${name}"${suggestion(name, listNames) || known}`);
    } else if (named.kind !== kind) {
      list.add([...path, 'lists', k], `list "${name}" holds ${named.kind} prefixes, but ${field} is ${kDigitsWords[kind]}: only ${kind} lists fit`);
    }
  });
  // Membership reads E.164 prefixes for GTs and MSISDNs, MCC+MNC for IMSIs (fields.ts).
  const attribute = kind === 'imsi' ? 'mccMnc' : 'gtPrefixes';
  condition.networks?.forEach((ref, k) => {
    const resolved = referencedNetworks(policy, ref);
    if ('error' in resolved) {
      list.add([...path, 'networks', k], resolved.error);
      return;
    }
    const lacking = resolved.networks.filter(([, network]) => network[attribute].length === 0).map(([name]) => networkLabel(name));
    if (lacking.length > 0) {
      list.add(
        [...path, 'networks', k],
        `${field} is ${kDigitsWords[kind]}, matched against a network's ${attribute}, and ${lacking.join(', ')} define${lacking.length === 1 ? 's' : ''} none`,
      );
    }
  });
}

function resolveOperations(
  list: IssueList,
  catalog: PolicyCatalog,
  path: PropertyKey[],
  application: 'map' | 'cap',
  condition: SetCondition<number | string>,
): SetCondition<number> {
  const table = catalog.operations[application];
  const other = catalog.operations[application === 'map' ? 'cap' : 'map'];
  const { values, negated } = setValues(condition);
  const codes: number[] = [];
  values.forEach((value, k) => {
    let code: number | undefined = typeof value === 'number' ? value : table.get(value);
    if (code === undefined) {
      const elsewhere = other.has(value as string) ? ` ("${value}" is a ${application === 'map' ? 'CAP' : 'MAP'} operation: match it with ${application === 'map' ? 'cap' : 'map'}.opcode)` : '';
      list.add([...path, ...(negated ? ['not'] : []), k], `unknown ${application.toUpperCase()} operation "${value}"${elsewhere || suggestion(value as string, table.keys())}`);
      return;
    }
    if (!codes.includes(code)) codes.push(code);
  });
  return negated ? { not: codes } : codes;
}

function checkRelation(list: IssueList, policy: Policy, path: PropertyKey[]): void {
  // The relation compares the calling GT's network (gtPrefixes) with the IMSI's home network
  // (mccMnc): a network missing either would fall silently on the "differs" side.
  const networks: [string, Network][] = [['home', policy.networks.home], ...Object.entries(policy.networks.partners)];
  const lacking = networks.flatMap(([name, network]) => [
    ...(network.gtPrefixes.length === 0 ? [`${networkLabel(name)} has no gtPrefixes`] : []),
    ...(network.mccMnc.length === 0 ? [`${networkLabel(name)} has no mccMnc`] : []),
  ]);
  if (lacking.length > 0) {
    list.add(path, `a relation compares a GT's network with an IMSI's home network, so every network needs gtPrefixes and mccMnc: ${lacking.join(', ')}`);
  }
}

const kReservedRuleNames = ['default', 'malformed'];

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// Validates `input` (the default export of a module, or parsed YAML/JSON) and resolves every
// reference. Throws PolicyError listing every problem.
export function resolvePolicy(input: unknown, source: string | PolicySource = '<policy>', catalog?: PolicyCatalog): ResolvedPolicy {
  const from: PolicySource = typeof source === 'string' ? { file: source } : source;
  const list = new IssueList(from, input);
  const parsed = Policy.safeParse(input);
  if (!parsed.success) {
    translateZodIssues(list, input, parsed.error.issues);
    list.throwIfAny();
  }
  const policy = parsed.data!;
  const tables = catalog ?? nativePolicyCatalog();

  const firstIndex = new Map<string, number>();
  policy.rules.forEach((rule, i) => {
    const first = firstIndex.get(rule.name);
    // The verdict of a message no rule decides carries "<policy>#default", of a malformed one
    // "<policy>#malformed" (evaluate.ts): a rule of that name would be indistinguishable.
    if (kReservedRuleNames.includes(rule.name)) list.add(['rules', i, 'name'], `"${rule.name}" is reserved: "${policy.name}#${rule.name}" is the id of the ${rule.name} verdict`);
    if (first === undefined) firstIndex.set(rule.name, i);
    else list.add(['rules', i, 'name'], `duplicate rule name "${rule.name}" (first used by rules[${first}]); rule names make the stable ids`);
  });

  const rules: ResolvedRule[] = policy.rules.map((rule, i) => {
    const match: Record<string, unknown> = {};
    for (const [name, condition] of Object.entries(rule.match)) {
      if (condition === undefined) continue;
      const path: PropertyKey[] = ['rules', i, 'match', name];
      const field = fieldDefinition(name);
      match[name] = condition;
      if (name === 'sigwall.relation') checkRelation(list, policy, path);
      else if (field?.type === 'digits') checkDigits(list, policy, path, name, field.digitsKind ?? 'gt', condition as DigitsCondition);
      else if (field?.type === 'operation') {
        match[name] = resolveOperations(list, tables, path, name === 'cap.opcode' ? 'cap' : 'map', condition as SetCondition<number | string>);
      } else if (field?.type === 'anomaly') {
        const { values, negated } = setValues(condition as SetCondition<string>);
        values.forEach((anomaly, k) => {
          if (!tables.anomalies.has(anomaly)) {
            list.add([...path, ...(negated ? ['not'] : []), k], `unknown anomaly "${anomaly}"${suggestion(anomaly, tables.anomalies) || ' (`sigwall anomalies` lists them)'}`);
          }
        });
      }
    }
    return { id: `${policy.name}#${rule.name}`, ...rule, match };
  });

  list.throwIfAny();
  return deepFreeze({ ...policy, rules });
}

// ---------------------------------------------------------------------------------------------
// Reading files.

const kModuleExtensions = new Set(['.js', '.mjs', '.ts', '.mts']);
const kPolicyExtensions = ['.ts', '.mts', '.js', '.mjs', '.yaml', '.yml', '.json'];

let typeScriptHooks = false;

// Lets `import()` load .ts policies (also used by the API for submitted TypeScript policies).
export function registerTypeScriptHooks(): void {
  if (typeScriptHooks) return;
  typeScriptHooks = true;
  // The hooks exist compiled beside this file in dist/. Running from src/ (vitest), the test
  // runner compiles TypeScript itself and imports .ts policies without them.
  const hooks = new URL('./ts-hooks.js', import.meta.url);
  if (existsSync(fileURLToPath(hooks))) register(hooks);
}

function yamlLocator(document: ReturnType<typeof parseDocument>, lines: LineCounter): PolicySource['locate'] {
  return (path) => {
    let node: unknown = document.contents;
    let offset: number | undefined = (node as YamlNode | null)?.range?.[0];
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
        if (!pair) break;
        offset = (pair.key as YamlNode).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        const item = node.items[key];
        if (item === undefined) break;
        offset = (item as YamlNode).range?.[0] ?? offset;
        node = item;
      } else {
        break;
      }
    }
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

// Reads a policy file into the raw input resolvePolicy() takes, with its source for messages.
export async function readPolicyInput(path: string): Promise<{ input: unknown; source: PolicySource }> {
  const file = path;
  const absolute = resolvePath(path);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    throw new SigwallError('SIGWALL_ERR_FILE', `${file}: no such policy file`, { file });
  }
  const extension = extname(absolute).toLowerCase();
  const fail = (message: string, at?: { line: number; column: number }): never => {
    throw new PolicyError([{ file, path: '', message, ...(at ?? {}) }]);
  };

  if (kModuleExtensions.has(extension)) {
    if (extension === '.ts' || extension === '.mts') registerTypeScriptHooks();
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
    } catch (error) {
      const message = (error as Error).message;
      // A syntax error from ts-hooks.ts names this file with a line and column.
      const syntax = message.startsWith(`${absolute}:`) ? /^:(\d+):(\d+): ([^]*)$/.exec(message.slice(absolute.length)) : null;
      if (syntax) return fail(`TypeScript syntax: ${syntax[3]}`, { line: Number(syntax[1]), column: Number(syntax[2]) });
      return fail(`the module could not be loaded: ${message}`);
    }
    if (module.default === undefined) return fail('the module has no default export: end it with `export default definePolicy({ ... })`');
    return { input: module.default, source: { file } };
  }

  const text = readFileSync(absolute, 'utf8');
  if (extension === '.yaml' || extension === '.yml') {
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (document.errors.length > 0) {
      throw new PolicyError(
        document.errors.map((error) => {
          const { line, col } = lines.linePos(error.pos[0]);
          return { file, path: '', message: `YAML syntax: ${error.message}`, line, column: col };
        }),
      );
    }
    let input: unknown;
    try {
      input = document.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      return fail(`YAML: ${(error as Error).message}`);
    }
    return { input, source: { file, locate: yamlLocator(document, lines) } };
  }
  if (extension === '.json') {
    try {
      return { input: JSON.parse(text) as unknown, source: { file } };
    } catch (error) {
      const message = (error as Error).message;
      const position = /at position (\d+)/.exec(message);
      return fail(`JSON syntax: ${message}`, position ? lineAndColumn(text, Number(position[1])) : undefined);
    }
  }
  return fail(`a policy is a ${kPolicyExtensions.join(', ')} file, not "${extension || 'without extension'}"`);
}

// Reads, validates and resolves a policy file.
export async function loadPolicy(path: string, catalog?: PolicyCatalog): Promise<ResolvedPolicy> {
  const { input, source } = await readPolicyInput(path);
  return resolvePolicy(input, source, catalog);
}
