import {
  column,
  DatabaseError,
  DbRepo,
  deletedAt,
  embeddable,
  embedded,
  entity,
  gt,
  id,
  isIn,
  type Many,
  many,
  manyToOne,
  OptionalProps,
  oneToMany,
  table,
  version,
} from '@kosha/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, openKosha } from '../support/databases.js';
import { type SentQuery, watchStatements } from '../support/statements.js';

// The compiled reads (src/query/compiled-find.ts): find, findPage, getById and the built-in finders send
// a SELECT Kosha wrote, its values bound as parameters, and give the entities em.find would give; shapes
// that need MikroORM's own SQL take em.find, whose statements carry their values in the text.

@entity
@table('compiled_makers')
class Maker {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
  @oneToMany(() => Gadget, 'maker') gadgets: Many<Gadget> = many(this);
}

enum Size {
  Small = 1,
  Large = 2,
}

@entity
@table('compiled_gadgets')
class Gadget {
  declare [OptionalProps]?: 'version';
  @id() id!: number;
  @column({ type: 'string' }) label!: string;
  @column({ type: 'text', nullable: true }) note?: string | null;
  @column({ type: 'integer' }) n!: number;
  @column({ type: 'bigint', nullable: true }) big?: bigint | null;
  @column({ type: 'float', nullable: true }) ratio?: number | null;
  @column({ type: 'decimal', precision: 12, scale: 2, nullable: true }) price?: string | null;
  @column({ type: 'boolean', nullable: true }) fragile?: boolean | null;
  @column({ type: 'date', nullable: true }) day?: string | null;
  @column({ type: 'datetime', nullable: true }) at?: Date | null;
  @column({ type: 'uuid', nullable: true }) ref?: string | null;
  @column({ type: 'enum', enum: ['new', 'used'], nullable: true }) state?: 'new' | 'used' | null;
  @column({ type: 'enum', enum: Size, nullable: true }) size?: Size | null;
  @manyToOne(() => Maker, { nullable: true }) maker?: Maker | null;
  @version() version!: number;
}

@entity
@table('compiled_notes')
class Note {
  @id() id!: number;
  @column({ type: 'string' }) text!: string;
  @deletedAt() deletedAt?: Date | null;
}

@embeddable
class Spot {
  @column({ type: 'string' }) city!: string;
}

@entity
@table('compiled_places')
class Place {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
  @embedded(() => Spot) spot!: Spot;
}

class Gadgets extends DbRepo<Gadget> {}
class Makers extends DbRepo<Maker> {}
class Notes extends DbRepo<Note> {}
class Places extends DbRepo<Place> {}

/** The SELECTs sent on the session's transaction from now on. */
const watchSelects = (em: SqlEntityManager) => watchStatements(em, /^\s*select\b/i);

/** Kosha's compiled statements carry their own query ids; MikroORM's inline their values (no parameters). */
const compiled = (q: SentQuery) => {
  const mine = q.queryId?.queryId.startsWith('kosha-select-') === true;
  if (!mine) expect(q.parameters).toEqual([]);
  return mine;
};

const AT = new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123));

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`compiled reads on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let gadgets: Gadgets;
    let makers: Makers;
    let notes: Notes;
    let places: Places;
    let saved: Gadget[];
    let acme: Maker;

    beforeAll(async () => {
      env = await openKosha(db, [Maker, Gadget, Note, Place]);
      gadgets = new Gadgets(Gadget, env.kosha);
      makers = new Makers(Maker, env.kosha);
      notes = new Notes(Note, env.kosha);
      places = new Places(Place, env.kosha);
      acme = (await makers.insertAll([{ name: 'acme' }, { name: 'other' }]))[0]!;
      saved = await gadgets.insertAll(
        Array.from({ length: 8 }, (_, i) => ({
          label: `gadget ${i} it's "quoted" ; -- ?`,
          note: i % 2 ? null : `note ${i}`,
          n: i,
          big: 9_007_199_254_740_993n + BigInt(i),
          ratio: i + 0.5,
          price: `${i}.25`,
          fragile: i % 2 === 0,
          day: `2024-02-${String(10 + i)}`,
          at: new Date(AT.getTime() + i * 1_000),
          ref: `3f1c2b4e-8d9a-4c1e-9f2b-7a6d5e4c3b2${i}`,
          state: i % 2 ? 'used' : 'new',
          size: i % 2 ? Size.Large : Size.Small,
          maker: i < 3 ? acme : null,
        })),
      );
    });
    afterAll(() => env?.close());

    it('find, findOne, findPage, getById and the built-in finders send one SELECT with the values bound', async () => {
      await env.kosha.transaction(async () => {
        const sent = watchSelects(gadgets.em);
        const label = saved[2]!.label;
        expect(
          (await gadgets.find({ where: { label }, orderBy: { n: 'desc' }, limit: 5 })).map((g) => g.n),
        ).toEqual([2]);
        expect((await gadgets.findOne({ n: gt(6) }))?.n).toBe(7);
        const page = await gadgets.findPage({ page: 1, size: 3, sort: { n: 'asc' } }, { fragile: true });
        expect(page.items.map((g) => g.n)).toEqual([6]);
        expect(page.total).toBe(4);
        expect((await gadgets.findAllByField('maker', acme.id)).map((g) => g.n).sort()).toEqual([0, 1, 2]);
        expect(sent.length).toBe(4);
        expect(sent.every(compiled)).toBe(true);
        for (const q of sent) expect(q.sql).not.toContain('quoted');
        expect(sent[0]!.parameters).toContain(label);
      });
      await env.kosha.transaction(async () => {
        const sent = watchSelects(gadgets.em);
        expect((await gadgets.getById(saved[5]!.id))?.n).toBe(5);
        expect(sent.length).toBe(1);
        expect(sent.every(compiled)).toBe(true);
        expect(sent[0]!.sql).toMatch(db.dialect === 'postgresql' ? /= \$1 limit 1$/ : /= \? limit 1$/);
      });
    });

    it('every column type compares as em.find compares it', async () => {
      const columns = [
        'label',
        'note',
        'n',
        'big',
        'ratio',
        'price',
        'fragile',
        'day',
        'at',
        'ref',
        'state',
        'size',
      ] as const;
      await env.kosha.transaction(async () => {
        const em = gadgets.em;
        const ids = (rows: Gadget[]) => rows.map((g) => g.id).sort((a, b) => a - b);
        const sent = watchSelects(em);
        for (const c of columns) {
          const value = saved[4]![c];
          const mine = ids(await gadgets.find({ where: { [c]: value } as never }));
          const theirs = ids(await em.find(Gadget, { [c]: value } as never));
          expect(mine, c).toEqual(theirs);
          expect(mine.length, c).toBeGreaterThan(0);
          expect(ids(await gadgets.findAllByField(c, value as never)), c).toEqual(theirs);
          const some = [saved[2]![c], saved[5]![c] ?? saved[6]![c]];
          expect(ids(await gadgets.find({ where: { [c]: isIn(some as never) } as never })), c).toEqual(
            ids(await em.find(Gadget, { [c]: { $in: some } } as never)),
          );
        }
        for (const c of ['n', 'big', 'ratio', 'price', 'day', 'at'] as const) {
          const value = saved[3]![c];
          expect(ids(await gadgets.find({ where: { [c]: gt(value as never) } as never })), c).toEqual(
            ids(await em.find(Gadget, { [c]: { $gt: value } } as never)),
          );
        }
        expect(sent.filter(compiled).length).toBe(columns.length * 3 + 6);
      });
    });

    it('a to-many populate follows the compiled SELECT as em.find runs it (select-in); a to-one one is joined by em.find', async () => {
      await env.kosha.transaction(async () => {
        const sent = watchSelects(makers.em);
        const [maker] = await makers.find({ where: { name: 'acme' }, populate: ['gadgets'] });
        expect([...maker!.gadgets].map((g) => g.n).sort()).toEqual([0, 1, 2]);
        expect(sent.length).toBe(2);
        expect(compiled(sent[0]!)).toBe(true);
        const page = await makers.findPage({ page: 0, size: 5, sort: { name: 'asc' } });
        expect(page.total).toBe(2);
      });
    });

    it('a managed entity comes back as the same instance, its unflushed change kept and then flushed', async () => {
      const id = saved[6]!.id;
      await env.kosha.transaction(async () => {
        const g = (await gadgets.getById(id))!;
        g.label = 'changed in memory';
        const sent = watchSelects(gadgets.em);
        const [again] = await gadgets.find({ where: { n: 6 } });
        expect(sent.every(compiled)).toBe(true);
        expect(again).toBe(g);
        expect(again!.label).toBe('changed in memory');
      });
      const back = await gadgets.getById(id);
      expect(back!.label).toBe('changed in memory');
      expect(back!.version).toBe(saved[6]!.version + 1);
    });

    it('an entity persisted but not flushed is flushed before the query, as em.find does', async () => {
      await env.kosha.transaction(async () => {
        const em = gadgets.em;
        em.persist(em.create(Gadget, { label: 'pending', n: 100 } as never));
        expect((await gadgets.find({ where: { n: 100 } })).map((g) => g.label)).toEqual(['pending']);
      });
    });

    it('soft-deleted rows stay out of compiled reads unless withDeleted', async () => {
      const [kept, gone] = await notes.insertAll([{ text: 'kept' }, { text: 'gone' }]);
      await notes.delete(gone!.id);
      await env.kosha.transaction(async () => {
        const sent = watchSelects(notes.em);
        expect(await notes.getById(gone!.id)).toBeNull();
        expect(sent.length).toBe(1);
      });
      await env.kosha.transaction(async () => {
        const sent = watchSelects(notes.em);
        expect((await notes.find()).map((n) => n.text)).toEqual(['kept']);
        expect((await notes.find({ withDeleted: true, orderBy: { id: 'asc' } })).map((n) => n.text)).toEqual([
          'kept',
          'gone',
        ]);
        expect((await notes.findPage({ page: 0, size: 10 })).total).toBe(1);
        // both from the identity map (withDeleted loaded them), the deleted one still left out
        expect(await notes.getById(gone!.id)).toBeNull();
        expect((await notes.getById(kept!.id))?.text).toBe('kept');
        expect(sent.length).toBe(3);
        expect(sent.every(compiled)).toBe(true);
      });
    });

    it('shapes that need MikroORM’s own SQL take em.find, with the same results', async () => {
      await places.insertAll([{ name: 'home', spot: Object.assign(new Spot(), { city: 'Pune' }) }]);
      await env.kosha.transaction(async () => {
        const sent = watchSelects(gadgets.em);
        const ns = (rows: Gadget[]) => rows.map((g) => g.n).sort();
        // a relation path, a populate, a select, a lock, a keyset
        expect(ns(await gadgets.find({ where: { maker: { name: 'acme' } } }))).toEqual([0, 1, 2]);
        const populated = await gadgets.find({ where: { n: 1 }, populate: ['maker'] });
        expect(populated[0]!.maker?.name).toBe('acme');
        expect((await gadgets.find({ where: { n: 2 }, select: ['id', 'n'] })).map((g) => g.n)).toEqual([2]);
        expect(ns(await gadgets.find({ where: { n: 3 }, lock: 'pessimistic_write' }))).toEqual([3]);
        const first = await gadgets.findSlice({ size: 2, sort: { n: 'asc' } });
        const second = await gadgets.findSlice({ size: 2, sort: { n: 'asc' }, after: first.next! });
        expect(second.items.map((g) => g.n)).toEqual([2, 3]);
        // an entity with an embedded value
        const placeSent = watchSelects(places.em);
        expect((await places.find({ where: { name: 'home' } }))[0]!.spot.city).toBe('Pune');
        expect(placeSent.some(compiled)).toBe(false);
        // the first slice is compiled; the relation path, populate, select, lock and keyset are not
        expect(sent.filter((q) => !compiled(q)).length).toBeGreaterThanOrEqual(5);
      });
    });

    it('a failing compiled statement rejects with a translated DatabaseError', async () => {
      const env2 = await openKosha(db, [Maker, Gadget]);
      try {
        const repo = new Gadgets(Gadget, env2.kosha);
        await env2.kosha.transaction(() => repo.em.execute('drop table compiled_gadgets'));
        await expect(repo.find({ where: { n: 1 } })).rejects.toBeInstanceOf(DatabaseError);
      } finally {
        await env2.close();
      }
    });
  });
}
