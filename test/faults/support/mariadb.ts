import { realService, scratchDatabase } from '@kosha/conformance';
import mysql from 'mysql2/promise';

/** The shared MariaDB (never stopped or paused by the fault cases): `KOSHA_TEST_MARIADB_URL` or the local one. */
export const MARIADB_ADMIN_URL = process.env.KOSHA_TEST_MARIADB_URL || 'mariadb://root@127.0.0.1:3306/test';

// Scratch databases from @kosha/conformance are named kosha_t_<hex>: KILL is only ever aimed at those.
const SCRATCH = /^kosha_t_[0-9a-f]+$/;

/** A scratch database on the shared MariaDB, for one test file. */
export interface MariadbScratch {
  /** Database name (`kosha_t_<hex>`). */
  readonly name: string;
  /** Direct URL (`mariadb://…:3306/<name>`), bypassing any proxy. */
  readonly url: string;
  /** Kills the connections still using it, then drops it. */
  drop(): Promise<void>;
}

/** Whether the shared MariaDB is reachable; outside CI an unreachable one skips with one line, under CI it throws. */
export async function mariadbAvailable(): Promise<boolean> {
  return (await realService('mariadb')) !== undefined;
}

/** Creates an empty scratch database on the shared MariaDB. */
export async function mariadbScratch(): Promise<MariadbScratch> {
  const db = await scratchDatabase(MARIADB_ADMIN_URL);
  const name = new URL(db.url).pathname.slice(1);
  return {
    name,
    url: db.url,
    async drop() {
      // A connection left inside a transaction would hold a metadata lock and block DROP DATABASE.
      await killConnections(name);
      await db.drop();
    },
  };
}

/** URL of `dbName` reached through the proxy on `proxyPort` (the admin URL's user and password kept). */
export function mariadbThroughProxy(proxyPort: number, dbName: string): string {
  const u = new URL(MARIADB_ADMIN_URL);
  u.hostname = '127.0.0.1';
  u.port = String(proxyPort);
  u.pathname = `/${dbName}`;
  return u.toString();
}

/** mysql2's spelling of a `mariadb://` URL (mysql2 takes `mysql://`). */
export function mysqlUri(url: string): string {
  return url.replace(/^mariadb:/, 'mysql:');
}

async function admin<T>(work: (c: mysql.Connection) => Promise<T>, database?: string): Promise<T> {
  const c = await mysql.createConnection({
    uri: mysqlUri(MARIADB_ADMIN_URL),
    connectTimeout: 5_000,
    ...(database ? { database } : {}),
  });
  try {
    return await work(c);
  } finally {
    await Promise.race([c.end().catch(() => c.destroy()), new Promise((r) => setTimeout(r, 2_000))]);
  }
}

/** Runs one statement on a fresh direct connection to `dbName` (closed afterwards); returns the rows. */
export function mariadbQuery<R = Record<string, unknown>>(
  dbName: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  return admin(async (c) => {
    const [rows] = await c.query({ sql, timeout: 30_000 }, params);
    return (Array.isArray(rows) ? rows : []) as R[];
  }, dbName);
}

/** KILLs every connection whose current database is the scratch database `dbName`, except the admin's own; returns how many. */
export async function killConnections(dbName: string): Promise<number> {
  if (!SCRATCH.test(dbName)) throw new Error(`killConnections: ${dbName} is not a scratch database`);
  return admin(async (c) => {
    const [rows] = await c.query<mysql.RowDataPacket[]>(
      'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
      [dbName],
    );
    let killed = 0;
    for (const { id } of rows) {
      try {
        await c.query(`KILL CONNECTION ${Number(id)}`);
        killed++;
      } catch {
        // Gone between the listing and the KILL (ER_NO_SUCH_THREAD): nothing left to end.
      }
    }
    return killed;
  });
}
