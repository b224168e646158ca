import { cacheStats, decodeValue, type Kosha } from '@kosha/core';

/** What a test can ask of the cache: what is stored under a key, and how `@cacheable` calls went. */
export interface CacheInspector {
  /** The decoded value stored under `key` (the key the decorators build, e.g. `user:42`), or `undefined`. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** True when something is stored under `key`. */
  has(key: string): Promise<boolean>;
  /** `@cacheable` calls answered from the cache since the last `resetStats`. */
  readonly hits: number;
  /** `@cacheable` calls that ran the method since the last `resetStats`. */
  readonly misses: number;
  /** Sets `hits` and `misses` back to 0. */
  resetStats(): void;
  /** Empties the cache. */
  clear(): Promise<void>;
}

/** The inspector over an instance's cache; `undefined` when it has none. */
export function inspectCache(kosha: Kosha): CacheInspector | undefined {
  const store = kosha.cache;
  if (!store) return undefined;
  const stats = cacheStats(kosha);
  return {
    async get<T>(key: string) {
      const raw = await store.get(key);
      return raw === undefined ? undefined : (decodeValue(raw) as T);
    },
    async has(key) {
      return (await store.get(key)) !== undefined;
    },
    get hits() {
      return stats.hits;
    },
    get misses() {
      return stats.misses;
    },
    resetStats: () => stats.reset(),
    clear: () => store.clearPrefix(''),
  };
}
