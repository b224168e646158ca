import type { Kosha } from '@kosha/core';
import { helper, wrap } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, openKosha } from '../support/databases.js';
import { bulk, Crate, Crates, Item, Items, sample, stateOf, Tag, Wide, watchInserts } from './support.js';

// insertAll's bulk insert (src/bulk-insert/): managed entities, generated values, the state the unit of work leaves.

for (const db of DATABASES) {
  describe.skipIf(!db.available)(
    `insertAll's bulk insert on ${db.name}: entities come back as the unit of work leaves them`,
    () => {
      let env: Awaited<ReturnType<typeof openKosha>>;
      let kosha: Kosha;
      let items: Items;
      let crates: Crates;
      beforeAll(async () => {
        env = await openKosha(db, [Crate, Item, Tag, Wide], { debug: true });
        kosha = env.kosha;
        items = new Items(Item, kosha);
        crates = new Crates(Crate, kosha);
      });
      afterAll(() => env?.close());

      it('returns managed entities: getById in the same transaction gives the same object, a change is flushed', async () => {
        const saved = await kosha.transaction(async () => {
          const sent = watchInserts(items.em);
          const out = await items.insertAll([{ label: 'managed-1' }, { label: 'managed-2' }]);
          expect(sent.length).toBe(1);
          expect(bulk(sent[0]!)).toBe(true);
          for (const e of out) {
            expect(e).toBeInstanceOf(Item);
            expect(wrap(e, true).__managed).toBe(true);
            expect(await items.getById(e.id)).toBe(e);
          }
          out[0]!.label = 'managed-1 changed';
          return out;
        });
        const back = (await items.getById(saved[0]!.id))!;
        expect(back.label).toBe('managed-1 changed');
        expect(back.version).toBe(2);
        expect((await items.getById(saved[1]!.id))!.version).toBe(1);
      });

      it('an update() in the same transaction writes the row and bumps the version', async () => {
        await kosha.transaction(async () => {
          const [e] = await items.insertAll([{ label: 'to-update' }]);
          e!.note = 'updated';
          const updated = await items.update(e!);
          expect(updated).toBe(e);
          expect(e!.version).toBe(2);
        });
        const [row] = await items.findAllByField('label', 'to-update');
        expect(row!.note).toBe('updated');
      });

      it('gives the ids the database generated, in the order of the rows', async () => {
        const labels = Array.from({ length: 2_500 }, (_, i) => `order-${String(i).padStart(4, '0')}`);
        const saved = await items.insertAll(labels.map((label) => ({ label })));
        expect(saved.map((e) => e.label)).toEqual(labels);
        for (let i = 1; i < saved.length; i++) expect(saved[i]!.id).toBeGreaterThan(saved[i - 1]!.id);
        const rows = await kosha.transaction(() =>
          items.em.execute<{ id: number; label: string }[]>(
            "select id, label from bulk_items where label like 'order-%' order by id",
          ),
        );
        expect(rows.map((r) => Number(r.id))).toEqual(saved.map((e) => e.id));
        expect(rows.map((r) => r.label)).toEqual(labels);
      });

      it('sets defaults, audit stamps and the version as the unit of work does', async () => {
        await kosha.transaction(async () => {
          const em = items.em;
          const before = Date.now();
          const [fast] = await items.insertAll([{ label: 'defaults' }]);
          // The same row through MikroORM's unit of work, for comparison.
          const slow = em.create(Item, { label: 'defaults' } as never, { persist: true });
          await em.flush();
          expect(fast!.seven).toBe(7);
          expect(fast!.version).toBe(1);
          expect(fast!.createdAt).toBeInstanceOf(Date);
          expect(fast!.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
          expect(fast!.updatedAt.getTime()).toBe(fast!.createdAt.getTime());
          expect(stateOf(fast!)).toEqual(stateOf(slow));
          const strip = (e: Item) => {
            const {
              id: _id,
              createdAt: _c,
              updatedAt: _u,
              items: _i,
              ...rest
            } = e as Item & { items?: unknown };
            return { ...rest };
          };
          expect(strip(fast!)).toEqual(strip(slow));
          expect(fast!.crate ?? null).toBeNull();
        });
      });

      it('leaves each entity in the very state the unit of work leaves it in, for every column type', async () => {
        await kosha.transaction(async () => {
          const em = items.em;
          const [crate] = await crates.insertAll([{ label: 'state crate' }]);
          const row = { ...sample(1), crate: crate! };
          const [fast] = await items.insertAll([row]);
          const slow = em.create(Item, { ...row } as never, { persist: true });
          await em.flush();
          expect(stateOf(fast!)).toEqual(stateOf(slow));
          const original = (e: Item) => {
            const {
              id: _id,
              createdAt: _c,
              updatedAt: _u,
              ...rest
            } = helper(e).__originalEntityData as Record<string, unknown>;
            return rest;
          };
          expect(original(fast!)).toEqual(original(slow));
          // Nothing is believed changed: a flush writes nothing.
          const sent = watchInserts(em);
          const updates: string[] = [];
          const ctx = em.getTransactionContext() as unknown as {
            executeQuery(q: { sql: string }): Promise<unknown>;
          };
          const inner = ctx.executeQuery;
          ctx.executeQuery = (q) => {
            updates.push(q.sql);
            return inner(q);
          };
          await em.flush();
          expect(sent).toEqual([]);
          expect(updates).toEqual([]);
        });
      });

      it('stores the very values the unit of work stores', async () => {
        const [fastId, slowId] = await kosha.transaction(async () => {
          const em = items.em;
          const rows = [sample(2), sample(3), { label: 'nulls' }];
          const fast = await items.insertAll(rows.map((r) => ({ ...r })));
          const slow = rows.map((r) => em.create(Item, { ...r } as never, { persist: true }));
          await em.flush();
          return [fast.map((e) => e.id), slow.map((e) => e.id)];
        });
        const read = (ids: number[]) =>
          kosha.transaction(() =>
            items.em.execute<Record<string, unknown>[]>(
              `select * from bulk_items where id in (${ids.map(() => '?').join(', ')}) order by id`,
              ids,
            ),
          );
        const strip = (rows: Record<string, unknown>[]) =>
          rows.map(({ id: _id, created_at: _c, updated_at: _u, ...rest }) => rest);
        expect(strip(await read(fastId))).toEqual(strip(await read(slowId)));
      });
    },
  );
}
