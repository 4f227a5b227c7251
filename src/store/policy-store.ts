// Policy versions and the audit log in the data directory (docs/api.md, "The store").
//
//   <dataDir>/policies/versions/000007/  one directory per version, never changed once written:
//       source.<ts|yaml|json>   the policy exactly as submitted
//       resolved.json           the resolved policy (defaults filled, references checked)
//       table.bin               the compiled table image
//       record.json             VersionRecord: id, hashes, time, author, comment, parent, stats
//   <dataDir>/policies/active   the id of the active version (one line)
//   <dataDir>/audit.jsonl       one AuditEntry per line, appended and fsynced
//
// Crash rules: a version is written into a temporary directory (.tmp-*) whose files are each
// fsynced, then the directory is renamed to its final name and the parent fsynced; only then can
// `active` name it, and `active` itself is replaced by write-temp/fsync/rename/fsync. A crash at
// any point leaves `active` naming the old version or the new one, both complete. Leftovers of
// an interrupted write (.tmp-* entries, a version directory whose files do not match its record)
// are reported by open() and never used.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SigwallError } from '../errors.js';
import {
  appendLineSynced,
  crashPoint,
  ensureDirectory,
  fsyncDirectory,
  replaceFileAtomically,
  storeError,
  temporaryName,
  writeFileSynced,
} from './durable.js';

export const PolicyFormat = z.enum(['ts', 'yaml', 'json']);
export type PolicyFormat = z.infer<typeof PolicyFormat>;

export const VersionId = z.string().regex(/^[1-9][0-9]{0,8}$/, 'a version id is a positive integer');

// What the compiler reports (src/policy/compile.ts CompileStats), as stored and served.
export const CompileStatsSchema = z.object({
  rules: z.number().int(),
  prefixes: z.number().int(),
  dimensions: z.array(
    z.object({
      field: z.string(),
      lookup: z.string(),
      scope: z.enum(['message', 'component']),
      classes: z.number().int(),
      sparse: z.boolean().optional(), // format 2: a digits field outside the pairwise tables
      prefixes: z.number().int().optional(),
      nodes: z.number().int().optional(),
    }),
  ),
  phases: z.array(z.object({ left: z.string(), right: z.string(), rows: z.number().int(), columns: z.number().int(), classes: z.number().int() })),
  results: z.number().int(),
  ruleListEntries: z.number().int(),
  longestRuleList: z.number().int(),
  imageBytes: z.number().int(),
  buildMs: z.number(),
});

// How a version came to be.
export const VersionOrigin = z.enum(['config', 'apply', 'list-update']);

export const DiffSummary = z.object({
  rulesAdded: z.number().int(),
  rulesRemoved: z.number().int(),
  rulesChanged: z.number().int(),
  listsChanged: z.array(z.string()),
  otherChanges: z.array(z.string()), // top-level sections that differ: networks, defaults, name
});
export type DiffSummary = z.infer<typeof DiffSummary>;

export const VersionRecord = z.object({
  id: VersionId,
  sha256: z.string().regex(/^[0-9a-f]{64}$/), // of table.bin: what EngineStatus.table.sha256 reports
  sourceSha256: z.string().regex(/^[0-9a-f]{64}$/),
  time: z.string(),
  author: z.string(),
  comment: z.string(),
  parent: VersionId.nullable(), // the version active when this one was created
  origin: VersionOrigin,
  format: PolicyFormat,
  sourceName: z.string(), // the file name the author gave (for messages), e.g. "fs11-baseline.ts"
  policyName: z.string(),
  rules: z.number().int(),
  stats: CompileStatsSchema,
  // origin config: the configuration's policy file and the SHA-256 of its text when imported.
  configPolicy: z.object({ path: z.string(), sha256: z.string() }).optional(),
  summary: DiffSummary.optional(), // against the parent
});
export type VersionRecord = z.infer<typeof VersionRecord>;

export const AuditEntry = z.object({
  time: z.string(),
  who: z.string(),
  via: z.string(), // "unix", "tcp", "startup"
  action: z.enum(['import', 'apply', 'rollback', 'list-update', 'engine-start', 'engine-stop', 'engine-mode', 'config-policy-changed', 'store-leftover']),
  version: VersionId.optional(),
  parent: VersionId.nullable().optional(),
  comment: z.string().optional(),
  summary: DiffSummary.optional(),
  detail: z.string().optional(),
  // engine-mode: the effective mode before and after the change (inline, monitor).
  from: z.string().optional(),
  to: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export interface StoredVersion {
  record: VersionRecord;
  source: string;
  resolved: unknown;
  image: Uint8Array;
}

export interface NewVersion {
  source: { text: string; format: PolicyFormat; name: string };
  resolved: unknown;
  image: Uint8Array;
  stats: z.infer<typeof CompileStatsSchema>;
  author: string;
  comment: string;
  origin: z.infer<typeof VersionOrigin>;
  configPolicy?: { path: string; sha256: string };
  summary?: DiffSummary;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const kVersionDirectory = /^[0-9]{6,9}$/;
const kRecordFile = 'record.json';
const kTableFile = 'table.bin';
const kResolvedFile = 'resolved.json';
const sourceFile = (format: PolicyFormat) => `source.${format}`;
const directoryName = (id: string) => id.padStart(6, '0');

export class PolicyStore {
  readonly dataDir: string;
  readonly policiesDir: string;
  readonly versionsDir: string;
  readonly activeFile: string;
  readonly auditFile: string;
  // What open() found and set aside: leftovers of interrupted writes, unreadable versions.
  readonly warnings: string[] = [];
  readonly #records = new Map<string, VersionRecord>();
  #active: string | undefined;

  private constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.policiesDir = join(dataDir, 'policies');
    this.versionsDir = join(this.policiesDir, 'versions');
    this.activeFile = join(this.policiesDir, 'active');
    this.auditFile = join(dataDir, 'audit.jsonl');
  }

  // Opens (creating if needed) the store of a data directory. Throws SIGWALL_ERR_STORE when the
  // active pointer names a version that is missing or damaged: that is not a crash leftover
  // (the write order rules it out) but outside damage, and guessing another version would be
  // hidden state.
  static open(dataDir: string): PolicyStore {
    const store = new PolicyStore(dataDir);
    ensureDirectory(dataDir);
    ensureDirectory(store.versionsDir);
    store.#scan();
    return store;
  }

  #scan(): void {
    for (const directory of [this.policiesDir, this.versionsDir]) {
      for (const name of readdirSync(directory)) {
        if (!name.startsWith('.tmp-')) continue;
        // Never named by anything: an interrupted write. Removing it cannot lose a version.
        rmSync(join(directory, name), { recursive: true, force: true });
        this.warnings.push(`removed ${join(directory, name)}: the leftover of an interrupted write`);
      }
    }
    for (const name of readdirSync(this.versionsDir)) {
      if (!kVersionDirectory.test(name)) {
        this.warnings.push(`ignored ${join(this.versionsDir, name)}: not a version directory`);
        continue;
      }
      const problem = this.#verify(name);
      if (typeof problem === 'string') this.warnings.push(`ignored version directory ${join(this.versionsDir, name)}: ${problem}`);
      else this.#records.set(problem.id, problem);
    }
    if (existsSync(this.activeFile)) {
      const id = readFileSync(this.activeFile, 'utf8').trim();
      if (!this.#records.has(id)) {
        throw new SigwallError(
          'SIGWALL_ERR_STORE',
          `${this.activeFile}: names version "${id}", which is missing or damaged (see the store warnings); restore it from a backup or remove ${this.activeFile} to start from the configuration's policy`,
          { file: this.activeFile, warnings: this.warnings },
        );
      }
      this.#active = id;
    }
    for (const warning of this.warnings) this.audit({ who: 'sigwall', via: 'startup', action: 'store-leftover', detail: warning });
  }

  #verify(name: string): VersionRecord | string {
    const directory = join(this.versionsDir, name);
    let record: VersionRecord;
    try {
      const parsed = VersionRecord.safeParse(JSON.parse(readFileSync(join(directory, kRecordFile), 'utf8')));
      if (!parsed.success) return `record.json does not match the schema: ${z.prettifyError(parsed.error)}`;
      record = parsed.data;
    } catch (error) {
      return `record.json unreadable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
    if (directoryName(record.id) !== name) return `record.json says version ${record.id}`;
    try {
      if (sha256Hex(readFileSync(join(directory, kTableFile))) !== record.sha256) return 'table.bin does not match the SHA-256 in record.json';
      if (sha256Hex(readFileSync(join(directory, sourceFile(record.format)), 'utf8')) !== record.sourceSha256) return 'the source does not match the SHA-256 in record.json';
      statSync(join(directory, kResolvedFile));
    } catch (error) {
      return `a file is missing: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
    return record;
  }

  versions(): VersionRecord[] {
    return [...this.#records.values()].sort((a, b) => Number(a.id) - Number(b.id));
  }

  record(id: string): VersionRecord {
    const record = this.#records.get(id);
    if (!record) throw new SigwallError('SIGWALL_ERR_NOT_FOUND', `no policy version "${id}"`, { version: id });
    return record;
  }

  read(id: string): StoredVersion {
    const record = this.record(id);
    const directory = join(this.versionsDir, directoryName(id));
    try {
      const image = new Uint8Array(readFileSync(join(directory, kTableFile)));
      if (sha256Hex(image) !== record.sha256) throw new Error('table.bin changed on disk since the store was opened');
      return {
        record,
        image,
        source: readFileSync(join(directory, sourceFile(record.format)), 'utf8'),
        resolved: JSON.parse(readFileSync(join(directory, kResolvedFile), 'utf8')) as unknown,
      };
    } catch (error) {
      throw storeError(directory, 'read the version', error);
    }
  }

  activeId(): string | undefined {
    return this.#active;
  }

  active(): StoredVersion | undefined {
    return this.#active === undefined ? undefined : this.read(this.#active);
  }

  // The most recent version imported from the configuration's policy file.
  latestConfigImport(): VersionRecord | undefined {
    return this.versions()
      .filter((record) => record.origin === 'config')
      .at(-1);
  }

  // Writes a complete version (not active yet) and returns its record.
  writeVersion(input: NewVersion): VersionRecord {
    const ids = [...this.#records.keys()].map(Number);
    // Directories of versions that failed verification keep their numbers: never reuse one.
    for (const name of readdirSync(this.versionsDir)) if (kVersionDirectory.test(name)) ids.push(Number(name));
    const id = String(Math.max(0, ...ids) + 1);
    const record: VersionRecord = VersionRecord.parse({
      id,
      sha256: sha256Hex(input.image),
      sourceSha256: sha256Hex(input.source.text),
      time: new Date().toISOString(),
      author: input.author,
      comment: input.comment,
      parent: this.#active ?? null,
      origin: input.origin,
      format: input.source.format,
      sourceName: input.source.name,
      policyName: (input.resolved as { name?: string }).name ?? '',
      rules: input.stats.rules,
      stats: input.stats,
      ...(input.configPolicy ? { configPolicy: input.configPolicy } : {}),
      ...(input.summary ? { summary: input.summary } : {}),
    });
    const temporary = temporaryName(this.versionsDir, '.tmp-');
    ensureDirectory(temporary);
    writeFileSynced(join(temporary, sourceFile(record.format)), input.source.text);
    writeFileSynced(join(temporary, kResolvedFile), `${JSON.stringify(input.resolved, null, 2)}\n`);
    writeFileSynced(join(temporary, kTableFile), input.image);
    writeFileSynced(join(temporary, kRecordFile), `${JSON.stringify(record, null, 2)}\n`);
    fsyncDirectory(temporary);
    crashPoint('version-files-written');
    const final = join(this.versionsDir, directoryName(id));
    try {
      renameSync(temporary, final);
    } catch (error) {
      rmSync(temporary, { recursive: true, force: true });
      throw storeError(final, 'rename the new version into place', error);
    }
    fsyncDirectory(this.versionsDir);
    this.#records.set(id, record);
    crashPoint('version-renamed');
    return record;
  }

  // Removes a version that was never active (an apply the engine refused).
  discardVersion(id: string): void {
    if (id === this.#active) throw new SigwallError('SIGWALL_ERR_CONFLICT', `version ${id} is active and cannot be discarded`);
    const final = join(this.versionsDir, directoryName(id));
    const aside = temporaryName(this.versionsDir, '.tmp-discard-');
    try {
      renameSync(final, aside);
      fsyncDirectory(this.versionsDir);
      rmSync(aside, { recursive: true, force: true });
    } catch (error) {
      throw storeError(final, 'discard the version', error);
    } finally {
      this.#records.delete(id);
    }
  }

  setActive(id: string): void {
    this.record(id);
    replaceFileAtomically(this.activeFile, `${id}\n`, () => crashPoint('active-temp-written'));
    this.#active = id;
  }

  audit(entry: Omit<AuditEntry, 'time'>): AuditEntry {
    const full = AuditEntry.parse({ time: new Date().toISOString(), ...entry });
    appendLineSynced(this.auditFile, JSON.stringify(full));
    return full;
  }

  // The last `limit` audit entries, oldest first. A torn last line (a crash mid-append) is skipped.
  auditEntries(limit = 100): AuditEntry[] {
    if (!existsSync(this.auditFile)) return [];
    let text: string;
    try {
      text = readFileSync(this.auditFile, 'utf8');
    } catch (error) {
      throw storeError(this.auditFile, 'read', error);
    }
    const entries: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const parsed = AuditEntry.safeParse(JSON.parse(line));
        if (parsed.success) entries.push(parsed.data);
      } catch {
        // torn line
      }
    }
    return entries.slice(-limit);
  }
}
