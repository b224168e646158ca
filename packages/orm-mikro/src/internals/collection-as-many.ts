// MikroORM's Collection as core's neutral `Many<T>`. An entity's to-many property must hold MikroORM's own
// Collection (its hydrator, unit of work and `Utils.isCollection` find it there), so no wrapper can stand in
// for it: the two members `Many` has and Collection lacks, `items` and `isLoaded`, are added to its
// prototype as getters over its public `getItems()` and `isInitialized()`. Everything else `Many` names
// (iterating, `length`, `load`, `add`, `remove`, `count`) is Collection's own.
import { Collection } from '@mikro-orm/core';

// The type side (`declare module '@mikro-orm/core'`) is in src/index.ts, so that every importer of the
// package sees it.

/** The members added to MikroORM's Collection, which a MikroORM that has its own of those names would shadow. */
export const MANY_MEMBERS = ['items', 'isLoaded'] as const;

/**
 * Adds `items` and `isLoaded` to MikroORM's Collection (once; a MikroORM that already has members of those
 * names keeps its own, which `test/mikro-internals.test.ts` reports).
 */
export function collectionAsMany(): void {
  const proto = Collection.prototype as object;
  if (!Object.hasOwn(proto, 'items')) {
    Object.defineProperty(proto, 'items', {
      get(this: Collection<object>) {
        return this.getItems();
      },
      configurable: true,
    });
  }
  if (!Object.hasOwn(proto, 'isLoaded')) {
    Object.defineProperty(proto, 'isLoaded', {
      get(this: Collection<object>) {
        return this.isInitialized();
      },
      configurable: true,
    });
  }
}
