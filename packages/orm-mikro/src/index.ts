/**
 * `@kosha/orm-mikro`: Kosha's ORM backend on MikroORM 7 — SQLite, PostgreSQL, MySQL and MariaDB.
 * Importing it registers the backend for the `sqlite:`, `postgresql:`, `postgres:`, `mysql:` and
 * `mariadb:` URL schemes, and types `repo.em` as MikroORM's SQL `EntityManager`.
 *
 * ```ts
 * import { createKosha } from '@kosha/core';
 * import { mikroOrm } from '@kosha/orm-mikro';
 *
 * const kosha = await createKosha({ orm: mikroOrm({ url: 'postgresql://app:secret@localhost:5432/app' }) });
 * await kosha.schema.create();
 * ```
 * @packageDocumentation
 */
// First: on a Node.js older than 22.17 this throws a ConfigError before MikroORM or a driver loads.
import './node-version.js';
import { type Many, registerOrmBackend } from '@kosha/core';
import { Collection } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { collectionAsMany } from './internals/index.js';
import { mikroOrm } from './mikro-orm.js';
import { SCHEMES } from './url.js';

declare module '@mikro-orm/core' {
  /** With `@kosha/orm-mikro`, a Collection is core's `Many<T>` (src/internals/collection-as-many.ts). */
  interface Collection<T extends object, O extends object = object> {
    /** The related entities (the collection must be loaded): `getItems()`, as core's `Many#items`. */
    readonly items: readonly T[];
    /** Whether the collection is loaded: `isInitialized()`, as core's `Many#isLoaded`. */
    readonly isLoaded: boolean;
  }
}

declare module '@kosha/core' {
  /** `@kosha/orm-mikro` types the native session: `repo.em` is MikroORM's SQL `EntityManager`. */
  interface NativeSessionTypes {
    em: SqlEntityManager;
  }
}

export { MIKRO_ORM_RANGE } from './load-driver.js';
export { mikroOrm } from './mikro-orm.js';
export type { MikroOrmOptions } from './mikro-orm-options.js';
export { type TranslationContext, translateError } from './translate-error.js';
export { type ConnectionTarget, type Dialect, parseDatabaseUrl } from './url.js';

collectionAsMany();
registerOrmBackend({
  package: '@kosha/orm-mikro',
  schemes: SCHEMES,
  create: mikroOrm,
  // `many(this)` in a new entity: MikroORM's Collection, loaded and empty, tracked from the start.
  many: <T extends object>(owner: object): Many<T> => new Collection<T>(owner),
});
