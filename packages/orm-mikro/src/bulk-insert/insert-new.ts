import type { EntityClass, Logger } from '@kosha/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { detachedReferences, RowReferences } from '../detached-references.js';
import { bulkInsertProblem } from '../internals/index.js';
import { checkRows, createNew, createOne, persistAndFlush } from '../new-entities.js';
import { insertWatcher } from '../savepoint-stack.js';
import type { Dialect } from '../url.js';
import { flushPending } from '../writes/compiled-flush.js';
import { touchUpdatedAt } from '../writes/touches-updated-at.js';
import { BulkRun, REFUSED, SENT } from './bulk-run.js';
import type { TransactionContext } from './execute.js';
import { CREATE_EVENTS, planOf } from './plan.js';
import { supportsReturning } from './returning.js';

/*
 * `insertAll` without MikroORM's unit of work: the rows become one multi-row
 * `INSERT … VALUES (…), (…) … RETURNING <generated columns>` per batch, with bound parameters, on the
 * session's transaction; the entities are then made managed exactly as a flush would leave them.
 *
 * The unit of work costs ~20 µs a row for what is, for new entities without cascades, a fixed recipe;
 * and MikroORM 7 inlines escaped values into its SQL, while Kosha promises bound parameters. Each step
 * below is the one the unit of work takes (UnitOfWork.computeChangeSet, ChangeSetPersister
 * .persistNewEntitiesBatch, UnitOfWork.commitCreateChangeSets), through MikroORM's own helpers
 * (the comparator's snapshot for database values, its result mapper and hydrator for what comes back,
 * the change-set persister for keys, version reloads and required checks) — only the statement is
 * Kosha's. Whatever the recipe does not cover goes through the unit of work as before (see `insertNew`),
 * and so does everything when the installed MikroORM's internals are not those the recipe was checked
 * against (`bulkInsertProblem`, src/internals/).
 */

/** What the bulk insert needs to know about the database. */
export interface BulkTarget {
  readonly dialect: Dialect;
  /** The server is MariaDB (also behind a mysql:// URL). */
  readonly mariadb: boolean;
  /** Told once, at debug level, when this MikroORM is not one the recipe knows (see src/internals/). */
  readonly logger?: Logger;
}

export interface InsertOptions {
  /** Force RETURNING off or on (tests); by default from the dialect and server version. */
  readonly returning?: boolean;
}

/**
 * `insertAll` on the session's `EntityManager`: checks the rows, then inserts them with multi-row
 * INSERTs where the recipe applies, else (for the rest of the rows from the first one it does not
 * apply to) through the unit of work; either way the entities come back managed, in order.
 *
 * The recipe applies to an entity that is new (not managed, not scheduled), whose to-one references
 * are entities this unit of work manages (`createOne` has turned related entities of other sessions,
 * `{ id }` objects and keys into references to their rows), whose collections are empty and whose
 * values are plain database values (not a raw SQL fragment…); anything else needs the unit of work's
 * cascades.
 * On MySQL, which has no RETURNING, generated keys are the statement's first insert id plus the
 * `auto_increment_increment` step per row — MikroORM's own batch-insert assumption (MySqlDriver
 * .nativeInsertMany). It holds because InnoDB allocates the keys of a "simple insert" (a multi-row
 * VALUES, row count known up front) at once, under every `innodb_autoinc_lock_mode`, and a statement
 * never mixes given and generated keys here (rows with a key have other columns, so another statement).
 * Database defaults (a `@version`) are then read back as MikroORM does (ChangeSetPersister.reloadVersionValues).
 */
export async function insertNew<T extends object>(
  em: SqlEntityManager,
  entity: EntityClass<T>,
  rows: readonly (T | Partial<T>)[],
  target: BulkTarget,
  options: InsertOptions = {},
): Promise<T[]> {
  checkRows(entity, rows);
  const meta = em.getMetadata().find(entity);
  const ctx = em.getTransactionContext() as TransactionContext | undefined;
  const usable = meta && ctx && !othersListen(em) && !bulkInsertProblem(em, target.dialect, target.logger);
  const plan = usable ? planOf(meta, em.getPlatform()) : null;
  if (!plan || !ctx) return persistAndFlush(em, createNew(em, entity, rows));
  // The unit of work's pending writes go first, as they would in one flush. Before the rows become
  // entities: those may be linked into managed entities' collections, which a flush would cascade to.
  await flushPending(em, target.dialect);
  const returning = options.returning ?? (await supportsReturning(em, target));
  const run = new BulkRun(em, ctx, plan, target.dialect, returning);
  const out: T[] = new Array(rows.length);
  const refs = new RowReferences(em);
  let i = 0;
  try {
    for (; i < rows.length; i++) {
      const e = createOne(em, entity, rows[i]!, refs);
      out[i] = e;
      const added = run.add(e);
      if (added === REFUSED) break;
      if (added === SENT) await run.catchUp();
    }
    await run.finish();
  } catch (error) {
    await run.abandon();
    throw error;
  }
  if (i < rows.length) {
    for (let k = i + 1; k < rows.length; k++) out[k] = createOne(em, entity, rows[k]!, refs);
    await persistAndFlush(em, out.slice(i));
  }
  return out;
}

// Kosha's own subscribers: the savepoints' record of inserts (fed by `recordCreated` here), the
// references made before each flush (made by `createOne` here), and `@updatedAt` of updates only.
const OURS: ReadonlySet<object> = new Set([insertWatcher, detachedReferences, touchUpdatedAt]);

function othersListen(em: SqlEntityManager): boolean {
  for (const subscriber of em.getEventManager().getSubscribers()) {
    if (!OURS.has(subscriber) && CREATE_EVENTS.some((e) => e in subscriber)) return true;
  }
  return false;
}
