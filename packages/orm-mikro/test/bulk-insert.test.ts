import {
  column,
  createdAt,
  DatabaseError,
  DbRepo,
  entity,
  id,
  type Kosha,
  manyToOne,
  oneToMany,
  table,
  updatedAt,
  version,
} from '@kosha/core';
import { type Collection, helper, raw, wrap } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertNew } from '../src/bulk-insert.js';
import { DATABASES, memoryLogger, openKosha } from './support/databases.js';

/*
 * insertAll's bulk insert (src/bulk-insert.ts): multi-row INSERTs with bound parameters, the entities
 * left managed exactly as MikroORM's unit of work leaves them, and the unit of work for what it cannot do.
 */

enum Size {
  Small = 1,
  Large = 2,
}

@entity
@table('bulk_crates')
class Crate {
  @id() id!: number;
  @column({ type: 'string' }) label!: string;
  @oneToMany(() => Item, 'crate') items!: Collection<Item>;
}

@entity
@table('bulk_items')
class Item {
  @id() id!: number;
  @column({ type: 'string', length: 120 }) label!: string;
  @column({ type: 'text', nullable: true }) note?: string | null;
  @column({ type: 'integer', default: 7 }) seven!: number;
  @column({ type: 'bigint', nullable: true }) big?: bigint | null;
  @column({ type: 'float', nullable: true }) ratio?: number | null;
  @column({ type: 'decimal', precision: 12, scale: 2, nullable: true }) price?: string | null;
  @column({ type: 'boolean', nullable: true }) fragile?: boolean | null;
  @column({ type: 'date', nullable: true }) day?: string | null;
  @column({ type: 'datetime', nullable: true }) at?: Date | null;
  @column({ type: 'json', nullable: true }) doc?: unknown;
  @column({ type: 'uuid', nullable: true }) ref?: string | null;
  @column({ type: 'enum', enum: ['new', 'used'], nullable: true }) state?: 'new' | 'used' | null;
  @column({ type: 'enum', enum: Size, nullable: true }) size?: Size | null;
  @manyToOne(() => Crate, { nullable: true, inversedBy: 'items' }) crate?: Crate | null;
  @version() version!: number;
  @createdAt() createdAt!: Date;
  @updatedAt() updatedAt!: Date;
}

@entity
@table('bulk_tags')
class Tag {
  @id({ type: 'uuid' }) id!: string;
  @column({ type: 'string' }) name!: string;
}

/** 70 integer columns: 1,000 rows are 70,000 parameters, past every driver's limit. */
class Wide {
  id!: number;
  [column: `c${number}`]: number;
}
entity(Wide);
table('bulk_wide')(Wide);
id()(Wide.prototype, 'id');
const WIDE_COLUMNS = 70;
for (let c = 0; c < WIDE_COLUMNS; c++) column({ type: 'integer' })(Wide.prototype, `c${c}`);

class Items extends DbRepo<Item> {}
class Crates extends DbRepo<Crate> {}
class Tags extends DbRepo<Tag> {}
class Wides extends DbRepo<Wide> {}

class Boom extends Error {}

interface SentQuery {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** Records the INSERT statements sent on the session's transaction from now on, as the driver gets them. */
function watchInserts(em: SqlEntityManager): SentQuery[] {
  const ctx = em.getTransactionContext() as unknown as {
    executeQuery(query: SentQuery, options?: unknown): Promise<unknown>;
  };
  const seen: SentQuery[] = [];
  const original = ctx.executeQuery.bind(ctx);
  ctx.executeQuery = (query, options) => {
    if (/^\s*insert\b/i.test(query.sql)) seen.push({ sql: query.sql, parameters: [...query.parameters] });
    return original(query, options);
  };
  return seen;
}

/** The bulk insert sends its values as parameters; MikroORM's unit of work inlines them (no parameters). */
const bulk = (q: SentQuery) => q.parameters.length > 0;

const sample = (n: number): Partial<Item> => ({
  label: `it's "item" ${n} — ünïcödé ✓ 日本 \\ ; -- ?`,
  note: n % 2 ? null : `note ${n}`,
  big: 9_007_199_254_740_993n + BigInt(n),
  ratio: 0.1 + 0.2 + n,
  price: `${n}.25`,
  fragile: n % 2 === 0,
  day: '2024-02-29',
  at: new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123) + n),
  doc: { n, list: [1, 'two', { three: null }], quote: 'a "b" \\ c' },
  ref: '3f1c2b4e-8d9a-4c1e-9f2b-7a6d5e4c3b2a',
  state: n % 2 ? 'used' : 'new',
  size: n % 2 ? Size.Large : Size.Small,
});

function stateOf(e: object) {
  const w = helper(e);
  const original = { ...(w.__originalEntityData as Record<string, unknown>) };
  return {
    managed: w.__managed,
    initialized: w.__initialized,
    populated: (w as unknown as { __populated?: boolean }).__populated,
    schema: w.__schema,
    loaded: [...(w as unknown as { __loadedProperties: Set<string> }).__loadedProperties].sort(),
    originalKeys: Object.keys(original).sort(),
    keys: Object.keys(e).sort(),
  };
}

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`insertAll's bulk insert on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let items: Items;
    let crates: Crates;
    let tags: Tags;
    let wides: Wides;
    const logger = memoryLogger();
    beforeAll(async () => {
      env = await openKosha(db, [Crate, Item, Tag, Wide], { debug: true, logger });
      kosha = env.kosha;
      items = new Items(Item, kosha);
      crates = new Crates(Crate, kosha);
      tags = new Tags(Tag, kosha);
      wides = new Wides(Wide, kosha);
    });
    afterAll(() => env?.close());

    const labelled = async (label: string) => (await items.findAllByField('label', label)).length;

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

    it('the same instance twice is inserted once', async () => {
      const twice = Object.assign(new Item(), { label: 'twice' });
      const saved = await items.insertAll([twice, { label: 'between' }, twice]);
      expect(saved[0]).toBe(twice);
      expect(saved[2]).toBe(twice);
      expect(await labelled('twice')).toBe(1);
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

    it('a to-one to a managed entity is bulk inserted; its collection is not left dirty', async () => {
      await kosha.transaction(async () => {
        const [crate] = await crates.insertAll([{ label: 'holder' }]);
        await crate!.items.init();
        const sent = watchInserts(items.em);
        const saved = await items.insertAll([
          { label: 'held-1', crate: crate! },
          { label: 'held-2', crate: crate! },
        ]);
        expect(sent.length).toBe(1);
        expect(bulk(sent[0]!)).toBe(true);
        expect(crate!.items.getItems()).toEqual(saved);
        expect(crate!.items.isDirty()).toBe(false);
      });
      const [crate] = await crates.findAllByField('label', 'holder');
      const held = await items.findAllByField('crate', crate!);
      expect(held.map((i) => i.label)).toEqual(['held-1', 'held-2']);
    });

    it('what needs a cascade goes through the unit of work, from the first row that needs it on', async () => {
      const saved = await kosha.transaction(async () => {
        const sent = watchInserts(items.em);
        const fresh = Object.assign(new Crate(), { label: 'cascaded' });
        const out = await items.insertAll([
          { label: 'mixed-0' },
          { label: 'mixed-1' },
          { label: 'mixed-2', crate: fresh },
          { label: 'mixed-3' },
        ]);
        // The first two in one bulk statement; the rest, and the new crate, by the unit of work.
        expect(bulk(sent[0]!)).toBe(true);
        expect(sent.slice(1).some(bulk)).toBe(false);
        expect(typeof fresh.id).toBe('number');
        for (const e of out) expect(wrap(e, true).__managed).toBe(true);
        return out;
      });
      expect(saved.map((e) => e.label)).toEqual(['mixed-0', 'mixed-1', 'mixed-2', 'mixed-3']);
      for (let i = 1; i < saved.length; i++) expect(saved[i]!.id).toBeGreaterThan(saved[i - 1]!.id);
      const [crate] = await crates.findAllByField('label', 'cascaded');
      expect((await items.findAllByField('crate', crate!)).map((i) => i.label)).toEqual(['mixed-2']);
    });

    it('a new parent with items in its collection is inserted with them (unit of work)', async () => {
      await kosha.transaction(async () => {
        const crate = Object.assign(new Crate(), { label: 'with-items' });
        const [saved] = await crates.insertAll([crate]);
        crate.items.add(Object.assign(new Item(), { label: 'in-collection' }));
        await items.em.flush();
        expect(saved).toBe(crate);
      });
      expect(await labelled('in-collection')).toBe(1);
      await kosha.transaction(async () => {
        const item = Object.assign(new Item(), { label: 'added-before' });
        const crate = crates.em.create(Crate, { label: 'pre-filled', items: [item] } as never);
        const sent = watchInserts(crates.em);
        await crates.insertAll([crate]);
        expect(sent.some(bulk)).toBe(false);
        expect(typeof item.id).toBe('number');
      });
      expect(await labelled('added-before')).toBe(1);
    });

    it('a raw SQL value goes through the unit of work', async () => {
      await kosha.transaction(async () => {
        const sent = watchInserts(items.em);
        const [e] = await items.insertAll([{ label: 'raw', note: raw(`'from sql'`) as never }]);
        expect(sent.some(bulk)).toBe(false);
        expect(typeof e!.id).toBe('number');
      });
      expect((await items.findAllByField('label', 'raw'))[0]!.note).toBe('from sql');
    });

    it('writes what the unit of work had pending before the rows', async () => {
      await kosha.transaction(async () => {
        const [crate] = await crates.insertAll([{ label: 'pending-before' }]);
        crate!.label = 'pending-renamed';
        const extra = Object.assign(new Crate(), { label: 'pending-persisted' });
        crates.em.persist(extra);
        const sent = watchInserts(items.em);
        await items.insertAll([{ label: 'after-pending', crate: crate! }]);
        expect(sent.length).toBe(2);
        expect(bulk(sent[0]!)).toBe(false);
        expect(bulk(sent[1]!)).toBe(true);
      });
      expect((await crates.findAllByField('label', 'pending-renamed')).length).toBe(1);
      expect((await crates.findAllByField('label', 'pending-persisted')).length).toBe(1);
    });

    it('a database error leaves the entities new, and the transaction usable after a savepoint', async () => {
      const [taken] = await items.insertAll([{ label: 'taken' }]);
      await kosha.transaction(async () => {
        const rows = [{ label: 'dup-ok' }, { id: taken!.id, label: 'dup' }] as Partial<Item>[];
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
            const rows: Partial<Item>[] = [
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
  });
}

describe.skipIf(!DATABASES[0]!.available)('insertAll with an event subscriber', () => {
  it('someone listening to create events gets the unit of work, and the events', async () => {
    const env = await openKosha(DATABASES[0]!, [Crate, Item, Tag, Wide]);
    try {
      const items = new Items(Item, env.kosha);
      const created: unknown[] = [];
      await env.kosha.transaction(async () => {
        items.em
          .getEventManager()
          .registerSubscriber({ afterCreate: (args) => void created.push(args.entity) });
        const saved = await items.insertAll([{ label: 'heard' }]);
        expect(created).toEqual(saved);
      });
    } finally {
      await env.close();
    }
  });
});
