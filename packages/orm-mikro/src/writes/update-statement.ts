// The common `updateWhere` — equality conditions on the entity's own columns, plain values or increments —
// as an UPDATE whose text is made once per shape and sent with `em.execute` (bound parameters, the session's
// transaction): MikroORM's `nativeUpdate` builds a query builder for every call, about twice the statement's
// own cost. Anything else goes through `nativeUpdate` (update-where.ts).
import {
  type EntityClass,
  metadataOf,
  type PropertyMetadata,
  type UpdateSpec,
  type WhereNode,
} from '@kosha/core';
import type { EntityProperty, Platform } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { now } from '../entity-schema.js';

/** Column types whose JavaScript values every driver binds as they are. */
const PLAIN = new Set(['string', 'text', 'integer', 'float', 'decimal', 'enum', 'uuid']);
// Per MikroORM metadata (one per backend instance: its quoting), then per shape.
const texts = new WeakMap<object, Map<string, string>>();

type Cmp = Extract<WhereNode, { kind: 'cmp' }>;

function plainValue(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number';
}

/** The comparisons of `where` when it is one, or an `and` of, equality / NULL tests on own plain columns. */
function comparisons(props: ReadonlyMap<string, PropertyMetadata>, where: WhereNode): Cmp[] | null {
  const items = where.kind === 'and' ? where.items : [where];
  if (items.length === 0) return null;
  const out: Cmp[] = [];
  for (const item of items) {
    if (item.kind !== 'cmp' || item.path.length !== 1 || item.ignoreCase) return null;
    const p = props.get(item.path[0]!);
    if (!p || p.kind === 'manyToOne' || p.kind === 'oneToMany') return null;
    if (item.op === 'eq') {
      if (!PLAIN.has(p.type ?? '') || !plainValue(item.value) || item.value === null) return null;
    } else if (item.op !== 'isNull' && item.op !== 'isNotNull') return null;
    out.push(item);
  }
  return out;
}

/** The database value of a `Date` as MikroORM would bind it for this property (its custom type, if any). */
function stamp(prop: EntityProperty | undefined, value: unknown, platform: Platform): unknown {
  const type = prop?.customType as
    | { convertToDatabaseValue?(v: unknown, p: Platform, o?: unknown): unknown }
    | undefined;
  return type?.convertToDatabaseValue
    ? type.convertToDatabaseValue(value, platform, { mode: 'query-data' })
    : value;
}

/**
 * Runs the update when its shape allows it and returns the number of rows changed; `undefined` when it does
 * not (the caller uses `nativeUpdate`).
 */
export async function updateStatement(
  em: SqlEntityManager,
  entity: EntityClass,
  spec: UpdateSpec,
): Promise<number | undefined> {
  const meta = metadataOf(entity);
  const props = new Map(meta.properties.map((p) => [p.name, p]));
  const where = comparisons(props, spec.where);
  if (!where) return undefined;
  for (const c of spec.changes) {
    const p = props.get(c.field)!;
    if (p.kind !== 'column' || !PLAIN.has(p.type ?? '')) return undefined;
    if (c.kind === 'set' ? !plainValue(c.value) : typeof c.by !== 'number') return undefined;
  }
  const updatedAt = spec.touchesUpdatedAt ? meta.properties.find((p) => p.kind === 'updatedAt') : undefined;
  const version = meta.properties.find((p) => p.kind === 'version');
  const deleted = meta.deletedAt && !spec.withDeleted ? meta.deletedAt : undefined;
  const shape = [
    spec.changes.map((c) => `${c.field}${c.kind === 'add' ? '+' : '='}`).join(),
    where.map((w) => `${w.path[0]}${w.op}`).join(),
    updatedAt ? 'u' : '',
    deleted ? 'd' : '',
  ].join('|');
  const mikro = em.getMetadata().find(entity)!;
  let cache = texts.get(mikro);
  if (!cache) texts.set(mikro, (cache = new Map()));
  let sql = cache.get(shape);
  const platform = em.getPlatform();
  if (!sql) {
    const q = (p: PropertyMetadata) => platform.quoteIdentifier(p.columnName!);
    const sets = spec.changes.map((c) => {
      const col = q(props.get(c.field)!);
      return c.kind === 'add' ? `${col} = ${col} + ?` : `${col} = ?`;
    });
    if (version) sets.push(`${q(version)} = ${q(version)} + 1`);
    if (updatedAt) sets.push(`${q(updatedAt)} = ?`);
    const conds = where.map((w) => {
      const col = q(props.get(w.path[0]!)!);
      return w.op === 'eq' ? `${col} = ?` : `${col} is ${w.op === 'isNull' ? '' : 'not '}null`;
    });
    if (deleted) conds.push(`${q(deleted)} is null`);
    sql = `update ${platform.quoteIdentifier(meta.tableName)} set ${sets.join(', ')} where ${conds.join(' and ')}`;
    if (cache.size >= 32) cache.clear();
    cache.set(shape, sql);
  }
  const params: unknown[] = spec.changes.map((c) => (c.kind === 'add' ? c.by : c.value));
  if (updatedAt) {
    const prop = em.getMetadata().find(entity)?.properties[updatedAt.name as never] as
      | EntityProperty
      | undefined;
    params.push(stamp(prop, now(updatedAt.type ?? 'datetime')(), platform));
  }
  for (const w of where) if (w.op === 'eq') params.push(w.value);
  const res = (await em.execute(sql, params, 'run')) as { affectedRows?: number };
  return res.affectedRows ?? 0;
}
