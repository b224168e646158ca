import type {
  ChangeSet,
  Collection,
  Dictionary,
  EntityManager,
  EntityMetadata,
  UnitOfWork,
} from '@mikro-orm/core';
import * as mikro from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';

/*
 * The unit of work's machinery that the bulk insert (src/bulk-insert/) and the savepoint snapshots
 * (unit-of-work-snapshot.ts) drive directly: members MikroORM 7.2 marks `@internal` or private —
 * the ChangeSetPersister, the EntityComparator, the IdentityMap, Collection.hydrate, UnitOfWork.register.
 * `validateEntity` is read from the module namespace so that a MikroORM without it still loads Kosha
 * (the bulk insert then falls back to the unit of work, see `bulkInsertProblem`).
 */

/** The ChangeSetPersister steps the bulk insert takes itself (private in MikroORM's typings). */
export interface Persister {
  /** Sets the key the database generated on the entity and its change set. */
  mapPrimaryKey(meta: EntityMetadata, value: unknown, changeSet: ChangeSet<object>): void;
  /** Marks the entity's to-ones as populated, as after an insert. */
  markAsPopulated(changeSet: ChangeSet<object>, meta: EntityMetadata): void;
  /** Throws MikroORM's ValidationError when a required property has no value. */
  validateRequired(entity: object): void;
  /** Reads database defaults (a `@version`) back where the insert could not return them. */
  reloadVersionValues(
    meta: EntityMetadata,
    changeSets: ChangeSet<object>[],
    options: Dictionary,
  ): Promise<void>;
}

/** The change-set persister of `em`'s unit of work, as the members of `Persister`. */
export function persisterOf(em: EntityManager): Persister {
  return em.getUnitOfWork(false).getChangeSetPersister() as unknown as Persister;
}

/**
 * Registers a just-inserted entity as managed with `payload` as its snapshot, as
 * UnitOfWork.commitCreateChangeSets does (UnitOfWork.register, `@internal`).
 */
export function registerInserted(uow: UnitOfWork, entity: object, payload: Dictionary): void {
  uow.register(entity, payload, { refresh: true });
}

/** Snapshots the loaded collections of an inserted entity, so a flush sees them unchanged (private). */
export function takeCollectionSnapshots(uow: UnitOfWork, entity: object, visited: Set<object>): void {
  (uow as unknown as { takeCollectionSnapshots(e: object, v: Set<object>): void }).takeCollectionSnapshots(
    entity,
    visited,
  );
}

/** The instance the unit of work manages under the key of `entity` (IdentityMap.getByEntity). */
export function heldInstance(uow: UnitOfWork, entity: object): object | undefined {
  return uow.getIdentityMap().getByEntity(entity) ?? undefined;
}

/** Every entity the unit of work manages, copied (IdentityMap iteration). */
export function heldEntities(uow: UnitOfWork): object[] {
  return [...uow.getIdentityMap()];
}

/** Puts an entity back into the identity map under its key (IdentityMap.store). */
export function storeIdentity(uow: UnitOfWork, entity: object): void {
  uow.getIdentityMap().store(entity);
}

/** Sets a loaded collection's items without marking it dirty (Collection.hydrate, `@internal`). */
export function hydrateCollection(collection: Collection<object>, items: object[]): void {
  collection.hydrate(items);
}

/** The entity's values as the database holds them, what a change set carries (EntityComparator.prepareEntity). */
export function prepareEntity(em: EntityManager, entity: object): Dictionary {
  return em.getComparator().prepareEntity(entity) as Dictionary;
}

/** A row of columns mapped to properties (EntityComparator.mapResult). */
export function mapResult(em: EntityManager, meta: EntityMetadata, row: Dictionary): Dictionary {
  return em.getComparator().mapResult(meta, row) as Dictionary;
}

/** MikroORM's check of an entity's values against its mapping (`validateEntity`, `@internal`). */
export function validateEntity(entity: object, meta: EntityMetadata): void {
  (mikro as unknown as { validateEntity(e: object, m: EntityMetadata): void }).validateEntity(entity, meta);
}

/** The quoted table name (with schema) of an entity's inserts (DatabaseDriver.getTableName, `@internal`). */
export function tableNameOf(em: SqlEntityManager, meta: EntityMetadata, schema: string | undefined): string {
  return em.getDriver().getTableName(meta, { schema } as never);
}

/** What one borrowed member must look like: a function taking this many declared parameters. */
export interface Borrowed {
  /** The function of this folder that calls it. */
  readonly fn: string;
  /** The MikroORM member, as its source names it. */
  readonly member: string;
  readonly value: (em: EntityManager) => unknown;
  readonly arity: number;
}

const persister = (em: EntityManager) =>
  em.getUnitOfWork(false).getChangeSetPersister() as unknown as Dictionary;
const comparator = (em: EntityManager) => em.getComparator() as unknown as Dictionary;

/** The members the bulk insert borrows, with the parameter counts of MikroORM 7.2.1–7.2.5. */
export const BULK_INSERT_BORROWS: readonly Borrowed[] = [
  {
    fn: 'persisterOf',
    member: 'ChangeSetPersister.mapPrimaryKey',
    value: (em) => persister(em).mapPrimaryKey,
    arity: 3,
  },
  {
    fn: 'persisterOf',
    member: 'ChangeSetPersister.markAsPopulated',
    value: (em) => persister(em).markAsPopulated,
    arity: 2,
  },
  {
    fn: 'persisterOf',
    member: 'ChangeSetPersister.validateRequired',
    value: (em) => persister(em).validateRequired,
    arity: 1,
  },
  {
    fn: 'persisterOf',
    member: 'ChangeSetPersister.reloadVersionValues',
    value: (em) => persister(em).reloadVersionValues,
    arity: 3,
  },
  {
    fn: 'registerInserted',
    member: 'UnitOfWork.register',
    value: (em) => em.getUnitOfWork(false).register,
    arity: 3,
  },
  {
    fn: 'takeCollectionSnapshots',
    member: 'UnitOfWork.takeCollectionSnapshots',
    value: (em) => (em.getUnitOfWork(false) as unknown as Dictionary).takeCollectionSnapshots,
    arity: 2,
  },
  {
    fn: 'prepareEntity',
    member: 'EntityComparator.prepareEntity',
    value: (em) => comparator(em).prepareEntity,
    arity: 1,
  },
  {
    fn: 'mapResult',
    member: 'EntityComparator.mapResult',
    value: (em) => comparator(em).mapResult,
    arity: 2,
  },
  {
    fn: 'validateEntity',
    member: "validateEntity (exported by '@mikro-orm/core')",
    value: () => (mikro as unknown as Dictionary).validateEntity,
    arity: 2,
  },
  {
    fn: 'tableNameOf',
    member: 'DatabaseDriver.getTableName',
    value: (em) => (em.getDriver() as unknown as Dictionary).getTableName,
    arity: 2,
  },
];

/**
 * An entity of `meta` from a row already mapped to properties, as `em.find` makes each of its results
 * (EntityFactory.create with `merge`, the factory class `@internal`): the identity map's instance if it
 * holds one — its unchanged properties refreshed from the row — else a new managed one. `refresh`: every
 * property of the held instance takes the row's value, as `em.map` (a row a write just returned) does.
 * `data` must be an object of the caller's own (the new entity keeps it as its snapshot).
 */
export function createFromRow(
  em: EntityManager,
  meta: EntityMetadata,
  data: Dictionary,
  refresh = false,
): object {
  const lean = leanOf(em, meta);
  if (lean) {
    const uow = em.getUnitOfWork(false);
    const id = data[lean.pk];
    if (id != null && uow.getById(meta.class, id as never, lean.schema) == null) {
      return createNew(em, uow, meta, data, lean.schema);
    }
  }
  return fromFactory(em, meta, data, refresh);
}

/** The row as EntityFactory.create makes it, as `em.map` asks: merged into the identity map's entity. */
function fromFactory(em: EntityManager, meta: EntityMetadata, data: Dictionary, refresh: boolean): object {
  return em.getEntityFactory().create(meta.class, data as never, {
    merge: true,
    convertCustomTypes: true,
    ...(refresh ? { refresh } : {}),
  });
}

/**
 * `createFromRow` for each of `rows`, with what every row needs looked up once: the plan, the unit of
 * work, and MikroORM's compiled hydrators of the entity (ObjectHydrator.getEntityHydrator), called as
 * `hydrate` and `hydrateReference` call them. Each row must be an object of the caller's own.
 */
export function createFromRows(
  em: EntityManager,
  meta: EntityMetadata,
  rows: readonly Dictionary[],
  refresh = false,
): object[] {
  const out: object[] = new Array(rows.length);
  const lean = leanOf(em, meta);
  if (!lean) {
    for (let i = 0; i < rows.length; i++) out[i] = fromFactory(em, meta, rows[i]!, refresh);
    return out;
  }
  const uow = em.getUnitOfWork(false);
  const tools = toolsOf(em, meta);
  for (let i = 0; i < rows.length; i++) {
    const data = rows[i]!;
    const id = data[lean.pk];
    out[i] =
      id != null && uow.getById(meta.class, id as never, lean.schema) == null
        ? createNew(em, uow, meta, data, lean.schema, tools)
        : fromFactory(em, meta, data, refresh);
  }
  return out;
}

/** A compiled hydrator of MikroORM's (entity, data, factory, newEntity, convertCustomTypes, schema, parentSchema). */
type Compiled = (...args: unknown[]) => void;

/** What `createNew` takes from the entity manager, looked up once per batch of rows. */
interface Tools {
  readonly hydrator: ReturnType<EntityManager['getHydrator']>;
  readonly factory: ReturnType<EntityManager['getEntityFactory']>;
  /** The compiled `full` and `reference` hydrators, when the hydrator hands them out (ObjectHydrator's). */
  readonly compiled: { readonly full: Compiled; readonly reference: Compiled } | undefined;
}

function toolsOf(em: EntityManager, meta: EntityMetadata): Tools {
  const hydrator = em.getHydrator();
  const factory = em.getEntityFactory();
  const h = hydrator as unknown as {
    getEntityHydrator?: (meta: EntityMetadata, type: 'full' | 'reference') => Compiled;
    running?: unknown;
  };
  const compiled =
    typeof h.getEntityHydrator === 'function' &&
    h.getEntityHydrator.length === HYDRATOR_ARITY &&
    typeof h.running === 'boolean'
      ? { full: h.getEntityHydrator(meta, 'full'), reference: h.getEntityHydrator(meta, 'reference') }
      : undefined;
  return { hydrator, factory, compiled };
}

/** ObjectHydrator.getEntityHydrator(meta, type, normalizeAccessors = false) in MikroORM 7.2. */
const HYDRATOR_ARITY = 2;

/** What `createNew` needs of an entity it may make, or `null` when the entity factory must. */
interface Lean {
  /** The key property (one column, no custom-type conversion of the key on lookup). */
  readonly pk: string;
  readonly schema: string | undefined;
}

const leanDecided = new WeakMap<object, boolean>();
const leanPlans = new WeakMap<EntityMetadata, Lean | null>();

/**
 * The plan of `createNew` for `meta`, or `null` when EntityFactory.create does something for it that
 * `createNew` does not: a constructor to run (`forceEntityConstructor`), a discriminator to read, a
 * serialized key, an `onInit` listener, or a relation back to the entity's own class (whose hydration
 * looks the entity itself up in the identity map before it is stored there).
 */
function leanOf(em: EntityManager, meta: EntityMetadata): Lean | null {
  let usable = leanDecided.get(em.config);
  if (usable === undefined) {
    usable = !LEAN_BORROWS.some((b) => differs(b, em)) && !em.config.get('forceEntityConstructor');
    leanDecided.set(em.config, usable);
  }
  if (!usable) return null;
  let plan = leanPlans.get(meta);
  if (plan === undefined) {
    const pk = meta.getPrimaryProps()[0];
    const simple =
      meta.simplePK &&
      pk &&
      !meta.virtual &&
      !meta.embeddable &&
      !meta.serializedPrimaryKey &&
      !meta.root.inheritanceType &&
      !meta.forceConstructor &&
      !meta.selfReferencing &&
      !meta.polymorphs;
    plan = simple ? { pk: pk.name, schema: em.getDriver().getSchemaName(meta, undefined) } : null;
    leanPlans.set(meta, plan);
  }
  if (plan && em.getEventManager().hasListeners(mikro.EventType.onInit, meta)) return null;
  return plan;
}

/**
 * A new managed entity of `meta` from `data`, which the identity map does not hold: the steps of
 * EntityFactory.create (and createEntity) for a loaded row, once each. The factory stores the entity,
 * defines its accessors and registers it twice; here that is once, in the same order (accessors before
 * hydration, so that relation setters run as hydration), with the same snapshot, loaded properties and
 * `onLoad` registration.
 */
function createNew(
  em: EntityManager,
  uow: UnitOfWork,
  meta: EntityMetadata,
  data: Dictionary,
  schema: string | undefined,
  tools: Tools = toolsOf(em, meta),
): object {
  const entity = Object.create(meta.class.prototype) as object;
  const wrapped = mikro.helper(entity);
  wrapped.__managed = true;
  wrapped.__processing = true;
  wrapped.__schema = schema;
  wrapped.__initialized = true;
  const { hydrator, factory, compiled } = tools;
  if (compiled) {
    // What hydrateReference and hydrate (of a loaded row: not a new entity) do around their compiled
    // function: the hydrator marked running, so that relation setters take the values as hydration.
    const h = hydrator as unknown as { running: boolean };
    const running = h.running;
    try {
      // The key first, as createEntity sets it: the entity's own keys then come in the factory's order.
      h.running = true;
      compiled.reference(entity, data, factory, false, true, undefined, undefined, undefined);
      h.running = running;
      mikro.EntityHelper.ensurePropagation(entity);
      h.running = true;
      compiled.full(entity, data, factory, false, true, undefined, schema, undefined);
    } finally {
      h.running = running;
    }
  } else {
    hydrator.hydrateReference(entity, meta, data, factory, true);
    mikro.EntityHelper.ensurePropagation(entity);
    hydrator.hydrate(entity, meta, data, factory, 'full', false, true, undefined, schema);
  }
  const fields = wrapped.__serializationContext.fields;
  for (const key in data) {
    wrapped.__loadedProperties.add(key);
    fields?.add(key);
  }
  uow.register(entity, data, { refresh: true, loaded: true });
  wrapped.__processing = false;
  return entity;
}

/** Runs the `onLoad` hooks of the entities just loaded, as `em.find` does last (UnitOfWork.dispatchOnLoadEvent). */
export function dispatchLoaded(em: EntityManager): Promise<void> {
  return (
    em.getUnitOfWork(false) as unknown as { dispatchOnLoadEvent(): Promise<void> }
  ).dispatchOnLoadEvent();
}

/** The members the compiled reads borrow (src/query/compiled-find.ts). */
export const FAST_PATH_BORROWS: readonly Borrowed[] = [
  {
    fn: 'createFromRow',
    member: 'EntityFactory.create',
    value: (em) => (em.getEntityFactory() as unknown as Dictionary).create,
    // (entityName, data, options = {}): a parameter with a default does not count
    arity: 2,
  },
  {
    fn: 'dispatchLoaded',
    member: 'UnitOfWork.dispatchOnLoadEvent',
    value: (em) => (em.getUnitOfWork(false) as unknown as Dictionary).dispatchOnLoadEvent,
    arity: 0,
  },
  {
    fn: 'tableNameOf',
    member: 'DatabaseDriver.getTableName',
    value: (em) => (em.getDriver() as unknown as Dictionary).getTableName,
    arity: 2,
  },
];

/** The members `createNew` borrows besides UnitOfWork.register, with their parameter counts in MikroORM 7.2. */
export const LEAN_BORROWS: readonly Borrowed[] = [
  {
    fn: 'createNew',
    member: 'UnitOfWork.register',
    value: (em) => em.getUnitOfWork(false).register,
    arity: 3,
  },
  { fn: 'createNew', member: 'UnitOfWork.getById', value: (em) => em.getUnitOfWork(false).getById, arity: 4 },
  {
    fn: 'createNew',
    member: 'EntityHelper.ensurePropagation',
    value: () => mikro.EntityHelper.ensurePropagation,
    arity: 1,
  },
  { fn: 'createNew', member: 'ObjectHydrator.hydrate', value: (em) => em.getHydrator().hydrate, arity: 5 },
  {
    fn: 'createNew',
    member: 'ObjectHydrator.getEntityHydrator',
    value: (em) => (em.getHydrator() as unknown as Dictionary).getEntityHydrator,
    arity: HYDRATOR_ARITY,
  },
  {
    fn: 'createNew',
    member: 'ObjectHydrator.hydrateReference',
    value: (em) => em.getHydrator().hydrateReference,
    arity: 4,
  },
  {
    fn: 'createNew',
    member: 'DatabaseDriver.getSchemaName',
    value: (em) => (em.getDriver() as unknown as Dictionary).getSchemaName,
    arity: 2,
  },
];

/** `borrowed` is not what Kosha knows: missing, or a function with another parameter count. */
export function differs(borrowed: Borrowed, em: EntityManager): boolean {
  let value: unknown;
  try {
    value = borrowed.value(em);
  } catch {
    return true;
  }
  return typeof value !== 'function' || value.length !== borrowed.arity;
}
