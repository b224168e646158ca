// ORDER BY and keyset positions, in the database's own order: the column's collation and the database's
// place for NULLs (PostgreSQL: NULLs last ascending, first descending; SQLite, MySQL and MariaDB: NULLs
// first ascending, last descending). The keyset condition compares the way ORDER BY sorts, so walking
// the slices returns every row exactly once, whatever the collation.
import type { Keyset, OrderNode } from '@kosha/core';
import { raw } from '@mikro-orm/core';
import type { Dialect } from '../url.js';
import type { Filter } from './filter-query.js';

/** MikroORM's orderBy of a normalized order: one object per key, first key first. */
export function orderByOf(order: readonly OrderNode[] | undefined): Filter[] | undefined {
  if (!order?.length) return undefined;
  return order.map((o) => {
    let out: Filter | string = o.direction;
    for (let i = o.path.length - 1; i >= 0; i--) out = { [o.path[i]!]: out };
    return out as Filter;
  });
}

/** True when this database sorts NULL before every value in ascending order. */
export function nullsFirstAscending(dialect: Dialect): boolean {
  return dialect !== 'postgresql';
}

const at = (path: readonly string[], cond: unknown): Filter => ({ [path[0]!]: cond });

/**
 * The rows that sort strictly after the keyset's position: for keys k1…kn, the OR over i of
 * "k1…k(i-1) equal to the position and ki after it", NULL-aware.
 */
export function keysetFilter(keyset: Keyset, dialect: Dialect): Filter {
  const nullsFirstAsc = nullsFirstAscending(dialect);
  const branches: Filter[] = [];
  const equal: Filter[] = [];
  for (const key of keyset.keys) {
    const nullsBefore = (key.direction === 'asc') === nullsFirstAsc;
    const v = key.value;
    let after: Filter | undefined;
    if (v === null) {
      // At a NULL: every value comes after it if NULLs sort first, nothing if they sort last.
      after = nullsBefore ? at(key.path, { $ne: null }) : undefined;
    } else {
      const beyond = at(key.path, { [key.direction === 'asc' ? '$gt' : '$lt']: v });
      after = nullsBefore ? beyond : { $or: [beyond, at(key.path, null)] };
    }
    if (after) branches.push(equal.length ? { $and: [...equal, after] } : after);
    equal.push(at(key.path, v));
  }
  return branches.length ? { $or: branches } : { [raw('1 = 0')]: [] };
}
