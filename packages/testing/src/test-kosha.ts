import { redisCache } from '@kosha/cache-redis';
import {
  type CacheProvider,
  createKosha,
  currentSession,
  type EntityClass,
  type InsertRow,
  type Kosha,
  type Logger,
  type LogLevel,
  memoryCache,
} from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import RedisMock from 'ioredis-mock';
import { type CacheInspector, inspectCache } from './cache-inspector.js';

/** Options of {@link createTestKosha}. */
export interface TestKoshaOptions {
  /** The entity classes of the code under test. */
  entities: readonly EntityClass[];
  /**
   * `'mock'` (default): `@kosha/cache-redis` over ioredis-mock, the same code path as production Redis;
   * `'memory'`: core's in-memory cache; `false`: no cache (the decorators call through).
   */
  cache?: 'mock' | 'memory' | false | undefined;
  /** Database URL. Default `sqlite::memory:`; a PostgreSQL or MariaDB URL runs the same tests there. */
  url?: string | undefined;
  /** Logger (default: console at `logLevel`). */
  logger?: Logger | undefined;
  /** Level of the default logger. Default `error`: the background-path warnings are expected in tests. */
  logLevel?: LogLevel | undefined;
  /** Become the default instance (`getKosha()`), as production code expects. Default true. */
  setDefault?: boolean | undefined;
}

/** A Kosha instance for tests, with fixtures, isolation and cache inspection. */
export interface TestKit {
  /** The instance (also the default one unless `setDefault: false`). */
  readonly kosha: Kosha;
  /** What is cached, and hits and misses. `undefined` with `cache: false`. */
  readonly cache: CacheInspector | undefined;
  /**
   * Inserts rows of an entity (instances or plain objects, relations as entities) and returns the
   * saved entities, with their ids. Inside `isolate`, they are rolled back with the test. Rows are typed
   * as for `DbRepo#insertAll`: the entity's required fields required.
   */
  load<T extends object>(entity: EntityClass<T>, rows: readonly InsertRow<T>[]): Promise<T[]>;
  /**
   * Runs `fn` in a session and transaction that are rolled back afterwards, whatever happens:
   * `@transactional` code inside joins it, so nothing it writes outlives the test. HTTP requests the test
   * makes to an app with the Kosha middleware join it too (each in a savepoint of its own, one at a time). Transaction-aware
   * cache writes and `afterCommit` hooks are dropped with it — test those with {@link reset} instead.
   */
  isolate<R>(fn: () => R | Promise<R>): Promise<R>;
  /** Drops and recreates every table and empties the cache: for tests that must commit (REQUIRES_NEW, hooks). */
  reset(): Promise<void>;
  /** Closes the database and the cache. */
  close(): Promise<void>;
}

function cacheFor(kind: TestKoshaOptions['cache']): CacheProvider | undefined {
  if (kind === false) return undefined;
  if (kind === 'memory') return memoryCache();
  if (kind === undefined || kind === 'mock')
    return redisCache({ client: new RedisMock() as never, keyPrefix: 'test' });
  throw new TypeError(
    `createTestKosha: cache must be 'mock', 'memory' or false, got ${JSON.stringify(kind)}.`,
  );
}

/**
 * A Kosha for tests: SQLite in memory through `@kosha/orm-mikro`, ioredis-mock through
 * `@kosha/cache-redis`, the schema created from the entities, set as the default instance.
 * Nothing needs to be installed or running.
 *
 * ```ts
 * const kit = await createTestKosha({ entities: [User] });
 * await kit.isolate(async () => {
 *   const [ada] = await kit.load(User, [{ name: 'Ada', email: 'ada@example.com' }]);
 *   expect(await new UserService().find(ada.id)).toBeDefined();
 * });
 * await kit.close();
 * ```
 */
export async function createTestKosha(options: TestKoshaOptions): Promise<TestKit> {
  if (!options || !Array.isArray(options.entities)) {
    throw new TypeError(
      'createTestKosha needs { entities: [...] }: the entity classes of the code under test.',
    );
  }
  const kosha = await createKosha({
    orm: mikroOrm({ url: options.url ?? 'sqlite::memory:' }),
    entities: options.entities,
    cache: cacheFor(options.cache) ?? false,
    logLevel: options.logLevel ?? 'error',
    ...(options.logger ? { logger: options.logger } : {}),
    setDefault: options.setDefault ?? true,
  });
  await kosha.schema.drop().catch(() => {});
  await kosha.schema.create();
  const inspector = inspectCache(kosha);

  return {
    kosha,
    cache: inspector,
    load: <T extends object>(entity: EntityClass<T>, rows: readonly InsertRow<T>[]) =>
      kosha.transaction(() => currentSession(kosha).insertAll(entity, rows as readonly Partial<T>[])),
    async isolate(fn) {
      // Joinable: a request the test makes (Express, Fastify) joins this transaction as a savepoint, sees
      // the test's rows and is rolled back with it — on SQLite there is no second connection for it anyway.
      const scope = await kosha.openSession({ transaction: true, joinable: true });
      try {
        return await scope.run(async () => fn());
      } finally {
        // Named: work the test left running (a request still in its handler) fails saying why.
        await scope.close('its test ended');
      }
    },
    async reset() {
      await kosha.schema.drop();
      await kosha.schema.create();
      await kosha.cache?.clearPrefix('');
      inspector?.resetStats();
    },
    close: () => kosha.close(),
  };
}
