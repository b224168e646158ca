import { ConfigError, redactUrl } from '@kosha/core';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisLike } from './redis-like.js';

/** A Sentinel deployment: the sentinels to ask and the name of the master they watch. */
export interface RedisSentinelOptions {
  /** Sentinel addresses. */
  sentinels: { host: string; port: number }[];
  /** The master's name in the Sentinel configuration (`mymaster`). */
  name: string;
  /** Password of the Redis nodes. */
  password?: string | undefined;
  /** ACL user name of the Redis nodes. */
  username?: string | undefined;
  /** Password of the sentinels themselves, when they have one. */
  sentinelPassword?: string | undefined;
  /** Database number. Default 0. */
  db?: number | undefined;
}

/** A Redis Cluster: some of its nodes to discover the rest from. */
export interface RedisClusterOptions {
  /** Seed nodes, as `host:port` or `{ host, port }`. */
  nodes: (string | { host: string; port: number })[];
  /** Password of the nodes. */
  password?: string | undefined;
  /** ACL user name of the nodes. */
  username?: string | undefined;
  /** Connect with TLS. */
  tls?: boolean | undefined;
}

/** What a client is built from: exactly one of these. */
export interface RedisConnectionOptions {
  url?: string | undefined;
  sentinel?: RedisSentinelOptions | undefined;
  cluster?: RedisClusterOptions | undefined;
  /** Passed to ioredis as is, over Kosha's defaults. */
  redisOptions?: RedisOptions | undefined;
}

/** Checks a `redis://` / `rediss://` URL and returns its database number. */
export function checkRedisUrl(url: string): number {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(
      `redisCache: "${redactUrl(url)}" is not a URL. Write redis://[:password@]host[:port][/db].`,
    );
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ConfigError(`redisCache: "${redactUrl(url)}" must start with redis:// (or rediss:// for TLS).`);
  }
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new ConfigError(
      `redisCache: the database of "${redactUrl(url)}" must be a number (redis://host:6379/0).`,
    );
  }
  return db === '' ? 0 : Number(db);
}

/** Checks a connection configuration without connecting: `ConfigError`s name what is wrong. */
export function checkConnection(options: RedisConnectionOptions): void {
  const given = [options.url, options.sentinel, options.cluster].filter((o) => o !== undefined).length;
  if (given > 1) throw new ConfigError('redisCache: give one of url, sentinel or cluster, not several.');
  if (options.cluster) {
    const { nodes } = options.cluster;
    if (!Array.isArray(nodes) || nodes.length === 0) {
      throw new ConfigError('redisCache: cluster.nodes must list at least one node, e.g. ["10.0.0.1:7000"].');
    }
  } else if (options.sentinel) {
    const s = options.sentinel;
    if (!Array.isArray(s.sentinels) || s.sentinels.length === 0 || !s.name) {
      throw new ConfigError('redisCache: sentinel needs sentinels: [{ host, port }] and the master name.');
    }
  } else if (options.url !== undefined) checkRedisUrl(options.url);
}

const backoff = (times: number) => Math.min(50 * 2 ** times, 2000);

/** The options without their `undefined` values: an option given as `undefined` keeps Kosha's default, as a missing one does. */
function given<O extends object>(options: O | undefined): Partial<O> {
  if (!options) return {};
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<O>;
}

/**
 * Builds the ioredis client for a checked configuration. Kosha's defaults make it fail fast instead
 * of queueing: no offline queue (a write queued during an outage would land late, after the
 * evictions that should have beaten it), no resending of unanswered commands after a reconnect, a
 * connect timeout, reconnection with a backoff capped at 2 s, and a socket that has not closed
 * `commandTimeout` after a disconnect is destroyed.
 */
export function createRedisClient(options: RedisConnectionOptions, commandTimeout: number): RedisLike {
  // No ioredis `commandTimeout`: core bounds every call already (one watchdog timer rather than one
  // timer per command, which costs a cache hit ~1 µs), and a late reply changes nothing either way.
  const defaults: RedisOptions = {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(2000, commandTimeout * 4),
    retryStrategy: backoff,
    // ioredis waits this long (default 2 s) for the socket to close after `disconnect()`, on a timer
    // that keeps the process alive, and never clears it when the socket had already gone (Redis down,
    // client reconnecting) or the server is frozen: `close()` would be prompt, the process exit not.
    disconnectTimeout: commandTimeout,
  };
  if (options.cluster) {
    const { nodes, password, username, tls } = options.cluster;
    const { enableOfflineQueue: _queue, retryStrategy: _retry, ...nodeDefaults } = defaults;
    const cluster: RedisLike = new Cluster(nodes, {
      enableOfflineQueue: false,
      clusterRetryStrategy: backoff,
      redisOptions: {
        ...nodeDefaults,
        password,
        username,
        ...(tls ? { tls: {} } : {}),
        ...given(options.redisOptions),
      },
    });
    return cluster;
  }
  if (options.sentinel) {
    const sentinel: RedisLike = new Redis({
      ...defaults,
      ...given(options.sentinel),
      ...given(options.redisOptions),
    });
    return sentinel;
  }
  const standalone: RedisLike = new Redis(options.url ?? 'redis://127.0.0.1:6379/0', {
    ...defaults,
    ...given(options.redisOptions),
  });
  return standalone;
}
