import {
  type EntityClass,
  EntityNotFoundError,
  InvalidArgumentError,
  metadataOf,
  OptimisticLockError,
  type PropertyMetadata,
} from '@kosha/core';
import { helper, Utils } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { toWhere } from './field-filter.js';

type Fields = Record<string, unknown>;

// Never copied from a detached instance: the key finds the row, the version is checked, audit stamps are the ORM's.
const NOT_MERGED = new Set<PropertyMetadata['kind']>([
  'id',
  'version',
  'createdAt',
  'updatedAt',
  'oneToMany',
]);

const same = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : String(a) === String(b);

function keyOf(value: unknown, target: EntityClass): unknown {
  if (value === null || typeof value !== 'object') return value;
  return (value as Fields)[metadataOf(target).primaryKey.name];
}

/**
 * Finds the managed instance of `value` in `em`: `value` itself when this session manages it, else the
 * instance with the same key (from the identity map or the database). For `update`, a detached
 * instance's fields (those not `undefined`) are copied onto it, its to-one references re-pointed into
 * this session, and a stale `@version` is an `OptimisticLockError`; a row that does not exist is an
 * `EntityNotFoundError`. For `remove`, a row that does not exist gives `null`.
 */
export async function mergeDetached<T extends object>(
  em: SqlEntityManager,
  entity: EntityClass<T>,
  value: T,
  purpose: 'update' | 'remove',
): Promise<T | null> {
  const meta = metadataOf(entity);
  const pk = meta.primaryKey.name;
  const id = (value as Fields)[pk];
  if (id === undefined || id === null) {
    throw new InvalidArgumentError(
      `${meta.name}.${purpose} needs the entity's ${pk}, and it has none.${purpose === 'update' ? ' Save new entities with insertAll.' : ''}`,
    );
  }
  const uow = em.getUnitOfWork(false);
  const known = uow.getById<T>(entity, id as never);
  if (known === value) return value;
  const managed = known ?? ((await em.findOne(entity, toWhere(entity, { [pk]: id }) as never)) as T | null);
  if (!managed) {
    if (purpose === 'remove') return null;
    throw new EntityNotFoundError(
      `${meta.name} with ${pk} ${String(id)} does not exist (it was deleted, or never inserted), so it cannot be updated. ` +
        'Insert it with insertAll, or reload it first.',
    );
  }
  const version = meta.properties.find((p) => p.kind === 'version');
  const seen = version && (value as Fields)[version.name];
  if (version && seen !== undefined && !same(seen, (managed as Fields)[version.name])) {
    throw new OptimisticLockError(
      `${meta.name} with ${pk} ${String(id)} was changed by someone else since it was read ` +
        `(version ${String(seen)} was read, the row is at ${String((managed as Fields)[version.name])}). Reload it and apply the change again.`,
    );
  }
  if (purpose === 'update') {
    for (const p of meta.properties) {
      const v = (value as Fields)[p.name];
      if (NOT_MERGED.has(p.kind) || v === undefined) continue;
      if (p.kind !== 'manyToOne') {
        (managed as Fields)[p.name] = v;
        continue;
      }
      const target = p.target!();
      const key = keyOf(v, target);
      // A to-one value from another session must not drag that session's instance into this unit of work.
      (managed as Fields)[p.name] =
        key === null || key === undefined ? null : em.getReference(target as never, key as never);
    }
  }
  return managed;
}

/**
 * After an update through a managed copy, gives the caller's detached instance the new `@version` and
 * audit stamps, so it can be updated again. Instances still managed by another open session are left
 * alone: changing them would make that session write them.
 */
export function copyGenerated<T extends object>(entity: EntityClass<T>, managed: T, detached: T): void {
  if (Utils.isEntity(detached)) {
    const owner = helper(detached).__em;
    if (owner && owner.getUnitOfWork(false).getIdentityMap().getByEntity(detached) === detached) return;
  }
  for (const p of metadataOf(entity).properties) {
    if (p.kind === 'version' || p.kind === 'createdAt' || p.kind === 'updatedAt') {
      (detached as Fields)[p.name] = (managed as Fields)[p.name];
    }
  }
}
