// How text compares the same way on SQLite, PostgreSQL and MySQL/MariaDB, whatever the columns' collation:
// - exactly (code point by code point): SQLite compares BINARY by default; PostgreSQL's default collations
//   are deterministic, so `=` is exact, but `<`/`>` follow the locale, hence `collate "C"`; MySQL/MariaDB's
//   default collations ignore case, accents and trailing spaces, hence a binary NO PAD collation, kept
//   beside the plain `=` / `in` so the column's index still narrows the rows;
// - LIKE case-sensitively: SQLite's LIKE ignores ASCII case unless `pragma case_sensitive_like` is on, which
//   the backend sets on its connection (sqlite-setup.ts); PostgreSQL's is exact; MySQL/MariaDB's follows the
//   collation, hence the binary one;
// - ignoring case: ASCII letters only (A–Z = a–z), which every database can do identically: SQLite's
//   `lower` folds ASCII only, PostgreSQL's and MySQL's `lower` fold by locale and collation, hence
//   `translate` and `replace`. Other letters (É/é, ß) compare exactly.
import type { Dialect } from '../url.js';

/** What the text SQL of one session depends on. */
export interface TextSqlTarget {
  readonly dialect: Dialect;
  /** The server is MariaDB (also behind a mysql:// URL). */
  readonly mariadb: boolean;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = UPPER.toLowerCase();

/** `text` with ASCII A–Z folded to a–z, and nothing else changed (what the SQL of {@link foldCase} does). */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** The column as it compares exactly with `<`, `>`, `like` (and, on MySQL/MariaDB, `=`). */
export function exact(target: TextSqlTarget, column: string): string {
  switch (target.dialect) {
    case 'sqlite':
      return column;
    case 'postgresql':
      return `${column} collate "C"`;
    default:
      return `convert(${column} using utf8mb4) collate ${target.mariadb ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin'}`;
  }
}

/** The column with ASCII letters folded to lower case, comparing exactly otherwise. */
export function foldCase(target: TextSqlTarget, column: string): string {
  switch (target.dialect) {
    case 'sqlite':
      return `lower(${column})`;
    case 'postgresql':
      return `translate(${column}, '${UPPER}', '${LOWER}')`;
    default: {
      let sql = exact(target, column);
      for (let i = 0; i < UPPER.length; i++) sql = `replace(${sql}, '${UPPER[i]}', '${LOWER[i]}')`;
      return sql;
    }
  }
}

/** True when plain `=`, `<>`, `in` are exact on this database (no collation to work around). */
export function equalityIsExact(target: TextSqlTarget): boolean {
  return target.dialect === 'sqlite' || target.dialect === 'postgresql';
}

/** True when `<`, `>`, `between` on text are code point order without help. */
export function orderIsExact(target: TextSqlTarget): boolean {
  return target.dialect === 'sqlite';
}
