// `upsert` and `insertAll({ ignoreDuplicates })`: INSERTs with a conflict clause. MikroORM's own
// `em.upsertMany` does not fit: on a conflict it updates the given columns only — it neither bumps
// `@version` nor sets `@updatedAt` (its merge fields come from the data, and `onCreate` values are kept
// out of them), and on MySQL its "ignore" is `INSERT IGNORE`, which also turns other errors (a NULL in a
// NOT NULL column, a value too long) into warnings. So the statement is the INSERT MikroORM's query builder
// writes (its column names and value conversion; written by insert-values.ts where every field converts by
// its mapping alone, on PostgreSQL as one array per column through `unnest`) with Kosha's conflict clause
// after it, sent with its values bound (`em.execute` would write them into the text, which SQLite then
// prepares again for every call); the rows come back as `em.map` makes them (the identity map's instance
// refreshed, or a new managed one), without `em.map`'s cascading re-merge, which snapshots every entity a
// second time.
import { type EntityClass, metadataOf, type UpsertSpec } from '@kosha/core';
import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { UNBINDABLE } from '../bulk-insert/binder.js';
import { sameKeys } from '../bulk-insert/bulk-run.js';
import { execute } from '../bulk-insert/execute.js';
import { dialectPlaceholders, type StatementText } from '../bulk-insert/statement-text.js';
import { now } from '../entity-schema.js';
import { createFromRows } from '../internals/index.js';
import { checkRows } from '../new-entities.js';
import type { Dialect } from '../url.js';
import { binderOf, compiledContext, flushPending } from './compiled-flush.js';
import { insertValues, unnestInsert } from './insert-values.js';

/** What the statements need to know about the database. */
export interface UpsertTarget {
  readonly dialect: Dialect;
  readonly mariadb: boolean;
  /** True when `error` (as the driver threw it) is a unique-key violation. */
  isDuplicate(error: unknown): boolean;
  /**
   * True when the rows a write returns may become entities through the entity factory directly (the
   * members Kosha borrows are the ones it knows): what `em.map` does, without its cascading re-merge,
   * which takes a second snapshot of each entity the factory has just registered. False: `em.map`.
   */
  readonly fromRows: boolean;
}

/** A column whose value must be read through SQL of its type (SQLite's `bigint`: as text, or digits go). */
interface ReadAs {
  readonly prop: EntityProperty;
  readonly column: string;
  readonly alias: string;
}

const readAs = new WeakMap<EntityMetadata, readonly ReadAs[]>();

/** The columns of `meta` that a read selects through SQL (`convertToJSValueSQL`), as RETURNING must too. */
function readAsOf(meta: EntityMetadata): readonly ReadAs[] {
  let found = readAs.get(meta);
  if (!found) {
    found = meta.props
      .filter(
        (p) => p.hasConvertToJSValueSQL && p.customType?.convertToJSValueSQL && p.fieldNames?.length === 1,
      )
      .map((p, i) => ({ prop: p, column: p.fieldNames[0]!, alias: `__kosha_read_${i}` }));
    readAs.set(meta, found);
  }
  return found;
}

/**
 * `returning *`, and each column a read converts in SQL once more, converted, under an alias: RETURNING
 * hands back what the database stores, which for SQLite's bigint is a JS number that has lost digits.
 */
function returningAll(em: SqlEntityManager, meta: EntityMetadata): string {
  const platform = em.getPlatform();
  const extra = readAsOf(meta).map((c) => {
    const sql = c.prop.customType!.convertToJSValueSQL!(platform.quoteIdentifier(c.column), platform);
    return `, ${sql} as ${platform.quoteIdentifier(c.alias)}`;
  });
  return ` returning *${extra.join('')}`;
}

/** The returned rows with the converted columns in place of the stored ones. */
function readBackAs(meta: EntityMetadata, rows: readonly Row[]): readonly Row[] {
  const columns = readAsOf(meta);
  if (columns.length === 0) return rows;
  for (const row of rows) {
    for (const c of columns) {
      // Rows read back by a SELECT (MySQL/MariaDB) have no alias: the query builder converted them.
      if (!(c.alias in row)) continue;
      row[c.column] = row[c.alias];
      delete row[c.alias];
    }
  }
  return rows;
}

/** Rows a write returned (every column) as the managed entities, the identity map's ones refreshed. */
function managedOf<T extends object>(
  em: SqlEntityManager,
  entity: EntityClass<T>,
  given: readonly Row[],
  target: UpsertTarget,
): T[] {
  const meta = em.getMetadata().get(entity);
  const rows = readBackAs(meta, given);
  if (!target.fromRows) return rows.map((r) => em.map(entity, r) as T);
  const driver = em.getDriver();
  return createFromRows(
    em,
    meta,
    rows.map((r) => driver.mapResult(r, meta) as Row),
    true,
  ) as T[];
}

type Row = Record<string, unknown>;

/** Most bound parameters per statement (under every database's limit). */
const MAX_PARAMS = 30_000;
const MAX_ROWS = 1_000;

/** What {@link rowData} reads of an entity's mapping, found once per mapping. */
interface RowPlan {
  /** The fields a row may give (the to-many ones are not columns). */
  readonly fields: readonly string[];
  /** MikroORM's properties with an `onCreate` (`@createdAt`, generated uuid ids). */
  readonly onCreate: readonly EntityProperty[];
  /** The `@version` field and its first value. */
  readonly versions: readonly { readonly name: string; readonly first: () => unknown }[];
}

const rowPlans = new WeakMap<EntityMetadata, RowPlan>();

function rowPlanOf(entity: EntityClass, mikro: EntityMetadata): RowPlan {
  let plan = rowPlans.get(mikro);
  if (!plan) {
    const meta = metadataOf(entity);
    plan = {
      fields: meta.properties.filter((p) => p.kind !== 'oneToMany').map((p) => p.name),
      onCreate: mikro.props.filter((p) => p.onCreate),
      versions: meta.properties
        .filter((p) => p.kind === 'version')
        .map((p) => ({
          name: p.name,
          first: p.type === 'bigint' ? () => 1n : p.type === 'integer' || !p.type ? () => 1 : now(p.type),
        })),
    };
    rowPlans.set(mikro, plan);
  }
  return plan;
}

/** The rows as plain objects of their fields, with the values an insert would give them (`@createdAt`, uuid ids, `@version`). */
function rowData(em: SqlEntityManager, entity: EntityClass, rows: readonly object[]): Row[] {
  const { fields, onCreate, versions } = rowPlanOf(entity, em.getMetadata().find(entity)!);
  const out: Row[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    const data: Row = {};
    for (const name of fields) {
      const v = row[name];
      if (v !== undefined) data[name] = v;
    }
    for (const prop of onCreate) {
      if (data[prop.name] == null) data[prop.name] = prop.onCreate!(data as never, em);
    }
    for (const v of versions) if (data[v.name] == null) data[v.name] = v.first();
    out[i] = data;
  }
  return out;
}

/** The rows checked and as plain data, after the unit of work's pending changes are written. */
async function prepared(
  em: SqlEntityManager,
  entity: EntityClass,
  given: readonly object[],
  dialect: Dialect,
): Promise<Row[]> {
  checkRows(entity, given as never, 'upsert');
  const rows = rowData(em, entity, given);
  await flushPending(em, dialect);
  return rows;
}

/** Consecutive rows of the same fields, in statements of at most MAX_ROWS rows and MAX_PARAMS values. */
function batches(rows: Row[]): Row[][] {
  const out: Row[][] = [];
  let current: Row[] = [];
  let shape: readonly string[] = [];
  for (const row of rows) {
    const same = current.length > 0 && sameKeys(row, shape);
    const keys = same ? shape : Object.keys(row);
    const full = current.length >= MAX_ROWS || (current.length + 1) * keys.length > MAX_PARAMS;
    if (current.length && (full || !same)) {
      out.push(current);
      current = [];
    }
    shape = keys;
    current.push(row);
  }
  if (current.length) out.push(current);
  return out;
}

/** The value a key field compares by: a related entity by its key, dates and bigints as text. */
function keyPart(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    const meta = metadataOf(value.constructor as EntityClass);
    return keyPart((value as Row)[meta.primaryKey.name]);
  }
  return String(value);
}

/**
 * The conflict clause of a batch whose rows give the fields `given`: who updates what, per dialect. An
 * existing row takes those of the `update` fields the batch's rows give; a field a row leaves out keeps the
 * row's value (the INSERT's value for it would be the column's default, not anything the caller gave).
 */
function conflictClause(
  em: SqlEntityManager,
  entity: EntityClass,
  spec: UpsertSpec,
  dialect: Dialect,
  given: readonly string[],
): string {
  const meta = metadataOf(entity);
  const platform = em.getPlatform();
  const propertyOf = (field: string) => meta.properties.find((p) => p.name === field)!;
  const q = (field: string) => platform.quoteIdentifier(propertyOf(field).columnName!);
  const table = platform.quoteIdentifier(meta.tableName);
  const mysql = dialect === 'mysql' || dialect === 'mariadb';
  const value = (f: string) => (mysql ? `values(${q(f)})` : `excluded.${q(f)}`);
  const update = spec.update.filter((f) => given.includes(f));
  const sets: string[] = update.map((f) => `${q(f)} = ${value(f)}`);
  if (sets.length) {
    // `@updatedAt` is set unless every field the batch updates is `touchesUpdatedAt: false`.
    const touches =
      spec.touchesUpdatedAt && update.some((f) => propertyOf(f).options.touchesUpdatedAt !== false);
    for (const p of meta.properties) {
      if (p.kind === 'version') sets.push(`${q(p.name)} = ${mysql ? '' : `${table}.`}${q(p.name)} + 1`);
      // The row's own insert value: the time rowData gave it (or the caller's).
      if (p.kind === 'updatedAt' && touches) sets.push(`${q(p.name)} = ${value(p.name)}`);
    }
  } else {
    // Nothing to change: a no-op assignment still hands the existing row back (RETURNING) and locks it.
    const first = spec.onConflict[0]!;
    sets.push(`${q(first)} = ${mysql ? '' : `${table}.`}${q(first)}`);
  }
  if (mysql) return ` on duplicate key update ${sets.join(', ')}`;
  return ` on conflict (${spec.onConflict.map(q).join(', ')}) do update set ${sets.join(', ')}`;
}

/** The INSERT of `rows` (MikroORM's text, `?` placeholders), and its values. */
function insertStatement(
  em: SqlEntityManager,
  entity: EntityClass,
  rows: Row[],
): { sql: string; params: unknown[] } {
  const own = insertValues(em, em.getMetadata().get(entity), rows);
  if (own) return own;
  const { sql, params } = em
    .createQueryBuilder(entity)
    .insert(rows as never)
    .toQuery();
  // The builder asks for the generated columns back where the database returns them (` returning "id", …`,
  // always last, a plain column list): the conflict clause goes before it, and Kosha returns every column.
  return { sql: sql.replace(/ returning [^()?]*$/, ''), params: [...params] };
}

/**
 * Raw rows read back by a condition, as managed entities. `locking` reads them with `for update`: under
 * MySQL/MariaDB's REPEATABLE READ a plain SELECT reads the transaction's snapshot, which does not have a
 * row that a concurrent upsert of the same key inserted and committed after the snapshot was taken —
 * the row this statement's ON DUPLICATE KEY UPDATE just found and locked. A locking read reads the
 * latest committed version, and waits for nothing: the upsert already holds those rows' locks.
 */
async function readBack<T extends object>(
  em: SqlEntityManager,
  entity: EntityClass<T>,
  where: Row,
  target: UpsertTarget,
  locking = false,
): Promise<T[]> {
  const qb = em
    .createQueryBuilder(entity)
    .select('*')
    .where(where as never);
  let rows: Row[];
  if (locking) {
    const { sql, params } = qb.toQuery();
    rows = (await em.execute(`${sql} for update`, [...params], 'all')) as Row[];
  } else {
    rows = (await qb.execute('all', false)) as Row[];
  }
  return managedOf(em, entity, rows, target);
}

/** Texts with `$n` placeholders by their `?` text (PostgreSQL), kept for the statements sent again and again. */
const numbered = new Map<string, string>();

/** The PostgreSQL text of a `?` text, from {@link numbered} when it was sent before. */
function numberedText(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) {
    text = dialectPlaceholders(sql, 'postgresql');
    // A few shapes per program (the batch sizes it upserts), each text tens of kilobytes: keep few.
    if (numbered.size >= 16) numbered.clear();
    numbered.set(sql, text);
  }
  return text;
}

/**
 * Runs a statement of `?` placeholders on the session's transaction with its values bound, as the compiled
 * writes send theirs; through `em.execute` (the values written into the text) when a value is not one the
 * driver binds as MikroORM would write it, or MikroORM's internals are not those Kosha was checked against.
 */
async function send(
  em: SqlEntityManager,
  sql: string,
  params: readonly unknown[],
  dialect: Dialect,
  method: 'all' | 'run',
): Promise<Row[]> {
  const ctx = compiledContext(em, dialect);
  if (ctx) {
    const bind = binderOf(em, dialect);
    const bound = params.map(bind);
    if (!bound.includes(UNBINDABLE)) {
      const text: StatementText = { sql: dialect === 'postgresql' ? numberedText(sql) : sql, logged: sql };
      return (await execute(em, ctx, text, bound, 'insert')).rows as Row[];
    }
  }
  const res = await em.execute(sql, [...params], method);
  return method === 'all' ? (res as Row[]) : [];
}

/**
 * Sends the INSERT of `batch` followed by `tail` (the conflict clause, and RETURNING where the rows come
 * back) on the session's transaction, and returns the rows it returned. On PostgreSQL the rows go as one
 * array per column where {@link unnestInsert} takes them and a compiled statement may run; else as the
 * query builder's `VALUES` list ({@link insertStatement}).
 */
async function sendInsert(
  em: SqlEntityManager,
  entity: EntityClass,
  batch: Row[],
  tail: string,
  dialect: Dialect,
  method: 'all' | 'run',
): Promise<Row[]> {
  const ctx = dialect === 'postgresql' ? compiledContext(em, dialect) : undefined;
  if (ctx) {
    const insert = unnestInsert(em, em.getMetadata().get(entity), batch, binderOf(em, dialect));
    if (insert) {
      const text: StatementText = { sql: insert.sql + tail, logged: insert.logged + tail };
      return (await execute(em, ctx, text, insert.params, 'insert')).rows as Row[];
    }
  }
  const insert = insertStatement(em, entity, batch);
  return send(em, insert.sql + tail, insert.params, dialect, method);
}

/** Inserts or updates the rows; the managed entities in the rows' order. */
export async function upsertRows<T extends object>(
  em: SqlEntityManager,
  entity: EntityClass<T>,
  given: readonly object[],
  spec: UpsertSpec,
  target: UpsertTarget,
): Promise<T[]> {
  const meta = metadataOf(entity);
  const mikroMeta = em.getMetadata().get(entity);
  const rows = await prepared(em, entity, given, target.dialect);
  // MariaDB's RETURNING is not documented for the ON DUPLICATE KEY UPDATE branch: read back there.
  const returning = target.dialect === 'postgresql' || target.dialect === 'sqlite';
  const [first, ...more] = spec.onConflict;
  const keyOf = (r: Row) => {
    let key = keyPart(r[first!]);
    for (const f of more) key += `\u0000${keyPart(r[f])}`;
    return key;
  };
  const sameKey = (e: Row, r: Row) => {
    for (const f of spec.onConflict) {
      const a = e[f];
      const b = r[f];
      if (a !== b && keyPart(a) !== keyPart(b)) return false;
    }
    return true;
  };
  const out: T[] = new Array(rows.length);
  // The rows a batch returned, in the rows' places: the statement returns them in the order it was given
  // them, which is checked row by row; where it is not (MySQL/MariaDB read back by key, a key given twice),
  // each row takes the entity of its key.
  const place = (managed: T[], from: number, batch: Row[]) => {
    let i = 0;
    if (managed.length === batch.length) {
      while (i < batch.length && sameKey(managed[i] as Row, batch[i]!)) {
        out[from + i] = managed[i]!;
        i++;
      }
      if (i === batch.length) return;
    }
    const found = new Map<string, T>();
    for (const e of managed) found.set(keyOf(e as Row), e);
    for (; i < batch.length; i++) {
      const e = found.get(keyOf(batch[i]!));
      if (!e)
        throw new Error(
          `${meta.name}.upsert: a row was written but not read back (key ${keyOf(batch[i]!)}).`,
        );
      out[from + i] = e;
    }
  };
  let from = 0;
  for (const batch of batches(rows)) {
    // A batch's rows are of one shape (batches).
    const clause = conflictClause(em, entity, spec, target.dialect, Object.keys(batch[0]!));
    if (returning) {
      const tail = clause + returningAll(em, mikroMeta);
      place(
        managedOf(em, entity, await sendInsert(em, entity, batch, tail, target.dialect, 'all'), target),
        from,
        batch,
      );
    } else {
      await sendInsert(em, entity, batch, clause, target.dialect, 'run');
      const where =
        spec.onConflict.length === 1
          ? { [spec.onConflict[0]!]: { $in: batch.map((r) => r[spec.onConflict[0]!]) } }
          : { $or: batch.map((r) => Object.fromEntries(spec.onConflict.map((f) => [f, r[f]]))) };
      place(await readBack(em, entity, where, target, true), from, batch);
    }
    from += batch.length;
  }
  return out;
}

/** Inserts the rows that collide with no existing row on a unique key; the managed entities of those inserted. */
export async function insertIgnoring<T extends object>(
  em: SqlEntityManager,
  entity: EntityClass<T>,
  given: readonly object[],
  target: UpsertTarget,
): Promise<T[]> {
  const meta = metadataOf(entity);
  const rows = await prepared(em, entity, given, target.dialect);
  const out: T[] = [];
  if (target.dialect === 'postgresql' || target.dialect === 'sqlite') {
    const mikroMeta = em.getMetadata().get(entity);
    for (const batch of batches(rows)) {
      const tail = ` on conflict do nothing${returningAll(em, mikroMeta)}`;
      out.push(
        ...managedOf(em, entity, await sendInsert(em, entity, batch, tail, target.dialect, 'all'), target),
      );
    }
    return out;
  }
  // MySQL/MariaDB: INSERT IGNORE would also let through other errors as warnings, and a no-op
  // ON DUPLICATE KEY UPDATE reports an inserted and a skipped row alike (mysql2 sets CLIENT_FOUND_ROWS). One
  // INSERT per row tells them apart: a duplicate key fails that statement alone (InnoDB rolls back the
  // statement, not the transaction), any other error fails the call.
  const pk = meta.primaryKey;
  const keys: unknown[] = [];
  for (const row of rows) {
    const insert = insertStatement(em, entity, [row]);
    try {
      const res = (await em.execute(insert.sql, insert.params, 'run')) as { insertId?: number | bigint };
      keys.push(row[pk.name] ?? res.insertId);
    } catch (error) {
      if (!target.isDuplicate(error)) throw error;
    }
  }
  for (let i = 0; i < keys.length; i += MAX_ROWS) {
    const part = keys.slice(i, i + MAX_ROWS);
    const read = await readBack(em, entity, { [pk.name]: { $in: part } }, target);
    const byKey = new Map(read.map((e) => [keyPart((e as Row)[pk.name]), e]));
    for (const k of part) out.push(byKey.get(keyPart(k))!);
  }
  return out;
}
