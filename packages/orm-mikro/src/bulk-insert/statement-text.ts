import type { Platform } from '@mikro-orm/core';
import type { Dialect } from '../url.js';
import type { Plan } from './plan.js';

/** Most bound parameters one statement may carry. */
export const MAX_PARAMS: Record<Dialect, number> = {
  // better-sqlite3 is built with SQLITE_MAX_VARIABLE_NUMBER 32766 (SQLite's default since 3.32).
  sqlite: 32_766,
  // The wire protocol counts parameters in an Int16.
  postgresql: 65_535,
  // Prepared statements' limit; mysql2 interpolates client-side (see MAX_MYSQL_CHARS), under it anyway.
  mysql: 65_535,
  mariadb: 65_535,
};
/**
 * Most rows per statement: past a few hundred rows, bigger statements gain nothing and cost more to
 * parse (on PostgreSQL a 10,000-row statement is slower than ten of 1,000).
 */
export const MAX_ROWS = 1_000;
/**
 * mysql2 (through Kysely) substitutes the values into the statement text on the client, and the server
 * refuses a packet over `max_allowed_packet` (16 MiB by default on MariaDB): characters of string
 * values per statement stay under this (≤ 4 bytes each in UTF-8, so ≤ 8 MiB of values).
 */
export const MAX_MYSQL_CHARS = 2_000_000;

export interface StatementText {
  /** What the driver is sent: `$1, $2…` placeholders on PostgreSQL, `?` elsewhere. */
  readonly sql: string;
  /** What is logged: `?` placeholders everywhere, like every statement MikroORM logs. */
  readonly logged: string;
}

/**
 * A text of `?` placeholders as the driver of `dialect` is sent it: `$1, $2…` on PostgreSQL, outside quoted
 * names and literals (a name may hold a `?`); unchanged elsewhere.
 */
export function dialectPlaceholders(sql: string, dialect: Dialect): string {
  if (dialect !== 'postgresql') return sql;
  let n = 0;
  return sql.replace(/"[^"]*"|'[^']*'|\?/g, (m) => (m === '?' ? `$${++n}` : m));
}

/** The text of an INSERT of `rows` rows of these columns, made once per shape and kept on the plan. */
export function statementText(
  plan: Plan,
  platform: Platform,
  table: string,
  keys: readonly string[],
  rows: number,
  returning: readonly string[],
  dialect: Dialect,
): StatementText {
  const cacheKey = `${table}\u0000${keys.join(',')}\u0000${rows}\u0000${returning.join(',')}`;
  let text = plan.statements.get(cacheKey);
  if (text) return text;
  const head = `insert into ${table} (${keys.map((k) => platform.quoteIdentifier(plan.columns.get(k)!)).join(', ')}) values `;
  const tail =
    returning.length > 0 ? ` returning ${returning.map((f) => platform.quoteIdentifier(f)).join(', ')}` : '';
  const logged = head + new Array(rows).fill(`(${keys.map(() => '?').join(', ')})`).join(', ') + tail;
  let sql = logged;
  if (dialect === 'postgresql') {
    const tuples: string[] = new Array(rows);
    let n = 1;
    for (let r = 0; r < rows; r++) {
      let tuple = '(';
      for (let c = 0; c < keys.length; c++) tuple += (c ? ', $' : '$') + n++;
      tuples[r] = tuple + ')';
    }
    sql = head + tuples.join(', ') + tail;
  }
  text = { sql, logged };
  // A handful of shapes per entity in practice; forget them all rather than grow without bound.
  if (plan.statements.size >= 32) plan.statements.clear();
  plan.statements.set(cacheKey, text);
  return text;
}
