// Rule-level difference between two resolved policies: what an operator reviews before an apply
// and what the audit log summarises. Rules are matched by id (`<policy>#<rule>`), so a renamed
// rule is one removed and one added, and a moved rule is "changed" (order decides verdicts).
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { DiffSummary } from '../store/policy-store.js';

export const RuleChange = z.object({
  id: z.string(),
  fields: z.array(z.string()), // the rule's keys that differ ("position" when only its place moved)
  before: z.unknown(),
  after: z.unknown(),
});

export const ListChange = z.object({
  name: z.string(),
  change: z.enum(['added', 'removed', 'changed']),
  prefixesAdded: z.array(z.string()),
  prefixesRemoved: z.array(z.string()),
});

export const PolicyDiff = z.object({
  rulesAdded: z.array(z.object({ id: z.string(), position: z.number().int(), rule: z.unknown() })),
  rulesRemoved: z.array(z.object({ id: z.string(), position: z.number().int(), rule: z.unknown() })),
  rulesChanged: z.array(RuleChange),
  lists: z.array(ListChange),
  otherChanges: z.array(z.string()),
});
export type PolicyDiff = z.infer<typeof PolicyDiff>;

interface PolicyShape {
  name?: unknown;
  description?: unknown;
  networks?: unknown;
  defaults?: unknown;
  lists?: Record<string, { prefixes?: string[] }>;
  rules?: { id: string }[];
}

export function diffPolicies(beforeInput: unknown, afterInput: unknown): PolicyDiff {
  const before = beforeInput as PolicyShape;
  const after = afterInput as PolicyShape;
  const beforeRules = before.rules ?? [];
  const afterRules = after.rules ?? [];
  const beforeById = new Map(beforeRules.map((rule, position) => [rule.id, { rule, position }]));
  const afterById = new Map(afterRules.map((rule, position) => [rule.id, { rule, position }]));

  const rulesAdded = afterRules.flatMap((rule, position) => (beforeById.has(rule.id) ? [] : [{ id: rule.id, position, rule }]));
  const rulesRemoved = beforeRules.flatMap((rule, position) => (afterById.has(rule.id) ? [] : [{ id: rule.id, position, rule }]));
  // A rule's place among the rules both versions share: moving a rule past another changes
  // which one decides, inserting an unrelated rule does not move it.
  const shared = (rules: { id: string }[], other: Map<string, unknown>) => rules.filter((rule) => other.has(rule.id)).map((rule) => rule.id);
  const beforeOrder = shared(beforeRules, afterById);
  const afterOrder = shared(afterRules, beforeById);
  const rulesChanged: z.infer<typeof RuleChange>[] = [];
  for (const [id, { rule }] of afterById) {
    const previous = beforeById.get(id);
    if (!previous) continue;
    const keys = new Set([...Object.keys(previous.rule), ...Object.keys(rule)]);
    const fields = [...keys].filter((key) => !isDeepStrictEqual((previous.rule as Record<string, unknown>)[key], (rule as Record<string, unknown>)[key])).sort();
    if (beforeOrder.indexOf(id) !== afterOrder.indexOf(id)) fields.push('position');
    if (fields.length > 0) rulesChanged.push({ id, fields, before: previous.rule, after: rule });
  }

  const lists: z.infer<typeof ListChange>[] = [];
  const beforeLists = before.lists ?? {};
  const afterLists = after.lists ?? {};
  for (const name of [...new Set([...Object.keys(beforeLists), ...Object.keys(afterLists)])].sort()) {
    const old = beforeLists[name];
    const now = afterLists[name];
    if (isDeepStrictEqual(old, now)) continue;
    const oldPrefixes = new Set(old?.prefixes ?? []);
    const newPrefixes = new Set(now?.prefixes ?? []);
    lists.push({
      name,
      change: old === undefined ? 'added' : now === undefined ? 'removed' : 'changed',
      prefixesAdded: [...newPrefixes].filter((prefix) => !oldPrefixes.has(prefix)),
      prefixesRemoved: [...oldPrefixes].filter((prefix) => !newPrefixes.has(prefix)),
    });
  }

  const otherChanges = (['name', 'description', 'networks', 'defaults'] as const).filter((key) => !isDeepStrictEqual(before[key], after[key]));
  return { rulesAdded, rulesRemoved, rulesChanged, lists, otherChanges };
}

export function summarizeDiff(diff: PolicyDiff): DiffSummary {
  return {
    rulesAdded: diff.rulesAdded.length,
    rulesRemoved: diff.rulesRemoved.length,
    rulesChanged: diff.rulesChanged.length,
    listsChanged: diff.lists.map((list) => list.name),
    otherChanges: diff.otherChanges,
  };
}
