// Policy routes: validate, compile, dry-run, apply, versions (list, show, diff), rollback, and the
// named prefix lists of the active policy.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { PolicyError, SigwallError } from '../../errors.js';
import type { ResolvedPolicy } from '../../policy/schema.js';
import { sha256Hex } from '../../store/policy-store.js';
import { diffPolicies } from '../diff.js';
import type { PolicySourceText } from '../policy-source.js';
import type { RouteContext } from '../server.js';
import {
  ApplyBody,
  ApplyResponse,
  CompileResponse,
  DiffParams,
  DiffResponse,
  DryRunBody,
  ListEditBody,
  ListParams,
  ListReplaceBody,
  ListsResponse,
  PolicySourceBody,
  RollbackBody,
  RollbackResponse,
  ValidateResponse,
  VersionParams,
  VersionResponse,
  VersionsResponse,
} from '../schemas.js';
import { DryRunResult } from '../policy-service.js';

function sourceOf(body: z.output<typeof PolicySourceBody>): PolicySourceText {
  return { text: body.source, format: body.format, name: body.name, ...(body.path !== undefined ? { path: body.path } : {}) };
}

const kMaxDryRunCaptureBytes = 1 << 30;

function readCapture(capture: z.output<typeof DryRunBody>['capture'], fallback: string | undefined): { bytes: Uint8Array; name: string } {
  if (capture === undefined) {
    if (fallback === undefined) throw new SigwallError('SIGWALL_ERR_BAD_REQUEST', 'body.capture: missing (the configuration has no replay capture to default to)');
    capture = { path: fallback };
  }
  if ('path' in capture) {
    try {
      const size = statSync(capture.path).size;
      // Both decodes read it from memory; a capture this large belongs to `sigwall replay` offline.
      if (size > kMaxDryRunCaptureBytes) {
        throw new SigwallError('SIGWALL_ERR_BAD_REQUEST', `capture ${capture.path}: ${size} bytes, over the dry-run limit of ${kMaxDryRunCaptureBytes}; cut it with editcap or dry-run offline`, { file: capture.path });
      }
      return { bytes: new Uint8Array(readFileSync(capture.path)), name: capture.path };
    } catch (error) {
      if (error instanceof SigwallError) throw error;
      throw new SigwallError('SIGWALL_ERR_FILE', `capture ${capture.path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file: capture.path });
    }
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(capture.base64.replace(/\s+/g, ''))) throw new SigwallError('SIGWALL_ERR_BAD_REQUEST', 'body.capture.base64: not base64');
  return { bytes: new Uint8Array(Buffer.from(capture.base64, 'base64')), name: basename(capture.name) };
}

export function registerPolicyRoutes({ deps, policies, route, transport }: RouteContext): void {
  const { store } = deps;
  const actor = (request: { body: { author: string } }, raw: Parameters<RouteContext['transport']>[0]) => ({ who: request.body.author, via: transport(raw) });

  route(
    { method: 'POST', url: '/policy/validate', summary: 'Validate a policy (every issue, with file, rule, path and line)', tags: ['policy'], body: PolicySourceBody, response: ValidateResponse },
    async (request) => {
      let policy: ResolvedPolicy;
      try {
        policy = await policies.resolve(sourceOf(request.body));
      } catch (error) {
        // An invalid policy is the answer, not a failed request.
        if (error instanceof PolicyError) return { valid: false, issues: [...error.issues] };
        throw error;
      }
      const enforce = policy.rules.filter((rule) => rule.mode === 'enforce').length;
      return {
        valid: true,
        policyName: policy.name,
        rules: policy.rules.length,
        enforce,
        shadow: policy.rules.length - enforce,
        lists: Object.fromEntries(Object.entries(policy.lists).map(([name, list]) => [name, { kind: list.kind, prefixes: list.prefixes.length }])),
        issues: [],
      };
    },
  );

  route(
    { method: 'POST', url: '/policy/compile', summary: 'Compile a policy and report the table statistics (nothing is applied)', tags: ['policy'], body: PolicySourceBody, response: CompileResponse },
    async (request) => {
      const { policy, table } = await policies.compileSource(sourceOf(request.body));
      return { policyName: policy.name, sha256: sha256Hex(table.image), stats: table.stats };
    },
  );

  route(
    {
      method: 'POST',
      url: '/policy/dry-run',
      summary: 'What a candidate policy would change against the active version on a capture',
      description: 'Messages newly blocked (per candidate rule) and newly passed (per active rule that blocked them), with totals and example frame numbers.',
      tags: ['policy'],
      body: DryRunBody,
      response: DryRunResult,
    },
    async (request) => {
      const body = request.body;
      const capture = readCapture(body.capture, deps.config.replay?.capture);
      return policies.dryRun(sourceOf(body), capture, body.side ?? deps.config.replay?.side ?? 'external');
    },
  );

  route(
    {
      method: 'POST',
      url: '/policy/apply',
      summary: 'Validate, compile, store and activate a policy as a new version',
      description: 'Atomic: on any failure the store, the engine table and its counters are left as they were.',
      tags: ['policy'],
      body: ApplyBody,
      response: ApplyResponse,
      errors: [409],
    },
    async (request) => policies.apply(sourceOf(request.body), actor(request, request), request.body.comment),
  );

  route({ method: 'GET', url: '/policy/versions', summary: 'Every stored version, oldest first', tags: ['policy'], response: VersionsResponse }, async () => ({
    active: store.activeId() ?? null,
    versions: store.versions(),
  }));

  route(
    { method: 'GET', url: '/policy/versions/:id', summary: 'One version: record, source and resolved policy', tags: ['policy'], params: VersionParams, response: VersionResponse, errors: [404] },
    async (request) => {
      const version = store.read(request.params.id);
      return { record: version.record, active: store.activeId() === version.record.id, source: version.source, resolved: version.resolved };
    },
  );

  route(
    {
      method: 'GET',
      url: '/policy/versions/:a/diff/:b',
      summary: 'Rule-level difference from version a to version b',
      tags: ['policy'],
      params: DiffParams,
      response: DiffResponse,
      errors: [404],
    },
    async (request) => {
      const { a, b } = request.params;
      return { from: a, to: b, diff: diffPolicies(store.read(a).resolved, store.read(b).resolved) };
    },
  );

  route(
    { method: 'POST', url: '/policy/rollback', summary: "Make an earlier version active again (default: the active version's parent)", tags: ['policy'], body: RollbackBody, response: RollbackResponse, errors: [404, 409] },
    async (request) => policies.rollback(request.body.to, actor(request, request), request.body.comment),
  );

  const listsOf = () => {
    const active = store.active();
    return { version: active?.record.id ?? null, lists: active ? (active.resolved as ResolvedPolicy).lists : {} };
  };
  route({ method: 'GET', url: '/lists', summary: 'The named prefix lists of the active policy', tags: ['lists'], response: ListsResponse }, async () => listsOf());

  route(
    {
      method: 'PUT',
      url: '/lists/:name',
      summary: "Replace a list's prefixes: a new version, applied",
      tags: ['lists'],
      params: ListParams,
      body: ListReplaceBody,
      response: ApplyResponse,
      errors: [404, 409],
    },
    async (request) => policies.updateList(request.params.name, { prefixes: request.body.prefixes }, actor(request, request), request.body.comment),
  );

  route(
    {
      method: 'PATCH',
      url: '/lists/:name',
      summary: 'Add and/or remove prefixes of a list: a new version, applied',
      tags: ['lists'],
      params: ListParams,
      body: ListEditBody,
      response: ApplyResponse,
      errors: [404, 409],
    },
    async (request) => policies.updateList(request.params.name, { add: request.body.add, remove: request.body.remove }, actor(request, request), request.body.comment),
  );
}
