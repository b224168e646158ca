import { DatabaseError, type InsertRow, type Kosha } from '@kosha/core';
import { wrap } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, openKosha } from '../support/databases.js';
import { Boom, bulk, Crate, Item, Items, Tag, Wide, watchInserts } from './support.js';

// insertAll's bulk insert (src/bulk-insert/): rolled back transactions and savepoints, database errors.

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`insertAll's bulk insert on ${db.name}: rollbacks and errors`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let items: Items;
    beforeAll(async () => {
      env = await openKosha(db, [Crate, Item, Tag, Wide], { debug: true });
      kosha = env.kosha;
      items = new Items(Item, kosha);
    });
    afterAll(() => env?.close());

    const labelled = async (label: string) => (await items.findAllByField('label', label)).length;

    it('a rolled-back transaction leaves none of the rows', async () => {
      let saved: Item[] = [];
      await expect(
        kosha.transaction(async () => {
          saved = await items.insertAll([{ label: 'rolled-back' }, { label: 'rolled-back' }]);
          expect(await labelled('rolled-back')).toBe(2);
          throw new Boom();
        }),
      ).rejects.toBeInstanceOf(Boom);
      expect(saved.length).toBe(2);
      expect(await labelled('rolled-back')).toBe(0);
    });

    it('a savepoint rolled back forgets the entities it inserted; they can be inserted again', async () => {
      await kosha.transaction(async () => {
        let inner: Item[] = [];
        await expect(
          kosha.transaction(
            async () => {
              const sent = watchInserts(items.em);
              inner = await items.insertAll([{ label: 'sp-bulk' }, { label: 'sp-bulk' }]);
              expect(sent.every(bulk)).toBe(true);
              throw new Boom();
            },
            { propagation: 'NESTED' },
          ),
        ).rejects.toBeInstanceOf(Boom);
        for (const e of inner) {
          expect(wrap(e, true).__managed).toBe(false);
          expect(e.id).toBeUndefined();
        }
        expect(await labelled('sp-bulk')).toBe(0);
        const again = await items.insertAll(inner);
        expect(again[0]).toBe(inner[0]);
        expect(typeof inner[0]!.id).toBe('number');
      });
      expect(await labelled('sp-bulk')).toBe(2);
    });

    it('a database error leaves the entities new, and the transaction usable after a savepoint', async () => {
      const [taken] = await items.insertAll([{ label: 'taken' }]);
      await kosha.transaction(async () => {
        const rows = [{ label: 'dup-ok' }, { id: taken!.id, label: 'dup' }] as InsertRow<Item>[];
        const error = await kosha
          .transaction(() => items.insertAll(rows), { propagation: 'NESTED' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DatabaseError);
        expect((error as DatabaseError).kind).toBe('unique_violation');
        await items.insertAll([{ label: 'after-error' }]);
      });
      expect(await labelled('after-error')).toBe(1);
      expect(await labelled('dup-ok')).toBe(0);
    });

    // PostgreSQL refuses every statement after a failed one anyway; SQLite and MariaDB go on.
    it.skipIf(db.dialect === 'postgresql')(
      'after a failed statement no later one runs, as with the unit of work',
      async () => {
        const [taken] = await items.insertAll([{ label: 'taken-2' }]);
        await expect(
          kosha.transaction(async () => {
            const rows: InsertRow<Item>[] = [
              ...Array.from({ length: 1_000 }, () => ({ label: 'before-failure' })),
              { id: taken!.id, label: 'failing' },
              ...Array.from({ length: 1_000 }, () => ({ label: 'after-failure' })),
            ];
            const sent = watchInserts(items.em);
            const error = await items.insertAll(rows).catch((e: unknown) => e);
            expect(error).toBeInstanceOf(DatabaseError);
            expect(sent.length).toBe(2);
            expect(await labelled('before-failure')).toBe(1_000);
            expect(await labelled('after-failure')).toBe(0);
            throw new Boom();
          }),
        ).rejects.toBeInstanceOf(Boom);
      },
    );
  });
}
