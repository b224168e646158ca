// SQLite's LIKE ignores ASCII case by default; Kosha's `like` is case-sensitive on every database, so the
// backend's SQLite connection has `pragma case_sensitive_like` on (https://sqlite.org/pragma.html#pragma_case_sensitive_like).
// It is per connection, and also applies to LIKE in the application's own queries through `repo.em`.

/** The one member of a Kysely connection this needs. */
interface QueryRunner {
  executeQuery(query: { sql: string; parameters: readonly unknown[]; query: unknown }): Promise<unknown>;
}

/** The statement that makes LIKE case-sensitive on an SQLite connection. */
export const CASE_SENSITIVE_LIKE = 'pragma case_sensitive_like = 1';

/** MikroORM's `onCreateConnection` for SQLite: runs {@link CASE_SENSITIVE_LIKE} on the new connection. */
export async function sqliteConnectionSetup(connection: unknown): Promise<void> {
  await (connection as QueryRunner).executeQuery({
    sql: CASE_SENSITIVE_LIKE,
    parameters: [],
    query: { kind: 'RawNode', sqlFragments: [CASE_SENSITIVE_LIKE], parameters: [] },
  });
}
