import assert from 'node:assert/strict';
import { ConfigError, DatabaseError, IllegalTransactionStateError } from '@kosha/core';
import { rejectionOf, type SuiteRunner } from '../suite-runner.js';
import type { SuiteContext } from './suite-context.js';
import { WCounterRepo } from './write-entities.js';

/** Resolves after a few turns of the event loop: time for a statement sent meanwhile to reach the database. */
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 5));
};

/** Pessimistic locks: getById / find / findOne with { lock }. */
export function lockTests(t: SuiteRunner, ctx: () => SuiteContext): void {
  const repo = () => new WCounterRepo(ctx().kosha);

  t.test('a lock outside a read-write transaction is an IllegalTransactionStateError', async () => {
    const counters = repo();
    const { kosha } = ctx();
    for (const p of [
      counters.getById(1, { lock: 'pessimistic_write' }),
      counters.find({ where: { n: 1 }, lock: 'pessimistic_read' }),
      counters.findOne({ n: 1 }, { lock: 'pessimistic_write' }),
      kosha.transaction(() => counters.getById(1, { lock: 'pessimistic_write' }), { readOnly: true }),
    ]) {
      assert.ok((await rejectionOf(p)) instanceof IllegalTransactionStateError);
    }
  });

  t.test('getById, find and findOne lock inside a transaction and return the rows', async () => {
    const counters = repo();
    const key = ctx().label('lock');
    const [row] = await counters.insertAll([{ key, n: 3 }]);
    await ctx().kosha.transaction(async () => {
      assert.equal((await counters.getById(row!.id, { lock: 'pessimistic_write' }))?.n, 3);
      assert.equal((await counters.find({ where: { key }, lock: 'pessimistic_read' })).length, 1);
      assert.equal((await counters.findOne({ key }, { lock: 'pessimistic_write' }))?.id, row!.id);
    });
  });

  t.test('skipLocked and noWait: refused where the database has no row locks to skip', async () => {
    const counters = repo();
    const [row] = await counters.insertAll([{ key: ctx().label('skip'), n: 1 }]);
    const run = () =>
      ctx().kosha.transaction(async () => [
        await counters.getById(row!.id, { lock: 'pessimistic_write', skipLocked: true }),
        await counters.getById(row!.id, { lock: 'pessimistic_write', noWait: true }),
      ]);
    if (ctx().kosha.orm.capabilities.lockWaitOptions) {
      const [a, b] = await run();
      assert.equal(a?.id, row!.id);
      assert.equal(b?.id, row!.id);
    } else {
      assert.ok((await rejectionOf(run())) instanceof ConfigError);
    }
  });

  t.test('a locked row: another transaction skips it (skipLocked) or fails at once (noWait)', async () => {
    const { kosha, concurrent } = ctx();
    if (!concurrent || !kosha.orm.capabilities.lockWaitOptions) return;
    const counters = repo();
    const key = ctx().label('held');
    const [row] = await counters.insertAll([{ key, n: 1 }]);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = kosha.transaction(async () => {
      await counters.getById(row!.id, { lock: 'pessimistic_write' });
      locked();
      await released;
    });
    await isLocked;
    try {
      const skipped = await kosha.transaction(() =>
        counters.find({ where: { key }, lock: 'pessimistic_write', skipLocked: true }),
      );
      assert.deepEqual(skipped, []);
      const failed = await rejectionOf(
        kosha.transaction(() => counters.getById(row!.id, { lock: 'pessimistic_write', noWait: true })),
      );
      assert.ok(failed instanceof DatabaseError, String(failed));
    } finally {
      release();
      await holder;
    }
  });

  t.test("a second transaction waits for the lock and then reads the first one's write", async () => {
    const { kosha, concurrent } = ctx();
    if (!concurrent) return;
    const counters = repo();
    const [row] = await counters.insertAll([{ key: ctx().label('wait'), n: 1 }]);
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const first = kosha.transaction(async () => {
      const mine = (await counters.getById(row!.id, { lock: 'pessimistic_write' }))!;
      locked();
      await released;
      mine.n = 2;
    });
    await isLocked;
    // Started here, outside the first transaction's context: a transaction of its own.
    const second = kosha.transaction(
      async () => (await counters.getById(row!.id, { lock: 'pessimistic_write' }))!.n,
    );
    // The second transaction's locking read is on its way while the first still holds the row.
    await turns(10);
    release();
    await first;
    assert.equal(await second, 2);
  });

  t.test('read-modify-write under a lock loses no update (10 concurrent transactions)', async () => {
    const { kosha } = ctx();
    const counters = repo();
    const [row] = await counters.insertAll([{ key: ctx().label('rmw'), n: 0 }]);
    await Promise.all(
      Array.from({ length: 10 }, () =>
        kosha.transaction(async () => {
          const c = (await counters.getById(row!.id, { lock: 'pessimistic_write' }))!;
          c.n += 1;
        }),
      ),
    );
    assert.equal((await counters.getById(row!.id))?.n, 10);
  });
}
