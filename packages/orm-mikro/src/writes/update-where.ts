// `updateWhere`: one UPDATE of the rows a condition matches, with the unit of work's rules — its pending
// changes written first, `@version` bumped (`version = version + 1`), `@updatedAt` set unless only quiet
// columns change, and the held entities read again afterwards (reload-held.ts).
import { type EntityClass, metadataOf, type UpdateSpec } from '@kosha/core';
import { raw } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { now } from '../entity-schema.js';
import type { Filter } from '../query/filter-query.js';
import type { Dialect } from '../url.js';
import { flushPending } from './compiled-flush.js';
import { rowsFilter } from './key-filter.js';
import { reloadHeld } from './reload-held.js';
import { updateStatement } from './update-statement.js';

/**
 * Runs the update and returns how many rows it changed (matched, on MySQL/MariaDB). `where` makes the
 * translated condition (with the soft-delete one) for the general path.
 */
export async function updateWhere(
  em: SqlEntityManager,
  entity: EntityClass,
  where: () => Filter,
  spec: UpdateSpec,
  dialect: Dialect,
): Promise<number> {
  // Pending changes go first, as they would before any other statement of the unit of work.
  await flushPending(em, dialect);
  const fast = await updateStatement(em, entity, spec);
  if (fast !== undefined) {
    if (fast > 0) await reloadHeld(em, entity);
    return fast;
  }
  const meta = metadataOf(entity);
  const platform = em.getPlatform();
  const column = (field: string) =>
    platform.quoteIdentifier(meta.properties.find((p) => p.name === field)!.columnName!);
  const data: Record<string, unknown> = {};
  for (const c of spec.changes) {
    data[c.field] = c.kind === 'set' ? c.value : raw(`${column(c.field)} + ?`, [c.by]);
  }
  for (const p of meta.properties) {
    if (p.kind === 'version') data[p.name] = raw(`${column(p.name)} + 1`);
    if (p.kind === 'updatedAt' && spec.touchesUpdatedAt) data[p.name] = now(p.type ?? 'datetime')();
  }
  // Kosha's condition already says which rows count (soft-deleted ones or not): the entity filter must not add to it.
  const changed = await em.nativeUpdate(entity, rowsFilter(em, entity, where()) as never, data as never, {
    filters: false,
  });
  if (changed > 0) await reloadHeld(em, entity);
  return changed;
}
