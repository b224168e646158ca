// Kosha's events on node:diagnostics_channel, as undici, fastify and mysql2 publish theirs: tracing channels
// (start, end, asyncStart, asyncEnd, error) named `kosha:transaction`, `kosha:cache` and `kosha:request`.
// Nothing is built or published while nobody subscribes: every call site checks `hasSubscribers` first.
import { type TracingChannel, tracingChannel } from 'node:diagnostics_channel';
import type { IsolationLevel } from '../orm/orm-backend.js';
import { currentEvent } from '../transaction/frames.js';
import type { Propagation } from '../transaction/transaction-options.js';

/** What every Kosha event has. */
interface EventBase {
  /**
   * The event this one happened inside: the transaction a cache read or a `NESTED` scope ran in, the
   * request scope a transaction ran in; `undefined` at the top. Subscribers nest their spans by it.
   */
  readonly parent: KoshaEvent | undefined;
  /** Milliseconds from start to end (set before `asyncEnd`). */
  duration?: number;
  /** What the work threw or rejected with (set before `error`). */
  error?: unknown;
}

/**
 * A transaction scope of `@transactional`, `kosha.transaction` or a built-in: published when a scope begins
 * (a new transaction, `REQUIRES_NEW`, a `NESTED` savepoint), not for calls that join one in progress.
 */
export interface TransactionEvent extends EventBase {
  readonly kind: 'transaction';
  /** The method (`UserRepo.get`) or `kosha.transaction`. */
  readonly name: string;
  readonly propagation: Propagation;
  readonly isolation: IsolationLevel | undefined;
  readonly readOnly: boolean;
  /** Seconds, when the scope has a timeout. */
  readonly timeout: number | undefined;
  /** True for a `NESTED` scope (a savepoint of the transaction it is in). */
  readonly nested: boolean;
  /** The backend's dialect: `sqlite`, `postgresql`, `mysql`, `mariadb`. */
  readonly dialect: string;
  /** How it ended (set before `asyncEnd`). */
  outcome?: 'commit' | 'rollback';
}

/** One cache operation of the decorators. Keys are never published, only the cache (key prefix) they are in. */
export interface CacheEvent extends EventBase {
  readonly kind: 'cache';
  readonly operation: 'get' | 'put' | 'evict' | 'evictPrefix';
  /** The cache: the decorator's `keyPrefix` (`user`), or the prefix cleared by `evictPrefix`. */
  readonly cache: string;
  /** The provider's name (`redis`, `memory`). */
  readonly provider: string;
  /** For `get`: whether an entry was found (set before `asyncEnd`). */
  hit?: boolean;
  /** `failed`: the store failed or timed out and the call failed open; `skipped`: the breaker is open. */
  outcome?: 'ok' | 'failed' | 'skipped';
}

/** The session scope of one HTTP request (or of `kosha.openSession`), from open to close. */
export interface RequestEvent extends EventBase {
  readonly kind: 'request';
  /** `request`: one transaction for the whole scope; `method`: a session, transactions per method. */
  readonly mode: 'request' | 'method';
  /** How it ended (set before `asyncEnd`): committed, rolled back, or closed without either. */
  outcome?: 'commit' | 'rollback' | 'closed';
}

/** Any of Kosha's events. */
export type KoshaEvent = TransactionEvent | CacheEvent | RequestEvent;

/** `kosha:transaction`: {@link TransactionEvent}s. */
export const transactionChannel: TracingChannel<TransactionEvent, TransactionEvent> =
  tracingChannel('kosha:transaction');
/** `kosha:cache`: {@link CacheEvent}s. */
export const cacheChannel: TracingChannel<CacheEvent, CacheEvent> = tracingChannel('kosha:cache');
/** `kosha:request`: {@link RequestEvent}s. */
export const requestChannel: TracingChannel<RequestEvent, RequestEvent> = tracingChannel('kosha:request');

/**
 * Publishes `event` around `fn` as `TracingChannel#tracePromise` does — start (with the channel's bound
 * stores entered), end, then error, asyncStart and asyncEnd when the promise settles — but never puts the
 * result on the event: a method's result is the user's data. `finish` fills in the outcome first.
 */
export function traced<E extends KoshaEvent, T>(
  channel: TracingChannel<E, E>,
  event: E,
  fn: () => Promise<T>,
  finish?: (event: E, result: T | undefined, error: unknown) => void,
): Promise<T> {
  const started = performance.now();
  const settle = (result: T | undefined, error: unknown, failed: boolean): void => {
    event.duration = performance.now() - started;
    finish?.(event, result, error);
    if (failed) {
      event.error = error;
      channel.error.publish(event);
    }
    channel.asyncStart.publish(event);
    channel.asyncEnd.publish(event);
  };
  let promise: Promise<T>;
  try {
    promise = channel.start.runStores(event, fn);
  } catch (error) {
    settle(undefined, error, true);
    channel.end.publish(event);
    throw error;
  }
  channel.end.publish(event);
  return promise.then(
    (result) => {
      settle(result, undefined, false);
      return result;
    },
    (error: unknown) => {
      settle(undefined, error, true);
      throw error;
    },
  );
}

/**
 * The start of a request scope, which is not one function call: start and end are published now,
 * asyncStart and asyncEnd by {@link requestEnded} when the scope closes. `undefined` while nobody subscribes.
 */
export function requestStarted(mode: RequestEvent['mode']): RequestEvent | undefined {
  if (!requestChannel.hasSubscribers) return undefined;
  const event: RequestEvent = { kind: 'request', mode, parent: currentEvent() };
  STARTED.set(event, performance.now());
  requestChannel.start.publish(event);
  requestChannel.end.publish(event);
  return event;
}

const STARTED = new WeakMap<RequestEvent, number>();

/** The close of a request scope begun with {@link requestStarted}. */
export function requestEnded(
  event: RequestEvent,
  outcome: NonNullable<RequestEvent['outcome']>,
  error?: unknown,
): void {
  event.duration = performance.now() - (STARTED.get(event) ?? performance.now());
  event.outcome ??= outcome;
  if (error !== undefined) {
    event.error = error;
    requestChannel.error.publish(event);
  }
  requestChannel.asyncStart.publish(event);
  requestChannel.asyncEnd.publish(event);
}
