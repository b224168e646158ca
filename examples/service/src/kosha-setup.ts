import { redisCache } from '@kosha/cache-redis';
import { type CacheProvider, createKosha, type Kosha, loadConfig, memoryCache, redactUrl } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import { Author, Book } from './entities.js';
import type { Instruments } from './instruments.js';

/** A started Kosha and where it points, secrets removed. */
export interface ServiceKosha {
  readonly kosha: Kosha;
  readonly database: string;
  readonly cache: string;
}

/**
 * Creates the service's Kosha from the environment: SQLite in memory and the in-memory cache by
 * default, PostgreSQL / MySQL and Redis when `DATABASE_URL` / `REDIS_URL` say so. SQL is logged (and
 * counted) through `mikroOrm({ debug: true })`; the demo's tables are recreated and its cache entries
 * cleared, so every run starts from nothing.
 */
export async function startKosha(
  instruments: Instruments,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ServiceKosha> {
  const config = await loadConfig({ env });
  let cache: CacheProvider | undefined;
  if (config.cache !== false) {
    const defaultTtl = config.cache.defaultTtl ?? 3600;
    cache = /^memory:/i.test(config.cache.url)
      ? memoryCache({ defaultTtl })
      : redisCache({ url: config.cache.url, keyPrefix: config.cache.keyPrefix ?? 'kosha-demo', defaultTtl });
  }
  const kosha = await createKosha({
    orm: mikroOrm({ ...config.orm, debug: true }),
    cache: cache ? instruments.countReads(cache) : false,
    logger: instruments.logger(),
    entities: [Author, Book],
  });
  try {
    // On a real database a previous run left its tables: start over (only the demo_* tables).
    if (!config.orm.url.startsWith('sqlite::memory:')) await kosha.schema.drop();
    await kosha.schema.create();
    // Fail-open like every cache call: a Redis that is down must not keep the demo from starting.
    await cache?.clearPrefix('').catch((error: unknown) => {
      kosha.logger.warn('could not empty the cache at start-up; going on without it', error);
    });
  } catch (error) {
    await kosha.close();
    throw error;
  }
  return {
    kosha,
    database: redactUrl(config.orm.url),
    cache: config.cache === false ? 'off' : redactUrl(config.cache.url),
  };
}
