// The backend conformance suite of @kosha/conformance, on SQLite in memory always and on the real
// PostgreSQL and MariaDB when they are reachable (CI always has them).
import { backendConformance, realService, type ScratchDatabase, scratchDatabase } from '@kosha/conformance';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { mikroOrm } from '../src/index.js';

const runner = { describe, test, beforeAll, afterAll };

backendConformance(runner, () => mikroOrm({ url: 'sqlite::memory:' }), { name: 'SQLite' });

for (const [kind, name] of [
  ['postgresql', 'PostgreSQL'],
  ['mariadb', 'MariaDB'],
] as const) {
  const admin = await realService(kind);
  describe.skipIf(!admin)(name, () => {
    let db: ScratchDatabase | undefined;
    beforeAll(async () => {
      db = await scratchDatabase(admin!);
    });
    afterAll(async () => {
      await db?.drop();
    });
    backendConformance(runner, () => mikroOrm({ url: db!.url, pool: { min: 0, max: 10 } }), { name });
  });
}
