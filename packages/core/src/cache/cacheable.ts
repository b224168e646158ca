import { type AnyFunction, methodDecorator } from '../mapping/decorator-modes.js';
import type { AsyncMethodDecorator } from '../mapping/method-decorator.js';
import { CacheMiss } from '../transaction/transaction-manager.js';
import type { TransactionScope } from '../transaction/transaction-scope.js';
import { EARLY_READ, koshaFor, type MethodEarlyRead } from '../transaction/transactional.js';
import { decodeValue } from './cache-codec.js';
import { cacheKey, cacheNameOf } from './cache-keys.js';
import { type CacheableOptions, refuseBareUse, validateCacheOptions } from './cache-options.js';
import {
  afterScopeCommit,
  type CacheRuntime,
  cacheRuntimeOf,
  currentScope,
  encodeEntry,
  wroteInTransaction,
} from './cache-runtime.js';
import type { Load } from './load-tracker.js';

const MISS = Symbol('miss');

/** What a flight hands to every caller: the leader's result, and its encoded form for the others' copies. */
interface Shared {
  readonly value: unknown;
  readonly payload: string | undefined;
}

/** Reads and decodes one entry; a corrupt or foreign payload is a miss, logged, and evicted. */
function readEntry(rt: CacheRuntime, key: string, cacheNull: boolean): Promise<Shared | typeof MISS> {
  return rt.cache.get(key).then((payload) => {
    if (payload === undefined) return MISS;
    let value: unknown;
    try {
      value = decodeValue(payload);
    } catch (error) {
      rt.log.log('warn', `decode:${cacheNameOf(key)}`, `cache entry ${key} was not readable`, error);
      return rt.cache.evict(key).then(() => MISS);
    }
    return value == null && !cacheNull ? MISS : { value, payload };
  });
}

/**
 * Cache-aside: returns the cached result for the key when there is one, otherwise runs the method
 * and caches its result. The key is `{keyPrefix}:{first argument}` unless `key` computes it.
 * Concurrent misses on one key share one call. Inside a transaction the result is cached only after
 * the commit. The cache never makes the method fail: when it is down, the method just runs.
 *
 * It goes on a method that returns a promise (in either decorator mode), and its `key`, `condition`
 * and `unless` get that method's parameter types (`unless` its resolved result too).
 *
 * ```ts
 * class UserRepo extends DbRepo<User> {
 *   @transactional
 *   @cacheable({ keyPrefix: 'user', ttl: 3600, unless: (user) => user === null })
 *   async get(userId: number) { return this.getById(userId); }
 * }
 * ```
 */
export function cacheable<A extends unknown[] = any[], R = any>(
  options: CacheableOptions<A, R>,
): AsyncMethodDecorator<A, R>;
export function cacheable<A extends unknown[], R>(...args: unknown[]): AsyncMethodDecorator<A, R> {
  refuseBareUse('cacheable', args);
  const options = args[0] as CacheableOptions<A, R>;
  return methodDecorator('cacheable', (original: AnyFunction, name: string) => {
    const opts = validateCacheOptions('cacheable', name, options, [
      'keyPrefix',
      'ttl',
      'key',
      'condition',
      'unless',
      'cacheNull',
    ]);
    const cacheNull = opts.cacheNull ?? false;
    /** The miss: one call per key in flight, its result written back (after the commit, in a transaction). */
    async function load(
      self: unknown,
      args: unknown[],
      rt: CacheRuntime,
      key: string,
      scope: TransactionScope | undefined,
      ended: number,
    ) {
      let led = false;
      const shared = await rt.flights.run(key, holdsConnection(scope), async (hold): Promise<Shared> => {
        led = true;
        // A flight that ended since the first read wrote its result before it let go: read again then.
        if (rt.flights.ended !== ended) {
          const cached = await readEntry(rt, key, cacheNull);
          if (cached !== MISS) return cached;
        }
        const loading = rt.loads.start(key);
        let handedOver = false;
        try {
          const result = (await original.apply(self, args)) as R;
          if ((result == null && !cacheNull) || opts.unless?.(result, ...(args as A))) {
            return { value: result, payload: undefined };
          }
          const payload = encodeEntry(rt, key, result);
          if (payload !== undefined) {
            handedOver = true;
            const written = putLoaded(rt, scope, loading, payload, opts.ttl ?? rt.defaultTtl);
            // Inside a transaction the write waits for the commit: keep the flight joinable till then.
            if (scope) hold(written);
            else await written;
          }
          return { value: result, payload };
        } finally {
          if (!handedOver) rt.loads.end(loading);
        }
      });
      // Followers get their own copy, as a hit would give them, not the leader's object.
      return led || shared.payload === undefined ? shared.value : copyOf(shared);
    }

    /**
     * The cache read of one call, then `missed()` when it finds nothing usable. Not `async`: a hit is
     * one promise chain from the store to the caller (this runs on every hit).
     */
    function readOr(rt: CacheRuntime, key: string, missed: () => unknown): Promise<unknown> {
      return rt.cache.get(key).then((payload) => {
        if (payload === undefined) {
          rt.stats.misses++;
          return missed();
        }
        let value: unknown;
        try {
          value = decodeValue(payload);
        } catch (error) {
          rt.log.log('warn', `decode:${cacheNameOf(key)}`, `cache entry ${key} was not readable`, error);
          return rt.cache.evict(key).then(() => {
            rt.stats.misses++;
            return missed();
          });
        }
        if (value == null && !cacheNull) {
          rt.stats.misses++;
          return missed();
        }
        rt.stats.hits++;
        return value;
      });
    }

    function cacheableMethod(this: unknown, ...args: unknown[]): Promise<unknown> {
      try {
        const kosha = koshaFor(this);
        const rt = cacheRuntimeOf(kosha);
        if (!rt || (opts.condition && !opts.condition(...(args as A))))
          return Promise.resolve(original.apply(this, args));
        const key = cacheKey(opts.keyPrefix, opts.key, args);
        const scope = currentScope(kosha);
        // The transaction evicted or replaced this entry: only the database has its own writes.
        if (wroteInTransaction(scope, key)) return Promise.resolve(original.apply(this, args));
        const ended = rt.flights.ended;
        return readOr(rt, key, () => load(this, args, rt, key, scope, ended));
      } catch (error) {
        return Promise.reject(error);
      }
    }

    // For an enclosing @transactional that has no transaction yet: the read before it begins one, and on
    // a miss the load, in the transaction begun for it. No scope is in progress at the read, so no
    // write of one can cover the key.
    const early: MethodEarlyRead = (self, args) => {
      const kosha = koshaFor(self);
      const rt = cacheRuntimeOf(kosha);
      if (!rt) return undefined;
      if (opts.condition && !opts.condition(...(args as A)))
        return Promise.resolve(new CacheMiss(async () => original.apply(self, args)));
      const key = cacheKey(opts.keyPrefix, opts.key, args);
      const ended = rt.flights.ended;
      return readOr(
        rt,
        key,
        () => new CacheMiss(() => load(self, args, rt, key, currentScope(kosha), ended)),
      );
    };
    Object.defineProperty(cacheableMethod, EARLY_READ, { value: early });
    return cacheableMethod;
  });
}

/**
 * True when the caller's transaction holds a connection: it has run a statement (a transaction that has
 * not yet holds none, so it may wait for another caller's load without starving the pool).
 */
function holdsConnection(scope: TransactionScope | undefined): boolean {
  if (scope === undefined || scope.tx.virtual) return false;
  return scope.tx.unit.session.holdsConnection ?? true;
}

function copyOf(shared: Shared): unknown {
  try {
    return decodeValue(shared.payload!);
  } catch {
    return shared.value;
  }
}

/**
 * Writes back what a load read, unless a write vetoed it meanwhile: at once outside a transaction,
 * after the commit inside one (dropped on rollback). Resolves once written or dropped.
 */
function putLoaded(
  rt: CacheRuntime,
  scope: TransactionScope | undefined,
  load: Load,
  payload: string,
  ttl: number,
): Promise<void> {
  const write = async () => {
    try {
      if (!load.stale) await rt.cache.set(load.key, payload, ttl);
    } finally {
      rt.loads.end(load);
    }
  };
  if (!scope) return write();
  return new Promise<void>((settled) => {
    afterScopeCommit(
      scope,
      () => write().finally(settled),
      () => {
        rt.loads.end(load);
        settled();
      },
    );
  });
}
