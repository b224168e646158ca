// A derived `deleteBy…`: one DELETE with the translated condition, in the session's transaction, and the
// unit of work told which of its entities are gone (as deleteById does), so that a later getById in the
// same session does not return a deleted row from the identity map.
import { type EntityClass, metadataOf } from '@kosha/core';
import { raw } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { heldEntities } from '../internals/index.js';
import type { Filter } from './filter-query.js';

/** Deletes the rows `where` matches and returns how many; the unit of work forgets those it held. */
export async function deleteWhere(em: SqlEntityManager, entity: EntityClass, where: Filter): Promise<number> {
  const pk = metadataOf(entity).primaryKey;
  const column = em.getPlatform().quoteIdentifier(pk.columnName!);
  // The condition's text comparisons are SQL written against the query's table alias, which a DELETE does
  // not have: select the keys under an alias, wrapped once more for MySQL/MariaDB (which refuse a DELETE
  // reading its own table in a subquery), as MikroORM itself deletes through a join.
  const { sql, params } = em
    .createQueryBuilder(entity, 'kd')
    .select(pk.name)
    .where(where as never)
    .toQuery();
  const keys = raw(`select ${column} from (${sql}) as kosha_deleted`, [...params]);
  // Pending changes go first, as they would before any other statement of the unit of work.
  await em.flush();
  const deleted = await em.nativeDelete(entity, { [pk.name]: { $in: keys } } as never);
  if (deleted > 0) await forgetDeleted(em, entity, pk.name);
  return deleted;
}

/** Unsets the identity of the held entities of `entity` whose rows no longer exist (one select, when any are held). */
async function forgetDeleted(em: SqlEntityManager, entity: EntityClass, pk: string): Promise<void> {
  const uow = em.getUnitOfWork(false);
  const held = heldEntities(uow).filter((e) => e instanceof entity) as Record<string, unknown>[];
  if (held.length === 0) return;
  const rows = (await em
    .createQueryBuilder(entity)
    .select(pk)
    .where({ [pk]: { $in: held.map((e) => e[pk]) } } as never)
    .execute('all')) as Record<string, unknown>[];
  const alive = new Set(rows.map((r) => String(r[pk])));
  for (const e of held) if (!alive.has(String(e[pk]))) uow.unsetIdentity(e);
}
