// The backend conformance suite of @kosha/testing, on SQLite in memory always and on the real
// PostgreSQL and MariaDB when they are reachable (CI always has them). @kosha/testing depends on
// this package, so its sources are imported by path instead of as a devDependency (no cycle).
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  backendConformance,
  realService,
  type ScratchDatabase,
  scratchDatabase,
} from '../../testing/src/index.js';
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
