// Primary key values at call time: what callers give as an id (`Id<T>`) checked against the key's columns,
// an entity's own id, and the filter that finds a row by it. A composite key's id is an object of its
// parts (`{ follower: 1, followee: 2 }`), a relation part holding the related key or entity.
import { InvalidArgumentError } from '../errors.js';
import { columnValue, describeValue } from '../query/column-values.js';
import { isPlainObject, targetOf } from '../query/normalize-where.js';
import type { EntityMetadata, PropertyMetadata } from './metadata.js';

type Fields = Record<string, unknown>;

const isMissing = (v: unknown) => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));

/** The key of a related entity held by a to-one relation part: the related key itself, or taken from the entity. */
function partKey(p: PropertyMetadata, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return idOf(targetOf(p), value);
}

/**
 * The id of an entity instance (or a row of its fields): a single key's value, or for a composite key an
 * object of its parts, each relation part as the related key. `undefined` parts stay `undefined`: see
 * {@link hasId}.
 */
export function idOf(meta: EntityMetadata, entity: object): unknown {
  const fields = entity as Fields;
  if (!meta.compositeKey) return fields[meta.primaryKey.name];
  const id: Fields = {};
  for (const p of meta.primaryKeys) {
    id[p.name] = p.kind === 'id' ? fields[p.name] : partKey(p, fields[p.name]);
  }
  return id;
}

/** True when an id (of {@link idOf}) is whole: a value, or a value for every part of a composite key. */
export function hasId(meta: EntityMetadata, id: unknown): boolean {
  if (!meta.compositeKey) return !isMissing(id);
  return isPlainObject(id) && meta.primaryKeys.every((p) => !isMissing(id[p.name]));
}

/** An id as messages show it: `7`, or `(follower 1, followee 2)` for a composite key. */
export function describeId(meta: EntityMetadata, id: unknown): string {
  if (!meta.compositeKey || !isPlainObject(id)) return String(id);
  return `(${meta.primaryKeys.map((p) => `${p.name} ${String(id[p.name])}`).join(', ')})`;
}

/**
 * Checks an id a caller gave (`getById`, `delete`, `reference`, a relation given as a key) against the
 * key's column types and returns it as a backend is given it: the value, or for a composite key an object
 * of exactly its parts, each relation part as the related key. A value of the wrong type (a string for a
 * number key), a composite id that is not an object, misses a part or names another field is an
 * `InvalidArgumentError`: no SQL runs with it.
 */
export function checkId(meta: EntityMetadata, id: unknown, what: string): unknown {
  if (!meta.compositeKey)
    return checkPart(meta.primaryKey, id, what, `the id (${meta.name}.${meta.primaryKey.name})`);
  const names = meta.primaryKeys.map((p) => p.name);
  const shape = `{ ${names.map((n) => `${n}: …`).join(', ')} }`;
  if (!isPlainObject(id)) {
    throw new InvalidArgumentError(
      `${what}: ${meta.name} has a composite key (${names.join(', ')}): give its id as an object ${shape}, got ${describeValue(id)}.`,
    );
  }
  for (const key of Object.keys(id)) {
    if (!names.includes(key)) {
      throw new InvalidArgumentError(
        `${what}: ${key} is not part of ${meta.name}'s key (${names.join(', ')}): give its id as ${shape}.`,
      );
    }
  }
  const out: Fields = {};
  for (const p of meta.primaryKeys) {
    out[p.name] = checkPart(p, id[p.name], what, `the key part ${meta.name}.${p.name}`);
  }
  return out;
}

function checkPart(p: PropertyMetadata, value: unknown, what: string, label: string): unknown {
  if (isMissing(value)) {
    throw new InvalidArgumentError(`${what}: ${label} must be a value, got ${describeValue(value)}.`);
  }
  if (p.kind !== 'id') {
    const target = targetOf(p);
    if (value instanceof target.class) {
      const key = idOf(target, value);
      if (!hasId(target, key)) {
        throw new InvalidArgumentError(
          `${what}: ${label} is a ${target.name} without its ${target.primaryKey.name}: insert it first, or give its key.`,
        );
      }
      return key;
    }
    return checkId(target, value, what);
  }
  try {
    return columnValue(label, p.type ?? 'string', value);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new InvalidArgumentError(`${what}: ${error.message}`);
    throw error;
  }
}

/**
 * Checks what a to-one relation field is given in a row or a filter: `null`, an entity (or a reference, or a
 * plain object of its fields) pass as they are; anything else is taken for the related key and checked
 * like an id ({@link checkId}), so a string given for a number key fails here, before any SQL.
 */
export function checkToOneValue(p: PropertyMetadata, value: unknown, what: string): void {
  if (value === null || value === undefined || (typeof value === 'object' && !(value instanceof Date)))
    return;
  checkId(targetOf(p), value, `${what} (${p.name})`);
}

/** The order of the primary key, every part ascending: the order of the built-in finders and `getAll`. */
export function keyOrder(meta: EntityMetadata): Record<string, 'asc'> {
  const order: Record<string, 'asc'> = {};
  for (const p of meta.primaryKeys) order[p.name] = 'asc';
  return order;
}

/** The filter that finds the row of a checked id ({@link checkId}): `{ id: 7 }`, or the composite id itself. */
export function keyFilter(meta: EntityMetadata, id: unknown): Readonly<Fields> {
  return meta.compositeKey ? (id as Fields) : { [meta.primaryKey.name]: id };
}
