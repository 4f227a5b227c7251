// The event hub: where the engine's events meet their readers. The appliance drains the engine
// (Engine.drainEvents) on a timer and publishes each batch here; the hub keeps a bounded window
// of recent events for queries (`GET /events`, `sigwall ctl events tail`) and hands every event to
// live subscribers (the SSE stream), each through its own bounded queue so that a slow reader
// loses events (counted, and told how many) instead of holding up the engine or growing memory.
//
// Filters match the events as the engine produced them (clear IMSI/MSISDN, so an operator can look
// a subscriber up by prefix); what leaves the hub (recent(), subscriptions) has passed through
// the configured subscriber-id protection (src/events/protect.ts), like every other export.
import { z } from 'zod';
import type { EngineEvent } from '../engine/contract.js';

const digitPrefix = z.string().regex(/^[0-9a-fA-F*#]{1,32}$/, 'a prefix of digits (0-9, a-f, * and # as decoded)');

// One schema for the API's query string, the CLI and the code: every field optional, all given
// fields must match. Strings only (query parameters), so `category` is '1' | '2' | '3' | 'custom'.
export const EventFilter = z
  .object({
    kind: z.enum(['blocked', 'alerted', 'shadow', 'malformed']).optional(),
    ruleId: z.string().min(1).max(256).optional(), // the deciding rule, or one of the shadow rules hit
    category: z.enum(['custom', '1', '2', '3']).optional(),
    since: z.iso.datetime({ offset: true }).optional(), // events at or after this time (the event's own time)
    // Events published after this one. A subscription with afterId first receives the retained
    // events after it (resuming a stream: SSE Last-Event-ID); an id no longer retained (or never
    // seen) means every retained event.
    afterId: z.string().min(1).max(64).optional(),
    imsiPrefix: digitPrefix.optional(),
    msisdnPrefix: digitPrefix.optional(),
    gtPrefix: digitPrefix.optional(), // calling or called global title
  })
  .strict();
export type EventFilter = z.infer<typeof EventFilter>;

// A listener returns false when its consumer cannot take more for now (a socket whose buffer is
// full); the hub then queues that subscriber's events (up to its queue limit) until resume().
// `lost` is the number of this subscriber's events dropped so far (queue overflow).
export type EventListener = (event: EngineEvent, lost: number) => boolean | void;

export interface Subscription {
  (): void; // unsubscribe
  unsubscribe(): void;
  // Delivers what queued while the listener was saturated (call it on the socket's 'drain').
  resume(): void;
  readonly lost: number;
  readonly queued: number;
}

export interface EventHubOptions {
  recentLimit?: number; // events kept for recent() (oldest dropped first)
  subscriberQueueLimit?: number; // default per-subscriber backlog
  // Applied to every event handed out (recent, subscriptions): subscriber-id protection.
  protect?: (event: EngineEvent) => EngineEvent;
}

export interface EventHubStats {
  published: number;
  retained: number;
  subscribers: number;
  subscriberLost: number; // events dropped from slow subscribers' queues, over all subscribers
}

interface Subscriber {
  filter: CompiledFilter;
  listener: EventListener;
  queue: EngineEvent[];
  queueHead: number;
  queueLimit: number;
  lost: number;
  saturated: boolean;
  delivering: boolean;
  closed: boolean;
}

type CompiledFilter = (event: EngineEvent, sequence: number) => boolean;

const kDefaultRecentLimit = 10_000;
const kDefaultQueueLimit = 1_000;

export class EventHub {
  readonly #recentLimit: number;
  readonly #queueLimit: number;
  readonly #protect: (event: EngineEvent) => EngineEvent;
  // A ring of the most recent events with their publication sequence (for afterId).
  readonly #ring: { event: EngineEvent; sequence: number }[] = [];
  #ringStart = 0;
  #sequence = 0;
  readonly #sequenceById = new Map<string, number>();
  readonly #subscribers = new Set<Subscriber>();
  #subscriberLost = 0;

  constructor(options: EventHubOptions = {}) {
    this.#recentLimit = Math.max(1, options.recentLimit ?? kDefaultRecentLimit);
    this.#queueLimit = Math.max(1, options.subscriberQueueLimit ?? kDefaultQueueLimit);
    this.#protect = options.protect ?? ((event) => event);
  }

  publish(events: readonly EngineEvent[]): void {
    for (const event of events) {
      const sequence = ++this.#sequence;
      this.#remember(event, sequence);
      for (const subscriber of this.#subscribers) {
        if (!subscriber.filter(event, sequence)) continue;
        // Delivered at once unless the subscriber is saturated, so a batch larger than a queue
        // never costs a reader that keeps up.
        this.#enqueue(subscriber, event);
        if (!subscriber.saturated) this.#deliver(subscriber);
      }
    }
  }

  // The last `limit` events that match, oldest first.
  recent(filter: EventFilter = {}, limit = 100): EngineEvent[] {
    const matches = this.#compile(filter);
    const out: EngineEvent[] = [];
    for (let i = this.#ring.length - 1; i >= 0 && out.length < limit; i--) {
      const entry = this.#ring[(this.#ringStart + i) % this.#ring.length]!;
      if (matches(entry.event, entry.sequence)) out.push(entry.event);
    }
    return out.reverse().map(this.#protect);
  }

  // One retained event by id (protected), or undefined when it has left the window.
  get(id: string): EngineEvent | undefined {
    const sequence = this.#sequenceById.get(id);
    if (sequence === undefined) return undefined;
    const oldest = this.#ring.length === 0 ? 0 : this.#ring[this.#ringStart]!.sequence;
    const entry = this.#ring[(this.#ringStart + (sequence - oldest)) % this.#ring.length];
    return entry && entry.sequence === sequence ? this.#protect(entry.event) : undefined;
  }

  subscribe(filter: EventFilter, listener: EventListener, options: { queueLimit?: number } = {}): Subscription {
    const subscriber: Subscriber = {
      filter: this.#compile(filter),
      listener,
      queue: [],
      queueHead: 0,
      queueLimit: Math.max(1, options.queueLimit ?? this.#queueLimit),
      lost: 0,
      saturated: false,
      delivering: false,
      closed: false,
    };
    this.#subscribers.add(subscriber);
    // Resuming (SSE Last-Event-ID): first the retained events after that one, then live ones.
    if (filter.afterId !== undefined) {
      for (let i = 0; i < this.#ring.length; i++) {
        const entry = this.#ring[(this.#ringStart + i) % this.#ring.length]!;
        if (subscriber.filter(entry.event, entry.sequence)) this.#enqueue(subscriber, entry.event);
      }
    }
    const unsubscribe = () => {
      subscriber.closed = true;
      subscriber.queue = [];
      subscriber.queueHead = 0;
      this.#subscribers.delete(subscriber);
    };
    const subscription = unsubscribe as Subscription;
    Object.defineProperties(subscription, {
      unsubscribe: { value: unsubscribe },
      resume: {
        value: () => {
          subscriber.saturated = false;
          this.#deliver(subscriber);
        },
      },
      lost: { get: () => subscriber.lost },
      queued: { get: () => subscriber.queue.length - subscriber.queueHead },
    });
    // Delivered on the next turn, once the caller holds the subscription (a listener that
    // returns false must be able to resume).
    if (subscriber.queue.length > 0) queueMicrotask(() => this.#deliver(subscriber));
    return subscription;
  }

  stats(): EventHubStats {
    return { published: this.#sequence, retained: this.#ring.length, subscribers: this.#subscribers.size, subscriberLost: this.#subscriberLost };
  }

  #remember(event: EngineEvent, sequence: number): void {
    if (this.#ring.length < this.#recentLimit) {
      this.#ring.push({ event, sequence });
    } else {
      const evicted = this.#ring[this.#ringStart]!;
      if (this.#sequenceById.get(evicted.event.id) === evicted.sequence) this.#sequenceById.delete(evicted.event.id);
      this.#ring[this.#ringStart] = { event, sequence };
      this.#ringStart = (this.#ringStart + 1) % this.#recentLimit;
    }
    this.#sequenceById.set(event.id, sequence);
  }

  #enqueue(subscriber: Subscriber, event: EngineEvent): void {
    if (subscriber.queue.length - subscriber.queueHead >= subscriber.queueLimit) {
      // Drop the oldest queued event: a reader that catches up sees the newest traffic.
      subscriber.queueHead++;
      subscriber.lost++;
      this.#subscriberLost++;
    }
    subscriber.queue.push(event);
  }

  #deliver(subscriber: Subscriber): void {
    // A listener that publishes or resumes from inside its callback must not re-enter delivery.
    if (subscriber.delivering || subscriber.closed) return;
    subscriber.delivering = true;
    try {
      while (!subscriber.saturated && !subscriber.closed && subscriber.queueHead < subscriber.queue.length) {
        const event = subscriber.queue[subscriber.queueHead++]!;
        let accepted: boolean | void;
        try {
          accepted = subscriber.listener(this.#protect(event), subscriber.lost);
        } catch {
          // A failing reader is dropped; it never stops the other readers or the engine.
          subscriber.closed = true;
          this.#subscribers.delete(subscriber);
          break;
        }
        if (accepted === false) subscriber.saturated = true;
      }
      if (subscriber.queueHead >= subscriber.queue.length) {
        subscriber.queue = [];
        subscriber.queueHead = 0;
      } else if (subscriber.queueHead > 1024 && subscriber.queueHead * 2 > subscriber.queue.length) {
        subscriber.queue = subscriber.queue.slice(subscriber.queueHead);
        subscriber.queueHead = 0;
      }
    } finally {
      subscriber.delivering = false;
    }
  }

  #compile(filter: EventFilter): CompiledFilter {
    const checks: CompiledFilter[] = [];
    if (filter.kind !== undefined) checks.push((event) => event.kind === filter.kind);
    if (filter.ruleId !== undefined) {
      const ruleId = filter.ruleId;
      checks.push((event) => event.ruleId === ruleId || event.shadowRuleIds.includes(ruleId));
    }
    if (filter.category !== undefined) checks.push((event) => event.category === filter.category);
    if (filter.since !== undefined) {
      const sinceNs = BigInt(Date.parse(filter.since)) * 1_000_000n;
      checks.push((event) => BigInt(event.timestampNs) >= sinceNs);
    }
    if (filter.afterId !== undefined) {
      const after = this.#sequenceById.get(filter.afterId);
      // An id that has left the window (or was never seen): everything retained is newer.
      if (after !== undefined) checks.push((_event, sequence) => sequence > after);
    }
    if (filter.imsiPrefix !== undefined) {
      const prefix = filter.imsiPrefix.toLowerCase();
      checks.push((event) => event.imsi !== undefined && event.imsi.toLowerCase().startsWith(prefix));
    }
    if (filter.msisdnPrefix !== undefined) {
      const prefix = filter.msisdnPrefix.toLowerCase();
      checks.push((event) => event.msisdn !== undefined && event.msisdn.toLowerCase().startsWith(prefix));
    }
    if (filter.gtPrefix !== undefined) {
      const prefix = filter.gtPrefix.toLowerCase();
      checks.push((event) => {
        const calling = event.sccp?.callingDigits?.toLowerCase();
        const called = event.sccp?.calledDigits?.toLowerCase();
        return (calling !== undefined && calling.startsWith(prefix)) || (called !== undefined && called.startsWith(prefix));
      });
    }
    return (event, sequence) => checks.every((check) => check(event, sequence));
  }
}
