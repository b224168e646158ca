/**
 * The subset of an ioredis client this provider uses. An ioredis `Redis` (standalone or Sentinel),
 * an ioredis `Cluster` and an `ioredis-mock` instance all fit, so users pass their own client
 * without a cast, and the provider's contract does not depend on ioredis's full typings.
 */
export interface RedisLike {
  /** `wait`, `connecting`, `connect`, `ready`, `reconnecting`, `close`, `end`; absent on mocks. */
  readonly status?: string | undefined;
  /** True on an ioredis `Cluster`. */
  readonly isCluster?: boolean | undefined;
  /** Reads one key. */
  get(key: string): Promise<string | null>;
  /** Reads several keys of one node. */
  mget(...keys: string[]): Promise<(string | null)[]>;
  /** Writes a key with a time to live in milliseconds. */
  set(key: string, value: string, pxToken: 'PX', milliseconds: number): Promise<unknown>;
  /** Deletes keys, reclaiming their memory off the main thread. */
  unlink(...keys: string[]): Promise<number>;
  /** One step of an incremental scan of the keyspace. */
  scan(
    cursor: string,
    matchToken: 'MATCH',
    pattern: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<[string, string[]]>;
  /** Round-trip check. */
  ping(): Promise<string>;
  /** Starts connecting a client created with `lazyConnect`. */
  connect?(): Promise<unknown>;
  /** Closes the connection gracefully. */
  quit(): Promise<unknown>;
  /** Closes the connection at once. */
  disconnect(): void;
  /** The nodes of a Cluster (`master` ones for scans). */
  nodes?(role: 'master'): RedisLike[];
  /** Subscribes to a client event (`error`, `ready`, `end`). */
  on(event: string, listener: (...args: any[]) => void): unknown;
  /** Unsubscribes. */
  off(event: string, listener: (...args: any[]) => void): unknown;
}
