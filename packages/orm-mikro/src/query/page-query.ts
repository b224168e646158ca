// A page and its total in one statement. One statement reads one snapshot on every database, so the total
// always agrees with the rows — which two statements outside a transaction (MikroORM's findAndCount: in
// parallel, on two connections) do not promise — and costs one round trip. The total comes from a window,
// `count(*) over ()`, evaluated over every matching row before LIMIT/OFFSET (PostgreSQL, MySQL 8, MariaDB
// 10.2), or on SQLite from an uncorrelated scalar subquery, `(select count(*) from … where …)`, evaluated
// once: SQLite materializes every matching row for a window (1.4–1.6 × findAndCount there, against about
// 1.0 for the subquery), while PostgreSQL and MariaDB answer the window 5–10 % sooner than the subquery.
import type { EntityClass, QuerySpec } from '@kosha/core';
import { raw } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import type { Dialect } from '../url.js';
import type { Filter } from './filter-query.js';
import { orderByOf } from './order-sql.js';

/** The total's column: a name no mapped property has (Kosha's columns are snake_case of identifiers). */
export const PAGE_TOTAL = 'kosha__page_total';

/**
 * The rows of one page and the number of rows matching `where` (made afresh for each query that reads it:
 * a query builder may rewrite the filter it is given), from one SELECT. `total` is `undefined`
 * when the page is empty (past the last row, the total has no row to ride on): count then.
 *
 * The rows become managed entities through `em.map`, as `em.find` would make them. For a session that
 * has not been used yet only: it holds no entity whose unflushed changes `em.find` would first flush
 * and `em.map` would overwrite. No `select` or `populate` either (the caller takes `em.find` for those).
 */
export async function pageWithTotal<T extends object>(
  em: SqlEntityManager,
  entity: EntityClass<T>,
  where: () => Filter,
  query: QuerySpec,
  connectionType: 'read' | undefined,
  dialect: Dialect,
): Promise<{ items: T[]; total: number | undefined }> {
  const qb = em.createQueryBuilder(entity, undefined, connectionType);
  const counted =
    dialect === 'sqlite'
      ? // Its own alias: the condition's SQL fragments take the alias of the query they are in.
        em
          .createQueryBuilder(entity, 'kosha_count', connectionType)
          .count()
          .where(where() as never)
          .as(PAGE_TOTAL)
      : raw(`count(*) over () as ${PAGE_TOTAL}`);
  qb.select(['*', counted as never]).where(where() as never);
  const orderBy = orderByOf(query.orderBy);
  if (orderBy) qb.orderBy(orderBy as never);
  if (query.limit !== undefined) qb.limit(query.limit);
  if (query.offset !== undefined) qb.offset(query.offset);
  const rows = await qb.execute<Record<string, unknown>[]>('all', false);
  if (rows.length === 0) return { items: [], total: undefined };
  // bigint on PostgreSQL (a string from pg), a number elsewhere
  const total = Number(rows[0]![PAGE_TOTAL]);
  const items = rows.map((row) => {
    delete row[PAGE_TOTAL];
    return em.map(entity, row) as T;
  });
  return { items, total };
}
