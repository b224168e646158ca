// After an UPDATE that changed rows behind the unit of work's back (updateWhere, a soft delete), the
// entities the session holds of that entity are read again: those whose rows changed take the new values
// (and snapshot, so the next flush does not write the old ones back), those whose rows are gone — or now
// soft-deleted — leave the identity map, as after deleteById.
import { type EntityClass, type EntityMetadata, idOf, keyFilter, metadataOf } from '@kosha/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { heldEntities } from '../internals/index.js';
import { isDeleted } from './soft-delete.js';

/** How many keys one re-read carries. */
const CHUNK = 1_000;

/** A held entity's key as text (a relation part as the related key). */
function entityKey(meta: EntityMetadata, e: object): string {
  const id = idOf(meta, e);
  return meta.compositeKey
    ? JSON.stringify(meta.primaryKeys.map((p) => String((id as Record<string, unknown>)[p.name])))
    : String(id);
}

/** A raw row's key as text, from its key columns. */
function rowKey(meta: EntityMetadata, row: Record<string, unknown>): string {
  const parts = meta.primaryKeys.map((p) => String(row[p.columnName!]));
  return meta.compositeKey ? JSON.stringify(parts) : parts[0]!;
}

/** Re-reads the held entities of `entity` (one select per 1,000 of them; none when none are held). */
export async function reloadHeld(em: SqlEntityManager, entity: EntityClass): Promise<void> {
  const uow = em.getUnitOfWork(false);
  const held = heldEntities(uow).filter((e) => e instanceof entity);
  if (held.length === 0) return;
  const meta = metadataOf(entity);
  for (let i = 0; i < held.length; i += CHUNK) {
    const part = held.slice(i, i + CHUNK);
    const where = meta.compositeKey
      ? { $or: part.map((e) => keyFilter(meta, idOf(meta, e))) }
      : { [meta.primaryKey.name]: { $in: part.map((e) => idOf(meta, e)) } };
    const rows = (await em
      .createQueryBuilder(entity)
      .select('*')
      .where(where as never)
      .execute('all', false)) as Record<string, unknown>[];
    const byKey = new Map(rows.map((r) => [rowKey(meta, r), r]));
    for (const e of part) {
      const row = byKey.get(entityKey(meta, e));
      if (!row) {
        uow.unsetIdentity(e);
        continue;
      }
      em.map(entity, row);
      if (isDeleted(entity, e)) uow.unsetIdentity(e);
    }
  }
}
