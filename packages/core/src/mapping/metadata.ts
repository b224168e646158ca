/** A class that can be constructed with no arguments: an entity class. */
export type EntityClass<T = object> = abstract new (...args: any[]) => T;

/** Column types of the neutral mapping. */
export const COLUMN_TYPES = [
  'string',
  'text',
  'integer',
  'bigint',
  'float',
  'decimal',
  'boolean',
  'date',
  'datetime',
  'json',
  'uuid',
  'enum',
] as const;

/** A column type of the neutral mapping. */
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** Options shared by every column-like decorator. */
export interface ColumnOptions {
  /** Column type. Required unless `emitDecoratorMetadata` + reflect-metadata can tell it. */
  type?: ColumnType | undefined;
  /** Maximum length of `string` columns. */
  length?: number | undefined;
  /** `NULL` allowed (default false). */
  nullable?: boolean | undefined;
  /** Unique constraint on this column. */
  unique?: boolean | undefined;
  /** Database default (a literal). */
  default?: string | number | boolean | null | undefined;
  /** Create an index on this column. */
  index?: boolean | undefined;
  /** Column name in the database (default: snake_case of the property). */
  name?: string | undefined;
  /** Precision of `decimal` columns. */
  precision?: number | undefined;
  /** Scale of `decimal` columns. */
  scale?: number | undefined;
  /** Allowed values of `enum` columns. */
  enum?: readonly (string | number)[] | Record<string, string | number> | undefined;
  /**
   * `false`: a change to this column alone does not bump the entity's `@updatedAt` (a counter, a
   * last-seen mark) — in a flush, `update` or `updateWhere`. Default true.
   */
  touchesUpdatedAt?: boolean | undefined;
}

/** Options of `@id`. */
export interface IdOptions extends Omit<ColumnOptions, 'nullable' | 'unique' | 'index'> {
  /** Database-generated (serial / auto_increment) key. Default: true for `integer`/`bigint` ids. */
  autoincrement?: boolean | undefined;
}

/** What the database does with a row whose foreign key points at a deleted row. */
export type OnDelete = 'cascade' | 'set null' | 'restrict' | 'no action';

/** What an operation on an entity also does to the entities of one of its relations. */
export type Cascade = 'persist' | 'remove';

/** How a relation loads. */
export interface RelationOptions {
  /** Load the related entity together with its owner (default false: lazy). */
  eager?: boolean | undefined;
  /** For `@manyToOne` and an owning `@oneToOne`: NULL allowed (default false). */
  nullable?: boolean | undefined;
  /** For `@manyToOne` and an owning `@oneToOne`: the foreign key column name. */
  name?: string | undefined;
  /** For `@manyToOne`: the inverse `@oneToMany` property on the target. */
  inversedBy?: string | undefined;
  /** For `@manyToOne` and an owning `@oneToOne`: what the database does when the referenced row is deleted. */
  onDelete?: OnDelete | undefined;
  /**
   * For a to-one relation: its foreign key is part of the entity's (composite) primary key. The same as
   * stacking `@id` on the relation: `@id @manyToOne(() => User) follower!: User`.
   */
  primary?: boolean | undefined;
}

/** Options of a to-many relation (`@oneToMany`, `@manyToMany`). */
export interface ToManyOptions {
  /** Load the related entities together with their owner (default false: lazy). */
  eager?: boolean | undefined;
  /**
   * What persisting or removing the owner also does to the related entities. Default `['persist']`:
   * new entities added to the collection are inserted with it; `'remove'` deletes them with it.
   */
  cascade?: readonly Cascade[] | undefined;
}

/** Options of `@oneToMany`. */
export interface OneToManyOptions extends ToManyOptions {
  /**
   * Delete a related entity when it is removed from the collection (or the collection is emptied): a
   * child that cannot live without its parent. (A `@manyToMany` has none: removing an entity from it
   * deletes the pivot row only, as the entity may belong to other owners.)
   */
  orphanRemoval?: boolean | undefined;
}

/** Options of `@manyToMany`. */
export interface ManyToManyOptions extends ToManyOptions {
  /**
   * This side owns the relation (holds the pivot table). Default: the side without `inverse`. The other
   * side names this property in its `inverse`.
   */
  owner?: boolean | undefined;
  /** On the inverse side: the owning `@manyToMany` property on the target. */
  inverse?: string | undefined;
  /** On the owning side: the pivot table (default: `<owner table>_<property>`). */
  table?: string | undefined;
}

/** Options of `@oneToOne`. */
export interface OneToOneOptions {
  /** This side holds the foreign key (default: the side without `inverse`). */
  owner?: boolean | undefined;
  /** On the inverse side: the owning `@oneToOne` property on the target; on the owner: the inverse one. */
  inverse?: string | undefined;
  /** On the owning side: NULL allowed (default false). The inverse side is always optional. */
  nullable?: boolean | undefined;
  /** On the owning side: the foreign key column name (default `<property>_id`). */
  name?: string | undefined;
  /** On the owning side: what the database does when the referenced row is deleted. */
  onDelete?: OnDelete | undefined;
  /** Load the related entity together with its owner (default false: lazy). */
  eager?: boolean | undefined;
}

/** Options of `@embedded`. */
export interface EmbeddedOptions {
  /** Prefix of the embedded columns (default `<property>_`; `false` for none). */
  prefix?: string | false | undefined;
  /** The whole embedded value may be NULL (default false). */
  nullable?: boolean | undefined;
}

/** Options of `@unique` and `@index` on a class. */
export interface ConstraintOptions {
  /** Name of the constraint or index in the database (default: made from the table and columns). */
  name?: string | undefined;
}

/** A unique constraint or an index over several properties, declared on the class. */
export interface ConstraintMetadata {
  /** `unique` or `index`. */
  readonly kind: 'unique' | 'index';
  /** The property names, in order. */
  readonly properties: readonly string[];
  /** Its name in the database, if given. */
  readonly name?: string | undefined;
}

/** What a property is. */
export type PropertyKind =
  | 'id'
  | 'column'
  | 'version'
  | 'createdAt'
  | 'updatedAt'
  | 'deletedAt'
  | 'manyToOne'
  | 'oneToMany'
  | 'manyToMany'
  | 'oneToOne'
  | 'embedded';

/** Metadata of one mapped property, as collected by the decorators. */
export interface PropertyMetadata {
  /** Property name on the class. */
  name: string;
  /** What the property is. */
  kind: PropertyKind;
  /** Column type (scalar properties). */
  type?: ColumnType | undefined;
  /** Column options as given. */
  options: ColumnOptions &
    IdOptions &
    RelationOptions &
    OneToManyOptions &
    ManyToManyOptions &
    OneToOneOptions &
    EmbeddedOptions;
  /** Target entity of a relation (the `@embeddable` class of an `@embedded`). */
  target?: (() => EntityClass) | undefined;
  /**
   * The owning property on the target: for `@oneToMany` its `@manyToOne`, for an inverse `@manyToMany` or
   * `@oneToOne` the owning one. Unset on an owning side.
   */
  mappedBy?: string | undefined;
  /** For an owning `@manyToMany` or `@oneToOne`: the inverse property on the target, if there is one. */
  inversedBy?: string | undefined;
  /**
   * Column name in the database (scalars, the foreign keys of `@manyToOne` and an owning `@oneToOne`);
   * set when resolved. For an `@embedded`: its column prefix.
   */
  columnName?: string | undefined;
  /** For `@manyToMany` and `@oneToOne`: this side owns the relation (set when resolved). */
  owner?: boolean | undefined;
}

/** True for a relation to one entity (`@manyToOne`, `@oneToOne`, either side). */
export function isToOne(p: PropertyMetadata): boolean {
  return p.kind === 'manyToOne' || p.kind === 'oneToOne';
}

/** True for a relation to many entities (`@oneToMany`, `@manyToMany`). */
export function isToMany(p: PropertyMetadata): boolean {
  return p.kind === 'oneToMany' || p.kind === 'manyToMany';
}

/** The complete, validated metadata of one entity. */
export interface EntityMetadata<T = object> {
  /** The entity class. */
  readonly class: EntityClass<T>;
  /** The class name. */
  readonly name: string;
  /** Table name. */
  readonly tableName: string;
  /** Mapped properties in declaration order. */
  readonly properties: readonly PropertyMetadata[];
  /**
   * The primary key's properties in declaration order: one `@id`, or for a composite key every `@id` and
   * every to-one relation marked `primary` (stacked `@id`).
   */
  readonly primaryKeys: readonly PropertyMetadata[];
  /**
   * The `@id` property of a single key; for a composite key the first of {@link primaryKeys}, which
   * code that handles keys must use instead (see `idOf`, `keyWhere` in `mapping/primary-key.ts`).
   */
  readonly primaryKey: PropertyMetadata;
  /** True when the primary key has several properties. */
  readonly compositeKey: boolean;
  /** Property names a repository may query by (scalars and `@manyToOne`). */
  readonly fieldNames: ReadonlySet<string>;
  /** The `@deletedAt` property of a soft-deleted entity. */
  readonly deletedAt?: PropertyMetadata | undefined;
  /** Unique constraints and indexes over several properties (`@unique([…])`, `@index([…])` on the class). */
  readonly constraints: readonly ConstraintMetadata[];
}

/** The metadata of an `@embeddable` class: its columns, which the entities embedding it store inline. */
export interface EmbeddableMetadata<T = object> {
  /** The embeddable class. */
  readonly class: EntityClass<T>;
  /** The class name. */
  readonly name: string;
  /** Its mapped columns, in declaration order. */
  readonly properties: readonly PropertyMetadata[];
}
