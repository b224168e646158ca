import type { Kosha } from '@kosha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, memoryLogger, openKosha } from '../support/databases.js';
import {
  bulk,
  Crate,
  Item,
  Items,
  sample,
  Tag,
  Tags,
  WIDE_COLUMNS,
  Wide,
  Wides,
  watchInserts,
} from './support.js';

// insertAll's bulk insert (src/bulk-insert/): values round-trip, bound as parameters, in statements under the driver limits.

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`insertAll's bulk insert on ${db.name}: values and statements`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let items: Items;
    let tags: Tags;
    let wides: Wides;
    const logger = memoryLogger();
    beforeAll(async () => {
      env = await openKosha(db, [Crate, Item, Tag, Wide], { debug: true, logger });
      kosha = env.kosha;
      items = new Items(Item, kosha);
      tags = new Tags(Tag, kosha);
      wides = new Wides(Wide, kosha);
    });
    afterAll(() => env?.close());

    it('round-trips every column type, nulls, quotes and unicode', async () => {
      const rows = Array.from({ length: 6 }, (_, n) => sample(n));
      rows.push({ label: "O'Brien; DROP TABLE bulk_items; --", note: '', fragile: false, doc: [], big: -1n });
      const saved = await items.insertAll(rows);
      const back = await kosha.transaction(() => Promise.all(saved.map((e) => items.getById(e.id))));
      back.forEach((b, n) => {
        expect(b).not.toBe(saved[n]);
        const { id: _id, version: _v, createdAt: _c, updatedAt: _u, seven, crate: _cr, ...rest } = b!;
        const expected = { ...rows[n] } as Record<string, unknown>;
        for (const [k, v] of Object.entries(rest)) if (!(k in expected)) expect(v ?? null).toBeNull();
        for (const [k, v] of Object.entries(expected))
          expect((rest as Record<string, unknown>)[k]).toEqual(v);
        expect(seven).toBe(7);
      });
    });

    it('binds the values as parameters: the statement text carries placeholders only', async () => {
      const secret = "tok-'bound'-secret";
      await kosha.transaction(async () => {
        const sent = watchInserts(items.em);
        logger.lines.length = 0;
        await items.insertAll([{ label: secret, note: 'x' }]);
        expect(sent.length).toBe(1);
        const [q] = sent;
        expect(q!.sql).not.toContain(secret);
        expect(q!.parameters).toContain(secret);
        expect(q!.sql).toMatch(db.dialect === 'postgresql' ? /values \(\$1, \$2/ : /values \(\?, \?/);
      });
      const logged = logger.lines.filter((l) => /insert into .*bulk_items/i.test(l.message));
      expect(logged.length).toBe(1);
      expect(logged[0]!.message).toMatch(/values \(\?, \?/);
      expect(logger.lines.some((l) => l.message.includes(secret))).toBe(false);
    });

    it('splits statements under the parameter limit: 1,000 rows of 70 columns are 70,000 parameters', async () => {
      const n = 1_000;
      const rows = Array.from({ length: n }, (_, r) => {
        const row: Record<string, number> = {};
        for (let c = 0; c < WIDE_COLUMNS; c++) row[`c${c}`] = r * 1_000 + c;
        return row as Partial<Wide>;
      });
      const limit = db.dialect === 'sqlite' ? 32_766 : 65_535;
      const saved = await kosha.transaction(async () => {
        const sent = watchInserts(wides.em);
        const out = await wides.insertAll(rows);
        expect(sent.length).toBe(Math.ceil(n / Math.floor(limit / WIDE_COLUMNS)));
        for (const q of sent) expect(q.parameters.length).toBeLessThanOrEqual(limit);
        expect(sent.reduce((sum, q) => sum + q.parameters.length, 0)).toBe(n * WIDE_COLUMNS);
        return out;
      });
      expect(new Set(saved.map((w) => w.id)).size).toBe(n);
      const [stats] = await kosha.transaction(() =>
        wides.em.execute<{ n: number | string; s: number | string }[]>(
          'select count(*) as n, sum(c69) as s from bulk_wide',
        ),
      );
      expect(Number(stats!.n)).toBe(n);
      expect(Number(stats!.s)).toBe(rows.reduce((sum, r) => sum + (r.c69 as number), 0));
      const last = (await wides.getById(saved[n - 1]!.id))!;
      expect(last.c0).toBe((n - 1) * 1_000);
    });

    it('generates a uuid key on creation, and keeps a given one', async () => {
      const given = '00000000-0000-4000-8000-00000000000a';
      const saved = await kosha.transaction(async () => {
        const sent = watchInserts(tags.em);
        const out = await tags.insertAll([{ name: 'generated' }, { id: given, name: 'given' }]);
        expect(sent.every(bulk)).toBe(true);
        return out;
      });
      expect(saved[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(saved[1]!.id).toBe(given);
      expect((await tags.getById(saved[0]!.id))?.name).toBe('generated');
      expect((await tags.getById(given))?.name).toBe('given');
    });

    it('rows with different columns go in separate statements, each row keeping its values', async () => {
      const saved = await kosha.transaction(async () => {
        const sent = watchInserts(items.em);
        const out = await items.insertAll([
          { label: 'shape-a' },
          { label: 'shape-a', note: 'n' },
          { label: 'shape-a', note: 'n' },
          { label: 'shape-a' },
        ]);
        expect(sent.length).toBe(3);
        expect(sent.every(bulk)).toBe(true);
        return out;
      });
      const back = await kosha.transaction(() => Promise.all(saved.map((e) => items.getById(e.id))));
      expect(back.map((b) => b!.note ?? null)).toEqual([null, 'n', 'n', null]);
    });
  });
}
