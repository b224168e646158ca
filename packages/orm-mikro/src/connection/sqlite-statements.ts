// Prepared statements kept for reuse on SQLite (DESIGN §15). Kysely's SQLite connection prepares every
// statement it runs again (`db.prepare(sql)` per query), `begin` and `commit` included; with Kosha's
// compiled statements, whose text is the same whatever the values, preparing is most of what a read by
// id costs there. This connection keeps the last statements in a bounded map by their text, and runs them
// as Kysely's own connection does. A statement that is still iterating (a stream) is never handed out
// again: that query gets a statement of its own. The map is private to the connection: a statement the
// application prepares itself on the native client (`getNativeClient().prepare(…)`, which it may switch
// to `.pluck()` or `.raw()`) is never shared with Kosha.
import type {
  Abortable,
  CompiledStatement,
  CompileQuery,
  KyselyConnection,
  KyselyDriver,
  StatementResult,
  TransactionSettings,
} from './kysely-subset.js';

/** What this file reads of a better-sqlite3 statement. */
interface SqliteStatement {
  readonly reader: boolean;
  readonly busy: boolean;
  all(parameters: readonly unknown[]): unknown[];
  run(parameters: readonly unknown[]): { changes?: number | bigint; lastInsertRowid?: number | bigint };
}

/** What this file reads of a better-sqlite3 database. */
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
}

/** How many statements a connection keeps (the oldest goes first). */
export const STATEMENT_CACHE_SIZE = 256;

/** True when `db` looks like a better-sqlite3 database this file can prepare on. */
export function isSqliteDatabase(db: unknown): db is SqliteDatabase {
  return typeof (db as SqliteDatabase | undefined)?.prepare === 'function';
}

/** The statements of one database, oldest first. */
export class StatementCache {
  readonly #db: SqliteDatabase;
  readonly #size: number;
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(db: SqliteDatabase, size = STATEMENT_CACHE_SIZE) {
    this.#db = db;
    this.#size = size;
  }

  /** A prepared statement for `sql`: a kept one that is not iterating, else a new one (kept if none was). */
  statement(sql: string): SqliteStatement {
    const kept = this.#statements.get(sql);
    // A hit is one lookup: the text is a new string at every call, and each lookup hashes all of it, so
    // the oldest statement goes first (not the least recently used). One that is still used is
    // prepared again, once, when it comes back after `size` other texts.
    if (kept !== undefined) return kept.busy ? this.#db.prepare(sql) : kept;
    const made = this.#db.prepare(sql);
    this.#statements.set(sql, made);
    if (this.#statements.size > this.#size) {
      this.#statements.delete(this.#statements.keys().next().value as string);
    }
    return made;
  }

  /** How many statements are kept (tests). */
  get size(): number {
    return this.#statements.size;
  }
}

/** Kysely's SQLite connection with its statements kept; streams go to Kysely's own. */
class CachingConnection implements KyselyConnection {
  constructor(
    readonly inner: KyselyConnection,
    private readonly cache: StatementCache,
  ) {}

  executeQuery(query: CompiledStatement): Promise<StatementResult> {
    try {
      const stmt = this.cache.statement(query.sql);
      if (stmt.reader) return Promise.resolve({ rows: stmt.all(query.parameters) });
      const { changes, lastInsertRowid } = stmt.run(query.parameters);
      return Promise.resolve({
        ...(lastInsertRowid != null ? { insertId: BigInt(lastInsertRowid) } : {}),
        ...(changes != null ? { numAffectedRows: BigInt(changes) } : {}),
        rows: [],
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  streamQuery(query: CompiledStatement, chunkSize: number, options?: Abortable) {
    return this.inner.streamQuery(query, chunkSize, options);
  }
}

/** The dialect's SQLite driver, its one connection keeping its prepared statements. */
export function cachingSqliteDriver(inner: KyselyDriver, db: SqliteDatabase): KyselyDriver {
  const cache = new StatementCache(db);
  const wrapped = new WeakMap<KyselyConnection, CachingConnection>();
  const unwrap = (c: KyselyConnection) => (c instanceof CachingConnection ? c.inner : c);
  const driver: KyselyDriver = {
    init: (options?: Abortable) => inner.init(options),
    async acquireConnection(options?: Abortable) {
      const c = await inner.acquireConnection(options);
      let w = wrapped.get(c);
      if (!w) {
        w = new CachingConnection(c, cache);
        wrapped.set(c, w);
      }
      return w;
    },
    // Kysely's own driver sends these through the connection it is given: the caching one.
    beginTransaction: (c: KyselyConnection, settings: TransactionSettings) =>
      inner.beginTransaction(c, settings),
    commitTransaction: (c: KyselyConnection) => inner.commitTransaction(c),
    rollbackTransaction: (c: KyselyConnection) => inner.rollbackTransaction(c),
    releaseConnection: (c: KyselyConnection, options?: Abortable) =>
      inner.releaseConnection(unwrap(c), options),
    destroy: (options?: Abortable) => inner.destroy(options),
  };
  if (inner.savepoint) {
    driver.savepoint = (c: KyselyConnection, name: string, compile: CompileQuery) =>
      inner.savepoint!(c, name, compile);
  }
  if (inner.rollbackToSavepoint) {
    driver.rollbackToSavepoint = (c: KyselyConnection, name: string, compile: CompileQuery) =>
      inner.rollbackToSavepoint!(c, name, compile);
  }
  if (inner.releaseSavepoint) {
    driver.releaseSavepoint = (c: KyselyConnection, name: string, compile: CompileQuery) =>
      inner.releaseSavepoint!(c, name, compile);
  }
  return driver;
}
