import {
  type EntityManager,
  type EntityMetadata,
  type EntityProperty,
  type EventSubscriber,
  type FlushEventArgs,
  Reference,
  ReferenceKind,
  type UnitOfWork,
  Utils,
  wrap,
} from '@mikro-orm/core';
import { entityMetaOf, hasKey, heldEntities, heldInstance, keyOf } from './internals/index.js';

/*
 * MikroORM 7.2.1 takes any entity its unit of work does not manage for a new one when a flush reaches it
 * through a relation: the cascade persists it (UnitOfWork.persist), and with no snapshot of its own
 * (ChangeSetComputer.computeChangeSet) it gets a CREATE change set — a `@cacheable` hit or a plain
 * `{ id }` is inserted again; an entity from a finished session keeps its old snapshot and is merged
 * instead, its changed fields written. MikroORM leaves it to the caller to use `em.getReference` (or
 * `em.merge`); Kosha does that for the caller: a related entity with its key that this session does not
 * hold stands for the existing row, whatever else it carries.
 */

type Fields = Record<string, unknown>;

/** The relations of an entity a flush cascades through. */
interface Relations {
  /** Many-to-one and owning one-to-one; `mapToPk` ones hold the key itself. */
  readonly toOne: readonly EntityProperty[];
  readonly toMany: readonly EntityProperty[];
}

const relationsByMeta = new WeakMap<EntityMetadata, Relations>();

function relationsOf(meta: EntityMetadata): Relations {
  let r = relationsByMeta.get(meta);
  if (!r) {
    r = {
      toOne: meta.relations.filter(isToOne),
      toMany: meta.relations.filter(
        (p) => p.kind === ReferenceKind.ONE_TO_MANY || p.kind === ReferenceKind.MANY_TO_MANY,
      ),
    };
    relationsByMeta.set(meta, r);
  }
  return r;
}

function isToOne(prop: EntityProperty): boolean {
  return (
    !prop.mapToPk &&
    (prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && !!prop.owner))
  );
}

/** An entity without its key, that no unit of work manages: a flush inserts it. */
function isNew(e: unknown): e is object {
  if (!Utils.isEntity(e)) return false;
  return !wrap(e).isManaged() && !hasKey(e);
}

const isScalarKey = (k: unknown) => typeof k === 'number' || typeof k === 'string' || typeof k === 'bigint';

/** A key given as the relation value itself: a number, string or bigint (an array of them for a composite key). */
function isBareKey(meta: EntityMetadata, value: unknown): boolean {
  return meta.compositePK
    ? Array.isArray(value) && value.length === meta.primaryKeys.length && value.every(isScalarKey)
    : isScalarKey(value);
}

/** The key of a plain object for `meta`, when it carries all of it; else `undefined`. */
function plainKey(meta: EntityMetadata, value: Fields): unknown {
  const keys = meta.primaryKeys.map((name) => value[name]);
  if (!keys.every(isScalarKey)) return undefined;
  return meta.compositePK ? keys : keys[0];
}

/**
 * The references to existing rows that one operation (an `insertAll`, an `update`, a flush) makes in
 * one session: a related entity with its key that this session does not hold (cached, from another or a
 * finished session), a plain object carrying the related key, or a bare key becomes `em.getReference`
 * of that row — never inserted again, its other fields not written. A new entity without a key is left
 * to the flush, which inserts it (and what it points at is pointed at rows the same way).
 *
 * ```ts
 * const refs = new RowReferences(em);
 * refs.pointAtRows(follow); // follow.followee: the cached User → a reference to its row
 * ```
 */
export class RowReferences {
  readonly #em: EntityManager;
  readonly #uow: UnitOfWork;
  /** Related entities this unit of work holds: most rows point at a few, each checked once. */
  readonly #held = new Set<object>();
  /** New entities already walked. */
  readonly #visited = new Set<object>();

  constructor(em: EntityManager) {
    this.#em = em;
    this.#uow = em.getUnitOfWork(false);
  }

  /**
   * What a to-one relation (many-to-one, owning one-to-one) should hold for `value`: a reference to the
   * row it stands for (see the class), else `value` itself (`null`, an entity this session holds, a new
   * entity, a plain object without the key).
   */
  valueFor(prop: EntityProperty, value: unknown): unknown {
    const target = prop.targetMeta;
    if (value == null || !target || prop.polymorphic || !isToOne(prop)) return value;
    const e = Reference.unwrapReference(value as object) as unknown;
    let ref: object;
    if (Utils.isEntity(e)) {
      if (this.#holds(e)) {
        this.#held.add(value as object);
        return value;
      }
      const meta = entityMetaOf(e);
      if (meta.root !== target.root || !hasKey(e)) return value;
      ref = this.#em.getReference(meta.class, keyOf(e) as never, { schema: wrap(e).getSchema() });
    } else if (isBareKey(target, e)) {
      ref = this.#em.getReference(target.class, e as never);
    } else if (Utils.isPlainObject(e)) {
      const key = plainKey(target, e as Fields);
      if (key === undefined) return value;
      ref = this.#em.getReference(target.class, key as never);
    } else {
      return value;
    }
    return Reference.isReference(value) ? Reference.create(ref) : Reference.wrapReference(ref, prop);
  }

  /**
   * Points the to-one relations of `entity` at existing rows, then those of the new entities it reaches
   * (by a to-one or in a loaded collection), which a flush inserts with it.
   */
  pointAtRows(entity: object): void {
    if (isNew(entity)) this.#walkNew(entity);
    else this.#walk(entity);
  }

  /** `pointAtRows` for everything the unit of work holds (what a flush starts from). */
  pointAtRowsOfAllHeld(): void {
    // Copied first: getReference adds references to the identity map while it is walked.
    for (const e of heldEntities(this.#uow)) this.#walk(e);
    for (const e of [...this.#uow.getPersistStack()]) this.pointAtRows(e);
  }

  /** This unit of work holds `e`: it manages it, or was asked to insert it. */
  #holds(e: object): boolean {
    if (this.#held.has(e)) return true;
    if (heldInstance(this.#uow, e) !== e && !this.#uow.getPersistStack().has(e)) return false;
    this.#held.add(e);
    return true;
  }

  #walk(entity: object): void {
    if (!wrap(entity).isInitialized()) return;
    const fields = entity as Fields;
    const { toOne, toMany } = relationsOf(entityMetaOf(entity));
    for (const prop of toOne) {
      const value = fields[prop.name];
      if (value == null || this.#held.has(value as object)) continue;
      const next = this.valueFor(prop, value);
      if (next !== value) fields[prop.name] = next;
      else this.#walkNew(Reference.unwrapReference(value as object));
    }
    for (const prop of toMany) {
      const value = fields[prop.name];
      if (Utils.isCollection(value) && value.isInitialized()) {
        for (const item of value.getItems(false)) this.#walkNew(item);
      }
    }
  }

  // Only new entities are walked into: a flush inserts them with what they point at.
  #walkNew(e: unknown): void {
    if (!isNew(e) || this.#visited.has(e)) return;
    this.#visited.add(e);
    this.#walk(e);
  }
}

/**
 * Before each flush, the relations of what the unit of work holds are pointed at existing rows, so a
 * relation assigned on a managed entity (`article.author = cachedUser`) is written as a foreign key.
 * Registered once on the ORM's event manager, which every session's fork shares.
 */
export const detachedReferences: EventSubscriber = {
  beforeFlush({ em }: FlushEventArgs): void {
    new RowReferences(em).pointAtRowsOfAllHeld();
  },
};
