// Transactions begin at their first statement: one that runs nothing takes no connection and sends
// nothing, so the seed's cached read (`@transactional @cacheable`) costs the database nothing on a hit.
// Statements are counted from `debug: true`, which logs what reaches the wire.
import {
  afterCommit,
  cacheable,
  cacheEvict,
  column,
  createKosha,
  DbRepo,
  entity,
  id,
  type Kosha,
  memoryCache,
  table,
  transactional,
} from '@kosha/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mikroOrm } from '../../src/index.js';
import { DATABASES, emptyDatabase, memoryLogger } from '../support/databases.js';

@entity
@table('lazy_users')
class User {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 60 }) name!: string;
}

let loads = 0;

class Users extends DbRepo<User> {
  // The seed's pattern, both decorator orders.
  @transactional
  @cacheable({ keyPrefix: 'lazy-user', ttl: 60 })
  async get(userId: number): Promise<User | null> {
    loads++;
    return this.getById(userId);
  }

  @cacheable({ keyPrefix: 'lazy-user-outer', ttl: 60 })
  @transactional
  async getOuter(userId: number): Promise<User | null> {
    loads++;
    return this.getById(userId);
  }

  @transactional
  @cacheEvict({ keyPrefix: 'lazy-user', key: (userId: number) => userId })
  async touch(userId: number): Promise<void> {
    const user = await this.getById(userId);
    if (user) await this.update(Object.assign(user, { name: `${user.name}!` }));
  }
}

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`lazy begin on ${db.name}`, () => {
    const logger = memoryLogger();
    let kosha: Kosha;
    let users: Users;
    let drop: () => Promise<void>;
    let ada: User;
    const sql = () => logger.lines.filter((l) => l.message.startsWith('[sql]')).map((l) => l.message);
    const inUse = () => {
      const s = kosha.orm.poolStats?.();
      return s ? s.total - s.idle : 0;
    };

    beforeAll(async () => {
      const database = await emptyDatabase(db);
      drop = database.drop;
      kosha = await createKosha({
        orm: mikroOrm({ url: database.url, debug: true, pool: { min: 0, max: 5 } }),
        entities: [User],
        setDefault: false,
        cache: memoryCache(),
        logger,
      });
      await kosha.schema.create();
      users = new Users(User, kosha);
      ada = (await users.insertAll([{ name: 'Ada' }]))[0]!;
    });
    afterEach(() => {
      logger.lines.length = 0;
    });
    afterAll(async () => {
      await kosha?.close();
      await drop?.();
    });

    it('a transaction that runs nothing sends nothing and takes no connection; its afterCommit hooks run', async () => {
      let committed = false;
      logger.lines.length = 0;
      const result = await kosha.transaction(async () => {
        afterCommit(() => {
          committed = true;
        });
        expect(inUse()).toBe(0);
        return 1;
      });
      expect(result).toBe(1);
      expect(committed).toBe(true);
      expect(sql()).toEqual([]);
      expect(inUse()).toBe(0);
    });

    it('with an isolation and read-only too: the settings go with BEGIN, at the first statement', async () => {
      logger.lines.length = 0;
      await kosha.transaction(async () => 1, { isolation: 'SERIALIZABLE', readOnly: true, timeout: 5 });
      expect(sql()).toEqual([]);
      const level = await kosha.transaction(
        async () => {
          const q =
            db.dialect === 'postgresql'
              ? "select current_setting('transaction_isolation') as v"
              : db.dialect === 'sqlite'
                ? 'select 1 as v'
                : 'select 1 as v';
          const rows = (await users.em.execute(q)) as { v: unknown }[];
          return String(rows[0]!.v);
        },
        { isolation: 'SERIALIZABLE' },
      );
      if (db.dialect === 'postgresql') expect(level).toBe('serializable');
      // BEGIN (with its settings) went out right before the first statement, and nothing before it.
      const lines = sql();
      expect(lines[0]).toMatch(/begin|start transaction|set transaction/i);
      expect(lines.at(-1)).toMatch(/commit/i);
    });

    it('a read-only transaction still refuses writes made through native SQL, at the first statement', async () => {
      if (db.dialect === 'sqlite') return; // SQLite's read-only is query_only, checked below in the same way
      const attempt = kosha.transaction(
        () => users.em.execute(`insert into lazy_users (name) values ('never')`),
        { readOnly: true, isolation: 'READ_COMMITTED' },
      );
      // `this.em` throws MikroORM's own errors (translateError turns them into Kosha's).
      await expect(attempt).rejects.toThrow(/read.only/i);
      expect(await users.count()).toBe(1);
    });

    it('a NESTED scope that runs nothing sends no savepoint; one that runs a statement does', async () => {
      logger.lines.length = 0;
      await kosha.transaction(async () => {
        await kosha.transaction(async () => 1, { propagation: 'NESTED' });
        await users.getById(ada.id);
      });
      expect(sql().some((l) => /savepoint/i.test(l))).toBe(false);
      expect(sql()).toHaveLength(3); // BEGIN, SELECT, COMMIT
      logger.lines.length = 0;
      await kosha.transaction(async () => {
        await kosha.transaction(() => users.getById(ada.id), { propagation: 'NESTED' });
      });
      expect(sql().filter((l) => /savepoint/i.test(l))).toHaveLength(2); // SAVEPOINT, RELEASE
    });

    it('a NESTED scope that ran nothing and rolls back sends nothing either, and its outer goes on', async () => {
      logger.lines.length = 0;
      await kosha.transaction(async () => {
        await kosha
          .transaction(
            async () => {
              throw new Error('inner');
            },
            { propagation: 'NESTED' },
          )
          .catch(() => {});
        await users.getById(ada.id);
      });
      expect(sql().some((l) => /savepoint/i.test(l))).toBe(false);
    });

    for (const [name, read] of [
      ['@transactional @cacheable', (u: Users, id: number) => u.get(id)],
      ['@cacheable @transactional', (u: Users, id: number) => u.getOuter(id)],
    ] as const) {
      it(`${name}: a hit sends 0 statements and takes no connection`, async () => {
        await read(users, ada.id); // the miss that fills the cache
        logger.lines.length = 0;
        const before = loads;
        const hits = await Promise.all(Array.from({ length: 20 }, () => read(users, ada.id)));
        expect(hits.every((u) => u?.id === ada.id)).toBe(true);
        expect(loads).toBe(before);
        expect(sql()).toEqual([]);
        expect(inUse()).toBe(0);
      });
    }

    it('1,000 concurrent get(42) on a cold key run the method once — also right after an eviction', async () => {
      const [bob] = await users.insertAll([{ name: 'Bob' }]);
      for (const round of ['cold', 'after eviction']) {
        if (round === 'after eviction') await users.touch(bob!.id);
        const before = loads;
        logger.lines.length = 0;
        // Nobody waits for a connection another caller holds: at most the one load's connection is in use.
        let mostInUse = 0;
        let mostWaiting = 0;
        const sample = setInterval(() => {
          const s = kosha.orm.poolStats?.();
          if (!s) return;
          mostInUse = Math.max(mostInUse, s.total - s.idle);
          mostWaiting = Math.max(mostWaiting, s.waiting);
        }, 1);
        const all = await Promise.all(Array.from({ length: 1000 }, () => users.get(bob!.id)));
        clearInterval(sample);
        expect(all.every((u) => u?.id === bob!.id)).toBe(true);
        expect(loads - before, round).toBe(1);
        expect(mostWaiting, round).toBe(0);
        expect(mostInUse, round).toBeLessThanOrEqual(1);
        // One transaction read the row: one SELECT, whatever the number of callers.
        expect(
          sql().filter((l) => /select/i.test(l)),
          round,
        ).toHaveLength(1);
      }
      expect(inUse()).toBe(0);
    });

    describe('a request scope whose transaction ran nothing ends at once (finishNow)', () => {
      it('after a cache hit: true, nothing sent, and work left running gets ScopeEndedError', async () => {
        await users.get(ada.id); // fills the cache
        logger.lines.length = 0;
        const scope = await kosha.openSession();
        const hit = await scope.run(() => users.get(ada.id));
        expect(hit?.id).toBe(ada.id);
        expect(scope.finishNow({ statusCode: 200 })).toBe(true);
        expect(scope.active).toBe(false);
        await expect(scope.run(() => users.getById(ada.id))).rejects.toThrow(/its request ended/);
        await scope.close();
        expect(sql()).toEqual([]);
        expect(inUse()).toBe(0);
      });

      it('a rollback status with nothing run: true as well', async () => {
        const scope = await kosha.openSession();
        expect(scope.finishNow({ statusCode: 503 })).toBe(true);
        await scope.close();
        expect(sql()).toEqual([]);
      });

      it('after a statement: false, and finish() commits what it wrote', async () => {
        const scope = await kosha.openSession();
        const [carol] = await scope.run(() => users.insertAll([{ name: 'Carol' }]));
        expect(scope.finishNow({ statusCode: 201 })).toBe(false);
        expect(scope.active).toBe(true);
        await scope.finish({ statusCode: 201 });
        await scope.close();
        expect(sql().some((l) => /commit/i.test(l))).toBe(true);
        expect((await users.getById(carol!.id))?.name).toBe('Carol');
        expect(inUse()).toBe(0);
      });

      it('with an afterCommit hook: false, and finish() runs it, sending nothing', async () => {
        const scope = await kosha.openSession();
        let ran = 0;
        scope.run(() => afterCommit(() => void ran++));
        expect(scope.finishNow({ statusCode: 200 })).toBe(false);
        await scope.finish({ statusCode: 200 });
        await scope.close();
        expect(ran).toBe(1);
        expect(sql()).toEqual([]);
      });

      it('marked rollback-only with a success status: false, and finish() throws UnexpectedRollbackError', async () => {
        const scope = await kosha.openSession();
        await scope
          .run(() =>
            kosha.transaction(async () => {
              throw new Error('inner failure');
            }),
          )
          .catch(() => {});
        expect(scope.rollbackOnly).toBe(true);
        expect(scope.finishNow({ statusCode: 200 })).toBe(false);
        await expect(scope.finish({ statusCode: 200 })).rejects.toMatchObject({
          name: 'UnexpectedRollbackError',
        });
        await scope.close();
      });

      it('a throwing rollbackOn: false, and finish() rejects with its error', async () => {
        const scope = await kosha.openSession();
        const rollbackOn = () => {
          throw new Error('rollbackOn broke');
        };
        expect(scope.finishNow({ statusCode: 200, rollbackOn })).toBe(false);
        await expect(scope.finish({ statusCode: 200, rollbackOn })).rejects.toThrow('rollbackOn broke');
        await scope.close();
      });

      it("mode 'method' (no transaction): true", async () => {
        const scope = await kosha.openSession({ transaction: false });
        expect(scope.finishNow({ statusCode: 200 })).toBe(true);
        expect(scope.finishNow({ statusCode: 200 })).toBe(false); // already ended
        await scope.close();
      });
    });

    it('exists sends select 1 … limit 1, not count(*)', async () => {
      logger.lines.length = 0;
      expect(await users.exists(ada.id)).toBe(true);
      expect(await users.exists(987_654)).toBe(false);
      const lines = sql();
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line).toMatch(/select 1/i);
        expect(line).toMatch(/limit/i);
        expect(line).not.toMatch(/count/i);
      }
    });
  });
}
