/**
 * `@kosha/cache-redis`: Kosha's cache provider on ioredis — standalone, Sentinel and Cluster; fail-open;
 * prefix eviction with `SCAN` + `UNLINK`, never `KEYS`. Importing it registers the `redis://` and
 * `rediss://` schemes, so a cache URL in configuration picks it.
 *
 * ```ts
 * import { createKosha, loadConfig } from '@kosha/core';
 * import '@kosha/cache-redis';
 * import '@kosha/orm-mikro';
 *
 * // KOSHA_CACHE_URL=redis://localhost:6379/0
 * const kosha = await createKosha(await loadConfig());
 * ```
 * @packageDocumentation
 */
import './register.js';

export { escapeGlob } from './glob-escape.js';
export { type RedisCache, type RedisCacheOptions, redisCache } from './redis-cache.js';
export { checkRedisUrl, type RedisClusterOptions, type RedisSentinelOptions } from './redis-client.js';
export type { RedisLike } from './redis-like.js';
