import {
  column,
  DatabaseError,
  DbRepo,
  entity,
  id,
  isIn,
  type Many,
  many,
  manyToOne,
  OptionalProps,
  oneToMany,
  table,
  updatedAt,
  version,
} from '@kosha/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, openKosha } from '../support/databases.js';
import { type SentQuery, watchStatements } from '../support/statements.js';

// The compiled writes (src/writes/compiled-flush.ts): a flush whose only changes are column updates of
// loaded entities sends one UPDATE per entity, of the changed columns, its values bound; `delete(id)`
// sends a compiled DELETE. Whatever they do not cover takes MikroORM's flush, whose statements carry
// their values in the text.

@entity
@table('cw_owners')
class Owner {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
  @oneToMany(() => Thing, 'owner') things: Many<Thing> = many(this);
}

@entity
@table('cw_things')
class Thing {
  @id() id!: number;
  @column({ type: 'string', unique: true }) code!: string;
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
  @column({ type: 'json', nullable: true }) extra?: Record<string, unknown> | null;
  @manyToOne(() => Owner, { nullable: true }) owner?: Owner | null;
}

@entity
@table('cw_stamped')
class Stamped {
  declare [OptionalProps]?: 'updatedAt';
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
  @updatedAt() updatedAt!: Date;
}

@entity
@table('cw_versioned')
class Versioned {
  declare [OptionalProps]?: 'version';
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
  @version() version!: number;
}

class Owners extends DbRepo<Owner> {}
class Things extends DbRepo<Thing> {}
class Stamps extends DbRepo<Stamped> {}
class Versions extends DbRepo<Versioned> {}

const AT = new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123));

const kindOf = (q: SentQuery) => /^kosha-(update|delete)-/.exec(q.queryId?.queryId ?? '')?.[1];

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`compiled writes on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let owners: Owners;
    let things: Things;
    let stamps: Stamps;
    let versions: Versions;
    let row = 0;

    /** Things with every column set, each code unique. */
    const newThings = (count: number) =>
      things.insertAll(
        Array.from({ length: count }, (_, i) => ({
          code: `thing-${++row}`,
          note: `note ${i} it's "quoted" ; -- ?`,
          n: i,
          big: 9_007_199_254_740_993n + BigInt(i),
          ratio: i + 0.5,
          price: `${i}.25`,
          fragile: i % 2 === 0,
          day: '2024-02-10',
          at: AT,
          ref: '3f1c2b4e-8d9a-4c1e-9f2b-7a6d5e4c3b20',
          state: 'new' as const,
          extra: { a: 1 },
        })),
      );

    /** The UPDATEs and DELETEs sent on the session's transaction from now on. */
    const watchWrites = (em: SqlEntityManager) => watchStatements(em, /^\s*(update|delete)\b/i);

    const rowOf = async (thingId: number) =>
      (
        (await env.kosha.transaction(() =>
          things.em.execute(`select * from cw_things where id = ?`, [thingId]),
        )) as Record<string, unknown>[]
      )[0];

    beforeAll(async () => {
      env = await openKosha(db, [Owner, Thing, Stamped, Versioned]);
      owners = new Owners(Owner, env.kosha);
      things = new Things(Thing, env.kosha);
      stamps = new Stamps(Stamped, env.kosha);
      versions = new Versions(Versioned, env.kosha);
    });
    afterAll(() => env?.close());

    it('a change to loaded entities is one UPDATE of the changed columns each, values bound', async () => {
      const [a, b] = await newThings(2);
      let sent: SentQuery[] = [];
      await env.kosha.transaction(async () => {
        const x = (await things.getById(a!.id))!;
        const y = (await things.getById(b!.id))!;
        sent = watchWrites(things.em);
        x.note = 'changed';
        x.n = 41;
        y.fragile = null;
      });
      expect(sent.map(kindOf)).toEqual(['update', 'update']);
      const [first, second] = sent;
      expect(first!.sql).toMatch(
        /^update .cw_things. set .note. = (\?|\$1), .n. = (\?|\$2) where .id. = (\?|\$3)$/,
      );
      expect(first!.parameters).toEqual(['changed', 41, a!.id]);
      expect(second!.sql).toMatch(/set .fragile. = (\?|\$1) where/);
      expect(second!.parameters).toEqual([null, b!.id]);
      const x = (await things.getById(a!.id))!;
      expect([x.note, x.n, x.code]).toEqual(['changed', 41, a!.code]);
      expect((await things.getById(b!.id))!.fragile).toBeNull();
    });

    it('the snapshot is taken again: a second flush sends nothing, a further change only itself', async () => {
      const [a] = await newThings(1);
      await env.kosha.transaction(async () => {
        const x = (await things.getById(a!.id))!;
        const sent = watchWrites(things.em);
        x.n = 7;
        await things.update(x);
        await things.update(x);
        x.note = 'again';
        await things.update(x);
        expect(sent.map((q) => [kindOf(q), q.parameters])).toEqual([
          ['update', [7, a!.id]],
          ['update', ['again', a!.id]],
        ]);
      });
      expect((await things.getById(a!.id))!.n).toBe(7);
    });

    it('every column type is written as MikroORM’s own flush writes it', async () => {
      const [mine, theirs] = await newThings(2);
      const values = {
        note: 'ünïcødé \u{1F600} \'"\\',
        n: -12,
        big: 9_007_199_254_740_999n,
        ratio: 3.25,
        price: '1234.50',
        fragile: true,
        day: '2025-12-31',
        at: new Date(Date.UTC(2025, 11, 31, 12, 30, 15, 456)),
        ref: '00000000-0000-4000-8000-000000000001',
        state: 'used' as const,
        extra: { nested: [1, 'two', { three: null }] },
      };
      await env.kosha.transaction(async () => {
        const x = (await things.getById(mine!.id))!;
        const y = (await things.getById(theirs!.id))!;
        Object.assign(y, values);
        // MikroORM's own flush, for the reference row.
        await things.em.flush();
        const sent = watchWrites(things.em);
        Object.assign(x, values);
        await things.update(x);
        expect(sent.map(kindOf)).toEqual(['update']);
      });
      const a = (await rowOf(mine!.id))!;
      const b = (await rowOf(theirs!.id))!;
      for (const column of Object.keys(b)) {
        if (column === 'id' || column === 'code') continue;
        expect(a[column], column).toEqual(b[column]);
      }
      // Read back as entities, both as MikroORM reads its own (SQLite keeps a decimal as a real number).
      const back = (await things.getById(mine!.id))!;
      const reference = (await things.getById(theirs!.id))!;
      for (const k of Object.keys(values))
        expect(back[k as keyof Thing], k).toEqual(reference[k as keyof Thing]);
      expect([back.big, back.at, back.extra, back.note]).toEqual([
        values.big,
        values.at,
        values.extra,
        values.note,
      ]);
    });

    it('upsert sends its values bound, and stores every column type as insertAll stores it', async () => {
      const values = {
        note: 'ünïcødé \u{1F600} \'"\\ ?',
        n: -12,
        big: 9_007_199_254_740_999n,
        ratio: 3.25,
        price: '1234.50',
        fragile: false,
        day: '2025-12-31',
        at: new Date(Date.UTC(2025, 11, 31, 12, 30, 15, 456)),
        ref: '00000000-0000-4000-8000-000000000001',
        state: 'used' as const,
      };
      const [existing] = await newThings(1);
      const [reference] = await things.insertAll([{ code: `thing-${++row}`, ...values }]);
      const fresh = `thing-${++row}`;
      let sent: SentQuery[] = [];
      await env.kosha.transaction(async () => {
        sent = watchStatements(things.em, /^\s*insert\b/i);
        const [updated, inserted] = await things.upsert(
          [
            { code: existing!.code, ...values },
            { code: fresh, ...values },
          ],
          { onConflict: ['code'] },
        );
        expect(updated!.id).toBe(existing!.id);
        expect(inserted!.code).toBe(fresh);
        expect([updated!.big, updated!.at, updated!.note]).toEqual([values.big, values.at, values.note]);
      });
      expect(sent.map((q) => /^kosha-insert-/.test(q.queryId?.queryId ?? ''))).toEqual([true]);
      expect(sent[0]!.parameters.length).toBeGreaterThan(0);
      const ref = (await rowOf(reference!.id))!;
      const insertedId = (await things.findOne({ code: fresh }))!.id;
      for (const thingId of [existing!.id, insertedId]) {
        const got = (await rowOf(thingId))!;
        for (const column of Object.keys(values)) expect(got[column], column).toEqual(ref[column]);
      }
      // JSON: an object where the driver parses JSON itself (PostgreSQL), which MikroORM writes into the
      // text (em.execute), a string elsewhere (bound). The same row either way.
      await env.kosha.transaction(async () => {
        const [again] = await things.upsert([{ code: fresh, n: 5, extra: { k: [1, 'two'] } }], {
          onConflict: ['code'],
        });
        expect(again!.extra).toEqual({ k: [1, 'two'] });
      });
      expect((await things.findOne({ code: fresh }))!).toMatchObject({ n: 5, extra: { k: [1, 'two'] } });
    });

    it('@updatedAt is set when another column changes, and left as it is when nothing does', async () => {
      const [s] = await stamps.insertAll([{ name: 'stamp' }]);
      const before = (await stamps.getById(s!.id))!.updatedAt;
      await new Promise((r) => setTimeout(r, 1100));
      await env.kosha.transaction(async () => {
        const x = (await stamps.getById(s!.id))!;
        const sent = watchWrites(stamps.em);
        await stamps.update(x);
        expect(sent).toEqual([]);
        x.name = 'renamed';
        await stamps.update(x);
        expect(sent.map(kindOf)).toEqual(['update']);
        expect(sent[0]!.sql).toMatch(/set .name. = \S+, .updated_at. = /);
      });
      const after = (await stamps.getById(s!.id))!;
      expect(after.name).toBe('renamed');
      expect(after.updatedAt.getTime()).toBeGreaterThan(before.getTime());
    });

    it('what the recipe does not cover goes through MikroORM’s flush, with the same results', async () => {
      const [v] = await versions.insertAll([{ name: 'v' }]);
      const [a, b] = await newThings(2);
      const [ann, bob] = await owners.insertAll([{ name: 'ann' }, { name: 'bob' }]);
      await env.kosha.transaction(async () => {
        // A @version: MikroORM's UPDATE checks and bumps it.
        const x = (await versions.getById(v!.id))!;
        const sent = watchWrites(versions.em);
        x.name = 'v2';
        await versions.update(x);
        expect(sent.map(kindOf)).toEqual([undefined]);
        expect(sent[0]!.parameters).toEqual([]);
      });
      expect(await versions.getById(v!.id)).toMatchObject({ name: 'v2', version: 2 });
      await env.kosha.transaction(async () => {
        // A relation: its cascades and its inverse side are the unit of work's.
        const x = (await things.getById(a!.id))!;
        const sent = watchWrites(things.em);
        x.owner = (await owners.getById(ann!.id))!;
        x.n = 99;
        await things.update(x);
        expect(sent.map(kindOf)).toEqual([undefined]);
      });
      expect((await things.getById(a!.id))!.owner?.id).toBe(ann!.id);
      await env.kosha.transaction(async () => {
        // A changed collection.
        const owner = (await owners.getById(bob!.id))!;
        await owner.things.load();
        const y = (await things.getById(b!.id))!;
        const sent = watchWrites(things.em);
        owner.things.add(y);
        await owners.update(owner);
        expect(sent.map(kindOf)).not.toContain('update');
      });
      expect((await things.getById(b!.id))!.owner?.id).toBe(bob!.id);
      const many = await newThings(40);
      await env.kosha.transaction(async () => {
        // Many managed entities: each is checked once, and the changed ones written.
        const loaded = await things.find({
          where: { id: isIn(many.map((t) => t.id)) },
          orderBy: { id: 'asc' },
        });
        const sent = watchWrites(things.em);
        loaded[0]!.n = 1000;
        loaded[39]!.n = 1039;
        await things.update(loaded[0]!);
        expect(sent.map(kindOf)).toEqual(['update', 'update']);
        // An unchanged entity with a @version is only checked: the flush stays compiled.
        const held = (await versions.getById(v!.id))!;
        loaded[1]!.n = 1001;
        await things.update(loaded[1]!);
        expect(sent.map(kindOf)).toEqual(['update', 'update', 'update']);
        // Changed, it sends the whole flush to MikroORM, which bumps and checks its version.
        held.name = 'v3';
        loaded[2]!.n = 1002;
        await things.update(loaded[2]!);
        expect(sent.map(kindOf)).toEqual(['update', 'update', 'update', undefined, undefined]);
      });
      expect(await versions.getById(v!.id)).toMatchObject({ name: 'v3', version: 3 });
      expect((await things.getById(many[2]!.id))!.n).toBe(1002);
      expect((await things.getById(many[0]!.id))!.n).toBe(1000);
      expect((await things.getById(many[39]!.id))!.n).toBe(1039);
      expect((await things.getById(many[1]!.id))!.n).toBe(1001);
    });

    it('a failing UPDATE is a DatabaseError and the transaction rolls back', async () => {
      const [a, b] = await newThings(2);
      const error = await env.kosha
        .transaction(async () => {
          const x = (await things.getById(a!.id))!;
          x.note = 'lost';
          const y = (await things.getById(b!.id))!;
          y.code = a!.code;
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).kind).toBe('unique_violation');
      expect((await rowOf(a!.id))!.note).toBe(a!.note);
      expect((await rowOf(b!.id))!.code).toBe(b!.code);
    });

    it('delete(id) sends a compiled DELETE', async () => {
      const [a] = await newThings(1);
      await env.kosha.transaction(async () => {
        await things.getById(a!.id);
        const sent = watchWrites(things.em);
        expect(await things.delete(a!.id)).toBe(true);
        expect(await things.delete(a!.id)).toBe(false);
        expect(sent.map((q) => [kindOf(q), q.parameters])).toEqual([
          ['delete', [a!.id]],
          ['delete', [a!.id]],
        ]);
        expect(await things.getById(a!.id)).toBeNull();
      });
      expect(await things.exists(a!.id)).toBe(false);
    });

    it('a read-only transaction does not check its loaded entities, and writes none of their changes', async () => {
      const [a] = await newThings(1);
      let sent: SentQuery[] = [];
      await env.kosha.transaction(
        async () => {
          const x = (await things.getById(a!.id))!;
          sent = watchWrites(things.em);
          x.note = 'not written';
        },
        { readOnly: true, isolation: 'REPEATABLE_READ' },
      );
      expect(sent).toEqual([]);
      expect((await rowOf(a!.id))!.note).toBe(a!.note);
    });
  });
}
