import { type Collection, type EntityManager, ReferenceKind, Utils, wrap } from '@mikro-orm/core';
import {
  entityMetaOf,
  heldEntities,
  hydrateCollection,
  markManagedBy,
  setTrackedData,
  storeIdentity,
  trackedDataOf,
} from './internals/index.js';

type Entity = Record<string, unknown>;

interface EntityState {
  /** Scalar, embedded and to-one values. */
  readonly values: Map<string, unknown>;
  /** Items of the to-many collections that were loaded. */
  readonly collections: Map<string, object[]>;
  /** MikroORM's change-tracking snapshot: what it believes the row holds. */
  readonly original: Record<string, unknown> | undefined;
}

const TO_MANY = new Set<string>([ReferenceKind.ONE_TO_MANY, ReferenceKind.MANY_TO_MANY]);

function copy(value: unknown): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Uint8Array) return value.slice();
  if (value === null || typeof value !== 'object' || Utils.isEntity(value, true)) return value;
  try {
    // JSON column values can be mutated in place inside the savepoint; keep the state of the savepoint.
    return structuredClone(value);
  } catch {
    return value;
  }
}

/**
 * The state of a unit of work at a savepoint: which entities it manages, their values, their loaded
 * collections and MikroORM's change-tracking snapshots. Taken right after the savepoint's flush, so
 * the unit of work then has no pending changes; `restore` brings it back after `ROLLBACK TO SAVEPOINT`.
 */
export class UnitOfWorkSnapshot {
  readonly #states = new Map<object, EntityState>();

  private constructor() {}

  /** Records the unit of work of `em`. Call it right after a flush. */
  static take(em: EntityManager): UnitOfWorkSnapshot {
    const snapshot = new UnitOfWorkSnapshot();
    for (const entity of heldEntities(em.getUnitOfWork(false))) {
      const values = new Map<string, unknown>();
      const collections = new Map<string, object[]>();
      for (const prop of entityMetaOf(entity).props) {
        const value = (entity as Entity)[prop.name];
        if (!TO_MANY.has(prop.kind)) values.set(prop.name, copy(value));
        else if (Utils.isCollection(value) && (value as Collection<object>).isInitialized()) {
          collections.set(prop.name, (value as Collection<object>).getItems(false));
        }
      }
      const original = trackedDataOf(entity);
      snapshot.#states.set(entity, { values, collections, original: original && { ...original } });
    }
    return snapshot;
  }

  /**
   * Brings the unit of work of `em` back to this snapshot, after the database rolled back to the
   * savepoint. Entities managed since are forgotten; those in `created` (inserted since, so their rows
   * are gone) also lose their generated key so they can be inserted again. Entities known at the
   * savepoint get their values and tracking snapshots back, so changes flushed and rolled back inside
   * it are neither believed persisted nor written again by the outer unit of work.
   */
  restore(em: EntityManager, created: ReadonlySet<object>): void {
    const uow = em.getUnitOfWork(false);
    for (const entity of heldEntities(uow)) {
      if (!this.#states.has(entity)) uow.unsetIdentity(entity);
    }
    for (const entity of created) {
      if (this.#states.has(entity)) continue;
      if (wrap(entity).isManaged()) uow.unsetIdentity(entity);
      for (const pk of entityMetaOf(entity).getPrimaryProps()) {
        if (pk.autoincrement) (entity as Entity)[pk.name] = undefined;
      }
    }
    for (const [entity, state] of this.#states) {
      storeIdentity(uow, entity);
      markManagedBy(entity, em);
      for (const [name, value] of state.values) (entity as Entity)[name] = copy(value);
      setTrackedData(entity, state.original && { ...state.original });
    }
    // Collections last: the to-one setters above propagate into them.
    for (const [entity, state] of this.#states) {
      for (const [name, items] of state.collections)
        hydrateCollection((entity as Entity)[name] as Collection<object>, items);
    }
    // The savepoint flushed first, so nothing was pending then; `hydrate` re-queues persists, drop them too.
    uow.getPersistStack().clear();
    uow.getRemoveStack().clear();
    uow.getOrphanRemoveStack().clear();
    uow.clearActionsQueue();
  }
}
