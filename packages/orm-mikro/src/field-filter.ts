import {
  type EntityClass,
  type EntityMetadata,
  type FieldFilter,
  holdsForeignKey,
  InvalidArgumentError,
  metadataOf,
  type PropertyMetadata,
  UnknownFieldError,
} from '@kosha/core';

const isScalarValue = (v: unknown) =>
  v === null ||
  ['string', 'number', 'bigint', 'boolean'].includes(typeof v) ||
  v instanceof Date ||
  v instanceof Uint8Array;

function property(meta: EntityMetadata, field: string): PropertyMetadata {
  const p = meta.fieldNames.has(field) ? meta.properties.find((q) => q.name === field) : undefined;
  if (!p) throw new UnknownFieldError(meta.name, field, [...meta.fieldNames]);
  return p;
}

function referenceKey(meta: EntityMetadata, p: PropertyMetadata, value: unknown): unknown {
  if (isScalarValue(value)) return value;
  const target = metadataOf(p.target!() as EntityClass<object>);
  const key = (value as Record<string, unknown>)[target.primaryKey.name];
  if (value instanceof target.class && isScalarValue(key) && key !== null) return key;
  throw new InvalidArgumentError(
    `${meta.name}.${p.name} is compared with ${describe(value)}: pass a ${target.name} with its ${target.primaryKey.name}, or the ${target.primaryKey.name} itself.`,
  );
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  return v === null || typeof v !== 'object' ? typeof v : `an object (${v.constructor?.name ?? 'Object'})`;
}

/**
 * Turns a built-in finder's filter (property → value, all equal) into a MikroORM where-clause. Every
 * value must be one value of the column's kind: an object such as `{ $ne: null }` is refused, never read
 * as a query operator, so request input passed to `findByField` cannot widen the query.
 */
export function toWhere(entity: EntityClass, where: FieldFilter | undefined): Record<string, unknown> {
  const meta = metadataOf(entity);
  const out: Record<string, unknown> = {};
  for (const [field, raw] of Object.entries(where ?? {})) {
    const p = property(meta, field);
    const value = raw === undefined ? null : raw;
    if (holdsForeignKey(p)) {
      out[field] = referenceKey(meta, p, value);
      continue;
    }
    if (p.type === 'json') {
      throw new InvalidArgumentError(
        `${meta.name}.${field} is a json column, which the built-in finders cannot compare. Query it with this.em (MikroORM's JSON queries).`,
      );
    }
    if (!isScalarValue(value)) {
      throw new InvalidArgumentError(
        `${meta.name}.${field} is compared with ${describe(value)}, but the built-in finders compare with one value ` +
          '(objects such as { $ne: … } are not query operators here). Use this.em for richer queries.',
      );
    }
    out[field] = value;
  }
  return out;
}

/** Validates an `orderBy` of the built-in finders against the entity's fields. */
export function toOrderBy(
  entity: EntityClass,
  orderBy: Readonly<Record<string, 'asc' | 'desc'>> | undefined,
): Record<string, 'asc' | 'desc'> | undefined {
  if (!orderBy) return undefined;
  const meta = metadataOf(entity);
  const out: Record<string, 'asc' | 'desc'> = {};
  for (const [field, direction] of Object.entries(orderBy)) {
    property(meta, field);
    if (direction !== 'asc' && direction !== 'desc') {
      throw new InvalidArgumentError(
        `${meta.name}: order ${field} by 'asc' or 'desc', got ${JSON.stringify(direction)}.`,
      );
    }
    out[field] = direction;
  }
  return out;
}
