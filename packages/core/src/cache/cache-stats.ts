import { getKosha, type Kosha } from '../kosha.js';
import { cacheRuntimeOf } from './cache-runtime.js';

/** How `@cacheable` calls went since the instance started (or the last `reset`). */
export interface CacheStats {
  /** Calls answered from the cache. */
  readonly hits: number;
  /** Calls that ran the method (concurrent misses sharing one call each count). */
  readonly misses: number;
  /** Sets both counters back to 0. */
  reset(): void;
}

/**
 * The `@cacheable` hit and miss counters of an instance (default: the current one), for tests and
 * metrics. All zeros while caching is off.
 *
 * ```ts
 * const stats = cacheStats();
 * console.log(`hit rate ${stats.hits / (stats.hits + stats.misses)}`);
 * ```
 */
export function cacheStats(kosha: Kosha = getKosha()): CacheStats {
  const counters = () => cacheRuntimeOf(kosha)?.stats;
  return {
    get hits() {
      return counters()?.hits ?? 0;
    },
    get misses() {
      return counters()?.misses ?? 0;
    },
    reset() {
      const c = counters();
      if (c) {
        c.hits = 0;
        c.misses = 0;
      }
    },
  };
}
