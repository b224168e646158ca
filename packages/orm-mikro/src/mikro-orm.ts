import {
  type BackendCapabilities,
  type BackendInit,
  ConfigError,
  DatabaseError,
  type Logger,
  MappingError,
  type Migrations,
  type OrmBackend,
  type PoolStats,
  type SchemaAction,
  type Session,
  type SessionOptions,
} from '@kosha/core';
import { MikroORM as CoreMikroORM } from '@mikro-orm/core';
// Types only: @mikro-orm/sql is an optional peer (it comes with every driver), never imported at run time.
import type { AbstractSqlDriver, MikroORM, Options } from '@mikro-orm/sql';
import { type GuardedDialect, guardDialect } from './connection/guarded-dialect.js';
import type { GuardedDriver } from './connection/guarded-driver.js';
import { statementTimeoutSetup } from './connection/guarded-driver.js';
import type { KyselyDialect } from './connection/kysely-subset.js';
import { isSqliteDatabase } from './connection/sqlite-statements.js';
import { detachedReferences } from './detached-references.js';
import { embeddableSchemas, toEntitySchema } from './entity-schema.js';
import { isNamed } from './error-kinds.js';
import {
  driverOptionsLater,
  LazyTransactions,
  poolCounts,
  sqliteDatabaseOf,
  watchCheckouts,
} from './internals/index.js';
import { loadDriver } from './load-driver.js';
import { MikroMigrations, migratorOptions } from './migrations/mikro-migrations.js';
import {
  checkOptions,
  DEFAULT_ACQUIRE_TIMEOUT,
  DEFAULT_POOL_MAX,
  type MikroOrmOptions,
} from './mikro-orm-options.js';
import { MikroSession, type SessionHost } from './mikro-session.js';
import { sqliteConnectionSetup } from './query/sqlite-setup.js';
import { QueryLogger } from './query-logger.js';
import { insertWatcher } from './savepoint-stack.js';
import { checkStatement } from './statement-check.js';
import { translateError } from './translate-error.js';
import type { ConnectionTarget, Dialect } from './url.js';
import { touchUpdatedAt } from './writes/touches-updated-at.js';

function connectionOptions(t: ConnectionTarget) {
  return { dbName: t.dbName, host: t.host, port: t.port, user: t.user, password: t.password };
}

// How long close() waits for connections still in use before it destroys them.
const CLOSE_TIMEOUT_MS = 5000;

class MikroOrmBackend implements OrmBackend, SessionHost {
  readonly name = '@kosha/orm-mikro';
  readonly dialect: Dialect;
  readonly capabilities: BackendCapabilities;
  readonly #target: ConnectionTarget;
  readonly #replicas: ConnectionTarget[];
  readonly #options: MikroOrmOptions;
  #orm: MikroORM | undefined;
  #logger: Logger | undefined;
  #mariadb = false;
  #closed = false;
  /** Primary pool figures; only where there is a pool (SQLite is one connection). */
  readonly poolStats?: () => PoolStats;
  #pool: unknown;
  /** The primary's connection guard, and the transactions it begins directly (after `init`). */
  #driver: GuardedDriver | undefined;
  #transactions: LazyTransactions | undefined;
  #migrations: MikroMigrations | undefined;

  constructor(options: MikroOrmOptions, target: ConnectionTarget, replicas: ConnectionTarget[]) {
    this.#options = options;
    this.#target = target;
    this.#replicas = replicas;
    this.dialect = target.dialect;
    this.capabilities = Object.freeze({
      // SQLite is one connection: a second transaction would wait on it forever.
      concurrentTransactions: target.dialect !== 'sqlite',
      savepoints: true,
      readReplicas: replicas.length > 0,
      maxConnections: target.dialect === 'sqlite' ? 1 : (options.pool?.max ?? DEFAULT_POOL_MAX),
      // SQLite locks the whole database for a write transaction, and Kosha's SQLite is one connection.
      locks: target.dialect === 'sqlite' ? 'database' : 'rows',
      lockWaitOptions: target.dialect !== 'sqlite',
    });
    if (target.dialect !== 'sqlite') this.poolStats = () => this.#poolStats();
  }

  #poolStats(): PoolStats {
    return poolCounts(this.dialect, this.#pool);
  }

  get orm(): MikroORM {
    if (!this.#orm)
      throw new ConfigError(
        'The @kosha/orm-mikro backend is not initialised: pass it to createKosha({ orm }).',
      );
    if (this.#closed)
      throw new ConfigError(
        'The @kosha/orm-mikro backend was closed (kosha.close()); create a new Kosha instance.',
      );
    return this.#orm;
  }

  get logger(): Logger {
    return this.#logger!;
  }

  get driver(): GuardedDriver | undefined {
    return this.#driver;
  }

  get transactions(): LazyTransactions | undefined {
    return this.#transactions;
  }

  get mariadb(): boolean {
    return this.#mariadb;
  }

  get secrets(): string[] {
    return [this.#target, ...this.#replicas].flatMap((t) => (t.password ? [t.password] : []));
  }

  translate(error: unknown): unknown {
    return translateError(error, { platform: this.#orm?.em.getPlatform(), secrets: this.secrets });
  }

  async init({ entities, logger, migrations }: BackendInit): Promise<void> {
    if (this.#orm)
      throw new ConfigError(
        'This mikroOrm backend is already initialised: give each Kosha instance its own mikroOrm({...}).',
      );
    this.#logger = logger;
    const driver = await loadDriver(this.dialect);
    const schemas = [
      ...entities.map((e) => toEntitySchema(e, this.dialect)),
      ...embeddableSchemas(entities, this.dialect),
    ];
    const debug = this.#options.debug === true;
    const t = this.#target;
    const overrides = this.#driverOverrides();
    // MikroORM builds the dialect (its pool settings, type parsers, hooks) when Kosha asks below; Kysely
    // then gets it guarded. A function, because MikroORM copies its options before the dialect exists.
    let guarded: GuardedDialect | undefined;
    const queryLogger = new QueryLogger(logger, debug);
    const config: Options = {
      driver,
      entities: [...schemas, ...((this.#options.entities ?? []) as never[])],
      ...connectionOptions(t),
      ...(t.schema ? { schema: t.schema } : {}),
      ...(this.#options.pool ? { pool: poolOptions(this.#options.pool) } : {}),
      driverOptions: driverOptionsLater(() => guarded),
      // Replicas serve reads outside transactions, which Kysely always releases; they get the timeouts only.
      replicas: this.#replicas.map((r, i) => ({
        name: `replica-${i + 1}`,
        ...connectionOptions(r),
        driverOptions: overrides as never,
      })),
      // Kosha routes reads itself (read-only sessions outside transactions); everything else reads its own writes.
      preferReadReplicas: false,
      allowGlobalContext: false,
      // Creating databases is the operator's call, not a side effect of connecting.
      ensureDatabase: false,
      discovery: { warnWhenNoEntities: false },
      migrations: migratorOptions(migrations),
      ...(this.dialect === 'sqlite' ? { onCreateConnection: sqliteConnectionSetup } : {}),
      debug: debug ? ['query'] : false,
      loggerFactory: () => queryLogger,
      colors: false,
      // MikroORM's default puts a setter on the entity prototype for every scalar field, which redefines the
      // field on each instance the first time it is set (a getter and setter per field per instance): 18 % of
      // an upsert of 1,000 rows. Relations still propagate to their inverse side once an entity is managed.
      propagationOnPrototype: false,
    };
    let orm: MikroORM | undefined;
    try {
      // What @mikro-orm/sql's MikroORM.init does: core's, with the SQL driver of the URL.
      orm = await CoreMikroORM.init<AbstractSqlDriver>(config);
      orm.em.getEventManager().registerSubscriber(insertWatcher);
      orm.em.getEventManager().registerSubscriber(detachedReferences);
      orm.em.getEventManager().registerSubscriber(touchUpdatedAt);
      this.#orm = orm;
      this.#migrations = new MikroMigrations(
        {
          orm,
          dialect: this.dialect,
          maxConnections: this.capabilities.maxConnections,
          translate: (e) => this.translate(e),
        },
        migrations,
      );
      const source = orm.em.getConnection('write');
      const dialect = (await source.createKyselyDialect(overrides)) as KyselyDialect;
      const sqlite = this.dialect === 'sqlite' ? sqliteDatabaseOf(source) : undefined;
      guarded = guardDialect(dialect, {
        ...this.#policy(logger, queryLogger),
        ...(isSqliteDatabase(sqlite) ? { sqliteStatements: sqlite } : {}),
      });
      await orm.connect();
      if (this.dialect !== 'sqlite') {
        this.#pool = await source.getNativeClient();
        guarded.driver?.watchCheckouts(watchCheckouts(this.dialect, this.#pool));
      }
      this.#driver = guarded.driver;
      if (this.#driver) {
        this.#transactions = await LazyTransactions.learn(source.getClient(), this.#driver, guarded);
        if (!this.#transactions) {
          logger.warn(
            'this Kysely version builds transactions differently from what Kosha knows: transactions go ' +
              'through em.begin() (slower to begin, same behaviour)',
          );
        }
      }
      const rows = await orm.em
        .getConnection()
        .execute(this.dialect === 'sqlite' ? 'select 1 as v' : 'select version() as v');
      this.#mariadb = /mariadb/i.test(String((rows as { v?: unknown }[])[0]?.v ?? ''));
      if (this.dialect === 'mysql' && this.#mariadb) {
        logger.warn(
          '`url` is mysql:// but the server is MariaDB: use mariadb:// so JSON columns are read back as JSON.',
        );
      }
    } catch (error) {
      const translated = this.#initError(error);
      this.#orm = undefined;
      await orm?.close(true).catch(() => {});
      throw translated;
    }
  }

  /** Options Kosha adds to the native pool's: the acquire and statement timeouts, TCP keep-alive. */
  #driverOverrides(): Record<string, unknown> {
    const acquireMs = this.#acquireTimeoutMs();
    const statementMs = this.#statementTimeoutMs();
    switch (this.dialect) {
      case 'sqlite':
        return {};
      case 'postgresql':
        return {
          // pg-pool's own wait for a client ends with the guard's, so no waiter is left queued.
          connectionTimeoutMillis: acquireMs,
          keepAlive: true,
          ...(statementMs === undefined ? {} : { statement_timeout: statementMs }),
        };
      default:
        return { enableKeepAlive: true, connectTimeout: Math.min(acquireMs, 10_000) };
    }
  }

  // At least 1 ms: pg reads `connectionTimeoutMillis: 0` as "wait forever".
  #acquireTimeoutMs(): number {
    return Math.max(1, Math.round((this.#options.pool?.acquireTimeout ?? DEFAULT_ACQUIRE_TIMEOUT) * 1000));
  }

  #statementTimeoutMs(): number | undefined {
    const s = this.#options.statementTimeout;
    return s === undefined ? undefined : Math.max(1, Math.round(s * 1000));
  }

  #policy(logger: Logger, queryLogger: QueryLogger) {
    const dialect = this.dialect;
    const statementTimeoutMs = this.#statementTimeoutMs();
    const setup = statementTimeoutSetup(dialect, statementTimeoutMs);
    return {
      dialect,
      acquireTimeoutMs: this.#acquireTimeoutMs(),
      statementTimeoutMs,
      closeTimeoutMs: CLOSE_TIMEOUT_MS,
      maxConnections: this.capabilities.maxConnections,
      logger,
      check: (sql: string, parameters: readonly unknown[]) => checkStatement(dialect, sql, parameters),
      setup: setup ?? (() => Promise.resolve()),
      log: (sql: string, tookMs: number, failed: boolean) => queryLogger.statement(sql, tookMs, failed),
    };
  }

  /** The instance's statement timeout, for transaction settings that must restore it. */
  get statementTimeoutMs(): number | undefined {
    return this.#statementTimeoutMs();
  }

  #initError(error: unknown): unknown {
    if (error instanceof Error && isNamed(error, 'MetadataError')) {
      return new MappingError(`MikroORM rejected the entity mapping: ${error.message}`, { cause: error });
    }
    const translated = translateError(error, {
      secrets: this.secrets,
      platform: this.#orm?.em.getPlatform(),
    });
    if (!(translated instanceof DatabaseError)) return translated;
    const t = this.#target;
    const where = t.dialect === 'sqlite' ? t.dbName : `${t.host}${t.port ? `:${t.port}` : ''}/${t.dbName}`;
    return new DatabaseError(
      translated.kind,
      `Could not start ${t.dialect} at ${where}. ${translated.message}`,
      { cause: error },
    );
  }

  openSession(options?: SessionOptions): Session {
    // The session forks lazily: refuse here, not at its first use, when the backend cannot serve it.
    void this.orm;
    return new MikroSession(this, options?.readOnly === true);
  }

  async createSchema(): Promise<void> {
    await this.#schema((s) => s.create());
  }

  async updateSchema(): Promise<void> {
    // `safe`: add what is missing, never drop tables or columns the mapping does not know.
    await this.#schema((s) => s.update({ safe: true, dropTables: false }));
  }

  async dropSchema(): Promise<void> {
    await this.#schema((s) => s.drop());
  }

  /** Migrations on MikroORM's migrator (`@mikro-orm/migrations`, loaded at the first call). */
  get migrations(): Migrations | undefined {
    return this.#migrations;
  }

  async schemaSql(action: SchemaAction): Promise<string> {
    const schema = this.orm.schema;
    try {
      if (action === 'create') return await schema.getCreateSchemaSQL();
      if (action === 'drop') return await schema.getDropSchemaSQL();
      return await schema.getUpdateSchemaSQL({ safe: true, dropTables: false });
    } catch (error) {
      throw this.translate(error);
    }
  }

  async #schema(fn: (schema: MikroORM['schema']) => Promise<void>): Promise<void> {
    try {
      await fn(this.orm.schema);
    } catch (error) {
      throw this.translate(error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed || !this.#orm) return;
    this.#closed = true;
    await this.#orm.close(true);
  }
}

/** The pool settings MikroORM knows (Kosha keeps `acquireTimeout` for itself). */
function poolOptions(pool: NonNullable<MikroOrmOptions['pool']>) {
  const { acquireTimeout: _own, ...rest } = pool;
  return rest;
}

/**
 * The MikroORM backend for Kosha: SQLite, PostgreSQL, MySQL and MariaDB, chosen by the URL. The driver
 * package of the database must be installed (`@mikro-orm/postgresql`, …). A malformed URL or option is a
 * `ConfigError` right away; connecting happens in `createKosha`.
 *
 * ```ts
 * const kosha = await createKosha({
 *   orm: mikroOrm({ url: 'postgresql://app:secret@localhost:5432/app', pool: { min: 2, max: 30 } }),
 * });
 * ```
 */
export function mikroOrm(options: MikroOrmOptions): OrmBackend {
  const { target, replicas, checked } = checkOptions(options);
  return new MikroOrmBackend(checked, target, replicas);
}
