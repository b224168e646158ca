import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  afterCommit,
  afterRollback,
  currentSession,
  IllegalTransactionStateError,
  TransactionRequiredError,
  TransactionTimedOutError,
  UnexpectedRollbackError,
} from '@kosha/core';
import { rejectionOf, type SuiteRunner, within } from '../suite-runner.js';
import type { SuiteContext } from './suite-context.js';

class Boom extends Error {}
class Soft extends Error {}
class SofterStill extends Soft {}

/** Transaction behaviour that every backend must show. */
export function transactionTests(t: SuiteRunner, ctx: () => SuiteContext): void {
  t.test('a committed transaction keeps its writes', async () => {
    const { kosha, rows, label } = ctx();
    const l = label('commit');
    await kosha.transaction(async () => {
      await rows.insertAll([{ label: l }, { label: l }]);
    });
    assert.equal(await rows.countLabel(l), 2);
  });

  t.test('a throw inside a transaction leaves nothing of its writes', async () => {
    const { kosha, rows, people, label } = ctx();
    const l = label('throw');
    const error = await rejectionOf(
      kosha.transaction(async () => {
        await rows.insertAll([{ label: l }]);
        await people.insertAll([{ name: l, email: `${l}@example.com` }]);
        const [r] = await rows.insertAll([{ label: l }]);
        await rows.delete(r!.id);
        throw new Boom('after the writes');
      }),
    );
    assert.ok(error instanceof Boom);
    assert.equal(await rows.countLabel(l), 0);
    assert.equal(await people.findByField('name', l), null);
  });

  t.test('a read-only transaction reads and refuses writes', async () => {
    const { kosha, rows, label } = ctx();
    const l = label('ro');
    const [r] = await rows.insertAll([{ label: l }]);
    const read = await kosha.transaction(() => rows.getById(r!.id), { readOnly: true });
    assert.equal(read?.label, l);
    const error = await rejectionOf(
      kosha.transaction(() => rows.insertAll([{ label: l }]), { readOnly: true }),
    );
    assert.ok(error instanceof IllegalTransactionStateError, String(error));
    assert.equal(await rows.countLabel(l), 1);
  });

  t.test('a read-only transaction with an isolation level is a real one', async () => {
    const { kosha, rows, label } = ctx();
    const l = label('ro-iso');
    await rows.insertAll([{ label: l }]);
    const n = await kosha.transaction(() => rows.countLabel(l), {
      readOnly: true,
      isolation: 'REPEATABLE_READ',
    });
    assert.equal(n, 1);
  });

  t.test('every isolation level is accepted', async () => {
    const { kosha, rows, label } = ctx();
    for (const isolation of [
      'READ_UNCOMMITTED',
      'READ_COMMITTED',
      'REPEATABLE_READ',
      'SERIALIZABLE',
    ] as const) {
      const l = label(isolation);
      await kosha.transaction(() => rows.insertAll([{ label: l }]), { isolation });
      assert.equal(await rows.countLabel(l), 1, isolation);
    }
  });

  t.test('a transaction past its timeout rolls back with TransactionTimedOutError', async () => {
    const { kosha, rows, label } = ctx();
    const l = label('timeout');
    const error = await rejectionOf(
      kosha.transaction(
        async () => {
          await rows.insertAll([{ label: l }]);
          await sleep(1_100);
        },
        { timeout: 1 },
      ),
    );
    assert.ok(error instanceof TransactionTimedOutError, String(error));
    assert.equal(await rows.countLabel(l), 0);
  });

  t.test('noRollbackFor commits and rethrows; a more specific rollbackFor wins', async () => {
    const { kosha, rows, label } = ctx();
    const kept = label('norollback');
    const e1 = await rejectionOf(
      kosha.transaction(
        async () => {
          await rows.insertAll([{ label: kept }]);
          throw new Soft('not fatal');
        },
        { noRollbackFor: [Soft] },
      ),
    );
    assert.ok(e1 instanceof Soft);
    assert.equal(await rows.countLabel(kept), 1);

    const gone = label('rollbackfor');
    await rejectionOf(
      kosha.transaction(
        async () => {
          await rows.insertAll([{ label: gone }]);
          throw new SofterStill('fatal after all');
        },
        { noRollbackFor: [Soft], rollbackFor: [SofterStill] },
      ),
    );
    assert.equal(await rows.countLabel(gone), 0);
  });

  t.test('afterCommit runs after commit only; afterRollback after rollback only', async () => {
    const { kosha, rows, label } = ctx();
    const seen: string[] = [];
    await kosha.transaction(async () => {
      await rows.insertAll([{ label: label('hooks') }]);
      afterCommit(() => seen.push('commit-1'));
      afterRollback(() => seen.push('rollback-1'));
      assert.deepEqual(seen, [], 'hooks wait for the outcome');
    });
    await rejectionOf(
      kosha.transaction(async () => {
        afterCommit(() => seen.push('commit-2'));
        afterRollback(() => seen.push('rollback-2'));
        throw new Boom();
      }),
    );
    assert.deepEqual(seen, ['commit-1', 'rollback-2']);
  });

  t.test('hooks of a NESTED scope that rolls back are dropped; the outer ones still run', async () => {
    const { kosha, label, rows } = ctx();
    const seen: string[] = [];
    await kosha.transaction(async () => {
      await rows.insertAll([{ label: label('nested-hooks') }]);
      afterCommit(() => seen.push('outer'));
      await rejectionOf(
        kosha.transaction(
          async () => {
            afterCommit(() => seen.push('inner'));
            afterRollback(() => seen.push('inner-rolled-back'));
            throw new Boom();
          },
          { propagation: 'NESTED' },
        ),
      );
    });
    assert.deepEqual(seen, ['inner-rolled-back', 'outer']);
  });

  t.test(
    'an inner REQUIRED failure that the outer swallows makes the commit an UnexpectedRollbackError',
    async () => {
      const { kosha, rows, label } = ctx();
      const l = label('rollback-only');
      const error = await rejectionOf(
        kosha.transaction(async () => {
          await rows.insertAll([{ label: l }]);
          await rejectionOf(
            kosha.transaction(async () => {
              throw new Boom();
            }),
          );
        }),
      );
      assert.ok(error instanceof UnexpectedRollbackError, String(error));
      assert.equal(await rows.countLabel(l), 0);
    },
  );

  t.test('MANDATORY without a transaction is a TransactionRequiredError', async () => {
    const { kosha } = ctx();
    const error = await rejectionOf(kosha.transaction(async () => 1, { propagation: 'MANDATORY' }));
    assert.ok(error instanceof TransactionRequiredError);
  });

  t.test('NESTED rollback keeps the outer unit of work, flushed or not', async () => {
    const { kosha, rows, people, label } = ctx();
    const l = label('trap1');
    const [p] = await people.insertAll([{ name: 'Outer', email: `${l}@example.com`, age: 1 }]);
    let innerId = 0;
    await kosha.transaction(async () => {
      const outerPerson = (await people.getById(p!.id))!;
      outerPerson.name = 'Outer changed, not flushed';
      await rows.insertAll([{ label: `${l}:outer` }]);
      await rejectionOf(
        kosha.transaction(
          async () => {
            const [inner] = await rows.insertAll([{ label: `${l}:inner` }]);
            innerId = inner!.id;
            outerPerson.age = 99;
            await people.update(outerPerson);
            throw new Boom();
          },
          { propagation: 'NESTED' },
        ),
      );
      assert.equal(await rows.getById(innerId), null, 'the rolled-back row is not believed persisted');
    });
    assert.equal(await rows.countLabel(`${l}:outer`), 1);
    assert.equal(await rows.countLabel(`${l}:inner`), 0);
    const read = (await people.getById(p!.id))!;
    assert.equal(read.name, 'Outer changed, not flushed');
    assert.equal(read.age, 1, 'what the rolled-back savepoint wrote never reaches the database');
  });

  t.test(
    'REQUIRES_NEW inside a transaction commits on its own, or fails fast on a single connection',
    async () => {
      const { kosha, rows, label, concurrent } = ctx();
      const l = label('requires-new');
      const outer = kosha.transaction(async () => {
        await rows.insertAll([{ label: `${l}:outer` }]);
        await kosha.transaction(() => rows.insertAll([{ label: `${l}:inner` }]), {
          propagation: 'REQUIRES_NEW',
        });
        throw new Boom('outer fails after the inner committed');
      });
      const error = await within(5_000, rejectionOf(outer), 'REQUIRES_NEW inside a transaction');
      if (concurrent) {
        assert.ok(error instanceof Boom, String(error));
        assert.equal(await rows.countLabel(`${l}:inner`), 1);
      } else {
        assert.ok(error instanceof IllegalTransactionStateError, String(error));
        assert.match((error as Error).message, /second database connection/);
        assert.equal(await rows.countLabel(`${l}:inner`), 0);
      }
      assert.equal(await rows.countLabel(`${l}:outer`), 0);
    },
  );

  t.test(
    '200 concurrent background transactions each commit their own row once, never sharing a session',
    async () => {
      const { kosha, rows, label } = ctx();
      const l = label('load');
      const sessions = new Set<unknown>();
      const n = 200;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          kosha.transaction(async () => {
            const mine = currentSession(kosha);
            assert.ok(!sessions.has(mine), 'a session is never shared between transactions');
            sessions.add(mine);
            const [r] = await rows.insertAll([{ label: `${l}:${i}` }]);
            await sleep(Math.random() * 5);
            assert.equal(currentSession(kosha), mine, 'the session stays the same across awaits');
            const back = await rows.getById(r!.id);
            assert.equal(back?.label, `${l}:${i}`);
            return r!.id;
          }),
        ),
      );
      assert.equal(new Set(results).size, n);
      for (let i = 0; i < n; i += 1) assert.equal(await rows.countLabel(`${l}:${i}`), 1);
      const stats = kosha.orm.poolStats?.();
      if (stats) {
        assert.equal(stats.waiting, 0, 'nobody waits for a connection');
        assert.equal(
          stats.idle,
          stats.total,
          `every connection is back in the pool (${JSON.stringify(stats)})`,
        );
      }
    },
  );
}
