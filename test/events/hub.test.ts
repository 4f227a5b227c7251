import { describe, expect, it } from 'vitest';
import { EventFilter, EventHub } from '../../src/events/hub.js';
import type { EngineEvent } from '../../src/engine/contract.js';

function event(n: number, overrides: Partial<EngineEvent> = {}): EngineEvent {
  return {
    id: `0-${n}`,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    timestampNs: String(BigInt(Date.UTC(2026, 0, 1, 0, 0, n)) * 1_000_000n),
    kind: 'blocked',
    action: 'drop',
    worker: 0,
    ruleId: 'fs11#cat1-ati',
    category: '1',
    shadowRuleIds: [],
    tableGeneration: 1,
    frame: n,
    operations: [],
    anomalies: [],
    ...overrides,
  };
}

describe('EventHub', () => {
  it('keeps a bounded window of recent events, newest kept, oldest first', () => {
    const hub = new EventHub({ recentLimit: 5 });
    hub.publish(Array.from({ length: 12 }, (_, i) => event(i + 1)));
    expect(hub.recent({}, 100).map((e) => e.frame)).toEqual([8, 9, 10, 11, 12]);
    expect(hub.recent({}, 2).map((e) => e.frame)).toEqual([11, 12]);
    expect(hub.get('0-12')?.frame).toBe(12);
    expect(hub.get('0-9')?.frame).toBe(9);
    expect(hub.get('0-7')).toBeUndefined();
    expect(hub.stats()).toMatchObject({ published: 12, retained: 5 });
  });

  it('filters by kind, rule (deciding or shadow), category, time, subscriber and GT prefixes, and afterId', () => {
    const hub = new EventHub();
    hub.publish([
      event(1, { imsi: '234150000000001', sccp: { callingDigits: '447700900001', calledDigits: '23415000' } }),
      event(2, { kind: 'shadow', action: 'allow', ruleId: undefined, category: undefined, shadowRuleIds: ['fs11#cat3-ul'], msisdn: '447700900123' }),
      event(3, { kind: 'alerted', action: 'alert', category: '2', ruleId: 'fs11#cat2-psi', sccp: { callingDigits: '9991' } }),
    ]);
    const frames = (filter: unknown) => hub.recent(EventFilter.parse(filter), 10).map((e) => e.frame);
    expect(frames({ kind: 'shadow' })).toEqual([2]);
    expect(frames({ ruleId: 'fs11#cat3-ul' })).toEqual([2]);
    expect(frames({ ruleId: 'fs11#cat1-ati' })).toEqual([1]);
    expect(frames({ category: '2' })).toEqual([3]);
    expect(frames({ since: new Date(Date.UTC(2026, 0, 1, 0, 0, 2)).toISOString() })).toEqual([2, 3]);
    expect(frames({ imsiPrefix: '23415' })).toEqual([1]);
    expect(frames({ msisdnPrefix: '4477' })).toEqual([2]);
    expect(frames({ gtPrefix: '23415' })).toEqual([1]);
    expect(frames({ gtPrefix: '999' })).toEqual([3]);
    expect(frames({ afterId: '0-1' })).toEqual([2, 3]);
    expect(frames({ kind: 'blocked', category: '2' })).toEqual([]);
    expect(EventFilter.safeParse({ imsiPrefix: '23x' }).success).toBe(false);
    expect(EventFilter.safeParse({ since: 'yesterday' }).success).toBe(false);
    expect(EventFilter.safeParse({ unknown: 1 }).success).toBe(false);
  });

  it('delivers live events to matching subscribers only, through the protection function', () => {
    const hub = new EventHub({ protect: (e) => ({ ...e, imsi: e.imsi ? 'masked' : undefined }) });
    const seen: EngineEvent[] = [];
    const unsubscribe = hub.subscribe({ category: '1' }, (e) => void seen.push(e));
    hub.publish([event(1, { imsi: '234150000000001' }), event(2, { category: '2' })]);
    expect(seen.map((e) => [e.frame, e.imsi])).toEqual([[1, 'masked']]);
    unsubscribe();
    hub.publish([event(3)]);
    expect(seen).toHaveLength(1);
    expect(hub.recent({ imsiPrefix: '23415' }, 10).map((e) => e.imsi)).toEqual(['masked']);
  });

  it('a saturated subscriber queues up to its limit, loses the oldest with a count, and never slows the others', () => {
    const hub = new EventHub();
    const slow: [number, number][] = [];
    let accept = false;
    const subscription = hub.subscribe({}, (e, lost) => {
      slow.push([e.frame, lost]);
      return accept;
    }, { queueLimit: 3 });
    const fast: number[] = [];
    hub.subscribe({}, (e) => void fast.push(e.frame));
    hub.publish(Array.from({ length: 10 }, (_, i) => event(i + 1)));
    expect(fast).toHaveLength(10);
    // The first event was handed over (and refused further delivery); 9 queued into 3 slots.
    expect(slow).toEqual([[1, 0]]);
    expect(subscription.queued).toBe(3);
    expect(subscription.lost).toBe(6);
    accept = true;
    subscription.resume();
    expect(slow).toEqual([[1, 0], [8, 6], [9, 6], [10, 6]]);
    expect(hub.stats().subscriberLost).toBe(6);
    subscription.unsubscribe();
    expect(hub.stats().subscribers).toBe(1);
  });

  it('drops a subscriber whose listener throws, without affecting publication', () => {
    const hub = new EventHub();
    hub.subscribe({}, () => {
      throw new Error('socket gone');
    });
    const seen: number[] = [];
    hub.subscribe({}, (e) => void seen.push(e.frame));
    hub.publish([event(1), event(2)]);
    expect(seen).toEqual([1, 2]);
    expect(hub.stats().subscribers).toBe(1);
  });

  it('a subscription with afterId resumes: retained events after that id first, then live ones', async () => {
    const hub = new EventHub({ recentLimit: 100 });
    hub.publish([event(1), event(2), event(3, { category: '2' }), event(4)]);
    const seen: number[] = [];
    hub.subscribe({ afterId: '0-2', category: '1' }, (e) => void seen.push(e.frame));
    expect(seen).toEqual([]); // delivered once the caller has its subscription
    await Promise.resolve();
    expect(seen).toEqual([4]);
    hub.publish([event(5)]);
    expect(seen).toEqual([4, 5]);
    const all: number[] = [];
    hub.subscribe({ afterId: '9-999' }, (e) => void all.push(e.frame));
    await Promise.resolve();
    expect(all).toEqual([1, 2, 3, 4, 5]);
  });
});
