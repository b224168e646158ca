// The fast path of `find`, `findPage` and the derived finders (DESIGN §15): the SELECT of a query shape
// written by Kosha from the normalized tree — the values bound as parameters, never in the text — and run
// on the session's connection through MikroORM's public Kysely handle (`em.getKysely()`, which inside a
// transaction is the transaction itself). Its rows become entities the way `em.find` makes them
// (`driver.mapResult`, then the entity factory with `merge`: the identity map's instance is returned, and
// only its unchanged properties take the row's values), so identity, change tracking and `@version` are
// MikroORM's own. MikroORM's query builder costs most of an `em.find` of a small page (the criteria tree,
// the platform's quoting, the values written into the SQL text, which SQLite must then prepare again).
//
// A shape takes MikroORM's full path (`em.find`, {@link compiledFind} answers `undefined`) when anything
// in it needs MikroORM's own SQL: relation paths, `some`, embedded values, formulas, lazy or virtual
// properties, SQL-converting custom types, inheritance, eager relations, inverse one-to-ones (MikroORM
// joins them for their key), entity filters other than Kosha's soft delete, a select, a populate, a lock,
// a keyset, read replicas, and pending persists of the entity (which `em.find` would flush first).
import type { CompareNode, OrderNode, QuerySpec, WhereNode } from '@kosha/core';
import {
  type Dictionary,
  type EntityProperty,
  type EntityMetadata as MikroMeta,
  ReferenceKind,
  Utils,
} from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { type Binder, binderFor, UNBINDABLE } from '../bulk-insert/binder.js';
import { dialectPlaceholders } from '../bulk-insert/statement-text.js';
import { createFromRows, dispatchLoaded, runLogged, tableNameOf } from '../internals/index.js';
import type { Dialect } from '../url.js';
import { comparesText, type FilterTarget, SQL_OPS, textSql } from './filter-query.js';
import { PAGE_TOTAL as TOTAL } from './page-query.js';

const ALIAS = 'e0';

/** What one entity's compiled statements are made of, decided once per entity and ORM. */
interface EntityPlan {
  readonly meta: MikroMeta;
  /** `"table" as "e0"`. */
  readonly table: string;
  /** What it selects: `"e0".*`, or each column when one is read through SQL (`cast("e0"."big" as text) as "big"`). */
  readonly select: string;
  /** The soft-delete column (`"e0"."deleted_at"`), when the entity has one. */
  readonly deletedAt: string | undefined;
  /** Per property name: its column (`"e0"."col"`) and how a value of it is bound. */
  readonly columns: ReadonlyMap<string, { readonly sql: string; readonly bind: (v: unknown) => unknown }>;
}

const plans = new WeakMap<MikroMeta, EntityPlan | null>();

/** The properties whose SQL MikroORM writes itself, which no compiled statement of this entity can. */
function ownSql(p: EntityProperty): boolean {
  return (
    p.kind === ReferenceKind.EMBEDDED ||
    !!p.formula ||
    !!p.lazy ||
    !!p.eager ||
    !!p.hasConvertToDatabaseValueSQL ||
    (p.kind === ReferenceKind.ONE_TO_ONE && !p.owner)
  );
}

function planOf(
  em: SqlEntityManager,
  meta: MikroMeta,
  dialect: Dialect,
  deletedAt: string | undefined,
): EntityPlan | null {
  let plan = plans.get(meta);
  if (plan !== undefined) return plan;
  plan = null;
  const filters = Object.keys(meta.filters ?? {}).filter((f) => f !== 'kosha_not_deleted');
  const global = em.config.get('filters') ?? {};
  const simple =
    !meta.virtual &&
    !meta.expression &&
    !meta.inheritanceType &&
    !meta.discriminatorColumn &&
    !(meta.orderBy && Object.keys(meta.orderBy).length) &&
    filters.length === 0 &&
    Object.keys(global).length === 0 &&
    !meta.props.some(ownSql);
  if (simple) {
    const platform = em.getPlatform();
    const quote = (id: string) => platform.quoteIdentifier(id);
    const table = tableNameOf(em, meta, undefined);
    const binder = binderFor(em, dialect);
    const columns = new Map<string, { sql: string; bind: (v: unknown) => unknown }>();
    for (const p of meta.props) {
      if (p.persist === false || p.fieldNames?.length !== 1) continue;
      if (
        p.kind !== ReferenceKind.SCALAR &&
        p.kind !== ReferenceKind.MANY_TO_ONE &&
        p.kind !== ReferenceKind.ONE_TO_ONE
      )
        continue;
      // A relation compares its target's key: that property's conversion.
      const typed = p.kind === ReferenceKind.SCALAR ? p : p.targetMeta?.getPrimaryProps()[0];
      if (!typed || typed.customType?.convertToDatabaseValueSQL) continue;
      const custom = typed.customType;
      const bind: Binder = custom
        ? (v) =>
            binder(
              custom.convertToDatabaseValue(v, platform, { fromQuery: true, key: typed.name, mode: 'query' }),
            )
        : binder;
      columns.set(p.name, { sql: `${quote(ALIAS)}.${quote(p.fieldNames[0]!)}`, bind });
    }
    const deleted = deletedAt ? columns.get(deletedAt)?.sql : undefined;
    // Columns MikroORM reads through SQL of their type (SQLite's bigint as text) are selected that way.
    const select = meta.props.some((p) => p.hasConvertToJSValueSQL)
      ? meta.props
          .filter(
            (p) =>
              p.persist !== false &&
              p.fieldNames?.length &&
              p.kind !== ReferenceKind.ONE_TO_MANY &&
              p.kind !== ReferenceKind.MANY_TO_MANY,
          )
          .flatMap((p) =>
            p.fieldNames.map((f) => {
              const column = `${quote(ALIAS)}.${quote(f)}`;
              const read = p.hasConvertToJSValueSQL
                ? p.customType?.convertToJSValueSQL?.(column, platform)
                : undefined;
              return read ? `${read} as ${quote(f)}` : column;
            }),
          )
          .join(', ')
      : `${quote(ALIAS)}.*`;
    // A `?` in a quoted name would read as a placeholder below.
    const quoted = [table, select, ...[...columns.values()].map((c) => c.sql)];
    if (!quoted.some((q) => q.includes('?')) && (!deletedAt || deleted)) {
      plan = {
        meta,
        table: `${table} as ${quote(ALIAS)}`,
        select,
        deletedAt: deleted,
        columns,
      };
    }
  }
  plans.set(meta, plan);
  return plan;
}

/** Thrown inside the compiler when the tree holds something only MikroORM's path can write. */
const FALLBACK = Symbol('fallback');

class Compiler {
  readonly params: unknown[] = [];

  constructor(
    private readonly plan: EntityPlan,
    private readonly target: CompileTarget,
  ) {}

  #bind(name: string, value: unknown): string {
    const bound = this.plan.columns.get(name)!.bind(value);
    if (bound === UNBINDABLE) throw FALLBACK;
    this.params.push(bound);
    return '?';
  }

  #all(items: readonly WhereNode[], joint: string, none: string): string {
    if (items.length === 0) return none;
    if (items.length === 1) return this.node(items[0]!);
    return items.map((n) => `(${this.node(n)})`).join(joint);
  }

  node(node: WhereNode): string {
    switch (node.kind) {
      case 'and':
        return this.#all(node.items, ' and ', '1 = 1');
      case 'or':
        return this.#all(node.items, ' or ', '1 = 0');
      case 'not':
        return `not (${this.node(node.item)})`;
      case 'cmp':
        return this.compare(node);
      default:
        throw FALLBACK;
    }
  }

  compare(node: CompareNode): string {
    const { path, op, value } = node;
    if (path.length !== 1) throw FALLBACK;
    const name = path[0]!;
    const column = this.plan.columns.get(name);
    if (!column) throw FALLBACK;
    if (op === 'isIn' && (value as unknown[]).length === 0) return '1 = 0';
    if (op === 'notIn' && (value as unknown[]).length === 0) return '1 = 1';
    const p = this.plan.meta.properties[name as never] as EntityProperty;
    const text = p.kind === ReferenceKind.SCALAR && comparesText(node);
    if (text && this.target.exactText !== false) {
      const special = textSql(this.target, node, p.fieldNames[0]!);
      if (special) {
        for (const v of special.params) this.params.push(v);
        return special.sql(this.target.quoteIdentifier(ALIAS));
      }
    }
    const c = column.sql;
    switch (op) {
      case 'eq':
      case 'ne':
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        return `${c} ${SQL_OPS[op]} ${this.#bind(name, value)}`;
      case 'between': {
        const [low, high] = value as [unknown, unknown];
        return `${c} >= ${this.#bind(name, low)} and ${c} <= ${this.#bind(name, high)}`;
      }
      case 'isIn':
      case 'notIn': {
        const list = (value as unknown[]).map((v) => this.#bind(name, v)).join(', ');
        return `${c} ${op === 'isIn' ? 'in' : 'not in'} (${list})`;
      }
      case 'isNull':
        return `${c} is null`;
      case 'isNotNull':
        return `${c} is not null`;
      default:
        // `like` on a column that is not text: MikroORM's path says what is wrong.
        throw FALLBACK;
    }
  }
}

/** True for a limit or offset that can be SQL text: an integer ≥ 0 (anything else takes MikroORM's path and its checks). */
const integral = (n: number | undefined) => n === undefined || (Number.isSafeInteger(n) && n >= 0);

/** A limit or offset as SQL text (checked by {@link integral}). */
const integer = (n: number) => String(n);

/** A compiled SELECT, ready to run: its text (what is logged) and its bound values. */
export interface CompiledSelect {
  readonly sql: string;
  readonly params: unknown[];
  readonly plan: EntityPlan;
}

/** What compiling a query needs from its session. */
export interface CompileTarget extends FilterTarget {
  /** The soft-delete property of the entity, when it has one. */
  readonly deletedAt: string | undefined;
  /**
   * Text compares exactly whatever the collation (the query API; the default), or with the database's
   * plain `=` as MikroORM writes it (the built-in finders, whose `findByField` on MariaDB ignores case).
   */
  readonly exactText?: boolean;
}

/**
 * The SELECT of `query` on `entity`, with `extra` select items (a page's total), or `undefined` when the
 * query needs MikroORM's own path.
 */
export function compileSelect(
  em: SqlEntityManager,
  entity: object,
  query: QuerySpec,
  target: CompileTarget,
  extra?: (table: string, where: string, params: readonly unknown[]) => { select: string; params: unknown[] },
): CompiledSelect | undefined {
  if (query.after || query.select || query.lock) return undefined;
  // OFFSET without LIMIT has no portable SQL (SQLite `limit -1`, MySQL a huge number): rare, MikroORM's.
  if (query.offset !== undefined && query.limit === undefined) return undefined;
  if (!integral(query.limit) || !integral(query.offset)) return undefined;
  const meta = em.getMetadata().find(entity as never) as MikroMeta | undefined;
  if (!meta) return undefined;
  const plan = planOf(em, meta, target.dialect, target.deletedAt);
  if (!plan) return undefined;
  // A to-one populate is joined into MikroORM's own SELECT; a to-many one is a query of its own after it
  // (select-in), which em.populate runs the same way.
  if (query.populate?.some((path) => !toMany(meta, path))) return undefined;
  if (em.getUnitOfWork(false).shouldAutoFlush(meta)) return undefined;
  const compiler = new Compiler(plan, target);
  let where: string;
  try {
    where = query.where.kind === 'and' && query.where.items.length === 0 ? '' : compiler.node(query.where);
    if (plan.deletedAt && !query.withDeleted) {
      where = where ? `(${where}) and ${plan.deletedAt} is null` : `${plan.deletedAt} is null`;
    }
  } catch (error) {
    if (error === FALLBACK) return undefined;
    throw error;
  }
  const params = compiler.params;
  let sql = `select ${plan.select}`;
  if (extra) {
    const more = extra(plan.table, where, params);
    sql += `, ${more.select}`;
    params.unshift(...more.params);
  }
  sql += ` from ${plan.table}`;
  if (where) sql += ` where ${where}`;
  if (query.orderBy?.length) {
    const keys: string[] = [];
    for (const o of query.orderBy) {
      const column = o.path.length === 1 ? plan.columns.get(o.path[0]!) : undefined;
      if (!column) return undefined;
      keys.push(`${column.sql} ${o.direction}`);
    }
    sql += ` order by ${keys.join(', ')}`;
  }
  // Written into the text, not bound: core has checked them as integers ≥ 0, and a bound LIMIT costs
  // SQLite (better-sqlite3 binds a JS number as a double) 6 µs a statement, seven times the read by key
  // itself. A call site's limit is usually one value, so the statement's text stays the same.
  if (query.limit !== undefined) {
    sql += ` limit ${integer(query.limit)}`;
    if (query.offset !== undefined) sql += ` offset ${integer(query.offset)}`;
  }
  return { sql: dialectPlaceholders(sql, target.dialect), params, plan };
}

let queries = 0;

/** Runs a compiled SELECT on the session's connection (its transaction's, if one is open). */
export async function runSelect(em: SqlEntityManager, compiled: CompiledSelect): Promise<Dictionary[]> {
  const query = {
    sql: compiled.sql,
    parameters: compiled.params,
    query: { kind: 'RawNode', sqlFragments: [compiled.sql], parameters: [] },
    queryId: { queryId: `kosha-select-${++queries}` },
  };
  const kysely = em.getKysely() as unknown as { executeQuery(q: unknown): Promise<{ rows: Dictionary[] }> };
  try {
    return await runLogged(em, compiled.sql, async () => (await kysely.executeQuery(query)).rows);
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}

/** The rows as managed entities, as `em.find` makes them. */
export async function hydrate<T>(
  em: SqlEntityManager,
  compiled: CompiledSelect,
  rows: Dictionary[],
): Promise<T[]> {
  if (rows.length === 0) return [];
  const { meta } = compiled.plan;
  const driver = em.getDriver();
  const out = createFromRows(
    em,
    meta,
    rows.map((row) => driver.mapResult(row, meta) as Dictionary),
  );
  const unique = Utils.unique(out);
  await dispatchLoaded(em);
  return unique as T[];
}

/** True when the first relation of a populate path (`tags`, `comments.author`) is a to-many one. */
function toMany(meta: MikroMeta, path: string): boolean {
  const first = meta.properties[path.split('.')[0]! as never] as EntityProperty | undefined;
  return first?.kind === ReferenceKind.ONE_TO_MANY || first?.kind === ReferenceKind.MANY_TO_MANY;
}

/**
 * Loads `populate` into entities just read, as `em.find` loads it after its SELECT (the entity loader,
 * `lookup: false`: what is loaded already is loaded again, the root order passed on).
 */
async function populated<T extends object>(
  em: SqlEntityManager,
  entities: T[],
  query: QuerySpec,
): Promise<T[]> {
  if (!query.populate?.length || entities.length === 0) return entities;
  const orderBy = query.orderBy?.map((o) => ({ [o.path[0]!]: o.direction }));
  await em.populate(
    entities,
    query.populate as never,
    {
      lookup: false,
      ignoreLazyScalarProperties: true,
      ...(orderBy ? { orderBy: orderBy as never } : {}),
    } as never,
  );
  return entities;
}

/** `find` on the fast path, or `undefined` when the query takes MikroORM's. */
export function compiledFind<T>(
  em: SqlEntityManager,
  entity: object,
  query: QuerySpec,
  target: CompileTarget,
): Promise<T[]> | undefined {
  const compiled = compileSelect(em, entity, query, target);
  if (!compiled) return undefined;
  return runSelect(em, compiled)
    .then((rows) => hydrate<T>(em, compiled, rows))
    .then((entities) => populated(em, entities as never, query) as Promise<T[]>);
}

/**
 * `findPage` on the fast path: the rows of the page and the number of rows matching, from one SELECT
 * (see page-query.ts for why one, and why a subquery on SQLite and a window elsewhere); `total` is
 * `undefined` when the page is empty. `undefined` when the query takes MikroORM's path.
 */
export function compiledPage<T>(
  em: SqlEntityManager,
  entity: object,
  query: QuerySpec,
  target: CompileTarget,
): Promise<{ items: T[]; total: number | undefined }> | undefined {
  const total =
    target.dialect === 'sqlite'
      ? (table: string, where: string, params: readonly unknown[]) => ({
          select: `(select count(*) from ${table}${where ? ` where ${where}` : ''}) as ${TOTAL}`,
          params: [...params],
        })
      : () => ({ select: `count(*) over () as ${TOTAL}`, params: [] });
  const compiled = compileSelect(em, entity, query, target, total);
  if (!compiled) return undefined;
  return runSelect(em, compiled).then(async (rows) => {
    if (rows.length === 0) return { items: [], total: undefined };
    // bigint on PostgreSQL (a string from pg), a number elsewhere
    const count = Number(rows[0]![TOTAL]);
    for (const row of rows) delete row[TOTAL];
    const items = await hydrate<T>(em, compiled, rows);
    return { items: (await populated(em, items as never, query)) as T[], total: count };
  });
}

/**
 * The identity map's instance for `key` (`{ id }`, or the parts of a composite key), or `undefined` when
 * it holds none. `em.findOne` answers from it without a statement.
 */
export function heldById(em: SqlEntityManager, entity: object, key: Dictionary): object | undefined {
  return em.getUnitOfWork(false).tryGetById(entity as never, key as never) ?? undefined;
}

/** A built-in finder's filter (property → one value, all equal), already checked by `toWhere`, as a tree. */
export function equalities(filter: Readonly<Record<string, unknown>>): WhereNode {
  const items: WhereNode[] = [];
  for (const [name, value] of Object.entries(filter)) {
    items.push({
      kind: 'cmp',
      path: [name],
      op: value === null ? 'isNull' : 'eq',
      value: value === null ? undefined : value,
      ignoreCase: false,
      // Only read to choose exact text comparison, which the built-ins (`exactText: false`) never take.
      type: 'string',
    });
  }
  return { kind: 'and', items };
}

/** A built-in finder's `orderBy` (property → direction) as the tree's order. */
export function orderNodes(
  order: Readonly<Record<string, 'asc' | 'desc'>> | undefined,
): OrderNode[] | undefined {
  if (!order) return undefined;
  return Object.entries(order).map(([name, direction]) => ({ path: [name], direction, type: 'string' }));
}
