import { forgetEntityShapes } from './cache/cache-codec.js';
import type { CacheProvider } from './cache/cache-provider.js';
import { memoryCache } from './cache/memory-cache.js';
import type { CacheConfig, DatabaseConfig, KoshaConfig } from './config/config.js';
import { ConfigError } from './errors.js';
import { consoleLogger, type Logger, type LogLevel, redactSecrets } from './logger.js';
import { registeredEntities, resolveEntities } from './mapping/entity-registry.js';
import type { EntityClass, EntityMetadata } from './mapping/metadata.js';
import type { MigrationSettings, Migrations, SchemaAction } from './orm/migrations.js';
import type { OrmBackend } from './orm/orm-backend.js';
import { adaptLogger } from './pino-logger.js';
import { cachePluginFor, ormPluginFor } from './registry.js';
import {
  openSessionScope,
  openSessionScopeNow,
  type SessionScope,
  type SessionScopeOptions,
} from './session/session-scope.js';
import { contextStore, type TransactionHost } from './transaction/frames.js';
import { executeTransactional } from './transaction/transaction-manager.js';
import { defineTransaction, type TransactionOptions } from './transaction/transaction-options.js';

/** Options of {@link createKosha}. A `KoshaConfig` from `loadConfig` is accepted as is. */
export interface KoshaOptions {
  /** The ORM backend (`mikroOrm({...})`) or database configuration resolved through the plugin registry. */
  orm: OrmBackend | DatabaseConfig;
  /** The cache provider (`redisCache({...})`, `memoryCache()`), its configuration, or `false` for none. Default: in-memory. */
  cache?: CacheProvider | CacheConfig | false | undefined;
  /**
   * Logger: anything with `debug`/`info`/`warn`/`error` (console, winston; a pino logger is wrapped by
   * `pinoLogger` so errors arrive as objects). Default console-backed at `warn` (or `logLevel`).
   */
  logger?: Logger | undefined;
  /** Level of the default logger. */
  logLevel?: LogLevel | undefined;
  /** Entity classes to map. Default: every class decorated with `@entity`. */
  entities?: readonly EntityClass[] | undefined;
  /** Become the process default (`getKosha()`). Default true. */
  setDefault?: boolean | undefined;
  /** Where migrations live (`path`, default `migrations`), their table, the lock timeout (`kosha.migrations`). */
  migrations?: MigrationSettings | undefined;
}

/** Cache settings the decorators read. */
export interface CacheSettings {
  /** False: the cache decorators call through. */
  readonly enabled: boolean;
  /** Seconds, when a decorator gives no `ttl`. */
  readonly defaultTtl: number;
}

let defaultInstance: Kosha | undefined;

const isBackend = (o: unknown): o is OrmBackend => typeof (o as OrmBackend)?.openSession === 'function';
const isProvider = (o: unknown): o is CacheProvider => typeof (o as CacheProvider)?.get === 'function';

/**
 * One configured Kosha: a database backend, a cache, the mapped entities and a logger.
 * Create it with {@link createKosha}.
 */
export class Kosha implements TransactionHost {
  /** The ORM backend. */
  readonly orm: OrmBackend;
  /** The cache provider, or `undefined` when caching is off. */
  readonly cache: CacheProvider | undefined;
  /** Cache settings. */
  readonly cacheSettings: CacheSettings;
  /** The logger. */
  readonly logger: Logger;
  /** The mapped entities' metadata. */
  readonly entities: readonly EntityMetadata[];
  /** @internal */
  readonly detachedWarned = new Set<string>();
  #closed = false;

  /**
   * Schema management of the mapped entities' tables (the backend does the work); `sql(action)` returns what
   * `create()`, `update()` or `drop()` would send, without sending it.
   */
  readonly schema: {
    create(): Promise<void>;
    update(): Promise<void>;
    drop(): Promise<void>;
    sql(action: SchemaAction): Promise<string>;
  };

  /** @internal use {@link createKosha}. */
  constructor(parts: {
    orm: OrmBackend;
    cache: CacheProvider | undefined;
    cacheSettings: CacheSettings;
    logger: Logger;
    entities: readonly EntityMetadata[];
  }) {
    this.orm = parts.orm;
    this.cache = parts.cache;
    this.cacheSettings = parts.cacheSettings;
    this.logger = parts.logger;
    this.entities = parts.entities;
    this.schema = {
      create: () => this.orm.createSchema(),
      update: () => this.orm.updateSchema(),
      drop: () => this.orm.dropSchema(),
      sql: async (action) => {
        if (!this.orm.schemaSql)
          throw new ConfigError(`${this.orm.name} cannot show the SQL of its schema operations.`);
        return this.orm.schemaSql(action);
      },
    };
  }

  /**
   * Schema migrations of the backend: create one from the difference between the entities and the database,
   * apply, revert, list. A `ConfigError` when the backend has none.
   *
   * ```ts
   * await kosha.migrations.up(); // at startup, or `npx kosha migration:up` in the deploy
   * ```
   */
  get migrations(): Migrations {
    const migrations = this.orm.migrations;
    if (!migrations)
      throw new ConfigError(
        `${this.orm.name} has no migrations: use a backend that has them (@kosha/orm-mikro), or kosha.schema.update().`,
      );
    return migrations;
  }

  /**
   * Runs `fn` in a transaction (the function form of `@transactional`).
   *
   * ```ts
   * await kosha.transaction(async () => { await users.insertAll([u]); }, { isolation: 'SERIALIZABLE' });
   * ```
   */
  transaction<T>(fn: () => T | Promise<T>, options?: TransactionOptions): Promise<T> {
    return executeTransactional(this, defineTransaction(options, 'kosha.transaction'), async () => fn());
  }

  /** Runs `fn` with this instance bound to the async context: decorators inside use it instead of the default. */
  run<T>(fn: () => T): T {
    return contextStore.run(
      { host: this, unit: undefined, scope: undefined, parent: contextStore.get() },
      fn,
    );
  }

  /**
   * Runs `fn` outside every request and transaction of the current context, as a job would: its
   * `@transactional` calls open sessions of their own. For work a request starts and does not wait for —
   * without it, such work fails with `ScopeEndedError` once the request is over.
   *
   * ```ts
   * app.post('/orders', async (req, res) => {
   *   const order = await orders.place(req.body);
   *   void kosha.background(() => mailer.sendConfirmation(order.id)); // not awaited: runs on its own
   *   res.status(201).json(order);
   * });
   * ```
   */
  background<T>(fn: () => T): T {
    return contextStore.run({ host: this, unit: undefined, scope: undefined, parent: undefined }, fn);
  }

  /**
   * Opens a session scope, as the HTTP adapters do per request: `transaction: true` begins a transaction
   * that `@transactional` code joins (`mode: 'request'`); false only scopes the session (`mode: 'method'`).
   */
  openSession(options?: SessionScopeOptions): Promise<SessionScope> {
    return openSessionScope(this, options);
  }

  /**
   * {@link openSession} without a promise when nothing needs waiting for: the scope itself, in the common
   * case (the backend begins its transaction at the first statement, so opening sends nothing). A promise
   * otherwise (a scope joined to a joinable one waits for its turn), and a rejected one for an error.
   * For HTTP adapters: a request answered from the cache then runs its handler in the tick it arrived in.
   *
   * ```ts
   * const opened = kosha.openSessionNow({ transaction: true });
   * if (opened instanceof Promise) opened.then(start, fail);
   * else start(opened);
   * ```
   */
  openSessionNow(options?: SessionScopeOptions): SessionScope | Promise<SessionScope> {
    return openSessionScopeNow(this, options);
  }

  /** Drains and closes the database pool and the cache. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (defaultInstance === this) defaultInstance = undefined;
    const results = await Promise.allSettled([this.orm.close(), this.cache?.close()]);
    for (const r of results) if (r.status === 'rejected') this.logger.error('closing failed', r.reason);
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }
}

async function resolveCache(
  option: KoshaOptions['cache'],
  logger: Logger,
): Promise<[CacheProvider | undefined, CacheSettings]> {
  if (option === false) return [undefined, { enabled: false, defaultTtl: 3600 }];
  if (option === undefined) return [memoryCache(), { enabled: true, defaultTtl: 3600 }];
  if (isProvider(option)) {
    return [option, { enabled: option.enabled ?? true, defaultTtl: option.defaultTtl ?? 3600 }];
  }
  const settings = { enabled: option.enabled ?? true, defaultTtl: option.defaultTtl ?? 3600 };
  if (!settings.enabled) {
    logger.info('cache disabled by configuration: cache decorators call through');
    return [undefined, settings];
  }
  // `default_ttl = 0` in configuration means "no TTL of its own": the provider's default applies.
  if (/^memory:/i.test(option.url))
    return [memoryCache({ defaultTtl: settings.defaultTtl || undefined }), settings];
  const plugin = await cachePluginFor(option.url);
  return [plugin.create(option), settings];
}

/**
 * Creates a Kosha instance, connects it and makes it the process default.
 *
 * ```ts
 * const kosha = await createKosha({ orm: mikroOrm({ url: 'sqlite::memory:' }) });
 * await kosha.schema.create();
 * // or from env vars and config.ini:
 * const fromConfig = await createKosha(await loadConfig({ file: 'config.ini' }));
 * ```
 */
export async function createKosha(options: KoshaOptions | KoshaConfig): Promise<Kosha> {
  const opts = options as KoshaOptions;
  if (!opts || typeof opts !== 'object' || !opts.orm) {
    throw new ConfigError(
      'createKosha needs `orm`: a backend such as mikroOrm({ url }) or a database config { url }.',
    );
  }
  const logger = opts.logger ? adaptLogger(opts.logger) : consoleLogger(opts.logLevel ?? 'warn');
  const entities = opts.entities
    ? resolveEntities(opts.entities)
    : resolveEntities(registeredEntities(), { registered: true });
  const orm = isBackend(opts.orm) ? opts.orm : (await ormPluginFor(opts.orm.url)).create(opts.orm);
  const [cache, cacheSettings] = await resolveCache(opts.cache, logger);
  try {
    await orm.init({ entities, logger, migrations: opts.migrations });
  } catch (error) {
    await cache?.close().catch(() => {});
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(
      `The ${orm.name} backend could not start: ${redactSecrets((error as Error)?.message ?? String(error))}`,
      {
        cause: error,
      },
    );
  }
  // The ORM may have put accessors on the entities' prototypes: cached hits check them again.
  forgetEntityShapes();
  const kosha = new Kosha({ orm, cache, cacheSettings, logger, entities });
  if (opts.setDefault !== false) defaultInstance = kosha;
  return kosha;
}

/**
 * The Kosha instance bound to the current async context, or else the process default.
 * Throws a `ConfigError` when there is none.
 */
export function getKosha(): Kosha {
  const bound = contextStore.get()?.host;
  const k = (bound instanceof Kosha ? bound : undefined) ?? defaultInstance;
  if (!k) throw new ConfigError('No Kosha instance: call `await createKosha({ orm: … })` first.');
  return k;
}
