import type { ChangeSet, Dictionary, EntityMetadata } from '@mikro-orm/core';

// What MikroORM keeps private in its TypeScript types but the recipe must call (MikroORM 7.2.1, pinned).
export interface PersisterInternals {
  mapPrimaryKey(meta: EntityMetadata, value: unknown, changeSet: ChangeSet<object>): void;
  markAsPopulated(changeSet: ChangeSet<object>, meta: EntityMetadata): void;
  validateRequired(entity: object): void;
  reloadVersionValues(
    meta: EntityMetadata,
    changeSets: ChangeSet<object>[],
    options: Dictionary,
  ): Promise<void>;
}
export interface UnitOfWorkInternals {
  takeCollectionSnapshots(entity: object, visited: Set<object>): void;
}
export interface DriverInternals {
  getAutoIncrementIncrement(ctx: unknown): Promise<number>;
}
