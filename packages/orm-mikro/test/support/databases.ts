import { realService, scratchDatabase } from '@kosha/conformance';
import { createKosha, type EntityClass, type Kosha, type Logger } from '@kosha/core';
import { type MikroOrmOptions, mikroOrm } from '../../src/index.js';

/** A database the suites run against. `adminUrl` is unset when the service is not reachable here. */
export interface TestDatabase {
  readonly name: 'SQLite' | 'PostgreSQL' | 'MariaDB';
  readonly dialect: 'sqlite' | 'postgresql' | 'mariadb';
  readonly available: boolean;
  readonly adminUrl?: string;
}

const postgres = await realService('postgresql');
const mariadb = await realService('mariadb');

/** SQLite in memory always; PostgreSQL and MariaDB when reachable (CI: always). */
export const DATABASES: readonly TestDatabase[] = [
  { name: 'SQLite', dialect: 'sqlite', available: true },
  { name: 'PostgreSQL', dialect: 'postgresql', available: !!postgres, adminUrl: postgres },
  { name: 'MariaDB', dialect: 'mariadb', available: !!mariadb, adminUrl: mariadb },
];

/** An empty database of this kind: its URL and how to drop it. */
export async function emptyDatabase(db: TestDatabase): Promise<{ url: string; drop(): Promise<void> }> {
  if (db.dialect === 'sqlite') return { url: 'sqlite::memory:', drop: async () => {} };
  const scratch = await scratchDatabase(db.adminUrl!);
  // The MariaDB service URL says mysql://; the mariadb driver reads MariaDB's JSON columns back as JSON.
  return {
    url: db.dialect === 'mariadb' ? scratch.url.replace(/^mysql:/, 'mariadb:') : scratch.url,
    drop: () => scratch.drop(),
  };
}

/** A logger that keeps what it is given. */
export function memoryLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A Kosha instance on a fresh database with these entities' tables created; `close` also drops the database. */
export async function openKosha(
  db: TestDatabase,
  entities: readonly EntityClass[],
  options: Partial<MikroOrmOptions> & { logger?: Logger } = {},
): Promise<{ kosha: Kosha; url: string; close(): Promise<void> }> {
  const { logger, ...orm } = options;
  const database = await emptyDatabase(db);
  const kosha = await createKosha({
    orm: mikroOrm({ url: database.url, ...orm }),
    entities,
    setDefault: false,
    cache: false,
    logger: logger ?? memoryLogger(),
  });
  await kosha.schema.create();
  return {
    kosha,
    url: database.url,
    async close() {
      await kosha.close();
      await database.drop();
    },
  };
}
