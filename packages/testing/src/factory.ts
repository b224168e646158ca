import { currentSession, type EntityClass, getKosha, type Kosha } from '@kosha/core';

/** A default for one field: a value, a factory (one related entity is created per row), or a function. */
export type FactoryValue<V> = V | Factory<V & object> | (() => V | Promise<V>);

/** What a factory's definition returns for row number `i`. */
export type FactoryDefaults<T> = { [K in keyof T]?: FactoryValue<T[K]> | undefined };

/** Builds and saves rows of one entity with defaults and a sequence. */
export interface Factory<T extends object> {
  /** The entity class. */
  readonly entity: EntityClass<T>;
  /** The next row's fields (related factories and functions resolved, nothing saved for this entity). */
  build(overrides?: FactoryDefaults<T>): Promise<Partial<T>>;
  /** Saves `count` rows (default 1) and returns them. Runs in the current transaction if there is one. */
  create(count?: number, overrides?: FactoryDefaults<T>): Promise<T[]>;
  /** Saves one row and returns it. */
  createOne(overrides?: FactoryDefaults<T>): Promise<T>;
  /** Starts the sequence again at 1. */
  resetSequence(): void;
}

const FACTORY = Symbol.for('kosha.factory');
const isFactory = (v: unknown): v is Factory<object> => typeof v === 'object' && v !== null && FACTORY in v;

/** The defaults with the overrides laid over them; an override that is `undefined` keeps the default, as a missing one does. */
function overlay<T>(defaults: FactoryDefaults<T>, overrides: FactoryDefaults<T>): FactoryDefaults<T> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) out[k] = v;
  return out as FactoryDefaults<T>;
}

/**
 * Defines a factory: `defaults(i)` gives row `i` (1, 2, 3…) its fields. A field may hold another
 * factory (a related entity is created for each row) or a function (called per row).
 *
 * ```ts
 * const users = defineFactory(User, (i) => ({ name: `User ${i}`, email: `user${i}@example.com` }));
 * const posts = defineFactory(Post, (i) => ({ title: `Post ${i}`, author: users }));
 * const [post] = await posts.create(1, { title: 'Hello' });
 * ```
 */
export function defineFactory<T extends object>(
  entity: EntityClass<T>,
  defaults: (i: number) => FactoryDefaults<T>,
  options: { kosha?: Kosha | (() => Kosha) | undefined } = {},
): Factory<T> {
  let seq = 0;
  const koshaOf = () =>
    typeof options.kosha === 'function' ? options.kosha() : (options.kosha ?? getKosha());

  const resolve = async (fields: FactoryDefaults<T>): Promise<Partial<T>> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) {
      if (isFactory(v)) out[k] = await v.createOne();
      else if (typeof v === 'function') out[k] = await (v as () => unknown)();
      else out[k] = v;
    }
    return out as Partial<T>;
  };

  const factory: Factory<T> & { [FACTORY]: true } = {
    [FACTORY]: true,
    entity,
    build: async (overrides = {}) => resolve(overlay(defaults(++seq), overrides)),
    async create(count = 1, overrides = {}) {
      if (!Number.isInteger(count) || count < 0)
        throw new RangeError(`create(count): count must be a whole number ≥ 0, got ${count}.`);
      const kosha = koshaOf();
      return kosha.transaction(async () => {
        const rows: Partial<T>[] = [];
        for (let n = 0; n < count; n++) rows.push(await factory.build(overrides));
        return rows.length ? currentSession(kosha).insertAll(entity, rows) : [];
      });
    },
    async createOne(overrides = {}) {
      return (await factory.create(1, overrides))[0]!;
    },
    resetSequence() {
      seq = 0;
    },
  };
  return factory;
}
