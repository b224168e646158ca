import type { EntityClass, EntityMetadata, FieldFilter, OrmBackend, Session } from '@kosha/core';

type Row = Record<string, unknown>;
type Table = Map<unknown, Row | typeof DELETED>;
const DELETED = Symbol('deleted');

/**
 * A tiny in-memory `OrmBackend` for a cache provider's tests of the cache decorators: committed rows, a
 * private write set per transaction (so readers outside it see the old rows until the commit),
 * savepoints, and a counter of the reads the repository sent. Not a database: just enough isolation to
 * show races. (Core's own unit tests keep a copy: core may not depend on this package, not even in tests.)
 */
export class FakeBackend implements OrmBackend {
  readonly name = 'fake';
  readonly dialect = 'fake';
  readonly capabilities = { concurrentTransactions: true, savepoints: true, readReplicas: false };
  /** Reads (`findById`, `find`, `findOne`, `count`) sent so far. */
  reads = 0;
  /** Awaited by `findById` after it read the row, before it returns it: tests hold a reader there. */
  onRead: (entity: string, id: unknown) => Promise<void> | void = () => {};
  readonly committed = new Map<string, Map<unknown, Row>>();
  #meta = new Map<string, EntityMetadata>();
  #nextId = 1;

  /** Maps the entities. */
  async init(init: { entities: readonly EntityMetadata[] }): Promise<void> {
    for (const m of init.entities) {
      this.#meta.set(m.name, m);
      this.committed.set(m.name, new Map());
    }
  }

  /** A session with its own write set. */
  openSession(): Session {
    return new FakeSession(this);
  }

  /** The metadata of a mapped entity. */
  metaOf(entity: EntityClass): EntityMetadata {
    const m = this.#meta.get(entity.name);
    if (!m) throw new Error(`fake backend: ${entity.name} is not mapped`);
    return m;
  }

  /** The next generated id. */
  newId(): number {
    return this.#nextId++;
  }

  /** Nothing to create. */
  async createSchema() {}
  /** Nothing to update. */
  async updateSchema() {}
  /** Nothing to drop. */
  async dropSchema() {}
  /** Nothing to close. */
  async close() {}
}

class FakeSession implements Session {
  readonly native = undefined;
  #tx: Map<string, Table> | undefined;
  #savepoints = new Map<string, Map<string, Table>>();

  constructor(private readonly db: FakeBackend) {}

  async begin() {
    this.#tx = new Map();
  }
  async commit() {
    for (const [name, table] of this.#tx ?? []) {
      const target = this.db.committed.get(name)!;
      for (const [id, row] of table) {
        if (row === DELETED) target.delete(id);
        else target.set(id, row);
      }
    }
    this.#tx = undefined;
  }
  async rollback() {
    this.#tx = undefined;
  }
  async savepoint(name: string) {
    this.#savepoints.set(name, copy(this.#tx!));
  }
  async releaseSavepoint(name: string) {
    this.#savepoints.delete(name);
  }
  async rollbackToSavepoint(name: string) {
    this.#tx = this.#savepoints.get(name)!;
  }
  async flush() {}
  async close() {
    this.#tx = undefined;
  }

  #row(entity: string, id: unknown): Row | undefined {
    const own = this.#tx?.get(entity)?.get(id);
    if (own === DELETED) return undefined;
    return own ?? this.db.committed.get(entity)?.get(id);
  }

  #write(entity: string, id: unknown, row: Row | typeof DELETED) {
    if (!this.#tx) {
      const t = this.db.committed.get(entity)!;
      if (row === DELETED) t.delete(id);
      else t.set(id, row);
      return;
    }
    let t = this.#tx.get(entity);
    if (!t) this.#tx.set(entity, (t = new Map()));
    t.set(id, row);
  }

  #rows(entity: string): Row[] {
    const ids = new Set([
      ...(this.db.committed.get(entity)?.keys() ?? []),
      ...(this.#tx?.get(entity)?.keys() ?? []),
    ]);
    return [...ids].map((id) => this.#row(entity, id)).filter((r): r is Row => r !== undefined);
  }

  async insertAll<T extends object>(entity: EntityClass<T>, rows: readonly (T | Partial<T>)[]): Promise<T[]> {
    const pk = this.db.metaOf(entity).primaryKey.name;
    return rows.map((r) => {
      const row = { ...(r as Row) };
      row[pk] ??= this.db.newId();
      (r as Row)[pk] = row[pk];
      this.#write(entity.name, row[pk], row);
      return hydrate(entity, row);
    });
  }
  async findById<T extends object>(entity: EntityClass<T>, id: unknown): Promise<T | null> {
    this.db.reads++;
    const row = this.#row(entity.name, id);
    await this.db.onRead(entity.name, id);
    return row ? hydrate(entity, row) : null;
  }
  async find<T extends object>(entity: EntityClass<T>, where: FieldFilter): Promise<T[]> {
    this.db.reads++;
    return this.#rows(entity.name)
      .filter((r) => Object.entries(where).every(([k, v]) => r[k] === v))
      .map((r) => hydrate(entity, r));
  }
  async findOne<T extends object>(entity: EntityClass<T>, where: FieldFilter): Promise<T | null> {
    return (await this.find(entity, where))[0] ?? null;
  }
  async count<T extends object>(entity: EntityClass<T>, where: FieldFilter = {}): Promise<number> {
    return (await this.find(entity, where)).length;
  }
  async update<T extends object>(entity: EntityClass<T>, value: T): Promise<T> {
    const pk = this.db.metaOf(entity).primaryKey.name;
    const row = { ...(value as Row) };
    this.#write(entity.name, row[pk], row);
    return hydrate(entity, row);
  }
  async deleteById<T extends object>(entity: EntityClass<T>, id: unknown): Promise<boolean> {
    const had = this.#row(entity.name, id) !== undefined;
    this.#write(entity.name, id, DELETED);
    return had;
  }
  async remove<T extends object>(entity: EntityClass<T>, value: T): Promise<void> {
    await this.deleteById(entity, (value as Row)[this.db.metaOf(entity).primaryKey.name]);
  }
}

function hydrate<T extends object>(entity: EntityClass<T>, row: Row): T {
  return Object.assign(Object.create(entity.prototype) as T, structuredClone(row));
}

function copy(tx: Map<string, Table>): Map<string, Table> {
  return new Map([...tx].map(([k, t]) => [k, new Map(t)]));
}
