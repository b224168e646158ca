// Scenario 13: CPU per operation against the raw driver underneath (DESIGN §15, the performance issue),
// in one process: `process.cpuUsage()` over a run of sequential operations, the contenders taking turns
// run by run (the order flipping), the median of the per-round ratios. Only this process's CPU counts:
// on PostgreSQL the server's own work is the same on both sides and is left out.
// - 13 / 13d  read by id: `repo.getById` alone (one SELECT: a read-only built-in sends no BEGIN/COMMIT)
//             against the raw driver's prepared statement (pg: a named statement; better-sqlite3: a
//             statement prepared once).
// - 13b / 13e read by id in a transaction: a `@transactional` method calling `getById` (BEGIN, SELECT,
//             COMMIT) against the raw driver sending the same three statements.
// - 13c / 13f CRUD cycle: four `@transactional` service methods — insert, read, read + rename (the flush
//             sends one UPDATE), delete — against the raw driver sending the same statements.
// Targets (PostgreSQL): ≤ 1.6, ≤ 1.6, ≤ 1.5; (SQLite): ≤ 10, ≤ 10, ≤ 8. MikroORM's own `em.fork()` path is
// measured beside them (reported), so the share of the gap that is MikroORM's shows.
// - 13d / 13e / 13f the same three against drizzle-orm's query builder (not `.prepare()`), in the same
//             rounds: Kosha's operations per CPU second over drizzle's. Target ≥ 1.2.
import {
  closeKosha,
  decorate,
  defineUser,
  fmtUs,
  median,
  openKosha,
  row,
  seedUsers,
} from '../lib/harness.mjs';

/** CPU µs per call of `op`, over `n` sequential calls. */
async function cpuPerOp(op, n) {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await op();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / n;
}

/** Each contender run by run, the order flipping each round; per-contender medians and ratio medians. */
async function rounds(tasks, { n, rounds }) {
  const names = Object.keys(tasks);
  for (const name of names) await cpuPerOp(tasks[name], Math.ceil(n / 5)); // warm-up
  const per = Object.fromEntries(names.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...names].reverse() : names;
    for (const name of order) per[name].push(await cpuPerOp(tasks[name], n));
  }
  return {
    us: (name) => median(per[name]),
    ratio: (a, b) => median(per[a].map((x, i) => x / per[b][i])),
  };
}

export default {
  id: 'cpu',
  title: 'CPU per operation against the raw driver',
  async run(ctx) {
    const { DbRepo, transactional } = await import('@kosha/core');
    const table = `bench_cpu_${ctx.suffix}`;
    const User = await defineUser(table);
    class UserRepo extends DbRepo {
      constructor() {
        super(User);
      }
    }
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
        return user; // the flush at COMMIT sends the UPDATE
      }
      async remove(userId) {
        return this.users.delete(userId);
      }
    }
    for (const m of ['create', 'get', 'rename', 'remove']) decorate(UserService, m, transactional);

    const sqlite = ctx.dialect === 'sqlite';
    if (!sqlite && ctx.dialect !== 'postgresql')
      throw new Error(`cpu: runs on SQLite and PostgreSQL, not ${ctx.dialect}`);
    const kosha = await openKosha(ctx, [User]);
    let raw;
    let peer; // drizzle's query builder, on a connection of its own (SQLite: raw's database)
    const { eq } = await import('drizzle-orm');
    try {
      const repo = new UserRepo();
      const service = new UserService(repo);
      const ids = await seedUsers(repo, 1000);
      const em = kosha.orm.orm.em;
      let i = 0;
      const nextId = () => ids[i++ % ids.length];
      const must = (u) => {
        if (!u) throw new Error('missing row');
      };

      // ---- the raw driver, on a connection of its own ------------------------------------------------
      if (sqlite) {
        const { default: Database } = await import('better-sqlite3');
        const db = new Database(':memory:');
        db.exec(
          `create table "${table}" (id integer not null primary key autoincrement, name varchar(100) not null, email varchar(255) not null)`,
        );
        const insert = db.prepare(`insert into "${table}" (name, email) values (?, ?) returning id`);
        db.transaction(() => {
          for (let n = 0; n < 1000; n++) insert.get(`user ${n}`, `u${n}@example.com`);
        })();
        const byId = db.prepare(`select id, name, email from "${table}" where id = ?`);
        const update = db.prepare(`update "${table}" set name = ? where id = ?`);
        const del = db.prepare(`delete from "${table}" where id = ?`);
        const begin = db.prepare('begin');
        const commit = db.prepare('commit');
        let r = 0;
        const rawId = () => (r++ % 1000) + 1;
        const { drizzle } = await import('drizzle-orm/better-sqlite3');
        const { sqliteTable, integer, text } = await import('drizzle-orm/sqlite-core');
        const users = sqliteTable(table, {
          id: integer('id').primaryKey({ autoIncrement: true }),
          name: text('name').notNull(),
          email: text('email').notNull(),
        });
        const dz = drizzle(db);
        // better-sqlite3's transactions are synchronous: drizzle's callback is too.
        peer = {
          read: async () => must(dz.select().from(users).where(eq(users.id, rawId())).get()),
          readTx: async () =>
            dz.transaction((tx) => must(tx.select().from(users).where(eq(users.id, rawId())).get())),
          crud: async () => {
            const { id } = dz.transaction((tx) =>
              tx
                .insert(users)
                .values({ name: 'new', email: 'new@example.com' })
                .returning({ id: users.id })
                .get(),
            );
            dz.transaction((tx) => must(tx.select().from(users).where(eq(users.id, id)).get()));
            dz.transaction((tx) => {
              must(tx.select().from(users).where(eq(users.id, id)).get());
              tx.update(users).set({ name: 'renamed' }).where(eq(users.id, id)).run();
            });
            dz.transaction((tx) => tx.delete(users).where(eq(users.id, id)).run());
          },
        };
        raw = {
          close: async () => db.close(),
          read: async () => must(byId.get(rawId())),
          readTx: async () => {
            begin.run();
            must(byId.get(rawId()));
            commit.run();
          },
          crud: async () => {
            begin.run();
            const { id } = insert.get('new', 'new@example.com');
            commit.run();
            begin.run();
            must(byId.get(id));
            commit.run();
            begin.run();
            must(byId.get(id));
            update.run('renamed', id);
            commit.run();
            begin.run();
            del.run(id);
            commit.run();
          },
        };
      } else {
        const { default: pg } = await import('pg');
        const client = new pg.Client({ connectionString: ctx.databaseUrl });
        await client.connect();
        const q = (name, text, values) => client.query({ name, text, values });
        const { drizzle } = await import('drizzle-orm/node-postgres');
        const { pgTable, serial, varchar } = await import('drizzle-orm/pg-core');
        const users = pgTable(table, {
          id: serial('id').primaryKey(),
          name: varchar('name', { length: 100 }).notNull(),
          email: varchar('email', { length: 255 }).notNull(),
        });
        const dzClient = new pg.Client({ connectionString: ctx.databaseUrl });
        await dzClient.connect();
        const dz = drizzle(dzClient);
        const one = async (query) => must((await query)[0]);
        peer = {
          close: () => dzClient.end(),
          read: () => one(dz.select().from(users).where(eq(users.id, nextId()))),
          readTx: () => dz.transaction((tx) => one(tx.select().from(users).where(eq(users.id, nextId())))),
          crud: async () => {
            const [{ id }] = await dz.transaction((tx) =>
              tx.insert(users).values({ name: 'new', email: 'new@example.com' }).returning({ id: users.id }),
            );
            await dz.transaction((tx) => one(tx.select().from(users).where(eq(users.id, id))));
            await dz.transaction(async (tx) => {
              await one(tx.select().from(users).where(eq(users.id, id)));
              await tx.update(users).set({ name: 'renamed' }).where(eq(users.id, id));
            });
            await dz.transaction((tx) => tx.delete(users).where(eq(users.id, id)));
          },
        };
        const select = `select id, name, email from "${table}" where id = $1`;
        raw = {
          close: () => client.end(),
          read: async () => must((await q('cpu-get', select, [nextId()])).rows[0]),
          readTx: async () => {
            await client.query('begin');
            must((await q('cpu-get', select, [nextId()])).rows[0]);
            await client.query('commit');
          },
          crud: async () => {
            await client.query('begin');
            const { id } = (
              await q('cpu-insert', `insert into "${table}" (name, email) values ($1, $2) returning id`, [
                'new',
                'new@example.com',
              ])
            ).rows[0];
            await client.query('commit');
            await client.query('begin');
            must((await q('cpu-get', select, [id])).rows[0]);
            await client.query('commit');
            await client.query('begin');
            must((await q('cpu-get', select, [id])).rows[0]);
            await q('cpu-update', `update "${table}" set name = $1 where id = $2`, ['renamed', id]);
            await client.query('commit');
            await client.query('begin');
            await q('cpu-delete', `delete from "${table}" where id = $1`, [id]);
            await client.query('commit');
          },
        };
      }

      const kosha3 = {
        read: async () => must(await repo.getById(nextId())),
        readTx: async () => must(await service.get(nextId())),
        crud: async () => {
          const u = await service.create('new', 'new@example.com');
          must(await service.get(u.id));
          await service.rename(u.id, 'renamed');
          await service.remove(u.id);
        },
      };
      const mikro = {
        read: async () => must(await em.fork().findOne(User, { id: nextId() })),
        readTx: async () => must(await em.fork().transactional((t) => t.findOne(User, { id: nextId() }))),
      };

      const n = ctx.quick ? (sqlite ? 1500 : 200) : sqlite ? 6000 : 1000;
      const times = ctx.quick ? 3 : 7;
      const m = await rounds(
        {
          raw: raw.read,
          kosha: kosha3.read,
          mikro: mikro.read,
          rawTx: raw.readTx,
          koshaTx: kosha3.readTx,
          mikroTx: mikro.readTx,
          drizzle: peer.read,
          drizzleTx: peer.readTx,
        },
        { n, rounds: times },
      );
      const c = await rounds(
        { raw: raw.crud, kosha: kosha3.crud, drizzle: peer.crud },
        { n: Math.ceil(n / 4), rounds: times },
      );

      const driver = sqlite ? 'better-sqlite3, a statement prepared once' : 'pg, a named statement';
      const [tRead, tTx, tCrud] = sqlite ? [10, 10, 8] : [1.6, 1.6, 1.5];
      const cell = (scenario, what, mm, a, b, target, notes) => {
        const ratio = mm.ratio(a, b);
        return row({
          scenario,
          kosha: `${fmtUs(mm.us(a))} CPU`,
          baseline: `${fmtUs(mm.us(b))} CPU, raw ${driver}`,
          ratio,
          target: `≤ ${target}`,
          pass: ratio <= target,
          notes: `${ctx.dialect}, ${times} rounds of ${what}; ${notes}`,
        });
      };
      const versus = (scenario, mm, a, b, what) => {
        const ratio = mm.ratio(b, a);
        return row({
          scenario,
          kosha: `${fmtUs(mm.us(a))} CPU`,
          baseline: `${fmtUs(mm.us(b))} CPU, drizzle-orm`,
          ratio,
          target: '≥ 1.2',
          pass: ratio >= 1.2,
          notes: `${ctx.dialect}, ${times} rounds of ${what}; ops per CPU second, Kosha over drizzle (the same statements)`,
        });
      };
      const tag = (s) => `13${s}. ${sqlite ? 'SQLite' : 'PostgreSQL'}: `;
      return [
        cell(
          `${tag('')}repo.getById, CPU per op`,
          `${n} reads`,
          m,
          'kosha',
          'raw',
          tRead,
          `one SELECT each; MikroORM's em.fork().findOne: ${fmtUs(m.us('mikro'))} (${m.ratio('mikro', 'raw').toFixed(2)} × raw)`,
        ),
        cell(
          `${tag('b')}@transactional → getById, CPU per op`,
          `${n} transactions`,
          m,
          'koshaTx',
          'rawTx',
          tTx,
          `BEGIN, SELECT, COMMIT each; em.fork().transactional(findOne): ${fmtUs(m.us('mikroTx'))} (${m.ratio('mikroTx', 'rawTx').toFixed(2)} × raw)`,
        ),
        cell(
          `${tag('c')}CRUD cycle, CPU per op`,
          `${Math.ceil(n / 4)} cycles`,
          c,
          'kosha',
          'raw',
          tCrud,
          'four transactions each: INSERT · SELECT · SELECT + UPDATE · DELETE',
        ),
        // Kosha's operations per CPU second against drizzle's (its query builder, not `.prepare()`): > 1 is faster.
        versus(
          `${tag('d')}repo.getById against drizzle's query builder`,
          m,
          'kosha',
          'drizzle',
          `${n} reads`,
        ),
        versus(
          `${tag('e')}@transactional → getById against drizzle's db.transaction`,
          m,
          'koshaTx',
          'drizzleTx',
          `${n} transactions`,
        ),
        versus(`${tag('f')}CRUD cycle against drizzle`, c, 'kosha', 'drizzle', `${Math.ceil(n / 4)} cycles`),
      ];
    } finally {
      await peer?.close?.();
      await raw?.close();
      await closeKosha(kosha);
    }
  },
};
