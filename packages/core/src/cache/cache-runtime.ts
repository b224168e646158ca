import type { Kosha } from '../kosha.js';
import { liveScope } from '../transaction/frames.js';
import type { NotCommitted, Transaction, TransactionScope } from '../transaction/transaction-scope.js';
import { encodeValue } from './cache-codec.js';
import { cacheNameOf } from './cache-keys.js';
import type { CacheProvider } from './cache-provider.js';
import { FailOpenCache } from './fail-open-cache.js';
import { LoadTracker } from './load-tracker.js';
import { type RateLimitedLog, rateLimitedLog } from './rate-limited-log.js';
import { SingleFlight } from './single-flight.js';

/** What an eviction or a put targets: one key, or every key under a literal prefix. */
export type CacheTarget = { readonly key: string } | { readonly prefix: string };

/** The cache state shared by every decorated method that uses one provider. */
export interface CacheRuntime {
  /** The provider behind the fail-open rules. */
  readonly cache: FailOpenCache;
  /** Concurrent misses share one call. */
  readonly flights: SingleFlight;
  /** Loads in progress, which writes can mark stale. */
  readonly loads: LoadTracker;
  /** Rate-limited logging for cache trouble. */
  readonly log: RateLimitedLog;
  /** Seconds, when a decorator gives no `ttl`. */
  readonly defaultTtl: number;
  /** `@cacheable` calls answered from the cache, and calls that had to run the method. */
  readonly stats: { hits: number; misses: number };
}

/** What one transaction evicted or replaced: its own later reads of those keys bypass the cache. */
class TransactionWrites {
  readonly #keys = new Set<string>();
  readonly #prefixes: string[] = [];

  add(target: CacheTarget): void {
    if ('key' in target) this.#keys.add(target.key);
    else this.#prefixes.push(target.prefix);
  }

  covers(key: string): boolean {
    return this.#keys.has(key) || this.#prefixes.some((p) => key.startsWith(p));
  }
}

const runtimes = new WeakMap<CacheProvider, CacheRuntime>();
const writes = new WeakMap<Transaction, TransactionWrites>();

/** The cache runtime of a Kosha instance, or `undefined` when caching is off (the decorators call through). */
export function cacheRuntimeOf(kosha: Kosha): CacheRuntime | undefined {
  const provider = kosha.cache;
  if (!provider || !kosha.cacheSettings.enabled) return undefined;
  let rt = runtimes.get(provider);
  if (!rt) {
    const log = rateLimitedLog(kosha.logger);
    rt = {
      cache: new FailOpenCache(provider, log),
      flights: new SingleFlight(),
      loads: new LoadTracker(),
      log,
      defaultTtl: kosha.cacheSettings.defaultTtl,
      stats: { hits: 0, misses: 0 },
    };
    runtimes.set(provider, rt);
  }
  return rt;
}

/** The transaction scope in progress for `kosha` in the current async context, if any. */
export function currentScope(kosha: Kosha): TransactionScope | undefined {
  return liveScope(kosha);
}

/** True when the transaction of `scope` evicted or replaced `key`: read the database, not the cache. */
export function wroteInTransaction(scope: TransactionScope | undefined, key: string): boolean {
  return scope ? (writes.get(scope.tx)?.covers(key) ?? false) : false;
}

/** Runs `fn` after the scope's transaction commits; `dropped` instead if it (or the `NESTED` scope) does not. */
export function afterScopeCommit(
  scope: TransactionScope,
  fn: () => Promise<void>,
  dropped?: (outcome: NotCommitted) => void,
): void {
  scope.onCommit(fn, dropped);
}

/**
 * Evicts a key or a prefix, transaction-aware: at once, and — inside a transaction — again after it
 * commits (dropped on rollback), since a concurrent reader may have cached the old row in between.
 * Loads in progress for the target are vetoed both times.
 */
export async function evictTarget(
  rt: CacheRuntime,
  scope: TransactionScope | undefined,
  target: CacheTarget,
) {
  const evict = () => {
    if ('key' in target) {
      rt.loads.invalidateKey(target.key);
      rt.flights.forget(target.key);
      return rt.cache.evict(target.key);
    }
    rt.loads.invalidatePrefix(target.prefix);
    rt.flights.forgetPrefix(target.prefix);
    return rt.cache.evictPrefix(target.prefix);
  };
  if (scope) {
    let tw = writes.get(scope.tx);
    if (!tw) writes.set(scope.tx, (tw = new TransactionWrites()));
    tw.add(target);
    // Again after the commit: a reader may have cached the old row in between. Also when the commit's
    // reply was lost, since the new row may well be in; not after a rollback, which changed nothing.
    afterScopeCommit(scope, evict, (outcome) => {
      if (outcome === 'unknown') void evict();
    });
  }
  await evict();
}

/** Writes an entry, transaction-aware: inside a transaction only after it commits (dropped on rollback). */
export async function putEntry(
  rt: CacheRuntime,
  scope: TransactionScope | undefined,
  key: string,
  payload: string,
  ttl: number,
): Promise<void> {
  const put = () => {
    rt.loads.invalidateKey(key);
    rt.flights.forget(key);
    return rt.cache.replace(key, payload, ttl);
  };
  rt.loads.invalidateKey(key);
  rt.flights.forget(key);
  if (!scope) return put();
  let tw = writes.get(scope.tx);
  if (!tw) writes.set(scope.tx, (tw = new TransactionWrites()));
  tw.add({ key });
  afterScopeCommit(scope, put);
}

/** Encodes a value for the cache, or logs why it cannot be cached and returns `undefined`. */
export function encodeEntry(rt: CacheRuntime, key: string, value: unknown): string | undefined {
  try {
    return encodeValue(value);
  } catch (error) {
    rt.log.log('warn', `encode:${cacheNameOf(key)}`, `not caching ${key}`, error);
    return undefined;
  }
}
