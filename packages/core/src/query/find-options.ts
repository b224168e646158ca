// The options and results of DbRepo's queries: find, findOne, findPage (Page), findSlice (Slice).
import type { FieldsOf, PrimaryKeyOf } from '../mapping/entity-types.js';
import type { LockOptions, WithDeletedOption } from '../write/write-options.js';
import type { OrderBy, Populate, Where } from './where.js';

/**
 * The rows `find` returns for a `select` of `K`: the whole entity without one, else `Pick<T, K>` and the
 * primary key (always loaded, so the rows stay entities the session tracks).
 */
export type Selected<T, K extends FieldsOf<T>> = [FieldsOf<T>] extends [K] ? T : Pick<T, K | PrimaryKeyOf<T>>;

/**
 * What `DbRepo#find` is asked for.
 *
 * ```ts
 * await users.find({ where: { status: 'active' }, orderBy: { name: 'asc' }, limit: 20, offset: 40 });
 * await users.find({ select: ['id', 'name'] }); // Pick<User, 'id' | 'name'>[]
 * ```
 */
export interface QueryOptions<T, K extends FieldsOf<T> = FieldsOf<T>> extends LockOptions, WithDeletedOption {
  /** The condition rows must match; none: every row. */
  where?: Where<T> | undefined;
  /** The order: field → `'asc' | 'desc'`, first key first, through to-one relations. Several objects: in turn. */
  orderBy?: OrderBy<T> | readonly OrderBy<T>[] | undefined;
  /** Rows to return at most (a whole number ≥ 0). */
  limit?: number | undefined;
  /** Rows to skip (a whole number ≥ 0). Without `orderBy`, paging orders by the primary key. */
  offset?: number | undefined;
  /** The fields to load (the primary key is always loaded); the rows are typed `Pick<T, …>`. */
  select?: readonly K[] | undefined;
  /** Relations to load with the rows: `['author', 'author.profile']`. */
  populate?: readonly Populate<T>[] | undefined;
}

/** What `DbRepo#findOne` is asked for besides its condition. */
export type FindOneOptions<T, K extends FieldsOf<T> = FieldsOf<T>> = Pick<
  QueryOptions<T, K>,
  'orderBy' | 'select' | 'populate' | 'withDeleted' | 'lock' | 'skipLocked' | 'noWait'
>;

/**
 * A page request (Spring's `Pageable`): the page number from 0, its size, and the order (the primary key
 * is added as the last key, so rows that tie keep one order from page to page).
 */
export interface Pageable<T> {
  /** The page, from 0. */
  page: number;
  /** Rows per page, 1 to {@link MAX_PAGE_SIZE}. */
  size: number;
  /** The order; none: by primary key. */
  sort?: OrderBy<T> | undefined;
}

/** One page of rows and where it stands among all of them. */
export interface Page<T> {
  /** The rows of this page. */
  readonly items: T[];
  /** How many rows match in all. */
  readonly total: number;
  /** This page's number, from 0. */
  readonly page: number;
  /** The page size asked for. */
  readonly size: number;
  /** How many pages there are (`ceil(total / size)`). */
  readonly totalPages: number;
  /** True when a page follows this one. */
  readonly hasNext: boolean;
}

/**
 * A keyset slice request: the size, the order (on the entity's own columns; the primary key is added as
 * the last key), and `after`, the `next` cursor of the slice before (none: the first slice).
 */
export interface SliceRequest<T> {
  /** Rows per slice, 1 to {@link MAX_PAGE_SIZE}. */
  size: number;
  /** The order, on the entity's own fields; none: by primary key. */
  sort?: OrderBy<T> | undefined;
  /** The cursor of the previous slice (`slice.next`); none or `null`: the first slice. */
  after?: string | null | undefined;
}

/** One keyset slice: its rows, and the cursor of the next (`null` when this is the last). */
export interface Slice<T> {
  /** The rows of this slice. */
  readonly items: T[];
  /** An opaque cursor for `findSlice({ …, after: next })`; `null` when no row follows. */
  readonly next: string | null;
}

/** The largest `size` of a page or a slice. */
export const MAX_PAGE_SIZE = 1000;
