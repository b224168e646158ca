// Scenario 3: `repo.insertAll` of 10,000 rows (itself @transactional: BEGIN, flush, COMMIT; it returns
// managed entities with their ids) against, on the same database and in the same run:
//   - the raw driver's multi-row INSERT … VALUES (…),(…) … RETURNING id, in one transaction
//     (better-sqlite3 — the very handle MikroORM uses, so it writes to the same in-memory database — or `pg`),
//   - MikroORM's own `em.fork().insertMany(User, rows)`,
//   - MikroORM's unit of work doing what insertAll delegates to (em.create per row, one flush; reported),
//   - one `em.persist(entity); await em.flush()` per row on one fork.
// Targets: Kosha ≤ 1.3 × the raw driver; ≥ 10 × faster than per-row.
// Each contender inserts into an emptied table (cleared between runs, outside the timing), the order of the
// contenders alternates between rounds, and the row count is checked after every run.
import {
  closeKosha,
  defineUser,
  fmtMs,
  median,
  openKosha,
  row,
  timeRuns,
  userRows,
} from '../lib/harness.mjs';

const N = 10_000;
/**
 * Rows per raw INSERT statement: far under the bound-parameter limits (SQLite 32,766, PostgreSQL 65,535),
 * and the fastest size tried — on PostgreSQL 1,000-row statements beat one 10,000-row statement (~47 vs
 * ~73 ms for 10,000 rows), on SQLite the size hardly matters. The baseline should be the driver at its best.
 */
const CHUNK = 1_000;

export default {
  id: 'insert-all',
  title: 'repo.insertAll of 10,000 rows',
  async run(ctx) {
    const { DbRepo } = await import('@kosha/core');
    const tableName = `bench_insert_${ctx.suffix}`;
    const User = await defineUser(tableName);
    class UserRepo extends DbRepo {
      constructor() {
        super(User);
      }
    }

    const kosha = await openKosha(ctx, [User]);
    const orm = kosha.orm.orm; // the backend's MikroORM instance: the baselines use it directly
    const raw = await rawDriver(ctx, orm, tableName);
    try {
      const repo = new UserRepo();
      const rows = userRows(N);
      // Per-row flushes are slow — one transaction each, and each flush walks the fork's growing identity map
      // (~0.7 s for 1,000 rows, ~2.3 s for 2,000 on SQLite; 10,000 would take ~30 s a run): they run on fewer
      // rows, scaled linearly to N, which understates them.
      const perRowN = ctx.quick ? 1_000 : 2_000;
      const perRowRows = rows.slice(0, perRowN);

      const contenders = {
        kosha: {
          n: N,
          async fn() {
            const out = await repo.insertAll(rows);
            if (out.length !== N || typeof out[0].id !== 'number' || typeof out[N - 1].id !== 'number')
              throw new Error('insertAll did not return the entities with their ids');
          },
        },
        raw: {
          n: N,
          async fn() {
            const ids = await raw.insert(rows);
            if (ids.length !== N) throw new Error(`raw insert returned ${ids.length} ids`);
          },
        },
        insertMany: {
          n: N,
          async fn() {
            // One statement; on PostgreSQL it returns every id, on SQLite only the last one (the count is checked).
            await orm.em.fork().insertMany(User, rows);
          },
        },
        // MikroORM's own unit of work doing what insertAll does: em.create per row, one flush, one transaction.
        unitOfWork: {
          n: N,
          async fn() {
            await orm.em.fork().transactional(async (em) => {
              for (const r of rows) em.create(User, r);
              await em.flush();
            });
          },
        },
        perRow: {
          n: perRowN,
          async fn() {
            const em = orm.em.fork();
            for (const r of perRowRows) {
              em.persist(Object.assign(new User(), r));
              await em.flush();
            }
          },
        },
      };

      const names = Object.keys(contenders);
      const rounds = ctx.quick ? 3 : 7;
      const ms = Object.fromEntries(names.map((k) => [k, []]));
      // Round 0 is the warm-up (JIT, statement caches, the table's first pages), not recorded.
      for (let r = 0; r <= rounds; r++) {
        for (const name of r % 2 ? [...names].reverse() : names) {
          const { n, fn } = contenders[name];
          await raw.clear();
          global.gc?.();
          const t = await timeRuns(fn, { times: 1, warmup: 0 });
          const count = await raw.count();
          if (count !== n) throw new Error(`${name}: ${count} rows in the table after inserting ${n}`);
          if (r > 0) ms[name].push(t.median);
        }
      }

      // Per-round ratios (both sides from the same round), then their median.
      const perRowScale = N / perRowN;
      const ratioOf = (a, b) => median(ms[a].map((v, k) => v / ms[b][k]));
      const kMs = median(ms.kosha);
      const rawMs = median(ms.raw);
      const imMs = median(ms.insertMany);
      const uowMs = median(ms.unitOfWork);
      const prMs = median(ms.perRow) * perRowScale;
      const vsRaw = ratioOf('kosha', 'raw');
      const vsInsertMany = ratioOf('kosha', 'insertMany');
      const vsUnitOfWork = ratioOf('kosha', 'unitOfWork');
      const speedUp = ratioOf('perRow', 'kosha') * perRowScale;
      const rowsPerSec = (t) => `${Math.round((N / t) * 1000).toLocaleString('en')} rows/s`;
      const rawWhat =
        ctx.dialect === 'sqlite'
          ? "better-sqlite3 (MikroORM's own handle)"
          : ctx.dialect === 'postgresql'
            ? 'pg Client'
            : ctx.dialect;
      return [
        row({
          scenario: '3. repo.insertAll(10,000) vs raw driver',
          kosha: `${fmtMs(kMs)} (${rowsPerSec(kMs)})`,
          baseline: `${fmtMs(rawMs)} raw multi-row INSERT`,
          ratio: vsRaw,
          target: '≤ 1.3',
          pass: vsRaw <= 1.3,
          notes:
            `${ctx.dialect}, ${rawWhat}: INSERT … VALUES (…),(…) … RETURNING id in ${raw.chunk.toLocaleString('en')}-row statements, ` +
            `one transaction, statement text built once; ${rounds} rounds + 1 warm-up, order alternating; time ratio`,
        }),
        row({
          scenario: '3b. repo.insertAll(10,000) vs em.insertMany',
          kosha: fmtMs(kMs),
          baseline: `${fmtMs(imMs)} em.fork().insertMany`,
          ratio: vsInsertMany,
          notes: `${ctx.dialect}; insertMany skips the unit of work: one statement, no entities back`,
        }),
        row({
          scenario: '3c. repo.insertAll(10,000) vs MikroORM unit of work',
          kosha: fmtMs(kMs),
          baseline: `${fmtMs(uowMs)} em.create ×10,000 + flush`,
          ratio: vsUnitOfWork,
          notes: `${ctx.dialect}; em.fork().transactional(em.create per row, em.flush): the work insertAll delegates to`,
        }),
        row({
          scenario: '3d. repo.insertAll(10,000) vs persist + flush per row',
          kosha: fmtMs(kMs),
          baseline: `${fmtMs(prMs)} per-row flush${perRowScale === 1 ? '' : ` (×${perRowScale} from ${perRowN.toLocaleString('en')} rows)`}`,
          ratio: speedUp,
          target: '≥ 10× faster',
          pass: speedUp >= 10,
          notes:
            `${ctx.dialect}; ratio is a speed-up (per-row ms / Kosha ms); one fork, one transaction per flush` +
            (perRowScale === 1
              ? ''
              : `; per-row timed on ${perRowN.toLocaleString('en')} rows and scaled linearly (its cost grows with the identity map, so this understates it)`),
        }),
      ];
    } finally {
      await raw.close().catch(() => {});
      await closeKosha(kosha);
    }
  },
};

/**
 * The raw driver on the same database: `insert(rows)` → ids (one multi-row INSERT per chunk, in one
 * transaction), `count()`, `clear()`, `close()`.
 */
async function rawDriver(ctx, orm, tableName) {
  const columns = ['name', 'email'];
  const table = `"${tableName}"`;
  const sqlFor = (n, placeholder) => {
    const tuples = [];
    for (let i = 0; i < n; i++)
      tuples.push(`(${columns.map((_, c) => placeholder(i * columns.length + c)).join(', ')})`);
    return `insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')} returning id`;
  };
  const valuesOf = (rows) => {
    const values = new Array(rows.length * columns.length);
    let k = 0;
    for (const r of rows) for (const c of columns) values[k++] = r[c];
    return values;
  };

  if (ctx.dialect === 'sqlite') {
    // The better-sqlite3 Database MikroORM opened: for `:memory:` it is the only way to the same database.
    const db = await orm.em.getConnection().getNativeClient();
    const chunk = Math.min(CHUNK, Math.floor(32_766 / columns.length)); // SQLITE_MAX_VARIABLE_NUMBER since 3.32
    const statements = new Map();
    const prepared = (n) => {
      if (!statements.has(n)) statements.set(n, db.prepare(sqlFor(n, () => '?')));
      return statements.get(n);
    };
    const begin = db.prepare('begin');
    const commit = db.prepare('commit');
    const rollback = db.prepare('rollback');
    return {
      chunk,
      async insert(rows) {
        const ids = [];
        begin.run();
        try {
          for (let i = 0; i < rows.length; i += chunk) {
            const part = rows.slice(i, i + chunk);
            for (const r of prepared(part.length).all(valuesOf(part))) ids.push(r.id);
          }
          commit.run();
        } catch (error) {
          rollback.run();
          throw error;
        }
        return ids;
      },
      count: async () => db.prepare(`select count(*) as n from ${table}`).get().n,
      clear: async () => void db.prepare(`delete from ${table}`).run(),
      close: async () => {},
    };
  }

  if (ctx.dialect === 'postgresql') {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: ctx.databaseUrl });
    await client.connect();
    const chunk = Math.min(CHUNK, Math.floor(65_535 / columns.length)); // the protocol's limit on bound parameters
    const texts = new Map();
    const textFor = (n) => {
      if (!texts.has(n))
        texts.set(
          n,
          sqlFor(n, (k) => `$${k + 1}`),
        );
      return texts.get(n);
    };
    return {
      chunk,
      async insert(rows) {
        const ids = [];
        await client.query('begin');
        try {
          for (let i = 0; i < rows.length; i += chunk) {
            const part = rows.slice(i, i + chunk);
            const res = await client.query(textFor(part.length), valuesOf(part));
            for (const r of res.rows) ids.push(r.id);
          }
          await client.query('commit');
        } catch (error) {
          await client.query('rollback').catch(() => {});
          throw error;
        }
        return ids;
      },
      count: async () => Number((await client.query(`select count(*) as n from ${table}`)).rows[0].n),
      // TRUNCATE rather than DELETE: no dead tuples left for the next contender's run to step over.
      clear: async () => void (await client.query(`truncate ${table}`)),
      close: () => client.end(),
    };
  }

  throw new Error(`insert-all: no raw-driver baseline for ${ctx.dialect} yet (sqlite and postgresql only).`);
}
