import { ConfigError, type DatabaseConfig, type PoolConfig } from '@kosha/core';
import type { EntitySchema } from '@mikro-orm/core';
import { type ConnectionTarget, type Dialect, parseDatabaseUrl } from './url.js';

/** Options of {@link mikroOrm}. A `DatabaseConfig` from core's `loadConfig` is accepted as is. */
export interface MikroOrmOptions extends DatabaseConfig {
  /** `postgresql://user:pass@host:5432/db`, `postgres://…`, `mysql://…`, `mariadb://…`, `sqlite::memory:`, `sqlite:path/app.db`. */
  url: string;
  /**
   * Connection pool: `min`, `max` connections (default 10), `idleTimeoutMillis`, and `acquireTimeout`: seconds
   * to wait for a free connection before failing with `DatabaseError` kind `acquire_timeout` (default 10).
   */
  pool?: PoolConfig | undefined;
  /** Log every SQL statement through the Kosha logger at debug level (with placeholders, never values or credentials). */
  debug?: boolean | undefined;
  /** Read replica URLs (same database family). Read-only work outside a transaction reads from them. */
  replicas?: string[] | undefined;
  /**
   * Seconds any one statement may run (default: no limit). The database cancels a longer statement
   * (PostgreSQL `statement_timeout`, MariaDB `max_statement_time`, MySQL `max_execution_time` for
   * SELECTs); a connection that does not answer a second after the limit is destroyed. SQLite has none.
   */
  statementTimeout?: number | undefined;
  /** Native MikroORM entities (decorated classes or `EntitySchema`s) to map next to the Kosha entities. */
  entities?: readonly (EntitySchema | (abstract new (...args: never[]) => object))[] | undefined;
}

const KNOWN = new Set(['url', 'pool', 'debug', 'replicas', 'entities', 'statementTimeout']);
const POOL_KEYS = ['min', 'max', 'idleTimeoutMillis', 'acquireTimeout'];

/** Seconds, when `pool.acquireTimeout` is not given. */
export const DEFAULT_ACQUIRE_TIMEOUT = 10;

/** Connections, when `pool.max` is not given (pg's and mysql2's own default). */
export const DEFAULT_POOL_MAX = 10;

function seconds(name: string, value: unknown): void {
  if (value !== undefined && !(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
    throw new ConfigError(`mikroOrm: \`${name}\` must be a number of seconds > 0, got ${String(value)}.`);
  }
}
const FAMILY: Record<Dialect, string> = {
  sqlite: 'sqlite',
  postgresql: 'postgresql',
  mysql: 'mysql',
  mariadb: 'mysql',
};

function checkPool(pool: PoolConfig | undefined): PoolConfig | undefined {
  if (pool === undefined) return undefined;
  if (typeof pool !== 'object' || pool === null)
    throw new ConfigError(
      'mikroOrm: `pool` must be an object { min, max, idleTimeoutMillis, acquireTimeout }.',
    );
  for (const key of Object.keys(pool)) {
    const value = (pool as Record<string, unknown>)[key];
    if (!POOL_KEYS.includes(key)) {
      throw new ConfigError(
        `mikroOrm: unknown option \`pool.${key}\`. Known: ${POOL_KEYS.map((k) => `pool.${k}`).join(', ')}.`,
      );
    }
    if (key === 'acquireTimeout') {
      seconds('pool.acquireTimeout', value);
      continue;
    }
    if (value !== undefined && !(Number.isInteger(value) && (value as number) >= (key === 'max' ? 1 : 0))) {
      throw new ConfigError(
        `mikroOrm: \`pool.${key}\` must be a whole number ≥ ${key === 'max' ? 1 : 0}, got ${String(value)}.`,
      );
    }
  }
  if (pool.min !== undefined && pool.max !== undefined && pool.min > pool.max) {
    throw new ConfigError(`mikroOrm: \`pool.min\` (${pool.min}) is larger than \`pool.max\` (${pool.max}).`);
  }
  // A setting given as `undefined` is left out, so the driver's default applies, not `undefined`.
  return Object.fromEntries(Object.entries(pool).filter(([, v]) => v !== undefined)) as PoolConfig;
}

function checkReplicas(primary: ConnectionTarget, replicas: unknown): ConnectionTarget[] {
  if (replicas === undefined) return [];
  if (!Array.isArray(replicas))
    throw new ConfigError('mikroOrm: `replicas` must be an array of database URLs.');
  return replicas.map((url, i) => {
    const target = parseDatabaseUrl(url, `replicas[${i}]`);
    if (primary.dialect === 'sqlite')
      throw new ConfigError('mikroOrm: SQLite has no read replicas; remove `replicas`.');
    if (FAMILY[target.dialect] !== FAMILY[primary.dialect]) {
      throw new ConfigError(
        `mikroOrm: \`replicas[${i}]\` is a ${target.dialect} URL but \`url\` is ${primary.dialect}: use the same database.`,
      );
    }
    return target;
  });
}

/** Validates `mikroOrm` options without connecting: every mistake is a `ConfigError` naming the option. */
export function checkOptions(options: MikroOrmOptions): {
  checked: MikroOrmOptions;
  target: ConnectionTarget;
  replicas: ConnectionTarget[];
} {
  if (!options || typeof options !== 'object') {
    throw new ConfigError("mikroOrm needs options: mikroOrm({ url: 'postgresql://…' }).");
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key))
      throw new ConfigError(`mikroOrm: unknown option \`${key}\`. Known options: ${[...KNOWN].join(', ')}.`);
  }
  if (options.debug !== undefined && typeof options.debug !== 'boolean') {
    throw new ConfigError('mikroOrm: `debug` must be true or false.');
  }
  seconds('statementTimeout', options.statementTimeout);
  if (options.entities !== undefined && !Array.isArray(options.entities)) {
    throw new ConfigError('mikroOrm: `entities` must be an array of MikroORM entities or EntitySchemas.');
  }
  const target = parseDatabaseUrl(options.url, 'url');
  const replicas = checkReplicas(target, options.replicas);
  return { checked: { ...options, pool: checkPool(options.pool) }, target, replicas };
}
