import { type CacheEvent, cacheChannel, traced } from '../diagnostics/channels.js';
import { CacheError } from '../errors.js';
import { currentEvent } from '../transaction/frames.js';
import { cacheNameOf } from './cache-keys.js';
import type { CacheProvider, NetworkPolicy } from './cache-provider.js';
import { CallInFlight, CallsInFlight } from './calls-in-flight.js';
import { PendingEvictions } from './pending-evictions.js';
import type { RateLimitedLog } from './rate-limited-log.js';

const FAILED = Symbol('failed');
const SKIPPED = Symbol('skipped');

/** Where the circuit breaker is: calling the store, skipping it, or probing whether it is back. */
export type BreakerState = 'closed' | 'open' | 'probing';

/**
 * A provider behind the fail-open rules: no call ever throws, a networked provider's calls are bounded
 * by its command timeout, and a circuit breaker skips the store for a cool-down after repeated
 * failures. Evictions that could not be delivered are replayed once the store answers again; until
 * one is delivered, reads of the keys it covers are misses (the database answers), never the old entry.
 */
export class FailOpenCache {
  /** The provider behind the guard. */
  readonly provider: CacheProvider;
  readonly #policy: Required<NetworkPolicy> | undefined;
  readonly #log: RateLimitedLog;
  readonly #now: () => number;
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  readonly #undelivered = new PendingEvictions();
  #replaying: Promise<boolean> | undefined;
  /** Calls with a deadline that have not settled. */
  readonly #inFlight = new CallsInFlight();
  #watchdog: NodeJS.Timeout | undefined;

  constructor(provider: CacheProvider, log: RateLimitedLog, now: () => number = Date.now) {
    this.provider = provider;
    this.#log = log;
    this.#now = now;
    const n = provider.network;
    this.#policy = n && {
      commandTimeout: n.commandTimeout,
      failureThreshold: n.failureThreshold ?? 5,
      coolDown: n.coolDown ?? 5000,
      prefixTimeout: n.prefixTimeout ?? 60_000,
    };
  }

  /** The breaker's state (always `closed` for an in-process provider). */
  get state(): BreakerState {
    return this.#state;
  }

  /** Reads an entry; `undefined` on a miss, a failure, a skip, and while its eviction is pending. */
  get(key: string): Promise<string | undefined> {
    if (!cacheChannel.hasSubscribers) return this.#read(key, undefined, undefined);
    const event = this.#event('get', cacheNameOf(key));
    return traced(cacheChannel, event, () =>
      this.#read(key, FAILED, SKIPPED).then((r) => {
        event.outcome = r === FAILED ? 'failed' : r === SKIPPED ? 'skipped' : 'ok';
        event.hit = typeof r === 'string';
        return typeof r === 'string' ? r : undefined;
      }),
    );
  }

  #read<F, S>(key: string, failed: F, skipped: S): Promise<string | undefined | F | S> {
    if (!this.#usable()) return Promise.resolve(skipped);
    // The store may still hold what a failed eviction should have removed: the database answers
    // until the eviction is delivered, and this read starts delivering it.
    if (this.#undelivered.covers(key)) {
      void this.#replay();
      return Promise.resolve(skipped);
    }
    return this.#attempt('read', () => this.provider.get(key), failed);
  }

  /** Writes an entry after a miss, or gives up quietly (the next read is then a miss). */
  set(key: string, value: string, ttlSeconds: number | undefined): Promise<void> {
    return this.#write('put', cacheNameOf(key), async () => {
      if (!this.#usable()) return 'skipped';
      const r = await this.#attempt('write', () => this.provider.set(key, value, ttlSeconds), FAILED);
      return r === FAILED ? 'failed' : 'ok';
    });
  }

  /**
   * Replaces an entry (`@cachePut`). A replacement that did not go through leaves the old entry in the
   * store: its key is then evicted, like a failed eviction, before it is read again.
   */
  replace(key: string, value: string, ttlSeconds: number | undefined): Promise<void> {
    return this.#write('put', cacheNameOf(key), async () => {
      const r = this.#usable()
        ? await this.#attempt('write', () => this.provider.set(key, value, ttlSeconds), FAILED)
        : SKIPPED;
      if (r !== FAILED && r !== SKIPPED) return 'ok';
      this.#undelivered.addKey(key);
      return r === FAILED ? 'failed' : 'skipped';
    });
  }

  /** Deletes one entry; remembered and replayed later when the store cannot be reached now. */
  evict(key: string): Promise<void> {
    return this.#write('evict', cacheNameOf(key), async () => {
      const r = this.#usable()
        ? await this.#attempt('evict', () => this.provider.delete(key), FAILED)
        : SKIPPED;
      if (r !== FAILED && r !== SKIPPED) return 'ok';
      this.#undelivered.addKey(key);
      return r === FAILED ? 'failed' : 'skipped';
    });
  }

  /** Deletes every entry under a literal prefix; remembered and replayed like {@link evict}. */
  evictPrefix(prefix: string): Promise<void> {
    return this.#write('evictPrefix', prefix.replace(/:$/, ''), async () => {
      const r = this.#usable()
        ? await this.#attempt('evict', () => this.provider.clearPrefix(prefix), FAILED, true)
        : SKIPPED;
      if (r !== FAILED && r !== SKIPPED) return 'ok';
      this.#undelivered.addPrefix(prefix);
      return r === FAILED ? 'failed' : 'skipped';
    });
  }

  #event(operation: CacheEvent['operation'], cache: string): CacheEvent {
    return { kind: 'cache', operation, cache, provider: this.provider.name, parent: currentEvent() };
  }

  /** A write, evict or clear, published on `kosha:cache` while something subscribes. */
  #write(
    operation: CacheEvent['operation'],
    cache: string,
    fn: () => Promise<NonNullable<CacheEvent['outcome']>>,
  ): Promise<void> {
    if (!cacheChannel.hasSubscribers) return fn().then(() => undefined);
    const event = this.#event(operation, cache);
    return traced(cacheChannel, event, () =>
      fn().then((outcome) => {
        event.outcome = outcome;
      }),
    );
  }

  /** Evictions not delivered yet (for tests and diagnostics). */
  get pendingEvictions(): number {
    return this.#undelivered.size;
  }

  /** False while the breaker is open; once the cool-down is over, starts one probe (calls skip until it succeeds). */
  #usable(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#policy!.coolDown) {
      this.#state = 'probing';
      void this.#probe();
    }
    return false;
  }

  async #probe(): Promise<void> {
    const ok = this.#undelivered.empty ? await this.#ping() : await this.#replay();
    if (ok) {
      this.#state = 'closed';
      this.#failures = 0;
      this.#log.log(
        'warn',
        `${this.provider.name}:back`,
        `cache ${this.provider.name} answers again: using it.`,
      );
    } else {
      this.#state = 'open';
      this.#openedAt = this.#now();
    }
  }

  async #ping(): Promise<boolean> {
    const p = this.provider;
    const probe = p.ping ? () => p.ping!() : () => p.get('kosha:probe').then(() => undefined);
    return this.#bounded(probe).then(
      () => true,
      () => false,
    );
  }

  /** Delivers remembered evictions, one delivery at a time; true when all of them went through. */
  #replay(): Promise<boolean> {
    this.#replaying ??= this.#undelivered
      .deliver(
        (prefix) => this.#bounded(() => this.provider.clearPrefix(prefix), true),
        (keys) => this.#bounded(() => this.provider.delete(...keys)),
      )
      .then(
        () => {
          if (this.#undelivered.takeOverflow()) {
            this.#log.log(
              'warn',
              `${this.provider.name}:overflow`,
              `cache ${this.provider.name} was unreachable for more than ${PendingEvictions.max} evictions: ` +
                'some entries may be stale until their TTL. Lower the TTLs or clear the affected prefixes.',
            );
          }
          return true;
        },
        () => false,
      )
      .finally(() => {
        this.#replaying = undefined;
      });
    return this.#replaying;
  }

  /** Runs `fn` bounded by the policy's timeout; rejects with a `CacheError` when it is late. */
  #bounded<T>(fn: () => Promise<T>, wholePrefix = false): Promise<T> {
    return this.#attempt('probe', fn, FAILED, wholePrefix, false).then((r) => {
      if (r === FAILED) throw new CacheError(`cache ${this.provider.name} failed or did not answer`);
      return r;
    });
  }

  /**
   * Calls the store: the result, or `FAILED` when it threw or (networked stores) did not answer within
   * the timeout. Hand-rolled rather than `Promise.race` + a timer per call: this is on every cache
   * hit, so deadlines are checked by one watchdog timer over the calls still in flight instead.
   */
  #attempt<T, F>(
    what: string,
    fn: () => Promise<T>,
    failed: F,
    wholePrefix = false,
    count = true,
  ): Promise<T | F> {
    return new Promise((resolve) => {
      const policy = this.#policy;
      let settled = false;
      let call: CallInFlight | undefined;
      if (policy) {
        const ms = wholePrefix ? policy.prefixTimeout : policy.commandTimeout;
        call = new CallInFlight(this.#now() + ms, ms, () => {
          settled = true;
          const error = new CacheError(`cache ${this.provider.name} did not answer within ${ms} ms`);
          if (count) this.#failed(what, error);
          resolve(failed);
        });
        this.#watch(call);
      }
      let result: Promise<T>;
      try {
        result = fn();
      } catch (error) {
        result = Promise.reject(error);
      }
      result.then(
        (value) => {
          if (settled) return;
          settled = true;
          if (call) this.#inFlight.remove(call);
          if (count) this.#succeeded();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          if (call) this.#inFlight.remove(call);
          if (count) this.#failed(what, error);
          resolve(failed);
        },
      );
    });
  }

  /** Tracks a call's deadline; one unref'd interval fails overdue calls while any are in flight. */
  #watch(call: CallInFlight): void {
    this.#inFlight.add(call);
    if (this.#watchdog) return;
    const every = Math.max(1, Math.floor(this.#policy!.commandTimeout / 4));
    this.#watchdog = setInterval(() => {
      this.#inFlight.expireDue(this.#now());
      if (this.#inFlight.size === 0) {
        clearInterval(this.#watchdog);
        this.#watchdog = undefined;
      }
    }, every);
    this.#watchdog.unref();
  }

  #succeeded(): void {
    this.#failures = 0;
    if (!this.#replaying && !this.#undelivered.empty) void this.#replay();
  }

  #failed(what: string, error: unknown): void {
    const name = this.provider.name;
    this.#log.log(
      'warn',
      `${name}:${what}`,
      `cache ${name}: a ${what} failed, failing open (${describe(error)})`,
    );
    if (!this.#policy || this.#state !== 'closed') return;
    if (++this.#failures < this.#policy.failureThreshold) return;
    this.#state = 'open';
    this.#openedAt = this.#now();
    this.#log.log(
      'error',
      `${name}:open`,
      `cache ${name} failed ${this.#failures} times in a row: skipping it for ${this.#policy.coolDown} ms ` +
        '(reads go to the database, writes still commit), then probing it again.',
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
