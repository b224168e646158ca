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

/** How a relation loads. */
export interface RelationOptions {
  /** Load the related entity together with its owner (default false: lazy). */
  eager?: boolean | undefined;
  /** For `@manyToOne`: NULL allowed (default false). */
  nullable?: boolean | undefined;
  /** For `@manyToOne`: the foreign key column name. */
  name?: string | undefined;
  /** For `@manyToOne`: the inverse `@oneToMany` property on the target. */
  inversedBy?: string | undefined;
  /** For `@manyToOne`: what the database does when the referenced row is deleted. */
  onDelete?: 'cascade' | 'set null' | 'restrict' | 'no action' | undefined;
  /**
   * For a to-one relation: its foreign key is part of the entity's (composite) primary key. The same as
   * stacking `@id` on the relation: `@id @manyToOne(() => User) follower!: User`.
   */
  primary?: boolean | undefined;
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
  | 'oneToMany';

/** Metadata of one mapped property, as collected by the decorators. */
export interface PropertyMetadata {
  /** Property name on the class. */
  name: string;
  /** What the property is. */
  kind: PropertyKind;
  /** Column type (scalar properties). */
  type?: ColumnType | undefined;
  /** Column options as given. */
  options: ColumnOptions & IdOptions & RelationOptions;
  /** Target entity of a relation. */
  target?: (() => EntityClass) | undefined;
  /** For `@oneToMany`: the owning `@manyToOne` property on the target. */
  mappedBy?: string | undefined;
  /** Column name in the database (scalars and `@manyToOne` foreign keys); set when resolved. */
  columnName?: string | undefined;
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
}
