// `sigwall ctl`: the command-line client of the control API (docs/api.md). Readable tables by
// default, the API's JSON with --json. Exit codes: 0 done; 1 the API refused (the error's code is
// printed) or the policy is invalid; 2 usage; 3 the API cannot be reached.
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { hostname, userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import type { DryRunResult } from '../api/policy-service.js';
import { formatOfFileName } from '../api/policy-source.js';
import type { ApplyResponse, DiffResponse, EngineModeResponse, ListsResponse, RollbackResponse, StatusResponse, ValidateResponse, VersionsResponse } from '../api/schemas.js';
import { loadApplianceConfig } from '../config/appliance.js';
import type { EngineCounters, EngineEvent } from '../engine/contract.js';
import { formatPolicyIssue, SigwallError } from '../errors.js';

export const kCtlUsage = `usage: sigwall ctl [--socket <path> | --url <http://127.0.0.1:port> --token-file <file> | --config <appliance.yaml>] [--json] <command>

commands:
  status                              engine, active policy version, configuration policy drift
  stats                               counters: messages, verdicts, categories, top rules
  policy validate <file>              check a policy (.ts, .yaml, .json) on the appliance
  policy compile <file>               compile it and show the table statistics
  policy dry-run <file> [--capture <pcap>] [--upload] [--side external|internal]
                                      what it would change against the active version
  policy apply <file> [--comment <text>] [--author <name>]
  policy rollback [<version>] [--comment <text>]
  policy history                      every version, the active one marked
  policy show <version>               a version's record and source
  policy diff <a> <b>                 rule-level difference between two versions
  lists                               the active policy's prefix lists
  lists set <name> <file>             replace a list with the prefixes in a file (one per line)
  lists add|remove <name> <prefix>... edit a list
  events tail [--follow] [--limit N] [--kind K] [--rule ID] [--category C] [--gt P] [--imsi P] [--msisdn P]
  engine start|stop
  engine mode inline|monitor [--comment <text>]
                                      inline appliance: enforce, or observe (forward everything,
                                      report would-be drops); a restart returns to config.mode

The API is found at --socket, --url, the api section of --config, $SIGWALL_SOCKET, or else the
demo configuration's socket (firmware-config/appliance/demo.yaml).`;

export interface CtlIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal; // ends `events tail --follow`
}

class UsageError extends Error {}
class UnreachableError extends Error {}
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

interface Target {
  socketPath?: string;
  host?: string;
  port?: number;
  token?: string;
  describe: string;
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function findTarget(values: { socket?: string; url?: string; 'token-file'?: string; config?: string }, env: NodeJS.ProcessEnv): Target {
  if (values.socket !== undefined && values.url !== undefined) throw new UsageError('--socket and --url are exclusive');
  if (values.url !== undefined) {
    let url: URL;
    try {
      url = new URL(values.url);
    } catch {
      throw new UsageError(`--url "${values.url}" is not a URL`);
    }
    if (url.protocol !== 'http:') throw new UsageError('--url is http://<loopback>:<port> (the API listens on loopback only)');
    if (values['token-file'] === undefined) throw new UsageError('--url needs --token-file (the TCP listener requires the bearer token)');
    let token: string;
    try {
      token = readFileSync(values['token-file'], 'utf8').split('\n')[0]!.trim();
    } catch (error) {
      throw new SigwallError('SIGWALL_ERR_FILE', `--token-file ${values['token-file']}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), token, describe: url.origin };
  }
  if (values.socket !== undefined) return { socketPath: resolve(values.socket), describe: values.socket };
  if (values.config !== undefined) {
    const config = loadApplianceConfig(values.config);
    return { socketPath: config.api.socket, describe: config.api.socket };
  }
  if (env.SIGWALL_SOCKET) return { socketPath: env.SIGWALL_SOCKET, describe: env.SIGWALL_SOCKET };
  const config = loadApplianceConfig(join(packageRoot, 'firmware-config', 'appliance', 'demo.yaml'));
  return { socketPath: config.api.socket, describe: config.api.socket };
}

function open(target: Target, method: string, path: string, body: unknown, accept = 'application/json'): Promise<IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        ...(target.socketPath ? { socketPath: target.socketPath } : { host: target.host, port: target.port }),
        method,
        path,
        headers: {
          accept,
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.byteLength) } : {}),
          ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
        },
      },
      resolvePromise,
    );
    req.on('error', (error: NodeJS.ErrnoException) => reject(new UnreachableError(`cannot reach the API at ${target.describe}: ${error.code ?? error.message}`)));
    req.end(payload);
  });
}

async function call<T>(target: Target, method: string, path: string, body?: unknown): Promise<T> {
  const response = await open(target, method, path, body);
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const isJson = /json/.test(response.headers['content-type'] ?? '');
  if ((response.statusCode ?? 500) >= 400) {
    const error = isJson ? (JSON.parse(text) as { code: string; message: string; details?: unknown }) : { code: 'SIGWALL_ERR_INTERNAL', message: text };
    throw new ApiError(response.statusCode ?? 500, error.code, error.message, error.details);
  }
  return (isJson ? JSON.parse(text) : text) as T;
}

// ---------------------------------------------------------------------------------------------
// Output

function table(rows: (string | number)[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const row of all) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, String(cell).length)));
  const line = (row: (string | number)[]) =>
    row
      .map((cell, i) => (typeof cell === 'number' ? String(cell).padStart(widths[i]!) : String(cell).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = all.map(line);
  if (header) out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return `${out.join('\n')}\n`;
}

const fmt = (n: number) => n.toLocaleString('en-US');

const observing = (mode: z.infer<typeof StatusResponse>['operatingMode']) => mode.effectiveMode !== mode.mode;

function describeMode(mode: z.infer<typeof StatusResponse>['operatingMode']): string {
  if (!observing(mode)) return `${mode.effectiveMode} (configured)`;
  const why = mode.comment === '' ? '' : `: ${mode.comment}`;
  return (
    `${mode.effectiveMode.toUpperCase()} (observe: every packet forwarded, would-be drops reported as shadow hits) since ${mode.since} by ${mode.by}${why}; ` +
    `configured ${mode.mode} (a restart returns to it; sigwall ctl engine mode ${mode.mode})`
  );
}

function printStatus(status: z.infer<typeof StatusResponse>): string {
  const engine = status.engine;
  const active = status.policy.activeVersion;
  const rows: (string | number)[][] = [
    ['appliance', status.name],
    ['engine', `${engine.state} (${engine.mode}, ${engine.backend}, ${engine.workers} worker${engine.workers === 1 ? '' : 's'})${engine.error ? `: ${engine.error}` : ''}`],
    ['mode', describeMode(status.operatingMode)],
    ['uptime', `${Math.round(engine.uptimeSeconds)} s`],
    ['ports', engine.ports.map((port) => `${port.name} (${port.role})`).join(', ') || '-'],
    [
      'policy',
      active
        ? `version ${active.id}: ${active.policyName}, ${active.rules} rules, ${active.origin} by ${active.author} at ${active.time}`
        : 'no active version',
    ],
    ['engine table', engine.table ? `generation ${engine.table.generation}, ${engine.table.sha256.slice(0, 12)}${status.policy.engineTableMatches === false ? (observing(status.operatingMode) ? " (NOT the active version's observe form)" : ' (NOT the active version)') : ''}` : '-'],
    ['config policy', `${status.configPolicy.changed ? 'CHANGED: ' : ''}${status.configPolicy.message}`],
    ['api', `${status.api.socket}${status.api.tcp ? `, ${status.api.tcp}` : ''}`],
  ];
  for (const warning of status.storeWarnings) rows.push(['store', warning]);
  return table(rows);
}

function printStats(counters: EngineCounters): string {
  let text = table(
    [
      ['packets', fmt(counters.packets)],
      ['messages', fmt(counters.messages)],
      ['allowed', fmt(counters.verdicts.allow)],
      ['dropped', fmt(counters.verdicts.drop)],
      ['alerted', fmt(counters.verdicts.alert)],
      ['malformed', fmt(counters.malformed)],
      ['shadow hits', fmt(counters.shadowHits)],
      ['by category', `cat1 ${fmt(counters.categories.cat1)}, cat2 ${fmt(counters.categories.cat2)}, cat3 ${fmt(counters.categories.cat3)}, custom ${fmt(counters.categories.custom)}`],
      ['lost', `ring ${fmt(counters.ringDrops)}, events ${fmt(counters.eventsLost)}`],
    ],
  );
  const rules = counters.ruleIds
    .map((id, i) => ({ id, hits: counters.ruleHits[i] ?? 0, shadow: counters.ruleShadowHits[i] ?? 0 }))
    .filter((rule) => rule.hits + rule.shadow > 0)
    .sort((a, b) => b.hits - a.hits || b.shadow - a.shadow);
  if (rules.length > 0) text += `\n${table(rules.slice(0, 15).map((rule) => [rule.id, rule.hits, rule.shadow]), ['rule', 'decided', 'shadow'])}`;
  return text;
}

function printDiff(diff: z.infer<typeof ApplyResponse>['diff']): string {
  const rows: string[][] = [
    ...diff.rulesAdded.map((rule) => ['+', rule.id, `added at position ${rule.position + 1}`]),
    ...diff.rulesRemoved.map((rule) => ['-', rule.id, 'removed']),
    ...diff.rulesChanged.map((rule) => ['~', rule.id, `changed: ${rule.fields.join(', ')}`]),
    ...diff.lists.map((list) => ['~', `list ${list.name}`, `${list.change}: +${list.prefixesAdded.length} -${list.prefixesRemoved.length} prefixes`]),
    ...diff.otherChanges.map((section) => ['~', section, 'changed']),
  ];
  return rows.length === 0 ? 'no differences\n' : table(rows);
}

function printDryRun(result: z.infer<typeof DryRunResult>): string {
  const t = result.totals;
  let text =
    `${result.capture}: ${fmt(t.messages)} messages; candidate ${result.candidate.policyName} against ` +
    `${result.baseline.version ? `active version ${result.baseline.version}` : 'no active policy'}\n` +
    table([
      ['blocked now', fmt(t.blockedBefore)],
      ['blocked with candidate', fmt(t.blockedAfter)],
      ['newly blocked', fmt(t.newlyBlocked)],
      ['newly passed', fmt(t.newlyPassed)],
      ['allow <-> alert', fmt(t.actionChanged)],
      ['other deciding rule', fmt(t.ruleChanged)],
    ]);
  const frames = (list: number[]) => list.slice(0, 8).join(',') + (list.length > 8 ? ',...' : '');
  if (result.newlyBlockedByRule.length > 0) {
    text += `\nnewly blocked, by the candidate rule that blocks them:\n${table(result.newlyBlockedByRule.map((r) => [r.rule, r.newlyBlocked, frames(r.frames)]), ['rule', 'messages', 'frames'])}`;
  }
  if (result.newlyPassedByRule.length > 0) {
    text += `\nnewly passed, by the active rule that blocked them:\n${table(result.newlyPassedByRule.map((r) => [r.rule, r.newlyPassed, frames(r.frames)]), ['rule', 'messages', 'frames'])}`;
  }
  return text;
}

function eventLine(event: EngineEvent): string {
  const operations = event.operations.map((op) => op.name ?? String(op.opcode ?? '?')).join('+') || '-';
  return [
    event.time,
    event.kind.padEnd(9),
    (event.ruleId ?? '-').padEnd(36),
    `frame ${event.frame}`,
    `${event.sccp?.callingDigits ?? '-'} -> ${event.sccp?.calledDigits ?? '-'}`,
    operations,
    event.imsi ? `imsi ${event.imsi}` : '',
    event.anomalies.length > 0 ? `[${event.anomalies.join(',')}]` : '',
  ]
    .filter((part) => part !== '')
    .join('  ');
}

// ---------------------------------------------------------------------------------------------

function policyBody(file: string) {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SigwallError('SIGWALL_ERR_FILE', `${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file });
  }
  return { source, format: formatOfFileName(file), name: basename(file), path: resolve(file) };
}

function defaultAuthor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers)
  }
  return `${user}@${hostname()}`;
}

async function followEvents(target: Target, query: URLSearchParams, io: CtlIo, json: boolean, limit: number | undefined): Promise<void> {
  const response = await open(target, 'GET', `/v1/events/stream?${query}`, undefined, 'text/event-stream');
  if ((response.statusCode ?? 500) >= 400) {
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const error = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code: string; message: string };
    throw new ApiError(response.statusCode ?? 500, error.code, error.message, undefined);
  }
  let seen = 0;
  let buffer = '';
  const stop = () => response.destroy();
  io.signal?.addEventListener('abort', stop, { once: true });
  try {
    response.setEncoding('utf8');
    for await (const chunk of response) {
      buffer += chunk as string;
      let end: number;
      // One SSE message ends with a blank line.
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = new Map<string, string>();
        for (const line of message.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
        }
        const data = fields.get('data');
        if (data === undefined) continue;
        if (fields.get('event') === 'lost') {
          io.err.write(`sigwall: ${JSON.parse(data).lost} events lost (this reader was too slow)\n`);
          continue;
        }
        const event = JSON.parse(data) as EngineEvent;
        io.out.write(json ? `${data}\n` : `${eventLine(event)}\n`);
        if (limit !== undefined && ++seen >= limit) {
          response.destroy();
          return;
        }
      }
    }
  } catch (error) {
    if (!io.signal?.aborted && (error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  } finally {
    io.signal?.removeEventListener('abort', stop);
  }
}

async function run(argv: string[], io: CtlIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      socket: { type: 'string' },
      url: { type: 'string' },
      'token-file': { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      comment: { type: 'string' },
      author: { type: 'string' },
      capture: { type: 'string' },
      upload: { type: 'boolean', default: false },
      side: { type: 'string' },
      follow: { type: 'boolean', short: 'f', default: false },
      limit: { type: 'string' },
      kind: { type: 'string' },
      rule: { type: 'string' },
      category: { type: 'string' },
      gt: { type: 'string' },
      imsi: { type: 'string' },
      msisdn: { type: 'string' },
    },
  });
  const json = values.json ?? false;
  const [command, sub, ...args] = positionals;
  if (values.help || command === 'help') {
    io.out.write(`${kCtlUsage}\n`);
    return 0;
  }
  if (command === undefined) {
    io.err.write(`${kCtlUsage}\n`);
    return 2;
  }
  const target = findTarget(values, io.env ?? process.env);
  const author = values.author ?? defaultAuthor();
  const comment = values.comment ?? '';
  const print = (value: unknown, text: () => string) => io.out.write(json ? `${JSON.stringify(value, null, 2)}\n` : text());
  const need = (count: number, what: string) => {
    if (args.length !== count) throw new UsageError(what);
  };

  switch (command) {
    case 'status': {
      if (sub !== undefined) throw new UsageError('status takes no arguments');
      const status = await call<z.infer<typeof StatusResponse>>(target, 'GET', '/v1/status');
      print(status, () => printStatus(status));
      return 0;
    }
    case 'stats': {
      if (sub !== undefined) throw new UsageError('stats takes no arguments');
      const counters = await call<EngineCounters>(target, 'GET', '/v1/counters');
      print(counters, () => printStats(counters));
      return 0;
    }
    case 'engine': {
      if (sub === 'mode') {
        need(1, 'engine mode inline|monitor [--comment <text>]');
        const mode = args[0]!;
        if (mode !== 'inline' && mode !== 'monitor') throw new UsageError('engine mode inline|monitor [--comment <text>]');
        const result = await call<z.infer<typeof EngineModeResponse>>(target, 'POST', '/v1/engine/mode', { mode, author, comment });
        print(result, () => `mode ${describeMode(result.mode)}\n`);
        return 0;
      }
      if (sub !== 'start' && sub !== 'stop') throw new UsageError('engine start|stop|mode');
      const result = await call<{ status: { state: string } }>(target, 'POST', `/v1/engine/${sub}`, { author });
      print(result, () => `engine ${result.status.state}\n`);
      return 0;
    }
    case 'policy': {
      switch (sub) {
        case 'validate': {
          need(1, 'policy validate <file>');
          const result = await call<z.infer<typeof ValidateResponse>>(target, 'POST', '/v1/policy/validate', policyBody(args[0]!));
          print(result, () =>
            result.valid
              ? `ok: ${result.policyName}: ${result.rules} rules (${result.enforce} enforce, ${result.shadow} shadow), ${Object.keys(result.lists ?? {}).length} lists\n`
              : `${result.issues.map((issue) => formatPolicyIssue(issue)).join('\n')}\n${result.issues.length} error${result.issues.length === 1 ? '' : 's'}\n`,
          );
          return result.valid ? 0 : 1;
        }
        case 'compile': {
          need(1, 'policy compile <file>');
          const result = await call<{ policyName: string; sha256: string; stats: { rules: number; prefixes: number; results: number; imageBytes: number; buildMs: number; phases: unknown[]; dimensions: unknown[] } }>(
            target,
            'POST',
            '/v1/policy/compile',
            policyBody(args[0]!),
          );
          const s = result.stats;
          print(result, () =>
            table([
              ['policy', result.policyName],
              ['rules', fmt(s.rules)],
              ['prefixes', fmt(s.prefixes)],
              ['dimensions', fmt(s.dimensions.length)],
              ['phases', fmt(s.phases.length)],
              ['results', fmt(s.results)],
              ['image', `${fmt(s.imageBytes)} bytes, sha256 ${result.sha256.slice(0, 16)}`],
              ['build', `${s.buildMs.toFixed(1)} ms`],
            ]),
          );
          return 0;
        }
        case 'dry-run': {
          need(1, 'policy dry-run <file> [--capture <pcap>]');
          let capture: unknown;
          if (values.capture !== undefined) {
            capture = values.upload ? { name: basename(values.capture), base64: readFileSync(values.capture).toString('base64') } : { path: resolve(values.capture) };
          }
          const side = values.side;
          if (side !== undefined && side !== 'external' && side !== 'internal') throw new UsageError('--side is external or internal');
          const result = await call<z.infer<typeof DryRunResult>>(target, 'POST', '/v1/policy/dry-run', {
            ...policyBody(args[0]!),
            ...(capture ? { capture } : {}),
            ...(side ? { side } : {}),
          });
          print(result, () => printDryRun(result));
          return 0;
        }
        case 'apply': {
          need(1, 'policy apply <file> [--comment <text>]');
          const result = await call<z.infer<typeof ApplyResponse>>(target, 'POST', '/v1/policy/apply', { ...policyBody(args[0]!), author, comment });
          print(result, () => `version ${result.version.id} active (parent ${result.version.parent ?? 'none'}), ${result.version.rules} rules\n${printDiff(result.diff)}`);
          return 0;
        }
        case 'rollback': {
          if (args.length > 1) throw new UsageError('policy rollback [<version>]');
          const result = await call<z.infer<typeof RollbackResponse>>(target, 'POST', '/v1/policy/rollback', { ...(args[0] !== undefined ? { to: args[0] } : {}), author, comment });
          print(result, () => `rolled back from version ${result.from} to ${result.version.id}\n${printDiff(result.diff)}`);
          return 0;
        }
        case 'history': {
          need(0, 'policy history');
          const result = await call<z.infer<typeof VersionsResponse>>(target, 'GET', '/v1/policy/versions');
          print(result, () =>
            table(
              result.versions.map((v) => [
                v.id === result.active ? `*${v.id}` : ` ${v.id}`,
                v.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
                v.origin,
                v.author,
                v.policyName,
                v.rules,
                v.summary ? `+${v.summary.rulesAdded} -${v.summary.rulesRemoved} ~${v.summary.rulesChanged}${v.summary.listsChanged.length ? ` lists:${v.summary.listsChanged.join(',')}` : ''}` : '',
                v.comment,
              ]),
              ['ver', 'time', 'origin', 'author', 'policy', 'rules', 'changes', 'comment'],
            ),
          );
          return 0;
        }
        case 'show': {
          need(1, 'policy show <version>');
          const result = await call<{ record: { id: string; sourceName: string; author: string; time: string; comment: string }; active: boolean; source: string }>(target, 'GET', `/v1/policy/versions/${encodeURIComponent(args[0]!)}`);
          print(result, () => `# version ${result.record.id}${result.active ? ' (active)' : ''}: ${result.record.sourceName} by ${result.record.author} at ${result.record.time}${result.record.comment ? `: ${result.record.comment}` : ''}\n${result.source}${result.source.endsWith('\n') ? '' : '\n'}`);
          return 0;
        }
        case 'diff': {
          need(2, 'policy diff <a> <b>');
          const result = await call<z.infer<typeof DiffResponse>>(target, 'GET', `/v1/policy/versions/${encodeURIComponent(args[0]!)}/diff/${encodeURIComponent(args[1]!)}`);
          print(result, () => `version ${result.from} -> ${result.to}\n${printDiff(result.diff)}`);
          return 0;
        }
        default:
          throw new UsageError(`unknown policy command "${sub ?? ''}"`);
      }
    }
    case 'lists': {
      if (sub === undefined || sub === 'show') {
        const result = await call<z.infer<typeof ListsResponse>>(target, 'GET', '/v1/lists');
        print(result, () =>
          table(
            Object.entries(result.lists).map(([name, list]) => [name, list.kind, list.prefixes.length, list.prefixes.slice(0, 6).join(' ') + (list.prefixes.length > 6 ? ' ...' : '')]),
            ['list', 'kind', 'prefixes', 'first'],
          ),
        );
        return 0;
      }
      const name = args[0];
      if (name === undefined) throw new UsageError(`lists ${sub} <name> ...`);
      let result: z.infer<typeof ApplyResponse>;
      if (sub === 'set') {
        need(2, 'lists set <name> <file>');
        let text: string;
        try {
          text = readFileSync(args[1]!, 'utf8');
        } catch (error) {
          throw new SigwallError('SIGWALL_ERR_FILE', `${args[1]}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
        // One prefix per line; "#" starts a comment.
        const prefixes = text
          .split('\n')
          .map((line) => line.replace(/#.*/, '').trim())
          .filter((line) => line !== '');
        result = await call(target, 'PUT', `/v1/lists/${encodeURIComponent(name)}`, { prefixes, author, comment });
      } else if (sub === 'add' || sub === 'remove') {
        if (args.length < 2) throw new UsageError(`lists ${sub} <name> <prefix>...`);
        result = await call(target, 'PATCH', `/v1/lists/${encodeURIComponent(name)}`, { [sub]: args.slice(1), author, comment });
      } else {
        throw new UsageError(`unknown lists command "${sub}"`);
      }
      print(result, () => `version ${result.version.id} active\n${printDiff(result.diff)}`);
      return 0;
    }
    case 'events': {
      if (sub !== 'tail') throw new UsageError('events tail [--follow]');
      const query = new URLSearchParams();
      const filters: [string, string | undefined][] = [
        ['kind', values.kind],
        ['ruleId', values.rule],
        ['category', values.category],
        ['gtPrefix', values.gt],
        ['imsiPrefix', values.imsi],
        ['msisdnPrefix', values.msisdn],
      ];
      for (const [key, value] of filters) if (value !== undefined) query.set(key, value);
      const limit = values.limit === undefined ? undefined : Number(values.limit);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError('--limit is a positive integer');
      if (values.follow) {
        await followEvents(target, query, io, json, limit);
        return 0;
      }
      query.set('limit', String(limit ?? 20));
      const result = await call<{ events: EngineEvent[] }>(target, 'GET', `/v1/events?${query}`);
      if (json) for (const event of result.events) io.out.write(`${JSON.stringify(event)}\n`);
      else io.out.write(result.events.length === 0 ? 'no events\n' : result.events.map((event) => `${eventLine(event)}\n`).join(''));
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

// Runs `sigwall ctl <argv>`; returns the exit code.
export async function ctl(argv: string[], io: CtlIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith?.('ERR_PARSE_ARGS')) {
      io.err.write(`sigwall ctl: ${(error as Error).message}\n\n${kCtlUsage}\n`);
      return 2;
    }
    if (error instanceof UnreachableError) {
      io.err.write(`sigwall ctl: ${error.message}\n`);
      return 3;
    }
    if (error instanceof ApiError) {
      // A policy error's message already holds every issue, one per line.
      io.err.write(`sigwall ctl: ${error.message} [${error.code}]\n`);
      return 1;
    }
    if (error instanceof SigwallError) {
      io.err.write(`sigwall ctl: ${error.message} [${error.code}]\n`);
      return error.code === 'SIGWALL_ERR_USAGE' ? 2 : 1;
    }
    throw error;
  }
}
