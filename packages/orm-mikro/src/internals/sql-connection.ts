import type { Dictionary, EntityManager, Platform } from '@mikro-orm/core';
import type { Options } from '@mikro-orm/sql';

/*
 * MikroORM's SQL layer where Kosha sends statements of its own (the bulk insert) or builds the Kysely
 * client itself (the connection guard): members that MikroORM 7.2 keeps protected, private or
 * `@internal`, and one option shape its typings leave out.
 */

interface LoggedRunner {
  executeQuery<R>(query: string, run: () => Promise<R>, context?: Dictionary): Promise<R>;
}

/**
 * Runs `run` the way MikroORM runs its own statements: timed and logged as `logged` (with `?`
 * placeholders) under the EntityManager's logger context (Connection.executeQuery, protected;
 * EntityManager._id, `@internal`). A plain result object with `affectedRows` is what the query logger reports.
 */
export function runLogged<R>(em: EntityManager, logged: string, run: () => Promise<R>): Promise<R> {
  const connection = em.getConnection('write') as unknown as LoggedRunner;
  return connection.executeQuery(logged, run, { id: em._id });
}

/**
 * The `auto_increment_increment` step of MySQL/MariaDB keys, read once per driver on `ctx`'s connection
 * (MySqlDriver.getAutoIncrementIncrement, private): MikroORM's own multi-row insert assumes the same.
 */
export async function autoIncrementStep(em: EntityManager, ctx: unknown): Promise<bigint> {
  const driver = em.getDriver() as unknown as { getAutoIncrementIncrement(ctx: unknown): Promise<number> };
  return BigInt(await driver.getAutoIncrementIncrement(ctx));
}

/**
 * How the platform writes a date into SQL when it has a way of its own: PostgreSQL's `formatDate`, in the
 * time zone MikroORM is configured with (public on BasePostgreSqlPlatform, absent from `Platform`).
 */
export function dateFormatterOf(platform: Platform): ((date: Date) => string) | undefined {
  const formatDate = (platform as unknown as { formatDate?(date: Date): string }).formatDate;
  return typeof formatDate === 'function' ? (date) => formatDate.call(platform, date) : undefined;
}

/**
 * MikroORM's `driverOptions` as a function that it calls when it builds its Kysely client — after it has
 * copied the options, so the dialect can be made from MikroORM's own connection first
 * (AbstractSqlConnection accepts a function there; its typings say an object).
 */
export function driverOptionsLater(make: () => unknown): Options['driverOptions'] {
  return make as unknown as Options['driverOptions'];
}

/** Members of MikroORM's SQL layer the bulk insert calls, with their parameter counts in 7.2.1–7.2.5. */
/**
 * The better-sqlite3 database behind MikroORM's SQLite connection, set when it builds its Kysely dialect
 * (SqliteConnection.database, private; `getNativeClient()` gives the same object, but only asynchronously
 * and after connecting). `undefined` when it is not there: the statement cache is then left out.
 */
export function sqliteDatabaseOf(connection: unknown): unknown {
  return (connection as { database?: unknown }).database;
}

export const SQL_BORROWS = [
  {
    fn: 'runLogged',
    member: 'Connection.executeQuery',
    value: (em: EntityManager) => (em.getConnection('write') as unknown as Dictionary).executeQuery,
    arity: 3,
  },
] as const;

/** The MySQL driver's member the bulk insert calls without RETURNING. */
export const MYSQL_BORROWS = [
  {
    fn: 'autoIncrementStep',
    member: 'MySqlDriver.getAutoIncrementIncrement',
    value: (em: EntityManager) => (em.getDriver() as unknown as Dictionary).getAutoIncrementIncrement,
    arity: 1,
  },
] as const;
