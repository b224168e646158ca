// The values `updateWhere` sets that are not plain values: `increment(n)` / `decrement(n)`, computed by the
// database from the row's own value (`set n = n + ?`), so concurrent updates never lose one another's change.
// Branded like the query operators: an object from a request body (`{ "$inc": 1 }`) is never one.
import { InvalidArgumentError } from '../errors.js';
import type { FieldsOf } from '../mapping/entity-types.js';
import { describeValue } from '../query/column-values.js';

declare const valueType: unique symbol;
const TOKEN = Symbol('kosha.increment');

/**
 * A change of a numeric column by an amount, made by {@link increment} or {@link decrement} and used as a
 * value in `updateWhere`'s changes.
 */
export class Increment<V extends number | bigint = number | bigint> {
  readonly #brand = true;
  /** The amount added (negative for `decrement`). */
  readonly by: number | bigint;
  declare readonly [valueType]?: V;

  /** @internal Made by `increment(n)` / `decrement(n)`, never with `new`. */
  constructor(token: symbol, by: number | bigint) {
    if (token !== TOKEN)
      throw new TypeError('Increments are made by increment(n) / decrement(n), not with new.');
    this.by = by;
    Object.freeze(this);
  }

  /** True for a value made by `increment`/`decrement`; false for anything else, however it looks. */
  static is(value: unknown): value is Increment {
    return typeof value === 'object' && value !== null && #brand in value;
  }
}

function amount(what: string, n: unknown): number | bigint {
  if (typeof n === 'bigint') return n;
  if (typeof n === 'number' && Number.isFinite(n)) return n;
  throw new InvalidArgumentError(`${what}(n) takes a finite number or a bigint, got ${describeValue(n)}.`);
}

/**
 * Adds `n` (default 1) to a numeric column in the database, whatever its value when the statement runs:
 * `set views = views + 1`, no lost update under concurrency.
 *
 * ```ts
 * await articles.updateWhere({ id }, { favoritesCount: increment(1) });
 * ```
 */
export function increment<V extends number | bigint = number>(n: V | number = 1): Increment<V> {
  return new Increment<V>(TOKEN, amount('increment', n));
}

/** Subtracts `n` (default 1) from a numeric column in the database: `set stock = stock - 1`. */
export function decrement<V extends number | bigint = number>(n: V | number = 1): Increment<V> {
  const by = amount('decrement', n);
  return new Increment<V>(TOKEN, typeof by === 'bigint' ? -by : -by);
}

/**
 * The changes `updateWhere` applies: field → a value of its type (`null` where it allows it), or on a
 * numeric field `increment(n)` / `decrement(n)`.
 */
export type UpdateChanges<T> = {
  [K in FieldsOf<T>]?:
    | T[K]
    | ([NonNullable<T[K]>] extends [number] ? Increment<number> : never)
    | ([NonNullable<T[K]>] extends [bigint] ? Increment<bigint> : never);
};
