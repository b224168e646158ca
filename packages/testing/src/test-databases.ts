import { realService, scratchDatabase, type TestDatabase } from '@kosha/conformance';
import { ConfigError, InvalidArgumentError, type NativeSession, type Session } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';

/** A database kind {@link testDatabases} can give. */
export type TestDatabaseKind = 'sqlite' | 'postgresql' | 'mariadb';

const NAMES: Record<TestDatabaseKind, string> = {
  sqlite: 'SQLite',
  postgresql: 'PostgreSQL',
  mariadb: 'MariaDB',
};

/** Raw SQL on a session of `@kosha/orm-mikro` (its native session is MikroORM's EntityManager). */
async function execute(session: Session, sql: string): Promise<void> {
  await (session.native as NativeSession).execute(sql);
}

/**
 * Databases for the suites of `@kosha/conformance` (and a plugin's own tests), each opening a fresh, empty
 * database and a `@kosha/orm-mikro` backend on it: SQLite in memory always; PostgreSQL and MariaDB when
 * `realService` reaches them (`available: false` otherwise; under `CI` an unreachable one is an error).
 * Only the kinds asked for are probed.
 *
 * ```ts
 * for (const database of await testDatabases(['sqlite', 'postgresql']))
 *   describe.skipIf(!database.available)(database.name, () => httpConformance(runner, adapter, database));
 * ```
 */
export async function testDatabases(
  kinds: readonly TestDatabaseKind[] = ['sqlite', 'postgresql', 'mariadb'],
): Promise<TestDatabase[]> {
  const out: TestDatabase[] = [];
  for (const kind of kinds) {
    if (!(kind in NAMES)) {
      throw new InvalidArgumentError(
        `testDatabases: unknown kind ${JSON.stringify(kind)}; the kinds are ${Object.keys(NAMES).join(', ')}.`,
      );
    }
    if (kind === 'sqlite') {
      out.push({
        name: NAMES.sqlite,
        dialect: 'sqlite',
        available: true,
        open: async () => ({
          backend: mikroOrm({ url: 'sqlite::memory:' }),
          url: 'sqlite::memory:',
          execute,
          drop: async () => {},
        }),
      });
      continue;
    }
    const admin = await realService(kind);
    out.push({
      name: NAMES[kind],
      dialect: kind,
      available: admin !== undefined,
      async open(options = {}) {
        if (!admin) {
          throw new ConfigError(
            `${NAMES[kind]} is not reachable here, so it cannot be opened: skip its suites with ` +
              'describe.skipIf(!database.available), or start it (see realService for the URL it tries).',
          );
        }
        const scratch = await scratchDatabase(admin);
        // The MariaDB service URL may say mysql://; the mariadb driver reads MariaDB's JSON columns back as JSON.
        const url = kind === 'mariadb' ? scratch.url.replace(/^mysql:/, 'mariadb:') : scratch.url;
        return {
          backend: mikroOrm({ url, pool: { min: 0, max: options.maxConnections ?? 10 } }),
          url,
          execute,
          drop: () => scratch.drop(),
        };
      },
    });
  }
  return out;
}
