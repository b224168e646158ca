import type { Logger } from '../logger.js';
import type { EntityClass, EntityMetadata } from '../mapping/metadata.js';
import type { Keyset, OrderNode, WhereNode } from '../query/where-tree.js';
import type { LockMode } from '../write/write-options.js';
import type { MigrationSettings, Migrations, SchemaAction } from './migrations.js';

/** Spring's isolation levels. `DEFAULT` (or leaving it out) uses the database's own default. */
export type IsolationLevel =
  | 'DEFAULT'
  | 'READ_UNCOMMITTED'
  | 'READ_COMMITTED'
  | 'REPEATABLE_READ'
  | 'SERIALIZABLE';

/** What `Session.begin` is asked for. */
export interface BeginOptions {
  /** Isolation of the new transaction (top-level only). */
  isolation?: IsolationLevel | undefined;
  /** Start a read-only transaction (`SET TRANSACTION READ ONLY` where the database has it). */
  readOnly?: boolean | undefined;
  /** Seconds; the backend may set a statement timeout for the transaction where the database has one. */
  timeout?: number | undefined;
  /**
   * Epoch milliseconds when the transaction's `timeout` runs out. Everything the backend waits for on the
   * transaction's behalf — a connection from the pool, each statement, the COMMIT — ends by then: a wait
   * still going at the deadline fails with `TransactionTimedOutError`, and a connection that does not answer
   * is destroyed.
   */
  deadline?: number | undefined;
}

/** Where-clause of the built-in finders: property name → value, combined with AND, bound as parameters. */
export type FieldFilter = Readonly<Record<string, unknown>>;

/** Paging and ordering of the built-in finders. */
export interface FindOptions {
  /** Rows to skip. */
  offset?: number | undefined;
  /** Rows to return at most. */
  limit?: number | undefined;
  /** Property name → direction. Defaults to the primary key ascending when paging. */
  orderBy?: Readonly<Record<string, 'asc' | 'desc'>> | undefined;
}

/**
 * A query of `DbRepo#find` and its relatives, normalized and checked by core (`normalizeWhere`…): every
 * field in it exists, every value suits its column. The backend binds every value as a parameter.
 */
export interface QuerySpec {
  /** The condition. */
  readonly where: WhereNode;
  /** Keyset paging: only the rows after this position of `orderBy` (which then ends with the primary key). */
  readonly after?: Keyset | undefined;
  /** The order, first key first; none: the database's order. */
  readonly orderBy?: readonly OrderNode[] | undefined;
  /** Rows to return at most (≥ 1; core answers `limit: 0` itself). */
  readonly limit?: number | undefined;
  /** Rows to skip. */
  readonly offset?: number | undefined;
  /** The properties to load (the primary key among them); none: every column. */
  readonly select?: readonly string[] | undefined;
  /** Relation paths to load with the rows (`author`, `author.profile`). */
  readonly populate?: readonly string[] | undefined;
  /** Include soft-deleted rows (`@deletedAt` set); without it, a soft-deleted entity's rows are left out. */
  readonly withDeleted?: boolean | undefined;
  /** Lock the rows read until the transaction ends (core has checked that one is in progress). */
  readonly lock?: LockSpec | undefined;
}

/** How a read locks its rows (`getById(id, { lock })`, `find({ lock })`). */
export interface LockSpec {
  /** `for update` or `for share`. */
  readonly mode: LockMode;
  /** Leave out rows other transactions hold locked. */
  readonly skipLocked: boolean;
  /** Fail at once on a locked row instead of waiting. */
  readonly noWait: boolean;
}

/** How `findById` reads (`getById`'s options, checked). */
export interface ReadSpec {
  /** Include a soft-deleted row. */
  readonly withDeleted?: boolean | undefined;
  /** Lock the row until the transaction ends. */
  readonly lock?: LockSpec | undefined;
}

/**
 * One change of `updateWhere`, checked against the column: `set` a value bound as a parameter (`null` on a
 * nullable column), or `add` an amount to the column's own value in the database (`increment`/`decrement`).
 */
export type ChangeNode =
  | { readonly kind: 'set'; readonly field: string; readonly value: unknown }
  | { readonly kind: 'add'; readonly field: string; readonly by: number | bigint };

/** What `Session.updateWhere` runs. */
export interface UpdateSpec {
  /** The rows to change. */
  readonly where: WhereNode;
  /** The changes, one per field. */
  readonly changes: readonly ChangeNode[];
  /** False when every changed field is `touchesUpdatedAt: false`: `@updatedAt` keeps its value. */
  readonly touchesUpdatedAt: boolean;
  /** Change soft-deleted rows too (restore). */
  readonly withDeleted?: boolean | undefined;
}

/** What `Session.upsert` runs. */
export interface UpsertSpec {
  /** The unique key (fields) whose conflict turns an insert into an update. */
  readonly onConflict: readonly string[];
  /**
   * The fields an existing row takes from the new one, those of them the new row gives (a field it leaves
   * out keeps its value); may be empty: the row is only read back.
   */
  readonly update: readonly string[];
  /** False when every updated field is `touchesUpdatedAt: false`. */
  readonly touchesUpdatedAt: boolean;
}

/**
 * One unit of work with the database (MikroORM: a forked EntityManager), plus the transaction
 * primitives core's state machine drives. Core never runs two operations of one session at once
 * in one transaction scope, but a session may be used by several awaits of one request.
 */
export interface Session {
  /** The native unit of work (MikroORM: the forked `EntityManager`). */
  readonly native: unknown;

  /** Begins a top-level transaction on this session's connection. */
  begin(options: BeginOptions): Promise<void>;
  /**
   * Begins a top-level transaction as {@link begin} does when that needs no wait — a backend that sends
   * BEGIN just before the transaction's first statement only notes it — and returns true. Returns false,
   * changing nothing, in every other case: core then calls `begin`. Optional: without it, opening a
   * session scope always takes a promise.
   */
  beginNow?(options: BeginOptions): boolean;
  /** Flushes pending changes, then commits the top-level transaction. */
  commit(): Promise<void>;
  /** Rolls back the top-level transaction and discards unflushed changes. */
  rollback(): Promise<void>;
  /**
   * Flushes pending changes (so a later rollback to it cannot lose the outer unit of work's
   * writes), then creates a savepoint inside the current transaction.
   */
  savepoint(name: string): Promise<void>;
  /** Releases a savepoint: its changes become part of the enclosing transaction. */
  releaseSavepoint(name: string): Promise<void>;
  /** Rolls back to a savepoint, and restores the unit of work to what it was when the savepoint was made. */
  rollbackToSavepoint(name: string): Promise<void>;
  /** Writes pending changes of the unit of work. */
  flush(): Promise<void>;
  /**
   * Releases the connection and the unit of work. Rolls back a transaction still open. Idempotent. Work
   * still in flight when it is called (its owner ended the scope under it) fails with the error `reason`
   * makes, and any later call too; a connection busy with a statement is destroyed rather than waited for.
   */
  close(reason?: () => Error): Promise<void>;

  /** Inserts new entities (or plain objects of the entity's fields) and returns the managed, keyed entities. */
  insertAll<T extends object>(entity: EntityClass<T>, rows: readonly (T | Partial<T>)[]): Promise<T[]>;
  /**
   * Finds by primary key, `null` when absent (or soft-deleted, unless `options.withDeleted`). Every `id` a session is given (here, `deleteById`,
   * `reference`) was checked by core (`checkId`): the key's value, or for a composite key an object of
   * exactly its parts, a relation part as the related key (`keyFilter` makes the row's filter of it).
   */
  findById<T extends object>(entity: EntityClass<T>, id: unknown, options?: ReadSpec): Promise<T | null>;
  /**
   * Inserts rows, or updates the row already holding their `onConflict` key, in one statement per batch
   * (`INSERT … ON CONFLICT … DO UPDATE`, `ON DUPLICATE KEY UPDATE`), after writing the unit of work's
   * pending changes; returns the managed entities in the rows' order, as the database now holds them.
   */
  upsert?<T extends object>(
    entity: EntityClass<T>,
    rows: readonly Partial<T>[],
    spec: UpsertSpec,
  ): Promise<T[]>;
  /**
   * Inserts the rows that do not collide with an existing row on any unique key, skips the others; returns
   * the managed entities of the rows inserted, in the rows' order.
   */
  insertIgnoringDuplicates?<T extends object>(
    entity: EntityClass<T>,
    rows: readonly Partial<T>[],
  ): Promise<T[]>;
  /**
   * Changes the rows a condition matches in one UPDATE, after writing the unit of work's pending changes,
   * bumping `@version` and (when `spec.touchesUpdatedAt`) setting `@updatedAt`; returns how many rows it
   * changed. Entities of the unit of work are read again afterwards (none keeps a stale value), and those
   * now soft-deleted leave it.
   */
  updateWhere?<T extends object>(entity: EntityClass<T>, spec: UpdateSpec): Promise<number>;
  /**
   * An unloaded reference to the row with this id in this session's unit of work (MikroORM's
   * `em.getReference`): the instance the session holds for that row, or a new one carrying only the key.
   * Without it, `DbRepo#reference` gives a detached instance carrying the key.
   */
  reference?<T extends object>(entity: EntityClass<T>, id: unknown): T;
  /**
   * True while the session holds a database connection — its transaction has run a statement (a
   * transaction takes its connection and sends BEGIN only then). Core lets a caller that holds none wait
   * for another's work (a shared cache load); `undefined`: assumed while a transaction is open.
   */
  readonly holdsConnection?: boolean | undefined;
  /**
   * Ends, at once, a transaction begun on this session that nothing has used since — no statement, no
   * unit-of-work access — so that its commit or rollback would send nothing; returns true. Returns false,
   * changing nothing, in every other case (core then commits or rolls back as usual). Optional: without
   * it, core always takes the asynchronous path.
   */
  endUnused?(): boolean;
  /** True when a row matches the filter (`select 1 … limit 1`); without it, core counts. */
  exists?<T extends object>(entity: EntityClass<T>, where: FieldFilter): Promise<boolean>;
  /** Finds every row matching the filter. */
  find<T extends object>(entity: EntityClass<T>, where: FieldFilter, options?: FindOptions): Promise<T[]>;
  /** Finds the first row matching the filter (by primary key order), `null` when none. */
  findOne<T extends object>(entity: EntityClass<T>, where: FieldFilter): Promise<T | null>;
  /** Counts rows matching the filter. */
  count<T extends object>(entity: EntityClass<T>, where?: FieldFilter): Promise<number>;
  /** Runs a normalized query (`DbRepo#find`, `findOne`, `findPage`, `findSlice`): managed entities, in order. */
  findWhere?<T extends object>(entity: EntityClass<T>, query: QuerySpec): Promise<T[]>;
  /**
   * One page's rows and, when the backend can read it with them, the number of rows the condition
   * matches (`DbRepo#findPage`): `total` from the same statement (one snapshot), or `undefined` and core
   * counts. Without it, core runs {@link findWhere} and {@link countWhere}.
   */
  findPageWhere?<T extends object>(
    entity: EntityClass<T>,
    query: QuerySpec,
  ): Promise<{ items: T[]; total: number | undefined }>;
  /** Counts the rows a normalized condition matches (`DbRepo#count`, `findPage`). */
  countWhere?<T extends object>(
    entity: EntityClass<T>,
    where: WhereNode,
    options?: { readonly withDeleted?: boolean | undefined },
  ): Promise<number>;
  /** True when a row matches a normalized condition (`DbRepo#exists`); without it, core counts. */
  existsWhere?<T extends object>(
    entity: EntityClass<T>,
    where: WhereNode,
    options?: { readonly withDeleted?: boolean | undefined },
  ): Promise<boolean>;
  /**
   * Deletes the rows a normalized condition matches (derived `deleteBy…` methods) in the current transaction,
   * after writing the unit of work's pending changes, and returns how many it deleted. Entities of the unit
   * of work whose rows are gone leave it, as after `deleteById`.
   */
  deleteWhere?<T extends object>(entity: EntityClass<T>, where: WhereNode): Promise<number>;
  /** Merges a (possibly detached) entity's state into the unit of work and flushes; returns the managed entity. */
  update<T extends object>(entity: EntityClass<T>, value: T): Promise<T>;
  /** Deletes by primary key; true when a row was deleted. */
  deleteById<T extends object>(entity: EntityClass<T>, id: unknown): Promise<boolean>;
  /** Deletes an entity instance and flushes. */
  remove<T extends object>(entity: EntityClass<T>, value: T): Promise<void>;
}

/** What a backend can do; core plans around the gaps instead of hanging on them. */
export interface BackendCapabilities {
  /**
   * False when the database has one connection (SQLite): a second transaction cannot start while one
   * is open, so `REQUIRES_NEW`/`NOT_SUPPORTED` inside a transaction fail fast instead of waiting forever.
   */
  readonly concurrentTransactions: boolean;
  /** True when `savepoint`/`rollbackToSavepoint` are available (`NESTED`). */
  readonly savepoints: boolean;
  /** True when read-only work can be routed to read replicas. */
  readonly readReplicas: boolean;
  /**
   * The most connections the backend opens at once (`pool.max`), where it has a pool. With one, a
   * `REQUIRES_NEW` inside a transaction can never get its second connection: core refuses it at once.
   */
  readonly maxConnections?: number | undefined;
  /**
   * Row locks (`getById(id, { lock })`): `'rows'` where the database locks rows, `'database'` where a write
   * transaction holds the whole database (SQLite: a lock is then always held already); undefined: none.
   */
  readonly locks?: 'rows' | 'database' | undefined;
  /** True when a lock may skip locked rows or refuse to wait (`skipLocked`, `noWait`). */
  readonly lockWaitOptions?: boolean | undefined;
}

/** What `init` gets from core. */
export interface BackendInit {
  /** Validated metadata of the entities to map. */
  entities: readonly EntityMetadata[];
  /** The instance's logger. */
  logger: Logger;
  /** Where migrations live and how long a run waits for another's lock (`createKosha({ migrations })`). */
  migrations?: MigrationSettings | undefined;
}

/** Options of `OrmBackend.openSession`. */
export interface SessionOptions {
  /** Work that only reads and runs outside a physical transaction may go to a read replica. */
  readOnly?: boolean | undefined;
}

/**
 * An ORM backend (MikroORM for `@kosha/orm-mikro`). Created by the plugin's factory, initialised by `createKosha`.
 */
export interface OrmBackend {
  /** The plugin's package name, for messages. */
  readonly name: string;
  /** The database dialect: `sqlite`, `postgresql`, `mysql`, `mariadb`. */
  readonly dialect: string;
  /** What this backend can do. Valid after `init`. */
  readonly capabilities: BackendCapabilities;
  /** Connects and maps the entities. */
  init(init: BackendInit): Promise<void>;
  /** Opens a new session (unit of work). Cheap: connections are taken lazily. */
  openSession(options?: SessionOptions): Session;
  /** Creates the tables of the mapped entities. */
  createSchema(): Promise<void>;
  /** Brings the tables in line with the mapping (adds what is missing). */
  updateSchema(): Promise<void>;
  /** Drops the tables of the mapped entities. */
  dropSchema(): Promise<void>;
  /** The SQL `createSchema`, `updateSchema` or `dropSchema` would send, without sending it. */
  schemaSql?(action: SchemaAction): Promise<string>;
  /** Schema migrations, where the backend has them (valid after `init`). */
  readonly migrations?: Migrations | undefined;
  /** Drains the pool and closes every connection. */
  close(): Promise<void>;
  /** Connection pool figures, where the driver has a pool (for leak checks in tests and metrics). */
  poolStats?(): PoolStats;
}

/** Connection pool figures. */
export interface PoolStats {
  /** Connections open. */
  readonly total: number;
  /** Open connections not in use. */
  readonly idle: number;
  /** Requests waiting for a connection. */
  readonly waiting: number;
}

/** Module augmentation point: `@kosha/orm-mikro` adds `em: EntityManager` so `DbRepo#em` is typed. */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by backends
export interface NativeSessionTypes {}

/** The native session type (`EntityManager`) once a backend has augmented {@link NativeSessionTypes}. */
export type NativeSession = NativeSessionTypes extends { em: infer E } ? E : unknown;
