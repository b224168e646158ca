import { MigrationError } from '@kosha/core';
import type { AbstractSqlConnection } from '@mikro-orm/sql';
import type { Dialect } from '../url.js';

/** A connection reserved for the lock: raw statements on it (Kysely's `executeQuery`). */
interface LockConnection {
  executeQuery(query: {
    sql: string;
    parameters: readonly unknown[];
    query: unknown;
  }): Promise<{ rows: unknown[] }>;
}

// A compiled raw query, as Kysely's `sql` tag makes one (its plugins key their state by `queryId`).
const raw = (sql: string, parameters: readonly unknown[] = []) => ({
  sql,
  parameters,
  query: { kind: 'RawNode', sqlFragments: [sql], parameters: [] },
  queryId: { queryId: `kosha-migration-lock-${++queries}` },
});
let queries = 0;

async function first(db: LockConnection, sql: string, parameters: readonly unknown[] = []): Promise<unknown> {
  const { rows } = await db.executeQuery(raw(sql, parameters));
  return Object.values((rows[0] ?? {}) as Record<string, unknown>)[0];
}

/** What the lock is taken for: the database, the migrations table, how long to wait. */
export interface LockTarget {
  readonly dialect: Dialect;
  /** The database (MySQL's GET_LOCK names are server-wide: the name carries it). */
  readonly dbName: string;
  /** The migrations table: runs on different tables do not wait for each other. */
  readonly table: string;
  /** Seconds to wait for another instance's run. */
  readonly timeout: number;
}

/**
 * Runs `work` holding the database's migration lock, so that instances migrating at once run one after the
 * other and the second finds nothing pending:
 *
 * - PostgreSQL: `pg_advisory_lock` on a connection kept for the run (session-level: it outlives each
 *   migration's own transaction), waiting at most `timeout` (`lock_timeout`);
 * - MySQL, MariaDB: `GET_LOCK(name, timeout)` likewise (it survives the implicit commits of DDL);
 * - SQLite: the database file's own lock (`BEGIN EXCLUSIVE` held through `locking_mode = EXCLUSIVE`); an
 *   in-memory database has no other process to wait for.
 *
 * The migrations themselves run on other connections of the pool (PostgreSQL, MySQL) or on SQLite's one.
 */
export async function withMigrationLock<T>(
  connection: AbstractSqlConnection,
  target: LockTarget,
  work: () => Promise<T>,
): Promise<T> {
  const name = `kosha:migrations:${target.dbName}:${target.table}`.slice(0, 64);
  const reserved = <R>(fn: (db: LockConnection) => Promise<R>) =>
    connection
      .getClient()
      .connection()
      .execute((db) => fn(db as unknown as LockConnection));
  switch (target.dialect) {
    case 'postgresql':
      return reserved((db) => postgresLock(db, name, target, work));
    case 'mysql':
    case 'mariadb':
      return reserved((db) => mysqlLock(db, name, target, work));
    case 'sqlite':
      return target.dbName === ':memory:' ? work() : sqliteLock(connection, target, work);
  }
}

async function postgresLock<T>(db: LockConnection, name: string, target: LockTarget, work: () => Promise<T>) {
  // The wait is bounded by lock_timeout, which pg_advisory_lock obeys; reset before the connection goes back.
  await db.executeQuery(raw(`set lock_timeout = ${Math.max(1, Math.round(target.timeout * 1000))}`));
  try {
    await db.executeQuery(raw('select pg_advisory_lock(hashtext($1))', [name]));
  } catch (error) {
    if ((error as { code?: string })?.code === '55P03')
      throw MigrationError.locked(name, target.timeout, error);
    throw error;
  } finally {
    await db.executeQuery(raw('reset lock_timeout'));
  }
  try {
    return await work();
  } finally {
    await db.executeQuery(raw('select pg_advisory_unlock(hashtext($1))', [name]));
  }
}

async function mysqlLock<T>(db: LockConnection, name: string, target: LockTarget, work: () => Promise<T>) {
  // 1: taken; 0: timed out; NULL: an error (the connection was killed).
  const got = await first(db, 'select get_lock(?, ?)', [name, Math.max(0, Math.ceil(target.timeout))]);
  if (Number(got) !== 1) throw MigrationError.locked(name, target.timeout);
  try {
    return await work();
  } finally {
    await db.executeQuery(raw('select release_lock(?)', [name]));
  }
}

// better-sqlite3 waits its busy timeout (5 s) for a lock, then throws SQLITE_BUSY: wait again until the deadline.
async function sqliteLock<T>(
  connection: AbstractSqlConnection,
  target: LockTarget,
  work: () => Promise<T>,
): Promise<T> {
  // SQLite has one connection: the statements go through it between the migrations' own.
  const run = (sql: string) => connection.execute(sql, [], 'run');
  const deadline = Date.now() + target.timeout * 1000;
  for (;;) {
    try {
      await run('begin exclusive');
      break;
    } catch (error) {
      const code = (error as { code?: string })?.code ?? '';
      if (!code.startsWith('SQLITE_BUSY')) throw error;
      if (Date.now() >= deadline)
        throw MigrationError.locked(`${target.dbName} (SQLite)`, target.timeout, error);
    }
  }
  // In exclusive locking mode the lock outlives the transaction that took it, until the mode is normal again.
  try {
    await run('pragma locking_mode = exclusive');
    await run('commit');
  } catch (error) {
    await run('rollback').catch(() => {});
    await run('pragma locking_mode = normal').catch(() => {});
    throw error;
  }
  try {
    return await work();
  } finally {
    await run('pragma locking_mode = normal');
    // The lock goes at the next access of the file.
    await run('select count(*) from sqlite_master');
  }
}
