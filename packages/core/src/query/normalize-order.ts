import { InvalidArgumentError } from '../errors.js';
import { holdsForeignKey } from '../mapping/key-mapping.js';
import { type EntityMetadata, isToMany, isToOne } from '../mapping/metadata.js';
import { describeValue } from './column-values.js';
import {
  comparedType,
  embeddedOf,
  isPlainObject,
  MAX_WHERE_DEPTH,
  type QueriedMetadata,
  queryProperty,
  targetOf,
} from './normalize-where.js';
import type { OrderNode } from './where-tree.js';

/**
 * Checks an `orderBy` (an object, or an array of objects, of field → `'asc' | 'desc'`, nested through
 * to-one relations) and returns its keys in order. Unknown fields are an `UnknownFieldError`, anything
 * else out of shape an `InvalidArgumentError`.
 */
export function normalizeOrderBy(meta: EntityMetadata, orderBy: unknown): OrderNode[] {
  const out: OrderNode[] = [];
  if (orderBy === undefined) return out;
  const parts = Array.isArray(orderBy) ? orderBy : [orderBy];
  for (const part of parts) collect(meta, meta.name, part, [], out, 0);
  return out;
}

function collect(
  meta: QueriedMetadata,
  label: string,
  orderBy: unknown,
  path: readonly string[],
  out: OrderNode[],
  depth: number,
): void {
  const at = path.length ? `${label}.${path.join('.')}` : label;
  if (!isPlainObject(orderBy) || depth > MAX_WHERE_DEPTH) {
    throw new InvalidArgumentError(
      `${at}: orderBy is an object of field → 'asc' | 'desc' (nested through a to-one relation), got ${describeValue(orderBy)}.`,
    );
  }
  for (const key of Object.keys(orderBy)) {
    const p = queryProperty(meta, key);
    const value = orderBy[key];
    const here = [...path, key];
    if (value === undefined) continue;
    if (isToMany(p)) {
      throw new InvalidArgumentError(
        `${label}.${here.join('.')} is a to-many relation: a query cannot order by it. Order by a field of the entity or of a to-one relation.`,
      );
    }
    if ((isToOne(p) || p.kind === 'embedded') && isPlainObject(value)) {
      collect(p.kind === 'embedded' ? embeddedOf(p) : targetOf(p), label, value, here, out, depth + 1);
      continue;
    }
    if (p.kind === 'embedded' || (isToOne(p) && !holdsForeignKey(p))) {
      const what =
        p.kind === 'embedded' ? 'an embedded value' : 'the inverse side of a @oneToOne (no column here)';
      throw new InvalidArgumentError(
        `${label}.${here.join('.')} is ${what}: order by one of its fields, e.g. { ${p.name}: { <field>: 'asc' } }.`,
      );
    }
    if (value !== 'asc' && value !== 'desc') {
      throw new InvalidArgumentError(
        `${label}.${here.join('.')}: order by 'asc' or 'desc', got ${describeValue(value)}.`,
      );
    }
    if (p.type === 'json') {
      throw new InvalidArgumentError(
        `${label}.${here.join('.')} is a json column: a query cannot order by it.`,
      );
    }
    if (out.some((o) => o.path.join('.') === here.join('.'))) {
      throw new InvalidArgumentError(`${label}: orderBy names ${here.join('.')} twice.`);
    }
    out.push({ path: here, direction: value, type: comparedType(p) });
  }
}

/**
 * Checks `populate` (relation paths such as `'author'`, `'author.profile'`) and returns the paths. A name
 * that is not a relation at its step is an `UnknownFieldError` (not a field) or `InvalidArgumentError`.
 */
export function normalizePopulate(meta: EntityMetadata, populate: unknown): string[] {
  if (populate === undefined) return [];
  if (!Array.isArray(populate)) {
    throw new InvalidArgumentError(
      `${meta.name}: populate is an array of relation paths such as ['author', 'author.profile'], got ${describeValue(populate)}.`,
    );
  }
  const out: string[] = [];
  for (const path of populate) {
    if (typeof path !== 'string' || path === '') {
      throw new InvalidArgumentError(
        `${meta.name}: populate takes relation paths (strings), got ${describeValue(path)}.`,
      );
    }
    let at = meta;
    for (const step of path.split('.')) {
      const p = queryProperty(at, step);
      if (!isToOne(p) && !isToMany(p)) {
        const what = p.kind === 'embedded' ? 'an embedded value (loaded with its row)' : 'a column';
        throw new InvalidArgumentError(
          `${meta.name}: populate ${JSON.stringify(path)} names ${at.name}.${step}, which is ${what}, not a relation.`,
        );
      }
      at = targetOf(p);
    }
    if (!out.includes(path)) out.push(path);
  }
  return out;
}

/**
 * Checks a `select` (field names of the entity, no relations through) and returns it with the primary
 * key's parts added: the key is always loaded, so the rows stay entities the session can track.
 */
export function normalizeSelect(meta: EntityMetadata, select: unknown): string[] | undefined {
  if (select === undefined) return undefined;
  if (!Array.isArray(select) || select.length === 0) {
    throw new InvalidArgumentError(
      `${meta.name}: select is a non-empty array of field names such as ['id', 'name'], got ${describeValue(select)}.`,
    );
  }
  const out = meta.primaryKeys.map((p) => p.name);
  for (const field of select) {
    if (typeof field !== 'string') {
      throw new InvalidArgumentError(`${meta.name}: select takes field names, got ${describeValue(field)}.`);
    }
    const p = queryProperty(meta, field);
    if (isToMany(p) || (isToOne(p) && !holdsForeignKey(p))) {
      const what = isToMany(p) ? 'a to-many relation' : 'the inverse side of a @oneToOne';
      throw new InvalidArgumentError(
        `${meta.name}.${field} is ${what}: select names columns; load relations with populate.`,
      );
    }
    if (!out.includes(field)) out.push(field);
  }
  return out;
}
