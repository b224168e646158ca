import {
  describeId,
  type EntityClass,
  type EntityMetadata,
  EntityNotFoundError,
  hasId,
  holdsForeignKey,
  InvalidArgumentError,
  idOf,
  keyFilter,
  metadataOf,
  OptimisticLockError,
  type PropertyMetadata,
} from '@kosha/core';
import { type EntityProperty, Utils } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { RowReferences } from './detached-references.js';
import { toWhere } from './field-filter.js';
import { heldInstance, ownerOf } from './internals/index.js';

type Fields = Record<string, unknown>;

// Never copied from a detached instance: the key finds the row, the version is checked, audit stamps are the ORM's.
const NOT_MERGED = new Set<PropertyMetadata['kind']>([
  'id',
  'version',
  'createdAt',
  'updatedAt',
  'oneToMany',
  'manyToMany',
]);

const same = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : String(a) === String(b);

// A to-one value from another session must not drag that session's instance into this unit of work;
// a plain object without the related key is a new entity, as in insertAll.
function toOne(em: SqlEntityManager, refs: RowReferences, prop: EntityProperty, value: unknown): unknown {
  const next = refs.valueFor(prop, value);
  if (!Utils.isPlainObject(next)) return next;
  return em.create(prop.targetMeta!.class, next as never, { persist: false, partial: true });
}

/** `with id 7`, or `with key (follower 1, followee 2)` for a composite key. */
function withKey(meta: EntityMetadata, id: unknown): string {
  return meta.compositeKey
    ? `with key ${describeId(meta, id)}`
    : `with ${meta.primaryKey.name} ${String(id)}`;
}

/**
 * Finds the managed instance of `value` in `em`: `value` itself when this session manages it, else the
 * instance with the same key (from the identity map or the database). For `update`, a detached
 * instance's fields (those not `undefined`) are copied onto it, and a stale `@version` is an
 * `OptimisticLockError`; a row that does not exist is an `EntityNotFoundError`. Either way its to-one
 * relations are pointed at existing rows in this session (`RowReferences`): a related entity with
 * its key is a reference, one without is new. For `remove`, a row that does not exist gives `null`.
 */
export async function mergeDetached<T extends object>(
  em: SqlEntityManager,
  entity: EntityClass<T>,
  value: T,
  purpose: 'update' | 'remove',
): Promise<T | null> {
  const meta = metadataOf(entity);
  const id = idOf(meta, value);
  if (!hasId(meta, id)) {
    const key = meta.primaryKeys.map((p) => p.name).join(', ');
    throw new InvalidArgumentError(
      `${meta.name}.${purpose} needs the entity's ${key}, and it has ${meta.compositeKey ? 'not all of it' : 'none'}.${purpose === 'update' ? ' Save new entities with insertAll.' : ''}`,
    );
  }
  const where = toWhere(entity, keyFilter(meta, id));
  const uow = em.getUnitOfWork(false);
  const known = uow.tryGetById<T>(entity, where as never);
  if (known === value) {
    if (purpose === 'update') new RowReferences(em).pointAtRows(value);
    return value;
  }
  const managed = known ?? ((await em.findOne(entity, where as never)) as T | null);
  if (!managed) {
    if (purpose === 'remove') return null;
    throw new EntityNotFoundError(
      `${meta.name} ${withKey(meta, id)} does not exist (it was deleted, or never inserted), so it cannot be updated. ` +
        'Insert it with insertAll, or reload it first.',
    );
  }
  const version = meta.properties.find((p) => p.kind === 'version');
  const seen = version && (value as Fields)[version.name];
  if (version && seen !== undefined && !same(seen, (managed as Fields)[version.name])) {
    throw new OptimisticLockError(
      `${meta.name} ${withKey(meta, id)} was changed by someone else since it was read ` +
        `(version ${String(seen)} was read, the row is at ${String((managed as Fields)[version.name])}). Reload it and apply the change again.`,
    );
  }
  if (purpose === 'update') {
    const native = em.getMetadata().get(entity).properties as Record<string, EntityProperty>;
    const refs = new RowReferences(em);
    for (const p of meta.properties) {
      const v = (value as Fields)[p.name];
      // The inverse side of a @oneToOne holds no column: the owning row says what it points at.
      if (NOT_MERGED.has(p.kind) || v === undefined || meta.primaryKeys.includes(p)) continue;
      if (p.kind === 'oneToOne' && !p.owner) continue;
      (managed as Fields)[p.name] = holdsForeignKey(p) ? toOne(em, refs, native[p.name]!, v) : v;
    }
    refs.pointAtRows(managed);
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
    const owner = ownerOf(detached);
    if (owner && heldInstance(owner.getUnitOfWork(false), detached) === detached) return;
  }
  for (const p of metadataOf(entity).properties) {
    if (p.kind === 'version' || p.kind === 'createdAt' || p.kind === 'updatedAt') {
      (detached as Fields)[p.name] = (managed as Fields)[p.name];
    }
  }
}
