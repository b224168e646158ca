// The INSERT of an upsert's rows without MikroORM's query builder, for the fields whose conversion is one
// of the few the builder does by the field's mapping alone. The builder (`qb.insert(rows).toQuery()`)
// converts each row through `mapDataToFieldNames` (custom types, field names) and
// `QueryHelper.processObjectParams` (a related entity or reference becomes its key, `undefined` null),
// then writes `?` for every value: about 2 µs a row on a four-column entity, as much as the database
// takes to run the row. Here each field's conversion is chosen once per entity and field list, and the
// text once per shape; a row with any other value (an embedded value, a raw fragment, an object where a
// plain value belongs) makes its statement the builder's.
//
// On PostgreSQL the same rows can go as one array per column, `insert … select * from unnest($1::int4[],
// …)`: a statement of as many parameters as columns, whose text does not grow with the rows. The server
// parses and binds 3,000 separate parameters of a 1,000-row VALUES list slower than it runs the rows (a
// 1,000-row upsert of three columns: 16.9 ms bound one by one, 13.3 ms as three arrays). Each array is
// cast to the base type of its column, without the column's length or precision: an explicit cast to
// `varchar(60)` or `char` would cut a longer value where the INSERT must refuse it, and the base type's
// value is then assigned to the column as a bound value is.
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
  /** PostgreSQL's base type of each column, for `unnest`; null when one has none Kosha casts to. */
  readonly baseTypes: readonly string[] | null;
}

/** PostgreSQL's base type of a column type MikroORM declares, by name (length and precision dropped). */
const BASE_TYPES: Readonly<Record<string, string>> = {
  smallint: 'int2',
  int2: 'int2',
  smallserial: 'int2',
  serial2: 'int2',
  integer: 'int4',
  int: 'int4',
  int4: 'int4',
  serial: 'int4',
  serial4: 'int4',
  bigint: 'int8',
  int8: 'int8',
  bigserial: 'int8',
  serial8: 'int8',
  real: 'float4',
  float4: 'float4',
  'double precision': 'float8',
  float8: 'float8',
  boolean: 'bool',
  bool: 'bool',
  text: 'text',
  varchar: 'text',
  'character varying': 'text',
  char: 'text',
  character: 'text',
  bpchar: 'text',
  uuid: 'uuid',
  date: 'date',
  time: 'time',
  'time without time zone': 'time',
  timetz: 'timetz',
  'time with time zone': 'timetz',
  timestamp: 'timestamp',
  'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  interval: 'interval',
  numeric: 'numeric',
  decimal: 'numeric',
  json: 'json',
  jsonb: 'jsonb',
};

/** The base type of `prop`'s column, or undefined (an enum type, an array, a type Kosha does not know). */
export function baseTypeOf(prop: EntityProperty): string | undefined {
  const declared = prop.columnTypes?.[0];
  if (typeof declared !== 'string') return undefined;
  // `varchar(60)`, `numeric(10, 2)`, `timestamp(3) with time zone`: the type without its modifier.
  const name = declared
    .toLowerCase()
    .replace(/\(\s*\d+\s*(,\s*\d+\s*)?\)/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return Object.hasOwn(BASE_TYPES, name) ? BASE_TYPES[name] : undefined;
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
    const baseTypes: (string | undefined)[] = [];
    for (const f of fields) {
      const prop = meta.properties[f as never] as EntityProperty | undefined;
      const c = prop && convertOf(em, prop);
      if (!c) break;
      convert.push(c);
      columns.push(prop.fieldNames[0]!);
      baseTypes.push(baseTypeOf(prop));
    }
    if (convert.length === fields.length && fields.length > 0) {
      const all = baseTypes.every((t) => t !== undefined);
      shape = { columns, convert, baseTypes: all ? (baseTypes as string[]) : null };
    }
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

/** `insert … select * from unnest(…)` texts by table and columns (PostgreSQL's `$n` and the logged `?`). */
const unnestTexts = new Map<string, { sql: string; logged: string }>();

/**
 * PostgreSQL: the INSERT of `rows` (all with the same fields, in the same order) as one array per column,
 * each value converted as {@link insertValues} converts it and then bound by `bind`; `undefined` when a
 * field or a value is one only the builder converts, a column has no base type Kosha casts to, or a bound
 * value is not text, a number, a boolean or null (their array form is the one every driver version writes
 * alike: a byte array's is not).
 */
export function unnestInsert(
  em: SqlEntityManager,
  meta: EntityMetadata,
  rows: readonly Row[],
  bind: (value: unknown) => unknown,
): { sql: string; logged: string; params: unknown[][] } | undefined {
  const fields = Object.keys(rows[0]!);
  const shape = shapeOf(em, meta, fields);
  if (!shape?.baseTypes) return undefined;
  const { convert, baseTypes } = shape;
  const n = fields.length;
  const params: unknown[][] = [];
  for (let i = 0; i < n; i++) params.push(new Array(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let i = 0; i < n; i++) {
      const v = convert[i]!(row[fields[i]!]);
      if (v === OTHER) return undefined;
      const b = bind(v);
      const t = typeof b;
      if (b !== null && t !== 'string' && t !== 'number' && t !== 'boolean') return undefined;
      params[i]![r] = b;
    }
  }
  const table = tableNameOf(em, meta, em.schema);
  const key = `${table}\u0000${shape.columns.join(',')}\u0000${baseTypes.join(',')}`;
  let text = unnestTexts.get(key);
  if (text === undefined) {
    const platform = em.getPlatform();
    const head = `insert into ${table} (${shape.columns.map((c) => platform.quoteIdentifier(c)).join(', ')}) select * from unnest(`;
    text = {
      sql: `${head}${baseTypes.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`,
      logged: `${head}${baseTypes.map((t) => `?::${t}[]`).join(', ')})`,
    };
    if (unnestTexts.size >= 256) unnestTexts.clear();
    unnestTexts.set(key, text);
  }
  return { ...text, params };
}
