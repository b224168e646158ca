// The normalized where tree: what `normalizeWhere` makes of a user's `Where` and what a backend turns into
// its own query. Every field in it was checked against the entity's metadata and every value against its
// column's type, so a backend never sees a user's object as an operator.
import type { ColumnType } from '../mapping/metadata.js';
import type { Direction } from './where.js';

/**
 * The comparisons of the tree. `ilike`, `startsWith`, `endsWith` and `contains` arrive as `like` (with
 * `ignoreCase`, and the literal text escaped with `\`); `eq(null)` / `ne(null)` as `isNull` / `isNotNull`.
 */
export type CompareOp =
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
  | 'isNull'
  | 'isNotNull';

/**
 * One comparison of a column with bound values. `path` names properties from the queried entity: every
 * step but the last a to-one relation (`['author', 'username']`) or an `@embedded` value (`['address',
 * 'city']`, the last but one). A path ending at a to-one relation compares the target's primary key
 * (`value` is the key): the foreign key of a `@manyToOne` or owning `@oneToOne`, the joined row's key of an
 * inverse `@oneToOne`.
 */
export interface CompareNode {
  readonly kind: 'cmp';
  /** Property names, through to-one relations and embedded values. */
  readonly path: readonly string[];
  /** The comparison. */
  readonly op: CompareOp;
  /**
   * The operand: one value (`eq`…`lte`), `[low, high]` (`between`), an array (`isIn`, `notIn`), a LIKE
   * pattern escaped with `\` (`like`), `undefined` (`isNull`, `isNotNull`).
   */
  readonly value: unknown;
  /** Compare text case-insensitively (`eq`, `ne`, `like`). */
  readonly ignoreCase: boolean;
  /** The compared column's type (for a path ending at a to-one relation: the target key's type). */
  readonly type: ColumnType;
}

/**
 * Some row of a to-many relation matches `where` (SQL `exists`). `path` names the relation, through
 * to-one relations (`['author', 'posts']`); `where` is relative to the relation's target.
 */
export interface SomeNode {
  readonly kind: 'some';
  /** Property names: to-one relations, then the to-many relation. */
  readonly path: readonly string[];
  /** The condition on the related rows. */
  readonly where: WhereNode;
}

/** Every item holds; with no items, always true. */
export interface AndNode {
  readonly kind: 'and';
  readonly items: readonly WhereNode[];
}

/** At least one item holds; with no items, always false. */
export interface OrNode {
  readonly kind: 'or';
  readonly items: readonly WhereNode[];
}

/** The item does not hold (SQL `not`: NULL stays NULL). */
export interface NotNode {
  readonly kind: 'not';
  readonly item: WhereNode;
}

/** A normalized, validated where condition. */
export type WhereNode = AndNode | OrNode | NotNode | CompareNode | SomeNode;

/** One key of a normalized order: a column (through to-one relations) and its direction. */
export interface OrderNode {
  /** Property names, through to-one relations, ending at a scalar (or a to-one relation's foreign key). */
  readonly path: readonly string[];
  /** The direction. */
  readonly direction: Direction;
  /** The column's type. */
  readonly type: ColumnType;
}

/** One sort key of a {@link Keyset}, with the value of the row the page continues after. */
export interface KeysetKey extends OrderNode {
  /** The value of that column in the last row already returned (`null` for NULL). */
  readonly value: unknown;
}

/**
 * Keyset paging: only rows that sort strictly after the given values, in the order of `keys` (the query's
 * `orderBy`, the primary key last, so no two rows tie). The backend compares as its `ORDER BY` sorts (the
 * column's collation, and NULLs where that database puts them), so that walking the pages returns every
 * row once.
 */
export interface Keyset {
  readonly keys: readonly KeysetKey[];
}
