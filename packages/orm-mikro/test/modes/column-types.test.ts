import { column, DbRepo, entity, type InsertRow, id, type Opt, table } from '@kosha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, openKosha } from '../support/databases.js';

enum Priority {
  Low = 1,
  High = 2,
}

@entity
@table('kinds')
class Kinds {
  @id() id!: number;
  @column({ type: 'string', length: 40 }) str!: string;
  @column({ type: 'text' }) txt!: string;
  @column({ type: 'integer' }) int!: number;
  @column({ type: 'bigint' }) big!: bigint;
  @column({ type: 'float' }) flt!: number;
  @column({ type: 'decimal', precision: 12, scale: 4 }) dec!: string;
  @column({ type: 'boolean' }) bool!: boolean;
  @column({ type: 'date' }) day!: string;
  @column({ type: 'datetime' }) at!: Date;
  @column({ type: 'json' }) doc!: unknown;
  @column({ type: 'uuid' }) ref!: string;
  @column({ type: 'enum', enum: ['draft', 'published'] }) status!: 'draft' | 'published';
  @column({ type: 'enum', enum: Priority }) priority!: Priority;
  @column({ type: 'string', nullable: true, name: 'nick_name_col' }) nick?: string | null;
  @column({ type: 'integer', default: 7 }) seven!: Opt<number>;
}

@entity
@table('uuid_keyed')
class UuidKeyed {
  @id({ type: 'uuid' }) id!: string;
  @column({ type: 'string' }) label!: string;
}

@entity
@table('bigint_keyed')
class BigintKeyed {
  @id({ type: 'bigint' }) id!: bigint;
  @column({ type: 'string' }) label!: string;
}

class KindsRepo extends DbRepo<Kinds> {}

const sample = (): InsertRow<Kinds> => ({
  str: 'héllo wörld ✓ 日本',
  txt: 'x'.repeat(10_000),
  int: -2_147_483_648,
  big: 9_007_199_254_740_993n,
  flt: 0.1 + 0.2,
  dec: '12345678.1234',
  bool: true,
  day: '2024-02-29',
  at: new Date('2024-02-29T23:59:58.123Z'),
  doc: { a: [1, 2, { b: null }], s: 'quote " and \\ backslash', n: 1.5, t: true },
  ref: '3f1c2b4e-8d9a-4c1e-9f2b-7a6d5e4c3b2a',
  status: 'published',
  priority: Priority.High,
  nick: null,
});

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`column types on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let repo: KindsRepo;
    beforeAll(async () => {
      env = await openKosha(db, [Kinds, UuidKeyed, BigintKeyed]);
      repo = new KindsRepo(Kinds, env.kosha);
    });
    afterAll(() => env?.close());

    it('every neutral column type round-trips through the database', async () => {
      const [saved] = await repo.insertAll([sample()]);
      // getById in a new transaction: a fresh unit of work, so the values come from the database.
      const back = (await repo.getById(saved!.id))!;
      expect(back).not.toBe(saved);
      const { id: _id, seven, ...rest } = back;
      expect(rest).toEqual(sample());
      expect(seven).toBe(7);
      expect(typeof back.big).toBe('bigint');
      expect(back.at).toBeInstanceOf(Date);
    });

    it('the extremes of each type round-trip too', async () => {
      const edge = {
        ...sample(),
        str: '',
        int: 2_147_483_647,
        big: -9_223_372_036_854_775_808n,
        flt: -1.7976931348623157e308,
        dec: '-99999999.9999',
        bool: false,
        day: '1970-01-01',
        at: new Date('1970-01-01T00:00:00.001Z'),
        doc: [],
        status: 'draft' as const,
        priority: Priority.Low,
        nick: "O'Brien; DROP TABLE kinds; --",
      };
      const [saved] = await repo.insertAll([edge]);
      const back = (await repo.getById(saved!.id))!;
      const { id: _id, seven: _seven, ...rest } = back;
      expect(rest).toEqual(edge);
    });

    it('a column name option maps the property to that column', async () => {
      const [saved] = await repo.insertAll([{ ...sample(), nick: 'nicky' }]);
      const rows = await env.kosha.transaction(() =>
        repo.em.execute('select nick_name_col from kinds where id = ?', [saved!.id]),
      );
      expect(rows).toEqual([{ nick_name_col: 'nicky' }]);
    });

    it('a uuid key is generated when the application does not set one, and kept when it does', async () => {
      const repo = new (class extends DbRepo<UuidKeyed> {})(UuidKeyed, env.kosha);
      const [generated, given] = await repo.insertAll([
        { label: 'generated' },
        { id: '00000000-0000-4000-8000-000000000001', label: 'given' },
      ]);
      expect(generated!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect((await repo.getById(generated!.id))?.label).toBe('generated');
      expect((await repo.getById(given!.id))?.label).toBe('given');
    });

    it('a bigint key is a JavaScript bigint, also past Number.MAX_SAFE_INTEGER', async () => {
      const repo = new (class extends DbRepo<BigintKeyed> {})(BigintKeyed, env.kosha);
      const [auto] = await repo.insertAll([{ label: 'auto' }]);
      expect(typeof auto!.id).toBe('bigint');
      const huge = 9_007_199_254_740_995n;
      await repo.insertAll([{ id: huge, label: 'huge' }]);
      expect((await repo.getById(huge))?.label).toBe('huge');
      expect((await repo.findByField('label', 'huge'))?.id).toBe(huge);
    });
  });
}
