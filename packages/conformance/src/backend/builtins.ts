import assert from 'node:assert/strict';
import { DatabaseError, type InsertRow, InvalidArgumentError, UnknownFieldError } from '@kosha/core';
import fc from 'fast-check';
import { rejectionOf, type SuiteRunner } from '../suite-runner.js';
import { ConfPerson } from './entities.js';
import type { SuiteContext } from './suite-context.js';

let seq = 0;
const person = (over: Partial<ConfPerson> = {}): InsertRow<ConfPerson> => {
  seq++;
  return {
    name: `Person ${seq}`,
    email: `p${seq}-${Math.random().toString(36).slice(2)}@example.com`,
    age: 30,
    ...over,
  };
};

/** Every built-in of `DbRepo`, with the bad inputs each must refuse. */
export function builtinTests(t: SuiteRunner, ctx: () => SuiteContext): void {
  t.test('insertAll returns managed entities with their generated ids', async () => {
    const { people } = ctx();
    const asInstance = Object.assign(new ConfPerson(), person());
    const saved = await people.insertAll([person(), asInstance]);
    assert.equal(saved.length, 2);
    for (const p of saved) {
      assert.ok(p instanceof ConfPerson, 'an entity instance');
      assert.equal(typeof p.id, 'number');
    }
    assert.notEqual(saved[0]!.id, saved[1]!.id);
  });

  t.test('insertAll of nothing opens no session', async () => {
    const { people, sessionsOpened } = ctx();
    const before = sessionsOpened();
    assert.deepEqual(await people.insertAll([]), []);
    assert.equal(sessionsOpened(), before);
  });

  t.test('versioning and auditing columns are filled on insert', async () => {
    const [p] = await ctx().people.insertAll([person()]);
    const read = await ctx().people.getById(p!.id);
    assert.ok(read);
    assert.equal(read.version, 1);
    assert.ok(read.createdAt instanceof Date && read.updatedAt instanceof Date);
  });

  t.test('getById finds a row and returns null for a missing id', async () => {
    const { people } = ctx();
    const [p] = await people.insertAll([person({ name: 'Findable' })]);
    const found = await people.getById(p!.id);
    assert.equal(found?.name, 'Findable');
    assert.equal(await people.getById(987_654_321), null);
  });

  t.test('getById refuses a null id before any SQL', async () => {
    const { people, sessionsOpened } = ctx();
    const before = sessionsOpened();
    assert.ok(
      (await rejectionOf(Promise.resolve().then(() => people.getById(null as never)))) instanceof
        InvalidArgumentError,
    );
    assert.equal(sessionsOpened(), before);
  });

  t.test('getAll pages in primary-key order', async () => {
    const { rows, label } = ctx();
    const l = label('page');
    await rows.insertAll(Array.from({ length: 5 }, () => ({ label: l })));
    const all = await rows.getAll(0, 1_000_000);
    const ids = all.map((r) => r.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    const page = await rows.getAll(1, 2);
    assert.deepEqual(
      page.map((r) => r.id),
      ids.slice(1, 3),
    );
    assert.equal((await rows.getAll()).length, Math.min(100, ids.length));
  });

  t.test('getAll refuses a negative skip or a fractional limit', async () => {
    const { rows } = ctx();
    assert.ok((await rejectionOf(rows.getAll(-1, 10))) instanceof InvalidArgumentError);
    assert.ok((await rejectionOf(rows.getAll(0, 1.5))) instanceof InvalidArgumentError);
  });

  t.test('update merges a managed entity, persists it and bumps the version', async () => {
    const { kosha, people } = ctx();
    const [p] = await people.insertAll([person({ age: 20 })]);
    await kosha.transaction(async () => {
      const loaded = (await people.getById(p!.id))!;
      loaded.age = 21;
      await people.update(loaded);
    });
    const read = (await people.getById(p!.id))!;
    assert.equal(read.age, 21);
    assert.equal(read.version, 2);
  });

  t.test('update persists a detached entity loaded in another transaction', async () => {
    const { people } = ctx();
    const [p] = await people.insertAll([person({ name: 'Before' })]);
    const detached = (await people.getById(p!.id))!;
    detached.name = 'After';
    const merged = await people.update(detached);
    assert.equal(merged.name, 'After');
    assert.equal((await people.getById(p!.id))!.name, 'After');
  });

  t.test('delete returns true when a row went and false when there was none', async () => {
    const { rows, label } = ctx();
    const [r] = await rows.insertAll([{ label: label('del') }]);
    assert.equal(await rows.delete(r!.id), true);
    assert.equal(await rows.delete(r!.id), false);
    assert.equal(await rows.getById(r!.id), null);
  });

  t.test('deleteEntity removes the row', async () => {
    const { rows, label } = ctx();
    const [r] = await rows.insertAll([{ label: label('delent') }]);
    const loaded = (await rows.getById(r!.id))!;
    await rows.deleteEntity(loaded);
    assert.equal(await rows.exists(r!.id), false);
  });

  t.test('exists and count', async () => {
    const { rows, label } = ctx();
    const before = await rows.count();
    const [r] = await rows.insertAll([{ label: label('exists') }]);
    assert.equal(await rows.exists(r!.id), true);
    assert.equal(await rows.exists(123_456_789), false);
    assert.equal(await rows.count(), before + 1);
  });

  t.test('findByField returns the first match or null; findAllByField all, in id order', async () => {
    const { rows, label } = ctx();
    const l = label('find');
    const inserted = await rows.insertAll([{ label: l }, { label: l }, { label: l }]);
    const first = await rows.findByField('label', l);
    assert.equal(first?.id, inserted[0]!.id);
    const all = await rows.findAllByField('label', l);
    assert.deepEqual(
      all.map((r) => r.id),
      inserted.map((r) => r.id),
    );
    assert.equal(await rows.findByField('label', label('nothing')), null);
    assert.deepEqual(await rows.findAllByField('label', label('nothing')), []);
  });

  t.test(
    'an unknown field is an UnknownFieldError naming the entity and the valid fields, before any SQL',
    async () => {
      const { people, sessionsOpened } = ctx();
      const before = sessionsOpened();
      const error = await rejectionOf(people.findByField('emial' as 'email', 'x'));
      assert.ok(error instanceof UnknownFieldError);
      assert.match(error.message, /ConfPerson/);
      assert.match(error.message, /emial/);
      assert.match(error.message, /email/);
      assert.ok(error.validFields.includes('email'));
      assert.ok(
        (await rejectionOf(people.findAllByField('nope' as 'email', 'x'))) instanceof UnknownFieldError,
      );
      assert.equal(sessionsOpened(), before);
    },
  );

  t.test('values that look like SQL are data', async () => {
    const { people, rows } = ctx();
    const sly = "x' OR 1=1 --";
    await people.insertAll([person({ name: sly })]);
    const found = await people.findAllByField('name', sly);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.name, sly);
    assert.equal(await people.findByField('email', "' OR '1'='1"), null);
    assert.equal(await rows.findByField('label', "'; DROP TABLE kosha_conf_row; --"), null);
    assert.ok((await rows.count()) >= 0, 'the table is still there');
  });

  t.test(
    'a unique violation is a DatabaseError with the driver error as cause, and the batch is not stored',
    async () => {
      const { people } = ctx();
      const email = `dup-${Math.random().toString(36).slice(2)}@example.com`;
      const error = await rejectionOf(
        people.insertAll([person({ email, name: 'first' }), person({ email, name: 'second' })]),
      );
      assert.ok(error instanceof DatabaseError, `got ${String(error)}`);
      assert.equal(error.kind, 'unique_violation');
      assert.ok(error.cause);
      assert.deepEqual(await people.findAllByField('email', email), []);
    },
  );

  t.test('any string is stored and matched as data, never as SQL (property test)', async () => {
    const { rows } = ctx();
    const hostile = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.constantFrom(
        "'",
        "''",
        '\\',
        "\\'",
        '"',
        '`',
        '--',
        '/*',
        ';',
        '%',
        '_',
        '?',
        '$1',
        ':name',
        "' OR '1'='1",
      ),
      fc
        .array(fc.constantFrom("'", '\\', '"', '?', '$', '%', ';', '-', '*', '/', 'x', ' '), {
          maxLength: 20,
        })
        .map((a) => a.join('')),
    );
    await fc.assert(
      fc.asyncProperty(hostile, async (raw) => {
        // PostgreSQL text cannot hold NUL; every other character must round-trip exactly. The unique
        // prefix makes any second match a sign of injection (MariaDB's default collation ignores
        // case and trailing spaces, so two labels differing only so would match by design).
        const label = `${ctx().label('fz')}:${raw.replaceAll('\u0000', '')}`;
        const [saved] = await rows.insertAll([{ label }]);
        const back = await rows.getById(saved!.id);
        assert.equal(back?.label, label);
        const matches = await rows.findAllByField('label', label);
        assert.deepEqual(
          matches.map((r) => r.id),
          [saved!.id],
        );
      }),
      { numRuns: 60 },
    );
  });
}
