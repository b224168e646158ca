import {
  type Dictionary,
  type EntityProperty,
  isRaw,
  Reference,
  ReferenceKind,
  type UnitOfWork,
  Utils,
  wrap,
} from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { entityMetaOf, hasKey, heldInstance, trackedDataOf } from '../internals/index.js';
import type { Plan } from './plan.js';

/**
 * The entity is new (not managed, not scheduled) and needs nothing of the unit of work: its to-ones are
 * entities this unit of work manages, its collections are empty.
 */
export function isPlainNew(e: object, plan: Plan, uow: UnitOfWork): boolean {
  const wrapped = wrap(e);
  if (
    wrapped.isManaged() ||
    trackedDataOf(e) ||
    !wrapped.isInitialized() ||
    entityMetaOf(e) !== plan.meta ||
    uow.getPersistStack().has(e) ||
    uow.getRemoveStack().has(e)
  ) {
    return false;
  }
  if (hasKey(e) && heldInstance(uow, e)) return false;
  for (const prop of plan.toOne) {
    const value = Reference.unwrapReference((e as Dictionary)[prop.name]);
    if (value == null) continue;
    // Only a to-one this unit of work manages, with its key: anything else is cascaded to by a flush.
    if (!Utils.isEntity(value, true) || heldInstance(uow, value) !== value) return false;
  }
  for (const prop of plan.toMany) {
    const value = (e as Dictionary)[prop.name];
    if (value == null) continue;
    if (!Utils.isCollection(value) || !value.isInitialized() || value.getItems(false).length > 0)
      return false;
  }
  return true;
}

/** Sets an `onCreate` or default value, as ChangeSetComputer.processPropertyInitializers does for a new entity. */
export function initialize(em: SqlEntityManager, e: Dictionary, prop: EntityProperty): void {
  const value = e[prop.name];
  if (
    prop.onCreate &&
    (value == null || (Utils.isScalarReference(value) && (value as { unwrap(): unknown }).unwrap() == null))
  ) {
    e[prop.name] = prop.onCreate(e, em);
  } else if (
    prop.default != null &&
    !isRaw(prop.default) &&
    prop.kind !== ReferenceKind.MANY_TO_ONE &&
    prop.kind !== ReferenceKind.ONE_TO_ONE &&
    value === undefined
  ) {
    e[prop.name] = prop.default;
  }
}
