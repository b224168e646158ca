import type { Where } from './where.js';

// Query operators are values made by these functions, never plain objects: an object read from a request
// body (`{ "$gt": 1 }`, `{ "op": "gt" }`) is not an `Operator` and is refused where a scalar is expected.
// The brand is a private field, which only this module's constructor can give an object.

/** The operator functions' names, as they appear in the normalized where tree. */
export type OperatorName =
  | 'eq'
  | 'ne'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'between'
  | 'isIn'
  | 'notIn'
  | 'like'
  | 'ilike'
  | 'startsWith'
  | 'endsWith'
  | 'contains'
  | 'isNull'
  | 'isNotNull';

/** Options of the operators that compare text: `{ ignoreCase: true }` compares case-insensitively. */
export interface TextOptions {
  /** Compare case-insensitively, the same way on every database. */
  ignoreCase?: boolean | undefined;
}

/**
 * What an operator compares with: `'value'` a value of the field's own type, `'text'` a string (a LIKE
 * pattern, a prefix…) usable on any string field, whatever its literal type.
 */
export type OperatorKind = 'value' | 'text';

declare const valueType: unique symbol;
declare const operatorKind: unique symbol;

const TOKEN = Symbol('kosha.operator');

/**
 * A query operator, made by {@link eq}, {@link gt}, {@link isIn}, {@link like}… and used as a field's
 * value in a `where`. Its type parameter is the type of the field it applies to.
 *
 * ```ts
 * await users.find({ where: { age: gte(18), name: startsWith('Ad') } });
 * ```
 */
export class Operator<V = unknown, K extends OperatorKind = OperatorKind> {
  readonly #brand = true;
  /** Which operator this is. */
  readonly op: OperatorName;
  /** The operand(s) as given: one value, `[low, high]` for `between`, an array for `isIn`/`notIn`. */
  readonly value: unknown;
  /** Compare case-insensitively (`ilike`, and the text operators with `{ ignoreCase: true }`). */
  readonly ignoreCase: boolean;
  declare readonly [valueType]?: V;
  declare readonly [operatorKind]?: K;

  /** @internal Operators are made by the operator functions (`gt(1)`), never with `new`. */
  constructor(token: symbol, op: OperatorName, value: unknown, ignoreCase: boolean) {
    if (token !== TOKEN) {
      throw new TypeError(
        'Query operators are made by the operator functions (gt(1), isIn([…])), not with new.',
      );
    }
    this.op = op;
    this.value = value;
    this.ignoreCase = ignoreCase;
    Object.freeze(this);
  }

  /** True for an operator made by the operator functions; false for anything else, however it looks. */
  static is(value: unknown): value is Operator {
    return typeof value === 'object' && value !== null && #brand in value;
  }
}

function make<V, K extends OperatorKind>(
  op: OperatorName,
  value: unknown,
  options?: TextOptions,
): Operator<V, K> {
  return new Operator<V, K>(TOKEN, op, value, options?.ignoreCase === true);
}

const copy = (values: unknown) => (Array.isArray(values) ? Object.freeze([...values]) : values);

/** Equal to `value` (`= ?`); `{ ignoreCase: true }` for case-insensitive text. `eq(null)` is `isNull()`. */
export function eq<const V>(value: V, options?: TextOptions): Operator<V, 'value'> {
  return make('eq', value, options);
}

/** Not equal to `value` (`<> ?`; a NULL field matches neither `eq` nor `ne`). `ne(null)` is `isNotNull()`. */
export function ne<const V>(value: V, options?: TextOptions): Operator<V, 'value'> {
  return make('ne', value, options);
}

/** Greater than `value` (`> ?`). */
export function gt<const V>(value: V): Operator<V, 'value'> {
  return make('gt', value);
}

/** Greater than or equal to `value` (`>= ?`). */
export function gte<const V>(value: V): Operator<V, 'value'> {
  return make('gte', value);
}

/** Less than `value` (`< ?`). */
export function lt<const V>(value: V): Operator<V, 'value'> {
  return make('lt', value);
}

/** Less than or equal to `value` (`<= ?`). */
export function lte<const V>(value: V): Operator<V, 'value'> {
  return make('lte', value);
}

/** Between `low` and `high`, both included (`between ? and ?`). */
export function between<const V>(low: V, high: V): Operator<V, 'value'> {
  return make('between', Object.freeze([low, high]));
}

/** One of `values` (`in (?, ?, …)`); an empty list matches nothing. */
export function isIn<const V>(values: readonly V[]): Operator<V, 'value'> {
  return make('isIn', copy(values));
}

/** None of `values` (`not in (?, ?, …)`); an empty list matches every non-NULL value. */
export function notIn<const V>(values: readonly V[]): Operator<V, 'value'> {
  return make('notIn', copy(values));
}

/**
 * Matches a SQL LIKE `pattern`, case-sensitively on every database: `%` any run of characters, `_` one
 * character, `\` escapes the next one (`like('100\\%')`).
 */
export function like(pattern: string): Operator<string, 'text'> {
  return make('like', pattern);
}

/** Matches a SQL LIKE `pattern` case-insensitively, the same way on every database. */
export function ilike(pattern: string): Operator<string, 'text'> {
  return make('ilike', pattern, { ignoreCase: true });
}

/** Starts with `prefix`, taken literally (`%` and `_` in it are data). */
export function startsWith(prefix: string, options?: TextOptions): Operator<string, 'text'> {
  return make('startsWith', prefix, options);
}

/** Ends with `suffix`, taken literally. */
export function endsWith(suffix: string, options?: TextOptions): Operator<string, 'text'> {
  return make('endsWith', suffix, options);
}

/** Contains `part`, taken literally. */
export function contains(part: string, options?: TextOptions): Operator<string, 'text'> {
  return make('contains', part, options);
}

/** Is NULL (`is null`); on a relation: has none. */
export function isNull(): Operator<never, 'value'> {
  return make('isNull', undefined);
}

/** Is not NULL (`is not null`); on a relation: has one. */
export function isNotNull(): Operator<never, 'value'> {
  return make('isNotNull', undefined);
}

/** The escape character of the LIKE patterns Kosha sends (`like … escape '\'` on every database). */
export const LIKE_ESCAPE = '\\';

/** `text` with the LIKE wildcards and the escape character escaped, so it matches only itself. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => LIKE_ESCAPE + c);
}

/** How a {@link WhereGroup} combines its parts. */
export type WhereGroupKind = 'and' | 'or' | 'not';

/**
 * Conditions combined with {@link and}, {@link or} or {@link not}. Like an {@link Operator}, only the
 * combinator functions make one: a `{ "$or": […] }` read from a request is refused, not obeyed.
 */
export class WhereGroup<T = unknown> {
  readonly #brand = true;
  /** How the parts combine. */
  readonly kind: WhereGroupKind;
  /** The combined conditions (one for `not`). */
  readonly items: readonly unknown[];
  declare readonly [valueType]?: T;

  /** @internal Groups are made by `and`, `or` and `not`, never with `new`. */
  constructor(token: symbol, kind: WhereGroupKind, items: readonly unknown[]) {
    if (token !== TOKEN) {
      throw new TypeError('Where groups are made by and(…), or(…) and not(…), not with new.');
    }
    this.kind = kind;
    this.items = Object.freeze([...items]);
    Object.freeze(this);
  }

  /** True for a group made by `and`, `or` or `not`; false for anything else, however it looks. */
  static is(value: unknown): value is WhereGroup {
    return typeof value === 'object' && value !== null && #brand in value;
  }
}

/** Every condition holds. `and()` with none always holds. */
export function and<T>(...wheres: Where<T>[]): WhereGroup<T> {
  return new WhereGroup<T>(TOKEN, 'and', wheres);
}

/** At least one condition holds. `or()` with none never holds. */
export function or<T>(...wheres: Where<T>[]): WhereGroup<T> {
  return new WhereGroup<T>(TOKEN, 'or', wheres);
}

/** The condition does not hold (SQL `not (…)`: a comparison with NULL is neither true nor false). */
export function not<T>(where: Where<T>): WhereGroup<T> {
  return new WhereGroup<T>(TOKEN, 'not', [where]);
}
