// The function `DbRepo#derive` returns: checks a call's arguments and runs it through the repository's own
// query methods (find, findOne, findPage, count, exists; deleteBy through the session's deleteWhere), so
// it is transactional, checked and bound exactly as they are. Nothing about the name is decided here.
import type { FindOneOptions, Page, Pageable, QueryOptions } from '../find-options.js';
import { isPlainObject } from '../normalize-where.js';
import type { OrderBy, Where } from '../where.js';
import { derivedCallErrors as errors } from './derived-errors.js';
import type { DerivedQuery } from './derived-query.js';

/** The query methods of the repository a derived method runs through. */
export interface DerivedHost<T> {
  find(options: QueryOptions<T>): Promise<T[]>;
  findOne(where: Where<T>, options: FindOneOptions<T>): Promise<T | null>;
  findPage(pageable: Pageable<T>, where?: Where<T>): Promise<Page<T>>;
  count(where: Where<T>): Promise<number>;
  exists(where: Where<T>): Promise<boolean>;
}

const FIND_OPTIONS = ['limit', 'offset', 'orderBy', 'populate'] as const;
const FIND_ONE_OPTIONS = ['orderBy', 'populate'] as const;

function optionsOf(
  label: string,
  value: unknown,
  allowed: readonly string[],
  shape: string,
): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw errors.options(label, shape, value);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw errors.optionKey(label, key, allowed);
  }
  return value;
}

/** The name's order first, then the call's (Spring appends a dynamic Sort to the name's OrderBy). */
function orderOf<T>(named: DerivedQuery['orderBy'], given: unknown): OrderBy<T> | undefined {
  if (given === undefined) return named as OrderBy<T> | undefined;
  if (named === undefined) return given as OrderBy<T>;
  return [named, ...(Array.isArray(given) ? given : [given])] as unknown as OrderBy<T>;
}

/**
 * The method of a derived query: `(…criteria, options?) => Promise<…>`. `deleteWhere` deletes the rows a
 * where matches, in a read-write transaction, and returns how many (the repository's own).
 */
export function derivedMethod<T>(
  query: DerivedQuery,
  label: string,
  host: DerivedHost<T>,
  deleteWhere: (where: Where<T>) => Promise<number>,
): (...args: unknown[]) => Promise<unknown> {
  const { kind, limit, orderBy: named } = query;
  const arity = query.parameters.length;
  const findShape =
    limit === undefined
      ? 'an options object { limit, offset, orderBy, populate } or a Pageable { page, size, sort }'
      : 'an options object { limit, offset, orderBy, populate }';
  const shape =
    kind === 'find' ? findShape : kind === 'findOne' ? 'an options object { orderBy, populate }' : undefined;

  const call = (args: unknown[]): Promise<unknown> => {
    if (args.length !== arity && !(shape && args.length === arity + 1)) {
      throw errors.arity(label, query.parameters, shape, args.length);
    }
    const where = query.where(args) as Where<T> | undefined;
    const given = args[arity];
    switch (kind) {
      case 'find': {
        if (limit === undefined && isPlainObject(given) && Object.hasOwn(given, 'page')) {
          const pageable = given as unknown as Pageable<T>;
          return host.findPage({ ...pageable, sort: orderOf<T>(named, pageable.sort) }, where);
        }
        const o = optionsOf(label, given, FIND_OPTIONS, findShape);
        // findTop<N>By: a smaller limit is taken, a larger one cannot raise N; a bad one reaches find's check.
        const asked = o.limit as number | undefined;
        const rows = limit === undefined || (asked !== undefined && !(asked >= limit)) ? asked : limit;
        return host.find({
          where,
          orderBy: orderOf<T>(named, o.orderBy),
          limit: rows,
          offset: o.offset as number | undefined,
          populate: o.populate as QueryOptions<T>['populate'],
        });
      }
      case 'findOne': {
        const o = optionsOf(label, given, FIND_ONE_OPTIONS, shape!);
        return host.findOne(where ?? {}, {
          orderBy: orderOf<T>(named, o.orderBy),
          populate: o.populate as FindOneOptions<T>['populate'],
        });
      }
      case 'count':
        return host.count(where!);
      case 'exists':
        return host.exists(where!);
      case 'delete':
        return deleteWhere(where!);
    }
  };
  const method = (...args: unknown[]): Promise<unknown> => {
    try {
      return call(args);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  Object.defineProperty(method, 'name', { value: query.name });
  return method;
}
