// Core's normalized where tree → MikroORM's FilterQuery. Only this file writes MikroORM operators ($in,
// $some…), and only from the tree, whose fields and values core has checked: no object of a user's ever
// reaches MikroORM as an operator. Text comparisons that databases disagree on become SQL fragments
// (text-sql.ts) whose values are parameters.
import {
  type CompareNode,
  type EntityMetadata,
  embeddedOf,
  isToOne,
  LIKE_ESCAPE,
  type PropertyMetadata,
  type QueriedMetadata,
  queryProperty,
  targetOf,
  type WhereNode,
} from '@kosha/core';
import { raw } from '@mikro-orm/core';
import { equalityIsExact, exact, foldAscii, foldCase, orderIsExact, type TextSqlTarget } from './text-sql.js';

/** A MikroORM where-clause, as this module builds it. */
export type Filter = Record<PropertyKey, unknown>;

/** What the translation needs from its session. */
export interface FilterTarget extends TextSqlTarget {
  /** The platform's identifier quoting (`"name"`, `` `name` ``). */
  quoteIdentifier(id: string): string;
}

// MikroORM drops an empty object inside $or/$not/$and, so "always" and "never" are explicit.
const NOTHING = (): Filter => ({ [raw('1 = 0')]: [] });
const EVERYTHING = (): Filter => ({ [raw('1 = 1')]: [] });
const TEXT_TYPES = new Set(['string', 'text', 'enum']);

/**
 * True when the comparison is of text with text values (not a null check), the ones whose SQL
 * {@link textSql} may write. A path ending at a to-one relation compares its key: the caller excludes it.
 */
export function comparesText(node: CompareNode): boolean {
  if (!TEXT_TYPES.has(node.type) || node.op === 'isNull' || node.op === 'isNotNull') return false;
  const v = node.value;
  return Array.isArray(v) ? v.every((x) => typeof x === 'string') : typeof v === 'string';
}

/** `cond` at the end of `path`: `{ author: { username: cond } }` (a path of none: `cond` itself). */
function nest(path: readonly string[], cond: unknown): Filter {
  let out = cond;
  for (let i = path.length - 1; i >= 0; i--) out = { [path[i]!]: out };
  return out as Filter;
}

/** Where a path ends: its property, its column, and how many of its steps are to-one relations. */
interface Leaf {
  readonly property: PropertyMetadata;
  /** The column's name in the row of the last relation's entity (an embedded one carries its prefix). */
  readonly column: string;
  /** The steps that are relations: the raw SQL of a text comparison is nested under these. */
  readonly relations: readonly string[];
}

/** The property a path ends at, walking the to-one relations and embedded values before it. */
function leaf(meta: EntityMetadata, path: readonly string[]): Leaf {
  let at: QueriedMetadata = meta;
  let p = queryProperty(at, path[0]!);
  let prefix = '';
  const relations: string[] = [];
  for (let i = 1; i < path.length; i++) {
    if (p.kind === 'embedded') {
      prefix += p.columnName ?? '';
      at = embeddedOf(p);
    } else {
      relations.push(p.name);
      prefix = '';
      at = targetOf(p);
    }
    p = queryProperty(at, path[i]!);
  }
  return { property: p, column: `${prefix}${p.columnName ?? ''}`, relations };
}

/**
 * Conditions that must all hold, as MikroORM reads them fastest: one object when no two of them use the
 * same key (`{ status: 'active', age: { $gte: 30 } }`, what `em.find` is usually given; MikroORM ANDs an
 * object's keys), else `$and`, whose extra criteria nodes cost it about 10 % of a simple query's CPU.
 */
function allOf(parts: Filter[]): Filter {
  if (parts.length === 1) return parts[0]!;
  const merged: Filter = {};
  for (const part of parts) {
    for (const key of Reflect.ownKeys(part)) {
      if (Object.hasOwn(merged, key)) return { $and: parts };
      merged[key] = part[key];
    }
  }
  return merged;
}

/** The SQL of the tree's plain comparisons. */
export const SQL_OPS = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
const MIKRO_OPS = { ne: '$ne', gt: '$gt', gte: '$gte', lt: '$lt', lte: '$lte' } as const;

class Translation {
  constructor(private readonly target: FilterTarget) {}

  node(meta: EntityMetadata, node: WhereNode): Filter {
    switch (node.kind) {
      case 'and':
        return node.items.length === 0 ? EVERYTHING() : allOf(node.items.map((n) => this.node(meta, n)));
      case 'or':
        return node.items.length === 0 ? NOTHING() : { $or: node.items.map((n) => this.node(meta, n)) };
      case 'not':
        return { $not: this.node(meta, node.item) };
      case 'some': {
        const relation = leaf(meta, node.path).property;
        return nest(node.path, { $some: this.node(targetOf(relation), node.where) });
      }
      case 'cmp':
        return this.compare(meta, node);
    }
  }

  private compare(meta: EntityMetadata, node: CompareNode): Filter {
    const { path, op, value } = node;
    if (op === 'isIn' && (value as unknown[]).length === 0) return NOTHING();
    if (op === 'notIn' && (value as unknown[]).length === 0) return EVERYTHING();
    const end = leaf(meta, path);
    const text = !isToOne(end.property) && comparesText(node);
    if (text) {
      const sql = textSql(this.target, node, end.column);
      if (sql) return nest(end.relations, { [raw(sql.sql, sql.params)]: [] });
    }
    return nest(path, this.native(node));
  }

  /** MikroORM's own operators: exact on every database for these types. */
  private native(node: CompareNode): unknown {
    const { op, value } = node;
    switch (op) {
      case 'eq':
        return value;
      case 'ne':
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        return { [MIKRO_OPS[op]]: value };
      case 'between': {
        const [low, high] = value as [unknown, unknown];
        return { $gte: low, $lte: high };
      }
      case 'isIn':
        return { $in: value };
      case 'notIn':
        return { $nin: value };
      case 'isNull':
        return null;
      case 'isNotNull':
        return { $ne: null };
      case 'like':
        throw new TypeError('like compares text columns only');
    }
  }
}

/**
 * The SQL of a text comparison the database's own operators would get wrong (see text-sql.ts), as a
 * function of the table alias of the column's entity, with `?` for each of `params`; `undefined` when the
 * database's operators get it right.
 */
export function textSql(
  t: FilterTarget,
  node: CompareNode,
  columnName: string,
): { sql: (alias: string) => string; params: unknown[] } | undefined {
  const { op, ignoreCase } = node;
  const column = (alias: string) => `${alias}.${t.quoteIdentifier(columnName)}`;
  const fold = (v: unknown) => (ignoreCase ? foldAscii(v as string) : v);
  const compared = (alias: string) => (ignoreCase ? foldCase(t, column(alias)) : exact(t, column(alias)));
  const list = (n: number) => Array.from({ length: n }, () => '?').join(', ');
  switch (op) {
    case 'like':
      return { sql: (a) => `${compared(a)} like ? escape ?`, params: [fold(node.value), LIKE_ESCAPE] };
    case 'eq':
    case 'ne':
      if (!ignoreCase && equalityIsExact(t)) return undefined;
      if (!ignoreCase && op === 'eq') {
        // The plain `=` lets the column's index narrow the rows; the binary one decides.
        return {
          sql: (a) => `(${column(a)} = ? and ${compared(a)} = ?)`,
          params: [node.value, node.value],
        };
      }
      return { sql: (a) => `${compared(a)} ${SQL_OPS[op]} ?`, params: [fold(node.value)] };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (orderIsExact(t)) return undefined;
      return { sql: (a) => `${compared(a)} ${SQL_OPS[op]} ?`, params: [node.value] };
    case 'between':
      if (orderIsExact(t)) return undefined;
      return { sql: (a) => `${compared(a)} between ? and ?`, params: [...(node.value as unknown[])] };
    case 'isIn': {
      if (equalityIsExact(t)) return undefined;
      const values = node.value as unknown[];
      const n = list(values.length);
      return {
        sql: (a) => `(${column(a)} in (${n}) and ${compared(a)} in (${n}))`,
        params: [...values, ...values],
      };
    }
    case 'notIn': {
      if (equalityIsExact(t)) return undefined;
      const values = node.value as unknown[];
      return { sql: (a) => `${compared(a)} not in (${list(values.length)})`, params: [...values] };
    }
    default:
      return undefined;
  }
}

/** The MikroORM where-clause of a normalized condition on `meta`'s entity. */
export function toFilterQuery(meta: EntityMetadata, node: WhereNode, target: FilterTarget): Filter {
  if (node.kind === 'and' && node.items.length === 0) return {};
  return new Translation(target).node(meta, node);
}
