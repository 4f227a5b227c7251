// The observe form of a policy: what an inline appliance runs while an operator has switched it
// to monitor ("bypass/observe") mode. The bridge keeps forwarding every packet; the policy still
// judges every message and reports what it would have done, and removes nothing.
//
// The transform (observePolicy) changes only what can remove a packet:
// - an `enforce` rule whose action is `drop` becomes a `shadow` rule (same id, same action, same
//   match): a message it would have dropped is reported as a shadow hit of that rule (the
//   "would-have-blocked" of docs/policy.md) and passes;
// - `enforce` rules that allow or alert stay enforce: they never remove a packet, and keeping
//   them deciding keeps their precedence. A partner exception written before a drop rule still
//   ends the evaluation, so observe mode does not report would-be drops the real policy would
//   never have made;
// - defaults.action and defaults.malformed `drop` become `alert`: such a message has no rule
//   to carry a shadow hit, so it is reported as an alert of "<policy>#default" /
//   "<policy>#malformed" instead of passing silently.
//
// What the evaluator (evaluate.ts) then returns, message by message, against the real policy:
// never `drop`; where the real policy dropped by rule R, the shadow hits start with the real
// shadow hits followed by R (evaluation goes on after R, since R no longer decides, so later
// matching shadow and would-be-drop rules may be listed after it); where it dropped by default or
// as malformed, `alert` with the same rule id; every other verdict is unchanged. Rule ids, rule
// order and the policy name are kept, so counters and events name the same rules in both forms.
import type { Action, ResolvedPolicy, ResolvedRule } from './schema.js';

const observedAction = (action: Action): Action => (action === 'drop' ? 'alert' : action);

export function observePolicy(policy: ResolvedPolicy): ResolvedPolicy {
  const rules: ResolvedRule[] = policy.rules.map((rule) => (rule.mode === 'enforce' && rule.action === 'drop' ? { ...rule, mode: 'shadow' } : rule));
  return {
    ...policy,
    defaults: { action: observedAction(policy.defaults.action), malformed: observedAction(policy.defaults.malformed) },
    rules,
  };
}
