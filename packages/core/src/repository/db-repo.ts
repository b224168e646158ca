import { IllegalTransactionStateError, InvalidArgumentError, UnknownFieldError } from '../errors.js';
import type { Kosha } from '../kosha.js';
import { metadataOf } from '../mapping/entity-registry.js';
import type { FieldsOf, InsertRow, PrimaryKey } from '../mapping/entity-types.js';
import type { EntityClass, EntityMetadata } from '../mapping/metadata.js';
import type { NativeSession, Session } from '../orm/orm-backend.js';
import { currentSession } from '../session/current-session.js';
import { liveFrame } from '../transaction/frames.js';
import { executeTransactional } from '../transaction/transaction-manager.js';
import { defineTransaction } from '../transaction/transaction-options.js';
import { bindKosha, koshaFor } from '../transaction/transactional.js';

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

  /** True when a row with this primary key exists. */
  exists(id: PrimaryKey<T>): Promise<boolean> {
    this.#checkId(id, 'exists');
    const pk = this.metadata.primaryKey.name;
    const where = { [pk]: id };
    return this.#run(false, 'exists', async (s) =>
      s.exists ? s.exists(this.entity, where) : (await s.count(this.entity, where)) > 0,
    );
  }

  /** The number of rows. */
  count(): Promise<number> {
    return this.#run(false, 'count', (s) => s.count(this.entity, {}));
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
}
