import type { EntityClass } from '@kosha/core';
import {
  ChangeSet,
  ChangeSetType,
  type Dictionary,
  type EntityComparator,
  type EntityMetadata,
  type EntityProperty,
  EventType,
  helper,
  type IdentityMap,
  isRaw,
  type Platform,
  Reference,
  ReferenceKind,
  type UnitOfWork,
  Utils,
  validateEntity,
} from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { detachedReferences, RowReferences } from './detached-references.js';
import { checkRows, createNew, createOne, persistAndFlush } from './new-entities.js';
import { insertWatcher, recordCreated } from './savepoint-stack.js';
import type { Dialect } from './url.js';

/*
 * `insertAll` without MikroORM's unit of work: the rows become one multi-row
 * `INSERT … VALUES (…), (…) … RETURNING <generated columns>` per batch, with bound parameters, on the
 * session's transaction; the entities are then made managed exactly as a flush would leave them.
 *
 * The unit of work costs ~20 µs a row for what is, for new entities without cascades, a fixed recipe;
 * and MikroORM 7 inlines escaped values into its SQL, while Kosha promises bound parameters. Each step
 * below is the one the unit of work takes (UnitOfWork.computeChangeSet, ChangeSetPersister
 * .persistNewEntitiesBatch, UnitOfWork.commitCreateChangeSets), through MikroORM's own helpers
 * (the comparator's snapshot for database values, its result mapper and hydrator for what comes back,
 * the change-set persister for keys, version reloads and required checks) — only the statement is
 * Kosha's. Whatever the recipe does not cover goes through the unit of work as before (see `insertNew`).
 */

/** What the bulk insert needs to know about the database. */
export interface BulkTarget {
  readonly dialect: Dialect;
  /** The server is MariaDB (also behind a mysql:// URL). */
  readonly mariadb: boolean;
}

/** Most bound parameters one statement may carry. */
const MAX_PARAMS: Record<Dialect, number> = {
  // better-sqlite3 is built with SQLITE_MAX_VARIABLE_NUMBER 32766 (SQLite's default since 3.32).
  sqlite: 32_766,
  // The wire protocol counts parameters in an Int16.
  postgresql: 65_535,
  // Prepared statements' limit; mysql2 interpolates client-side (see MAX_MYSQL_CHARS), under it anyway.
  mysql: 65_535,
  mariadb: 65_535,
};
/**
 * Most rows per statement: past a few hundred rows, bigger statements gain nothing and cost more to
 * parse (on PostgreSQL a 10,000-row statement is slower than ten of 1,000).
 */
const MAX_ROWS = 1_000;
/**
 * mysql2 (through Kysely) substitutes the values into the statement text on the client, and the server
 * refuses a packet over `max_allowed_packet` (16 MiB by default on MariaDB): characters of string
 * values per statement stay under this (≤ 4 bytes each in UTF-8, so ≤ 8 MiB of values).
 */
const MAX_MYSQL_CHARS = 2_000_000;

// What MikroORM keeps private in its TypeScript types but the recipe must call (MikroORM 7.2.1, pinned).
interface PersisterInternals {
  mapPrimaryKey(meta: EntityMetadata, value: unknown, changeSet: ChangeSet<object>): void;
  markAsPopulated(changeSet: ChangeSet<object>, meta: EntityMetadata): void;
  validateRequired(entity: object): void;
  reloadVersionValues(
    meta: EntityMetadata,
    changeSets: ChangeSet<object>[],
    options: Dictionary,
  ): Promise<void>;
}
interface UnitOfWorkInternals {
  takeCollectionSnapshots(entity: object, visited: Set<object>): void;
}
interface DriverInternals {
  getAutoIncrementIncrement(ctx: unknown): Promise<number>;
}
interface ConnectionInternals {
  executeQuery<R>(query: string, cb: () => Promise<R>, context?: Dictionary): Promise<R>;
}
interface KyselyResult {
  rows: Dictionary[];
  insertId?: bigint;
  numAffectedRows?: bigint;
}
interface InsertResult {
  rows: Dictionary[];
  insertId?: bigint;
  affectedRows: number;
}
interface TransactionContext {
  executeQuery(query: unknown): Promise<KyselyResult>;
}

/** Which parts of an entity's mapping the recipe handles; `null` when it does not handle the entity. */
interface Plan {
  readonly meta: EntityMetadata;
  readonly pk: EntityProperty;
  /** The column (field name) of each property that has one. */
  readonly columns: ReadonlyMap<string, string>;
  /** Properties with an `onCreate` or a default, set on creation (ChangeSetComputer.processPropertyInitializers). */
  readonly initializers: readonly EntityProperty[];
  readonly toOne: readonly EntityProperty[];
  readonly toMany: readonly EntityProperty[];
  /** Statement texts by shape: the placeholders of 1,000 rows take longer to build than to send. */
  readonly statements: Map<string, StatementText>;
}

const plans = new WeakMap<EntityMetadata, Plan | null>();

// Events the unit of work would fire for these inserts: someone listening to them needs the unit of work.
const CREATE_EVENTS = [
  EventType.beforeCreate,
  EventType.afterCreate,
  EventType.beforeFlush,
  EventType.onFlush,
  EventType.afterFlush,
] as const;

function planOf(meta: EntityMetadata, platform: Platform): Plan | null {
  let plan = plans.get(meta);
  if (plan === undefined) {
    plan = makePlan(meta, platform);
    plans.set(meta, plan);
  }
  return plan;
}

// A custom type may wrap its placeholder in SQL (AbstractSqlDriver.nativeInsertMany); only bare ones here.
function plainPlaceholder(prop: EntityProperty, platform: Platform): boolean {
  const type = prop.customType as
    | { convertToDatabaseValueSQL?(key: string, platform: Platform): string }
    | undefined;
  return !type?.convertToDatabaseValueSQL || type.convertToDatabaseValueSQL('?', platform) === '?';
}

function makePlan(meta: EntityMetadata, platform: Platform): Plan | null {
  if (
    meta.primaryKeys.length !== 1 ||
    meta.compositePK ||
    meta.inheritanceType ||
    meta.discriminatorColumn ||
    meta.root !== meta ||
    meta.virtual ||
    meta.readonly ||
    meta.embeddable ||
    CREATE_EVENTS.some((e) => meta.hooks[e]?.length)
  ) {
    return null;
  }
  const columns = new Map<string, string>();
  const toOne: EntityProperty[] = [];
  const toMany: EntityProperty[] = [];
  for (const prop of meta.props) {
    if (prop.kind === ReferenceKind.ONE_TO_MANY) {
      toMany.push(prop);
      continue;
    }
    if (prop.kind !== ReferenceKind.SCALAR && prop.kind !== ReferenceKind.MANY_TO_ONE) return null;
    if (
      prop.persist === false ||
      prop.formula ||
      prop.embedded ||
      prop.fieldNames?.length !== 1 ||
      !plainPlaceholder(prop, platform)
    ) {
      return null;
    }
    if (prop.kind === ReferenceKind.MANY_TO_ONE) {
      if (prop.polymorphic || !prop.targetMeta || prop.targetMeta.compositePK || prop.mapToPk) return null;
      toOne.push(prop);
    }
    columns.set(prop.name, prop.fieldNames[0]!);
  }
  const pk = meta.getPrimaryProps()[0]!;
  if (!columns.has(pk.name)) return null;
  const initializers = meta.hydrateProps.filter((p) => p.onCreate || p.default != null);
  return { meta, pk, columns, initializers, toOne, toMany, statements: new Map() };
}

export interface InsertOptions {
  /** Force RETURNING off or on (tests); by default from the dialect and server version. */
  readonly returning?: boolean;
}

/**
 * `insertAll` on the session's `EntityManager`: checks the rows, then inserts them with multi-row
 * INSERTs where the recipe applies, else (for the rest of the rows from the first one it does not
 * apply to) through the unit of work; either way the entities come back managed, in order.
 *
 * The recipe applies to an entity that is new (not managed, not scheduled), whose to-one references
 * are entities this unit of work manages (`createOne` has turned related entities of other sessions,
 * `{ id }` objects and keys into references to their rows), whose collections are empty and whose
 * values are plain database values (not a raw SQL fragment…); anything else needs the unit of work's
 * cascades.
 * On MySQL, which has no RETURNING, generated keys are the statement's first insert id plus the
 * `auto_increment_increment` step per row — MikroORM's own batch-insert assumption (MySqlDriver
 * .nativeInsertMany). It holds because InnoDB allocates the keys of a "simple insert" (a multi-row
 * VALUES, row count known up front) at once, under every `innodb_autoinc_lock_mode`, and a statement
 * never mixes given and generated keys here (rows with a key have other columns, so another statement).
 * Database defaults (a `@version`) are then read back as MikroORM does (ChangeSetPersister.reloadVersionValues).
 */
export async function insertNew<T extends object>(
  em: SqlEntityManager,
  entity: EntityClass<T>,
  rows: readonly (T | Partial<T>)[],
  target: BulkTarget,
  options: InsertOptions = {},
): Promise<T[]> {
  checkRows(entity, rows);
  const meta = em.getMetadata().find(entity);
  const ctx = em.getTransactionContext() as TransactionContext | undefined;
  const plan = meta && ctx && hasInternals(em) && !othersListen(em) ? planOf(meta, em.getPlatform()) : null;
  if (!plan || !ctx) return persistAndFlush(em, createNew(em, entity, rows));
  // The unit of work's pending writes go first, as they would in one flush. Before the rows become
  // entities: those may be linked into managed entities' collections, which a flush would cascade to.
  await em.flush();
  const returning = options.returning ?? (await supportsReturning(em, target));
  const run = new BulkRun(em, ctx, plan, target.dialect, returning);
  const out: T[] = new Array(rows.length);
  const refs = new RowReferences(em);
  let i = 0;
  try {
    for (; i < rows.length; i++) {
      const e = createOne(em, entity, rows[i]!, refs);
      out[i] = e;
      const added = run.add(e);
      if (added === REFUSED) break;
      if (added === SENT) await run.catchUp();
    }
    await run.finish();
  } catch (error) {
    await run.abandon();
    throw error;
  }
  if (i < rows.length) {
    for (let k = i + 1; k < rows.length; k++) out[k] = createOne(em, entity, rows[k]!, refs);
    await persistAndFlush(em, out.slice(i));
  }
  return out;
}

function hasInternals(em: SqlEntityManager): boolean {
  const uow = em.getUnitOfWork(false);
  const persister = uow.getChangeSetPersister() as unknown as Partial<PersisterInternals>;
  return (
    typeof persister.mapPrimaryKey === 'function' &&
    typeof persister.markAsPopulated === 'function' &&
    typeof persister.validateRequired === 'function' &&
    typeof persister.reloadVersionValues === 'function' &&
    typeof (uow as unknown as Partial<UnitOfWorkInternals>).takeCollectionSnapshots === 'function'
  );
}

// Kosha's own subscribers: the savepoints' record of inserts (fed by `recordCreated` here), and the
// references made before each flush (made by `createOne` here).
const OURS: ReadonlySet<object> = new Set([insertWatcher, detachedReferences]);

function othersListen(em: SqlEntityManager): boolean {
  for (const subscriber of em.getEventManager().getSubscribers()) {
    if (!OURS.has(subscriber) && CREATE_EVENTS.some((e) => e in subscriber)) return true;
  }
  return false;
}

/** The values of a change-set payload as the database driver binds them; `UNBINDABLE` when the unit of work must handle it. */
const UNBINDABLE = Symbol('unbindable');
type Binder = (value: unknown) => unknown;

/*
 * The payload holds MikroORM's database values (custom types converted, JSON serialised, dates as SQLite
 * stores them); what is left is what each platform's `escape` does when MikroORM inlines a value.
 */
function binderFor(em: SqlEntityManager, dialect: Dialect): Binder {
  const platform = em.getPlatform() as unknown as { formatDate?(date: Date): string };
  const common = (value: unknown): unknown => {
    if (value === undefined) return null;
    if (typeof value === 'number') return Number.isFinite(value) ? value : UNBINDABLE;
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
    return UNBINDABLE;
  };
  switch (dialect) {
    case 'sqlite':
      // better-sqlite3 binds numbers, strings, bigints, buffers and null; SqlitePlatform stores
      // booleans as 1/0 and dates as epoch milliseconds.
      return (value) => {
        if (typeof value === 'boolean') return value ? 1 : 0;
        if (value instanceof Date) return value.getTime();
        return common(value);
      };
    case 'postgresql':
      // PostgreSqlPlatform writes a date in its configured time zone (by default the local one, with offset).
      return (value) => {
        if (value instanceof Date) return platform.formatDate ? platform.formatDate(value) : value;
        if (typeof value === 'bigint') return value.toString();
        return common(value);
      };
    default:
      // mysql2 escapes booleans, dates (in the connection's time zone, which MikroORM sets like the
      // platform's) and buffers like MySqlPlatform.escape does.
      return (value) => {
        if (value instanceof Date) return value;
        if (typeof value === 'bigint') return value.toString();
        return common(value);
      };
  }
}

/** MariaDB has `INSERT … RETURNING` since 10.5; the answer per driver, asked once. */
const mariadbReturning = new WeakMap<object, Promise<boolean>>();

async function supportsReturning(em: SqlEntityManager, target: BulkTarget): Promise<boolean> {
  if (target.dialect === 'sqlite' || target.dialect === 'postgresql') return true;
  if (!target.mariadb) return false;
  const driver = em.getDriver();
  let answer = mariadbReturning.get(driver);
  if (!answer) {
    answer = em
      .getConnection('write')
      .execute('select version() as v', [], 'get', em.getTransactionContext())
      .then((row) => {
        const m = /^(\d+)\.(\d+)/.exec(String((row as { v?: unknown } | undefined)?.v ?? ''));
        return !!m && (Number(m[1]) > 10 || (Number(m[1]) === 10 && Number(m[2]) >= 5));
      });
    mariadbReturning.set(driver, answer);
    answer.catch(() => mariadbReturning.delete(driver));
  }
  return answer;
}

interface StatementText {
  /** What the driver is sent: `$1, $2…` placeholders on PostgreSQL, `?` elsewhere. */
  readonly sql: string;
  /** What is logged: `?` placeholders everywhere, like every statement MikroORM logs. */
  readonly logged: string;
}

/** A statement being filled, then sent. */
interface Statement {
  readonly keys: readonly string[];
  /** The key is in the payload (given, or set on creation); else the database generates it. */
  readonly keyGiven: boolean;
  /** Columns read back by RETURNING (their field names); empty when nothing is. */
  readonly returning: readonly string[];
  /** Only the key comes back, as a plain number: setting it is all the mapping of the row does. */
  readonly keyOnly: boolean;
  readonly changeSets: ChangeSet<object>[];
  readonly params: unknown[];
  chars: number;
}

interface Sent {
  readonly statement: Statement;
  readonly result: Promise<InsertResult>;
}

/** What `BulkRun.add` did with an entity. */
const ADDED = 0;
/** Added, and a statement was sent: time to map the results of the previous one. */
const SENT = 1;
/** Not added: the entity needs the unit of work (nothing of it was written). */
const REFUSED = 2;

const REGISTER = { refresh: true } as const;

/**
 * One `insertAll`'s statements. Entities are added one by one and go out in statements of at most
 * MAX_ROWS rows and the driver's parameter limit (consecutive rows with the same columns share one);
 * while the database runs a statement, the next is built and the previous one's results are mapped.
 */
class BulkRun {
  readonly #em: SqlEntityManager;
  readonly #ctx: TransactionContext;
  readonly #plan: Plan;
  readonly #dialect: Dialect;
  readonly #withReturning: boolean;
  readonly #uow: UnitOfWork;
  readonly #persister: PersisterInternals;
  readonly #comparator: EntityComparator;
  readonly #bind: Binder;
  readonly #validateRequired: boolean;
  readonly #visited = new Set<object>();
  readonly #added = new Set<object>();
  #table: string | undefined;
  #schema: string | undefined;
  #current: Statement | undefined;
  #sent: Sent[] = [];
  #step: bigint | undefined;

  constructor(
    em: SqlEntityManager,
    ctx: TransactionContext,
    plan: Plan,
    dialect: Dialect,
    withReturning: boolean,
  ) {
    this.#em = em;
    this.#ctx = ctx;
    this.#plan = plan;
    this.#dialect = dialect;
    this.#withReturning = withReturning;
    this.#uow = em.getUnitOfWork(false);
    this.#persister = this.#uow.getChangeSetPersister() as unknown as PersisterInternals;
    this.#comparator = em.getComparator();
    this.#bind = binderFor(em, dialect);
    this.#validateRequired = em.config.get('validateRequired') !== false;
  }

  /**
   * Prepares a new entity's row as the unit of work would (UnitOfWork.findNewEntities,
   * ChangeSetComputer.computeChangeSet, ChangeSetPersister.processProperties) and adds it to the
   * statement being filled, sending that statement when full.
   */
  add(e: object): typeof ADDED | typeof SENT | typeof REFUSED {
    const plan = this.#plan;
    const uow = this.#uow;
    // The same instance twice is one insert for the unit of work (the second persist is a no-op).
    if (this.#added.has(e)) return REFUSED;
    if (!isPlainNew(e, plan, uow.getIdentityMap(), uow.getPersistStack(), uow.getRemoveStack()))
      return REFUSED;
    this.#added.add(e);
    const em = this.#em;
    helper(e).__schema ??= em.schema;
    for (const prop of plan.initializers) initialize(em, e as Dictionary, prop);
    const payload = this.#comparator.prepareEntity(e) as Dictionary;
    validateEntity(e, plan.meta);
    if (this.#validateRequired) this.#persister.validateRequired(e);
    const cs = new ChangeSet(e, ChangeSetType.CREATE, payload, plan.meta);
    if (this.#table === undefined) {
      this.#schema = cs.schema;
      this.#table = em.getDriver().getTableName(plan.meta, { schema: cs.schema } as never);
    } else if (cs.schema !== this.#schema) {
      return REFUSED;
    }

    let statement = this.#current;
    const same = statement !== undefined && sameKeys(payload, statement.keys);
    const keys = same ? statement!.keys : Object.keys(payload);
    if (!same) for (const key of keys) if (!plan.columns.has(key)) return REFUSED;
    const values: unknown[] = new Array(keys.length);
    let chars = 0;
    for (let k = 0; k < keys.length; k++) {
      const value = this.#bind(payload[keys[k]!]);
      if (value === UNBINDABLE) return REFUSED;
      // mysql2 writes a string's characters (escaped) and a buffer's bytes as two hex digits each.
      if (typeof value === 'string') chars += value.length;
      else if (value instanceof Uint8Array) chars += value.length * 2;
      values[k] = value;
    }
    let sent = false;
    if (
      statement &&
      (!same ||
        ((this.#dialect === 'mysql' || this.#dialect === 'mariadb') &&
          statement.chars + chars > MAX_MYSQL_CHARS))
    ) {
      this.#send(statement);
      sent = true;
      statement = undefined;
    }
    if (!statement) {
      statement = this.#open(keys, payload);
      // Sent or not, the previous statement is `finish`'s to map.
      if (!statement) return REFUSED;
      this.#current = statement;
    }
    statement.changeSets.push(cs);
    for (const value of values) statement.params.push(value);
    statement.chars += chars;
    if (statement.changeSets.length >= this.#rowsPerStatement(keys.length)) {
      this.#send(statement);
      sent = true;
    }
    return sent ? SENT : ADDED;
  }

  #rowsPerStatement(columns: number): number {
    return Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS[this.#dialect] / Math.max(1, columns))));
  }

  #open(keys: readonly string[], payload: Dictionary): Statement | undefined {
    const { meta, pk } = this.#plan;
    const keyGiven = keys.includes(pk.name);
    if (!this.#withReturning && !keyGiven && !pk.autoincrement) return undefined;
    // AbstractSqlDriver.nativeInsertMany: what the database generates is read back.
    const returning = this.#withReturning
      ? meta.props
          .filter(
            (p) =>
              p.returning ||
              (((p.persist !== false && p.defaultRaw) || p.autoincrement || p.generated) &&
                !(p.name in payload)),
          )
          .map((p) => p.fieldNames[0]!)
      : [];
    const keyOnly =
      returning.length === 1 &&
      returning[0] === pk.fieldNames[0] &&
      !pk.customType &&
      pk.runtimeType === 'number';
    return { keys, keyGiven, returning, keyOnly, changeSets: [], params: [], chars: 0 };
  }

  #send(statement: Statement): void {
    if (this.#current === statement) this.#current = undefined;
    const text = statementText(
      this.#plan,
      this.#em.getPlatform(),
      this.#table!,
      statement.keys,
      statement.changeSets.length,
      statement.returning,
      this.#dialect,
    );
    // Each statement runs once the one before it succeeded, as the unit of work's batches do: after a
    // failure (which SQLite and MySQL survive) no later row is written.
    const previous = this.#sent.at(-1)?.result;
    const run = () => execute(this.#em, this.#ctx, text, statement.params);
    const result = previous ? previous.then(run) : run();
    // Awaited in order by catchUp/finish/abandon; this only keeps a failure from being reported unhandled first.
    result.catch(() => {});
    this.#sent.push({ statement, result });
  }

  /** Maps the results of all but the last statement sent, while the database runs the last one. */
  async catchUp(): Promise<void> {
    // Let the statement just sent reach the socket before this thread gets busy.
    await yieldToIo();
    while (this.#sent.length > 1) {
      const { statement, result } = this.#sent.shift()!;
      const res = await result;
      await yieldToIo();
      await this.#map(statement, res);
    }
  }

  /** Sends what is left and maps every result: the entities are then managed. */
  async finish(): Promise<void> {
    if (this.#current) this.#send(this.#current);
    while (this.#sent.length > 0) {
      const { statement, result } = this.#sent.shift()!;
      await this.#map(statement, await result);
    }
  }

  /** Waits for the statements still running (after an error), so none outlives the call. */
  async abandon(): Promise<void> {
    const sent = this.#sent;
    this.#sent = [];
    this.#current = undefined;
    for (const { result } of sent) await result.catch(() => {});
  }

  /**
   * ChangeSetPersister.persistNewEntitiesBatch for one statement's entities, then what
   * UnitOfWork.commitCreateChangeSets and persistToDatabase do once they are inserted.
   */
  async #map(statement: Statement, res: InsertResult): Promise<void> {
    const { meta, pk } = this.#plan;
    const persister = this.#persister;
    const changeSets = statement.changeSets;
    const rows = statement.returning.length > 0 ? res.rows : undefined;
    if (rows && rows.length !== changeSets.length) {
      throw new Error(
        `insertAll: the database returned ${rows.length} rows for ${changeSets.length} inserted.`,
      );
    }
    let firstId = 0n;
    if (!statement.keyGiven && !rows) {
      this.#step ??= BigInt(
        await (this.#em.getDriver() as unknown as DriverInternals).getAutoIncrementIncrement(this.#ctx),
      );
      firstId = BigInt(res.insertId ?? 0n);
    }
    const pkField = pk.fieldNames[0]!;
    const hydrator = this.#em.getHydrator();
    const factory = this.#em.getEntityFactory();
    for (let j = 0; j < changeSets.length; j++) {
      const cs = changeSets[j]!;
      const row = rows?.[j];
      if (!statement.keyGiven) {
        let id: unknown = row?.[pkField];
        if (!row) {
          const big = firstId + BigInt(j) * this.#step!;
          id = pk.runtimeType === 'bigint' ? big : Number(big);
        }
        persister.mapPrimaryKey(meta, id, cs);
      }
      if (row && !(statement.keyOnly && typeof row[pkField] === 'number')) {
        // ChangeSetPersister.mapReturnedValues (which skips platforms MikroORM has no RETURNING for).
        const mapped = this.#comparator.mapResult(meta, row) as Dictionary;
        hydrator.hydrate(cs.entity, meta, mapped, factory, 'full', false, true);
        Object.assign(cs.payload, mapped);
      }
      persister.markAsPopulated(cs, meta);
      const wrapped = helper(cs.entity);
      wrapped.__initialized = true;
      wrapped.__managed = true;
    }
    if (!this.#withReturning) await persister.reloadVersionValues(meta, changeSets, { ctx: this.#ctx });
    const uow = this.#uow;
    const entities: object[] = new Array(changeSets.length);
    for (let j = 0; j < changeSets.length; j++) {
      const cs = changeSets[j]!;
      uow.register(cs.entity, cs.payload, REGISTER);
      // UnitOfWork.postCommitCleanup: the key cached by setPrimaryKey would outlive a rollback that clears it.
      delete (helper(cs.entity) as { __pk?: unknown }).__pk;
      entities[j] = cs.entity;
    }
    recordCreated(this.#em, entities);
    const internals = uow as unknown as UnitOfWorkInternals;
    for (const e of entities) internals.takeCollectionSnapshots(e, this.#visited);
  }
}

function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function isPlainNew(
  e: object,
  plan: Plan,
  identityMap: IdentityMap,
  persistStack: Set<object>,
  removeStack: Set<object>,
): boolean {
  const wrapped = helper(e);
  if (
    wrapped.__managed ||
    wrapped.__originalEntityData ||
    !wrapped.__initialized ||
    wrapped.__meta !== plan.meta ||
    persistStack.has(e) ||
    removeStack.has(e)
  ) {
    return false;
  }
  if (wrapped.hasPrimaryKey() && identityMap.getByEntity(e)) return false;
  for (const prop of plan.toOne) {
    const value = Reference.unwrapReference((e as Dictionary)[prop.name]);
    if (value == null) continue;
    // Only a to-one this unit of work manages, with its key: anything else is cascaded to by a flush.
    if (!Utils.isEntity(value, true) || identityMap.getByEntity(value) !== value) return false;
  }
  for (const prop of plan.toMany) {
    const value = (e as Dictionary)[prop.name];
    if (value == null) continue;
    if (!Utils.isCollection(value) || !value.isInitialized() || value.getItems(false).length > 0)
      return false;
  }
  return true;
}

// ChangeSetComputer.processPropertyInitializers, for a new entity.
function initialize(em: SqlEntityManager, e: Dictionary, prop: EntityProperty): void {
  const value = e[prop.name];
  if (
    prop.onCreate &&
    (value == null || (Utils.isScalarReference(value) && (value as { unwrap(): unknown }).unwrap() == null))
  ) {
    e[prop.name] = prop.onCreate(e, em);
  } else if (
    prop.default != null &&
    !isRaw(prop.default) &&
    prop.kind !== ReferenceKind.MANY_TO_ONE &&
    prop.kind !== ReferenceKind.ONE_TO_ONE &&
    value === undefined
  ) {
    e[prop.name] = prop.default;
  }
}

function sameKeys(payload: Dictionary, keys: readonly string[]): boolean {
  let n = 0;
  for (const key in payload) {
    if (keys[n] !== key) return false;
    n++;
  }
  return n === keys.length;
}

function statementText(
  plan: Plan,
  platform: Platform,
  table: string,
  keys: readonly string[],
  rows: number,
  returning: readonly string[],
  dialect: Dialect,
): StatementText {
  const cacheKey = `${table}\u0000${keys.join(',')}\u0000${rows}\u0000${returning.join(',')}`;
  let text = plan.statements.get(cacheKey);
  if (text) return text;
  const head = `insert into ${table} (${keys.map((k) => platform.quoteIdentifier(plan.columns.get(k)!)).join(', ')}) values `;
  const tail =
    returning.length > 0 ? ` returning ${returning.map((f) => platform.quoteIdentifier(f)).join(', ')}` : '';
  const logged = head + new Array(rows).fill(`(${keys.map(() => '?').join(', ')})`).join(', ') + tail;
  let sql = logged;
  if (dialect === 'postgresql') {
    const tuples: string[] = new Array(rows);
    let n = 1;
    for (let r = 0; r < rows; r++) {
      let tuple = '(';
      for (let c = 0; c < keys.length; c++) tuple += (c ? ', $' : '$') + n++;
      tuples[r] = tuple + ')';
    }
    sql = head + tuples.join(', ') + tail;
  }
  text = { sql, logged };
  // A handful of shapes per entity in practice; forget them all rather than grow without bound.
  if (plan.statements.size >= 32) plan.statements.clear();
  plan.statements.set(cacheKey, text);
  return text;
}

/** Runs one statement on the transaction's connection, logged and its errors converted like MikroORM's own. */
async function execute(
  em: SqlEntityManager,
  ctx: TransactionContext,
  text: StatementText,
  params: unknown[],
): Promise<InsertResult> {
  const connection = em.getConnection('write') as unknown as ConnectionInternals;
  // A compiled Kysely query, as CompiledQuery.raw(sql, parameters) makes it (kysely is not ours to import).
  const query = {
    sql: text.sql,
    parameters: params,
    query: { kind: 'RawNode', sqlFragments: [text.sql], parameters: [] },
    queryId: { queryId: `kosha-insert-${em._id}` },
  };
  try {
    return await connection.executeQuery(
      text.logged,
      async () => {
        const res = await ctx.executeQuery(query);
        // A plain object with `affectedRows`: what the query logger reports.
        return {
          rows: res.rows,
          insertId: res.insertId,
          affectedRows: Number(res.numAffectedRows ?? res.rows.length),
        };
      },
      { id: em._id },
    );
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}
