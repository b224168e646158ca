import type { EntityMetadata } from '../mapping/metadata.js';
import { targetOf } from '../query/normalize-where.js';

/**
 * What `repo.reference(id)` gives outside any session: an instance of the entity class that carries only
 * its key (a composite key's relation parts: detached references of their own). No constructor runs, so
 * no field initializer fills in a value the row may not have. A write or a query takes an unmanaged
 * instance with its key for that row (a reference), never for a new one, so it can be built in code that
 * has no session yet and used in the transaction that follows.
 */
export function detachedReference<T extends object>(meta: EntityMetadata<T>, id: unknown): T {
  const ref = Object.create(meta.class.prototype as object) as Record<string, unknown>;
  if (!meta.compositeKey) {
    ref[meta.primaryKey.name] = id;
    return ref as T;
  }
  const parts = id as Record<string, unknown>;
  for (const p of meta.primaryKeys) {
    ref[p.name] = p.kind === 'id' ? parts[p.name] : detachedReference(targetOf(p), parts[p.name]);
  }
  return ref as T;
}
