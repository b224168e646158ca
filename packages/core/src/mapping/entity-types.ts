// Types derived from an entity class: which fields a new row must give, and what its primary key is.
// Decorator options are invisible to types, so the entity says what types cannot see, as in MikroORM:
// `[OptionalProps]`, `Opt<T>` and `[PrimaryKeyProp]` (https://mikro-orm.io/docs/property-validation).
import type { FieldKind } from '../query/where.js';

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
 * Names the primary key property of an entity whose key is not called `id`, or, as a tuple, the parts of
 * a composite key (as in MikroORM). Declare it with `declare`:
 *
 * ```ts
 * @entity
 * class Country {
 *   declare [PrimaryKeyProp]?: 'code';
 *   @id({ type: 'string', length: 2 }) code!: string;
 * }
 * await countries.getById('NL'); // the id is a string
 *
 * @entity
 * class Follow {
 *   declare [PrimaryKeyProp]?: ['follower', 'followee'];
 *   @id @manyToOne(() => User) follower!: User;
 *   @id @manyToOne(() => User) followee!: User;
 * }
 * await follows.getById({ follower: 1, followee: 2 }); // Id<Follow>
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

/** What `[PrimaryKeyProp]` declares: a property name, or a tuple of them; `never` when it is not declared. */
type DeclaredKey<T> = typeof PrimaryKeyProp extends keyof T ? NonNullable<T[typeof PrimaryKeyProp]> : never;

/** True when the entity's type declares a composite key (`[PrimaryKeyProp]` is a tuple of two or more). */
export type IsCompositeKey<T> = [DeclaredKey<T>] extends [never]
  ? false
  : DeclaredKey<T> extends readonly [unknown, unknown, ...unknown[]]
    ? true
    : false;

/**
 * The name of an entity's primary key property: `[PrimaryKeyProp]`, else `id` when it has one. For a
 * composite key, the union of its parts' names.
 */
export type PrimaryKeyOf<T> = [DeclaredKey<T>] extends [never]
  ? 'id' extends keyof T
    ? 'id'
    : never
  : DeclaredKey<T> extends readonly (infer K)[]
    ? Extract<K, keyof T>
    : Extract<DeclaredKey<T>, keyof T>;

/** What a primary key can be when the entity's type does not say (no `id`, no `[PrimaryKeyProp]`). */
export type PrimaryKeyValue = string | number | bigint;

/** One part of a composite key: a column's value, or for a relation part the related key or entity. */
type KeyPart<V> = FieldKind<V> extends 'toOne' ? Id<NonNullable<V>> | NonNullable<V> : NonNullable<V>;

/**
 * The type of an entity's id, what `getById`, `exists`, `delete` and `reference` take: the type of its
 * primary key property (`[PrimaryKeyProp]` or `id`); for a composite key (`[PrimaryKeyProp]` a tuple) an
 * object of its parts, a relation part taking the related key or entity (`{ follower: 1, followee: 2 }`);
 * for an entity whose type names no key, any {@link PrimaryKeyValue}.
 */
export type Id<T> =
  IsCompositeKey<T> extends true
    ? { [K in PrimaryKeyOf<T>]: KeyPart<T[K]> }
    : [PrimaryKeyOf<T>] extends [never]
      ? PrimaryKeyValue
      : NonNullable<T[PrimaryKeyOf<T>]>;

/** The type of an entity's primary key: the same as {@link Id}. */
export type PrimaryKey<T> = Id<T>;

/**
 * What a field of type `V` may be given in a row, an update or a filter: for a to-one relation the related
 * entity or its key (`author: 7`, a reference to that row), for any other field its own type.
 */
export type RelationValue<V> = FieldKind<V> extends 'toOne' ? V | Id<NonNullable<V>> : V;

/** An entity whose to-one relations may hold the related key instead of the entity (what `update` takes). */
export type WithKeys<T> = { [K in keyof T]: K extends FieldsOf<T> ? RelationValue<T[K]> : T[K] };

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
  | (IsCompositeKey<T> extends true ? never : PrimaryKeyOf<T>)
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
 * left out. An entity instance is a row too. A to-one relation takes the related entity, a reference
 * (`repo.reference(id)`) or the related key ({@link RelationValue}).
 *
 * ```ts
 * await users.insertAll([{ name: 'Ada', email: 'ada@example.com' }]); // id, createdAt: filled in
 * ```
 */
export type InsertRow<T> = {
  [K in Exclude<FieldsOf<T>, OptionalFieldsOf<T>>]: RelationValue<T[K]>;
} & {
  [K in Extract<FieldsOf<T>, OptionalFieldsOf<T>>]?: RelationValue<T[K]>;
};
