import { randomUUID } from 'node:crypto';
import {
  type ColumnType,
  type EntityMetadata,
  MappingError,
  metadataOf,
  type PropertyMetadata,
} from '@kosha/core';
import { BigIntType, EntitySchema } from '@mikro-orm/core';
import { SqliteBigIntType } from './sqlite-bigint-type.js';
import type { Dialect } from './url.js';
import { NOT_DELETED, softDeleteFilters } from './writes/soft-delete.js';
import { quietColumns } from './writes/touches-updated-at.js';

// EntitySchema's property type is keyed by the entity type, which only the user knows.
type SchemaProperty = Record<string, any>;

/**
 * MikroORM type of each neutral column type, chosen so every JavaScript value round-trips on SQLite,
 * PostgreSQL and MySQL/MariaDB: `float` is a double (a JS number is one), `datetime` keeps
 * milliseconds, `bigint` is a JS `bigint` and `decimal` an exact string.
 */
function columnType(p: PropertyMetadata, type: ColumnType, dialect: Dialect): SchemaProperty {
  const o = p.options;
  switch (type) {
    case 'string':
      return { type: 'string', length: o.length ?? 255 };
    case 'text':
      return { type: 'text' };
    case 'integer':
      return { type: 'integer' };
    case 'bigint':
      return {
        type: dialect === 'sqlite' ? new SqliteBigIntType() : new BigIntType('bigint'),
        runtimeType: 'bigint',
      };
    case 'float':
      return { type: 'double' };
    case 'decimal':
      return { type: 'decimal', precision: o.precision ?? 18, scale: o.scale ?? 2, runtimeType: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'date' };
    case 'datetime':
      // Three fractional digits: a JS Date has milliseconds, MySQL's DATETIME keeps none by default.
      // `Date` (MikroORM's runtime type), not the `datetime` custom type: on SQLite the custom type keeps a
      // Date in the loaded snapshot but compares epoch milliseconds, so every read was flushed as an UPDATE.
      return { type: 'Date', length: 3 };
    case 'json':
      return { type: 'json' };
    case 'uuid':
      return { type: 'uuid' };
    case 'enum': {
      const items = enumItems(p);
      return { enum: true, items, type: items.every((i) => typeof i === 'number') ? 'integer' : 'string' };
    }
  }
}

function enumItems(p: PropertyMetadata): (string | number)[] {
  const e = p.options.enum;
  if (Array.isArray(e) && e.length) return [...e];
  if (e && typeof e === 'object' && !Array.isArray(e)) {
    // A TypeScript numeric enum maps names to values and values back to names: keep the values only.
    const items = Object.entries(e)
      .filter(([k]) => !/^\d+$/.test(k))
      .map(([, v]) => v);
    if (items.length) return items;
  }
  throw new MappingError(
    `${p.name}: an enum column needs its values, e.g. @column({ type: 'enum', enum: ['draft', 'published'] }) or enum: MyEnum.`,
  );
}

/** The current time as a column of `type` holds it (`@createdAt`, `@updatedAt`, `@deletedAt`). */
export function now(type: ColumnType): () => unknown {
  if (type === 'date') return () => new Date().toISOString().slice(0, 10);
  if (type === 'integer') return () => Math.floor(Date.now() / 1000);
  if (type === 'bigint') return () => BigInt(Date.now());
  return () => new Date();
}

function scalar(meta: EntityMetadata, p: PropertyMetadata, dialect: Dialect): SchemaProperty {
  const type = p.type ?? 'string';
  let out: SchemaProperty;
  try {
    out = columnType(p, type, dialect);
  } catch (error) {
    if (error instanceof MappingError) throw new MappingError(`${meta.name}.${error.message}`);
    throw error;
  }
  out.fieldName = p.columnName;
  const o = p.options;
  if (o.nullable) out.nullable = true;
  if (o.unique) out.unique = true;
  if (o.index) out.index = true;
  if (o.default !== undefined) out.default = o.default;
  switch (p.kind) {
    case 'id':
      out.primary = true;
      out.autoincrement = o.autoincrement === true;
      // A uuid key the application did not set gets one, as `@id({ type: 'uuid' })` users expect.
      if (type === 'uuid' && !o.autoincrement) out.onCreate = () => randomUUID();
      break;
    case 'version':
      out.version = true;
      break;
    case 'createdAt':
      out.onCreate = now(type);
      break;
    case 'updatedAt':
      out.onCreate = now(type);
      // With `touchesUpdatedAt: false` columns, a subscriber decides (writes/touches-updated-at.ts).
      if (!quietColumns(meta, now(type))) out.onUpdate = now(type);
      break;
    case 'deletedAt':
      out.nullable = true;
      break;
  }
  return out;
}

function relation(meta: EntityMetadata, p: PropertyMetadata): SchemaProperty {
  const o = p.options;
  const entity = () => p.target!();
  if (p.kind === 'oneToMany') {
    if (!p.mappedBy)
      throw new MappingError(
        `${meta.name}.${p.name}: @oneToMany needs the owning @manyToOne property's name.`,
      );
    return { kind: '1:m', entity, mappedBy: p.mappedBy, eager: o.eager === true };
  }
  const out: SchemaProperty = {
    kind: 'm:1',
    entity,
    fieldName: p.columnName,
    ref: false,
    eager: o.eager === true,
  };
  if (o.nullable) out.nullable = true;
  if (o.primary) out.primary = true;
  if (o.inversedBy) out.inversedBy = o.inversedBy;
  // A reference to a soft-deleted row is still there: without this, MikroORM joins the relation to apply
  // the target's filter (`autoJoinRefsForFilters`) and the rows pointing at a deleted one vanish from
  // every query of the owning entity.
  if (metadataOf(p.target!()).deletedAt) out.filters = { [NOT_DELETED]: false };
  if (o.onDelete) out.deleteRule = o.onDelete;
  return out;
}

/**
 * Turns Kosha's neutral entity metadata into a MikroORM `EntitySchema` bound to the entity class, so
 * MikroORM instantiates and tracks the user's own classes.
 */
export function toEntitySchema(meta: EntityMetadata, dialect: Dialect): EntitySchema {
  const properties: Record<string, SchemaProperty> = {};
  for (const p of meta.properties) {
    properties[p.name] =
      p.kind === 'manyToOne' || p.kind === 'oneToMany' ? relation(meta, p) : scalar(meta, p, dialect);
  }
  const filters = softDeleteFilters(meta);
  return new EntitySchema<any>({
    class: meta.class as new () => object,
    tableName: meta.tableName,
    properties: properties as never,
    ...(filters ? { filters: filters as never } : {}),
  });
}
