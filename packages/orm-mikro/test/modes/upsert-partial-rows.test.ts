import { column, DbRepo, entity, id, isIn, type Kosha, OptionalProps, table, version } from '@kosha/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, openKosha } from '../support/databases.js';

// An upsert's rows need not give the same fields: each statement goes out per shape of row, and an
// existing row takes only those of the `update` fields its new row gives. A field a row leaves out keeps
// the row's value, whatever the other rows of the call give (a single conflict clause for the whole call
// once set such a field to the column's default, NULL). Checked against a model of that rule, for random
// shapes, random explicit `update` lists and a mix of new and existing keys.

@entity
@table('upsert_partial')
class Part {
  declare [OptionalProps]?: 'version' | 'a' | 'b' | 'c';
  @id() id!: number;
  @column({ type: 'string', length: 40, unique: true }) key!: string;
  @column({ type: 'integer', nullable: true }) a!: number | null;
  @column({ type: 'integer', nullable: true }) b!: number | null;
  @column({ type: 'string', length: 20, nullable: true }) c!: string | null;
  @version() version!: number;
}

class Parts extends DbRepo<Part> {}

const FIELDS = ['a', 'b', 'c'] as const;
type Field = (typeof FIELDS)[number];
type Values = { a: number | null; b: number | null; c: string | null };

const int = fc.option(fc.integer(), { nil: null });
const str = fc.option(fc.string({ maxLength: 20 }), { nil: null });
const fullRow: fc.Arbitrary<Values> = fc.record({ a: int, b: int, c: str });
/** A new row: some of the fields, each a value or null (left out: not given at all). */
const partialRow: fc.Arbitrary<Partial<Values>> = fc.record({ a: int, b: int, c: str }, { requiredKeys: [] });

const call = fc.record({
  // Which of the five keys the call gives a row for (the first three exist, the last two are new).
  rows: fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 4 }), partialRow), {
    minLength: 1,
    maxLength: 5,
    selector: ([k]) => k,
  }),
  update: fc.option(fc.subarray([...FIELDS]), { nil: undefined }),
});

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`upsert rows of different shapes on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let parts: Parts;
    beforeAll(async () => {
      env = await openKosha(db, [Part]);
      kosha = env.kosha;
      parts = new Parts(Part, kosha);
    });
    afterAll(() => env?.close());

    it('a row updates the update fields it gives and keeps the others, whatever the other rows give', async () => {
      let round = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(fullRow, { minLength: 3, maxLength: 3 }), call, async (existing, c) => {
          round++;
          const keys = Array.from({ length: 5 }, (_, i) => `r${round}-${i}`);
          await parts.insertAll(existing.map((v, i) => ({ key: keys[i]!, ...v })));
          const given = c.rows.map(([k, v]) => ({ key: keys[k]!, ...v }));
          const returned = await parts.upsert(given, {
            onConflict: ['key'],
            ...(c.update ? { update: c.update } : {}),
          });

          // The model: the update fields are the listed ones, or every field some row gives.
          const update = c.update ?? FIELDS.filter((f) => c.rows.some(([, v]) => f in v));
          const expected = new Map<string, Values & { version: number }>();
          existing.forEach((v, i) => {
            expected.set(keys[i]!, { ...v, version: 1 });
          });
          for (const [k, v] of c.rows) {
            const key = keys[k]!;
            const old = expected.get(key);
            if (!old) {
              expected.set(key, { a: null, b: null, c: null, ...v, version: 1 });
              continue;
            }
            const changes = update.filter((f) => f in v);
            const next = { ...old };
            for (const f of changes) (next as Record<Field, unknown>)[f] = v[f];
            if (changes.length > 0) next.version++;
            expected.set(key, next);
          }

          const project = (p: Part) => [p.key, p.a, p.b, p.c, p.version];
          expect(returned.map(project)).toEqual(
            given.map((g) => {
              const e = expected.get(g.key)!;
              return [g.key, e.a, e.b, e.c, e.version];
            }),
          );
          const stored = await parts.find({ where: { key: isIn(keys) }, orderBy: { key: 'asc' } });
          expect(stored.map(project)).toEqual(
            [...expected]
              .sort(([x], [y]) => (x < y ? -1 : 1))
              .map(([key, e]) => [key, e.a, e.b, e.c, e.version]),
          );
        }),
        { numRuns: db.dialect === 'sqlite' ? 60 : 25 },
      );
    });
  });
}
