import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import { ConfigError } from '@kosha/core';

/** A real service the test suites can run against. */
export type ServiceKind = 'postgresql' | 'mariadb' | 'redis';

const DEFAULT_URLS: Record<ServiceKind, string> = {
  postgresql: 'postgresql://postgres@127.0.0.1:5432/test',
  mariadb: 'mariadb://root@127.0.0.1:3306/test',
  redis: 'redis://127.0.0.1:6379/0',
};

const ENV: Record<ServiceKind, string> = {
  postgresql: 'KOSHA_TEST_POSTGRES_URL',
  mariadb: 'KOSHA_TEST_MARIADB_URL',
  redis: 'KOSHA_TEST_REDIS_URL',
};

const NAMES: Record<ServiceKind, string> = { postgresql: 'PostgreSQL', mariadb: 'MariaDB', redis: 'Redis' };

function reachable(url: string, timeoutMs = 1000): Promise<boolean> {
  const u = new URL(url);
  const port = Number(
    u.port || (u.protocol.startsWith('postgres') ? 5432 : u.protocol.startsWith('redis') ? 6379 : 3306),
  );
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.connect(port, u.hostname, () => done(true));
  });
}

const announced = new Set<ServiceKind>();

/**
 * The URL of a real service to test against, or `undefined` when it is not reachable — then one
 * line says the suite is skipped. Under `CI` an unreachable service is an error, never a skip.
 * URLs come from `KOSHA_TEST_POSTGRES_URL`, `KOSHA_TEST_MARIADB_URL`, `KOSHA_TEST_REDIS_URL`,
 * defaulting to the local services on 127.0.0.1.
 *
 * ```ts
 * const pg = await realService('postgresql');
 * describe.skipIf(!pg)('on PostgreSQL', () => { … });
 * ```
 */
export async function realService(kind: ServiceKind): Promise<string | undefined> {
  const url = process.env[ENV[kind]] || DEFAULT_URLS[kind];
  if (await reachable(url)) return url;
  const where = new URL(url).host;
  if (process.env.CI) {
    throw new Error(
      `${NAMES[kind]} is not reachable at ${where} and CI never skips the real-service suites: start it (.ci/run does).`,
    );
  }
  if (!announced.has(kind)) {
    announced.add(kind);
    console.warn(
      `[kosha] ${NAMES[kind]} not reachable at ${where}: skipping the ${NAMES[kind]} suites here (CI runs them).`,
    );
  }
  return undefined;
}

/** A database created for one test file, dropped by `drop()`. */
export interface ScratchDatabase {
  /** URL of the new database. */
  readonly url: string;
  /** Drops the database. */
  drop(): Promise<void>;
}

/** Loads a driver this package declares as an optional peer, or says which package to install. */
export async function optionalPeer<T>(load: () => Promise<T>, name: string, what: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new ConfigError(
      `@kosha/conformance needs the ${name} package to reach ${what}: install it beside it (npm i -D ${name}).`,
      { cause: error },
    );
  }
}

/**
 * Creates an empty database next to the one `adminUrl` names (PostgreSQL or MariaDB/MySQL), so
 * suites running in parallel never share tables.
 */
export async function scratchDatabase(adminUrl: string): Promise<ScratchDatabase> {
  const name = `kosha_t_${randomBytes(5).toString('hex')}`;
  const u = new URL(adminUrl);
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  if (u.protocol.startsWith('postgres')) {
    const { default: pg } = await optionalPeer(() => import('pg'), 'pg', 'PostgreSQL');
    const admin = async (sql: string) => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    await admin(`CREATE DATABASE ${name}`);
    return { url: target.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }
  const mysql = await optionalPeer(() => import('mysql2/promise'), 'mysql2', 'MariaDB/MySQL');
  const admin = async (sql: string) => {
    const c = await mysql.createConnection({ uri: adminUrl.replace(/^mariadb:/, 'mysql:') });
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  return { url: target.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name}`) };
}
