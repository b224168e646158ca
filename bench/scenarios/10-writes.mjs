// Scenario 10: the writes of issue 14 against the same statements written by hand and sent on the same
// connection (MikroORM's, through `em.execute` in `em.fork().transactional`), in the same run:
// - 10: `repo.upsert(1,000 rows, { onConflict: ['key'] })` of keys that exist (every row an update: n
//   changes, @version bumped), returning the managed entities — against the hand-written
//   `INSERT … ON CONFLICT (key) DO UPDATE SET n = excluded.n, version = t.version + 1 RETURNING *`
//   (MySQL/MariaDB: `ON DUPLICATE KEY UPDATE …`, then a SELECT of the rows), which returns raw rows.
// - 10c: the same upsert against that statement plus `em.map` of each row it returns: MikroORM's own cost of
//   making the rows managed entities, which Kosha returns (em.map is most of that side's time).
// - 10b: `repo.updateWhere({ id }, { n: increment(1) })` against `UPDATE t SET n = n + ?, version =
//   version + 1 WHERE id = ?`. Both run in one transaction of their own (BEGIN, UPDATE, COMMIT).
// Target ≤ 1.3 each.
import { closeKosha, compare, openKosha, ratioRow } from '../lib/harness.mjs';

const N = 1_000;

export default {
  id: 'writes',
  title: 'repo.upsert and repo.updateWhere against hand-written SQL',
  async run(ctx) {
    const { DbRepo, column, entity, id, increment, table, version } = await import('@kosha/core');
    const tableName = `bench_writes_${ctx.suffix}`;
    class Counter {}
    entity(Counter);
    table(tableName)(Counter);
    id()(Counter.prototype, 'id');
    column({ type: 'string', length: 60, unique: true })(Counter.prototype, 'key');
    column({ type: 'integer' })(Counter.prototype, 'n');
    version()(Counter.prototype, 'version');
    class CounterRepo extends DbRepo {
      constructor() {
        super(Counter);
      }
    }

    const kosha = await openKosha(ctx, [Counter]);
    try {
      const repo = new CounterRepo();
      const em = kosha.orm.orm.em;
      const mysql = ctx.dialect === 'mysql' || ctx.dialect === 'mariadb';
      const q = (name) => em.getPlatform().quoteIdentifier(name);
      const keys = Array.from({ length: N }, (_, i) => `key-${i}`);
      await repo.insertAll(keys.map((key) => ({ key, n: 0 })));
      const [one] = await repo.insertAll([{ key: 'single', n: 0 }]);

      let round = 0;
      const rowsOf = (n) => keys.map((key) => ({ key, n }));
      // Written once, as an application would keep its statement.
      const tuples = keys.map(() => '(?, ?, 1)').join(', ');
      const head = `insert into ${q(tableName)} (${q('key')}, ${q('n')}, ${q('version')}) values ${tuples}`;
      const upsertSql = mysql
        ? `${head} on duplicate key update ${q('n')} = values(${q('n')}), ${q('version')} = ${q('version')} + 1`
        : `${head} on conflict (${q('key')}) do update set ${q('n')} = excluded.${q('n')}, ` +
          `${q('version')} = ${q(tableName)}.${q('version')} + 1 returning *`;
      const readBack = `select * from ${q(tableName)} where ${q('key')} in (${keys.map(() => '?').join(', ')})`;
      const updateSql = `update ${q(tableName)} set ${q('n')} = ${q('n')} + ?, ${q('version')} = ${q('version')} + 1 where ${q('id')} = ?`;

      const check = (rows) => {
        if (rows.length !== N) throw new Error(`expected ${N} rows back, got ${rows.length}`);
      };
      const m = await compare(
        {
          upsert: async () => check(await repo.upsert(rowsOf(++round), { onConflict: ['key'] })),
          upsertSql: async () => {
            const params = rowsOf(++round).flatMap((r) => [r.key, r.n]);
            const rows = await em.fork().transactional(async (tem) => {
              const res = await tem.execute(upsertSql, params, mysql ? 'run' : 'all');
              return mysql ? tem.execute(readBack, keys, 'all') : res;
            });
            check(rows);
          },
          // The same statement, and the rows made managed entities by MikroORM's own em.map: the floor of
          // returning entities rather than raw rows.
          upsertSqlMap: async () => {
            const params = rowsOf(++round).flatMap((r) => [r.key, r.n]);
            const rows = await em.fork().transactional(async (tem) => {
              const res = await tem.execute(upsertSql, params, mysql ? 'run' : 'all');
              const raw = mysql ? await tem.execute(readBack, keys, 'all') : res;
              return raw.map((r) => tem.map(Counter, r));
            });
            check(rows);
          },
          updateWhere: async () => {
            if ((await repo.updateWhere({ id: one.id }, { n: increment(1) })) !== 1)
              throw new Error('no row');
          },
          updateSql: async () => {
            const res = await em.fork().transactional((tem) => tem.execute(updateSql, [1, one.id], 'run'));
            if (res.affectedRows !== 1) throw new Error('no row');
          },
        },
        ctx,
      );
      const line = (scenario, name, base, baseline, notes, target = 1.3) =>
        ratioRow(m, ctx, { scenario, name, base, baseline, notes, target, extra: '' });
      return [
        line(
          `10. repo.upsert of ${N.toLocaleString('en')} existing keys`,
          'upsert',
          'upsertSql',
          'hand-written upsert',
          'one statement each (+ a SELECT on MySQL/MariaDB); Kosha also makes the rows managed entities',
        ),
        line(
          `10c. repo.upsert of ${N.toLocaleString('en')} existing keys, against SQL + em.map`,
          'upsert',
          'upsertSqlMap',
          'hand-written upsert + em.map of the rows',
          'what returning managed entities costs in MikroORM itself (em.map hydrates and registers each row)',
        ),
        line(
          '10b. repo.updateWhere({ id }, { n: increment(1) })',
          'updateWhere',
          'updateSql',
          'hand-written UPDATE',
          'both BEGIN, UPDATE … SET n = n + ?, version = version + 1, COMMIT',
        ),
      ];
    } finally {
      await closeKosha(kosha);
    }
  },
};
