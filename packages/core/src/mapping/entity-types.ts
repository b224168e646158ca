// Types derived from an entity class: which fields a new row must give, and what its primary key is.
// Decorator options are invisible to types, so the entity says what types cannot see, as in MikroORM:
// `[OptionalProps]`, `Opt<T>` and `[PrimaryKeyProp]` (https://mikro-orm.io/docs/property-validation).

/**
 * Lists the properties a new row may leave out because the database or Kosha fills them in: columns
 * with a `default`, `@version`, `@createdAt`, `@updatedAt`, getters. Declare it with `declare`, so that it
 * is a type only:
 *
 * ```ts
 * @entity
 * class User {
 *   declare [OptionalProps]?: 'createdAt' | 'version';
 *   @id() id!: number;
 *   @column({ type: 'string' }) name!: string;
 *   @createdAt() createdAt!: Date;
 *   @version() version!: number;
 * }
 * await users.insertAll([{ name: 'Ada' }]);
 * ```
 */
export const OptionalProps: unique symbol = Symbol('kosha.OptionalProps');

/**
 * Names the primary key property of an entity whose key is not called `id`. Declare it with `declare`:
 *
 * ```ts
 * @entity
 * class Country {
 *   declare [PrimaryKeyProp]?: 'code';
 *   @id({ type: 'string', length: 2 }) code!: string;
 * }
 * await countries.getById('NL'); // the id is a string
 * ```
 */
export const PrimaryKeyProp: unique symbol = Symbol('kosha.PrimaryKeyProp');

declare const optional: unique symbol;

/**
 * A property a new row may leave out (the database or Kosha fills it in): `createdAt!: Opt<Date>`.
 * The same as listing it in `[OptionalProps]`; a value of type `T` is an `Opt<T>`.
 */
export type Opt<T = unknown> = T & { readonly [optional]?: true };

/** The data (non-function) property names of an entity type. */
export type FieldsOf<T> = {
  [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? never : K;
}[keyof T] &
  string;

/** The name of an entity's primary key property: `[PrimaryKeyProp]`, else `id` when it has one. */
export type PrimaryKeyOf<T> = typeof PrimaryKeyProp extends keyof T
  ? Extract<NonNullable<T[typeof PrimaryKeyProp]>, keyof T>
  : 'id' extends keyof T
    ? 'id'
    : never;

/** What a primary key can be when the entity's type does not say (no `id`, no `[PrimaryKeyProp]`). */
export type PrimaryKeyValue = string | number | bigint;

/**
 * The type of an entity's primary key: the type of its `[PrimaryKeyProp]` property or its `id`; for an
 * entity whose type names neither, any {@link PrimaryKeyValue}.
 */
export type PrimaryKey<T> = [PrimaryKeyOf<T>] extends [never]
  ? PrimaryKeyValue
  : NonNullable<T[PrimaryKeyOf<T>]>;

/** True for a to-many relation's type: a collection (array, MikroORM `Collection`, any iterable) of objects. */
type IsCollection<V> = V extends string
  ? false
  : V extends Iterable<infer E>
    ? E extends object
      ? true
      : false
    : false;

/**
 * The properties of `T` a new row may leave out: the primary key (generated, or a uuid Kosha makes),
 * those declared optional (`bio?: string`) or nullable (`bio!: string | null`), those in
 * `[OptionalProps]` or typed `Opt<…>`, and to-many collections (filled in by the ORM).
 */
export type OptionalFieldsOf<T> =
  | PrimaryKeyOf<T>
  | (typeof OptionalProps extends keyof T ? NonNullable<T[typeof OptionalProps]> : never)
  | {
      [K in keyof T]-?: {} extends Pick<T, K>
        ? K
        : unknown extends T[K]
          ? never
          : null extends T[K]
            ? K
            : undefined extends T[K]
              ? K
              : typeof optional extends keyof NonNullable<T[K]>
                ? K
                : IsCollection<NonNullable<T[K]>> extends true
                  ? K
                  : never;
    }[keyof T];

/**
 * A row for `insertAll`: the entity's fields, those it cannot do without required. A column without a
 * default that is not nullable, not generated, must be given; what {@link OptionalFieldsOf} lists may be
 * left out. An entity instance is a row too.
 *
 * ```ts
 * await users.insertAll([{ name: 'Ada', email: 'ada@example.com' }]); // id, createdAt: filled in
 * ```
 */
export type InsertRow<T> = {
  [K in Exclude<FieldsOf<T>, OptionalFieldsOf<T>>]: T[K];
} & {
  [K in Extract<FieldsOf<T>, OptionalFieldsOf<T>>]?: T[K];
};
