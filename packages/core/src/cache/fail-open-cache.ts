import { CacheError } from '../errors.js';
import type { CacheProvider, NetworkPolicy } from './cache-provider.js';
import type { RateLimitedLog } from './rate-limited-log.js';

/** Evictions remembered while the store was unreachable, at most this many (then the overflow is logged). */
const MAX_PENDING = 10_000;
const FAILED = Symbol('failed');

/** A call in progress and its deadline. */
interface Pending {
  readonly deadline: number;
  readonly ms: number;
  settled: boolean;
  fail(error: unknown): void;
}

/** Where the circuit breaker is: calling the store, skipping it, or probing whether it is back. */
export type BreakerState = 'closed' | 'open' | 'probing';

/**
 * A provider behind the fail-open rules: no call ever throws, a networked provider's calls are bounded
 * by its command timeout, and a circuit breaker skips the store for a cool-down after repeated
 * failures. Evictions that could not be delivered are replayed once the store answers again, before
 * any read is served from it.
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
  #pendingKeys = new Set<string>();
  #pendingPrefixes = new Set<string>();
  #overflowed = false;
  #replaying: Promise<boolean> | undefined;
  readonly #pending = new Set<Pending>();
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

  /** Reads an entry; `undefined` on a miss and whenever the store fails or is skipped. */
  get(key: string): Promise<string | undefined> {
    if (!this.#usable()) return Promise.resolve(undefined);
    return this.#attempt('read', () => this.provider.get(key), undefined);
  }

  /** Writes an entry, or gives up quietly (the next read is then a miss). */
  async set(key: string, value: string, ttlSeconds: number | undefined): Promise<void> {
    if (!this.#usable()) return;
    await this.#attempt('write', () => this.provider.set(key, value, ttlSeconds), FAILED);
  }

  /** Deletes one entry; remembered and replayed later when the store cannot be reached now. */
  async evict(key: string): Promise<void> {
    if (
      !this.#usable() ||
      (await this.#attempt('evict', () => this.provider.delete(key), FAILED)) === FAILED
    ) {
      this.#remember(this.#pendingKeys, key);
    }
  }

  /** Deletes every entry under a literal prefix; remembered and replayed like {@link evict}. */
  async evictPrefix(prefix: string): Promise<void> {
    if (
      !this.#usable() ||
      (await this.#attempt('evict', () => this.provider.clearPrefix(prefix), FAILED, true)) === FAILED
    ) {
      this.#remember(this.#pendingPrefixes, prefix);
    }
  }

  #remember(set: Set<string>, what: string): void {
    if (this.#pendingKeys.size + this.#pendingPrefixes.size >= MAX_PENDING) this.#overflowed = true;
    else set.add(what);
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
    const ok =
      this.#pendingKeys.size || this.#pendingPrefixes.size ? await this.#replay() : await this.#ping();
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

  /** Delivers remembered evictions; true when all of them went through. */
  #replay(): Promise<boolean> {
    this.#replaying ??= (async () => {
      try {
        const prefixes = [...this.#pendingPrefixes];
        const keys = [...this.#pendingKeys].filter((k) => !prefixes.some((p) => k.startsWith(p)));
        for (const p of prefixes) {
          await this.#bounded(() => this.provider.clearPrefix(p), true);
          this.#pendingPrefixes.delete(p);
        }
        for (let i = 0; i < keys.length; i += 500) {
          const batch = keys.slice(i, i + 500);
          await this.#bounded(() => this.provider.delete(...batch));
          for (const k of batch) this.#pendingKeys.delete(k);
        }
        this.#pendingKeys.clear();
        if (this.#overflowed) {
          this.#overflowed = false;
          this.#log.log(
            'warn',
            `${this.provider.name}:overflow`,
            `cache ${this.provider.name} was unreachable for more than ${MAX_PENDING} evictions: some entries ` +
              'may be stale until their TTL. Lower the TTLs or clear the affected prefixes.',
          );
        }
        return true;
      } catch {
        return false;
      } finally {
        this.#replaying = undefined;
      }
    })();
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
   * hit, so deadlines are checked by one watchdog timer instead.
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
      const ms = policy ? (wholePrefix ? policy.prefixTimeout : policy.commandTimeout) : Infinity;
      const call: Pending = {
        deadline: this.#now() + ms,
        ms,
        settled: false,
        fail: (error: unknown) => {
          if (call.settled) return;
          call.settled = true;
          this.#pending.delete(call);
          if (count) this.#failed(what, error);
          resolve(failed);
        },
      };
      if (policy) this.#watch(call);
      let result: Promise<T>;
      try {
        result = fn();
      } catch (error) {
        result = Promise.reject(error);
      }
      result.then((value) => {
        if (call.settled) return;
        call.settled = true;
        this.#pending.delete(call);
        if (count) this.#succeeded();
        resolve(value);
      }, call.fail);
    });
  }

  /** Tracks a call's deadline; one unref'd interval fails overdue calls while any are pending. */
  #watch(call: Pending): void {
    this.#pending.add(call);
    if (this.#watchdog) return;
    const every = Math.max(1, Math.floor(this.#policy!.commandTimeout / 4));
    this.#watchdog = setInterval(() => {
      const now = this.#now();
      for (const c of this.#pending) {
        if (c.deadline <= now) {
          c.fail(new CacheError(`cache ${this.provider.name} did not answer within ${c.ms} ms`));
        }
      }
      if (this.#pending.size === 0) {
        clearInterval(this.#watchdog);
        this.#watchdog = undefined;
      }
    }, every);
    this.#watchdog.unref();
  }

  #succeeded(): void {
    this.#failures = 0;
    if (!this.#replaying && (this.#pendingKeys.size || this.#pendingPrefixes.size)) void this.#replay();
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
