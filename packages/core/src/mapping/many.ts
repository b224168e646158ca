// The neutral to-many type. Entity files type `@oneToMany` and `@manyToMany` properties with it, so they
// import only @kosha/core; the backend's own collection (MikroORM's `Collection`) is what the property
// holds at run time, and satisfies it.
import { manyFactory } from '../registry.js';

/**
 * The entities of a to-many relation (`@oneToMany`, `@manyToMany`) of one owner. Loaded with the owner
 * (`populate`, `eager`) or by `load()`; `items`, `count()` and iterating need it loaded.
 *
 * ```ts
 * const article = await articles.findOne({ slug }, { populate: ['tags'] });
 * for (const tag of article!.tags) console.log(tag.name);
 * article!.tags.add(newTag); // written by the next flush (the end of the transaction)
 * ```
 */
export interface Many<T extends object> extends Iterable<T> {
  /** The related entities (it must be loaded). */
  readonly items: readonly T[];
  /** Whether the related entities have been loaded. */
  readonly isLoaded: boolean;
  /** How many related entities it holds (it must be loaded). */
  readonly length: number;
  /** Loads the related entities, if they are not loaded yet. */
  load(): Promise<unknown>;
  /** Adds entities to the relation (the owning side's rows, or the pivot table, are written at flush). */
  add(...items: T[]): unknown;
  /** Removes entities from the relation (with `orphanRemoval`, they are deleted at flush). */
  remove(...items: T[]): unknown;
  /** How many related entities it holds (it must be loaded). */
  count(): number;
}

/** An empty `Many` of a new entity made before an ORM backend was imported; the backend replaces it when the entity is inserted. */
class NewMany<T extends object> implements Many<T> {
  readonly #items: T[] = [];
  get items(): readonly T[] {
    return this.#items;
  }
  get isLoaded(): boolean {
    return true;
  }
  get length(): number {
    return this.#items.length;
  }
  [Symbol.iterator](): Iterator<T> {
    return this.#items[Symbol.iterator]();
  }
  async load(): Promise<this> {
    return this;
  }
  add(...items: T[]): number {
    for (const item of items) if (!this.#items.includes(item)) this.#items.push(item);
    return this.#items.length;
  }
  remove(...items: T[]): number {
    for (const item of items) {
      const i = this.#items.indexOf(item);
      if (i !== -1) this.#items.splice(i, 1);
    }
    return this.#items.length;
  }
  count(): number {
    return this.#items.length;
  }
}

/**
 * An empty, loaded `Many` for a new entity's to-many property: the ORM backend's own collection (MikroORM's
 * `Collection` with `@kosha/orm-mikro`), which the ORM tracks from the start. Initialise the property with
 * it so that `new Article().tags.add(tag)` works; entities loaded from the database get theirs from the ORM.
 *
 * ```ts
 * @entity class Article {
 *   @id() id!: number;
 *   @manyToMany(() => Tag) tags: Many<Tag> = many(this);
 * }
 * ```
 */
export function many<T extends object>(owner: object): Many<T> {
  return manyFactory()?.<T>(owner) ?? new NewMany<T>();
}
