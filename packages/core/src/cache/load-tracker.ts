/** One method call whose result may be written to the cache once it is back (and committed). */
export interface Load {
  readonly key: string;
  /** Set when the entry was evicted or replaced after the load started: its result must not be cached. */
  stale: boolean;
}

/**
 * The loads in progress, so that an eviction (or a `@cachePut`) can veto the write-back of a value
 * that was read before it. This closes the classic race in this process: a reader misses and reads
 * the old row, a writer commits and evicts, then the reader caches the old row for a whole TTL.
 */
export class LoadTracker {
  readonly #byKey = new Map<string, Set<Load>>();

  /** Registers a load of `key`. Call {@link end} when its result is written or dropped. */
  start(key: string): Load {
    const load: Load = { key, stale: false };
    let set = this.#byKey.get(key);
    if (!set) this.#byKey.set(key, (set = new Set()));
    set.add(load);
    return load;
  }

  /** Forgets a load. */
  end(load: Load): void {
    const set = this.#byKey.get(load.key);
    if (set?.delete(load) && set.size === 0) this.#byKey.delete(load.key);
  }

  /** Marks the loads of one key stale. */
  invalidateKey(key: string): void {
    for (const load of this.#byKey.get(key) ?? []) load.stale = true;
  }

  /** Marks the loads of every key under a literal prefix stale. */
  invalidatePrefix(prefix: string): void {
    for (const [key, set] of this.#byKey)
      if (key.startsWith(prefix)) for (const load of set) load.stale = true;
  }

  /** Loads in progress (for tests and diagnostics). */
  get size(): number {
    let n = 0;
    for (const set of this.#byKey.values()) n += set.size;
    return n;
  }
}
