import {
  ConfigError,
  IllegalTransactionStateError,
  InvalidArgumentError,
  MappingError,
  UnknownFieldError,
} from '../errors.js';
import type { Kosha } from '../kosha.js';
import { metadataOf } from '../mapping/entity-registry.js';
import type { FieldsOf, InsertRow, PrimaryKey } from '../mapping/entity-types.js';
import type { EntityClass, EntityMetadata } from '../mapping/metadata.js';
import type { NativeSession, QuerySpec, Session } from '../orm/orm-backend.js';
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

/** A session that runs queries (the optional query members of `Session`, present). */
type QuerySession = Session & Required<Pick<Session, 'findWhere' | 'countWhere'>>;

const READ = defineTransaction({ readOnly: true });
const WRITE = defineTransaction({});

/**
 * The generic repository. Every built-in is itself transactional (REQUIRED; reads read-only): it
 * joins the caller's transaction, and outside any it runs in its own. Rows to insert are typed
 * {@link InsertRow} (the entity's required fields required), ids {@link PrimaryKey} (the type of the
 * entity's primary key).
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

  #checkId(id: unknown, what: string): void {
    if (id === null || id === undefined || (typeof id === 'number' && !Number.isFinite(id))) {
      throw new InvalidArgumentError(
        `${this.metadata.name}.${what}: the id must be a value, got ${String(id)}.`,
      );
    }
  }

  /**
   * Inserts entities (instances or plain objects of their fields) and returns them managed, with their
   * ids. A plain object must give every field the entity cannot do without: see {@link InsertRow}.
   */
  insertAll(entities: readonly InsertRow<T>[]): Promise<T[]> {
    if (!Array.isArray(entities)) {
      return Promise.reject(
        new InvalidArgumentError(`${this.metadata.name}.insertAll takes an array of entities.`),
      );
    }
    if (entities.length === 0) return Promise.resolve([]);
    return this.#run(true, 'insertAll', (s) => s.insertAll(this.entity, entities as readonly Partial<T>[]));
  }

  /** The entity with this primary key, or `null`. */
  getById(id: PrimaryKey<T>): Promise<T | null> {
    this.#checkId(id, 'getById');
    return this.#run(false, 'getById', (s) => s.findById(this.entity, id));
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
    const pk = this.metadata.primaryKey.name;
    return this.#run(false, 'getAll', (s) =>
      s.find(this.entity, {}, { offset: skip, limit, orderBy: { [pk]: 'asc' } }),
    );
  }

  /** Merges the entity's state into the session and flushes; returns the managed entity. */
  update(entity: T): Promise<T> {
    if (entity === null || typeof entity !== 'object') {
      return Promise.reject(new InvalidArgumentError(`${this.metadata.name}.update takes an entity.`));
    }
    return this.#run(true, 'update', (s) => s.update(this.entity, entity));
  }

  /** Deletes by primary key; true when a row was deleted. */
  delete(id: PrimaryKey<T>): Promise<boolean> {
    this.#checkId(id, 'delete');
    return this.#run(true, 'delete', (s) => s.deleteById(this.entity, id));
  }

  /** Deletes an entity. */
  deleteEntity(entity: T): Promise<void> {
    if (entity === null || typeof entity !== 'object') {
      return Promise.reject(new InvalidArgumentError(`${this.metadata.name}.deleteEntity takes an entity.`));
    }
    return this.#run(true, 'deleteEntity', (s) => s.remove(this.entity, entity));
  }

  /**
   * True when a row exists: with a primary key, that row; with a where condition (an object or
   * `and`/`or`/`not`), any row matching it.
   *
   * ```ts
   * await users.exists(7);
   * await users.exists({ email: 'ada@example.com' });
   * ```
   */
  exists(idOrWhere: PrimaryKey<T> | Where<T>): Promise<boolean> {
    if (!isPlainObject(idOrWhere) && !WhereGroup.is(idOrWhere)) {
      try {
        this.#checkId(idOrWhere, 'exists');
      } catch (error) {
        return Promise.reject(error);
      }
      const pk = this.metadata.primaryKey.name;
      const where = { [pk]: idOrWhere };
      return this.#run(false, 'exists', async (s) =>
        s.exists ? s.exists(this.entity, where) : (await s.count(this.entity, where)) > 0,
      );
    }
    return this.#query(
      'exists',
      () => normalizeWhere(this.metadata, idOrWhere),
      async (s, where: WhereNode) =>
        s.existsWhere ? s.existsWhere(this.entity, where) : (await s.countWhere(this.entity, where)) > 0,
    );
  }

  /** The number of rows, or of the rows matching `where`. */
  count(where?: Where<T>): Promise<number> {
    if (where === undefined) return this.#run(false, 'count', (s) => s.count(this.entity, {}));
    return this.#query(
      'count',
      () => normalizeWhere(this.metadata, where),
      (s, node: WhereNode) => s.countWhere(this.entity, node),
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
      () => findSpec(this.metadata, options),
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
      () => findOneSpec(this.metadata, where, options),
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
  findPage(pageable: Pageable<T>, where?: Where<T>): Promise<Page<T>> {
    return this.#query(
      'findPage',
      () => pageSpec(this.metadata, pageable, where),
      async (s, { spec, where: node, page, size, offset }) => {
        const read = s.findPageWhere
          ? await s.findPageWhere(this.entity, spec)
          : { items: await s.findWhere(this.entity, spec), total: undefined };
        const items = read.items;
        const total =
          read.total ?? totalFromRows(items.length, offset, size) ?? (await s.countWhere(this.entity, node));
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
  findSlice(request: SliceRequest<T>, where?: Where<T>): Promise<Slice<T>> {
    return this.#query(
      'findSlice',
      () => sliceSpec(this.metadata, request, where),
      async (s, { spec, keys, size }) =>
        sliceOf(this.metadata, keys, await s.findWhere(this.entity, spec), size),
    );
  }

  /** The first entity (by primary key) whose `field` equals `value`, or `null`. The field is checked before any SQL. */
  findByField<K extends FieldsOf<T>>(field: K, value: T[K]): Promise<T | null> {
    try {
      this.#checkField(field);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run(false, 'findByField', (s) => s.findOne(this.entity, { [field]: value }));
  }

  /** Every entity whose `field` equals `value`, in primary-key order. */
  findAllByField<K extends FieldsOf<T>>(field: K, value: T[K]): Promise<T[]> {
    try {
      this.#checkField(field);
    } catch (error) {
      return Promise.reject(error);
    }
    const pk = this.metadata.primaryKey.name;
    return this.#run(false, 'findAllByField', (s) =>
      s.find(this.entity, { [field]: value }, { orderBy: { [pk]: 'asc' } }),
    );
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
