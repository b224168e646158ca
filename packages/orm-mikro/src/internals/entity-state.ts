import { type EntityManager, type EntityMetadata, wrap } from '@mikro-orm/core';

/*
 * The state MikroORM keeps beside each entity: its WrappedEntity (`@internal` in MikroORM 7.2), whose
 * `__` fields `wrap(entity, true)` hands out. Kosha reads what the public `wrap(entity)` API has
 * (`isManaged()`, `isInitialized()`, `hasPrimaryKey()`, `getSchema()`…) through that API; these are the
 * fields it has no public way to.
 */

/** The MikroORM metadata of an entity instance (`__meta`). */
export function entityMetaOf(entity: object): EntityMetadata {
  return wrap(entity, true).__meta as EntityMetadata;
}

/**
 * MikroORM's change-tracking snapshot of an entity (`__originalEntityData`): what it believes the row
 * holds, which a flush diffs against; `undefined` for an entity never flushed or loaded.
 */
export function trackedDataOf(entity: object): Record<string, unknown> | undefined {
  return wrap(entity, true).__originalEntityData as Record<string, unknown> | undefined;
}

/** Replaces an entity's change-tracking snapshot (see `trackedDataOf`). */
export function setTrackedData(entity: object, data: Record<string, unknown> | undefined): void {
  wrap(entity, true).__originalEntityData = data as never;
}

/** The entity has its whole primary key set (WrappedEntity.hasPrimaryKey). */
export function hasKey(entity: object): boolean {
  return wrap(entity, true).hasPrimaryKey();
}

/** The entity's primary key, an array for a composite one (WrappedEntity.getPrimaryKey). */
export function keyOf(entity: object): unknown {
  return wrap(entity, true).getPrimaryKey();
}

/** The EntityManager that manages the entity, or made it (`__em`). */
export function ownerOf(entity: object): EntityManager | undefined {
  return wrap(entity, true).__em;
}

/** Marks a just-inserted entity loaded and managed, as UnitOfWork.commitCreateChangeSets leaves it. */
export function markInserted(entity: object): void {
  const wrapped = wrap(entity, true);
  wrapped.__initialized = true;
  wrapped.__managed = true;
}

/** Puts an entity back under `em`'s management (a rollback to a savepoint restores what it held). */
export function markManagedBy(entity: object, em: EntityManager): void {
  const wrapped = wrap(entity, true);
  wrapped.__em = em;
  wrapped.__managed = true;
}

/**
 * Drops the key MikroORM caches on an entity once its key is set (`__pk`), as UnitOfWork.postCommitCleanup
 * does: a cached key would outlive a rollback that clears the entity's key.
 */
export function forgetCachedKey(entity: object): void {
  delete (wrap(entity, true) as { __pk?: unknown }).__pk;
}
