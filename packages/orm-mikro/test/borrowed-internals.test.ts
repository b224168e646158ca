// Where the connection guard leans on internals of the libraries under MikroORM (src/internals/:
// lazy-transaction.ts and transaction-connection.ts for kysely, raw-checkout.ts and pool-counts.ts for pg,
// pg-pool and mysql2; the versions they were checked against are CHECKED_AGAINST in src/internals/index.ts).
// When an upgrade breaks one, these tests say so by name; MikroORM's own internals are fenced in
// mikro-internals.test.ts.
import { column, DbRepo, entity, id, type Kosha, table, transactional } from '@kosha/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardedConnection } from '../src/connection/guarded-connection.js';
import { transactionConnection } from '../src/internals/index.js';
import { DATABASES, memoryLogger, openKosha } from './support/databases.js';

@entity
@table('borrowed_rows')
class Row {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 40 }) token!: string;
}

class Rows extends DbRepo<Row> {
  @transactional
  async inTransaction<T>(fn: (em: SqlEntityManager) => Promise<T>): Promise<T> {
    return fn(this.em);
  }
}

const sleepSql = (dialect: string) => (dialect === 'postgresql' ? 'select pg_sleep(5)' : 'select sleep(5)');
// The server's own statement timeout (set from the transaction's) would end the sleep cleanly first: off,
// so that only the client-side cut at the deadline can end it.
const noServerTimeout = (dialect: string) =>
  dialect === 'postgresql' ? 'set local statement_timeout = 0' : 'set session max_statement_time = 0';

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`borrowed internals on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let rows: Rows;
    const logger = memoryLogger();

    beforeAll(async () => {
      // One connection: a stalled one handed back to the pool would hold up the next statement.
      env = await openKosha(db, [Row], { pool: { min: 0, max: 1 }, logger });
      kosha = env.kosha;
      rows = new Rows(Row, kosha);
    });
    afterAll(async () => {
      await env?.close();
    });

    it('lazy-transaction.ts: Kosha builds Kysely transactions itself (else it warned at start-up)', async () => {
      const warned = logger.lines.some((l) => /builds transactions differently/.test(l.message));
      expect(
        warned,
        'src/internals/lazy-transaction.ts no longer matches this kysely version: see its header',
      ).toBe(false);
      // The transaction it built serves everything MikroORM does with one: queries, Kysely's own query
      // builder, a nested em.transactional (a savepoint), and the commit.
      await rows.inTransaction(async (em) => {
        await em.insert(Row, { token: 'built-1' });
        const viaKysely = await em
          .getKysely()
          .selectFrom('borrowed_rows' as never)
          .selectAll()
          .execute();
        expect(viaKysely).toHaveLength(1);
        await em
          .transactional(async (inner) => {
            await inner.insert(Row, { token: 'built-2' });
            throw new Error('roll back to the savepoint');
          })
          .catch(() => {});
      });
      expect((await rows.findAllByField('token', 'built-1')).length).toBe(1);
      expect((await rows.findAllByField('token', 'built-2')).length).toBe(0);
    });

    it("transaction-connection.ts: the transaction's connection is reached through Kysely's executor", async () => {
      await rows.inTransaction(async (em) => {
        await em.execute('select 1');
        expect(
          await transactionConnection(em.getTransactionContext()),
          'src/internals/transaction-connection.ts no longer reaches the connection of a Kysely transaction ' +
            '(Transaction.getExecutor changed): see its header',
        ).toBeInstanceOf(GuardedConnection);
      });
    });

    it.skipIf(db.dialect === 'sqlite')("pool-counts.ts: the native pool's figures", async () => {
      await rows.count();
      const stats = kosha.orm.poolStats!();
      expect(
        stats.total,
        'src/internals/pool-counts.ts no longer reads the pool figures (pg-pool / mysql2 changed): see its header',
      ).toBe(1);
      expect(stats.idle + stats.waiting).toBe(1);
    });

    it.skipIf(db.dialect === 'sqlite')(
      'raw-checkout.ts: a connection cut at its deadline is destroyed, not handed back to the pool',
      async () => {
        const started = Date.now();
        await expect(
          kosha.transaction(
            () =>
              rows.inTransaction(async (em) => {
                await em.execute(noServerTimeout(db.dialect));
                return em.execute(sleepSql(db.dialect));
              }),
            { timeout: 0.5 },
          ),
          // Through `this.em`, MikroORM wraps the error; its code stays.
        ).rejects.toMatchObject({ code: 'KOSHA_TRANSACTION_TIMEOUT' });
        expect(Date.now() - started).toBeLessThan(3_000);
        // Handed back instead (the raw client out of reach), the pool's one connection would still be in its
        // five-second sleep, and the next statement would wait for it.
        const next = Date.now();
        await rows.count();
        expect(
          Date.now() - next,
          'src/internals/raw-checkout.ts no longer reaches the driver client (pg / pg-pool / mysql2 / kysely ' +
            'changed): stalled connections cannot be destroyed — see its header',
        ).toBeLessThan(2_000);
      },
    );
  });
}
