// The typed shapes of a query: `Where<T>`, `OrderBy<T>`, `Populate<T>`. Types only; `normalize-where.ts`
// checks the same shapes at run time against the entity's metadata, for callers the types do not reach.
import type { FieldsOf, Id } from '../mapping/entity-types.js';
import type { Operator, WhereGroup } from './operators.js';

/** The values a scalar column holds (what a `where` compares with directly). */
export type ScalarValue = string | number | bigint | boolean | Date;

/** The element type of a to-many relation's type (an array, MikroORM's `Collection`, any iterable). */
export type ElementOf<V> = V extends string
  ? never
  : V extends Iterable<infer E>
    ? E extends object
      ? E
      : never
    : never;

/** What kind of field a property's type is: a scalar column, a to-one or a to-many relation. */
export type FieldKind<V> = [NonNullable<V>] extends [ScalarValue]
  ? 'scalar'
  : [ElementOf<NonNullable<V>>] extends [never]
    ? NonNullable<V> extends object
      ? 'toOne'
      : 'scalar'
    : 'toMany';

/** The entity a relation property points to (the element of a to-many). */
export type RelationTarget<V> =
  FieldKind<V> extends 'toOne'
    ? NonNullable<V>
    : FieldKind<V> extends 'toMany'
      ? ElementOf<NonNullable<V>>
      : never;

/**
 * What a scalar field of type `V` may be compared with: a value of its type (`null` where the type allows
 * it: `is null`), an operator over its type (`gt(1)`, `isIn([…])`), and on string fields the text
 * operators (`like`, `startsWith`…).
 */
export type ScalarCondition<V> =
  | Exclude<V, undefined>
  | Operator<Exclude<V, undefined>, 'value'>
  | ([NonNullable<V>] extends [string] ? Operator<string, 'text'> : never);

/**
 * What a to-one relation to `E` may be compared with: a nested {@link Where} of `E`
 * (`{ author: { username: 'ada' } }`), an `E` or its primary key, an operator over the key
 * (`isIn([1, 2])`, `isNull()`).
 */
export type ToOneCondition<E> = Where<E> | E | Id<E> | Operator<Id<E>, 'value'>;

/** A field's condition in a {@link Where}, by the field's kind. */
export type FieldCondition<V> =
  FieldKind<V> extends 'scalar'
    ? ScalarCondition<V>
    : FieldKind<V> extends 'toOne'
      ? ToOneCondition<NonNullable<V>>
      : Where<ElementOf<NonNullable<V>>>;

/** The field part of a {@link Where}: field name → condition, every one of them must hold. */
export type WhereFields<T> = { [K in FieldsOf<T>]?: FieldCondition<T[K]> };

/**
 * A query condition on entity `T`: an object of field → condition, all of which must hold, or a group
 * made by `and`, `or`, `not`. Scalars compare with a value or an operator; a to-one relation with a
 * nested `Where` of its target (or the target, or its key); a to-many relation with a nested `Where`
 * that some related row must match.
 *
 * ```ts
 * const where: Where<Article> = {
 *   status: 'published',
 *   createdAt: gte(new Date('2026-01-01')),
 *   author: { username: isIn(['ada', 'linus']) },
 *   tags: { name: 'typescript' }, // some tag is named "typescript"
 * };
 * ```
 */
export type Where<T> = WhereFields<T> | WhereGroup<T>;

/** A sort direction. */
export type Direction = 'asc' | 'desc';

/**
 * The order of a query: field → direction, the first key sorting first; through a to-one relation, a
 * nested `OrderBy` of its target (`{ author: { username: 'asc' }, id: 'desc' }`), or a direction for its
 * foreign key (`{ author: 'asc' }`).
 */
export type OrderBy<T> = {
  [K in FieldsOf<T>]?: FieldKind<T[K]> extends 'scalar'
    ? Direction
    : FieldKind<T[K]> extends 'toOne'
      ? Direction | OrderBy<NonNullable<T[K]>>
      : never;
};

/** The relation property names of `T`. */
export type RelationFieldsOf<T> = {
  [K in FieldsOf<T>]-?: FieldKind<T[K]> extends 'scalar' ? never : K;
}[FieldsOf<T>];

type Depth = [never, 0, 1, 2, 3];

/**
 * A relation path of `T` to load with the rows: `'author'`, `'author.profile'`, `'tags'` (up to four
 * relations deep).
 */
export type Populate<T, D extends number = 4> = [D] extends [never]
  ? never
  : {
      [K in RelationFieldsOf<T>]: K | `${K}.${Populate<RelationTarget<T[K]>, Depth[D]>}`;
    }[RelationFieldsOf<T>];
