// Scenario 9: the typed queries against MikroORM running the same queries, in the same run, on 2,000 rows.
// - 9 / 9b: `repo.find({ where: { status, age: gte(…) }, orderBy: { age: 'desc' }, limit: 20 })` against
//   `em.fork().find(User, { status, age: { $gte } }, { orderBy, limit: 20 })`: on its own (both send one
//   SELECT: a read-only built-in with the default isolation sends no BEGIN/COMMIT), and inside the caller's
//   @transactional method against `em.fork().transactional(find)` (both send BEGIN, SELECT, COMMIT).
//   Target ≤ 1.05.
// - 9c / 9d: `repo.findPage({ page: 3, size: 20, sort: { age: 'desc' } }, { status })` against
//   `em.fork().findAndCount` of the same page (the primary key as the tie-breaker, as findPage adds it):
//   on its own (findPage reads the rows and the total in one SELECT, with count(*) over () or on SQLite a count subquery; findAndCount
//   sends two SELECTs, in parallel on two connections) and inside @transactional against
//   `em.fork().transactional(findAndCount)`. Target ≤ 1.05.
// - 9e: the derived method `findTop20ByStatusAndAgeGreaterThanEqualOrderByAgeDesc('active', 30)` against
//   the same `repo.find` as 9 (its where built once, outside the loop): the name is read once, when the
//   repository is constructed, so a call costs building its where and nothing else. Target ≤ 1.02, measured
//   in 101 alternating blocks of 100 calls each (harness `blocks`): two stretches of a second apart drift
//   more than 2 % here.
import { blocks, closeKosha, compare, decorate, defineUser, openKosha, ratioRow } from '../lib/harness.mjs';

const N = 2_000;
const STATUSES = ['active', 'blocked', 'pending'];

export default {
  id: 'find',
  title: 'repo.find and repo.findPage against em.find and em.findAndCount',
  async run(ctx) {
    const { DbRepo, column, gte, transactional } = await import('@kosha/core');
    const User = await defineUser(`bench_find_${ctx.suffix}`, (U) => {
      column({ type: 'string', length: 20, index: true })(U.prototype, 'status');
      column({ type: 'integer' })(U.prototype, 'age');
    });
    const where = { status: 'active', age: gte(30) };
    const native = { status: 'active', age: { $gte: 30 } };
    class UserRepo extends DbRepo {
      constructor() {
        super(User);
      }
      findTop20ByStatusAndAgeGreaterThanEqualOrderByAgeDesc = this.derive(
        'findTop20ByStatusAndAgeGreaterThanEqualOrderByAgeDesc',
      );
      async adults() {
        return this.find({ where, orderBy: { age: 'desc' }, limit: 20 });
      }
      async page() {
        return this.findPage({ page: 3, size: 20, sort: { age: 'desc' } }, { status: 'active' });
      }
    }
    decorate(UserRepo, 'adults', transactional);
    decorate(UserRepo, 'page', transactional);

    const kosha = await openKosha(ctx, [User]);
    try {
      const repo = new UserRepo();
      await repo.insertAll(
        Array.from({ length: N }, (_, i) => ({
          name: `user ${i}`,
          email: `u${i}@example.com`,
          status: STATUSES[i % STATUSES.length],
          age: 18 + ((i * 7) % 60),
        })),
      );
      const em = kosha.orm.orm.em;
      const findOptions = { orderBy: { age: 'desc' }, limit: 20 };
      const pageOptions = { orderBy: [{ age: 'desc' }, { id: 'asc' }], limit: 20, offset: 60 };
      const expected = (await em.fork().find(User, native, findOptions)).map((u) => u.id);
      const got = (await repo.find({ where, orderBy: { age: 'desc' }, limit: 20 })).map((u) => u.id);
      if (got.length !== 20 || got.some((id, i) => id !== expected[i])) {
        throw new Error('find and em.find disagree');
      }
      const derived = (await repo.findTop20ByStatusAndAgeGreaterThanEqualOrderByAgeDesc('active', 30)).map(
        (u) => u.id,
      );
      if (derived.some((id, i) => id !== expected[i]))
        throw new Error('the derived method and em.find disagree');
      const page = await repo.findPage({ page: 3, size: 20, sort: { age: 'desc' } }, { status: 'active' });
      const [rows, count] = await em.fork().findAndCount(User, { status: 'active' }, pageOptions);
      if (page.total !== count || page.items.some((u, i) => u.id !== rows[i].id)) {
        throw new Error('findPage and em.findAndCount disagree');
      }
      // em.find and repo.find give rows, findAndCount [rows, count], findPage a Page.
      const twenty = (r) => {
        const rows = Array.isArray(r) ? (Array.isArray(r[0]) ? r[0] : r) : r.items;
        if (rows.length !== 20) throw new Error(`expected 20 rows, got ${rows.length}`);
      };
      const m = await compare(
        {
          emFind: async () => twenty(await em.fork().find(User, native, findOptions)),
          find: async () => twenty(await repo.find({ where, orderBy: { age: 'desc' }, limit: 20 })),
          emFindTx: async () =>
            twenty(await em.fork().transactional((tem) => tem.find(User, native, findOptions))),
          findTx: async () => twenty(await repo.adults()),
          emFindAndCount: async () =>
            twenty(await em.fork().findAndCount(User, { status: 'active' }, pageOptions)),
          findPage: async () =>
            twenty(await repo.findPage({ page: 3, size: 20, sort: { age: 'desc' } }, { status: 'active' })),
          emFindAndCountTx: async () =>
            twenty(
              await em
                .fork()
                .transactional((tem) => tem.findAndCount(User, { status: 'active' }, pageOptions)),
            ),
          findPageTx: async () => twenty(await repo.page()),
        },
        ctx,
      );
      // 9e's target is 2 %, less than this machine drifts between two stretches of a second: short blocks.
      const e = await blocks(
        {
          find: async () => twenty(await repo.find({ where, orderBy: { age: 'desc' }, limit: 20 })),
          derived: async () =>
            twenty(await repo.findTop20ByStatusAndAgeGreaterThanEqualOrderByAgeDesc('active', 30)),
        },
        ctx,
      );
      const line = (scenario, name, base, baseline, notes, target = 1.05, from = m) =>
        ratioRow(from, ctx, { scenario, name, base, baseline, notes, target, extra: `, ${N} rows` });
      return [
        line(
          '9. repo.find: two-field where, orderBy, limit 20',
          'find',
          'emFind',
          'em.fork().find',
          'both send one SELECT (no BEGIN/COMMIT around a read-only built-in alone)',
        ),
        line(
          '9b. @transactional method → repo.find',
          'findTx',
          'emFindTx',
          'em.fork().transactional(find)',
          'both send BEGIN, SELECT, COMMIT',
        ),
        line(
          '9c. repo.findPage (page 3 of 20, sorted, counted)',
          'findPage',
          'emFindAndCount',
          'em.fork().findAndCount',
          'findPage: one SELECT, rows and total from one snapshot; findAndCount: two SELECTs on two connections',
        ),
        line(
          '9d. @transactional method → repo.findPage',
          'findPageTx',
          'emFindAndCountTx',
          'em.fork().transactional(findAndCount)',
          'both inside BEGIN … COMMIT: findPage one SELECT with the total, findAndCount two SELECTs',
        ),
        line(
          '9e. derived findTop20ByStatusAndAgeGreaterThanEqualOrderByAgeDesc',
          'derived',
          'find',
          'repo.find (9)',
          `the same query; the name was read when the repository was constructed; ${e.rounds} alternating blocks of 100 calls`,
          1.02,
          e,
        ),
      ];
    } finally {
      await closeKosha(kosha);
    }
  },
};
