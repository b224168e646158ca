// The vocabulary of derived query method names (Spring Data's, with its aliases). One table for the
// parser and for the types (`types.ts` reads `typeof DERIVED_KEYWORDS`), so the two cannot drift apart.

/**
 * What a derived predicate does with its field. Each maps onto one operator function: `notLike` and
 * `notContains` are `not({ field: like(…) })` / `not({ field: contains(…) })`, `true`/`false` compare with
 * the boolean.
 */
export type DerivedOperator =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'between'
  | 'isIn'
  | 'notIn'
  | 'like'
  | 'notLike'
  | 'startsWith'
  | 'endsWith'
  | 'contains'
  | 'notContains'
  | 'isNull'
  | 'isNotNull'
  | 'true'
  | 'false';

/**
 * The keyword after a field → its operator. The empty keyword is equality (`findByEmail`). `Is` in front
 * is optional where Spring allows it (`IsLessThan` = `LessThan`).
 */
export const DERIVED_KEYWORDS = {
  '': 'eq',
  Is: 'eq',
  Equals: 'eq',
  Not: 'ne',
  IsNot: 'ne',
  LessThan: 'lt',
  IsLessThan: 'lt',
  LessThanEqual: 'lte',
  IsLessThanEqual: 'lte',
  GreaterThan: 'gt',
  IsGreaterThan: 'gt',
  GreaterThanEqual: 'gte',
  IsGreaterThanEqual: 'gte',
  Between: 'between',
  IsBetween: 'between',
  In: 'isIn',
  IsIn: 'isIn',
  NotIn: 'notIn',
  IsNotIn: 'notIn',
  Like: 'like',
  IsLike: 'like',
  NotLike: 'notLike',
  IsNotLike: 'notLike',
  StartingWith: 'startsWith',
  IsStartingWith: 'startsWith',
  StartsWith: 'startsWith',
  EndingWith: 'endsWith',
  IsEndingWith: 'endsWith',
  EndsWith: 'endsWith',
  Containing: 'contains',
  IsContaining: 'contains',
  Contains: 'contains',
  NotContaining: 'notContains',
  IsNotContaining: 'notContains',
  NotContains: 'notContains',
  IsNull: 'isNull',
  Null: 'isNull',
  IsNotNull: 'isNotNull',
  NotNull: 'isNotNull',
  True: 'true',
  IsTrue: 'true',
  False: 'false',
  IsFalse: 'false',
} as const satisfies Record<string, DerivedOperator>;

/** A keyword of {@link DERIVED_KEYWORDS}. */
export type DerivedKeyword = keyof typeof DERIVED_KEYWORDS;

/** The words after a predicate's keyword that make it case-insensitive. */
export const IGNORE_CASE_WORDS = ['IgnoreCase', 'IgnoringCase'] as const;

/** Which fields an operator applies to. */
export type OperandKind =
  /** Scalar columns and to-one relations (compared by key). */
  | 'value'
  /** Scalar columns whose values are ordered: not booleans, not relations. */
  | 'ordered'
  /** Text columns (`string`, `text`, string enums). */
  | 'text'
  /** Boolean columns. */
  | 'boolean'
  /** Any column or to-one relation, json included. */
  | 'nullable';

/** How many arguments each operator takes, what it applies to, whether `IgnoreCase` may follow it. */
export const OPERATOR_RULES = {
  eq: { args: 1, operand: 'value', ignoreCase: true },
  ne: { args: 1, operand: 'value', ignoreCase: true },
  lt: { args: 1, operand: 'ordered', ignoreCase: false },
  lte: { args: 1, operand: 'ordered', ignoreCase: false },
  gt: { args: 1, operand: 'ordered', ignoreCase: false },
  gte: { args: 1, operand: 'ordered', ignoreCase: false },
  between: { args: 2, operand: 'ordered', ignoreCase: false },
  isIn: { args: 1, operand: 'value', ignoreCase: false },
  notIn: { args: 1, operand: 'value', ignoreCase: false },
  like: { args: 1, operand: 'text', ignoreCase: true },
  notLike: { args: 1, operand: 'text', ignoreCase: true },
  startsWith: { args: 1, operand: 'text', ignoreCase: true },
  endsWith: { args: 1, operand: 'text', ignoreCase: true },
  contains: { args: 1, operand: 'text', ignoreCase: true },
  notContains: { args: 1, operand: 'text', ignoreCase: true },
  isNull: { args: 0, operand: 'nullable', ignoreCase: false },
  isNotNull: { args: 0, operand: 'nullable', ignoreCase: false },
  true: { args: 0, operand: 'boolean', ignoreCase: false },
  false: { args: 0, operand: 'boolean', ignoreCase: false },
} as const satisfies Record<
  DerivedOperator,
  { readonly args: 0 | 1 | 2; readonly operand: OperandKind; readonly ignoreCase: boolean }
>;

/** The keywords longest first: the parser tries them in this order. */
export const KEYWORDS_LONGEST_FIRST: readonly DerivedKeyword[] = (
  Object.keys(DERIVED_KEYWORDS) as DerivedKeyword[]
).sort((a, b) => b.length - a.length);
