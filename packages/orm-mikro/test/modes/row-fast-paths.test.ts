import {
  column,
  DbRepo,
  entity,
  id,
  isIn,
  type Kosha,
  type Many,
  manyToOne,
  oneToMany,
  table,
} from '@kosha/core';
import type { EntityMetadata } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFromRow } from '../../src/internals/unit-of-work.js';
import { binderOf } from '../../src/writes/compiled-flush.js';
import { insertValues, unnestInsert } from '../../src/writes/insert-values.js';
import { DATABASES, openKosha } from '../support/databases.js';

// Two of Kosha's ways past MikroORM's general machinery must give exactly what that machinery gives:
// - an upsert's INSERT written without the query builder (insert-values.ts) is the builder's statement,
//   text and values, for every column type and every way a relation value is given;
// - on PostgreSQL, the same rows sent as one array per column (`insert … select * from unnest(…)`) store
//   exactly what the builder's statement stores, and a value too long for its column is refused, not cut;
// - a row read or written back becomes a new managed entity without EntityFactory.create (createNew in
//   internals/unit-of-work.ts) in the same state the factory leaves it: the same fields, snapshot, loaded
//   properties, identity-map entry and owner, so that a flush finds nothing to write and a change is written.

@entity
@table('fast_owners')
class Owner {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
  @oneToMany(() => Kind, 'owner') kinds!: Many<Kind>;
}

@entity
@table('fast_kinds')
class Kind {
  @id() id!: number;
  @column({ type: 'string', length: 40, unique: true }) str!: string;
  @column({ type: 'text', nullable: true }) txt!: string | null;
  @column({ type: 'integer' }) int!: number;
  @column({ type: 'bigint' }) big!: bigint;
  @column({ type: 'float' }) flt!: number;
  @column({ type: 'decimal', precision: 12, scale: 4 }) dec!: string;
  @column({ type: 'boolean' }) bool!: boolean;
  @column({ type: 'date' }) day!: string;
  @column({ type: 'datetime' }) at!: Date;
  @column({ type: 'json', nullable: true }) doc!: unknown;
  @column({ type: 'uuid' }) ref!: string;
  @column({ type: 'enum', enum: ['draft', 'published'] }) status!: 'draft' | 'published';
  @column({ type: 'string', nullable: true, name: 'nick_name_col' }) nick!: string | null;
  @manyToOne(() => Owner, { nullable: true }) owner!: Owner | null;
}

class Owners extends DbRepo<Owner> {}
class Kinds extends DbRepo<Kind> {}

const text = fc.string({ maxLength: 12 });
const json = fc.oneof(
  fc.constant(null),
  fc.integer(),
  text,
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.oneof(fc.integer(), text), { maxKeys: 3 }),
);
/** How a row gives its relation: the entity, a reference, the key, or nothing. */
const ownerWay = fc.constantFrom('entity', 'reference', 'key', 'null');

const kindRow = fc.record({
  str: text,
  txt: fc.option(text, { nil: null }),
  int: fc.integer(),
  big: fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }),
  flt: fc.double({ noNaN: true, noDefaultInfinity: true }),
  dec: fc.integer({ min: -1e6, max: 1e6 }).map((n) => (n / 100).toFixed(2)),
  bool: fc.boolean(),
  day: fc
    .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  at: fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
  doc: json,
  ref: fc.uuid(),
  status: fc.constantFrom('draft' as const, 'published' as const),
  nick: fc.option(text, { nil: null }),
  ownerWay,
});

const withoutWay = ({ ownerWay: _, ...row }: { ownerWay: string } & Record<string, unknown>) => row;

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`Kosha's fast paths give MikroORM's results on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let owners: Owners;
    let kinds: Kinds;
    let owner: Owner;
    beforeAll(async () => {
      env = await openKosha(db, [Owner, Kind]);
      kosha = env.kosha;
      owners = new Owners(Owner, kosha);
      kinds = new Kinds(Kind, kosha);
      owner = (await owners.insertAll([{ name: 'first' }]))[0]!;
    });
    afterAll(() => env?.close());

    it("an upsert's INSERT is the query builder's, text and values, whatever the rows hold", async () => {
      await kosha.transaction(async () => {
        const em = kinds.em as SqlEntityManager;
        const meta = em.getMetadata().get(Kind) as EntityMetadata;
        const held = (await owners.getById(owner.id))!;
        fc.assert(
          fc.property(fc.array(kindRow, { minLength: 1, maxLength: 4 }), (given) => {
            const rows = given.map(({ ownerWay: way, ...row }) => ({
              ...row,
              owner:
                way === 'entity'
                  ? held
                  : way === 'reference'
                    ? owners.reference(owner.id)
                    : way === 'key'
                      ? owner.id
                      : null,
            }));
            const ours = insertValues(em, meta, rows);
            const builder = em
              .createQueryBuilder(Kind)
              .insert(rows as never)
              .toQuery();
            expect(ours).toBeDefined();
            expect(ours!.sql).toBe(builder.sql.replace(/ returning [^()?]*$/, ''));
            expect(ours!.params).toEqual([...builder.params]);
          }),
          { numRuns: 150 },
        );
      });
    });

    it('a field only the builder converts leaves the statement to it', async () => {
      await kosha.transaction(async () => {
        const em = kinds.em as SqlEntityManager;
        const meta = em.getMetadata().get(Kind) as EntityMetadata;
        // An object where a plain value belongs, and an owner that is neither an entity nor a key.
        expect(insertValues(em, meta, [{ str: 'x', int: { n: 1 } }])).toBeUndefined();
        expect(insertValues(em, meta, [{ str: 'x', owner: { id: 1 } }])).toBeUndefined();
        expect(insertValues(em, meta, [{ str: 'x', kinds: [] }])).toBeUndefined();
        expect(insertValues(em, meta, [{}])).toBeUndefined();
      });
    });

    /** What MikroORM keeps of a managed entity, as comparable data. */
    const stateOf = (em: SqlEntityManager, e: object) => {
      const w = (e as { __helper: Record<string, unknown> }).__helper;
      const meta = em.getMetadata().get(Kind);
      const fields = Object.fromEntries(
        Object.keys(e).map((k) => {
          const v = (e as Record<string, unknown>)[k];
          const rel = v && typeof v === 'object' && '__helper' in v;
          return [
            k,
            rel
              ? { ref: (v as unknown as { id: unknown }).id, same: (v as unknown) === (e as Kind).owner }
              : v,
          ];
        }),
      );
      return {
        keys: Object.keys(e),
        fields,
        snapshot: w.__originalEntityData,
        loaded: [...(w.__loadedProperties as Set<string>)].sort(),
        initialized: w.__initialized,
        managed: w.__managed,
        processing: w.__processing,
        owner: w.__em === em,
        schema: w.__schema,
        held: em.getUnitOfWork().getById(Kind, (e as Kind).id) === e,
        pk: (w.getPrimaryKey as () => unknown).call(w),
        kindsLoaded: (e as Kind & { kinds?: unknown }).kinds === undefined,
        instance: e instanceof Kind && Object.getPrototypeOf(e) === meta.prototype,
      };
    };

    it('a row becomes the managed entity EntityFactory.create makes: same state, nothing to flush, a change flushed', async () => {
      const saved = fc.sample(kindRow, 20);
      const written = await kinds.insertAll(
        saved.map(({ ownerWay: way, ...row }, i) => ({
          ...row,
          str: `row-${i}`,
          owner: way === 'null' ? null : owner.id,
        })) as never,
      );
      for (const k of written) {
        await kosha.transaction(async () => {
          const em = kinds.em as SqlEntityManager;
          const meta = em.getMetadata().get(Kind) as EntityMetadata;
          const rows = (await em.execute(
            `select * from ${em.getPlatform().quoteIdentifier('fast_kinds')} where id = ?`,
            [k.id],
          )) as Record<string, unknown>[];
          const data = () => em.getDriver().mapResult(rows[0]!, meta) as Record<string, unknown>;
          const ours = createFromRow(em, meta, data());
          const oursState = stateOf(em, ours);
          em.clear();
          const theirs = em
            .getEntityFactory()
            .create(Kind, data() as never, { merge: true, convertCustomTypes: true });
          expect(oursState).toEqual(stateOf(em, theirs));
          em.clear();
          // Through Kosha's read, which makes its entities the same way.
          const read = (await kinds.getById(k.id))!;
          expect(read).not.toBe(theirs);
          em.getUnitOfWork().computeChangeSets();
          expect(em.getUnitOfWork().getChangeSets(), 'a flush finds nothing to write').toHaveLength(0);
        });
      }
      // A change to a fast-made entity is written; nothing else is.
      const target = written[0]!;
      await kosha.transaction(async () => {
        const e = (await kinds.getById(target.id))!;
        e.nick = 'changed';
        e.owner = null;
      });
      const back = (await kinds.getById(target.id))!;
      expect(back.nick).toBe('changed');
      expect(back.owner).toBeNull();
      expect(back.str).toBe(target.str);
    });

    it('a new row does not go through EntityFactory.create, a held one does', async () => {
      const [k] = await kinds.insertAll([
        { ...withoutWay(fc.sample(kindRow, 1)[0]!), str: 'spied', owner: null } as never,
      ]);
      await kosha.transaction(async () => {
        const em = kinds.em as SqlEntityManager;
        const factory = em.getEntityFactory();
        const create = factory.create.bind(factory);
        let calls = 0;
        factory.create = ((...args: Parameters<typeof create>) => {
          calls++;
          return create(...args);
        }) as typeof factory.create;
        try {
          const first = (await kinds.getById(k!.id))!;
          expect(calls, 'the new entity').toBe(0);
          const [again] = await kinds.upsert(
            [{ ...withoutWay(fc.sample(kindRow, 1)[0]!), str: 'spied' } as never],
            {
              onConflict: ['str'],
            },
          );
          expect(again).toBe(first);
          expect(calls, 'the held entity, refreshed').toBe(1);
        } finally {
          factory.create = create;
        }
      });
    });

    it('an entity the identity map holds is refreshed by the factory, not made again', async () => {
      const [k] = await kinds.insertAll([
        { ...withoutWay(fc.sample(kindRow, 1)[0]!), str: 'held', owner: null } as never,
      ]);
      await kosha.transaction(async () => {
        const first = (await kinds.getById(k!.id))!;
        const [again] = await kinds.upsert([{ ...first, int: 42 } as never], { onConflict: ['str'] });
        expect(again).toBe(first);
        expect(first.int).toBe(42);
      });
    });

    describe.skipIf(db.dialect !== 'postgresql')('PostgreSQL: the rows as arrays', () => {
      /** Strings an array literal must escape or could misread. */
      const tricky = fc.constantFrom(
        '',
        ' ',
        'NULL',
        'null',
        '"',
        '\\',
        '\\"',
        "'",
        '{a,b}',
        '{',
        '}',
        ',',
        'é ✓ 𝄞',
      );
      const arrayRow = kindRow.chain((row) =>
        fc
          .record({
            txt: fc.option(fc.oneof(tricky, text), { nil: null }),
            nick: fc.option(tricky, { nil: null }),
          })
          .map((extra) => ({ ...row, ...extra })),
      );
      const table = () => (kinds.em as SqlEntityManager).getPlatform().quoteIdentifier('fast_kinds');
      const stored = (keys: string[]) =>
        kosha.transaction(async () => {
          const em = kinds.em as SqlEntityManager;
          const rows = (await em.execute(
            `select * from ${table()} where str in (${keys.map(() => '?').join(', ')}) order by str`,
            keys,
          )) as Record<string, unknown>[];
          return rows.map(({ id: _, ...rest }) => rest);
        });

      it('every column type of the mapping has a base type: an upsert of them goes as arrays', async () => {
        await kosha.transaction(async () => {
          const em = kinds.em as SqlEntityManager;
          const meta = em.getMetadata().get(Kind) as EntityMetadata;
          const rows = fc
            .sample(kindRow, 3)
            .map((r, i) => ({ ...withoutWay(r), str: `as-arrays-${i}`, owner: owner.id }));
          const ours = unnestInsert(em, meta, rows, binderOf(em, 'postgresql'));
          expect(ours?.logged).toMatch(
            /^insert into "fast_kinds" \(.*\) select \* from unnest\(\?::text\[\], /,
          );
          expect(ours!.params).toHaveLength(Object.keys(rows[0]!).length);
          expect(ours!.params[0]).toEqual(rows.map((r) => r.str));
        });
      });

      it('stores what the query builder stores, whatever the rows hold', async () => {
        let round = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(arrayRow, { minLength: 1, maxLength: 5 }), async (given) => {
            round++;
            const rows = given.map(({ ownerWay: way, ...row }, i) => ({
              ...row,
              str: `arr-${round}-${i}`,
              owner: way === 'null' ? null : owner.id,
            }));
            const keys = rows.map((r) => r.str);
            await kinds.upsert(rows as never, { onConflict: ['str'] });
            const ours = await stored(keys);
            await kinds.deleteWhere({ str: isIn(keys) } as never);
            await kosha.transaction(async () => {
              await (kinds.em as SqlEntityManager)
                .createQueryBuilder(Kind)
                .insert(rows as never)
                .execute();
            });
            expect(ours).toEqual(await stored(keys));
            await kinds.deleteWhere({ str: isIn(keys) } as never);
          }),
          { numRuns: 40 },
        );
      });

      it('a value too long for its column is refused, not cut, and nothing of the call is written', async () => {
        const row = { ...withoutWay(fc.sample(kindRow, 1)[0]!), owner: null };
        await expect(
          kinds.upsert(
            [
              { ...row, str: 'fits' },
              { ...row, str: 'x'.repeat(41) },
            ] as never,
            { onConflict: ['str'] },
          ),
        ).rejects.toThrow(/too long/);
        expect(await stored(['fits', 'x'.repeat(40)])).toEqual([]);
      });
    });
  });
}
