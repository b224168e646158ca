import type { Dictionary } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import type { StatementText } from './statement-text.js';

// MikroORM's connection runs and logs a statement through this (protected in its types).
interface ConnectionInternals {
  executeQuery<R>(query: string, cb: () => Promise<R>, context?: Dictionary): Promise<R>;
}
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

/** Runs one statement on the transaction's connection, logged and its errors converted like MikroORM's own. */
export async function execute(
  em: SqlEntityManager,
  ctx: TransactionContext,
  text: StatementText,
  params: unknown[],
): Promise<InsertResult> {
  const connection = em.getConnection('write') as unknown as ConnectionInternals;
  // A compiled Kysely query, as CompiledQuery.raw(sql, parameters) makes it (kysely is not ours to import).
  const query = {
    sql: text.sql,
    parameters: params,
    query: { kind: 'RawNode', sqlFragments: [text.sql], parameters: [] },
    queryId: { queryId: `kosha-insert-${em._id}` },
  };
  try {
    return await connection.executeQuery(
      text.logged,
      async () => {
        const res = await ctx.executeQuery(query);
        // A plain object with `affectedRows`: what the query logger reports.
        return {
          rows: res.rows,
          insertId: res.insertId,
          affectedRows: Number(res.numAffectedRows ?? res.rows.length),
        };
      },
      { id: em._id },
    );
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}
