// From DbRepo's write and lock arguments to the checked specs a backend runs: every check happens here,
// before a transaction opens or any SQL runs.
import { InvalidArgumentError, UnknownFieldError } from '../errors.js';
import type { EntityMetadata, PropertyMetadata } from '../mapping/metadata.js';
import type { ChangeNode, LockSpec, UpsertSpec } from '../orm/orm-backend.js';
import { columnValue, describeValue } from '../query/column-values.js';
import { isPlainObject } from '../query/normalize-where.js';
import { Operator } from '../query/operators.js';
import { Increment } from './update-values.js';

const MANAGED_KINDS: ReadonlySet<string> = new Set(['id', 'version', 'createdAt', 'updatedAt', 'deletedAt']);
const NUMERIC: ReadonlySet<string> = new Set(['integer', 'bigint', 'float', 'decimal']);

function property(meta: EntityMetadata, field: unknown): PropertyMetadata {
  const p = typeof field === 'string' ? meta.properties.find((q) => q.name === field) : undefined;
  if (!p || p.kind === 'oneToMany') {
    throw new UnknownFieldError(meta.name, String(field), [...meta.fieldNames]);
  }
  return p;
}

/** True when the change of these fields alone moves `@updatedAt` (some field is not `touchesUpdatedAt: false`). */
export function touchesUpdatedAt(meta: EntityMetadata, fields: Iterable<string>): boolean {
  for (const f of fields) {
    const p = meta.properties.find((q) => q.name === f);
    if (p?.options.touchesUpdatedAt !== false) return true;
  }
  return false;
}

/** `updateWhere`'s changes, checked: known, writable fields; values of their column's type; increments on numbers. */
export function changeNodes(meta: EntityMetadata, what: string, changes: unknown): ChangeNode[] {
  if (!isPlainObject(changes)) {
    throw new InvalidArgumentError(
      `${what} takes the changes as an object of fields, e.g. { status: 'done', views: increment(1) }; got ${describeValue(changes)}.`,
    );
  }
  const out: ChangeNode[] = [];
  for (const field of Object.keys(changes)) {
    const p = property(meta, field);
    const value = changes[field];
    const name = `${meta.name}.${field}`;
    if (MANAGED_KINDS.has(p.kind)) {
      throw new InvalidArgumentError(
        `${what}: ${name} is the entity's @${p.kind === 'id' ? 'id' : p.kind}, which Kosha maintains` +
          (p.kind === 'deletedAt' ? ': use delete/restore.' : '; leave it out of the changes.'),
      );
    }
    if (value === undefined) {
      throw new InvalidArgumentError(
        `${what}: ${name} is undefined; leave it out, or give null to clear it.`,
      );
    }
    if (Increment.is(value)) {
      if (p.kind !== 'column' || !NUMERIC.has(p.type ?? '')) {
        throw new InvalidArgumentError(
          `${what}: ${name} is a ${p.type ?? p.kind} ${p.kind === 'column' ? 'column' : 'field'}; increment/decrement work on numeric columns only.`,
        );
      }
      const by = p.type === 'bigint' && typeof value.by === 'number' ? BigInt(value.by) : value.by;
      if (p.type === 'integer' && typeof by === 'number' && !Number.isSafeInteger(by)) {
        throw new InvalidArgumentError(
          `${what}: ${name} is an integer column; increment it by a whole number, got ${by}.`,
        );
      }
      out.push({ kind: 'add', field, by });
      continue;
    }
    if (Operator.is(value)) {
      throw new InvalidArgumentError(
        `${what}: ${name} is given a query operator (${value.op}); a change is a value, or increment(n) / decrement(n).`,
      );
    }
    if (value === null) {
      if (!p.options.nullable) {
        throw new InvalidArgumentError(`${what}: ${name} is not nullable; give it a value.`);
      }
      out.push({ kind: 'set', field, value: null });
      continue;
    }
    if (p.kind === 'manyToOne') {
      out.push({ kind: 'set', field, value });
      continue;
    }
    // A json column holds any JSON value; every other column refuses objects (never an operator in disguise).
    out.push({ kind: 'set', field, value: p.type === 'json' ? value : columnValue(name, p.type!, value) });
  }
  if (out.length === 0) {
    throw new InvalidArgumentError(`${what}: the changes are empty; give at least one field to change.`);
  }
  return out;
}

/** The unique keys of an entity: its primary key, each unique column, and each `@unique([…])` of the class. */
function uniqueKeys(meta: EntityMetadata): string[][] {
  const keys = [(meta.primaryKeys ?? [meta.primaryKey]).map((p) => p.name)];
  for (const p of meta.properties) if (p.options.unique) keys.push([p.name]);
  // Composite unique constraints, where the mapping has them.
  const composite = (meta as { uniques?: readonly (readonly string[])[] }).uniques ?? [];
  for (const u of composite) keys.push([...u]);
  return keys;
}

/** `upsert`'s options, checked: `onConflict` names exactly one unique key; `update`, known fields. */
export function upsertSpec(
  meta: EntityMetadata,
  what: string,
  options: unknown,
  rows: readonly object[],
): UpsertSpec {
  for (let i = 0; i < rows.length; i++) {
    const row: unknown = rows[i];
    if (!(row instanceof meta.class) && !isPlainObject(row)) {
      throw new InvalidArgumentError(
        `${what}: row ${i} is neither a ${meta.name} nor a plain object of its fields (got ${describeValue(row)}).`,
      );
    }
  }
  if (!isPlainObject(options) || !Array.isArray(options.onConflict)) {
    throw new InvalidArgumentError(
      `${what} takes { onConflict: [fields], update?: [fields] }, e.g. upsert(rows, { onConflict: ['email'] }).`,
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== 'onConflict' && key !== 'update') {
      throw new InvalidArgumentError(
        `${what}: unknown option ${JSON.stringify(key)}; the options are onConflict, update.`,
      );
    }
  }
  const onConflict = options.onConflict as unknown[];
  for (const f of onConflict) property(meta, f);
  const wanted = [...new Set(onConflict as string[])].sort();
  const keys = uniqueKeys(meta);
  if (wanted.length === 0 || !keys.some((k) => [...k].sort().join() === wanted.join())) {
    throw new InvalidArgumentError(
      `${what}: onConflict [${wanted.join(', ')}] is not a unique key of ${meta.name}; the database can only ` +
        `detect a conflict on one. Its unique keys: ${keys.map((k) => `[${k.join(', ')}]`).join(', ')} ` +
        '(mark a column unique: true, or the class @unique([...])).',
    );
  }
  let update: string[];
  if (options.update === undefined) {
    // Every field the rows give (an own key of one of them, as Object.keys lists it), but the key's and
    // those Kosha maintains. Rows of one shape answer at the first row.
    const givenByOne = (name: string) =>
      rows.some((row) => Object.prototype.propertyIsEnumerable.call(row, name));
    update = meta.properties
      .filter(
        (p) =>
          !wanted.includes(p.name) &&
          !MANAGED_KINDS.has(p.kind) &&
          p.kind !== 'oneToMany' &&
          givenByOne(p.name),
      )
      .map((p) => p.name);
  } else {
    if (!Array.isArray(options.update)) {
      throw new InvalidArgumentError(
        `${what}: update takes an array of fields, got ${describeValue(options.update)}.`,
      );
    }
    update = [];
    for (const f of options.update as unknown[]) {
      const p = property(meta, f);
      if (MANAGED_KINDS.has(p.kind)) {
        throw new InvalidArgumentError(
          `${what}: update lists ${meta.name}.${p.name}, the @${p.kind} Kosha maintains; leave it out.`,
        );
      }
      if (!update.includes(p.name)) update.push(p.name);
    }
  }
  for (const row of rows) {
    for (const f of wanted) {
      const v = (row as Record<string, unknown>)[f];
      if (v === undefined || v === null) {
        throw new InvalidArgumentError(
          `${what}: every row needs its onConflict field ${meta.name}.${f}, and one has ${describeValue(v)}.`,
        );
      }
    }
  }
  return { onConflict: wanted, update, touchesUpdatedAt: touchesUpdatedAt(meta, update) };
}

/** A read's lock options, checked; `undefined` without `lock`. */
export function lockSpec(what: string, options: Record<string, unknown>): LockSpec | undefined {
  const { lock, skipLocked, noWait } = options;
  if (lock === undefined) {
    if (skipLocked || noWait) {
      throw new InvalidArgumentError(
        `${what}: skipLocked and noWait go with a lock, e.g. { lock: 'pessimistic_write', skipLocked: true }.`,
      );
    }
    return undefined;
  }
  if (lock !== 'pessimistic_write' && lock !== 'pessimistic_read') {
    throw new InvalidArgumentError(
      `${what}: lock is 'pessimistic_write' or 'pessimistic_read', got ${describeValue(lock)}.`,
    );
  }
  for (const [k, v] of [
    ['skipLocked', skipLocked],
    ['noWait', noWait],
  ] as const) {
    if (v !== undefined && typeof v !== 'boolean') {
      throw new InvalidArgumentError(`${what}: ${k} is true or false, got ${describeValue(v)}.`);
    }
  }
  if (skipLocked && noWait) {
    throw new InvalidArgumentError(`${what}: skipLocked and noWait exclude each other; pick one.`);
  }
  return { mode: lock, skipLocked: skipLocked === true, noWait: noWait === true };
}

/** A boolean option, checked. */
export function flag(what: string, name: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new InvalidArgumentError(`${what}: ${name} is true or false, got ${describeValue(value)}.`);
}
