/**
 * A cache store: the extension point `@kosha/cache-redis` (and any other provider) implements.
 * Values are already-encoded strings (the cache decorators own the codec). Six members are required;
 * what a provider can do beyond them it declares in optional members, so core never guesses.
 *
 * Keys are opaque strings. `clearPrefix` takes its prefix literally: a provider that pattern-matches
 * on the server (Redis `SCAN MATCH`) escapes it, so no key can make an eviction reach another entry.
 *
 * ```ts
 * const kosha = await createKosha({ orm, cache: memoryCache({ maxEntries: 50_000 }) });
 * ```
 */
export interface CacheProvider {
  /** The provider's name, for messages (`memory`, `redis`). */
  readonly name: string;
  /** Reads one entry; `undefined` on a miss. */
  get(key: string): Promise<string | undefined>;
  /** Reads several entries at once, in order; `undefined` for each miss. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Writes one entry. `ttlSeconds` may be fractional; 0 or `undefined` means the provider's default TTL. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Deletes entries by exact key; missing keys are not an error. */
  delete(...keys: string[]): Promise<void>;
  /** Deletes every entry whose key starts with `prefix`, taken literally (no glob). `''` clears the provider's namespace. */
  clearPrefix(prefix: string): Promise<void>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;

  /**
   * Present when calls go over a network and can fail or hang: core then bounds every call by
   * `commandTimeout` and stops calling for a cool-down after repeated failures (fail-open). Absent:
   * an in-process store, called directly.
   */
  readonly network?: NetworkPolicy | undefined;
  /** Optional capability: resolves when the store is reachable. Core's circuit breaker probes with it. */
  ping?(): Promise<void>;
  /** TTL in seconds for decorators that give none (read by `createKosha`). Default 3600. */
  readonly defaultTtl?: number | undefined;
  /** False: `createKosha` turns caching off and the decorators call through. Default true. */
  readonly enabled?: boolean | undefined;
}

/** How core guards a networked {@link CacheProvider}. */
export interface NetworkPolicy {
  /** Milliseconds one call may take before it counts as failed (a miss for reads). */
  readonly commandTimeout: number;
  /** Consecutive failures that open the circuit breaker. Default 5. */
  readonly failureThreshold?: number | undefined;
  /** Milliseconds the breaker stays open before it probes the store again. Default 5000. */
  readonly coolDown?: number | undefined;
  /** Milliseconds a whole `clearPrefix` may take: it is many commands, each bounded by the provider. Default 60,000. */
  readonly prefixTimeout?: number | undefined;
}
