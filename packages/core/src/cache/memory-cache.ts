import type { CacheProvider } from './cache-provider.js';

/** Options of {@link memoryCache}. */
export interface MemoryCacheOptions {
  /** Entries kept at most; the least recently used go first. Default 10,000. */
  maxEntries?: number;
  /** TTL in seconds when a `set` gives none. Default 3600. */
  defaultTtl?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * The in-process cache: LRU-bounded, with TTL. The embedded default (`memory:`) and the reference
 * implementation of the `CacheProvider` contract.
 *
 * ```ts
 * const kosha = await createKosha({ orm, cache: memoryCache({ maxEntries: 50_000 }) });
 * ```
 */
export function memoryCache(options: MemoryCacheOptions = {}): CacheProvider & { readonly size: number } {
  const maxEntries = options.maxEntries ?? 10_000;
  const defaultTtl = options.defaultTtl ?? 3600;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('memoryCache: maxEntries must be a whole number ≥ 1.');
  // Map iteration order is insertion order: re-inserting on read makes the first key the least recently used.
  const entries = new Map<string, { value: string; expires: number }>();

  const read = (key: string): string | undefined => {
    const e = entries.get(key);
    if (!e) return undefined;
    if (e.expires <= now()) {
      entries.delete(key);
      return undefined;
    }
    entries.delete(key);
    entries.set(key, e);
    return e.value;
  };

  return {
    name: 'memory',
    get size() {
      return entries.size;
    },
    async get(key) {
      return read(key);
    },
    async getMany(keys) {
      return keys.map(read);
    },
    async set(key, value, ttlSeconds) {
      const ttl = ttlSeconds && ttlSeconds > 0 ? ttlSeconds : defaultTtl;
      entries.delete(key);
      entries.set(key, { value, expires: now() + ttl * 1000 });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    async delete(...keys) {
      for (const k of keys) entries.delete(k);
    },
    async clearPrefix(prefix) {
      for (const k of [...entries.keys()]) if (k.startsWith(prefix)) entries.delete(k);
    },
    async close() {
      entries.clear();
    },
  };
}
