import { ConfigError } from '../errors.js';
import { type AnyFunction, methodDecorator } from '../mapping/decorator-modes.js';
import type { AsyncMethodDecorator } from '../mapping/method-decorator.js';
import { koshaFor } from '../transaction/transactional.js';
import { cacheKey, prefixOf } from './cache-keys.js';
import { type CacheEvictOptions, refuseBareUse, validateCacheOptions } from './cache-options.js';
import { type CacheTarget, cacheRuntimeOf, currentScope, evictTarget } from './cache-runtime.js';

/**
 * Evicts cache entries when the method succeeds: the one entry `key` names, or — without `key`, as
 * in the seed — every entry of `keyPrefix`. A thrown error evicts nothing unless `beforeInvocation`.
 * The key is computed from the arguments before the method runs, so a bad one fails the call first.
 * Inside a transaction the eviction runs at once and again after the commit, so a reader that cached
 * the old row in between does not leave it there. Prefix eviction never blocks the cache server.
 * It goes on a method that returns a promise; its `key` gets that method's parameter types.
 *
 * ```ts
 * class UserRepo extends DbRepo<User> {
 *   @transactional
 *   @cacheEvict({ keyPrefix: 'user', key: (id) => id })
 *   async remove(id: number) { return this.delete(id); }
 * }
 * ```
 */
export function cacheEvict<A extends unknown[] = any[]>(
  options: CacheEvictOptions<A>,
): AsyncMethodDecorator<A>;
export function cacheEvict<A extends unknown[]>(...args: unknown[]): AsyncMethodDecorator<A> {
  refuseBareUse('cacheEvict', args);
  const options = args[0] as CacheEvictOptions<A>;
  return methodDecorator('cacheEvict', (original: AnyFunction, name: string) => {
    const opts = validateCacheOptions('cacheEvict', name, options, [
      'keyPrefix',
      'key',
      'beforeInvocation',
      'allEntries',
    ]);
    if (opts.allEntries && opts.key) {
      throw new ConfigError(
        `@cacheEvict on ${name}: allEntries and key contradict each other: give key to evict one entry, ` +
          'or allEntries: true (without key) to evict them all.',
      );
    }
    const allEntries = opts.allEntries ?? opts.key === undefined;
    const targetOf = (args: unknown[]): CacheTarget =>
      allEntries ? { prefix: prefixOf(opts.keyPrefix) } : { key: cacheKey(opts.keyPrefix, opts.key, args) };

    return async function cacheEvictMethod(this: unknown, ...args: unknown[]) {
      const kosha = koshaFor(this);
      const rt = cacheRuntimeOf(kosha);
      if (!rt) return original.apply(this, args);
      // The key comes from the arguments as the caller passed them, before the method runs: a key
      // that cannot be formed fails the call before any side effect, and an argument the method
      // changes (an entity it renames) still evicts the entry cached under what it was.
      const target = targetOf(args);
      const evict = () => evictTarget(rt, currentScope(kosha), target);
      if (!opts.beforeInvocation) {
        const result = await original.apply(this, args);
        await evict();
        return result;
      }
      await evict();
      try {
        return await original.apply(this, args);
      } finally {
        // Whatever was cached while the method ran was read before its writes: evict it too.
        await evict();
      }
    };
  });
}
