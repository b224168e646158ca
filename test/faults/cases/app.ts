// The Kosha side of the fault cases: one table of tokens, a repository, and counts read over a direct
// connection (never through the instance under test, whose pool is what the cases break).
import {
  column,
  createKosha,
  DbRepo,
  entity,
  id,
  type Kosha,
  type Logger,
  repository,
  table,
  transactional,
} from '@kosha/core';
import { type MikroOrmOptions, mikroOrm } from '@kosha/orm-mikro';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { mysqlUri } from '../support/index.js';

@entity
@table('fault_rows')
export class Row {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 120 }) token!: string;
}

@repository
export class RowRepo extends DbRepo<Row> {
  constructor(kosha: Kosha) {
    super(Row, kosha);
  }

  @transactional
  async save(token: string): Promise<Row> {
    return (await this.insertAll([{ token }]))[0]!;
  }

  /** One method, one transaction: saves `first`, waits for `between`, saves `second`. */
  @transactional
  async saveAround(first: string, between: () => Promise<unknown>, second: string): Promise<void> {
    await this.save(first);
    await between();
    await this.save(second);
  }

  @transactional({ propagation: 'REQUIRES_NEW' })
  async saveOnItsOwn(token: string): Promise<Row> {
    return this.save(token);
  }
}

/** A logger that keeps its lines (the cases assert on warnings, and keep the output quiet). */
export function keptLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (message: string, ...rest: unknown[]) => {
      lines.push(
        `${level} ${message} ${rest.map((r) => (r instanceof Error ? r.message : String(r))).join(' ')}`,
      );
    };
  return { lines, debug: () => {}, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A Kosha on `url` with the `fault_rows` table (created fresh over `adminUrl`, which bypasses any proxy). */
export async function openApp(
  url: string,
  options: Omit<MikroOrmOptions, 'url'> = {},
  adminUrl = url,
): Promise<{ kosha: Kosha; rows: RowRepo; logger: Logger & { lines: string[] } }> {
  if (adminUrl !== url) {
    const admin = await createKosha({
      orm: mikroOrm({ url: adminUrl }),
      entities: [Row],
      setDefault: false,
      cache: false,
    });
    await admin.schema.drop().catch(() => {});
    await admin.schema.create();
    await admin.close();
  }
  const logger = keptLogger();
  const kosha = await createKosha({
    orm: mikroOrm({ url, ...options }),
    entities: [Row],
    setDefault: false,
    cache: false,
    logger,
  });
  if (adminUrl === url) {
    await kosha.schema.drop().catch(() => {});
    await kosha.schema.create();
  }
  return { kosha, rows: new RowRepo(kosha), logger };
}

/** Rows with a token starting with `prefix`, counted over a fresh direct connection. */
export async function countRows(adminUrl: string, prefix: string): Promise<number> {
  return (await tokens(adminUrl, prefix)).length;
}

/** Tokens starting with `prefix`, read over a fresh direct connection. */
export async function tokens(adminUrl: string, prefix: string): Promise<string[]> {
  if (adminUrl.startsWith('postgres')) {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      const r = await c.query('select token from fault_rows where token like $1', [`${prefix}%`]);
      return r.rows.map((x) => x.token as string);
    } finally {
      await c.end();
    }
  }
  const c = await mysql.createConnection({ uri: mysqlUri(adminUrl) });
  try {
    const [rows] = await c.query('select token from fault_rows where token like ?', [`${prefix}%`]);
    return (rows as { token: string }[]).map((x) => x.token);
  } finally {
    await c.end();
  }
}

/** Connections of the pool checked out and not given back. */
export function leaked(kosha: Kosha): number {
  const s = kosha.orm.poolStats?.();
  return s ? s.total - s.idle : 0;
}

/** Milliseconds `fn` took, with its outcome. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const start = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - start, value };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}
