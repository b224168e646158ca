import type { Kosha } from '@kosha/core';
import { ChangeSetPersister, helper } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, memoryLogger, openKosha } from '../support/databases.js';
import { bulk, Crate, Crates, Item, Items, sample, stateOf, Tag, Wide, watchInserts } from './support.js';

/*
 * insertAll's bulk insert borrows members of MikroORM's unit of work (src/internals/). When the installed
 * MikroORM's are not those it was checked against, it inserts through the unit of work instead — decided
 * once per ORM and said once at debug level — and the results are the same. A future MikroORM is stood in
 * for by giving one borrowed member another signature (still working for MikroORM's own unit of work).
 */

type Persisted = Record<string, unknown>;

const FALLBACK = /insertAll inserts through MikroORM's unit of work/;

/** Runs `fn` while ChangeSetPersister.mapPrimaryKey takes four parameters instead of three. */
async function withChangedSignature<T>(fn: () => Promise<T>): Promise<T> {
  const proto = ChangeSetPersister.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = proto.mapPrimaryKey!;
  proto.mapPrimaryKey = function mapPrimaryKey(this: unknown, meta, value, changeSet, _future) {
    return original.call(this, meta, value, changeSet);
  };
  try {
    return await fn();
  } finally {
    proto.mapPrimaryKey = original;
  }
}

for (const db of DATABASES) {
  describe.skipIf(!db.available)(
    `insertAll's bulk insert on ${db.name}: falling back to the unit of work`,
    () => {
      let recipe: Awaited<ReturnType<typeof openKosha>>;
      let fallback: Awaited<ReturnType<typeof openKosha>>;
      const logger = memoryLogger();
      beforeAll(async () => {
        recipe = await openKosha(db, [Crate, Item, Tag, Wide], { debug: true });
      });
      afterAll(async () => {
        await recipe?.close();
        await fallback?.close();
      });

      /** Inserts a crate and rows of every column type pointing at it; what came back and what was sent. */
      const insert = (kosha: Kosha) =>
        kosha.transaction(async () => {
          const items = new Items(Item, kosha);
          const [crate] = await new Crates(Crate, kosha).insertAll([{ label: 'fallback crate' }]);
          const sent = watchInserts(items.em);
          const rows = [sample(1), sample(2), { label: 'nulls' }, { ...sample(3), crate: crate! }];
          const saved = await items.insertAll(rows);
          const managed = await Promise.all(saved.map(async (e) => (await items.getById(e.id)) === e));
          const stored = await items.em.execute<Persisted[]>('select * from bulk_items order by id');
          return { saved, sent, managed, stored, states: saved.map(stateOf) };
        });

      const values = (rows: Persisted[]) =>
        rows.map(({ id: _i, created_at: _c, updated_at: _u, crate_id, ...rest }) => ({
          ...rest,
          crate: crate_id == null ? null : 'set',
        }));
      const fields = (items: Item[]) =>
        items.map(({ id: _i, createdAt: _c, updatedAt: _u, crate, ...rest }) => ({
          ...rest,
          crate: crate ? helper(crate).__meta.className : null,
        }));

      it('gives the same entities, in the same state, and stores the same rows', async () => {
        const fast = await insert(recipe.kosha);
        // Opened once the recipe has run: MikroORM keeps an entity class's metadata on its prototype, so the
        // instance opened last over the same classes would make the first one's bulk insert decline them.
        fallback = await openKosha(db, [Crate, Item, Tag, Wide], { debug: true, logger });
        const slow = await withChangedSignature(() => insert(fallback.kosha));
        // The recipe sends the rows with bound parameters (a statement per shape); the unit of work inlines them.
        expect(fast.sent.length).toBeGreaterThan(0);
        expect(fast.sent.every(bulk)).toBe(true);
        expect(slow.sent.length).toBeGreaterThan(0);
        expect(slow.sent.some(bulk)).toBe(false);
        expect(slow.managed).toEqual([true, true, true, true]);
        expect(fast.managed).toEqual([true, true, true, true]);
        expect(slow.states).toEqual(fast.states);
        expect(fields(slow.saved)).toEqual(fields(fast.saved));
        expect(values(slow.stored)).toEqual(values(fast.stored));
      });

      it('is decided once and said once, at debug level, naming what differs', async () => {
        const said = logger.lines.filter((l) => FALLBACK.test(l.message));
        expect(said.length).toBe(1);
        expect(said[0]!.level).toBe('debug');
        expect(said[0]!.message).toMatch(
          /persisterOf\(\) relies on MikroORM's ChangeSetPersister\.mapPrimaryKey/,
        );
        expect(said[0]!.message).toMatch(/checked against \(7\.2\.1, /);
        // The member is as before again, but the decision stands for this ORM: still the unit of work, said no more.
        const again = await insert(fallback.kosha);
        expect(again.sent.some(bulk)).toBe(false);
        expect(logger.lines.filter((l) => FALLBACK.test(l.message)).length).toBe(1);
      });
    },
  );
}
