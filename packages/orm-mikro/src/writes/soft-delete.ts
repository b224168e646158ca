// Soft delete (`@deletedAt`) on MikroORM: a default entity filter, so that every `em.find`, `findOne`,
// `count` and populate of the entity — Kosha's and users' own `this.em` queries alike — leaves deleted
// rows out, and `filters: { [NOT_DELETED]: false }` reads them too. Query builders do not apply entity
// filters by themselves (QueryBuilder.applyFilters is opt-in): Kosha's own builder queries add the
// condition with `withoutDeleted`.
import { type EntityClass, type EntityMetadata, metadataOf } from '@kosha/core';
import type { Filter } from '../query/filter-query.js';

/** The name of the MikroORM filter that leaves soft-deleted rows out. */
export const NOT_DELETED = 'kosha_not_deleted';

/** The `filters` of an EntitySchema for a soft-deleted entity (none for others). */
export function softDeleteFilters(meta: EntityMetadata): Record<string, unknown> | undefined {
  const p = meta.deletedAt;
  if (!p) return undefined;
  return { [NOT_DELETED]: { name: NOT_DELETED, cond: { [p.name]: null }, default: true } };
}

/** The `filters` option of an em read that includes soft-deleted rows, when asked (and the entity has them). */
export function deletedFilters(
  entity: EntityClass,
  withDeleted: boolean | undefined,
): { filters?: Record<string, boolean> } {
  return withDeleted && metadataOf(entity).deletedAt ? { filters: { [NOT_DELETED]: false } } : {};
}

/** `where`, and not soft-deleted (for query builders, which do not apply the entity filter). */
export function withoutDeleted(entity: EntityClass, where: Filter, withDeleted?: boolean): Filter {
  const p = metadataOf(entity).deletedAt;
  if (!p || withDeleted) return where;
  const cond = { [p.name]: null };
  return Reflect.ownKeys(where).length ? { $and: [where, cond] } : cond;
}

/** True when the entity is soft-deleted and this instance's row is deleted. */
export function isDeleted(entity: EntityClass, value: object): boolean {
  const p = metadataOf(entity).deletedAt;
  return !!p && (value as Record<string, unknown>)[p.name] != null;
}
