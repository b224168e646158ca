import { column, DbRepo, entity, id, type Kosha, table } from '@kosha/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATABASES, memoryLogger, openKosha } from '../support/databases.js';

// An upsert of many rows goes out in statements of up to 1,000 rows, one after the other. The call
// returns every row in the rows' order as managed entities, and a statement that fails sends nothing
// after it and leaves nothing of the call written.

@entity
@table('upsert_tallies')
class Tally {
  @id() id!: number;
  @column({ type: 'string', length: 40, unique: true }) key!: string;
  @column({ type: 'string', length: 40, unique: true, nullable: true }) code!: string | null;
  @column({ type: 'integer' }) n!: number;
}

class Tallies extends DbRepo<Tally> {}

const N = 1_300;

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`upsert of ${N} rows on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let tallies: Tallies;
    const logger = memoryLogger();
    const inserts = () =>
      logger.lines.filter((l) => l.level === 'debug' && /^\[sql\] insert into\b/i.test(l.message)).length;
    beforeAll(async () => {
      env = await openKosha(db, [Tally], { debug: true, logger });
      kosha = env.kosha;
      tallies = new Tallies(Tally, kosha);
    });
    afterAll(() => env?.close());
    beforeEach(async () => {
      await tallies.deleteWhere({});
      logger.lines.length = 0;
    });

    const perStatement = 1_000;

    it("the backend's own row check names upsert, not insertAll", async () => {
      // core refuses such a row first; the backend checks too, for a caller of its Session.
      const session = kosha.orm.openSession();
      try {
        const spec = { onConflict: ['key'], update: ['n'], touchesUpdatedAt: false };
        await expect(session.upsert!(Tally, [{ key: 'a', n: 1 }, 'oops' as never], spec)).rejects.toThrow(
          /^Tally\.upsert: row 1 is neither a Tally nor a plain object of its fields\.$/,
        );
        expect(inserts()).toBe(0);
      } finally {
        await session.close();
      }
    });

    it('returns every row in order, inserted or updated, as the managed entities', async () => {
      // Every third row exists already.
      const existing = await tallies.insertAll(
        Array.from({ length: N }, (_, i) => i)
          .filter((i) => i % 3 === 0)
          .map((i) => ({ key: `k${i}`, n: -1 })),
      );
      logger.lines.length = 0;
      await kosha.transaction(async () => {
        const rows = Array.from({ length: N }, (_, i) => ({ key: `k${N - 1 - i}`, n: i }));
        const got = await tallies.upsert(rows, { onConflict: ['key'] });
        expect(inserts()).toBe(Math.ceil(N / perStatement));
        if (db.dialect === 'postgresql') {
          // One array per column: the statement's parameters do not grow with its rows.
          const sent = logger.lines.filter((l) => /^\[sql\] insert into\b/i.test(l.message));
          for (const l of sent) expect(l.message).toMatch(/ select \* from unnest\(\?::text\[\], /);
        }
        expect(got.map((t) => [t.key, t.n])).toEqual(rows.map((r) => [r.key, r.n]));
        expect(new Set(got.map((t) => t.id)).size).toBe(N);
        for (const e of existing) {
          const t = got.find((g) => g.key === e.key)!;
          expect(t.id).toBe(e.id);
        }
        // Managed: the session's reads give the same instances, and there is nothing to flush.
        for (const t of [got[0]!, got[N >> 1]!, got[N - 1]!]) expect(await tallies.getById(t.id)).toBe(t);
      });
      expect(await tallies.count({})).toBe(N);
    });

    // On MySQL/MariaDB `ON DUPLICATE KEY UPDATE` fires on any unique key: a second key is not an error there.
    it.skipIf(db.dialect === 'mariadb')(
      'a statement that fails sends nothing after it and leaves nothing of the call',
      async () => {
        await tallies.insertAll([{ key: 'taken', code: 'c-taken', n: 0 }]);
        logger.lines.length = 0;
        const rows = Array.from({ length: N }, (_, i) => ({ key: `f${i}`, code: `c${i}`, n: i }));
        // A row of the second statement collides on `code`, which the conflict clause does not cover.
        const bad = perStatement + 10;
        rows[bad] = { key: `f${bad}`, code: 'c-taken', n: bad };
        await expect(tallies.upsert(rows, { onConflict: ['key'] })).rejects.toThrow();
        expect(inserts(), 'the failing statement is the last sent').toBe(2);
        expect(await tallies.count({})).toBe(1);
      },
    );
  });
}
