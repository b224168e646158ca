// A derived `deleteBy…`: one DELETE with the translated condition, in the session's transaction, and the
// unit of work told which of its entities are gone (as deleteById does), so that a later getById in the
// same session does not return a deleted row from the identity map.
import { type EntityClass, type EntityMetadata, idOf, keyFilter, metadataOf } from '@kosha/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { heldEntities } from '../internals/index.js';
import { rowsFilter } from '../writes/key-filter.js';
import type { Filter } from './filter-query.js';

/** Deletes the rows `where` matches and returns how many; the unit of work forgets those it held. */
export async function deleteWhere(em: SqlEntityManager, entity: EntityClass, where: Filter): Promise<number> {
  const meta = metadataOf(entity);
  // The rows' keys, through a subquery when the condition holds SQL fragments (writes/key-filter.ts).
  const filter = rowsFilter(em, entity, where);
  // Pending changes go first, as they would before any other statement of the unit of work.
  await em.flush();
  // Kosha's condition already says which rows count: an entity filter (soft delete) must not add to it.
  const deleted = await em.nativeDelete(entity, filter as never, { filters: false });
  if (deleted > 0) await forgetDeleted(em, meta);
  return deleted;
}

/** A key as text, to compare a held entity's key with a row's. */
const keyText = (meta: EntityMetadata, row: object) => {
  const id = idOf(meta, row);
  return meta.compositeKey
    ? JSON.stringify(meta.primaryKeys.map((p) => String((id as Record<string, unknown>)[p.name])))
    : String(id);
};

/** Unsets the identity of the held entities of `meta` whose rows no longer exist (one select, when any are held). */
async function forgetDeleted(em: SqlEntityManager, meta: EntityMetadata): Promise<void> {
  const uow = em.getUnitOfWork(false);
  const held = heldEntities(uow).filter((e) => e instanceof meta.class);
  if (held.length === 0) return;
  const names = meta.primaryKeys.map((p) => p.name);
  const where = meta.compositeKey
    ? { $or: held.map((e) => keyFilter(meta, idOf(meta, e))) }
    : { [names[0]!]: { $in: held.map((e) => idOf(meta, e)) } };
  const rows = (await em
    .createQueryBuilder(meta.class)
    .select(names)
    .where(where as never)
    .execute('all')) as Record<string, unknown>[];
  const alive = new Set(rows.map((r) => keyText(meta, r)));
  for (const e of held) if (!alive.has(keyText(meta, e))) uow.unsetIdentity(e);
}
