// The control API's request and response schemas: the one source of the route types, of
// fastify's validation (through the zod validator compiler in server.ts) and of the OpenAPI
// document (z.toJSONSchema). The CLI client (src/cli/ctl.ts) parses responses with the same ones.
import { z } from 'zod';
import { EngineCounters, EngineEvent, EngineStatus } from '../engine/contract.js';
import { ErrorCatalog, type ErrorCode } from '../errors.js';
import { EventFilter } from '../events/hub.js';
import { AuditEntry, CompileStatsSchema, PolicyFormat, VersionId, VersionRecord } from '../store/policy-store.js';
import { PolicyDiff } from './diff.js';
import { ConfigPolicyState, DryRunResult, OperatingMode, SwitchableMode } from './policy-service.js';

export const ErrorBody = z
  .object({
    code: z.enum(Object.keys(ErrorCatalog) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('Every error: a stable code from docs/errors.md, a message for people, optional details.');

const Author = z.string().trim().min(1).max(200).describe('who makes the change (recorded in the version and the audit log)');
const Comment = z.string().max(2000).default('');

export const PolicySourceBody = z
  .object({
    source: z.string().min(1).describe('the policy file exactly as written'),
    format: PolicyFormat,
    name: z.string().min(1).max(255).default('policy').describe('the file name, for messages'),
    path: z.string().min(1).max(4096).optional().describe('TS: the absolute path the client read it from, so its relative imports resolve'),
  })
  .strict();

export const CaptureInput = z
  .union([
    z.object({ path: z.string().min(1).max(4096).describe('a pcap/pcapng file on the appliance') }).strict(),
    z.object({ name: z.string().min(1).max(255).default('upload.pcap'), base64: z.string().min(1).describe('the capture file, base64') }).strict(),
  ])
  .describe('a capture on the appliance, or uploaded (within the body limit)');

export const DryRunBody = PolicySourceBody.extend({
  capture: CaptureInput.optional().describe('default: the configuration replay capture'),
  side: z.enum(['external', 'internal']).optional().describe('ingress.side of the capture messages (default: replay.side, else external)'),
}).strict();

export const ApplyBody = PolicySourceBody.extend({ author: Author, comment: Comment }).strict();
export const RollbackBody = z.object({ to: VersionId.optional().describe("default: the active version's parent"), author: Author, comment: Comment }).strict();
export const ListReplaceBody = z.object({ prefixes: z.array(z.string()).max(100_000), author: Author, comment: Comment }).strict();
export const ListEditBody = z
  .object({ add: z.array(z.string()).max(100_000).default([]), remove: z.array(z.string()).max(100_000).default([]), author: Author, comment: Comment })
  .strict()
  .refine((body) => body.add.length + body.remove.length > 0, { message: 'add or remove at least one prefix' });

export const PolicyIssueBody = z.object({
  file: z.string(),
  rule: z.string().optional(),
  path: z.string(),
  message: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});

export const ValidateResponse = z.object({
  valid: z.boolean(),
  policyName: z.string().optional(),
  rules: z.number().int().optional(),
  enforce: z.number().int().optional(),
  shadow: z.number().int().optional(),
  lists: z.record(z.string(), z.object({ kind: z.string(), prefixes: z.number().int() })).optional(),
  issues: z.array(PolicyIssueBody),
});

export const CompileResponse = z.object({ policyName: z.string(), sha256: z.string(), stats: CompileStatsSchema });
export const ApplyResponse = z.object({ version: VersionRecord, diff: PolicyDiff });
export const RollbackResponse = z.object({ version: VersionRecord, from: VersionId, diff: PolicyDiff });
export const VersionsResponse = z.object({ active: VersionId.nullable(), versions: z.array(VersionRecord) });
export const VersionResponse = z.object({ record: VersionRecord, active: z.boolean(), source: z.string(), resolved: z.unknown() });
export const DiffResponse = z.object({ from: VersionId, to: VersionId, diff: PolicyDiff });
export const ListsResponse = z.object({
  version: VersionId.nullable(),
  lists: z.record(z.string(), z.object({ kind: z.enum(['gt', 'imsi', 'msisdn']), description: z.string().optional(), prefixes: z.array(z.string()) })),
});

export const HealthResponse = z.object({ status: z.enum(['ok', 'degraded']), engine: z.string(), activeVersion: VersionId.nullable() });

export const StatusResponse = z.object({
  name: z.string(),
  engine: EngineStatus,
  policy: z.object({
    activeVersion: VersionRecord.nullable(),
    // Whether the engine classifies with the table it should (compared by SHA-256): the active
    // version's image, or in monitor (observe) mode the image of its observe form.
    engineTableMatches: z.boolean().nullable(),
  }),
  operatingMode: OperatingMode,
  configPolicy: ConfigPolicyState,
  storeWarnings: z.array(z.string()),
  api: z.object({ socket: z.string(), tcp: z.string().nullable() }),
});

export const EventsQuery = EventFilter.extend({ limit: z.coerce.number().int().min(1).max(10_000).default(100) }).strict();
export const EventsResponse = z.object({ events: z.array(EngineEvent) });
export const StreamQuery = EventFilter.extend({ heartbeatMs: z.coerce.number().int().min(50).max(300_000).default(15_000) }).strict();

export const EngineModeBody = z
  .object({
    mode: SwitchableMode.describe('inline: enforce (drop verdicts remove packets); monitor: keep bridging every packet, judge and report everything'),
    author: Author.optional(),
    comment: Comment,
  })
  .strict();
export const EngineModeResponse = z.object({ mode: OperatingMode, status: EngineStatus });

export const EngineActionResponse = z.object({ status: EngineStatus, counters: EngineCounters.optional() });
export const AuditResponse = z.object({ entries: z.array(AuditEntry) });
export const AuditQuery = z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(100) }).strict();

export const VersionParams = z.object({ id: VersionId }).strict();
export const DiffParams = z.object({ a: VersionId, b: VersionId }).strict();
export const ListParams = z.object({ name: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'a list name') }).strict();

export { EngineCounters, EngineStatus };
