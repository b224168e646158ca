import {
  column,
  DatabaseError,
  DbRepo,
  entity,
  IllegalTransactionStateError,
  id,
  type Kosha,
  ScopeEndedError,
  TransactionTimedOutError,
  table,
} from '@kosha/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translateError } from '../../src/index.js';
import { DATABASES, memoryLogger, openKosha } from '../support/databases.js';

@entity
@table('tx_notes')
class Note {
  @id() id!: number;
  @column({ type: 'string' }) text!: string;
}

class Notes extends DbRepo<Note> {}

const scalar = async (notes: Notes, sql: string): Promise<unknown> => {
  const rows = await notes.em.execute(sql);
  return Object.values((rows as Record<string, unknown>[])[0]!)[0];
};

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`transactions on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let notes: Notes;
    const logger = memoryLogger();
    beforeAll(async () => {
      // One connection, so a setting left behind by one transaction would be seen by the next.
      env = await openKosha(db, [Note], { pool: { min: 0, max: 1 }, debug: true, logger });
      kosha = env.kosha;
      notes = new Notes(Note, kosha);
    });
    afterAll(() => env?.close());

    const count = async (text: string) => (await notes.findAllByField('text', text)).length;

    it('trap 2: SQLite is one connection, so a second transaction inside one fails fast instead of waiting', async () => {
      expect(kosha.orm.capabilities.concurrentTransactions).toBe(db.dialect !== 'sqlite');
      expect(kosha.orm.capabilities.savepoints).toBe(true);
      if (db.dialect !== 'sqlite') return; // the REQUIRES_NEW suite below runs it with a pool
      const started = Date.now();
      const error = await kosha
        .transaction(async () => {
          await notes.insertAll([{ text: 'trap2-outer' }]);
          await kosha.transaction(() => notes.insertAll([{ text: 'trap2-inner' }]), {
            propagation: 'REQUIRES_NEW',
          });
        })
        .catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(error).toBeInstanceOf(IllegalTransactionStateError);
      expect(await count('trap2-outer')).toBe(0);
      expect(await count('trap2-inner')).toBe(0);
    });

    it('a read-only transaction is refused writes by the database itself, and the next one can write', async () => {
      const error = await kosha
        .transaction(
          async () => {
            expect(await notes.count()).toBeGreaterThanOrEqual(0);
            // Through the native EntityManager, as the repository itself refuses writes here before any SQL.
            notes.em.create(Note, { text: 'sneaky' });
          },
          { readOnly: true, isolation: 'REPEATABLE_READ' },
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).kind).toBe('read_only');
      expect((error as Error).message).toMatch(/read-only transaction.*without readOnly/);
      expect(await count('sneaky')).toBe(0);
      await notes.insertAll([{ text: 'after read-only' }]);
      expect(await count('after read-only')).toBe(1);
    });

    it('a read-only transaction with the default isolation sends no BEGIN', async () => {
      logger.lines.length = 0;
      await kosha.transaction(() => notes.count(), { readOnly: true });
      const sql = logger.lines.map((l) => l.message);
      expect(sql.some((m) => /select count/i.test(m))).toBe(true);
      expect(sql.some((m) => /\b(begin|start transaction)\b/i.test(m))).toBe(false);
    });

    it('the isolation level reaches the database', async () => {
      if (db.dialect === 'sqlite') {
        // SQLite transactions are always serializable; every level is accepted.
        await expect(
          kosha.transaction(() => notes.count(), { isolation: 'READ_UNCOMMITTED' }),
        ).resolves.toBeTypeOf('number');
        return;
      }
      const level = await kosha.transaction(
        async () => {
          if (db.dialect === 'postgresql') return scalar(notes, 'show transaction_isolation');
          await notes.count();
          return scalar(
            notes,
            'select trx_isolation_level from information_schema.innodb_trx where trx_mysql_thread_id = connection_id()',
          );
        },
        { isolation: 'SERIALIZABLE' },
      );
      expect(String(level).toLowerCase()).toBe('serializable');
    });

    // SQLite has no statement timeout; core's deadline check still rolls a late transaction back there.
    it.skipIf(db.dialect === 'sqlite')(
      'a timeout becomes a statement timeout that ends with the transaction',
      async () => {
        const sql = db.dialect === 'postgresql' ? 'show statement_timeout' : 'select @@max_statement_time';
        const inside = await kosha.transaction(() => scalar(notes, sql), { timeout: 2 });
        expect(String(inside)).toMatch(/^2(s|\.0+)?$/);
        const after = await kosha.transaction(() => scalar(notes, sql));
        expect(String(after)).toMatch(/^0(\.0+)?$/);
      },
    );

    it.skipIf(db.dialect === 'sqlite')(
      'a statement running past the timeout is cancelled: TransactionTimedOutError',
      async () => {
        const sleep = db.dialect === 'postgresql' ? 'select pg_sleep(3)' : 'select sleep(3)';
        const started = Date.now();
        const error = await kosha
          .transaction(() => notes.em.execute(sleep), { timeout: 0.5 })
          .catch((e: unknown) => e);
        // this.em throws MikroORM's own errors; translateError gives Kosha's.
        expect(translateError(error)).toBeInstanceOf(TransactionTimedOutError);
        expect(Date.now() - started).toBeLessThan(2_500);
      },
    );

    it('commit writes pending changes; rollback discards them and whatever the session held', async () => {
      const session = kosha.orm.openSession();
      try {
        await session.begin({});
        const kept = await session.insertAll(Note, [{ text: 'session-kept' }]);
        await session.commit();
        await session.begin({});
        const n = (await session.findById(Note, kept[0]!.id))!;
        n.text = 'session-renamed';
        await session.flush();
        await session.rollback();
        expect(await session.findById(Note, kept[0]!.id)).not.toBe(n);
        expect((await session.findById(Note, kept[0]!.id))!.text).toBe('session-kept');
      } finally {
        await session.close();
      }
    });

    it('close rolls back an open transaction, releases the connection and is idempotent; a closed session refuses work', async () => {
      const session = kosha.orm.openSession();
      await session.begin({});
      await session.insertAll(Note, [{ text: 'never committed' }]);
      await session.close();
      await session.close();
      // The session's end is final: its next call gets ScopeEndedError, never a connection of its own.
      await expect(session.count(Note)).rejects.toBeInstanceOf(ScopeEndedError);
      // Nor does its EntityManager, for code that kept it: no autocommit statement after the end
      // (MikroORM wraps the error in its DriverException, which keeps the code).
      await expect((session.native as SqlEntityManager).find(Note, {})).rejects.toMatchObject({
        code: 'KOSHA_SCOPE_ENDED',
      });
      expect(await count('never committed')).toBe(0);
      const stats = kosha.orm.poolStats?.();
      if (db.dialect === 'sqlite') expect(stats).toBeUndefined();
      else expect(stats).toMatchObject({ waiting: 0, idle: stats!.total });
    });

    it('begin inside a transaction, and commit or rollback outside one, are IllegalTransactionStateErrors', async () => {
      const session = kosha.orm.openSession();
      try {
        await expect(session.commit()).rejects.toBeInstanceOf(IllegalTransactionStateError);
        await expect(session.rollback()).rejects.toBeInstanceOf(IllegalTransactionStateError);
        await session.begin({});
        await expect(session.begin({})).rejects.toBeInstanceOf(IllegalTransactionStateError);
      } finally {
        await session.close();
      }
    });
  });
}

describe.skipIf(!DATABASES.some((d) => d.dialect !== 'sqlite' && d.available))(
  'REQUIRES_NEW with a pool',
  () => {
    for (const db of DATABASES.filter((d) => d.dialect !== 'sqlite' && d.available)) {
      it(`commits the inner transaction on its own connection on ${db.name}, even when the outer rolls back`, async () => {
        const env = await openKosha(db, [Note], { pool: { min: 0, max: 4 } });
        try {
          const notes = new Notes(Note, env.kosha);
          const error = await env.kosha
            .transaction(async () => {
              await notes.insertAll([{ text: 'outer' }]);
              await env.kosha.transaction(() => notes.insertAll([{ text: 'inner' }]), {
                propagation: 'REQUIRES_NEW',
              });
              throw new Error('outer fails');
            })
            .catch((e: unknown) => e);
          expect((error as Error).message).toBe('outer fails');
          expect((await notes.findAllByField('text', 'inner')).length).toBe(1);
          expect((await notes.findAllByField('text', 'outer')).length).toBe(0);
          expect(env.kosha.orm.poolStats!()).toMatchObject({ waiting: 0 });
        } finally {
          await env.close();
        }
      });

      it(`a flush blocked past the timeout by another transaction's lock is a TransactionTimedOutError on ${db.name}`, async () => {
        const env = await openKosha(db, [Note], { pool: { min: 0, max: 4 } });
        const holder = env.kosha.orm.openSession();
        try {
          const notes = new Notes(Note, env.kosha);
          const [note] = await notes.insertAll([{ text: 'contended' }]);
          await holder.begin({});
          const held = (await holder.findById(Note, note!.id))!;
          held.text = 'holder wins';
          await holder.flush();
          const error = await env.kosha
            .transaction(
              async () => {
                const mine = (await notes.getById(note!.id))!;
                mine.text = 'waiter';
              },
              { timeout: 0.5 },
            )
            .catch((e: unknown) => e);
          expect(error).toBeInstanceOf(TransactionTimedOutError);
          await holder.commit();
          expect((await notes.getById(note!.id))!.text).toBe('holder wins');
        } finally {
          await holder.close();
          await env.close();
        }
      });
    }
  },
);
