import assert from 'node:assert/strict';
import { decrement, InvalidArgumentError, increment, UnknownFieldError } from '@kosha/core';
import { rejectionOf, type SuiteRunner } from '../suite-runner.js';
import type { SuiteContext } from './suite-context.js';
import { WCounter, WCounterRepo } from './write-entities.js';

const OLD = new Date('2020-01-01T00:00:00.000Z');

/** upsert, insertAll({ ignoreDuplicates }), updateWhere with increment/decrement, deleteWhere. */
export function writeTests(t: SuiteRunner, ctx: () => SuiteContext): void {
  const repo = () => new WCounterRepo(ctx().kosha);

  t.test('upsert inserts new rows and updates the row holding the key, bumping @version', async () => {
    const counters = repo();
    const [a, b] = [ctx().label('ua'), ctx().label('ub')];
    const first = await counters.upsert(
      [
        { key: a, n: 1 },
        { key: b, n: 2 },
      ],
      { onConflict: ['key'] },
    );
    assert.deepEqual(
      first.map((c) => [c.key, c.n, c.version]),
      [
        [a, 1, 1],
        [b, 2, 1],
      ],
    );
    assert.ok(first.every((c) => c instanceof WCounter && typeof c.id === 'number'));
    const again = await counters.upsert(
      [
        { key: b, n: 20 },
        { key: a, n: 10 },
      ],
      { onConflict: ['key'] },
    );
    assert.deepEqual(
      again.map((c) => [c.id, c.n, c.version]),
      [
        [first[1]!.id, 20, 2],
        [first[0]!.id, 10, 2],
      ],
    );
    assert.equal((await counters.getById(first[0]!.id))?.n, 10);
  });

  t.test('upsert with update: [] keeps an existing row and returns it', async () => {
    const counters = repo();
    const key = ctx().label('keep');
    const [made] = await counters.insertAll([{ key, n: 5, note: 'first' }]);
    const [kept] = await counters.upsert([{ key, n: 99, note: 'second' }], {
      onConflict: ['key'],
      update: [],
    });
    assert.deepEqual([kept!.id, kept!.n, kept!.note, kept!.version], [made!.id, 5, 'first', 1]);
  });

  t.test('upsert takes only the update fields from the new row', async () => {
    const counters = repo();
    const key = ctx().label('some');
    await counters.insertAll([{ key, n: 1, note: 'old' }]);
    const [row] = await counters.upsert([{ key, n: 2, note: 'new' }], {
      onConflict: ['key'],
      update: ['note'],
    });
    assert.deepEqual([row!.n, row!.note], [1, 'new']);
  });

  t.test('upsert keeps the fields a row leaves out, when other rows of the call give them', async () => {
    const counters = repo();
    const [a, b] = [ctx().label('shape-a'), ctx().label('shape-b')];
    await counters.insertAll([
      { key: a, n: 1, note: 'kept', updatedAt: OLD },
      { key: b, n: 1, note: 'old', updatedAt: OLD },
    ]);
    // A row updates the listed fields it gives: a only hits (touchesUpdatedAt: false), b only note.
    const listed = await counters.upsert(
      [
        { key: a, n: 1, hits: 3 },
        { key: b, n: 1, note: 'new' },
      ],
      { onConflict: ['key'], update: ['note', 'hits'] },
    );
    assert.deepEqual(
      listed.map((r) => [r.key, r.note, r.hits, r.version]),
      [
        [a, 'kept', 3, 2],
        [b, 'new', 0, 2],
      ],
    );
    const read = async (key: string) => (await counters.find({ where: { key } }))[0]!;
    assert.equal((await read(a)).updatedAt.getTime(), OLD.getTime(), 'a changed only hits');
    assert.ok((await read(b)).updatedAt.getTime() > OLD.getTime(), 'b changed note');
    // The default update is every field some row gives (n, note): a row that leaves note out keeps it.
    const all = await counters.upsert(
      [
        { key: a, n: 2 },
        { key: b, n: 3, note: 'newer' },
      ],
      { onConflict: ['key'] },
    );
    assert.deepEqual(
      all.map((r) => [r.key, r.n, r.note, r.version]),
      [
        [a, 2, 'kept', 3],
        [b, 3, 'newer', 3],
      ],
    );
    assert.deepEqual([(await read(a)).note, (await read(b)).note], ['kept', 'newer']);
  });

  t.test('upsert refreshes the entity the transaction already holds', async () => {
    const counters = repo();
    const key = ctx().label('held');
    const [made] = await counters.insertAll([{ key, n: 1 }]);
    await ctx().kosha.transaction(async () => {
      const held = await counters.getById(made!.id);
      const [up] = await counters.upsert([{ key, n: 7 }], { onConflict: ['key'] });
      assert.equal(up, held, 'the same managed instance');
      assert.deepEqual([held!.n, held!.version], [7, 2]);
    });
  });

  t.test('50 concurrent upserts of one key all succeed and leave one row', async () => {
    const counters = repo();
    const key = ctx().label('race');
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => counters.upsert([{ key, n: i }], { onConflict: ['key'] })),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    assert.deepEqual(failed, [], 'no upsert failed');
    assert.equal(await counters.count({ key }), 1);
    const [row] = await counters.find({ where: { key } });
    assert.equal(row!.version, 50, 'one insert and 49 updates');
  });

  t.test(
    'upsert returns the row another transaction committed after this one had begun reading',
    async () => {
      const { kosha, concurrent } = ctx();
      if (!concurrent) return;
      const counters = repo();
      const key = ctx().label('snapshot');
      const [kept] = await kosha.transaction(async () => {
        // The first read fixes a REPEATABLE READ snapshot (MySQL/MariaDB) that cannot see the row below.
        await counters.count({ key });
        await kosha.transaction(() => counters.insertAll([{ key, n: 7 }]), { propagation: 'REQUIRES_NEW' });
        return counters.upsert([{ key, n: 99 }], { onConflict: ['key'], update: [] });
      });
      assert.deepEqual([kept!.key, kept!.n], [key, 7]);
    },
  );

  t.test('upsert refuses an unknown field or a key that is not unique, before any SQL', async () => {
    const counters = repo();
    const before = ctx().sessionsOpened();
    const rows = [{ key: 'x', n: 1 }];
    assert.ok(
      (await rejectionOf(counters.upsert(rows, { onConflict: ['nope' as 'key'] }))) instanceof
        UnknownFieldError,
    );
    const notUnique = await rejectionOf(counters.upsert(rows, { onConflict: ['n'] }));
    assert.ok(notUnique instanceof InvalidArgumentError);
    assert.match(notUnique.message, /not a unique key/);
    assert.ok(
      (await rejectionOf(counters.upsert(rows, { onConflict: ['key'], update: ['version'] }))) instanceof
        InvalidArgumentError,
    );
    for (const bad of [null, 'x', 5]) {
      const refused = await rejectionOf(
        counters.upsert([...rows, bad] as typeof rows, { onConflict: ['key'] }),
      );
      assert.ok(refused instanceof InvalidArgumentError, `a row ${String(bad)}: ${String(refused)}`);
      assert.match(refused.message, /row 1 is neither a WCounter nor a plain object/);
    }
    assert.equal(ctx().sessionsOpened(), before);
  });

  t.test(
    'insertAll with ignoreDuplicates skips rows whose key exists and returns the inserted ones',
    async () => {
      const counters = repo();
      const [a, b, c] = [ctx().label('ia'), ctx().label('ib'), ctx().label('ic')];
      await counters.insertAll([{ key: b, n: 1 }]);
      const inserted = await counters.insertAll(
        [
          { key: a, n: 2 },
          { key: b, n: 3 },
          { key: c, n: 4 },
        ],
        { ignoreDuplicates: true },
      );
      assert.deepEqual(
        inserted.map((r) => [r.key, r.n]),
        [
          [a, 2],
          [c, 4],
        ],
      );
      assert.ok(inserted.every((r) => typeof r.id === 'number'));
      assert.equal((await counters.findOne({ key: b }))?.n, 1, 'the existing row is untouched');
    },
  );

  t.test('updateWhere sets values, bumps @version and returns the count', async () => {
    const counters = repo();
    const note = ctx().label('uw');
    const made = await counters.insertAll([
      { key: `${note}1`, n: 1, note },
      { key: `${note}2`, n: 2, note },
    ]);
    assert.equal(await counters.updateWhere({ note }, { n: decrement(5) }), 2);
    const after = await counters.find({ where: { note }, orderBy: { id: 'asc' } });
    assert.deepEqual(
      after.map((r) => [r.n, r.version]),
      [
        [-4, 2],
        [-3, 2],
      ],
    );
    assert.equal(await counters.updateWhere({ id: made[0]!.id }, { note: null }), 1);
    assert.equal((await counters.getById(made[0]!.id))?.note, null);
    assert.equal(await counters.updateWhere({ note: ctx().label('none') }, { n: 0 }), 0);
  });

  t.test('50 concurrent updateWhere increments add exactly 50', async () => {
    const counters = repo();
    const [row] = await counters.insertAll([{ key: ctx().label('inc'), n: 0 }]);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => counters.updateWhere({ id: row!.id }, { n: increment(1) })),
    );
    assert.deepEqual(
      results.filter((r) => r.status === 'rejected'),
      [],
    );
    const read = await counters.getById(row!.id);
    assert.deepEqual([read!.n, read!.version], [50, 51]);
  });

  t.test('updateWhere writes pending changes first and leaves no stale entity in the session', async () => {
    const counters = repo();
    const [row] = await counters.insertAll([{ key: ctx().label('stale'), n: 1 }]);
    await ctx().kosha.transaction(async () => {
      const held = (await counters.getById(row!.id))!;
      held.note = 'pending';
      assert.equal(await counters.updateWhere({ id: row!.id }, { n: increment(10) }), 1);
      assert.deepEqual([held.n, held.version, held.note], [11, 3, 'pending'], 'read again after the update');
      held.note = 'later';
    });
    const read = await counters.getById(row!.id);
    assert.deepEqual([read!.n, read!.note, read!.version], [11, 'later', 4], 'the next flush kept the new n');
  });

  t.test(
    'updateWhere refuses plain objects, unknown fields, maintained columns and increments of text',
    async () => {
      const counters = repo();
      const before = ctx().sessionsOpened();
      const refused = [
        counters.updateWhere({ id: 1 }, { n: { $inc: 1 } as never }),
        counters.updateWhere({ id: 1 }, { nope: 1 } as never),
        counters.updateWhere({ id: 1 }, { version: 3 }),
        counters.updateWhere({ id: 1 }, { key: increment(1) as never }),
        counters.updateWhere({ id: 1 }, {}),
      ];
      for (const p of refused) {
        const e = await rejectionOf(p);
        assert.ok(e instanceof InvalidArgumentError || e instanceof UnknownFieldError, String(e));
      }
      assert.equal(ctx().sessionsOpened(), before);
    },
  );

  t.test(
    'a change only to touchesUpdatedAt: false columns keeps @updatedAt, in updateWhere and in a flush',
    async () => {
      const counters = repo();
      const [row] = await counters.insertAll([{ key: ctx().label('quiet'), n: 1, updatedAt: OLD }]);
      await counters.updateWhere({ id: row!.id }, { hits: increment(1) });
      let read = (await counters.getById(row!.id))!;
      assert.deepEqual([read.hits, read.version, read.updatedAt.getTime()], [1, 2, OLD.getTime()]);
      read.hits = 5;
      read = await counters.update(read);
      assert.equal((await counters.getById(row!.id))!.updatedAt.getTime(), OLD.getTime());
      read.n = 2;
      await counters.update(read);
      assert.ok((await counters.getById(row!.id))!.updatedAt.getTime() > OLD.getTime(), 'n counts');
      await counters.updateWhere({ id: row!.id }, { hits: increment(1), note: 'x' });
      const last = (await counters.getById(row!.id))!;
      assert.ok(last.updatedAt.getTime() > OLD.getTime());
    },
  );

  t.test('deleteWhere deletes the matching rows, and the session forgets them', async () => {
    const counters = repo();
    const note = ctx().label('dw');
    const made = await counters.insertAll([
      { key: `${note}a`, n: 1, note },
      { key: `${note}b`, n: 2, note },
    ]);
    await ctx().kosha.transaction(async () => {
      assert.ok(await counters.getById(made[0]!.id));
      assert.equal(await counters.deleteWhere({ note }), 2);
      assert.equal(await counters.getById(made[0]!.id), null);
    });
    assert.equal(await counters.count({ note }), 0);
  });
}
