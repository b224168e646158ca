// Derived query methods typed from their names with template literal types: the same reading as
// parse-derived-name.ts (fields longest first, backtracking, And before Or), over the entity type's own
// keys instead of its metadata. Each step keeps one result, so a name costs a few thousand instantiations
// (the type tests' 35 names: ~80k, 0.08 s); the recursion is not a tail call, so TypeScript's depth limit
// stops names of more than eleven criteria (on a 33-field entity). The keywords come from keywords.ts.
import type { FieldsOf, PrimaryKey } from '../../mapping/entity-types.js';
import type { FindOneOptions, Page, Pageable, QueryOptions } from '../find-options.js';
import type { FieldKind } from '../where.js';
import type { DERIVED_KEYWORDS, DerivedKeyword, IGNORE_CASE_WORDS, OPERATOR_RULES } from './keywords.js';

declare const derivedNameError: unique symbol;

/**
 * What a derived name that does not read is checked against: the name itself and this, which no string
 * is, so the call does not compile and the message shows why (`cannot read "Emial": …`).
 */
export interface DerivedNameError<Message extends string> {
  readonly [derivedNameError]: Message;
}

type Rules = typeof OPERATOR_RULES;
type OperatorOf<K extends DerivedKeyword> = (typeof DERIVED_KEYWORDS)[K];
type IgnoreCaseWord = (typeof IGNORE_CASE_WORDS)[number];

/** A step's outcome: the parameters read so far, or why the name does not read. */
interface Ok<P extends readonly unknown[]> {
  readonly ok: P;
}
interface Err<M extends string> {
  readonly error: M;
}
/** This keyword does not fit here (another one may): not an error yet. */
interface NoMatch {
  readonly noMatch: true;
}

/** What a field is: a column, a to-one or a to-many relation (as `Where<T>` tells them apart). */
type KindOf<V> = FieldKind<V>;

type IsText<V> = [NonNullable<V>] extends [string] ? true : false;

/** The parameters a predicate on a field of type `V` takes. */
type ParamsOf<V, Op, IgnoreCase extends boolean> = Op extends 'eq' | 'ne'
  ? KindOf<V> extends 'toOne'
    ? [value: NonNullable<V> | PrimaryKey<NonNullable<V>> | (null extends V ? null : never)]
    : IgnoreCase extends true
      ? [value: string | (null extends V ? null : never)]
      : [value: Exclude<V, undefined>]
  : Op extends 'lt' | 'lte' | 'gt' | 'gte'
    ? [value: NonNullable<V>]
    : Op extends 'between'
      ? [low: NonNullable<V>, high: NonNullable<V>]
      : Op extends 'isIn' | 'notIn'
        ? [
            values: readonly (KindOf<V> extends 'toOne'
              ? NonNullable<V> | PrimaryKey<NonNullable<V>>
              : NonNullable<V>)[],
          ]
        : Op extends 'like' | 'notLike'
          ? [pattern: string]
          : Op extends 'startsWith' | 'endsWith' | 'contains' | 'notContains'
            ? [text: string]
            : [];

/** Why a keyword does not apply to a field of type `V`, or `never` when it does. */
type OperandProblem<V, Op extends keyof Rules> = Rules[Op]['operand'] extends 'text'
  ? IsText<V> extends true
    ? never
    : 'applies to text fields'
  : Rules[Op]['operand'] extends 'boolean'
    ? [NonNullable<V>] extends [boolean]
      ? never
      : 'applies to boolean fields'
    : Rules[Op]['operand'] extends 'ordered'
      ? KindOf<V> extends 'scalar'
        ? [NonNullable<V>] extends [boolean]
          ? 'applies to columns with ordered values'
          : never
        : 'applies to columns with ordered values'
      : never;

type Predicate<V, Field extends string, K extends DerivedKeyword, IgnoreCase extends boolean> = [
  OperandProblem<V, OperatorOf<K>>,
] extends [never]
  ? IgnoreCase extends true
    ? Rules[OperatorOf<K>]['ignoreCase'] extends true
      ? IsText<V> extends true
        ? Ok<ParamsOf<V, OperatorOf<K>, true>>
        : Err<`${Field}${K}IgnoreCase: IgnoreCase compares text`>
      : Err<`${Field}${K}IgnoreCase: IgnoreCase follows equality and the text keywords, not ${K}`>
    : Ok<ParamsOf<V, OperatorOf<K>, false>>
  : Err<`${Field}${K}: ${K extends '' ? 'equality' : K} ${OperandProblem<V, OperatorOf<K>>}`>;

type Append<P extends readonly unknown[], R> = R extends Ok<infer Q> ? Ok<[...P, ...Q]> : R;

/** Among the fields that start the text, the longest one whose reading works; else the longest one's error. */
type Longest<U extends [string, unknown], All extends [string, unknown] = U> = U extends [
  infer F extends string,
  infer R,
]
  ? [Exclude<Extract<All[0], `${F}${string}`>, F>] extends [never]
    ? R
    : never
  : never;

type Choose<C extends [string, unknown], Otherwise> = [C] extends [never]
  ? Otherwise
  : [Extract<C, [string, Ok<readonly unknown[]>]>] extends [never]
    ? Longest<C>
    : Longest<Extract<C, [string, Ok<readonly unknown[]>]>>;

/** `S` starts with a predicate: a field, its keyword, then And, Or, OrderBy or the end. */
type Criteria<T, S extends string, Prefix extends string> = Choose<
  {
    [F in FieldsOf<T>]: S extends `${Capitalize<F>}${infer Rest}`
      ? [F, AfterField<T, F, Rest, Prefix>]
      : never;
  }[FieldsOf<T>],
  Err<`cannot read "${S}": no field starts there`>
>;

type AfterField<T, F extends FieldsOf<T>, S extends string, Prefix extends string> =
  KindOf<T[F]> extends 'toMany'
    ? Err<`${Capitalize<F>} is a to-many relation: a derived method compares columns and to-one relations`>
    : Exclude<Keyword<T, F, S, Prefix, DerivedKeyword>, NoMatch> extends infer R
      ? [R] extends [never]
        ? Err<`cannot read "${S}" after ${Capitalize<F>}: expected a keyword, IgnoreCase, And, Or, OrderBy or the end`>
        : R
      : never;

type Keyword<T, F extends FieldsOf<T>, S extends string, Prefix extends string, K> = K extends DerivedKeyword
  ? S extends `${K}${infer After}`
    ? After extends `${IgnoreCaseWord}${infer Tail}`
      ? Connect<Tail, Predicate<T[F], Capitalize<F>, K, true>, T, Prefix>
      : Connect<After, Predicate<T[F], Capitalize<F>, K, false>, T, Prefix>
    : NoMatch
  : never;

/** What follows a predicate whose reading is `P`. */
type Connect<S extends string, P, T, Prefix extends string> = S extends '' | `And${string}` | `Or${string}`
  ? P extends Ok<infer Params>
    ? S extends ''
      ? P
      : S extends `OrderBy${infer Keys}`
        ? Append<Params, OrderClause<T, Keys, Prefix>>
        : S extends `And${infer Rest}`
          ? Append<Params, Criteria<T, Rest, Prefix>>
          : S extends `Or${infer Rest}`
            ? Append<Params, Criteria<T, Rest, Prefix>>
            : never
    : P
  : NoMatch;

type OrderClause<T, S extends string, Prefix extends string> = Prefix extends `find${string}`
  ? OrderKeys<T, S, never>
  : Err<`OrderBy has no effect on ${Prefix}By`>;

type OrderKeys<T, S extends string, Seen extends string> = Choose<
  {
    [F in FieldsOf<T>]: S extends `${Capitalize<F>}${infer Rest}` ? [F, OrderKey<T, F, Rest, Seen>] : never;
  }[FieldsOf<T>],
  Err<`cannot read "${S}": no field starts there`>
>;

type OrderKey<
  T,
  F extends FieldsOf<T>,
  S extends string,
  Seen extends string,
> = S extends `${'Asc' | 'Desc'}${infer Rest}`
  ? KindOf<T[F]> extends 'toMany'
    ? Err<`OrderBy${Capitalize<F>}: a query cannot order by a to-many relation`>
    : [F] extends [Seen]
      ? Err<`OrderBy names ${Capitalize<F>} twice`>
      : Rest extends ''
        ? Ok<[]>
        : OrderKeys<T, Rest, Seen | F>
  : Err<`OrderBy${Capitalize<F>} needs a direction: OrderBy${Capitalize<F>}Asc or OrderBy${Capitalize<F>}Desc`>;

type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';
type Digits<S extends string> = S extends `${Digit}${infer R}` ? (R extends '' ? true : Digits<R>) : false;
type Count<S extends string> = S extends `0${string}` ? false : S extends '' ? false : Digits<S>;

/** How a derived name's prefix reads: what the method returns, and what follows `By`. */
type Prefixed<N extends string> = N extends `findBy${infer R}`
  ? ['many', 'find', R]
  : N extends `findFirstBy${infer R}`
    ? ['one', 'findFirst', R]
    : N extends `findOneBy${infer R}`
      ? ['one', 'findOne', R]
      : N extends `findTop${infer D}By${infer R}`
        ? Counted<N, 'findTop', D, R>
        : N extends `findFirst${infer D}By${infer R}`
          ? Counted<N, 'findFirst', D, R>
          : N extends `${infer P extends 'count' | 'exists' | 'delete'}By${infer R}`
            ? [P, P, R]
            : PrefixError<N>;

type PrefixError<N extends string> =
  Err<`cannot read "${N}": a derived query method starts with find, findFirst, findOne, findTop<N>, count, exists or delete, then By`>;

/** `findTop<D>By` / `findFirst<D>By`: D must be a count. */
type Counted<N extends string, P extends string, D extends string, R extends string> =
  Count<D> extends true
    ? ['top', `${P}${D}`, R]
    : Digits<D> extends true
      ? Err<`cannot read "${P}${D}By": ${P} takes a whole number ≥ 1 without leading zeros`>
      : D extends ''
        ? Err<`cannot read "${P}By": findTop takes a whole number ≥ 1 (findTop10By…)`>
        : PrefixError<N>;

/** What a derived method returns and what it does: `many` (findBy), `top` (findTopN), `one`, count… */
type MethodKind = 'many' | 'top' | 'one' | 'count' | 'exists' | 'delete';

/**
 * A derived name read against `T`: `[kind, parameters]`, or `Err<message>` naming the part that does not
 * read. The same reading as the runtime parser.
 */
type Parse<T, N extends string> =
  Prefixed<N> extends [infer Kind extends MethodKind, infer Prefix extends string, infer Rest extends string]
    ? Rest extends ''
      ? Err<`${Prefix}By needs a condition after By`>
      : Body<T, Rest, Prefix> extends infer B
        ? B extends Ok<infer P>
          ? [Kind, P]
          : B
        : never
    : Prefixed<N>;

type Body<T, S extends string, Prefix extends string> =
  Criteria<T, S, Prefix> extends infer C
    ? C extends Ok<readonly unknown[]>
      ? C
      : S extends `OrderBy${infer Keys}`
        ? OrderClause<T, Keys, Prefix>
        : C
    : never;

/**
 * `N` when it is a derived query method name that reads against `T`'s fields; else `N` and a
 * {@link DerivedNameError} naming the part it could not read, which no string is, so `derive(N)` does not
 * compile. A name that is not a literal (`string`) is checked when `derive` runs.
 */
export type ValidDerivedName<T, N extends string> = string extends N
  ? N
  : Parse<T, N> extends Err<infer M>
    ? N & DerivedNameError<M>
    : N;

/** The options of a derived `find…By` (and `findTop<N>By`, whose `limit` cannot raise N). */
export type DerivedFindOptions<T> = Pick<QueryOptions<T>, 'orderBy' | 'limit' | 'offset' | 'populate'>;

/** The options of a derived `findFirstBy`/`findOneBy`. */
export type DerivedFindOneOptions<T> = Pick<FindOneOptions<T>, 'orderBy' | 'populate'>;

/** A derived `findBy…`: the rows, or with a `Pageable` last, one `Page` of them. */
export interface DerivedFindMethod<T, P extends readonly unknown[]> {
  (...args: [...P, pageable: Pageable<T>]): Promise<Page<T>>;
  (...args: [...P, options?: DerivedFindOptions<T>]): Promise<T[]>;
}

type MethodOf<T, Kind, P extends readonly unknown[]> = Kind extends 'many'
  ? DerivedFindMethod<T, P>
  : Kind extends 'top'
    ? (...args: [...P, options?: DerivedFindOptions<T>]) => Promise<T[]>
    : Kind extends 'one'
      ? (...args: [...P, options?: DerivedFindOneOptions<T>]) => Promise<T | null>
      : Kind extends 'exists'
        ? (...args: P) => Promise<boolean>
        : (...args: P) => Promise<number>;

/**
 * The method `derive(N)` returns on a repository of `T`, typed from the name: its parameters in order,
 * each with its field's type (`In` an array, `Between` two, `IsNull`/`True` none), the result from the
 * prefix (`findBy` `T[]`, `findFirstBy`/`findOneBy` `T | null`, `findTop10By` `T[]`, `countBy` and
 * `deleteBy` `number`, `existsBy` `boolean`), and for `find…By` an optional last options argument (or a
 * `Pageable`, then a `Page<T>`).
 *
 * ```ts
 * type M = DerivedMethod<User, 'findByStatusAndAgeGreaterThanOrderByNameDesc'>;
 * // (status: User['status'], age: number, options?: DerivedFindOptions<User>) => Promise<User[]>, and a Pageable overload
 * ```
 */
export type DerivedMethod<T, N extends string> = string extends N
  ? (...args: unknown[]) => Promise<unknown>
  : Parse<T, N> extends [infer Kind, infer P extends readonly unknown[]]
    ? MethodOf<T, Kind, P>
    : never;
