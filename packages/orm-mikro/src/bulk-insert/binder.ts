import type { SqlEntityManager } from '@mikro-orm/sql';
import { dateFormatterOf } from '../internals/index.js';
import type { Dialect } from '../url.js';

/** The values of a change-set payload as the database driver binds them; `UNBINDABLE` when the unit of work must handle it. */
export const UNBINDABLE = Symbol('unbindable');
export type Binder = (value: unknown) => unknown;

/**
 * How values of a change-set payload are bound on this dialect. The payload holds MikroORM's database
 * values (custom types converted, JSON serialised, dates as SQLite stores them); what is left is what
 * each platform's `escape` does when MikroORM inlines a value.
 */
export function binderFor(em: SqlEntityManager, dialect: Dialect): Binder {
  const formatDate = dateFormatterOf(em.getPlatform());
  const common = (value: unknown): unknown => {
    if (value === undefined) return null;
    if (typeof value === 'number') return Number.isFinite(value) ? value : UNBINDABLE;
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
    return UNBINDABLE;
  };
  switch (dialect) {
    case 'sqlite':
      // better-sqlite3 binds numbers, strings, bigints, buffers and null; SqlitePlatform stores
      // booleans as 1/0 and dates as epoch milliseconds.
      return (value) => {
        if (typeof value === 'boolean') return value ? 1 : 0;
        if (value instanceof Date) return value.getTime();
        return common(value);
      };
    case 'postgresql':
      // PostgreSqlPlatform writes a date in its configured time zone (by default the local one, with offset).
      return (value) => {
        if (value instanceof Date) return formatDate ? formatDate(value) : value;
        if (typeof value === 'bigint') return value.toString();
        return common(value);
      };
    default:
      // mysql2 escapes booleans, dates (in the connection's time zone, which MikroORM sets like the
      // platform's) and buffers like MySqlPlatform.escape does.
      return (value) => {
        if (value instanceof Date) return value;
        if (typeof value === 'bigint') return value.toString();
        return common(value);
      };
  }
}
