import {
  ConfigError,
  IllegalTransactionStateError,
  InvalidArgumentError,
  MappingError,
  UnknownFieldError,
} from '../errors.js';
import type { Kosha } from '../kosha.js';
import { metadataOf } from '../mapping/entity-registry.js';
import type { FieldsOf, Id, InsertRow, RelationValue, WithKeys } from '../mapping/entity-types.js';
import { holdsForeignKey } from '../mapping/key-mapping.js';
import type { EntityClass, EntityMetadata, PropertyMetadata } from '../mapping/metadata.js';
import { checkId, checkToOneValue, idOf, keyFilter, keyOrder } from '../mapping/primary-key.js';
import type { NativeSession, QuerySpec, ReadSpec, Session, UpdateSpec } from '../orm/orm-backend.js';
import { derivedMethod } from '../query/derived/derived-method.js';
import { derivedQuery } from '../query/derived/derived-query.js';
import { parseDerivedName } from '../query/derived/parse-derived-name.js';
import type { DerivedMethod, ValidDerivedName } from '../query/derived/types.js';
import type {
  FindOneOptions,
  Page,
  Pageable,
  QueryOptions,
  Selected,
  Slice,
  SliceRequest,
} from '../query/find-options.js';
import { isPlainObject, normalizeWhere } from '../query/normalize-where.js';
import { WhereGroup } from '../query/operators.js';
import {
  deletedOption,
  findOneSpec,
  findSpec,
  pageOf,
  pageSpec,
  sliceOf,
  sliceSpec,
  totalFromRows,
} from '../query/prepare-query.js';
import type { Where } from '../query/where.js';
import type { WhereNode } from '../query/where-tree.js';
import { currentSession } from '../session/current-session.js';
import { liveFrame } from '../transaction/frames.js';
import { executeTransactional } from '../transaction/transaction-manager.js';
import { defineTransaction } from '../transaction/transaction-options.js';
import { bindKosha, koshaFor } from '../transaction/transactional.js';
import { flag, upsertSpec } from '../write/prepare-writes.js';
import type { UpdateChanges } from '../write/update-values.js';
import type {
  GetByIdOptions,
  InsertOptions,
  UpsertOptions,
  WithDeletedOption,
} from '../write/write-options.js';
import { detachedReference } from './detached-reference.js';
import { capable, checkLock, readSpec, restoreSpec, softDeleteSpec, updateSpec } from './write-rules.js';

/** A session that runs queries (the optional query members of `Session`, present). */
type QuerySession = Session & Required<Pick<Session, 'findWhere' | 'countWhere'>>;

const READ = defineTransaction({ readOnly: true });
const WRITE = defineTransaction({});

/**
 * The generic repository. Every built-in is itself transactional (REQUIRED; reads read-only): it
 * joins the caller's transaction, and outside any it runs in its own. Rows to insert are typed
 * {@link InsertRow} (the entity's required fields required), ids {@link Id} (the type of the entity's
 * primary key; for a composite key an object of its parts). A to-one relation takes the related entity,
 * a {@link DbRepo.reference | reference} or the related key, in rows, updates and filters.
 *
 * ```ts
 * @repository
 * class UserRepo extends DbRepo<User> {
 *   constructor() { super(User); }
 *   @transactional
 *   async findByEmail(email: string) { return this.findByField('email', email); }
 * }
 * ```
 */
export abstract class DbRepo<T extends object> {
  /** The entity class this repository serves. */
  readonly entity: EntityClass<T>;
  #meta: EntityMetadata<T> | undefined;
  #toOne: readonly PropertyMetadata[] | undefined;

  /** `kosha`: bind this repository to one instance (multi-database); default: the context's or the process default. */
  constructor(entity: EntityClass<T>, kosha?: Kosha | (() => Kosha)) {
    if (typeof entity !== 'function') {
      throw new InvalidArgumentError(
        `${new.target.name}: super(entity) needs the entity class, got ${String(entity)}.`,
      );
    }
    this.entity = entity;
    if (kosha) bindKosha(this, kosha);
  }

  /** The Kosha instance this repository works with now. */
  protected get kosha(): Kosha {
    return koshaFor(this);
  }

  /** The entity's metadata. */
  protected get metadata(): EntityMetadata<T> {
    this.#meta ??= metadataOf(this.entity);
    return this.#meta;
  }

  /** The current session. Throws `NoSessionError` outside a transaction or request. */
  protected get session(): Session {
    return currentSession(this.kosha);
  }

  /** The native unit of work of the current session (MikroORM's `EntityManager` with `@kosha/orm-mikro`). */
  get em(): NativeSession {
    return this.session.native as NativeSession;
  }

  #run<R>(write: boolean, what: string, fn: (session: Session) => Promise<R>): Promise<R> {
    const host = this.kosha;
    // Not `async`: returning fn's promise from an async function would cost the call two more ticks.
    const label = `${this.constructor.name}.${what}`;
    return executeTransactional(
      host,
      write ? WRITE : READ,
      () => {
        const frame = liveFrame(host)!;
        if (write && frame.scope?.tx.readOnly) {
          return Promise.reject(
            new IllegalTransactionStateError(
              `${this.metadata.name} ${what}: the transaction is read-only. Call it from a @transactional method without readOnly.`,
            ),
          );
        }
        try {
          return fn(frame.unit!.session);
        } catch (error) {
          return Promise.reject(error);
        }
      },
      label,
      true,
    );
  }

  /** The session's query primitives, or a ConfigError naming the backend that lacks them. */
  #queries(s: Session): QuerySession {
    if (!s.findWhere || !s.countWhere) {
      throw new ConfigError(
        `${this.kosha.orm.name} does not run queries (Session.findWhere/countWhere): ${this.metadata.name}'s ` +
          'find, findPage, findSlice and count(where) need a backend that implements them, such as @kosha/orm-mikro.',
      );
    }
    return s as QuerySession;
  }

  /** Checks the arguments (before any transaction or SQL), then runs `fn` in the read-only built-in transaction. */
  #query<P, R>(what: string, prepare: () => P, fn: (s: QuerySession, prepared: P) => Promise<R>): Promise<R> {
    let prepared: P;
    try {
      prepared = prepare();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run(false, what, (s) => fn(this.#queries(s), prepared));
  }

  #checkField(field: string): void {
    if (!this.metadata.fieldNames.has(field)) {
      throw new UnknownFieldError(this.metadata.name, String(field), [...this.metadata.fieldNames]);
    }
  }

  /** The id checked against the key's types, as the backend is given it (see `checkId`). */
  #checkId(id: unknown, what: string): unknown {
    return checkId(this.metadata, id, `${this.metadata.name}.${what}`);
  }

  /** Checks the keys given for to-one relations in rows (`author: 7`): of the related key's type. */
  #checkRelationKeys(rows: readonly object[], what: string): void {
    this.#toOne ??= this.metadata.properties.filter(holdsForeignKey);
    if (this.#toOne.length === 0) return;
    const label = `${this.metadata.name}.${what}`;
    for (const row of rows) {
      if (row === null || typeof row !== 'object') continue;
      for (const p of this.#toOne) checkToOneValue(p, (row as Record<string, unknown>)[p.name], label);
    }
  }

  /**
   * Inserts entities (instances or plain objects of their fields) and returns them managed, with their
   * ids. A plain object must give every field the entity cannot do without: see {@link InsertRow}. A
   * to-one relation may hold the related key or a {@link reference} instead of the entity.
   *
   * ```ts
   * await follows.insertAll([{ follower: 1, followee: users.reference(2) }]);
   * ```
   */
  insertAll(entities: readonly InsertRow<T>[], options?: InsertOptions): Promise<T[]> {
    if (!Array.isArray(entities)) {
      return Promise.reject(
        new InvalidArgumentError(`${this.metadata.name}.insertAll takes an array of entities.`),
      );
    }
    let ignore: boolean | undefined;
    try {
      if (options !== undefined && !isPlainObject(options)) {
        throw new InvalidArgumentError(
          `${this.metadata.name}.insertAll takes { ignoreDuplicates?: boolean } as its options.`,
        );
      }
      ignore = flag(`${this.metadata.name}.insertAll`, 'ignoreDuplicates', options?.ignoreDuplicates);
      if (entities.length === 0) return Promise.resolve([]);
      this.#checkRelationKeys(entities, 'insertAll');
    } catch (error) {
      return Promise.reject(error);
    }
    const rows = entities as readonly Partial<T>[];
    if (!ignore) return this.#run(true, 'insertAll', (s) => s.insertAll(this.entity, rows));
    return this.#run(true, 'insertAll', (s) =>
      capable(this.kosha, this.metadata, s, 'insertIgnoringDuplicates', 'insertAll({ ignoreDuplicates })')
        .insertIgnoringDuplicates!(this.entity, rows),
    );
  }

  /**
   * Inserts the rows, or updates the existing row holding the same `onConflict` key (the primary key or a
   * unique column), one statement per batch (`INSERT … ON CONFLICT … DO UPDATE` / `ON DUPLICATE KEY UPDATE`),
   * so concurrent upserts of one key never fail; returns the managed entities in the rows' order. An updated
   * row takes the `update` fields the row gives (default: every field given but the key's; a field a row
   * leaves out keeps its value), its `@version` is bumped and its `@updatedAt` set.
   *
   * ```ts
   * const [tag] = await tags.upsert([{ name: 'orm' }], { onConflict: ['name'] });
   * await counters.upsert([{ key: 'hits', value: 0 }], { onConflict: ['key'], update: [] }); // insert if missing
   * ```
   */
  upsert(rows: readonly InsertRow<T>[], options: UpsertOptions<FieldsOf<T>>): Promise<T[]> {
    const what = `${this.metadata.name}.upsert`;
    if (!Array.isArray(rows))
      return Promise.reject(new InvalidArgumentError(`${what} takes an array of rows.`));
    let spec: ReturnType<typeof upsertSpec>;
    try {
      spec = upsertSpec(this.metadata, what, options, rows as readonly object[]);
      this.#checkRelationKeys(rows, 'upsert');
    } catch (error) {
      return Promise.reject(error);
    }
    if (rows.length === 0) return Promise.resolve([]);
    return this.#run(true, 'upsert', (s) =>
      capable(this.kosha, this.metadata, s, 'upsert', 'upsert').upsert!(
        this.entity,
        rows as readonly Partial<T>[],
        spec,
      ),
    );
  }

  /**
   * Changes every row `where` matches in one UPDATE and returns how many it changed. Values are bound;
   * `increment(n)` / `decrement(n)` add to the row's own value in the database (no lost update under
   * concurrency). Pending changes of the session are written first; `@version` is bumped, `@updatedAt` set
   * (unless every changed column is `touchesUpdatedAt: false`), and entities the session holds are read
   * again, so none keeps a stale value.
   *
   * ```ts
   * await articles.updateWhere({ id }, { favoritesCount: increment(1) });
   * await users.updateWhere({ lastSeen: lt(cutoff) }, { status: 'idle' });
   * ```
   */
  updateWhere(where: Where<T>, changes: UpdateChanges<T>): Promise<number> {
    let spec: UpdateSpec;
    try {
      spec = updateSpec(this.metadata, where, changes);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run(true, 'updateWhere', (s) => this.#update(s, spec));
  }

  /**
   * Deletes every row `where` matches and returns how many (a soft-deleted entity's rows get their
   * `@deletedAt` set instead). Pending changes are written first; entities the session held for those rows
   * leave it.
   */
  deleteWhere(where: Where<T>): Promise<number> {
    if (where === undefined) {
      return Promise.reject(
        new InvalidArgumentError(
          `${this.metadata.name}.deleteWhere takes a where condition; give {} to delete every row.`,
        ),
      );
    }
    return this.#deleteWhere('deleteWhere', where);
  }

  /**
   * Clears the `@deletedAt` of a soft-deleted row: true when a deleted row was restored, false when there is
   * no such row or it was not deleted.
   */
  restore(id: Id<T>): Promise<boolean> {
    let spec: UpdateSpec;
    try {
      spec = restoreSpec(this.metadata, this.#checkId(id, 'restore'));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run(true, 'restore', async (s) => (await this.#update(s, spec)) > 0);
  }

  /** Soft-deletes the rows `where` matches. */
  #softDelete(s: Session, where: Where<T>): Promise<number> {
    return this.#update(s, softDeleteSpec(this.metadata, where));
  }

  #update(s: Session, spec: UpdateSpec): Promise<number> {
    return capable(this.kosha, this.metadata, s, 'updateWhere', 'updateWhere').updateWhere!(
      this.entity,
      spec,
    );
  }

  /**
   * The entity with this primary key, or `null` (also for a soft-deleted row, unless `withDeleted`); for a
   * composite key, the id is an object of its parts. Within one session, the same instance each time (the
   * identity map). With `lock`, the row stays locked until the caller's transaction ends.
   *
   * ```ts
   * await users.getById(7);
   * await follows.getById({ follower: 1, followee: 2 });
   * await accounts.getById(id, { lock: 'pessimistic_write' }); // in a @transactional method
   * ```
   */
  getById(id: Id<T>, options?: GetByIdOptions): Promise<T | null> {
    let key: unknown;
    let read: ReadSpec | undefined;
    try {
      key = this.#checkId(id, 'getById');
      if (options !== undefined) read = readSpec(this.kosha, this.metadata, 'getById', options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run(!!read?.lock, 'getById', (s) => s.findById(this.entity, key, read));
  }

  /**
   * An unloaded reference to the row with this id, usable as a relation value in `insertAll`, `update` and
   * `where` without reading the row (MikroORM's `em.getReference`). Inside a session it is the session's
   * instance of that row (the loaded entity, when the session holds it); outside any session a detached
   * instance carrying only the key, which a later write or query takes for that row. Only its key is set:
   * read its other fields after loading it (`getById`).
   *
   * ```ts
   * await articles.insertAll([{ title: 'Hi', author: users.reference(7) }]);
   * ```
   */
  reference(id: Id<T>): T {
    const key = this.#checkId(id, 'reference');
    const session = liveFrame(this.kosha, `${this.constructor.name}.reference`)?.unit?.session;
    if (session?.reference) return session.reference(this.entity, key);
    return detachedReference(this.metadata, key);
  }

  /** A page of entities in primary-key order. */
  getAll(skip = 0, limit = 100): Promise<T[]> {
    for (const [k, v] of [
      ['skip', skip],
      ['limit', limit],
    ] as const) {
      if (!Number.isInteger(v) || v < 0) {
        return Promise.reject(
          new InvalidArgumentError(
            `${this.metadata.name}.getAll: ${k} must be a whole number ≥ 0, got ${v}.`,
          ),
        );
      }
    }
    return this.#run(false, 'getAll', (s) =>
      s.find(this.entity, {}, { offset: skip, limit, orderBy: keyOrder(this.metadata) }),
    );
  }

  /**
   * Merges the entity's state into the session and flushes; returns the managed entity. A to-one relation
   * may be set to the related key or a {@link reference} (`post.author = 7`).
   */
  update(entity: T | WithKeys<T>): Promise<T> {
    if (entity === null || typeof entity !== 'object') {
      return Promise.reject(new InvalidArgumentError(`${this.metadata.name}.update takes an entity.`));
    }
    try {
      this.#checkRelationKeys([entity], 'update');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run(true, 'update', (s) => s.update(this.entity, entity as T));
  }

  /** Deletes by primary key (for a composite key, an object of its parts); true when a row was deleted. */
  delete(id: Id<T>): Promise<boolean> {
    let key: unknown;
    try {
      key = this.#checkId(id, 'delete');
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.metadata.deletedAt) {
      const where = keyFilter(this.metadata, key) as Where<T>;
      return this.#run(true, 'delete', async (s) => (await this.#softDelete(s, where)) > 0);
    }
    return this.#run(true, 'delete', (s) => s.deleteById(this.entity, key));
  }

  /** Deletes an entity (sets its `@deletedAt`, for a soft-deleted entity). */
  deleteEntity(entity: T): Promise<void> {
    if (entity === null || typeof entity !== 'object') {
      return Promise.reject(new InvalidArgumentError(`${this.metadata.name}.deleteEntity takes an entity.`));
    }
    if (this.metadata.deletedAt) {
      let where: Where<T>;
      try {
        where = keyFilter(
          this.metadata,
          this.#checkId(idOf(this.metadata, entity), 'deleteEntity'),
        ) as Where<T>;
      } catch (error) {
        return Promise.reject(error);
      }
      return this.#run(true, 'deleteEntity', async (s) => {
        await this.#softDelete(s, where);
      });
    }
    return this.#run(true, 'deleteEntity', (s) => s.remove(this.entity, entity));
  }

  /**
   * True when a row exists: with a primary key, that row; with a where condition (an object or
   * `and`/`or`/`not`), any row matching it. A composite key's id is an object of its parts, which reads
   * as the where condition of the same row.
   *
   * ```ts
   * await users.exists(7);
   * await users.exists({ email: 'ada@example.com' });
   * await follows.exists({ follower: 1, followee: 2 });
   * ```
   */
  exists(idOrWhere: Id<T> | Where<T>, options?: WithDeletedOption): Promise<boolean> {
    if (!options && !isPlainObject(idOrWhere) && !WhereGroup.is(idOrWhere)) {
      let where: Readonly<Record<string, unknown>>;
      try {
        where = keyFilter(this.metadata, this.#checkId(idOrWhere, 'exists'));
      } catch (error) {
        return Promise.reject(error);
      }
      return this.#run(false, 'exists', async (s) =>
        s.exists ? s.exists(this.entity, where) : (await s.count(this.entity, where)) > 0,
      );
    }
    return this.#query(
      'exists',
      () => {
        const withDeleted = deletedOption(`${this.metadata.name}.exists`, options);
        const where =
          isPlainObject(idOrWhere) || WhereGroup.is(idOrWhere)
            ? idOrWhere
            : (keyFilter(this.metadata, this.#checkId(idOrWhere, 'exists')) as Where<T>);
        return { node: normalizeWhere(this.metadata, where), o: withDeleted ? { withDeleted } : undefined };
      },
      async (s, { node, o }) =>
        s.existsWhere ? s.existsWhere(this.entity, node, o) : (await s.countWhere(this.entity, node, o)) > 0,
    );
  }

  /** The number of rows, or of the rows matching `where` (soft-deleted rows left out unless `withDeleted`). */
  count(where?: Where<T>, options?: WithDeletedOption): Promise<number> {
    if (where === undefined && !options) return this.#run(false, 'count', (s) => s.count(this.entity, {}));
    return this.#query(
      'count',
      () => {
        const withDeleted = deletedOption(`${this.metadata.name}.count`, options);
        return {
          node: normalizeWhere(this.metadata, where ?? {}),
          o: withDeleted ? { withDeleted } : undefined,
        };
      },
      (s, { node, o }) => s.countWhere(this.entity, node, o),
    );
  }

  /**
   * The entities matching `where`, in `orderBy` order, `limit`/`offset` applied; with `select`, only those
   * fields (and the primary key) are loaded and the rows are typed `Pick<T, …>`; `populate` loads relations.
   * Every field and value is checked against the entity before any SQL runs, and values are bound.
   *
   * ```ts
   * await users.find({ where: { status: 'active', age: gte(18) }, orderBy: { name: 'asc' }, limit: 20 });
   * await articles.find({ where: { author: { username: 'ada' } }, populate: ['author'] });
   * ```
   */
  find<K extends FieldsOf<T> = FieldsOf<T>>(options?: QueryOptions<T, K>): Promise<Selected<T, K>[]> {
    return this.#query(
      'find',
      () => {
        const spec = findSpec(this.metadata, options);
        checkLock(this.kosha, this.metadata, 'find', spec?.lock);
        return spec;
      },
      (s, spec: QuerySpec | null) =>
        (spec ? s.findWhere(this.entity, spec) : Promise.resolve([])) as Promise<Selected<T, K>[]>,
    );
  }

  /** The first entity matching `where` (by `orderBy`, else by primary key), or `null`. */
  findOne<K extends FieldsOf<T> = FieldsOf<T>>(
    where: Where<T>,
    options?: FindOneOptions<T, K>,
  ): Promise<Selected<T, K> | null> {
    return this.#query(
      'findOne',
      () => {
        const spec = findOneSpec(this.metadata, where, options);
        checkLock(this.kosha, this.metadata, 'findOne', spec.lock);
        return spec;
      },
      async (s, spec: QuerySpec) =>
        ((await s.findWhere(this.entity, spec))[0] ?? null) as Selected<T, K> | null,
    );
  }

  /**
   * One page of the entities matching `where` (Spring's `findAll(Pageable)`), with the total: from one
   * statement (one snapshot) when the backend can; else the rows, then the count in the same transaction
   * (skipped when the rows tell it: a short page). The primary key is added as the last sort key, so that
   * rows tying on the sort keep one order from page to page.
   *
   * ```ts
   * const page = await users.findPage({ page: 0, size: 20, sort: { createdAt: 'desc' } }, { status: 'active' });
   * page.items; page.total; page.totalPages; page.hasNext;
   * ```
   */
  findPage(pageable: Pageable<T>, where?: Where<T>, options?: WithDeletedOption): Promise<Page<T>> {
    return this.#query(
      'findPage',
      () => pageSpec(this.metadata, pageable, where, options),
      async (s, { spec, where: node, page, size, offset, withDeleted }) => {
        const read = s.findPageWhere
          ? await s.findPageWhere(this.entity, spec)
          : { items: await s.findWhere(this.entity, spec), total: undefined };
        const items = read.items;
        const total =
          read.total ??
          totalFromRows(items.length, offset, size) ??
          (await s.countWhere(this.entity, node, withDeleted ? { withDeleted } : undefined));
        return pageOf(items, total, page, size);
      },
    );
  }

  /**
   * One keyset slice of the entities matching `where`, in `sort` order (the entity's own fields; the
   * primary key is added as the tie-breaker), after the cursor `after` (the `next` of the slice before).
   * Unlike a page, a slice does not count and does not skip: each slice continues where the last one ended,
   * however many rows there are, and rows inserted meanwhile do not shift it. A cursor that was changed,
   * or made for another entity or sort, is an `InvalidArgumentError`.
   *
   * ```ts
   * let slice = await users.findSlice({ size: 50, sort: { createdAt: 'desc' } });
   * while (slice.next) slice = await users.findSlice({ size: 50, sort: { createdAt: 'desc' }, after: slice.next });
   * ```
   */
  findSlice(request: SliceRequest<T>, where?: Where<T>, options?: WithDeletedOption): Promise<Slice<T>> {
    return this.#query(
      'findSlice',
      () => sliceSpec(this.metadata, request, where, options),
      async (s, { spec, keys, size }) =>
        sliceOf(this.metadata, keys, await s.findWhere(this.entity, spec), size),
    );
  }

  /**
   * The first entity (by primary key) whose `field` equals `value`, or `null`. The field (and, for a to-one
   * relation given the related key, the key's type) is checked before any SQL.
   *
   * ```ts
   * await follows.findAllByField('follower', 7); // a to-one relation: the related entity or its key
   * ```
   */
  findByField<K extends FieldsOf<T>>(field: K, value: RelationValue<T[K]>): Promise<T | null> {
    try {
      this.#checkField(field);
      this.#checkFieldKey(field, value, 'findByField');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run(false, 'findByField', (s) => s.findOne(this.entity, { [field]: value }));
  }

  /** Every entity whose `field` equals `value`, in primary-key order (see {@link findByField}). */
  findAllByField<K extends FieldsOf<T>>(field: K, value: RelationValue<T[K]>): Promise<T[]> {
    try {
      this.#checkField(field);
      this.#checkFieldKey(field, value, 'findAllByField');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run(false, 'findAllByField', (s) =>
      s.find(this.entity, { [field]: value }, { orderBy: keyOrder(this.metadata) }),
    );
  }

  #checkFieldKey(field: string, value: unknown, what: string): void {
    const p = this.metadata.properties.find((q) => q.name === field);
    if (p && holdsForeignKey(p)) checkToOneValue(p, value, `${this.metadata.name}.${what}`);
  }
  /**
   * A derived query method, typed from its name as Spring Data derives one: a prefix (`find`, `findFirst`,
   * `findOne`, `findTop<N>`, `count`, `exists`, `delete`) + `By`, the fields in PascalCase with their
   * keywords (`And`, `Or`, `LessThan`, `Between`, `In`, `StartingWith`, `IgnoreCase`, `IsNull`, `True`…),
   * and `OrderBy<Field>Asc|Desc`. The name is read once, here, against the entity's metadata: one that does
   * not read is a `MappingError` when the repository is constructed (and, with a literal name, does not
   * compile). Each call checks its arguments and runs through `find`, `findOne`, `findPage`, `count` or
   * `exists` (or deletes in a read-write transaction, `deleteBy…`): transactional like them.
   *
   * ```ts
   * @repository
   * class UserRepo extends DbRepo<User> {
   *   constructor() { super(User); }
   *   readonly findByStatusAndAgeGreaterThanOrderByNameDesc = this.derive('findByStatusAndAgeGreaterThanOrderByNameDesc');
   *   readonly countByStatus = this.derive('countByStatus'); // (status) => Promise<number>
   * }
   * await users.findByStatusAndAgeGreaterThanOrderByNameDesc('active', 18, { limit: 20 }); // User[]
   * await users.findByStatusAndAgeGreaterThanOrderByNameDesc('active', 18, { page: 0, size: 20 }); // Page<User>
   * ```
   */
  protected derive<const N extends string>(name: N & ValidDerivedName<T, N>): DerivedMethod<T, N> {
    const repo = this.constructor.name;
    if (typeof name !== 'string') {
      throw new MappingError(`${repo}.derive takes a method name such as 'findByEmail', got ${typeof name}.`);
    }
    const parsed = parseDerivedName(this.metadata, name, `${repo}.derive(${JSON.stringify(name)})`);
    const query = derivedQuery(parsed, `${repo}.${name}`);
    return derivedMethod<T>(query, `${repo}.${name}`, this as never, (where) =>
      this.#deleteWhere(name, where),
    ) as DerivedMethod<T, N>;
  }

  /** Deletes the rows matching `where` (a derived deleteBy…) in the read-write built-in transaction. */
  #deleteWhere(what: string, where: Where<T>): Promise<number> {
    let node: WhereNode;
    try {
      node = normalizeWhere(this.metadata, where);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.metadata.deletedAt) return this.#run(true, what, (s) => this.#softDelete(s, where));
    return this.#run(true, what, (s) => {
      if (!s.deleteWhere) {
        throw new ConfigError(
          `${this.kosha.orm.name} does not delete by condition (Session.deleteWhere): ${this.constructor.name}.${what} ` +
            'needs a backend that implements it, such as @kosha/orm-mikro.',
        );
      }
      return s.deleteWhere(this.entity, node);
    });
  }
}
