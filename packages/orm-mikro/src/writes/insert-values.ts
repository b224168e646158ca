// The INSERT of an upsert's rows without MikroORM's query builder, for the fields whose conversion is one
// of the few the builder does by the field's mapping alone. The builder (`qb.insert(rows).toQuery()`)
// converts each row through `mapDataToFieldNames` (custom types, field names) and
// `QueryHelper.processObjectParams` (a related entity or reference becomes its key, `undefined` null),
// then writes `?` for every value: about 2 µs a row on a four-column entity, as much as the database
// takes to run the row. Here each field's conversion is chosen once per entity and field list, and the
// text once per shape; a row with any other value (an embedded value, a raw fragment, an object where a
// plain value belongs) makes its statement the builder's.
import {
  EntityHelper,
  type EntityMetadata,
  type EntityProperty,
  isRaw,
  Reference,
  ReferenceKind,
  Type,
} from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { tableNameOf } from '../internals/index.js';

type Row = Record<string, unknown>;

/** What a conversion returns for a value it does not take: the row goes to the query builder. */
const OTHER = Symbol('other');

/** A field's value as the builder binds it, or OTHER. */
type Convert = (value: unknown) => unknown;

/** A value the builder binds as it is (its processParams leaves it alone, the drivers bind it). */
function plain(value: unknown): boolean {
  if (value === null) return true;
  const t = typeof value;
  return (
    t === 'string' ||
    t === 'number' ||
    t === 'boolean' ||
    t === 'bigint' ||
    value instanceof Date ||
    value instanceof Uint8Array
  );
}

const asIs: Convert = (v) => (plain(v) ? v : OTHER);

/** The conversion of `prop`, or `undefined` when only the builder knows it. */
function convertOf(em: SqlEntityManager, prop: EntityProperty): Convert | undefined {
  if (
    prop.persist === false ||
    prop.formula ||
    prop.embedded ||
    prop.embeddedProps ||
    prop.polymorphic ||
    prop.hasConvertToDatabaseValueSQL ||
    prop.fieldNames?.length !== 1
  ) {
    return undefined;
  }
  const type = prop.customType;
  if (prop.kind === ReferenceKind.SCALAR) {
    if (!type || type.convertToDatabaseValue === Type.prototype.convertToDatabaseValue) return asIs;
    const platform = em.getPlatform();
    const context = { fromQuery: true, key: prop.name, mode: 'query-data' as const };
    return (v) => {
      if (v === undefined || isRaw(v)) return OTHER;
      const out = type.convertToDatabaseValue(v, platform, context);
      return plain(out) ? out : OTHER;
    };
  }
  if (
    (prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner)) &&
    !type &&
    prop.targetMeta &&
    !prop.targetMeta.compositePK
  ) {
    // QueryHelper.processParams: a reference is unwrapped, an entity becomes its key.
    return (v) => {
      if (plain(v)) return v;
      const target = Reference.unwrapReference(v as object);
      if (!EntityHelper.isEntity(target)) return OTHER;
      const key = (target as { __helper: { getPrimaryKey(): unknown } }).__helper.getPrimaryKey();
      return plain(key) && key !== null ? key : OTHER;
    };
  }
  return undefined;
}

interface Shape {
  /** The columns, in the rows' field order. */
  readonly columns: readonly string[];
  readonly convert: readonly Convert[];
}

const shapes = new WeakMap<EntityMetadata, Map<string, Shape | null>>();

function shapeOf(em: SqlEntityManager, meta: EntityMetadata, fields: readonly string[]): Shape | null {
  let byFields = shapes.get(meta);
  if (!byFields) {
    byFields = new Map();
    shapes.set(meta, byFields);
  }
  const key = fields.join('\u0000');
  let shape = byFields.get(key);
  if (shape === undefined) {
    shape = null;
    const convert: Convert[] = [];
    const columns: string[] = [];
    for (const f of fields) {
      const prop = meta.properties[f as never] as EntityProperty | undefined;
      const c = prop && convertOf(em, prop);
      if (!c) break;
      convert.push(c);
      columns.push(prop.fieldNames[0]!);
    }
    if (convert.length === fields.length && fields.length > 0) shape = { columns, convert };
    if (byFields.size >= 32) byFields.clear();
    byFields.set(key, shape);
  }
  return shape;
}

/** Statement texts by table, columns and row count: 1,000 rows of placeholders take long to write. */
const texts = new Map<string, string>();

function textOf(
  table: string,
  columns: readonly string[],
  quote: (c: string) => string,
  rows: number,
): string {
  const key = `${table}\u0000${columns.join(',')}\u0000${rows}`;
  let text = texts.get(key);
  if (text === undefined) {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    text = `insert into ${table} (${columns.map(quote).join(', ')}) values ${new Array(rows).fill(tuple).join(', ')}`;
    // A few shapes per program; each text is tens of kilobytes.
    if (texts.size >= 32) texts.clear();
    texts.set(key, text);
  }
  return text;
}

/**
 * The INSERT of `rows` (all with the same fields, in the same order) and its values, as the query builder
 * writes it for them; `undefined` when a field or a value is one only the builder converts.
 */
export function insertValues(
  em: SqlEntityManager,
  meta: EntityMetadata,
  rows: readonly Row[],
): { sql: string; params: unknown[] } | undefined {
  const fields = Object.keys(rows[0]!);
  const shape = shapeOf(em, meta, fields);
  if (!shape) return undefined;
  const { convert } = shape;
  const n = fields.length;
  const params: unknown[] = new Array(rows.length * n);
  let at = 0;
  for (const row of rows) {
    for (let i = 0; i < n; i++) {
      const v = convert[i]!(row[fields[i]!]);
      if (v === OTHER) return undefined;
      params[at++] = v;
    }
  }
  const platform = em.getPlatform();
  const table = tableNameOf(em, meta, em.schema);
  return { sql: textOf(table, shape.columns, (c) => platform.quoteIdentifier(c), rows.length), params };
}
