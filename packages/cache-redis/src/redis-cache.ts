import { CacheError, type CacheProvider, ConfigError, consoleLogger, type Logger } from '@kosha/core';
import { beforeDeadline, roundTrips } from './deadline.js';
import { ReadyGate } from './ready-gate.js';
import { checkConnection, createRedisClient, type RedisConnectionOptions } from './redis-client.js';
import type { RedisLike } from './redis-like.js';
import { scanClear } from './scan-clear.js';

/** Options of {@link redisCache}. A `CacheConfig` from `loadConfig` (`{ url, enabled, defaultTtl, keyPrefix }`) fits. */
export interface RedisCacheOptions extends RedisConnectionOptions {
  /** `redis://[[user]:password@]host[:port][/db]`, or `rediss://…` for TLS. Default `redis://127.0.0.1:6379/0`. */
  url?: string | undefined;
  /** Your own client: an ioredis `Redis` or `Cluster`, or an `ioredis-mock`. Kosha never closes it. */
  client?: RedisLike | undefined;
  /** Prefix of every key this application writes (`myapp` → `myapp:user:42`). Default: none. */
  keyPrefix?: string | undefined;
  /** Milliseconds one command may take before it counts as failed (a miss for reads). Default 250. */
  commandTimeout?: number | undefined;
  /** Consecutive failures after which Redis is skipped for `coolDown`. Default 5. */
  failureThreshold?: number | undefined;
  /** Milliseconds Redis is skipped for once the breaker opens, before it is probed. Default 5000. */
  coolDown?: number | undefined;
  /** Keys per `SCAN` step and per `UNLINK` of a prefix eviction. Default 1000. */
  scanCount?: number | undefined;
  /** TTL in seconds for decorators that give none. Default 3600. */
  defaultTtl?: number | undefined;
  /** False turns caching off: the decorators call through. Default true. */
  enabled?: boolean | undefined;
  /** Where connection errors of the client Kosha creates are logged (rate-limited). Default: console, warn. */
  logger?: Logger | undefined;
}

/** The Redis provider: a `CacheProvider` that also exposes its ioredis client. */
export interface RedisCache extends CacheProvider {
  /** The ioredis client (created on first use unless you passed one). */
  readonly client: RedisLike;
}

const orUndefined = (v: string | null) => v ?? undefined;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new ConfigError(`redisCache: ${name} must be a number > 0, got ${String(value)}.`);
  }
  return value;
}

function namespace(keyPrefix: string | undefined): string {
  if (keyPrefix === undefined || keyPrefix === '') return '';
  if (typeof keyPrefix !== 'string')
    throw new ConfigError('redisCache: keyPrefix must be a string, e.g. "myapp".');
  return `${keyPrefix.replace(/:+$/, '')}:`;
}

/**
 * A cache provider on Redis through ioredis: standalone (`url`), Sentinel (`sentinel`), Cluster
 * (`cluster`) or your own client (`client`). Fail-open: each command is bounded by `commandTimeout`,
 * waiting for the connection included, commands are never queued while Redis is away, and Kosha's
 * circuit breaker skips Redis for a cool-down after repeated failures. Prefix eviction is `SCAN` +
 * `UNLINK` in batches on every master, never `KEYS`, each round trip bounded by `commandTimeout`.
 * Importing the package also registers it for `redis://` and `rediss://` URLs.
 *
 * ```ts
 * import { createKosha } from '@kosha/core';
 * import { redisCache } from '@kosha/cache-redis';
 * import { mikroOrm } from '@kosha/orm-mikro';
 *
 * const kosha = await createKosha({
 *   orm: mikroOrm({ url: 'sqlite::memory:' }),
 *   cache: redisCache({ url: 'redis://localhost:6379/0', keyPrefix: 'myapp', defaultTtl: 3600 }),
 * });
 * ```
 */
export function redisCache(options: RedisCacheOptions = {}): RedisCache {
  const commandTimeout = positive('commandTimeout', options.commandTimeout, 250);
  const scanCount = Math.round(positive('scanCount', options.scanCount, 1000));
  const defaultTtl = positive('defaultTtl', options.defaultTtl, 3600);
  const failureThreshold = positive('failureThreshold', options.failureThreshold, 5);
  const coolDown = positive('coolDown', options.coolDown, 5000);
  const ns = namespace(options.keyPrefix);
  const owned = options.client === undefined;
  if (!owned && (options.url || options.sentinel || options.cluster)) {
    throw new ConfigError(
      'redisCache: give either client or a connection (url, sentinel, cluster), not both.',
    );
  }
  if (owned) checkConnection(options);
  let client: RedisLike | undefined = options.client;
  const build = (): RedisLike => {
    const c = createRedisClient(options, commandTimeout);
    const log = options.logger ?? consoleLogger('warn');
    let lastLogged = 0;
    // Without a listener ioredis prints every failed reconnect; one line per 30 s says enough.
    c.on('error', (error: Error) => {
      if (Date.now() - lastLogged < 30_000) return;
      lastLogged = Date.now();
      log.warn(`redis cache: connection problem (${error.message}); failing open and reconnecting`);
    });
    return c;
  };
  let gate: ReadyGate | undefined;
  let closed = false;

  const conn = () => (client ??= build());
  /**
   * Calls `fn` once the client is ready. A client still connecting is waited for until `until`
   * (default: `commandTimeout` from now), never longer: with Redis down from the start, `ready`
   * may never come. Any other state fails at once; the client reconnects on its own meanwhile.
   */
  const run = <T>(fn: (c: RedisLike) => Promise<T>, until?: number): Promise<T> => {
    if (closed) return Promise.reject(new CacheError('The Redis cache is closed.'));
    const c = conn();
    const s = c.status;
    if (s === undefined || s === 'ready') return fn(c);
    if (s !== 'wait' && s !== 'connecting' && s !== 'connect') {
      return Promise.reject(new CacheError(`Redis is not connected (${s}): failing open.`));
    }
    if (s === 'wait') c.connect?.().catch(() => {});
    gate ??= new ReadyGate(c);
    return gate.wait((until ?? Date.now() + commandTimeout) - Date.now()).then(() => fn(c));
  };
  const cluster = () => conn().isCluster === true;

  return {
    name: 'redis',
    defaultTtl,
    ...(options.enabled === undefined ? {} : { enabled: options.enabled }),
    network: { commandTimeout, failureThreshold, coolDown },
    get client() {
      return conn();
    },
    get: (key) => run((c) => c.get(ns + key).then(orUndefined)),
    getMany: (keys) =>
      keys.length === 0
        ? Promise.resolve([])
        : run(async (c) => {
            const values = cluster()
              ? await Promise.all(keys.map((k) => c.get(ns + k)))
              : await c.mget(...keys.map((k) => ns + k));
            return values.map((v) => v ?? undefined);
          }),
    set: (key, value, ttlSeconds) =>
      run(async (c) => {
        const ttl = ttlSeconds && ttlSeconds > 0 ? ttlSeconds : defaultTtl;
        await c.set(ns + key, value, 'PX', Math.max(1, Math.round(ttl * 1000)));
      }),
    delete: (...keys) =>
      keys.length === 0
        ? Promise.resolve()
        : run(async (c) => {
            if (cluster()) await Promise.all(keys.map((k) => c.unlink(ns + k)));
            else await c.unlink(...keys.map((k) => ns + k));
          }),
    // Many round trips: each one is bounded here, as core bounds only the whole (`prefixTimeout`).
    clearPrefix: (prefix) => {
      const trips = roundTrips(commandTimeout);
      return run(async (c) => {
        await scanClear(c, ns + prefix, scanCount, trips.step);
      }, trips.until);
    },
    // Bounded here too: a health check called directly must not hang on a stalled server.
    ping: () => {
      const until = Date.now() + commandTimeout;
      return run(async (c) => {
        await beforeDeadline(c.ping(), until, commandTimeout);
      }, until);
    },
    async close() {
      if (closed) return;
      closed = true;
      gate?.cancel(new CacheError('The Redis cache is closed.'));
      const c = client;
      if (!owned || !c) return;
      // QUIT lets Redis finish what it was sent; a server that does not answer gets cut off.
      await beforeDeadline(c.quit(), Date.now() + commandTimeout, commandTimeout).catch(() => {});
      c.disconnect();
    },
  };
}
