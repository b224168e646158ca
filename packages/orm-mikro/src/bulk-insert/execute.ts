import type { Dictionary } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { runLogged } from '../internals/index.js';
import type { StatementText } from './statement-text.js';

interface KyselyResult {
  rows: Dictionary[];
  insertId?: bigint;
  numAffectedRows?: bigint;
}
/** One INSERT's result: the rows RETURNING gave back, MySQL's first insert id, the rows written. */
export interface InsertResult {
  rows: Dictionary[];
  insertId?: bigint;
  affectedRows: number;
}
/** The session's transaction (a Kysely `ControlledTransaction`): runs a compiled statement. */
export interface TransactionContext {
  executeQuery(query: unknown): Promise<KyselyResult>;
}

let queries = 0;

/**
 * Runs one statement on the transaction's connection, logged and its errors converted like MikroORM's own;
 * its query id names its `kind` (`kosha-insert-7`).
 */
export async function execute(
  em: SqlEntityManager,
  ctx: TransactionContext,
  text: StatementText,
  params: unknown[],
  kind: 'insert' | 'update' | 'delete' = 'insert',
): Promise<InsertResult> {
  // A compiled Kysely query, as CompiledQuery.raw(sql, parameters) makes it (kysely is not ours to import).
  const query = {
    sql: text.sql,
    parameters: params,
    query: { kind: 'RawNode', sqlFragments: [text.sql], parameters: [] },
    queryId: { queryId: `kosha-${kind}-${++queries}` },
  };
  try {
    return await runLogged(em, text.logged, async () => {
      const res = await ctx.executeQuery(query);
      // A plain object with `affectedRows`: what the query logger reports.
      return {
        rows: res.rows,
        insertId: res.insertId,
        affectedRows: Number(res.numAffectedRows ?? res.rows.length),
      };
    });
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}
