import {
  type EntityClass,
  type EntityMetadata,
  InvalidArgumentError,
  metadataOf,
  UnknownFieldError,
} from '@kosha/core';
import { Collection, helper, Utils } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';

// An instance built with `new` has no collections yet (MikroORM converts arrays, not `undefined`):
// give each @oneToMany an empty, loaded one, as `em.create` would, so users see the same either way.
function giveCollections(meta: EntityMetadata, row: object): void {
  for (const p of meta.properties) {
    if (p.kind !== 'oneToMany') continue;
    const value = (row as Record<string, unknown>)[p.name];
    const loaded = Utils.isCollection(value) && (value as Collection<object>).isInitialized();
    if (!Array.isArray(value) && !loaded)
      (row as Record<string, unknown>)[p.name] = new Collection<object>(row);
  }
}

/**
 * Puts the rows of an `insertAll` into the unit of work of `em`: entity instances as they are, plain
 * objects of fields through `em.create`. A field the entity does not have is an `UnknownFieldError`,
 * anything else than those two kinds of row an `InvalidArgumentError`. Nothing is flushed yet.
 */
export function persistNew<T extends object>(
  em: SqlEntityManager,
  entity: EntityClass<T>,
  rows: readonly (T | Partial<T>)[],
): T[] {
  const meta = metadataOf(entity);
  return rows.map((row, i) => {
    if (row instanceof entity) {
      if (!helper(row).__managed) giveCollections(meta, row);
      em.persist(row);
      return row as T;
    }
    const proto = row === null || typeof row !== 'object' ? undefined : Object.getPrototypeOf(row);
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidArgumentError(
        `${meta.name}.insertAll: row ${i} is neither a ${meta.name} nor a plain object of its fields.`,
      );
    }
    const names = meta.properties.map((p) => p.name);
    for (const key of Object.keys(row)) {
      if (!names.includes(key)) throw new UnknownFieldError(meta.name, key, names);
    }
    return em.create(entity, row as never, { persist: true, partial: true }) as T;
  });
}
