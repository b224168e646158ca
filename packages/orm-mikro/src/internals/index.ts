/**
 * What `@kosha/orm-mikro` borrows from inside MikroORM, Kysely and the database drivers — members their
 * typings mark `@internal`, private or protected, or leave out — each behind a small named function of
 * this folder, and used nowhere else. `@kosha/orm-mikro` depends on MikroORM by a range (`^7.2.1`), so
 * a MikroORM it was never run with can be installed next to it:
 *
 * - `test/mikro-internals.test.ts` checks every function here against the installed MikroORM and, when
 *   one no longer matches, fails naming the function, the MikroORM version and what to do;
 *   `test/borrowed-internals.test.ts` does the same for the Kysely and driver internals of the
 *   connection guard (lazy-transaction.ts, raw-checkout.ts, transaction-connection.ts).
 * - At run time the bulk insert checks the members it calls once per ORM (`bulkInsertProblem`) and,
 *   when one is not what it knows, inserts through MikroORM's unit of work instead (same results, slower),
 *   saying so once at debug level. The connection guard falls back to `em.begin()` the same way
 *   (`LazyTransactions.learn`).
 *
 * After checking a new version (`pnpm vitest run packages/orm-mikro` with it installed), add it below.
 */
import type { Logger } from '@kosha/core';
import { type EntityManager, Utils } from '@mikro-orm/core';
import type { Dialect } from '../url.js';
import { MYSQL_BORROWS, SQL_BORROWS } from './sql-connection.js';
import { type Borrowed, BULK_INSERT_BORROWS, differs, FAST_PATH_BORROWS } from './unit-of-work.js';

export { collectionAsMany, MANY_MEMBERS } from './collection-as-many.js';
export {
  entityMetaOf,
  forgetCachedKey,
  hasKey,
  keyOf,
  markInserted,
  markManagedBy,
  ownerOf,
  setTrackedData,
  trackedDataOf,
} from './entity-state.js';
export { LazyTransactions } from './lazy-transaction.js';
export { poolCounts } from './pool-counts.js';
export { type CheckoutWatch, type RawConnection, watchCheckouts } from './raw-checkout.js';
export {
  autoIncrementStep,
  dateFormatterOf,
  driverOptionsLater,
  runLogged,
  sqliteDatabaseOf,
} from './sql-connection.js';
export { transactionConnection } from './transaction-connection.js';
export {
  createFromRow,
  createFromRows,
  dispatchLoaded,
  FAST_PATH_BORROWS,
  heldEntities,
  heldInstance,
  hydrateCollection,
  LEAN_BORROWS,
  mapResult,
  type Persister,
  persisterOf,
  prepareEntity,
  registerInserted,
  storeIdentity,
  tableNameOf,
  takeCollectionSnapshots,
  validateEntity,
} from './unit-of-work.js';

/** The versions every function of this folder was checked against (its tests passed with each installed). */
export const CHECKED_AGAINST = {
  '@mikro-orm/core': ['7.2.1', '7.2.2', '7.2.5'],
  '@mikro-orm/sql': ['7.2.1', '7.2.2', '7.2.5'],
  kysely: ['0.29.6'],
  pg: ['8.23.0', '8.23.1'],
  'pg-pool': ['3.14.0'],
  mysql2: ['3.24.4'],
} as const satisfies Record<string, readonly string[]>;

/** The installed `@mikro-orm/core` version. */
export function mikroOrmVersion(): string {
  return Utils.getORMVersion();
}

/** What to say when the borrowed `member`, which `fn` in src/internals/ relies on, is not what Kosha knows. */
export function fenceMessage(fn: string, member: string): string {
  const installed = mikroOrmVersion();
  return (
    `src/internals: ${fn}() relies on MikroORM's ${member}, which does not behave in @mikro-orm/core ${installed} ` +
    `as in the versions Kosha was checked against (${CHECKED_AGAINST['@mikro-orm/core'].join(', ')}). ` +
    `To do: read ${member} in MikroORM ${installed}'s source, adapt ${fn}() in packages/orm-mikro/src/internals/, ` +
    `run test/mikro-internals.test.ts, then add ${installed} to CHECKED_AGAINST in src/internals/index.ts.`
  );
}

const decided = new WeakMap<object, string | null>();

/**
 * Why the bulk insert cannot run on this MikroORM (`fenceMessage` of the first borrowed member that
 * differs), or `undefined` when it can. Decided once per ORM (its configuration, which every fork
 * shares), and said once, at debug level, when it cannot.
 */
export function bulkInsertProblem(em: EntityManager, dialect: Dialect, logger?: Logger): string | undefined {
  let problem = decided.get(em.config);
  if (problem === undefined) {
    const borrows = [
      ...BULK_INSERT_BORROWS,
      ...SQL_BORROWS,
      ...(dialect === 'mysql' || dialect === 'mariadb' ? MYSQL_BORROWS : []),
    ];
    const first = borrows.find((b) => differs(b, em));
    problem = first ? fenceMessage(first.fn, first.member) : null;
    decided.set(em.config, problem);
    if (problem) {
      logger?.debug(
        `insertAll inserts through MikroORM's unit of work (em.create + flush: the same results, slower). ${problem}`,
      );
    }
  }
  return problem ?? undefined;
}

const fastDecided = new WeakMap<object, string | null>();

/**
 * Why the compiled reads cannot run on this MikroORM (`fenceMessage` of the first borrowed member that
 * differs), or `undefined` when they can; decided once per ORM and said once at debug level. When they
 * cannot, every read takes MikroORM's own path (the same results, slower).
 */
export function fastPathProblem(em: EntityManager, logger?: Logger): string | undefined {
  let problem = fastDecided.get(em.config);
  if (problem === undefined) {
    const first = FAST_PATH_BORROWS.find((b) => differs(b, em));
    problem = first ? fenceMessage(first.fn, first.member) : null;
    fastDecided.set(em.config, problem);
    if (problem) logger?.debug(`reads take MikroORM's em.find (the same results, slower). ${problem}`);
  }
  return problem ?? undefined;
}

/** Every borrowed member the bulk insert checks, for the fence test. */
export const BULK_INSERT_MEMBERS: readonly Borrowed[] = [
  ...BULK_INSERT_BORROWS,
  ...SQL_BORROWS,
  ...MYSQL_BORROWS,
];
export { type Borrowed, differs };
