import {
  type BeginOptions,
  DatabaseError,
  type EntityClass,
  type FieldFilter,
  type FindOptions,
  IllegalTransactionStateError,
  InvalidArgumentError,
  keyFilter,
  keyOrder,
  type Logger,
  metadataOf,
  type QuerySpec,
  type ReadSpec,
  ScopeEndedError,
  type Session,
  TransactionTimedOutError,
  type UpdateSpec,
  type UpsertSpec,
  type WhereNode,
} from '@kosha/core';
import { raw } from '@mikro-orm/core';
import type { MikroORM, SqlEntityManager } from '@mikro-orm/sql';
import { insertNew } from './bulk-insert/insert-new.js';
import { endedContext } from './connection/ended-context.js';
import type { GuardedConnection } from './connection/guarded-connection.js';
import type { GuardedDriver } from './connection/guarded-driver.js';
import { toOrderBy, toWhere } from './field-filter.js';
import { fastPathProblem, type LazyTransactions, transactionConnection } from './internals/index.js';
import { copyGenerated, mergeDetached } from './merge-detached.js';
import {
  type CompileTarget,
  compiledFind,
  compiledPage,
  equalities,
  heldById,
  orderNodes,
} from './query/compiled-find.js';
import { deleteWhere } from './query/delete-where.js';
import { type Filter, type FilterTarget, toFilterQuery } from './query/filter-query.js';
import { keysetFilter, orderByOf } from './query/order-sql.js';
import { pageWithTotal } from './query/page-query.js';
import { SavepointStack } from './savepoint-stack.js';
import { ISOLATION, type TransactionSettings, transactionSettings } from './transaction-settings.js';
import type { Dialect } from './url.js';
import {
  commitFlushed,
  deleteCompiled,
  flushCompiled,
  flushPending,
  scheduledNothing,
} from './writes/compiled-flush.js';
import { lockOptions } from './writes/lock-mode.js';
import { deletedFilters, isDeleted, withoutDeleted } from './writes/soft-delete.js';
import { updateWhere } from './writes/update-where.js';
import { insertIgnoring, type UpsertTarget, upsertRows } from './writes/upsert.js';

/** What a session needs from its backend. */
export interface SessionHost {
  readonly orm: MikroORM;
  readonly dialect: Dialect;
  /** The server is MariaDB (also behind a mysql:// URL). */
  readonly mariadb: boolean;
  readonly capabilities: { readonly readReplicas: boolean };
  readonly logger: Logger;
  /** The instance's statement timeout (ms), which transaction settings restore. */
  readonly statementTimeoutMs: number | undefined;
  /** Builds Kysely transactions directly (`undefined`: through `em.begin()`, as MikroORM does). */
  readonly transactions: LazyTransactions | undefined;
  /** The connection guard of the primary. */
  readonly driver: GuardedDriver | undefined;
  translate(error: unknown): unknown;
}

const timedOut = (deadline: number) => () =>
  new TransactionTimedOutError(
    `The transaction reached its timeout (deadline ${new Date(deadline).toISOString()}) while waiting on the ` +
      'database; it was cut off and will be rolled back. Raise `timeout` or make the work shorter.',
  );

const SAVEPOINT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * A Kosha session on a forked MikroORM `EntityManager`: its own identity map and unit of work, a
 * connection only while a transaction is open, and the transaction primitives core's state machine drives.
 */
export class MikroSession implements Session {
  readonly #host: SessionHost;
  /** Forked on first use: a session whose work never reaches the database (a cache hit) forks nothing. */
  #em: SqlEntityManager | undefined;
  /** A transaction begun but not yet attached to the EntityManager: nothing has touched it. */
  #pending: { readonly options: BeginOptions; readonly settings: TransactionSettings } | undefined;
  readonly #readOnly: boolean;
  #settings: TransactionSettings | undefined;
  /** The connection of the transaction in progress. */
  #connection: GuardedConnection | undefined;
  #closedBy: (() => Error) | undefined;
  // Made on the first savepoint: most sessions never have one, and registering a stack costs a WeakMap entry.
  #stack: SavepointStack | undefined;
  #closed = false;
  /** The transaction in progress is read-only: its loaded entities are not checked for changes at the end. */
  #readOnlyTx = false;

  constructor(host: SessionHost, readOnly: boolean) {
    this.#host = host;
    this.#readOnly = readOnly;
  }

  /** The forked `EntityManager` (`repo.em`), in the session's transaction once one is begun. */
  get native(): SqlEntityManager {
    // The fork shares the ORM's event manager; `insertWatcher` routes this session's inserts to its savepoints.
    const em = (this.#em ??= this.#fork());
    if (this.#pending) this.#attach(em);
    return em;
  }

  #fork(): SqlEntityManager {
    const em = this.#host.orm.em.fork({ clear: true, useContext: false });
    if (this.#closedBy) em.setTransactionContext(endedContext(this.#closedBy) as never);
    return em;
  }

  /** Puts the begun transaction on the EntityManager, synchronously; its BEGIN waits for the first statement. */
  #attach(em: SqlEntityManager): void {
    const { options, settings } = this.#pending!;
    this.#pending = undefined;
    const connection = this.#host.driver!.connection();
    connection.beginLater({
      ...(options.isolation && options.isolation !== 'DEFAULT'
        ? { isolationLevel: ISOLATION[options.isolation] }
        : {}),
      ...(options.readOnly ? { accessMode: 'read only' } : {}),
    });
    const { deadline } = options;
    if (deadline !== undefined) connection.setDeadline(deadline, timedOut(deadline));
    connection.setStartStatements(settings.start);
    em.setTransactionContext(this.#host.transactions!.begin(connection) as never);
    this.#connection = connection;
  }

  get #savepoints(): SavepointStack {
    this.#stack ??= new SavepointStack(this.native);
    return this.#stack;
  }

  /**
   * Runs one operation of the session: refused once it is closed, and its errors (thrown or rejected)
   * translated into Kosha's. Not `async`: a read is one promise chain from MikroORM to the caller.
   */
  #op<R>(fn: () => Promise<R>): Promise<R> {
    if (this.#closed) {
      return Promise.reject(
        this.#closedBy?.() ??
          new IllegalTransactionStateError(
            'This session is closed: its unit of work ended. Open a new one (a new transaction).',
          ),
      );
    }
    let result: Promise<R>;
    try {
      result = fn();
    } catch (error) {
      return Promise.reject(this.#host.translate(error));
    }
    return result.catch((error: unknown) => {
      throw this.#host.translate(error);
    });
  }

  #inTransaction(what: string): void {
    if (!this.native.isInTransaction()) {
      throw new IllegalTransactionStateError(
        `${what} needs a transaction in progress on this session, and there is none.`,
      );
    }
  }

  async #execute(sql: string): Promise<void> {
    // Through the EntityManager: it runs on the transaction's connection, is logged and its errors converted.
    await this.native.execute(sql, [], 'run');
  }

  // Reads of a read-only session outside a transaction may go to a replica; inside one, the primary's snapshot wins.
  #readOptions(): { connectionType?: 'read' } {
    return this.#readOnly && this.#host.capabilities.readReplicas && !this.native.isInTransaction()
      ? { connectionType: 'read' }
      : {};
  }

  beginNow(options: BeginOptions): boolean {
    // The common case: a transaction is only noted here (see #attach), its BEGIN sent before its first
    // statement. Settings a dialect refuses take begin()'s path, which rejects with the reason.
    if (!this.#host.transactions || this.#closed || this.#pending || this.#em?.isInTransaction())
      return false;
    let settings: TransactionSettings;
    try {
      settings = transactionSettings(
        this.#host.dialect,
        this.#host.mariadb,
        options,
        this.#host.statementTimeoutMs,
      );
    } catch {
      return false;
    }
    this.#pending = { options, settings };
    this.#settings = settings;
    this.#readOnlyTx = options.readOnly === true;
    this.#stack?.clear();
    return true;
  }

  begin(options: BeginOptions): Promise<void> {
    if (this.beginNow(options)) return RESOLVED;
    return this.#op(async () => {
      if (this.#pending || this.#em?.isInTransaction()) {
        throw new IllegalTransactionStateError(
          'A transaction is already in progress on this session; use a savepoint (NESTED) instead.',
        );
      }
      const settings = transactionSettings(
        this.#host.dialect,
        this.#host.mariadb,
        options,
        this.#host.statementTimeoutMs,
      );
      this.#readOnlyTx = options.readOnly === true;
      if (this.#host.transactions && this.#host.driver) {
        // Attached to the EntityManager when the session is next used; one that never is runs nothing.
        this.#pending = { options, settings };
        this.#settings = settings;
        this.#stack?.clear();
        return;
      }
      await this.native.begin({
        isolationLevel: ISOLATION[options.isolation ?? 'DEFAULT'],
        readOnly: options.readOnly === true,
      });
      try {
        const connection = await transactionConnection(this.native.getTransactionContext());
        this.#connection = connection;
        if (connection) {
          const { deadline } = options;
          if (deadline !== undefined) connection.setDeadline(deadline, timedOut(deadline));
          // Sent with BEGIN, just before the transaction's first statement: one that runs nothing takes no
          // connection and sends nothing.
          connection.setStartStatements(settings.start);
        } else {
          for (const sql of settings.start) await this.#execute(sql);
        }
      } catch (error) {
        await this.native.rollback().catch(() => {});
        this.#connection = undefined;
        throw error;
      }
      this.#settings = settings;
      this.#stack?.clear();
    });
  }

  endUnused(): boolean {
    if (!this.#pending || this.#closed) return false;
    this.#pending = undefined;
    this.#settings = undefined;
    return true;
  }

  commit(): Promise<void> {
    // Begun and never used: nothing to write, nothing to send.
    if (this.endUnused()) return RESOLVED;
    return this.#op(async () => {
      if (this.#pending) {
        // Begun and never used: nothing to write, nothing to send.
        this.#pending = undefined;
        this.#settings = undefined;
        return;
      }
      this.#inTransaction('commit');
      const em = this.native;
      // A read-only transaction does not check its loaded entities for changes (Hibernate's read-only
      // rule, which Spring's readOnly sets); an entity scheduled for insert or removal still goes to the
      // flush, where the database refuses it. Otherwise plain column updates go out as compiled UPDATEs
      // when they are all there is (writes/compiled-flush.ts). Either way nothing is left to flush.
      const flushed =
        (this.#readOnlyTx && scheduledNothing(em)) || (await flushCompiled(em, this.#host.dialect));
      // em.commit() flushes and then commits. Settings that must be undone before the COMMIT need the
      // flush before them (it runs under them); without any, em.commit()'s own flush is the only one — a
      // second would walk every managed entity again for nothing (10,000 after a bulk insert).
      if (this.#settings?.end.length) {
        if (!flushed) await em.flush();
        await this.#endSettings();
      } else this.#settings = undefined;
      if (flushed) await commitFlushed(em);
      else await em.commit();
      this.#connection = undefined;
      this.#stack?.clear();
    });
  }

  rollback(): Promise<void> {
    return this.#op(async () => {
      if (this.#pending) {
        this.#pending = undefined;
        this.#settings = undefined;
        return;
      }
      this.#inTransaction('rollback');
      try {
        await this.#endSettings().catch((error) =>
          this.#host.logger.warn('resetting transaction settings failed', error),
        );
        await this.native.rollback();
      } finally {
        this.#connection = undefined;
        // What the unit of work holds may have been flushed and is now rolled back: none of it is trustworthy.
        this.native.clear();
        this.#stack?.clear();
      }
    });
  }

  async #endSettings(): Promise<void> {
    const settings = this.#settings;
    this.#settings = undefined;
    // A transaction that ran nothing never applied its settings; one whose connection broke lost them.
    const c = this.#connection;
    if (c && (!c.opened || c.broken)) return;
    for (const sql of settings?.end ?? []) await this.#execute(sql);
  }

  /** True while the session holds a database connection: its transaction has run a statement. */
  get holdsConnection(): boolean {
    const c = this.#connection;
    return c?.opened === true && !c.released;
  }

  /** Sends a savepoint statement now, or with the transaction's first statement if it has run none. */
  async #savepointStatement(sql: string): Promise<void> {
    if (!this.#connection?.defer(sql)) await this.#execute(sql);
  }

  savepoint(name: string): Promise<void> {
    return this.#op(async () => {
      this.#inTransaction('A savepoint');
      if (!SAVEPOINT_NAME.test(name))
        throw new InvalidArgumentError(`Invalid savepoint name ${JSON.stringify(name)}.`);
      // Flush first: otherwise the outer scope's pending writes would be written inside the savepoint and
      // lost with it when it rolls back (FACTS.md, trap 1).
      await this.native.flush();
      // Plain SAVEPOINT statements on the transaction's connection rather than Connection.begin({ ctx }):
      // core names savepoints uniquely per transaction, while MikroORM names each `trx<depth>`, and a
      // repeated name silently replaces the earlier savepoint on MySQL/MariaDB.
      await this.#savepointStatement(`savepoint ${name}`);
      this.#savepoints.push(name);
    });
  }

  releaseSavepoint(name: string): Promise<void> {
    return this.#op(async () => {
      this.#inTransaction('A savepoint');
      this.#savepoints.check(name);
      // Still unsent (nothing ran since): forgetting it is releasing it.
      if (!this.#connection?.withdraw(`savepoint ${name}`, false))
        await this.#execute(`release savepoint ${name}`);
      this.#savepoints.release(name);
    });
  }

  rollbackToSavepoint(name: string): Promise<void> {
    return this.#op(async () => {
      this.#inTransaction('A savepoint');
      this.#savepoints.check(name);
      if (!this.#connection?.withdraw(`savepoint ${name}`, true)) {
        await this.#execute(`rollback to savepoint ${name}`);
      }
      this.#savepoints.rollBackTo(name);
    });
  }

  flush(): Promise<void> {
    return this.#op(() => this.#flush());
  }

  /** The unit of work's changes, as compiled UPDATEs where they are only those (writes/compiled-flush.ts). */
  #flush(): Promise<void> {
    return flushPending(this.native, this.#host.dialect);
  }

  close(reason?: () => Error): Promise<void> {
    if (this.#closed) return RESOLVED;
    if (this.#em === undefined) {
      // Never used: no EntityManager to clear or to refuse, no connection.
      this.#closed = true;
      this.#pending = undefined;
      this.#closedBy =
        reason ??
        (() =>
          new ScopeEndedError(
            'This session is closed: its unit of work ended. Open a new one (a new transaction).',
          ));
      return RESOLVED;
    }
    return this.#close(reason);
  }

  async #close(reason?: () => Error): Promise<void> {
    // Made when something asks: most sessions close with nobody left to tell, and an Error costs its stack.
    const why =
      reason ??
      (() =>
        new ScopeEndedError(
          'This session is closed: its unit of work ended. Open a new one (a new transaction).',
        ));
    // A statement still in flight belongs to work its owner gave up on: fail it now, and destroy its
    // connection rather than wait for it (the database then rolls the transaction back itself).
    if (this.#connection?.busy) this.#connection.cut(why());
    this.#pending = undefined;
    try {
      if (this.#em?.isInTransaction()) await this.rollback();
    } catch (error) {
      this.#host.logger.warn('rolling back an open transaction while closing the session failed', error);
    } finally {
      this.#closed = true;
      this.#closedBy = why;
      const em = this.#em;
      if (em) {
        em.clear();
        // Code that kept this EntityManager gets the reason, never an autocommit statement of its own.
        em.setTransactionContext(endedContext(why) as never);
      }
    }
  }

  insertAll<T extends object>(entity: EntityClass<T>, rows: readonly (T | Partial<T>)[]): Promise<T[]> {
    // Multi-row INSERTs with bound parameters when the rows allow it, else MikroORM's unit of work.
    return this.#op(() => insertNew(this.native, entity, rows, this.#host));
  }

  findById<T extends object>(entity: EntityClass<T>, id: unknown, options?: ReadSpec): Promise<T | null> {
    return this.#op(async () => {
      const where = toWhere(entity, keyFilter(metadataOf(entity), id));
      // Compiled when the identity map does not hold it (em.findOne then answers without a statement).
      const target = options?.lock ? undefined : this.#compileTarget(entity);
      if (target && !heldById(this.native, entity, where)) {
        const fast = compiledFind<T>(
          this.native,
          entity,
          { where: equalities(where), limit: 1, withDeleted: options?.withDeleted },
          { ...target, exactText: false },
        );
        if (fast) return (await fast)[0] ?? null;
      }
      const found = (await this.native.findOne(entity, where as never, {
        ...this.#readOptions(),
        ...deletedFilters(entity, options?.withDeleted),
        ...lockOptions(options?.lock),
      })) as T | null;
      // The identity map answers a key it holds without the entity filter: a row read with withDeleted stays out.
      return found && !options?.withDeleted && isDeleted(entity, found) ? null : found;
    });
  }

  #upsertTarget(): UpsertTarget {
    return {
      dialect: this.#host.dialect,
      mariadb: this.#host.mariadb,
      isDuplicate: (error) => {
        const e = this.#host.translate(error);
        return e instanceof DatabaseError && e.kind === 'unique_violation';
      },
      fromRows: fastPathProblem(this.native, this.#host.logger) === undefined,
    };
  }

  upsert<T extends object>(
    entity: EntityClass<T>,
    rows: readonly Partial<T>[],
    spec: UpsertSpec,
  ): Promise<T[]> {
    return this.#op(() => upsertRows(this.native, entity, rows, spec, this.#upsertTarget()));
  }

  insertIgnoringDuplicates<T extends object>(
    entity: EntityClass<T>,
    rows: readonly Partial<T>[],
  ): Promise<T[]> {
    return this.#op(() => insertIgnoring(this.native, entity, rows, this.#upsertTarget()));
  }

  updateWhere<T extends object>(entity: EntityClass<T>, spec: UpdateSpec): Promise<number> {
    return this.#op(() =>
      updateWhere(
        this.native,
        entity,
        () => withoutDeleted(entity, this.#filter(entity, spec.where), spec.withDeleted),
        spec,
        this.#host.dialect,
      ),
    );
  }

  reference<T extends object>(entity: EntityClass<T>, id: unknown): T {
    // MikroORM takes a composite key as an object of its parts, as core gives it; a single key bare.
    return this.native.getReference(entity, id as never) as T;
  }

  find<T extends object>(
    entity: EntityClass<T>,
    where: FieldFilter,
    options: FindOptions = {},
  ): Promise<T[]> {
    return this.#op(async () => {
      const paging = options.offset !== undefined || options.limit !== undefined;
      const orderBy =
        toOrderBy(entity, options.orderBy) ?? (paging ? keyOrder(metadataOf(entity)) : undefined);
      const target = this.#compileTarget(entity);
      const fast =
        target &&
        compiledFind<T>(
          this.native,
          entity,
          {
            where: equalities(toWhere(entity, where)),
            orderBy: orderNodes(orderBy),
            limit: options.limit,
            offset: options.offset,
          },
          { ...target, exactText: false },
        );
      if (fast) return fast;
      const found = await this.native.find(entity, toWhere(entity, where) as never, {
        ...this.#readOptions(),
        ...(options.offset !== undefined ? { offset: options.offset } : {}),
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
        ...(orderBy ? { orderBy: orderBy as never } : {}),
      });
      return found as T[];
    });
  }

  findOne<T extends object>(entity: EntityClass<T>, where: FieldFilter): Promise<T | null> {
    return this.#op(async () => {
      const orderBy = keyOrder(metadataOf(entity));
      const found = await this.native.findOne(entity, toWhere(entity, where) as never, {
        ...this.#readOptions(),
        orderBy: orderBy as never,
      });
      return found as T | null;
    });
  }

  exists<T extends object>(entity: EntityClass<T>, where: FieldFilter): Promise<boolean> {
    return this.#op(async () => {
      const qb = this.native.createQueryBuilder(entity, undefined, this.#readOptions().connectionType);
      const row = await qb
        .select(raw('1 as one'))
        .where(withoutDeleted(entity, toWhere(entity, where) as never) as never)
        .limit(1)
        .execute('get', false);
      return row != null;
    });
  }

  count<T extends object>(entity: EntityClass<T>, where?: FieldFilter): Promise<number> {
    return this.#op(() => this.native.count(entity, toWhere(entity, where) as never, this.#readOptions()));
  }

  #filterTarget(): FilterTarget {
    const platform = this.native.getPlatform();
    return {
      dialect: this.#host.dialect,
      mariadb: this.#host.mariadb,
      quoteIdentifier: (id) => platform.quoteIdentifier(id),
    };
  }

  #filter(entity: EntityClass, where: WhereNode): Filter {
    return toFilterQuery(metadataOf(entity), where, this.#filterTarget());
  }

  /**
   * Where a query may take the compiled path (query/compiled-find.ts): not for reads a replica may serve,
   * nor on a MikroORM whose borrowed members differ from the ones Kosha knows.
   */
  #compileTarget(entity: EntityClass): CompileTarget | undefined {
    if (this.#readOptions().connectionType || fastPathProblem(this.native, this.#host.logger))
      return undefined;
    return { ...this.#filterTarget(), deletedAt: metadataOf(entity).deletedAt?.name };
  }

  findWhere<T extends object>(entity: EntityClass<T>, query: QuerySpec): Promise<T[]> {
    return this.#op(() => {
      const target = this.#compileTarget(entity);
      const fast = target && compiledFind<T>(this.native, entity, query, target);
      if (fast) return fast;
      let where = this.#filter(entity, query.where);
      if (query.after) {
        const after = keysetFilter(query.after, this.#host.dialect);
        where = Reflect.ownKeys(where).length ? { $and: [where, after] } : after;
      }
      const orderBy = orderByOf(query.orderBy);
      return this.native.find(entity, where as never, {
        ...this.#readOptions(),
        ...deletedFilters(entity, query.withDeleted),
        ...lockOptions(query.lock),
        ...(orderBy ? { orderBy: orderBy as never } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
        ...(query.offset !== undefined ? { offset: query.offset } : {}),
        ...(query.select ? { fields: query.select as never } : {}),
        ...(query.populate?.length ? { populate: query.populate as never } : {}),
      }) as Promise<T[]>;
    });
  }

  findPageWhere<T extends object>(
    entity: EntityClass<T>,
    query: QuerySpec,
  ): Promise<{ items: T[]; total: number | undefined }> {
    // Not used yet (a built-in alone, or the first call of a transaction): nothing managed, nothing unflushed.
    const fresh = this.#em === undefined;
    // Compiled, the rows become entities as em.find makes them, so a session in any state reads a page in
    // one statement; through the query builder (em.map, below) only one not used yet.
    if (!this.#closed) {
      let fast: Promise<{ items: T[]; total: number | undefined }> | undefined;
      try {
        const target = this.#compileTarget(entity);
        fast = target && compiledPage<T>(this.native, entity, query, target);
      } catch (error) {
        return Promise.reject(this.#host.translate(error));
      }
      if (fast) {
        return fast.catch((error: unknown) => {
          throw this.#host.translate(error);
        });
      }
    }
    if (!fresh || query.select || query.populate?.length || query.lock) {
      return this.findWhere(entity, query).then((items) => ({ items, total: undefined }));
    }
    return this.#op(() =>
      pageWithTotal(
        this.native,
        entity,
        () => withoutDeleted(entity, this.#filter(entity, query.where), query.withDeleted),
        query,
        this.#readOptions().connectionType,
        this.#host.dialect,
      ),
    );
  }

  countWhere<T extends object>(
    entity: EntityClass<T>,
    where: WhereNode,
    options?: { readonly withDeleted?: boolean | undefined },
  ): Promise<number> {
    return this.#op(() =>
      this.native.count(entity, this.#filter(entity, where) as never, {
        ...this.#readOptions(),
        ...deletedFilters(entity, options?.withDeleted),
      }),
    );
  }

  existsWhere<T extends object>(
    entity: EntityClass<T>,
    where: WhereNode,
    options?: { readonly withDeleted?: boolean | undefined },
  ): Promise<boolean> {
    return this.#op(async () => {
      const qb = this.native.createQueryBuilder(entity, undefined, this.#readOptions().connectionType);
      const row = await qb
        .select(raw('1 as one'))
        .where(withoutDeleted(entity, this.#filter(entity, where), options?.withDeleted) as never)
        .limit(1)
        .execute('get', false);
      return row != null;
    });
  }

  deleteWhere<T extends object>(entity: EntityClass<T>, where: WhereNode): Promise<number> {
    return this.#op(() => deleteWhere(this.native, entity, this.#filter(entity, where)));
  }

  update<T extends object>(entity: EntityClass<T>, value: T): Promise<T> {
    return this.#op(async () => {
      const managed = (await mergeDetached(this.native, entity, value, 'update'))!;
      await this.#flush();
      if (managed !== value) copyGenerated(entity, managed, value);
      return managed;
    });
  }

  deleteById<T extends object>(entity: EntityClass<T>, id: unknown): Promise<boolean> {
    return this.#op(async () => {
      const meta = metadataOf(entity);
      const where = toWhere(entity, keyFilter(meta, id));
      // Pending changes go first, as they would before any other statement of the unit of work.
      await this.#flush();
      const mikro = meta.compositeKey ? undefined : this.native.getMetadata().find(entity);
      const deleted =
        (mikro && (await deleteCompiled(this.native, mikro, id, this.#host.dialect))) ??
        (await this.native.nativeDelete(entity, where as never));
      const uow = this.native.getUnitOfWork(false);
      const managed = uow.tryGetById(entity, where as never);
      if (managed) uow.unsetIdentity(managed);
      return deleted > 0;
    });
  }

  remove<T extends object>(entity: EntityClass<T>, value: T): Promise<void> {
    return this.#op(async () => {
      const managed = await mergeDetached(this.native, entity, value, 'remove');
      if (managed) {
        this.native.remove(managed);
        await this.native.flush();
      }
    });
  }
}
