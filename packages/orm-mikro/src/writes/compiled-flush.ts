// The flush of a unit of work whose only changes are plain column updates of loaded entities (DESIGN §15):
// one UPDATE per changed entity, of its changed columns only, whose text is made once per (entity,
// columns) shape and sent with bound values on the session's transaction. MikroORM's own flush builds a
// query builder for each change set and writes the values into the SQL text, which SQLite must then
// prepare again (a rename on SQLite spent more time preparing its UPDATE than running it).
//
// The steps are the unit of work's (UnitOfWork.computeChangeSets, ChangeSetComputer.computeChangeSet,
// UnitOfWork.commitUpdateChangeSets), through MikroORM's helpers: the comparator's snapshot and diff for
// what changed (the values as MikroORM would write them), `onUpdate` run only when something else
// changed, `validateEntity` before anything is sent, and the snapshot taken again after the UPDATE, so
// that the flush that follows finds nothing to do. Whatever the recipe does not cover is left whole to
// MikroORM's flush (`flushCompiled` answers false before sending anything): a persist or a removal
// pending, a dirty collection, a changed relation, a change to an entity with a `@version`, a concurrency
// check, quiet columns or update hooks (such entities are only checked: unchanged, they need no flush),
// subscribers of update and flush events, a property whose SQL MikroORM writes itself, inheritance,
// composite keys, and a MikroORM whose internals are not those Kosha was checked against. The flush that
// follows finds nothing to do, so the session commits without it (`commitFlushed`): each managed entity
// is checked once, by the recipe, instead of by MikroORM's flush.
import {
  type Dictionary,
  type EntityMetadata,
  type EntityProperty,
  EventType,
  ReferenceKind,
  TransactionEventBroadcaster,
  Utils,
  wrap,
} from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { type Binder, binderFor, UNBINDABLE } from '../bulk-insert/binder.js';
import { execute, type TransactionContext } from '../bulk-insert/execute.js';
import { oneTableOneKey, plainPlaceholder } from '../bulk-insert/plan.js';
import type { StatementText } from '../bulk-insert/statement-text.js';
import { detachedReferences } from '../detached-references.js';
import {
  bulkInsertProblem,
  entityMetaOf,
  fastPathProblem,
  prepareEntity,
  setTrackedData,
  tableNameOf,
  trackedDataOf,
  validateEntity,
} from '../internals/index.js';
import type { Dialect } from '../url.js';
import { hasQuietColumns, touchUpdatedAt } from './touches-updated-at.js';

/** Events whose listeners expect the unit of work's own flush. */
const UPDATE_EVENTS = [
  EventType.beforeUpdate,
  EventType.afterUpdate,
  EventType.beforeFlush,
  EventType.onFlush,
  EventType.afterFlush,
] as const;

/** What the recipe needs of one entity's mapping, made once per entity and ORM. */
interface UpdatePlan {
  readonly table: string;
  readonly key: EntityProperty;
  /** The quoted column of each own scalar property. */
  readonly columns: ReadonlyMap<string, string>;
  /** Relations: a change to one is the unit of work's (cascades, propagation, orphans). */
  readonly relations: ReadonlySet<string>;
  readonly toMany: readonly EntityProperty[];
  readonly onUpdate: readonly EntityProperty[];
  /**
   * A change of such an entity is MikroORM's to write (its `@version` bumped and checked, a concurrency
   * check, quiet columns, update hooks): the recipe only finds out whether there is one.
   */
  readonly checkOnly: boolean;
  /** Statement texts by the changed columns. */
  readonly texts: Map<string, StatementText>;
}

const plans = new WeakMap<EntityMetadata, UpdatePlan | null>();

function planOf(em: SqlEntityManager, meta: EntityMetadata): UpdatePlan | null {
  let plan = plans.get(meta);
  if (plan === undefined) {
    plan = makePlan(em, meta);
    plans.set(meta, plan);
  }
  return plan;
}

function makePlan(em: SqlEntityManager, meta: EntityMetadata): UpdatePlan | null {
  if (!oneTableOneKey(meta)) return null;
  const checkOnly =
    !!meta.versionProperty ||
    meta.concurrencyCheckKeys.size > 0 ||
    hasQuietColumns(meta.class) ||
    UPDATE_EVENTS.some((e) => meta.hooks[e]?.length);
  const platform = em.getPlatform();
  const columns = new Map<string, string>();
  const relations = new Set<string>();
  const toMany: EntityProperty[] = [];
  for (const prop of meta.props) {
    if (prop.kind === ReferenceKind.ONE_TO_MANY || prop.kind === ReferenceKind.MANY_TO_MANY) {
      toMany.push(prop);
      continue;
    }
    if (prop.kind === ReferenceKind.MANY_TO_ONE || prop.kind === ReferenceKind.ONE_TO_ONE) {
      relations.add(prop.name);
      continue;
    }
    if (prop.kind !== ReferenceKind.SCALAR) return null;
    if (prop.persist === false) continue;
    if (
      prop.formula ||
      prop.embedded ||
      prop.lazy ||
      prop.generated ||
      prop.fieldNames?.length !== 1 ||
      !plainPlaceholder(prop, platform)
    ) {
      return null;
    }
    columns.set(prop.name, platform.quoteIdentifier(prop.fieldNames[0]!));
  }
  const key = meta.getPrimaryProps()[0]!;
  if (!columns.has(key.name)) return null;
  const onUpdate = meta.hydrateProps.filter((p) => p.onUpdate);
  if (onUpdate.some((p) => !columns.has(p.name))) return null;
  return {
    table: tableNameOf(em, meta, undefined),
    key,
    columns,
    relations,
    toMany,
    onUpdate,
    checkOnly,
    texts: new Map(),
  };
}

/** A statement's text as the driver is sent it (`$1…` on PostgreSQL) and as it is logged (`?`). */
function bothTexts(dialect: Dialect, write: (placeholder: (i: number) => string) => string): StatementText {
  const logged = write(() => '?');
  return { sql: dialect === 'postgresql' ? write((i) => `$${i + 1}`) : logged, logged };
}

/** `update <table> set a = ?, b = ? where <key> = ?`, made once per set of changed columns. */
function textOf(plan: UpdatePlan, keys: readonly string[], dialect: Dialect): StatementText {
  const shape = keys.join();
  let text = plan.texts.get(shape);
  if (!text) {
    const columns = [...keys, plan.key.name].map((k) => plan.columns.get(k)!);
    text = bothTexts(
      dialect,
      (placeholder) =>
        `update ${plan.table} set ${columns
          .slice(0, -1)
          .map((c, i) => `${c} = ${placeholder(i)}`)
          .join(', ')} where ${columns.at(-1)} = ${placeholder(keys.length)}`,
    );
    // Shapes are the sets of columns a program changes together: few, but bounded all the same.
    if (plan.texts.size >= 64) plan.texts.clear();
    plan.texts.set(shape, text);
  }
  return text;
}

// Kosha's own: `@updatedAt` of entities with quiet columns (which the recipe leaves to the flush), and
// the references of relations before a flush (a relation whose key changed is the flush's too).
const OURS: ReadonlySet<object> = new Set([touchUpdatedAt, detachedReferences]);

function othersListen(em: SqlEntityManager): boolean {
  for (const subscriber of em.getEventManager().getSubscribers()) {
    if (!OURS.has(subscriber) && UPDATE_EVENTS.some((e) => e in subscriber)) return true;
  }
  return false;
}

const binders = new WeakMap<object, Binder>();

/** The binder of this ORM's dialect, made once per ORM (its configuration, which every fork shares). */
export function binderOf(em: SqlEntityManager, dialect: Dialect): Binder {
  let bind = binders.get(em.config);
  if (!bind) binders.set(em.config, (bind = binderFor(em, dialect)));
  return bind;
}

interface Change {
  readonly entity: object;
  readonly text: StatementText;
  readonly params: unknown[];
}

/** The changed properties of a managed entity and the snapshot they were found in. */
interface Changes {
  readonly keys: string[];
  readonly current: Dictionary;
}

const UNCHANGED: Changes = { keys: [], current: {} };

/** The changes of one managed entity (no keys: none), or `undefined` when they are the unit of work's. */
function changesOf(
  em: SqlEntityManager,
  entity: object,
  meta: EntityMetadata,
  plan: UpdatePlan,
): Changes | undefined {
  const original = trackedDataOf(entity);
  if (!original) return undefined;
  for (const prop of plan.toMany) {
    const items = (entity as Dictionary)[prop.name];
    if (Utils.isCollection(items) && items.isDirty()) return undefined;
  }
  // A key or a plain `{ id }` assigned to a relation: the flush points it at the row (detachedReferences,
  // before MikroORM's flush), and the snapshot cannot be taken before that.
  for (const name of plan.relations) {
    const value = (entity as Dictionary)[name];
    if (value != null && !Utils.isEntity(value, true)) return undefined;
  }
  const comparator = em.getComparator();
  let current = prepareEntity(em, entity);
  let keys = Object.keys(comparator.diffEntities(meta.class, original, current));
  if (keys.length === 0) return UNCHANGED;
  if (plan.checkOnly || !wrap(entity).isInitialized()) return undefined;
  // ChangeSetComputer: `onUpdate` values are taken only when something else changed.
  if (plan.onUpdate.length > 0) {
    for (const prop of plan.onUpdate) (entity as Dictionary)[prop.name] = prop.onUpdate!(entity, em);
    current = prepareEntity(em, entity);
    keys = Object.keys(comparator.diffEntities(meta.class, original, current));
  }
  for (const k of keys) if (!plan.columns.has(k) || k === plan.key.name) return undefined;
  return { keys, current };
}

/**
 * Flushes the unit of work with compiled UPDATEs when every change in it is a plain column update, and
 * answers true: nothing is left for MikroORM's flush. False when the recipe does not cover what is
 * pending; then nothing has been sent or changed (but `onUpdate` values set on entities that changed,
 * which MikroORM's flush sets the same way) and the caller flushes through MikroORM.
 */
export async function flushCompiled(em: SqlEntityManager, dialect: Dialect): Promise<boolean> {
  if (!scheduledNothing(em)) return false;
  const uow = em.getUnitOfWork(false);
  const ctx = compiledContext(em, dialect);
  if (!ctx || othersListen(em)) return false;
  // The mappings first, which are decided once per entity: one the recipe does not cover sends the whole
  // flush to MikroORM before any entity is diffed (a diff costs what the flush's own check costs). A
  // changed entity of a check-only mapping stops the diffing there: the flush then checks them all.
  const held: { entity: object; meta: EntityMetadata; plan: UpdatePlan }[] = [];
  // The identity map holds an entity's instances together: the plan of the one before, mostly.
  let lastMeta: EntityMetadata | undefined;
  let plan: UpdatePlan | null = null;
  for (const entity of uow.getIdentityMap()) {
    const meta = entityMetaOf(entity);
    if (meta.readonly) continue;
    if (meta !== lastMeta) {
      plan = planOf(em, meta);
      if (!plan) return false;
      lastMeta = meta;
    }
    held.push({ entity, meta, plan: plan! });
  }
  const found: { entity: object; meta: EntityMetadata; plan: UpdatePlan; changes: Changes }[] = [];
  for (const { entity, meta, plan } of held) {
    const changes = changesOf(em, entity, meta, plan);
    if (!changes) return false;
    if (changes.keys.length > 0) found.push({ entity, meta, plan, changes });
  }
  if (found.length === 0) return true;
  const bind = binderOf(em, dialect);
  const changes: Change[] = [];
  for (const {
    entity,
    meta,
    plan,
    changes: { keys, current },
  } of found) {
    // It reads the entity and changes nothing: the snapshot the changes were found in stays current.
    validateEntity(entity, meta);
    const params = [...keys.map((k) => bind(current[k])), bind(trackedDataOf(entity)![plan.key.name])];
    if (params.includes(UNBINDABLE)) return false;
    changes.push({ entity, text: textOf(plan, keys, dialect), params });
  }
  for (const change of changes) {
    await execute(em, ctx, change.text, change.params, 'update');
    // UnitOfWork.commitUpdateChangeSets: the row now holds what the entity holds.
    setTrackedData(change.entity, prepareEntity(em, change.entity));
  }
  return true;
}

/** Writes the unit of work's pending changes: compiled when they are only column updates, else MikroORM's flush. */
export async function flushPending(em: SqlEntityManager, dialect: Dialect): Promise<void> {
  if (!(await flushCompiled(em, dialect))) await em.flush();
}

/**
 * The session's transaction, when a compiled statement may run on it: there is one, and MikroORM's
 * internals are those Kosha was checked against.
 */
export function compiledContext(em: SqlEntityManager, dialect: Dialect): TransactionContext | undefined {
  const ctx = em.getTransactionContext() as TransactionContext | undefined;
  return ctx && !fastPathProblem(em) && !bulkInsertProblem(em, dialect) ? ctx : undefined;
}

/** No entity is scheduled for insert or removal (what a flush would send without any change check). */
export function scheduledNothing(em: SqlEntityManager): boolean {
  const uow = em.getUnitOfWork(false);
  return !uow.getPersistStack().size && !uow.getRemoveStack().size && !uow.getOrphanRemoveStack().size;
}

/** `delete from <table> where <key> = ?` of an entity the recipe covers, once per entity. */
const deletes = new WeakMap<EntityMetadata, StatementText | null>();

/**
 * Deletes the row of `key` with a compiled DELETE and answers the number of rows deleted, or `undefined`
 * when the entity needs MikroORM's `nativeDelete` (its filters, a composite key, a key MikroORM converts).
 */
export async function deleteCompiled(
  em: SqlEntityManager,
  meta: EntityMetadata,
  key: unknown,
  dialect: Dialect,
): Promise<number | undefined> {
  const ctx = compiledContext(em, dialect);
  if (!ctx) return undefined;
  const global = em.config.get('filters') ?? {};
  if (Object.keys(meta.filters ?? {}).length > 0 || Object.keys(global).length > 0) return undefined;
  let text = deletes.get(meta);
  if (text === undefined) {
    const plan = planOf(em, meta);
    const pk = plan?.key;
    text =
      plan && pk && !pk.customType && !plan.checkOnly
        ? bothTexts(
            dialect,
            (placeholder) =>
              `delete from ${plan.table} where ${plan.columns.get(pk.name)} = ${placeholder(0)}`,
          )
        : null;
    deletes.set(meta, text);
  }
  if (!text) return undefined;
  const value = binderOf(em, dialect)(key);
  if (value === UNBINDABLE || value === null) return undefined;
  return (await execute(em, ctx, text, [value], 'delete')).affectedRows;
}

/**
 * Commits the session's transaction without the flush `em.commit()` starts with, for a unit of work that
 * has nothing left to write (`flushCompiled` answered true) or whose changes to loaded entities are not
 * checked (a read-only transaction): what em.commit() does after its flush, through the connection's
 * public `commit`.
 */
export async function commitFlushed(em: SqlEntityManager): Promise<void> {
  const ctx = em.getTransactionContext();
  await em.getConnection('write').commit(ctx as never, new TransactionEventBroadcaster(em));
  em.resetTransactionContext();
}
