import type { SqlEntityManager } from '@mikro-orm/sql';

/** A statement as the driver gets it: its text, its bound values, the query id Kysely or Kosha gave it. */
export interface SentQuery {
  readonly sql: string;
  readonly parameters: readonly unknown[];
  readonly queryId?: { readonly queryId: string };
}

/**
 * Records the statements whose text matches `kind` (`/^\s*insert\b/i`) sent on the session's transaction
 * from now on, as the driver gets them.
 */
export function watchStatements(em: SqlEntityManager, kind: RegExp): SentQuery[] {
  const ctx = em.getTransactionContext() as unknown as {
    executeQuery(query: SentQuery, options?: unknown): Promise<unknown>;
  };
  const seen: SentQuery[] = [];
  const original = ctx.executeQuery.bind(ctx);
  ctx.executeQuery = (query, options) => {
    if (kind.test(query.sql)) seen.push({ ...query, parameters: [...query.parameters] });
    return original(query, options);
  };
  return seen;
}
