// Scenario 8: Kosha against its peers, the same service written twice on the same database and the same
// kind of Redis, in one run. Target: Kosha's throughput ≥ 1.0 × the peer's (ratio = peer latency / Kosha
// latency, the median of per-round ratios).
// - CRUD: a DbRepo + a service whose methods are @transactional, against TypeORM 1.1 (Repository API) +
//   typeorm-transactional's @Transactional(). One op = create, read by id, rename, delete: four
//   transactions, each side sending the same statements (BENCH_LOG_SQL=1 prints both sides' SQL).
// - A @transactional read by id on its own (BEGIN, SELECT, COMMIT on both sides).
// - 8d: a read by id outside any transaction, `repo.getById` against TypeORM's `findOneBy` (one SELECT
//   each): the performance issue's cell, whose target is ≥ 1.2.
// - A cache hit: Kosha's @cacheable on a repo method against type-cacheable's @Cacheable
//   (@type-cacheable/ioredis-adapter), each with a Redis client and key prefix of its own.
import 'reflect-metadata'; // typeorm-transactional's @Transactional() calls Reflect.getMetadataKeys
import { compare, decorate, defineUser, fmtInt, redisClient, row, userRows } from '../lib/harness.mjs';

const TTL = 3600;

export default {
  id: 'peers',
  title: 'Kosha vs TypeORM + typeorm-transactional, and vs type-cacheable',
  async run(ctx) {
    // BENCH_LOG_SQL=1 prints the statements of one CRUD cycle and one read on each side, then times as usual.
    const logSql = process.env.BENCH_LOG_SQL === '1';
    let printing = false;
    const print = (side, sql) => printing && console.log(`  ${side}: ${sql}`);
    const sqlite = ctx.dialect === 'sqlite';
    if (!sqlite && ctx.dialect !== 'postgresql') {
      throw new Error(`peers: runs on SQLite and PostgreSQL, not ${ctx.dialect}`);
    }

    // ---- Kosha -------------------------------------------------------------------------------------
    const { cacheable, createKosha, DbRepo, transactional } = await import('@kosha/core');
    const { mikroOrm } = await import('@kosha/orm-mikro');
    const { redisCache } = await import('@kosha/cache-redis');
    const User = await defineUser(`bench_peers_k_${ctx.suffix}`);
    let koshaLoads = 0;
    class UserRepo extends DbRepo {
      constructor() {
        super(User);
      }
      async cached(userId) {
        koshaLoads++;
        return this.getById(userId);
      }
    }
    decorate(UserRepo, 'cached', cacheable({ keyPrefix: 'user', ttl: TTL })); // @cacheable alone: a hit never opens a transaction
    class UserService {
      constructor(users) {
        this.users = users;
      }
      async create(name, email) {
        return (await this.users.insertAll([{ name, email }]))[0];
      }
      async get(userId) {
        return this.users.getById(userId);
      }
      async rename(userId, name) {
        const user = await this.users.getById(userId);
        user.name = name;
        return this.users.update(user);
      }
      async remove(userId) {
        return this.users.delete(userId);
      }
    }
    for (const m of ['create', 'get', 'rename', 'remove']) decorate(UserService, m, transactional);

    // ---- TypeORM + typeorm-transactional, type-cacheable --------------------------------------------
    const { DataSource, EntitySchema } = await import('typeorm');
    const tx = await import('typeorm-transactional');
    const { Cacheable } = await import('@type-cacheable/core');
    const { useAdapter } = await import('@type-cacheable/ioredis-adapter');
    const peerTable = `bench_peers_t_${ctx.suffix}`;
    class PeerUser {}
    const PeerUserSchema = new EntitySchema({
      name: 'PeerUser',
      target: PeerUser,
      tableName: peerTable,
      columns: {
        id: { type: Number, primary: true, generated: 'increment' },
        name: { type: 'varchar', length: 100 },
        email: { type: 'varchar', length: 255 },
      },
    });
    class PeerService {
      constructor(users) {
        this.users = users;
      }
      async create(name, email) {
        return this.users.save(this.users.create({ name, email }));
      }
      async get(userId) {
        return this.users.findOneBy({ id: userId });
      }
      async rename(userId, name) {
        const user = await this.users.findOneBy({ id: userId });
        user.name = name;
        // Not save(user): it SELECTs the row again before the UPDATE. update() sends the UPDATE alone,
        // which is what Kosha's update of a managed entity sends.
        await this.users.update({ id: userId }, { name });
        return user;
      }
      async remove(userId) {
        return (await this.users.delete({ id: userId })).affected > 0;
      }
    }
    // Not the library's default storage, cls-hooked: its async_hooks would slow every await in this
    // process, Kosha's too. AsyncLocalStorage is what its README recommends on Node ≥ 16.
    tx.initializeTransactionalContext({ storageDriver: tx.StorageDriver.ASYNC_LOCAL_STORAGE });
    for (const m of ['create', 'get', 'rename', 'remove']) decorate(PeerService, m, tx.Transactional());

    const ds = new DataSource({
      ...(sqlite
        ? { type: 'better-sqlite3', database: ':memory:' }
        : { type: 'postgres', url: ctx.databaseUrl }),
      entities: [PeerUserSchema],
      ...(logSql && {
        logging: true,
        logger: {
          logQuery: (sql, params) =>
            print('typeorm', params?.length ? `${sql} -- ${JSON.stringify(params)}` : sql),
          logQueryError: (error, sql) => print('typeorm', `FAILED ${sql}: ${error}`),
          logQuerySlow: () => {},
          logSchemaBuild: () => {},
          logMigration: () => {},
          log: () => {},
        },
      }),
    });
    await ds.initialize();
    tx.addTransactionalDataSource(ds);
    await ds.query(
      `create table "${peerTable}" (id ${sqlite ? 'integer not null primary key autoincrement' : 'serial primary key'}, ` +
        'name varchar(100) not null, email varchar(255) not null)',
    );

    const koshaClient = await redisClient(ctx);
    const peerClient = await redisClient(ctx);
    const cache = redisCache({ client: koshaClient, keyPrefix: `bench_peers_k_${ctx.suffix}` });
    const kosha = await createKosha({
      orm: mikroOrm({ url: ctx.databaseUrl, debug: logSql }),
      entities: [User],
      cache,
      // Both services run here as a job would, with no request session: Kosha warns once per method
      // that its @transactional opened a session of its own. That is the point here, so not printed.
      logger: {
        debug: (message) => print('kosha', message),
        info: () => {},
        warn: (message, ...rest) =>
          message.includes('no session in context') || console.warn(`[kosha] ${message}`, ...rest),
        error: (message, ...rest) => console.error(`[kosha] ${message}`, ...rest),
      },
    });
    await kosha.schema.create();
    try {
      // type-cacheable's cached read: its ioredis adapter as the process-wide client (useAdapter), on a
      // Redis client of its own. The adapter declares ioredis >= 5 < 6 as its peer; with ioredis 6 and
      // with ioredis-mock what a read sends (INFO once, then GET; SET + EXPIRE on a miss) works as is.
      // Beware: its constructor's INFO has a `.catch()` without a handler, so an unreachable Redis
      // there is an unhandled rejection that ends the process, not a miss.
      useAdapter(peerClient);
      const peerPrefix = `bench_peers_t_${ctx.suffix}`;
      let peerLoads = 0;
      const peerRepo = ds.getRepository(PeerUser);
      class PeerCachedRepo {
        async cached(userId) {
          peerLoads++;
          return peerRepo.findOneBy({ id: userId });
        }
      }
      decorate(
        PeerCachedRepo,
        'cached',
        Cacheable({ cacheKey: ([userId]) => `${peerPrefix}:user:${userId}`, ttlSeconds: TTL }),
      );

      const repo = new UserRepo();
      const service = new UserService(repo);
      const peer = new PeerService(peerRepo);
      const peerCached = new PeerCachedRepo();

      const rows = userRows(200);
      const ids = (await repo.insertAll(rows)).map((u) => u.id);
      const peerIds = (await peerRepo.save(rows.map((r) => peerRepo.create(r)))).map((u) => u.id);
      const expect = (u, cls, id) => {
        if (!(u instanceof cls) || u.id !== id || u.name !== `user ${id - ids[0]}`) {
          throw new Error(`read ${JSON.stringify(u)}, expected the ${cls.name} ${id}`);
        }
      };
      // Both sides number from 1 on a fresh table: the same ids, the same rows.
      if (ids.join() !== peerIds.join()) throw new Error('the two tables got different ids');

      let n = 0;
      const crud = async (s, cls) => {
        const k = n++;
        const created = await s.create(`crud ${k}`, `crud${k}@example.com`);
        const read = await s.get(created.id);
        if (!(read instanceof cls) || read.name !== `crud ${k}`) throw new Error('read after create');
        const renamed = await s.rename(created.id, `renamed ${k}`);
        if (renamed.name !== `renamed ${k}`) throw new Error('rename');
        if ((await s.remove(created.id)) !== true) throw new Error('delete');
      };
      if (logSql) {
        printing = true;
        console.log('CRUD cycle:');
        await crud(service, User);
        await crud(peer, PeerUser);
        console.log('@transactional read:');
        await service.get(ids[0]);
        await peer.get(ids[0]);
        printing = false;
      }

      const em = kosha.orm.orm.em; // the backend's MikroORM instance
      let i = 0;
      const nextId = () => ids[i++ % ids.length];
      // Every task is an `async` function: tinybench calls any other function once, unawaited, to see
      // whether it returns a promise — a stray CRUD cycle that would overlap the next one.
      const crudM = await compare(
        {
          kosha: async () => crud(service, User),
          peer: async () => crud(peer, PeerUser),
        },
        ctx,
      );
      // A read by id on each side, checked: `read(id)` for Kosha, `peerRead(id)` for the peer.
      const reads = (read, peerRead) => ({
        kosha: async () => {
          const id = nextId();
          expect(await read(id), User, id);
        },
        peer: async () => {
          const id = nextId();
          expect(await peerRead(id), PeerUser, id);
        },
      });
      const readM = await compare(
        {
          ...reads(
            (id) => service.get(id),
            (id) => peer.get(id),
          ),
          // Reported only: MikroORM on its own, what Kosha's repositories run on.
          mikro: async () => {
            const id = nextId();
            expect(await em.fork().transactional((t) => t.findOne(User, { id })), User, id);
          },
        },
        ctx,
      );

      // The read by id alone, outside any transaction: one SELECT on both sides (the performance issue's cell).
      const byIdM = await compare(
        reads(
          (id) => repo.getById(id),
          (id) => peerRepo.findOneBy({ id }),
        ),
        ctx,
      );

      // The cache: one miss per id fills it, then every read must hit (the loaders are never called).
      for (const id of ids) {
        expect(await repo.cached(id), User, id);
        const u = await peerCached.cached(id);
        if (u?.id !== id) throw new Error(`type-cacheable read ${JSON.stringify(u)} for ${id}`);
      }
      if (koshaLoads !== ids.length || peerLoads !== ids.length) {
        throw new Error(`filling the caches loaded ${koshaLoads} / ${peerLoads} times for ${ids.length} ids`);
      }
      const cacheM = await compare(
        {
          kosha: async () => {
            const id = nextId();
            expect(await repo.cached(id), User, id);
          },
          peer: async () => {
            const id = nextId();
            const u = await peerCached.cached(id);
            // type-cacheable's hit is JSON: a plain object, not a PeerUser.
            if (u.id !== id || u.name !== `user ${id - ids[0]}`)
              throw new Error('type-cacheable: wrong user');
          },
        },
        ctx,
      );
      if (koshaLoads !== ids.length)
        throw new Error(`Kosha's @cacheable missed ${koshaLoads - ids.length} times`);
      if (peerLoads !== ids.length) throw new Error(`type-cacheable missed ${peerLoads - ids.length} times`);

      const db = sqlite ? 'SQLite in memory (better-sqlite3)' : 'PostgreSQL';
      const redis = ctx.redisUrl ? 'Redis' : 'ioredis-mock';
      const out = (scenario, m, notes, target = 1.0) => {
        const ratio = m.ratio('peer', 'kosha'); // peer latency / Kosha latency = Kosha ops/s / peer ops/s
        return row({
          scenario,
          kosha: `${fmtInt(1e6 / m.us('kosha'))} ops/s`,
          baseline: `${fmtInt(1e6 / m.us('peer'))} ops/s`,
          ratio,
          target: `≥ ${target}`,
          pass: ratio >= target,
          notes,
        });
      };
      return [
        out(
          '8. CRUD cycle vs TypeORM + typeorm-transactional',
          crudM,
          `${db}; one op = 4 transactions: INSERT · SELECT · SELECT+UPDATE · DELETE, the same statements on both sides` +
            (sqlite ? ' (TypeORM inlines the id in them on SQLite, Kosha binds it)' : ''),
        ),
        out(
          '8b. @transactional read by id vs TypeORM @Transactional()',
          readM,
          `${db}; one op = BEGIN, SELECT by id, COMMIT on both sides; MikroORM alone ` +
            `(em.fork().transactional(findOne)): ${fmtInt(1e6 / readM.us('mikro'))} ops/s`,
        ),
        out(
          '8d. repo.getById alone vs TypeORM repository.findOneBy',
          byIdM,
          `${db}; one SELECT by id on both sides, no transaction (Kosha: a read-only built-in sends no BEGIN/COMMIT)`,
          1.2,
        ),
        out(
          '8c. @cacheable hit vs type-cacheable @Cacheable',
          cacheM,
          `${redis}; one op = GET + decode; Kosha returns a User instance, type-cacheable a plain object`,
        ),
      ];
    } finally {
      await cache.clearPrefix('').catch(() => {});
      await dropKeys(peerClient, `bench_peers_t_${ctx.suffix}:*`).catch(() => {});
      await kosha.schema.drop().catch(() => {});
      await kosha.close();
      await ds.query(`drop table if exists "${peerTable}"`).catch(() => {});
      await ds.destroy();
      koshaClient.disconnect();
      peerClient.disconnect();
    }
  },
};

async function dropKeys(client, pattern) {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
