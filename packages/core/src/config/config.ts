import type { MigrationSettings } from '../orm/migrations.js';

/** Connection pool settings. */
export interface PoolConfig {
  /** Connections kept open when idle (default 0). */
  min?: number | undefined;
  /** Connections at most (the seed's `pool_size + max_overflow`; default 15). */
  max?: number | undefined;
  /** Close connections idle for this long (ms). */
  idleTimeoutMillis?: number | undefined;
  /**
   * Seconds to wait for a free connection before failing with `DatabaseError` kind `acquire_timeout`
   * (default 10). A transaction's own `timeout` shortens the wait when it runs out first.
   */
  acquireTimeout?: number | undefined;
}

/** Database configuration, as `loadConfig` produces it and `createKosha` accepts it. */
export interface DatabaseConfig {
  /** `postgresql://…`, `mysql://…`, `mariadb://…`, `sqlite::memory:`, `sqlite:path/to/file.db`. */
  url: string;
  /** Pool settings. */
  pool?: PoolConfig | undefined;
  /** Log every SQL statement at debug level (the seed's `echo`). */
  debug?: boolean | undefined;
  /** Read replica URLs; read-only work outside transactions may go there. */
  replicas?: string[] | undefined;
  /**
   * Seconds any one statement may run, for the whole instance (default: no limit). The database cancels
   * a statement that runs longer; a connection that stops answering is destroyed shortly after.
   */
  statementTimeout?: number | undefined;
}

/** Cache configuration. */
export interface CacheConfig {
  /** `redis://…`, `rediss://…` or `memory:`. */
  url: string;
  /** False turns caching off: the decorators call through. Default true. */
  enabled?: boolean | undefined;
  /** TTL in seconds when a decorator gives none. Default 3600. */
  defaultTtl?: number | undefined;
  /** Prefix of every key this application writes. */
  keyPrefix?: string | undefined;
}

/** The whole configuration of one Kosha instance. */
export interface KoshaConfig {
  /** The database. */
  orm: DatabaseConfig;
  /** The cache; `false` for none. */
  cache: CacheConfig | false;
  /** Level of the default console logger. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | undefined;
  /** Migrations: `[migrations] path, table, lock_timeout`. */
  migrations?: MigrationSettings | undefined;
}
