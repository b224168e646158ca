import { randomUUID } from 'node:crypto';
import {
  type ColumnType,
  type EmbeddableMetadata,
  type EntityMetadata,
  embeddableMetadataOf,
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
  return () => timeAs(type, Date.now());
}

/** `ms` (milliseconds since the epoch) as a column of `type` holds it. */
function timeAs(type: ColumnType, ms: number): unknown {
  if (type === 'date') return new Date(ms).toISOString().slice(0, 10);
  if (type === 'integer') return Math.floor(ms / 1000);
  if (type === 'bigint') return BigInt(ms);
  return new Date(ms);
}

// The instant a new entity (or upsert row) was stamped at, so that its `@createdAt` and `@updatedAt` hold the
// same time, as Spring Data's auditing sets both from one `now` — two clock reads can be a millisecond apart.
const stamps = new WeakMap<object, number>();

/** `onCreate` of `@createdAt` / `@updatedAt` on an entity that has both: one instant per entity. */
function stampedNow(type: ColumnType): (entity: unknown) => unknown {
  return (entity) => {
    if (entity === null || typeof entity !== 'object') return timeAs(type, Date.now());
    let ms = stamps.get(entity);
    if (ms === undefined) {
      ms = Date.now();
      stamps.set(entity, ms);
    }
    return timeAs(type, ms);
  };
}

function hasBothStamps(meta: EntityMetadata | EmbeddableMetadata): boolean {
  return (
    meta.properties.some((p) => p.kind === 'createdAt') && meta.properties.some((p) => p.kind === 'updatedAt')
  );
}

function scalar(
  meta: EntityMetadata | EmbeddableMetadata,
  p: PropertyMetadata,
  dialect: Dialect,
): SchemaProperty {
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
      out.onCreate = hasBothStamps(meta) ? stampedNow(type) : now(type);
      break;
    case 'updatedAt':
      out.onCreate = hasBothStamps(meta) ? stampedNow(type) : now(type);
      // With `touchesUpdatedAt: false` columns, a subscriber decides (writes/touches-updated-at.ts).
      // (An @embeddable has no @updatedAt: resolve-relations refuses anything but @column there.)
      if (!('tableName' in meta) || !quietColumns(meta, now(type))) out.onUpdate = now(type);
      break;
    case 'deletedAt':
      out.nullable = true;
      break;
  }
  return out;
}

// MikroORM's cascade names are Kosha's; its default is the same (persist).
function cascade(p: PropertyMetadata): SchemaProperty {
  const out: SchemaProperty = {};
  if (p.options.cascade) out.cascade = [...p.options.cascade];
  return out;
}

function relation(meta: EntityMetadata, p: PropertyMetadata): SchemaProperty {
  const o = p.options;
  const entity = () => p.target!();
  const eager = o.eager === true;
  switch (p.kind) {
    case 'oneToMany':
      if (!p.mappedBy)
        throw new MappingError(
          `${meta.name}.${p.name}: @oneToMany needs the owning @manyToOne property's name.`,
        );
      return {
        kind: '1:m',
        entity,
        mappedBy: p.mappedBy,
        eager,
        ...cascade(p),
        ...(o.orphanRemoval ? { orphanRemoval: true } : {}),
      };
    case 'manyToMany':
      if (!p.owner) return { kind: 'm:n', entity, mappedBy: p.mappedBy, eager, ...cascade(p) };
      return {
        kind: 'm:n',
        entity,
        owner: true,
        eager,
        ...(p.inversedBy ? { inversedBy: p.inversedBy } : {}),
        ...(o.table ? { pivotTable: o.table } : {}),
        ...cascade(p),
      };
    case 'oneToOne':
      // The inverse side has no column; a row may have no counterpart, so it is always nullable.
      if (!p.owner) return { kind: '1:1', entity, mappedBy: p.mappedBy, nullable: true, ref: false, eager };
      return foreignKey(
        { kind: '1:1', owner: true, entity, ...(p.inversedBy ? { inversedBy: p.inversedBy } : {}) },
        p,
      );
    default:
      return foreignKey({ kind: 'm:1', entity, ...(o.inversedBy ? { inversedBy: o.inversedBy } : {}) }, p);
  }
}

/** A relation holding a foreign key (`@manyToOne`, an owning `@oneToOne`). */
function foreignKey(out: SchemaProperty, p: PropertyMetadata): SchemaProperty {
  const o = p.options;
  out.fieldName = p.columnName;
  out.ref = false;
  out.eager = o.eager === true;
  if (o.nullable) out.nullable = true;
  if (o.primary) out.primary = true;
  // A reference to a soft-deleted row is still there: without this, MikroORM joins the relation to apply
  // the target's filter (`autoJoinRefsForFilters`) and the rows pointing at a deleted one vanish from
  // every query of the owning entity.
  if (metadataOf(p.target!()).deletedAt) out.filters = { [NOT_DELETED]: false };
  if (o.onDelete) out.deleteRule = o.onDelete;
  return out;
}

function embedded(p: PropertyMetadata): SchemaProperty {
  const out: SchemaProperty = { kind: 'embedded', entity: () => p.target!(), prefix: p.columnName || false };
  if (p.options.nullable) out.nullable = true;
  return out;
}

function classOptions(meta: EntityMetadata): SchemaProperty {
  const out: SchemaProperty = {};
  for (const c of meta.constraints) {
    const list = c.kind === 'unique' ? (out.uniques ??= []) : (out.indexes ??= []);
    list.push({ properties: [...c.properties], ...(c.name ? { name: c.name } : {}) });
  }
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
      p.kind === 'embedded' ? embedded(p) : p.target ? relation(meta, p) : scalar(meta, p, dialect);
  }
  const filters = softDeleteFilters(meta);
  return new EntitySchema<any>({
    class: meta.class as new () => object,
    tableName: meta.tableName,
    properties: properties as never,
    ...(filters ? { filters: filters as never } : {}),
    ...classOptions(meta),
  });
}

/** The `EntitySchema`s of the `@embeddable` classes the entities embed, one per class. */
export function embeddableSchemas(metas: readonly EntityMetadata[], dialect: Dialect): EntitySchema[] {
  const seen = new Set<object>();
  const out: EntitySchema[] = [];
  for (const meta of metas) {
    for (const p of meta.properties) {
      if (p.kind !== 'embedded' || seen.has(p.target!())) continue;
      const e = embeddableMetadataOf(p.target!());
      seen.add(e.class);
      const properties: Record<string, SchemaProperty> = {};
      for (const q of e.properties) properties[q.name] = scalar(e, q, dialect);
      out.push(
        new EntitySchema<any>({
          class: e.class as new () => object,
          embeddable: true,
          properties: properties as never,
        }),
      );
    }
  }
  return out;
}
