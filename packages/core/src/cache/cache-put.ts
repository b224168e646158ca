import { type AnyFunction, methodDecorator } from '../mapping/decorator-modes.js';
import type { AsyncMethodDecorator } from '../mapping/method-decorator.js';
import { koshaFor } from '../transaction/transactional.js';
import { cacheKey } from './cache-keys.js';
import { type CachePutOptions, refuseBareUse, validateCacheOptions } from './cache-options.js';
import { cacheRuntimeOf, currentScope, encodeEntry, evictTarget, putEntry } from './cache-runtime.js';

/**
 * Always runs the method and stores its result under the key (computed after the call, so a newly
 * inserted entity has its id; a first argument that can never be part of a key fails before the
 * call). A `null` result, or one that cannot be cached, evicts the entry
 * instead. Inside a transaction the write happens after the commit and is dropped on rollback.
 * It goes on a method that returns a promise; its `key` gets that method's parameter types.
 *
 * ```ts
 * class UserRepo extends DbRepo<User> {
 *   @transactional
 *   @cachePut({ keyPrefix: 'user', key: (u) => u.id })
 *   async rename(u: User, name: string) { u.name = name; return this.update(u); }
 * }
 * ```
 */
export function cachePut<A extends unknown[] = any[]>(options: CachePutOptions<A>): AsyncMethodDecorator<A>;
export function cachePut<A extends unknown[]>(...args: unknown[]): AsyncMethodDecorator<A> {
  refuseBareUse('cachePut', args);
  const options = args[0] as CachePutOptions<A>;
  return methodDecorator('cachePut', (original: AnyFunction, name: string) => {
    const opts = validateCacheOptions('cachePut', name, options, ['keyPrefix', 'key', 'ttl']);
    return async function cachePutMethod(this: unknown, ...args: unknown[]) {
      const kosha = koshaFor(this);
      const rt = cacheRuntimeOf(kosha);
      if (!rt) return original.apply(this, args);
      // The default key is the first argument: one that can never be part of a key (a symbol, a
      // function, an object that contains itself) fails the call before the method runs. The key
      // itself is computed after the call, as is a `key` function's.
      if (!opts.key) cacheKey(opts.keyPrefix, undefined, args);
      const result = await original.apply(this, args);
      const key = cacheKey(opts.keyPrefix, opts.key, args);
      const scope = currentScope(kosha);
      const payload = result == null ? undefined : encodeEntry(rt, key, result);
      if (payload === undefined) await evictTarget(rt, scope, { key });
      else await putEntry(rt, scope, key, payload, opts.ttl ?? rt.defaultTtl);
      return result;
    };
  });
}
