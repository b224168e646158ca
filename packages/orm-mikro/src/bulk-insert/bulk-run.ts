import { ChangeSet, ChangeSetType, type Dictionary, type UnitOfWork, wrap } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import {
  autoIncrementStep,
  forgetCachedKey,
  mapResult,
  markInserted,
  type Persister,
  persisterOf,
  prepareEntity,
  registerInserted,
  tableNameOf,
  takeCollectionSnapshots,
  validateEntity,
} from '../internals/index.js';
import { recordCreated } from '../savepoint-stack.js';
import type { Dialect } from '../url.js';
import { type Binder, binderFor, UNBINDABLE } from './binder.js';
import { execute, type InsertResult, type TransactionContext } from './execute.js';
import { initialize, isPlainNew } from './new-entity.js';
import type { Plan } from './plan.js';
import { MAX_MYSQL_CHARS, MAX_PARAMS, MAX_ROWS, statementText } from './statement-text.js';

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
export const ADDED = 0;
/** Added, and a statement was sent: time to map the results of the previous one. */
export const SENT = 1;
/** Not added: the entity needs the unit of work (nothing of it was written). */
export const REFUSED = 2;

/**
 * One `insertAll`'s statements. Entities are added one by one and go out in statements of at most
 * MAX_ROWS rows and the driver's parameter limit (consecutive rows with the same columns share one);
 * while the database runs a statement, the next is built and the previous one's results are mapped.
 */
export class BulkRun {
  readonly #em: SqlEntityManager;
  readonly #ctx: TransactionContext;
  readonly #plan: Plan;
  readonly #dialect: Dialect;
  readonly #withReturning: boolean;
  readonly #uow: UnitOfWork;
  readonly #persister: Persister;
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
    this.#persister = persisterOf(em);
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
    if (!isPlainNew(e, plan, uow)) return REFUSED;
    this.#added.add(e);
    const em = this.#em;
    const wrapped = wrap(e);
    if (wrapped.getSchema() == null) wrapped.setSchema(em.schema);
    for (const prop of plan.initializers) initialize(em, e as Dictionary, prop);
    const payload = prepareEntity(em, e);
    validateEntity(e, plan.meta);
    if (this.#validateRequired) this.#persister.validateRequired(e);
    const cs = new ChangeSet(e, ChangeSetType.CREATE, payload, plan.meta);
    if (this.#table === undefined) {
      this.#schema = cs.schema;
      this.#table = tableNameOf(em, plan.meta, cs.schema);
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
      this.#step ??= await autoIncrementStep(this.#em, this.#ctx);
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
        const mapped = mapResult(this.#em, meta, row);
        hydrator.hydrate(cs.entity, meta, mapped, factory, 'full', false, true);
        Object.assign(cs.payload, mapped);
      }
      persister.markAsPopulated(cs, meta);
      markInserted(cs.entity);
    }
    if (!this.#withReturning) await persister.reloadVersionValues(meta, changeSets, { ctx: this.#ctx });
    const uow = this.#uow;
    const entities: object[] = new Array(changeSets.length);
    for (let j = 0; j < changeSets.length; j++) {
      const cs = changeSets[j]!;
      registerInserted(uow, cs.entity, cs.payload);
      forgetCachedKey(cs.entity);
      entities[j] = cs.entity;
    }
    recordCreated(this.#em, entities);
    for (const e of entities) takeCollectionSnapshots(uow, e, this.#visited);
  }
}

function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** True when `payload`'s own keys are `keys`, in that order (without making a list of them). */
export function sameKeys(payload: Dictionary, keys: readonly string[]): boolean {
  let n = 0;
  for (const key in payload) {
    if (keys[n] !== key) return false;
    n++;
  }
  return n === keys.length;
}
