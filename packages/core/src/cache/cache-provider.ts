/**
 * A cache store. Values are already encoded strings (the decorators own the codec).
 * `ttlSeconds` of 0 or undefined means the provider's default TTL.
 */
export interface CacheProvider {
  /** The plugin's name, for messages. */
  readonly name: string;
  /** Reads one entry; `undefined` on a miss. */
  get(key: string): Promise<string | undefined>;
  /** Reads several entries at once, in order; `undefined` for each miss. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Writes one entry with a time to live in seconds. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Deletes entries by exact key. */
  delete(...keys: string[]): Promise<void>;
  /** Deletes every entry whose key starts with `prefix` (literally: no glob). */
  clearPrefix(prefix: string): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
