// From DbRepo's query arguments to the checked QuerySpec a backend runs: every check happens here,
// before a transaction opens or any SQL runs.
import { InvalidArgumentError } from '../errors.js';
import { type EntityMetadata, isToOne } from '../mapping/metadata.js';
import type { QuerySpec } from '../orm/orm-backend.js';
import { flag, lockSpec } from '../write/prepare-writes.js';
import { describeValue } from './column-values.js';
import { decodeCursor, encodeCursor, keyValue } from './cursor.js';
import { MAX_PAGE_SIZE, type Page, type Slice } from './find-options.js';
import { normalizeOrderBy, normalizePopulate, normalizeSelect } from './normalize-order.js';
import { comparedType, isPlainObject, normalizeWhere, targetOf } from './normalize-where.js';
import type { OrderNode, WhereNode } from './where-tree.js';

const READ_OPTIONS = ['withDeleted', 'lock', 'skipLocked', 'noWait'] as const;

/** `withDeleted` and the lock options of a read, checked (present keys only). */
function readParts(what: string, o: Record<string, unknown>): Pick<QuerySpec, 'withDeleted' | 'lock'> {
  const withDeleted = flag(what, 'withDeleted', o.withDeleted);
  const lock = lockSpec(what, o);
  return { ...(withDeleted ? { withDeleted } : {}), ...(lock ? { lock } : {}) };
}

/** The `{ withDeleted }` options of count, exists, findPage and findSlice, checked. */
export function deletedOption(what: string, given: unknown): boolean | undefined {
  return flag(what, 'withDeleted', options(what, given, ['withDeleted']).withDeleted);
}

/** A whole number in `[min, max]`, or an InvalidArgumentError naming `what`. */
export function wholeNumber(
  where: string,
  what: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new InvalidArgumentError(
      `${where}: ${what} must be a whole number ${range}, got ${describeValue(value)}.`,
    );
  }
  return value;
}

function options(where: string, value: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new InvalidArgumentError(`${where} takes an options object, got ${describeValue(value)}.`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError(
        `${where}: unknown option ${JSON.stringify(key)}; the options are ${allowed.join(', ')}.`,
      );
    }
  }
  return value;
}

/**
 * The order with the primary key's parts added as its last keys (those not already among them), so that no
 * two rows tie. A relation part orders by its foreign key.
 */
function withPrimaryKey(meta: EntityMetadata, order: OrderNode[]): OrderNode[] {
  const missing = meta.primaryKeys.filter(
    (p) => !order.some((o) => o.path.length === 1 && o.path[0] === p.name),
  );
  if (missing.length === 0) return order;
  return [
    ...order,
    ...missing.map((p) => ({ path: [p.name], direction: 'asc' as const, type: comparedType(p) })),
  ];
}

/** The spec of `find(options)`; `null` when `limit` is 0 (no rows, no SQL). */
export function findSpec(meta: EntityMetadata, given: unknown): QuerySpec | null {
  const what = `${meta.name}.find`;
  const o = options(what, given, [
    'where',
    'orderBy',
    'limit',
    'offset',
    'select',
    'populate',
    ...READ_OPTIONS,
  ]);
  const limit = o.limit === undefined ? undefined : wholeNumber(what, 'limit', o.limit, 0);
  const offset = o.offset === undefined ? undefined : wholeNumber(what, 'offset', o.offset, 0);
  let orderBy = normalizeOrderBy(meta, o.orderBy);
  // Paging without an order would page through whatever order the database picks.
  if (orderBy.length === 0 && (limit !== undefined || offset !== undefined))
    orderBy = withPrimaryKey(meta, []);
  const spec: QuerySpec = {
    where: normalizeWhere(meta, o.where),
    orderBy,
    limit,
    offset,
    select: normalizeSelect(meta, o.select),
    populate: normalizePopulate(meta, o.populate),
    ...readParts(what, o),
  };
  return limit === 0 ? null : spec;
}

/** The spec of `findOne(where, options)`: the first row by `orderBy`, else by primary key. */
export function findOneSpec(meta: EntityMetadata, where: unknown, given: unknown): QuerySpec {
  const what = `${meta.name}.findOne`;
  if (where === undefined) {
    throw new InvalidArgumentError(
      `${what} takes a where condition: findOne({ email }). For any row, use find({ limit: 1 }).`,
    );
  }
  const o = options(what, given, ['orderBy', 'select', 'populate', ...READ_OPTIONS]);
  return {
    where: normalizeWhere(meta, where),
    orderBy: withPrimaryKey(meta, normalizeOrderBy(meta, o.orderBy)),
    limit: 1,
    select: normalizeSelect(meta, o.select),
    populate: normalizePopulate(meta, o.populate),
    ...readParts(what, o),
  };
}

/** A page request checked, and the spec of its rows. */
export function pageSpec(meta: EntityMetadata, pageable: unknown, where: unknown, extra?: unknown) {
  const what = `${meta.name}.findPage`;
  const withDeleted = deletedOption(what, extra);
  const o = options(what, pageable, ['page', 'size', 'sort']);
  const page = wholeNumber(what, 'page', o.page, 0);
  const size = wholeNumber(what, 'size', o.size, 1, MAX_PAGE_SIZE);
  const offset = page * size;
  if (!Number.isSafeInteger(offset)) wholeNumber(what, 'page × size', offset, 0);
  const filter = normalizeWhere(meta, where);
  const spec: QuerySpec = {
    where: filter,
    orderBy: withPrimaryKey(meta, normalizeOrderBy(meta, o.sort)),
    limit: size,
    offset,
    ...(withDeleted ? { withDeleted } : {}),
  };
  return { spec, where: filter, page, size, offset, withDeleted };
}

/** A page from its rows and (when they do not tell it) the count. */
export function pageOf<T>(items: T[], total: number, page: number, size: number): Page<T> {
  const totalPages = Math.ceil(total / size);
  return { items, total, page, size, totalPages, hasNext: page + 1 < totalPages };
}

/** The total a page's rows tell without a count: a short page that is not empty, or a short first page. */
export function totalFromRows(count: number, offset: number, size: number): number | undefined {
  if (count < size && (count > 0 || offset === 0)) return offset + count;
  return undefined;
}

/** A slice request checked, and the spec of its rows (one more than the size: is there a next?). */
export function sliceSpec(meta: EntityMetadata, request: unknown, where: unknown, extra?: unknown) {
  const what = `${meta.name}.findSlice`;
  const withDeleted = deletedOption(what, extra);
  const o = options(what, request, ['size', 'sort', 'after']);
  const size = wholeNumber(what, 'size', o.size, 1, MAX_PAGE_SIZE);
  const keys = withPrimaryKey(meta, normalizeOrderBy(meta, o.sort));
  for (const key of keys) {
    if (key.path.length > 1) {
      throw new InvalidArgumentError(
        `${what}: sort by the entity's own fields (a cursor holds their values), not through ${key.path.join('.')}. Use findPage to sort through a relation.`,
      );
    }
  }
  const filter: WhereNode = normalizeWhere(meta, where);
  const after =
    o.after === undefined || o.after === null ? undefined : { keys: decodeCursor(meta, keys, o.after) };
  const spec: QuerySpec = {
    where: filter,
    after,
    orderBy: keys,
    limit: size + 1,
    ...(withDeleted ? { withDeleted } : {}),
  };
  return { spec, keys, size };
}

/** A slice from up to `size + 1` rows: the extra row only says that another slice follows. */
export function sliceOf<T extends object>(
  meta: EntityMetadata,
  keys: readonly OrderNode[],
  rows: T[],
  size: number,
): Slice<T> {
  if (rows.length <= size) return { items: rows, next: null };
  const items = rows.slice(0, size);
  const last = items[items.length - 1]!;
  const values = keys.map((key) => {
    const p = meta.properties.find((q) => q.name === key.path[0])!;
    return keyValue(last, key, isToOne(p) ? targetOf(p).primaryKey.name : undefined);
  });
  return { items, next: encodeCursor(meta, keys, values) };
}
