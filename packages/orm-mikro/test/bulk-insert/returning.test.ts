import type { Kosha } from '@kosha/core';
import { wrap } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertNew } from '../../src/bulk-insert/insert-new.js';
import { DATABASES, openKosha } from '../support/databases.js';
import { bulk, Crate, Item, Items, Tag, Wide, watchInserts } from './support.js';

// insertAll's bulk insert (src/bulk-insert/): generated keys and values on MySQL and MariaDB, with and without RETURNING.

for (const db of DATABASES) {
  describe.skipIf(!db.available)(
    `insertAll's bulk insert on ${db.name}: generated keys without RETURNING`,
    () => {
      let env: Awaited<ReturnType<typeof openKosha>>;
      let kosha: Kosha;
      let items: Items;
      beforeAll(async () => {
        env = await openKosha(db, [Crate, Item, Tag, Wide], { debug: true });
        kosha = env.kosha;
        items = new Items(Item, kosha);
      });
      afterAll(() => env?.close());

      // There is no MySQL server here: MariaDB with RETURNING switched off stands in for MySQL's path.
      it.skipIf(db.dialect !== 'mariadb')(
        'without RETURNING (MySQL) the keys follow the insert id and database defaults are read back',
        async () => {
          await kosha.transaction(async () => {
            const em = items.em;
            const sent = watchInserts(em);
            const rows: Partial<Item>[] = Array.from({ length: 1_500 }, (_, i) => ({
              label: `no-returning-${i}`,
            }));
            const out = await insertNew(
              em,
              Item,
              rows,
              { dialect: 'mysql', mariadb: false },
              { returning: false },
            );
            expect(sent.length).toBe(2);
            expect(sent.every((q) => bulk(q) && !/returning/i.test(q.sql))).toBe(true);
            for (let i = 1; i < out.length; i++) expect(out[i]!.id).toBe(out[0]!.id + i);
            expect(out.every((e) => e.version === 1 && wrap(e, true).__managed)).toBe(true);
            const ids = await em.execute<{ id: number }[]>(
              "select id from bulk_items where label like 'no-returning-%' order by id",
            );
            expect(ids.map((r) => Number(r.id))).toEqual(out.map((e) => e.id));
            expect(await items.getById(out[700]!.id)).toBe(out[700]);
          });
        },
      );

      // MariaDB alone decides per server version (RETURNING since 10.5); the other databases always have it.
      it.skipIf(db.dialect !== 'mariadb')('MariaDB reads generated values back with RETURNING', async () => {
        await kosha.transaction(async () => {
          const sent = watchInserts(items.em);
          const [e] = await items.insertAll([{ label: 'mariadb-returning' }]);
          expect(sent[0]!.sql).toMatch(/returning `id`, `version`$/);
          expect(e!.version).toBe(1);
        });
      });
    },
  );
}
