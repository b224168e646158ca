// `@column({ touchesUpdatedAt: false })`: a flush that changes only such columns keeps `@updatedAt`.
// MikroORM's `onUpdate` runs for every update change set, whatever changed, so the entities with such
// columns have no `onUpdate` on their `@updatedAt` (entity-schema.ts) and this subscriber sets it in
// `onFlush`, the documented place to change an entity's change set (`uow.recomputeSingleChangeSet`).
import type { EntityMetadata } from '@kosha/core';
import { ChangeSetType, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';

interface Rule {
  readonly updatedAt: string;
  readonly quiet: ReadonlySet<string>;
  readonly now: () => unknown;
}

const rules = new WeakMap<object, Rule>();

/** True (and the rule remembered) when the entity has a `touchesUpdatedAt: false` column and an `@updatedAt`. */
export function quietColumns(meta: EntityMetadata, now: () => unknown): boolean {
  const updatedAt = meta.properties.find((p) => p.kind === 'updatedAt');
  const quiet = meta.properties.filter((p) => p.options.touchesUpdatedAt === false).map((p) => p.name);
  if (!updatedAt || quiet.length === 0) return false;
  rules.set(meta.class, { updatedAt: updatedAt.name, quiet: new Set(quiet), now });
  return true;
}

/** True when the entity class has a rule of {@link quietColumns}: its `@updatedAt` is this subscriber's. */
export function hasQuietColumns(cls: object): boolean {
  return rules.has(cls);
}

/** Sets `@updatedAt` on updates that change some column other than the quiet ones. */
export const touchUpdatedAt: EventSubscriber = {
  onFlush(args: FlushEventArgs): void {
    const uow = args.uow;
    for (const cs of uow.getChangeSets()) {
      if (cs.type !== ChangeSetType.UPDATE) continue;
      const rule = rules.get(cs.entity.constructor);
      if (!rule) continue;
      const touched = Object.keys(cs.payload).some((k) => k !== rule.updatedAt && !rule.quiet.has(k));
      if (!touched) continue;
      (cs.entity as Record<string, unknown>)[rule.updatedAt] = rule.now();
      uow.recomputeSingleChangeSet(cs.entity);
    }
  },
};
