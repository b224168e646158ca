import type { RawConnection } from '../internals/index.js';
import type { GuardedDriver } from './guarded-driver.js';
import type {
  Abortable,
  CompiledStatement,
  KyselyConnection,
  StatementResult,
  TransactionSettings,
} from './kysely-subset.js';
import { rawStatement } from './kysely-subset.js';

/** A wait of this connection that can be failed from outside (a deadline, the scope ending). */
interface Pending {
  fail(error: Error): void;
}

/** When a wait must have ended, and what it fails with if it has not. */
export interface Bound {
  readonly at: number | undefined;
  readonly error: () => Error;
}

/**
 * One connection as Kysely (and so MikroORM) sees it, taken from the pool only when its first statement
 * runs: a transaction's BEGIN waits until then, and one that runs nothing ends without a round trip.
 * It fails every wait at the transaction's deadline, refuses statements once it was cut, and tells the
 * driver whether it can go back to the pool or must be destroyed.
 */
export class GuardedConnection implements KyselyConnection {
  readonly #driver: GuardedDriver;
  #inner: KyselyConnection | undefined;
  #raw: RawConnection | undefined;
  #opening: Promise<void> | undefined;
  #settings: TransactionSettings | undefined;
  #startStatements: readonly string[] = [];
  #deadline: number | undefined;
  #timedOut: (() => Error) | undefined;
  #failure: Error | undefined;
  readonly #pending = new Set<Pending>();
  /** @internal the transaction was begun on the wire. */
  inTransaction = false;
  /** @internal a BEGIN is wanted before the first statement. */
  wantsTransaction = false;
  /** @internal the connection cannot be trusted: destroy it instead of releasing it. */
  broken = false;
  /** @internal handed back to the driver. */
  released = false;

  constructor(driver: GuardedDriver) {
    this.#driver = driver;
  }

  /** @internal the pooled connection, once the first statement took one. */
  get inner(): KyselyConnection | undefined {
    return this.#inner;
  }

  /** @internal the driver's own handle of it, where the guard could reach it. */
  get raw(): RawConnection | undefined {
    return this.#raw;
  }

  /** True once a connection was taken from the pool for this one. */
  get opened(): boolean {
    return this.#inner !== undefined;
  }

  /** True while a statement (or the wait for a pooled connection) is in flight. */
  get busy(): boolean {
    return this.#pending.size > 0;
  }

  /** Why every statement of this connection now fails, once it was cut. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Bounds every wait of this connection — for a pooled connection, each statement, the COMMIT — by
   * `deadline` (epoch ms); `timedOut` makes the error a late wait fails with.
   */
  setDeadline(deadline: number | undefined, timedOut: () => Error): void {
    this.#deadline = deadline;
    this.#timedOut = timedOut;
  }

  /** Statements run right after BEGIN, on the wire, before the first statement of the transaction. */
  setStartStatements(statements: readonly string[]): void {
    this.#startStatements = [...statements];
  }

  /**
   * Sends `sql` before the connection's first statement if it has run none yet (true), so that a
   * transaction that never runs one never sends it either; false: it has, send it now.
   */
  defer(sql: string): boolean {
    if (this.#inner !== undefined || this.#opening !== undefined) return false;
    (this.#startStatements as string[]).push(sql);
    return true;
  }

  /**
   * Takes back a deferred statement and every one deferred after it (a savepoint rolled back, or
   * released, before anything ran); false when it was sent already.
   */
  withdraw(sql: string, andAfter: boolean): boolean {
    const at = this.#startStatements.lastIndexOf(sql);
    if (at === -1 || this.#inner !== undefined || this.#opening !== undefined) return false;
    const list = this.#startStatements as string[];
    list.splice(at, andAfter ? list.length - at : 1);
    return true;
  }

  /** @internal records the BEGIN the driver was asked for; sent before the first statement. */
  beginLater(settings: TransactionSettings): void {
    this.#settings = settings;
    this.wantsTransaction = true;
  }

  /** Takes the pooled connection and sends BEGIN (and the start statements) now, if not done yet. */
  open(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    this.#opening ??= this.#open();
    return this.#opening;
  }

  async #open(): Promise<void> {
    const checkout = this.#driver.checkout();
    let got: Awaited<typeof checkout>;
    try {
      got = await this.#wait(checkout, this.#driver.acquireBound(this.#deadline, this.#timedOut));
    } catch (error) {
      // Given up on (late, or its scope ended): whatever the pool hands over later goes straight back.
      checkout.then(
        ({ inner }) => this.#driver.giveBack(inner),
        () => {},
      );
      throw error;
    }
    this.#inner = got.inner;
    this.#raw = got.raw;
    this.#driver.opened(this);
    if (this.wantsTransaction) {
      await this.#driver.beginOnWire(this.#direct, this.#settings ?? {});
      this.inTransaction = true;
      for (const sql of this.#startStatements) await this.#run(rawStatement(sql), undefined, true);
    }
  }

  /**
   * Fails the wait in flight and every later statement with `error`, and marks the connection for
   * destruction (its socket is closed at once when something is in flight: the server then ends the
   * transaction, and the pool slot is free again). Without anything in flight, only later statements fail.
   */
  cut(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    if (this.#pending.size === 0) return;
    this.broken = true;
    for (const p of this.#pending) p.fail(error);
    this.#pending.clear();
    if (this.#inner && !this.released) this.#raw?.destroy();
  }

  executeQuery(query: CompiledStatement, options?: Abortable): Promise<StatementResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    try {
      this.#driver.check(query);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#inner === undefined) return this.open().then(() => this.#run(query, options));
    return this.#run(query, options);
  }

  async *streamQuery(
    query: CompiledStatement,
    chunkSize: number,
    options?: Abortable,
  ): AsyncIterableIterator<StatementResult> {
    if (this.#failure) throw this.#failure;
    this.#driver.check(query);
    if (this.#inner === undefined) await this.open();
    try {
      yield* this.#inner!.streamQuery(query, chunkSize, options);
    } catch (error) {
      throw this.#lost(error);
    }
  }

  /** The statement path that does not open: BEGIN and the start statements go through it. */
  readonly #direct: KyselyConnection = {
    executeQuery: (query, options) => this.#run(query, options, true),
    streamQuery: (query, chunkSize, options) => this.#inner!.streamQuery(query, chunkSize, options),
  };

  /** Runs a statement on the pooled connection; `logged`: the guard logs it (MikroORM never sees it). */
  #run(query: CompiledStatement, options?: Abortable, logged = this.#control): Promise<StatementResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    const started = logged ? performance.now() : 0;
    const sent = this.#wait(
      this.#inner!.executeQuery(query, options).catch((error: unknown) => {
        throw this.#lost(error);
      }),
      this.#driver.statementBound(this.#deadline, this.#timedOut),
    );
    if (!logged) return sent;
    return sent.then(
      (result) => {
        this.#driver.logStatement(query.sql, performance.now() - started, false);
        return result;
      },
      (error: unknown) => {
        this.#driver.logStatement(query.sql, performance.now() - started, true);
        throw error;
      },
    );
  }

  #control = false;

  /**
   * Runs the dialect's transaction control (COMMIT, ROLLBACK, SAVEPOINT…) on this connection, logging
   * what reaches the wire: MikroORM logs those statements when asked for them, sent or not.
   */
  async control<T>(work: () => Promise<T>): Promise<T> {
    this.#control = true;
    try {
      return await work();
    } finally {
      this.#control = false;
    }
  }

  #lost(error: unknown): unknown {
    if (this.#driver.isLoss(error)) this.broken = true;
    return error;
  }

  /**
   * Waits for `work`, unless it is failed first: by its bound passing (then the connection is cut and
   * destroyed — it did not answer in time), or by `cut`.
   */
  #wait<T>(work: Promise<T>, bound: Bound): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let cancel: (() => void) | undefined;
      const pending: Pending = {
        fail: (error) => {
          if (!this.#pending.delete(pending)) return;
          cancel?.();
          reject(error);
        },
      };
      this.#pending.add(pending);
      if (bound.at !== undefined)
        cancel = this.#driver.deadlines.watch(bound.at, () => this.cut(bound.error()));
      work.then(
        (value) => {
          if (!this.#pending.delete(pending)) return;
          cancel?.();
          resolve(value);
        },
        (error: unknown) => {
          if (!this.#pending.delete(pending)) return;
          cancel?.();
          reject(error);
        },
      );
    });
  }
}
