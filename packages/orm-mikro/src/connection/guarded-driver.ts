import { CommitUnknownError, DatabaseError, type Logger } from '@kosha/core';
import type { CheckoutWatch, RawConnection } from '../internals/index.js';
import type { Dialect } from '../url.js';
import { isConnectionLoss, neverSent } from './connection-loss.js';
import { DeadlineWatch } from './deadline-watch.js';
import { type Bound, GuardedConnection } from './guarded-connection.js';
import type {
  Abortable,
  CompiledStatement,
  CompileQuery,
  KyselyConnection,
  KyselyDriver,
  TransactionSettings,
} from './kysely-subset.js';
import { rawStatement } from './kysely-subset.js';
import { OneAtATime } from './one-at-a-time.js';
import type { SqliteDatabase } from './sqlite-statements.js';

/** How long and how the guard lets connections wait. */
export interface ConnectionPolicy {
  readonly dialect: Dialect;
  /** Milliseconds to wait for a pooled connection. */
  readonly acquireTimeoutMs: number;
  /** Milliseconds any statement may take, for the whole instance; `undefined`: no limit. */
  readonly statementTimeoutMs: number | undefined;
  /** Milliseconds `destroy` waits for connections in use before it destroys them. */
  readonly closeTimeoutMs: number;
  /** `pool.max`, for messages. */
  readonly maxConnections: number | undefined;
  readonly logger: Logger;
  /** Checks a statement before it is sent (lone surrogates, NUL bytes): throws to refuse it. */
  readonly check: (sql: string, parameters: readonly unknown[]) => void;
  /** Statements that set up each new pooled connection (the instance's statement timeout). */
  readonly setup: (connection: KyselyConnection) => Promise<void>;
  /** Logs a statement the guard sent itself (BEGIN and its settings, COMMIT, ROLLBACK, savepoints). */
  readonly log: (sql: string, tookMs: number, failed: boolean) => void;
  /** SQLite's database, whose prepared statements the connection keeps (sqlite-statements.ts). */
  readonly sqliteStatements?: SqliteDatabase | undefined;
}

const lostBeforeCommit = (cause?: unknown) =>
  new DatabaseError(
    'connection',
    'The database connection was lost before the transaction could commit, so it was not committed: nothing ' +
      'it changed was saved. Retry the whole transaction.',
    cause === undefined ? undefined : { cause },
  );

// A database answering with its own timeout error is better than a destroyed connection: the client-side
// cut waits this much longer than the server-side limit.
const GRACE_MS = 1000;

/**
 * The driver MikroORM's Kysely talks to, wrapped around the dialect's own: every connection is a
 * {@link GuardedConnection}, taken from the pool at its first statement. A connection that failed or did
 * not answer in time is destroyed, never handed back, whatever state its transaction was in — also when
 * its BEGIN, COMMIT or ROLLBACK failed, the paths where Kysely itself never releases it (kysely 0.29).
 * Waits for the pool are bounded; `destroy` is bounded too.
 */
export class GuardedDriver implements KyselyDriver {
  /** The one deadline timer of this driver's connections. */
  readonly deadlines = new DeadlineWatch();
  readonly #inner: KyselyDriver;
  readonly #policy: ConnectionPolicy;
  readonly #live = new Set<GuardedConnection>();
  readonly #setUp = new WeakSet<KyselyConnection>();
  #watch: CheckoutWatch | undefined;
  #drained: (() => void) | undefined;
  #destroyed = false;
  /** SQLite's one connection (Kysely's own lock is off: see guardDialect). */
  readonly #one: OneAtATime | undefined;

  constructor(inner: KyselyDriver, policy: ConnectionPolicy) {
    this.#inner = inner;
    this.#policy = policy;
    if (policy.dialect === 'sqlite') this.#one = new OneAtATime();
  }

  /** Lets the guard reach the raw connections of the native pool (to destroy stalled ones). */
  watchCheckouts(watch: CheckoutWatch | undefined): void {
    this.#watch = watch;
  }

  /** Connections taken from the pool and not yet handed back. */
  get inUse(): number {
    return this.#live.size;
  }

  init(options?: Abortable): Promise<void> {
    return this.#inner.init(options);
  }

  /** Cheap: the pooled connection is taken by the first statement. */
  async acquireConnection(): Promise<GuardedConnection> {
    return this.connection();
  }

  /** A connection that takes a pooled one at its first statement (synchronously: nothing to wait for). */
  connection(): GuardedConnection {
    if (this.#destroyed) throw new DatabaseError('connection', 'The database connection pool is closed.');
    return new GuardedConnection(this);
  }

  /** @internal logs a failure nobody waits for (a release after the transaction ended). */
  logFailure(error: unknown): void {
    this.#policy.logger.warn('giving a database connection back failed', error);
  }

  /** @internal logs a statement the guard sent. */
  logStatement(sql: string, tookMs: number, failed: boolean): void {
    this.#policy.log(sql, tookMs, failed);
  }

  /** @internal checks a statement before it leaves. */
  check(query: CompiledStatement): void {
    this.#policy.check(query.sql, query.parameters);
  }

  /** @internal true when `error` means the connection cannot be trusted. */
  isLoss(error: unknown): boolean {
    return isConnectionLoss(this.#policy.dialect, error);
  }

  /** @internal takes a connection from the native pool (unbounded: the connection bounds the wait). */
  async checkout(): Promise<{ inner: KyselyConnection; raw: RawConnection | undefined }> {
    if (this.#destroyed) throw new DatabaseError('connection', 'The database connection pool is closed.');
    if (this.#one) await this.#one.acquire();
    const { result, raw } = this.#watch
      ? this.#watch.capture(() => this.#inner.acquireConnection())
      : { result: this.#inner.acquireConnection(), raw: Promise.resolve(undefined) };
    let inner: KyselyConnection;
    try {
      inner = await result;
    } catch (error) {
      this.#one?.release();
      throw this.#acquireError(error);
    }
    const handle = await raw;
    if (!this.#setUp.has(inner)) {
      try {
        await this.#policy.setup(inner);
        this.#setUp.add(inner);
      } catch (error) {
        handle?.destroy();
        if (!handle) await this.#inner.releaseConnection(inner).catch(() => {});
        this.#one?.release();
        throw error;
      }
    }
    return { inner, raw: handle };
  }

  /** @internal the connection took a pooled one. */
  opened(connection: GuardedConnection): void {
    this.#live.add(connection);
  }

  /** @internal hands back a pooled connection nobody waits for any more. */
  giveBack(inner: KyselyConnection): void {
    this.#inner
      .releaseConnection(inner)
      .catch(() => {})
      .finally(() => this.#one?.release());
  }

  /** @internal the bound of a wait for a pooled connection. */
  acquireBound(deadline: number | undefined, timedOut: (() => Error) | undefined): Bound {
    const at = Date.now() + this.#policy.acquireTimeoutMs;
    if (deadline !== undefined && timedOut && deadline < at) return { at: deadline, error: timedOut };
    return { at, error: () => this.#exhausted() };
  }

  /** @internal the bound of one statement. */
  statementBound(deadline: number | undefined, timedOut: (() => Error) | undefined): Bound {
    const ms = this.#policy.statementTimeoutMs;
    const at = ms === undefined ? undefined : Date.now() + ms + GRACE_MS;
    if (deadline !== undefined && timedOut && (at === undefined || deadline < at)) {
      return { at: deadline, error: timedOut };
    }
    return {
      at,
      error: () =>
        new DatabaseError(
          'connection',
          `The database did not answer a statement within the statement timeout (${ms} ms) and a second more: ` +
            'the connection was destroyed (a stalled link, or a server that stopped answering).',
        ),
    };
  }

  #exhausted(): DatabaseError {
    const max = this.#policy.maxConnections;
    return new DatabaseError(
      'acquire_timeout',
      `No database connection came free within pool.acquireTimeout (${this.#policy.acquireTimeoutMs / 1000} s)` +
        `${max ? `: all ${max} connections of the pool (pool.max) are in use` : ''}. Raise pool.max, keep ` +
        'transactions short (no slow calls inside them), or raise pool.acquireTimeout.',
    );
  }

  #acquireError(error: unknown): unknown {
    // pg's own wait for the pool (connectionTimeoutMillis, set to the acquire timeout) ends with this.
    if (/timeout exceeded when trying to connect/i.test((error as Error)?.message ?? '')) {
      return this.#live.size >= (this.#policy.maxConnections ?? Infinity) ? this.#exhausted() : error;
    }
    return error;
  }

  /** Records the BEGIN; it is sent before the connection's first statement. */
  async beginTransaction(connection: KyselyConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as GuardedConnection;
    c.beginLater(settings);
    if (c.opened) {
      await this.beginOnWire(connection, settings);
      c.inTransaction = true;
    }
  }

  /** @internal sends BEGIN through the dialect's own driver. */
  beginOnWire(connection: KyselyConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(connection, settings);
  }

  /**
   * Commits. A transaction that never ran a statement has nothing to commit. When the connection is lost
   * while the COMMIT is on its way, the outcome is unknown: `CommitUnknownError`, never "not saved".
   */
  async commitTransaction(connection: KyselyConnection): Promise<void> {
    const c = connection as GuardedConnection;
    if (!c.inTransaction) {
      c.wantsTransaction = false;
      return;
    }
    if (c.failure) throw c.failure;
    if (c.broken) throw lostBeforeCommit();
    try {
      await c.control(() => this.#inner.commitTransaction(c));
    } catch (error) {
      // The driver knew the link was gone and never sent the COMMIT: the database rolls back on its own.
      if (neverSent(this.#policy.dialect, error)) throw lostBeforeCommit(error);
      if (c.broken) throw CommitUnknownError.replyLost(error);
      // The database refused the COMMIT (a deferred constraint). PostgreSQL has ended the transaction; SQLite
      // keeps it open: the ROLLBACK that follows is needed there and harmless here.
      throw error;
    }
    c.inTransaction = false;
  }

  /**
   * Rolls back. Never fails: a ROLLBACK that cannot be sent ends the transaction by destroying the
   * connection, which the database rolls back on its own.
   */
  async rollbackTransaction(connection: KyselyConnection): Promise<void> {
    const c = connection as GuardedConnection;
    c.wantsTransaction = false;
    if (!c.inTransaction) return;
    c.inTransaction = false;
    if (c.broken || c.failure) {
      c.broken = c.broken || c.failure !== undefined;
      return;
    }
    try {
      await c.control(() => this.#inner.rollbackTransaction(c));
    } catch (error) {
      c.broken = true;
      this.#policy.logger.warn(
        'ROLLBACK failed; the connection is destroyed instead, which ends the transaction',
        error,
      );
    }
  }

  savepoint(connection: KyselyConnection, name: string, compile: CompileQuery): Promise<void> {
    const c = connection as GuardedConnection;
    return c.control(() => this.#inner.savepoint!(c, name, compile));
  }

  rollbackToSavepoint(connection: KyselyConnection, name: string, compile: CompileQuery): Promise<void> {
    const c = connection as GuardedConnection;
    return c.control(() => this.#inner.rollbackToSavepoint!(c, name, compile));
  }

  releaseSavepoint(connection: KyselyConnection, name: string, compile: CompileQuery): Promise<void> {
    const c = connection as GuardedConnection;
    return c.control(() => this.#inner.releaseSavepoint!(c, name, compile));
  }

  /** Hands the pooled connection back — or destroys it when it cannot be trusted. */
  async releaseConnection(connection: KyselyConnection): Promise<void> {
    const c = connection as GuardedConnection;
    if (c.released) return;
    c.released = true;
    const inner = c.inner;
    if (!inner) return;
    this.#live.delete(c);
    if (this.#live.size === 0) this.#drained?.();
    if (c.inTransaction && !c.broken) {
      // Released with its transaction still open (its owner never ended it): nobody can end it any more.
      c.broken = true;
    }
    if (c.broken && c.raw) {
      c.raw.destroy();
      return;
    }
    // Without a raw handle (SQLite, or a pool the guard cannot reach), the pool's own checks decide: pg and
    // mysql2 both drop a client whose connection has failed.
    try {
      await this.#inner.releaseConnection(inner);
    } finally {
      this.#one?.release();
    }
  }

  /**
   * Closes the pool within a bound: waits up to the close timeout for connections still in use, destroys
   * those that are left, then ends the pool (also bounded).
   */
  async destroy(options?: Abortable): Promise<void> {
    this.#destroyed = true;
    const wait = this.#policy.closeTimeoutMs;
    if (this.#live.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.#drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#drained = undefined;
      for (const c of [...this.#live]) {
        c.cut(new DatabaseError('connection', 'The database connection pool was closed (kosha.close()).'));
        c.broken = true;
        await this.releaseConnection(c);
      }
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#inner.destroy(options),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.#policy.logger.warn(`closing the database pool took over ${wait} ms; giving up on it`);
          resolve();
        }, wait);
      }),
    ]);
    clearTimeout(timer);
  }
}

/** The statement that sets a connection's statement timeout, per database. */
export function statementTimeoutSetup(
  dialect: Dialect,
  ms: number | undefined,
): ((connection: KyselyConnection) => Promise<void>) | undefined {
  if (ms === undefined || dialect === 'sqlite' || dialect === 'postgresql') return undefined;
  return async (connection) => {
    try {
      // MariaDB counts seconds (fractions allowed); MySQL counts milliseconds, for SELECTs only.
      await connection.executeQuery(rawStatement(`set session max_statement_time = ${ms / 1000}`));
    } catch {
      await connection.executeQuery(rawStatement(`set session max_execution_time = ${ms}`));
    }
  };
}
