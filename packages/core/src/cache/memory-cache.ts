import { ConfigError } from '../errors.js';
import type { CacheProvider } from './cache-provider.js';

/** Options of {@link memoryCache}. */
export interface MemoryCacheOptions {
  /** Entries kept at most; the least recently used go first. Default 10,000. */
  maxEntries?: number | undefined;
  /** TTL in seconds when a `set` gives none. Default 3600. */
  defaultTtl?: number | undefined;
  /** Clock in epoch milliseconds, for tests. Default `Date.now`. */
  now?: (() => number) | undefined;
}

/** The in-memory provider: a {@link CacheProvider} that also reports its entry count. */
export interface MemoryCache extends CacheProvider {
  /** Entries held now (expired ones may still count until touched or pushed out). */
  readonly size: number;
}

interface Entry {
  value: string;
  expires: number;
}

function positive(name: string, value: number | undefined, whole: boolean): void {
  if (value === undefined) return;
  if (
    typeof value !== 'number' ||
    !(value > 0) ||
    !Number.isFinite(value) ||
    (whole && !Number.isInteger(value))
  ) {
    throw new ConfigError(
      `memoryCache: ${name} must be a ${whole ? 'whole ' : ''}number > 0, got ${String(value)}.`,
    );
  }
}

/**
 * The in-process cache: LRU-bounded, with TTL. The embedded default (`memory:`) and the reference
 * implementation of the {@link CacheProvider} contract. Entries live in this process only: with
 * several processes, use `@kosha/cache-redis`.
 *
 * ```ts
 * const kosha = await createKosha({ orm, cache: memoryCache({ maxEntries: 50_000 }) });
 * ```
 */
export function memoryCache(options: MemoryCacheOptions = {}): MemoryCache {
  positive('maxEntries', options.maxEntries, true);
  positive('defaultTtl', options.defaultTtl, false);
  const maxEntries = options.maxEntries ?? 10_000;
  const defaultTtl = options.defaultTtl ?? 3600;
  const now = options.now ?? Date.now;
  // Map iteration order is insertion order: re-inserting on read makes the first key the least recently used.
  const entries = new Map<string, Entry>();

  const read = (key: string): string | undefined => {
    const e = entries.get(key);
    if (!e) return undefined;
    entries.delete(key);
    if (e.expires <= now()) return undefined;
    entries.set(key, e);
    return e.value;
  };

  return {
    name: 'memory',
    defaultTtl,
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
      if (prefix === '') {
        entries.clear();
        return;
      }
      for (const k of [...entries.keys()]) if (k.startsWith(prefix)) entries.delete(k);
    },
    async close() {
      entries.clear();
    },
  };
}
