// Events for the sink tests: shaped like the replay engine's, with controllable time and size.
import type { EngineEvent } from '../../src/engine/contract.js';

export function sampleEvent(n: number, overrides: Partial<EngineEvent> = {}): EngineEvent {
  const ms = Date.UTC(2026, 11, 4, 12, 0, 0) + n;
  return {
    id: `0-${n}`,
    time: new Date(ms).toISOString(),
    timestampNs: (BigInt(ms) * 1_000_000n + 123n).toString(),
    kind: 'blocked',
    action: 'drop',
    worker: 0,
    ruleId: 'fs11-baseline#cat1-map',
    category: '1',
    shadowRuleIds: [],
    tableGeneration: 1,
    frame: n,
    sccp: { callingDigits: '447700900001', calledDigits: '23415000000' },
    operations: [{ opcode: 71, name: 'anyTimeInterrogation' }],
    imsi: '234150123456789',
    msisdn: '447700900123',
    anomalies: [],
    ...overrides,
  };
}
