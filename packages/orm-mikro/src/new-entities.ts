import {
  type EntityClass,
  type EntityMetadata,
  InvalidArgumentError,
  isToMany,
  metadataOf,
  UnknownFieldError,
} from '@kosha/core';
import { Collection, Utils, wrap } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { RowReferences } from './detached-references.js';

// An instance built with `new` may have no collections yet (MikroORM converts arrays, not `undefined`),
// or core's stand-in `many(this)` gives when no backend was imported yet: give each to-many a loaded
// Collection (with the stand-in's items), as `em.create` would, so users see the same either way.
function giveCollections(meta: EntityMetadata, row: object): void {
  for (const p of meta.properties) {
    if (!isToMany(p)) continue;
    const value = (row as Record<string, unknown>)[p.name];
    if (Array.isArray(value) || (Utils.isCollection(value) && (value as Collection<object>).isInitialized()))
      continue;
    const items = isIterable(value) && !Utils.isCollection(value) ? [...value] : undefined;
    (row as Record<string, unknown>)[p.name] = new Collection<object>(row, items);
  }
}

const isIterable = (v: unknown): v is Iterable<object> =>
  typeof v === 'object' && v !== null && typeof (v as Iterable<object>)[Symbol.iterator] === 'function';

const fieldNames = new WeakMap<EntityMetadata, ReadonlySet<string>>();

/**
 * Checks the rows of an `insertAll` or an `upsert` (`what`, for the message) before anything is created or
 * written: each is an instance of the entity or a plain object of its fields. A field the entity does not
 * have is an `UnknownFieldError`, anything else than those two kinds of row an `InvalidArgumentError`.
 */
export function checkRows<T extends object>(
  entity: EntityClass<T>,
  rows: readonly (T | Partial<T>)[],
  what: 'insertAll' | 'upsert' = 'insertAll',
): void {
  const meta = metadataOf(entity);
  let names = fieldNames.get(meta);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row instanceof entity) continue;
    const proto = row === null || typeof row !== 'object' ? undefined : Object.getPrototypeOf(row);
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidArgumentError(
        `${meta.name}.${what}: row ${i} is neither a ${meta.name} nor a plain object of its fields.`,
      );
    }
    if (!names) {
      names = new Set(meta.properties.map((p) => p.name));
      fieldNames.set(meta, names);
    }
    for (const key in row) {
      if (Object.hasOwn(row, key) && !names.has(key)) throw new UnknownFieldError(meta.name, key, [...names]);
    }
  }
}

const CREATE_OPTIONS = { persist: false, partial: true } as const;

// A plain row's related `{ id, … }` objects, entities of other sessions and keys become references
// before `em.create`, which would build new entities of them; the row itself is not changed.
function withReferences(
  em: SqlEntityManager,
  refs: RowReferences,
  entity: EntityClass,
  row: Record<string, unknown>,
): object {
  let out: Record<string, unknown> | undefined;
  for (const prop of em.getMetadata().get(entity).relations) {
    const value = row[prop.name];
    if (value == null) continue;
    const next = refs.valueFor(prop, value);
    if (next !== value) (out ??= { ...row })[prop.name] = next;
  }
  return out ?? row;
}

/**
 * The entity of one checked `insertAll` row, not yet persisted: an entity instance as it is, a plain
 * object of fields through `em.create` (which builds the instance, its references and collections).
 * Either way a related entity with its key that this session does not hold (a cached one, one from
 * another session, a plain `{ id }`) or a bare key becomes a reference to that row: it is never inserted
 * again, nor are its other fields written. A related entity without a key is new, and inserted with it.
 */
export function createOne<T extends object>(
  em: SqlEntityManager,
  entity: EntityClass<T>,
  row: T | Partial<T>,
  refs: RowReferences = new RowReferences(em),
): T {
  if (row instanceof entity) {
    if (!wrap(row).isManaged()) giveCollections(metadataOf(entity), row);
    refs.pointAtRows(row);
    return row as T;
  }
  const created = em.create(
    entity,
    withReferences(em, refs, entity, row as Record<string, unknown>) as never,
    CREATE_OPTIONS,
  ) as T;
  // The constructor may have run `many(this)` before @kosha/orm-mikro was imported.
  giveCollections(metadataOf(entity), created);
  refs.pointAtRows(created);
  return created;
}

/** The entities of checked `insertAll` rows (see `createOne`). */
export function createNew<T extends object>(
  em: SqlEntityManager,
  entity: EntityClass<T>,
  rows: readonly (T | Partial<T>)[],
): T[] {
  const refs = new RowReferences(em);
  return rows.map((row) => createOne(em, entity, row, refs));
}

/** Puts new entities into the unit of work of `em` and flushes it: MikroORM inserts them, with what they cascade to. */
export async function persistAndFlush<T extends object>(em: SqlEntityManager, entities: T[]): Promise<T[]> {
  for (const e of entities) em.persist(e);
  await em.flush();
  return entities;
}
