// The policy lifecycle behind the API routes and the appliance's start: validate, compile,
// dry-run, apply, roll back, update a list; and, at start, which version the engine runs.
//
// Apply order (docs/api.md, "Crash rules"): resolve and compile in memory -> write the version
// (complete, not active) -> engine.setTable -> point `active` at it -> audit. A failure before
// the pointer moves undoes what was done (the version is discarded, the engine gets its old
// table back when it had taken the new one), so a failed apply leaves the store, the engine and
// its counters as they were.
//
// Operating mode (setMode): an inline appliance can be switched to monitor ("observe": bridge
// every packet, judge and report everything) and back without a restart. The store always
// holds the real versions; what the engine runs is the active version's image (inline) or the
// image of its observe form (monitor, src/policy/observe.ts), and every apply, rollback and list
// update installs the form that matches the effective mode. It is runtime state: a restart
// comes back in config.mode.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { ApplianceConfig } from '../config/appliance.js';
import { decodeCaptureRecords, type DecodeOptions } from '../dataplane/decoder.js';
import type { MessageRecord } from '../decode/record.js';
import { EngineMode, type Engine, type EngineStatus } from '../engine/contract.js';
import { SigwallError } from '../errors.js';
import type { CompiledTable } from '../policy/compile.js';
import { loadPolicy } from '../policy/load.js';
import { observePolicy } from '../policy/observe.js';
import { DigitPrefix, type ResolvedPolicy } from '../policy/schema.js';
import { sha256Hex, type PolicyFormat, type PolicyStore, type StoredVersion, type VersionRecord } from '../store/policy-store.js';
import { diffPolicies, summarizeDiff, type PolicyDiff } from './diff.js';
import { formatOfFileName, resolvePolicySource, type PolicySourceText } from './policy-source.js';

export type CompileFunction = (policy: ResolvedPolicy) => CompiledTable;

export interface Actor {
  who: string;
  via: string; // "unix", "tcp", "startup"
}

export const ConfigPolicyState = z.object({
  path: z.string(),
  currentSha256: z.string().nullable(), // null: the file cannot be read now
  importedSha256: z.string().nullable(), // the text the latest config import was made from
  importedAs: z.string().nullable(), // that version's id
  changed: z.boolean(),
  message: z.string(),
});
export type ConfigPolicyState = z.infer<typeof ConfigPolicyState>;

export const DryRunRule = z.object({ rule: z.string(), newlyBlocked: z.number().int(), newlyPassed: z.number().int(), frames: z.array(z.number().int()) });

export const DryRunResult = z.object({
  capture: z.string(),
  baseline: z.object({ version: z.string().nullable(), policyName: z.string().nullable() }),
  candidate: z.object({ policyName: z.string(), rules: z.number().int() }),
  totals: z.object({
    messages: z.number().int(),
    blockedBefore: z.number().int(),
    blockedAfter: z.number().int(),
    newlyBlocked: z.number().int(),
    newlyPassed: z.number().int(),
    actionChanged: z.number().int(), // allow <-> alert: still forwarded, reported differently
    ruleChanged: z.number().int(), // same action, another deciding rule
  }),
  // newly blocked per candidate rule that now drops; newly passed per baseline rule that dropped.
  // frames: up to 20 frame numbers to look at in Wireshark.
  newlyBlockedByRule: z.array(DryRunRule),
  newlyPassedByRule: z.array(DryRunRule),
});
export type DryRunResult = z.infer<typeof DryRunResult>;

const kExampleFrames = 20;

// The operating mode: the configured one, the one in effect, and who set it when (at start: the
// configuration).
export const OperatingMode = z.object({
  mode: EngineMode.describe('config.mode: what the appliance comes back in after a restart'),
  effectiveMode: EngineMode.describe('what the data plane does now: monitor on an inline appliance = bridge everything, judge and report, remove nothing'),
  since: z.string().describe('when the effective mode took effect (ISO 8601)'),
  by: z.string().describe('who set it ("sigwall (configuration)" at start)'),
  via: z.string().describe('unix, tcp or startup'),
  comment: z.string(),
});
export type OperatingMode = z.infer<typeof OperatingMode>;

export const SwitchableMode = z.enum(['inline', 'monitor']);
export type SwitchableMode = z.infer<typeof SwitchableMode>;

function stripRuleIds(policy: ResolvedPolicy): unknown {
  return { ...policy, rules: policy.rules.map(({ id: _id, ...rule }) => rule) };
}

export class PolicyService {
  #busy = false;
  #mode: OperatingMode;
  // The observe-form image of the last version it was built for (keyed by that version's
  // table SHA-256): a switch, or a status read, does not recompile an unchanged version.
  #observeImage: { versionSha256: string; image: Uint8Array; sha256: string } | undefined;

  constructor(
    readonly config: ApplianceConfig,
    readonly store: PolicyStore,
    readonly engine: Engine,
    readonly compile: CompileFunction,
    readonly log: (line: string) => void = () => {},
  ) {
    this.#mode = { mode: config.mode, effectiveMode: config.mode, since: new Date().toISOString(), by: 'sigwall (configuration)', via: 'startup', comment: '' };
  }

  operatingMode(): OperatingMode {
    return { ...this.#mode };
  }

  get #observing(): boolean {
    return this.#mode.effectiveMode === 'monitor' && this.config.mode === 'inline';
  }

  #observeFormOf(versionSha256: string, resolved: unknown): { image: Uint8Array; sha256: string } {
    if (this.#observeImage?.versionSha256 !== versionSha256) {
      const image = this.compile(observePolicy(resolved as ResolvedPolicy)).image;
      this.#observeImage = { versionSha256, image, sha256: sha256Hex(image) };
    }
    return this.#observeImage;
  }

  // The image the engine must run for a version in the effective mode.
  #imageToRun(version: { sha256: string; image: Uint8Array; resolved: unknown }): Uint8Array {
    return this.#observing ? this.#observeFormOf(version.sha256, version.resolved).image : version.image;
  }

  // The SHA-256 of the table the engine should be running now (null: no active version), for
  // status's engineTableMatches.
  expectedTableSha256(): string | null {
    const active = this.store.active();
    if (!active) return null;
    return this.#observing ? this.#observeFormOf(active.record.sha256, active.resolved).sha256 : active.record.sha256;
  }

  // Switches an inline appliance between inline (enforce) and monitor (observe) by swapping the
  // engine's table; nothing else changes, no port is touched. Offline and monitor appliances
  // refuse: a SPAN/TAP port cannot forward, and a replay has no wire.
  setMode(target: SwitchableMode, actor: Actor, comment: string): Promise<{ mode: OperatingMode; status: EngineStatus }> {
    return this.#exclusive(async () => {
      const configured = this.config.mode;
      if (configured === 'monitor') {
        throw new SigwallError(
          'SIGWALL_ERR_CONFLICT',
          'this appliance is configured in monitor mode: its ports receive a SPAN/TAP copy and cannot forward, so it cannot enforce (inline) and already only observes. ' +
            'Mode changes are for inline appliances (config.mode inline, two bridged ports)',
          { configuredMode: configured, requested: target },
        );
      }
      if (configured === 'offline') {
        throw new SigwallError(
          'SIGWALL_ERR_CONFLICT',
          'this appliance replays a capture (mode offline): there is no wire to bridge or observe, and replay verdicts remove nothing. ' +
            'Mode changes are for inline appliances (config.mode inline, two bridged ports); to see what a policy would do, use policy dry-run',
          { configuredMode: configured, requested: target },
        );
      }
      const from = this.#mode.effectiveMode;
      if (from === target) {
        throw new SigwallError('SIGWALL_ERR_CONFLICT', `the appliance is already in ${target} mode (since ${this.#mode.since}, set by ${this.#mode.by})`, { effectiveMode: from, since: this.#mode.since, by: this.#mode.by });
      }
      const active = this.store.active();
      if (active) {
        const image = target === 'monitor' ? this.#observeFormOf(active.record.sha256, active.resolved).image : active.image;
        await this.engine.setTable(image);
      }
      this.#mode = { mode: configured, effectiveMode: target, since: new Date().toISOString(), by: actor.who, via: actor.via, comment };
      this.store.audit({ who: actor.who, via: actor.via, action: 'engine-mode', from, to: target, ...(active ? { version: active.record.id } : {}), comment });
      this.log(`sigwall: mode ${from} -> ${target} by ${actor.who}${target === 'monitor' ? ' (observe: every packet is forwarded; would-be drops are reported as shadow hits)' : ''}`);
      return { mode: this.operatingMode(), status: this.engine.status() };
    });
  }

  get tmpDir(): string {
    return join(this.config.dataDir, 'tmp');
  }

  resolve(source: PolicySourceText): Promise<ResolvedPolicy> {
    return resolvePolicySource(source, this.tmpDir);
  }

  async compileSource(source: PolicySourceText): Promise<{ policy: ResolvedPolicy; table: CompiledTable }> {
    const policy = await this.resolve(source);
    return { policy, table: this.compile(policy) };
  }

  // One change at a time: a second apply/rollback/list update/mode switch while one runs is a
  // conflict (each decides which image the engine runs).
  async #exclusive<T>(run: () => Promise<T>): Promise<T> {
    if (this.#busy) throw new SigwallError('SIGWALL_ERR_CONFLICT', 'another policy or mode change is in progress; retry when it has finished');
    this.#busy = true;
    try {
      return await run();
    } finally {
      this.#busy = false;
    }
  }

  // Installs the version's image (the form the effective mode runs) in the engine, then makes
  // `record` the active version. Undoes the engine swap when the pointer cannot be written.
  async #activate(record: VersionRecord, resolved: unknown, image: Uint8Array, previous: StoredVersion | undefined): Promise<void> {
    await this.engine.setTable(this.#imageToRun({ sha256: record.sha256, image, resolved }));
    try {
      this.store.setActive(record.id);
    } catch (error) {
      if (previous) {
        await this.engine.setTable(this.#imageToRun({ sha256: previous.record.sha256, image: previous.image, resolved: previous.resolved })).catch((restore: unknown) => {
          this.log(`sigwall: could not give the engine its previous table back: ${(restore as Error).message}`);
        });
      }
      throw error;
    }
  }

  async #commitNew(
    policy: ResolvedPolicy,
    table: CompiledTable,
    source: PolicySourceText,
    actor: Actor,
    comment: string,
    origin: 'apply' | 'list-update',
  ): Promise<{ version: VersionRecord; diff: PolicyDiff }> {
    const previous = this.store.active();
    const resolved = JSON.parse(JSON.stringify(policy)) as unknown;
    const diff = diffPolicies(previous?.resolved ?? { rules: [], lists: {} }, resolved);
    const summary = summarizeDiff(diff);
    const version = this.store.writeVersion({
      source: { text: source.text, format: source.format, name: basename(source.name) },
      resolved,
      image: table.image,
      stats: table.stats,
      author: actor.who,
      comment,
      origin,
      summary,
    });
    try {
      await this.#activate(version, resolved, table.image, previous);
    } catch (error) {
      this.store.discardVersion(version.id);
      throw error;
    }
    this.store.audit({ who: actor.who, via: actor.via, action: origin, version: version.id, parent: version.parent, comment, summary });
    this.log(`sigwall: policy version ${version.id} active (${origin} by ${actor.who}): ${describeSummary(summary)}`);
    return { version, diff };
  }

  apply(source: PolicySourceText, actor: Actor, comment: string): Promise<{ version: VersionRecord; diff: PolicyDiff }> {
    return this.#exclusive(async () => {
      const { policy, table } = await this.compileSource(source);
      return this.#commitNew(policy, table, source, actor, comment, 'apply');
    });
  }

  // Makes an existing version active again (default: the active version's parent). Versions
  // never change, so this moves the pointer; the audit log records it.
  rollback(target: string | undefined, actor: Actor, comment: string): Promise<{ version: VersionRecord; from: string; diff: PolicyDiff }> {
    return this.#exclusive(async () => {
      const current = this.store.active();
      if (!current) throw new SigwallError('SIGWALL_ERR_CONFLICT', 'no policy version is active: nothing to roll back');
      const id = target ?? current.record.parent;
      if (id === null || id === undefined) throw new SigwallError('SIGWALL_ERR_CONFLICT', `version ${current.record.id} has no previous version to roll back to`);
      if (id === current.record.id) throw new SigwallError('SIGWALL_ERR_CONFLICT', `version ${id} is already active`);
      const next = this.store.read(id);
      await this.#activate(next.record, next.resolved, next.image, current);
      const diff = diffPolicies(current.resolved, next.resolved);
      const summary = summarizeDiff(diff);
      this.store.audit({ who: actor.who, via: actor.via, action: 'rollback', version: id, parent: current.record.id, comment, summary });
      this.log(`sigwall: rolled back from version ${current.record.id} to ${id} by ${actor.who}`);
      return { version: next.record, from: current.record.id, diff };
    });
  }

  // Replaces (prefixes) or edits (add/remove) a named prefix list of the active policy: a new
  // version with only that list changed, applied like any other.
  updateList(name: string, change: { prefixes?: string[]; add?: string[]; remove?: string[] }, actor: Actor, comment: string) {
    return this.#exclusive(async () => {
      const current = this.store.active();
      if (!current) throw new SigwallError('SIGWALL_ERR_CONFLICT', 'no policy version is active: apply a policy first');
      const resolved = current.resolved as ResolvedPolicy;
      const list = resolved.lists[name];
      if (!list) throw new SigwallError('SIGWALL_ERR_NOT_FOUND', `the active policy has no list "${name}" (lists: ${Object.keys(resolved.lists).join(', ') || 'none'})`, { list: name });
      for (const prefix of [...(change.prefixes ?? []), ...(change.add ?? []), ...(change.remove ?? [])]) {
        if (!DigitPrefix.safeParse(prefix).success) throw new SigwallError('SIGWALL_ERR_BAD_REQUEST', `"${prefix}" is not a prefix (1 to 20 decimal digits)`, { prefix });
      }
      let prefixes: string[];
      if (change.prefixes !== undefined) prefixes = [...new Set(change.prefixes)];
      else {
        const removed = new Set(change.remove ?? []);
        prefixes = [...new Set([...list.prefixes, ...(change.add ?? [])])].filter((prefix) => !removed.has(prefix));
      }
      const source = editListInSource(current, name, prefixes);
      const { policy, table } = await this.compileSource(source);
      return this.#commitNew(policy, table, source, actor, comment, 'list-update');
    });
  }

  // What the candidate would change against the active version on a capture.
  async dryRun(source: PolicySourceText, capture: { bytes: Uint8Array; name: string }, side: 'external' | 'internal'): Promise<DryRunResult> {
    const { policy, table } = await this.compileSource(source);
    const active = this.store.active();
    const decode: DecodeOptions = { ...this.config.decode, ingressSide: side };
    const after = decodeCaptureRecords(capture.bytes, { ...decode, table: table.image, file: capture.name });
    const before = active ? decodeCaptureRecords(capture.bytes, { ...decode, table: active.image, file: capture.name }) : undefined;
    const totals = { messages: 0, blockedBefore: 0, blockedAfter: 0, newlyBlocked: 0, newlyPassed: 0, actionChanged: 0, ruleChanged: 0 };
    const blockedBy = new Map<string, z.infer<typeof DryRunRule>>();
    const passedBy = new Map<string, z.infer<typeof DryRunRule>>();
    const count = (map: Map<string, z.infer<typeof DryRunRule>>, rule: string, frame: number, key: 'newlyBlocked' | 'newlyPassed') => {
      let entry = map.get(rule);
      if (!entry) map.set(rule, (entry = { rule, newlyBlocked: 0, newlyPassed: 0, frames: [] }));
      entry[key]++;
      if (entry.frames.length < kExampleFrames && !entry.frames.includes(frame)) entry.frames.push(frame);
    };
    for (;;) {
      const next = after.next();
      const previous = before?.next();
      if (next.done) break;
      const candidate = next.value.verdict;
      // Both decodes read the same bytes with the same options: the records pair one to one.
      const baseline: MessageRecord['verdict'] | undefined = previous && !previous.done ? previous.value.verdict : undefined;
      const record = next.value;
      totals.messages++;
      const wasBlocked = baseline?.action === 'drop';
      const isBlocked = candidate?.action === 'drop';
      if (wasBlocked) totals.blockedBefore++;
      if (isBlocked) totals.blockedAfter++;
      if (isBlocked && !wasBlocked) {
        totals.newlyBlocked++;
        count(blockedBy, candidate!.rule, record.frame, 'newlyBlocked');
      } else if (wasBlocked && !isBlocked) {
        totals.newlyPassed++;
        count(passedBy, baseline!.rule, record.frame, 'newlyPassed');
      } else if ((baseline?.action ?? 'allow') !== (candidate?.action ?? 'allow')) totals.actionChanged++;
      else if (baseline && candidate && baseline.rule !== candidate.rule) totals.ruleChanged++;
    }
    const sorted = (map: Map<string, z.infer<typeof DryRunRule>>, key: 'newlyBlocked' | 'newlyPassed') => [...map.values()].sort((a, b) => b[key] - a[key] || a.rule.localeCompare(b.rule));
    return {
      capture: capture.name,
      baseline: { version: active?.record.id ?? null, policyName: active?.record.policyName ?? null },
      candidate: { policyName: policy.name, rules: policy.rules.length },
      totals,
      newlyBlockedByRule: sorted(blockedBy, 'newlyBlocked'),
      newlyPassedByRule: sorted(passedBy, 'newlyPassed'),
    };
  }

  configPolicyState(): ConfigPolicyState {
    return configPolicyState(this.config, this.store);
  }
}

// The configuration's policy file against the version it was last imported as.
export function configPolicyState(config: ApplianceConfig, store: PolicyStore): ConfigPolicyState {
  const path = config.policy;
  let currentSha256: string | null = null;
  try {
    currentSha256 = sha256Hex(readFileSync(path, 'utf8'));
  } catch {
    currentSha256 = null;
  }
  const imported = store.latestConfigImport();
  const importedSha256 = imported?.configPolicy?.sha256 ?? null;
  const samePath = imported?.configPolicy?.path === path;
  const changed = imported !== undefined && (currentSha256 !== importedSha256 || !samePath);
  const active = store.activeId();
  let message: string;
  if (!imported) message = `${path} has not been imported; the active version (${active ?? 'none'}) came from the API`;
  else if (currentSha256 === null) message = `${path} cannot be read; version ${imported.id} was imported from it`;
  else if (!samePath)
    message =
      `config.policy is now ${path}, but version ${imported.id} was imported from ${imported.configPolicy?.path}; the active version ${active} stays in force. ` +
      `To use the file: sigwall ctl policy apply ${path}`;
  else if (changed)
    message =
      `${path} changed since it was imported as version ${imported.id}; the active version ${active} stays in force. ` +
      `To use the file: sigwall ctl policy apply ${path}`;
  else message = `${path} is unchanged since it was imported as version ${imported.id}`;
  return { path, currentSha256, importedSha256, importedAs: imported?.id ?? null, changed, message };
}

function describeSummary(summary: ReturnType<typeof summarizeDiff>): string {
  const parts = [`${summary.rulesAdded} rules added`, `${summary.rulesRemoved} removed`, `${summary.rulesChanged} changed`];
  if (summary.listsChanged.length > 0) parts.push(`lists ${summary.listsChanged.join(', ')}`);
  if (summary.otherChanges.length > 0) parts.push(`also ${summary.otherChanges.join(', ')}`);
  return parts.join(', ');
}

// The active version's source with one list's prefixes replaced. YAML keeps its comments and
// layout; JSON is rewritten; a TypeScript module cannot be edited safely, so the new version's
// source is the resolved policy as JSON (format json), which says exactly what runs.
function editListInSource(current: StoredVersion, name: string, prefixes: string[]): PolicySourceText {
  const stem = current.record.sourceName.replace(/\.[^.]*$/, '');
  const format: PolicyFormat = current.record.format;
  if (format === 'yaml') {
    const document = parseDocument(current.source);
    document.setIn(['lists', name, 'prefixes'], document.createNode(prefixes, { flow: true }));
    return { text: document.toString(), format, name: current.record.sourceName };
  }
  const input = (format === 'json' ? JSON.parse(current.source) : stripRuleIds(current.resolved as ResolvedPolicy)) as { lists: Record<string, { prefixes: string[] }> };
  input.lists[name] = { ...input.lists[name]!, prefixes };
  return { text: `${JSON.stringify(input, null, 2)}\n`, format: 'json', name: format === 'json' ? current.record.sourceName : `${stem}.json` };
}

// At the appliance's start: the version the engine runs. With an active version in the store,
// that one (a changed config.policy is reported, in the status and the audit log, and does not
// replace it); without one, config.policy is imported as the first version.
export async function bootstrapPolicy(
  config: ApplianceConfig,
  store: PolicyStore,
  compile: CompileFunction,
  log: (line: string) => void = () => {},
): Promise<{ version: StoredVersion; configPolicy: ConfigPolicyState; imported: boolean }> {
  for (const warning of store.warnings) log(`sigwall: store: ${warning}`);
  const active = store.active();
  if (active) {
    const state = configPolicyState(config, store);
    if (state.changed) {
      store.audit({ who: 'sigwall', via: 'startup', action: 'config-policy-changed', version: active.record.id, detail: state.message });
      log(`sigwall: ${state.message}`);
    }
    return { version: active, configPolicy: state, imported: false };
  }
  let text: string;
  try {
    text = readFileSync(config.policy, 'utf8');
  } catch (error) {
    throw new SigwallError('SIGWALL_ERR_CONFIG', `policy ${config.policy}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file: config.policy });
  }
  const policy = await loadPolicy(config.policy);
  const table = compile(policy);
  const resolved = JSON.parse(JSON.stringify(policy)) as unknown;
  const summary = summarizeDiff(diffPolicies({ rules: [], lists: {} }, resolved));
  const record = store.writeVersion({
    source: { text, format: formatOfFileName(config.policy), name: basename(config.policy) },
    resolved,
    image: table.image,
    stats: table.stats,
    author: 'sigwall (configuration)',
    comment: `imported from ${config.policy}`,
    origin: 'config',
    configPolicy: { path: config.policy, sha256: sha256Hex(text) },
    summary,
  });
  store.setActive(record.id);
  store.audit({ who: 'sigwall', via: 'startup', action: 'import', version: record.id, parent: null, comment: `imported from ${config.policy}`, summary });
  log(`sigwall: imported ${config.policy} as policy version ${record.id}`);
  return { version: store.read(record.id), configPolicy: configPolicyState(config, store), imported: true };
}
