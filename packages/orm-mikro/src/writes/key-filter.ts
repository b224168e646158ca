// The rows of a translated condition, as a condition an UPDATE or DELETE can take. The condition's text
// comparisons are SQL written against the query's table alias, which an UPDATE or DELETE does not have: those
// select the keys under an alias, wrapped once more for MySQL/MariaDB (which refuse a statement that
// changes a table reading it in a subquery), as MikroORM itself deletes through a join. A condition without
// such fragments (`{ id: 7 }`) goes as it is: one plain statement, re-checked row by row under concurrency.
import { type EntityClass, metadataOf } from '@kosha/core';
import { isRaw, raw } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import type { Filter } from '../query/filter-query.js';

function isValue(value: unknown): boolean {
  if (isRaw(value)) return false;
  if (value === null || typeof value !== 'object' || value instanceof Date) return true;
  return Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object' || v instanceof Date);
}

/** True for a condition on the table's own columns only, with values and operators but no SQL fragment. */
function isFlat(names: ReadonlySet<string>, where: unknown): boolean {
  if (!where || typeof where !== 'object' || isRaw(where)) return false;
  for (const key of Reflect.ownKeys(where)) {
    if (typeof key !== 'string') return false;
    const value = (where as Record<string, unknown>)[key];
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || !value.every((w) => isFlat(names, w))) return false;
    } else if (key === '$not') {
      if (!isFlat(names, value)) return false;
    } else if (!names.has(key)) {
      return false;
    } else if (!isValue(value)) {
      // An operator object: `{ $gt: 1 }`, `{ $in: [...] }`.
      if (!value || typeof value !== 'object' || Array.isArray(value) || isRaw(value)) return false;
      for (const op of Object.keys(value)) {
        if (!op.startsWith('$') || !isValue((value as Record<string, unknown>)[op])) return false;
      }
    }
  }
  return true;
}

/** `where` as a condition of an UPDATE/DELETE of `entity`'s table. */
export function rowsFilter(em: SqlEntityManager, entity: EntityClass, where: Filter): Filter {
  const meta = metadataOf(entity);
  const own = new Set(meta.properties.filter((p) => p.kind !== 'oneToMany').map((p) => p.name));
  if (isFlat(own, where)) return where;
  const names = meta.primaryKeys.map((p) => p.name);
  const columns = meta.primaryKeys.map((p) => em.getPlatform().quoteIdentifier(p.columnName!)).join(', ');
  const { sql, params } = em
    .createQueryBuilder(entity, 'kd')
    .select(names)
    .where(where as never)
    .toQuery();
  const keys = `select ${columns} from (${sql}) as kosha_keys`;
  // A composite key compares as a row value, `(a, b) in (select a, b …)`, which every supported database reads.
  return meta.compositeKey
    ? { [raw(`(${columns}) in (${keys})`, [...params])]: [] }
    : { [names[0]!]: { $in: raw(keys, [...params]) } };
}
