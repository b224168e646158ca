// Scenario 1: `repo.getById` (itself @transactional, read-only) against MikroORM's own
// `em.fork().findOne` on the same database, in the same run. Target: ratio ≤ 1.05.
// Also reported: the read inside a user's @transactional method (a real BEGIN/COMMIT) against
// `em.fork().transactional(findOne)`, which sends the same statements.
// 1c, reported: `kosha.transaction(async () => 1)` against a plain `async () => 1` call (its own rounds).
// The transaction begins lazily, so it takes no connection and sends nothing: what it costs is CPU.
import {
  closeKosha,
  compare,
  decorate,
  defineUser,
  fmtUs,
  openKosha,
  row,
  seedUsers,
} from '../lib/harness.mjs';

export default {
  id: 'get-by-id',
  title: 'repo.getById through @transactional',
  async run(ctx) {
    const { DbRepo, transactional } = await import('@kosha/core');
    const User = await defineUser(`bench_get_${ctx.suffix}`);
    class UserRepo extends DbRepo {
      constructor() {
        super(User);
      }
      async get(userId) {
        return this.getById(userId);
      }
    }
    decorate(UserRepo, 'get', transactional); // @transactional async get(id)

    const kosha = await openKosha(ctx, [User]);
    try {
      const repo = new UserRepo();
      const ids = await seedUsers(repo, 1000);
      const em = kosha.orm.orm.em; // the backend's MikroORM instance: the baseline uses it directly
      let i = 0;
      const nextId = () => ids[i++ % ids.length];
      const must = (u) => {
        if (!u) throw new Error('missing row');
      };
      const m = await compare(
        {
          fork: async () => must(await em.fork().findOne(User, { id: nextId() })),
          getById: async () => must(await repo.getById(nextId())),
          forkTx: async () =>
            must(await em.fork().transactional((tem) => tem.findOne(User, { id: nextId() }))),
          get: async () => must(await repo.get(nextId())),
        },
        ctx,
      );
      const r1 = m.ratio('getById', 'fork');
      const r2 = m.ratio('get', 'forkTx');
      const e = await compare(
        { plain: async () => 1, transaction: () => kosha.transaction(async () => 1) },
        ctx,
      );
      return [
        row({
          scenario: '1. repo.getById (@transactional, read-only)',
          kosha: fmtUs(m.us('getById')),
          baseline: `${fmtUs(m.us('fork'))} em.fork().findOne`,
          ratio: r1,
          target: '≤ 1.05',
          pass: r1 <= 1.05,
          notes: `${ctx.dialect}, ${m.rounds} rounds; latency ratio`,
        }),
        row({
          scenario: '1b. @transactional method → getById (BEGIN/COMMIT)',
          kosha: fmtUs(m.us('get')),
          baseline: `${fmtUs(m.us('forkTx'))} em.fork().transactional(findOne)`,
          ratio: r2,
          target: '≤ 1.05',
          pass: r2 <= 1.05,
          notes: `${ctx.dialect}; both send BEGIN, SELECT, COMMIT`,
        }),
        row({
          scenario: '1c. kosha.transaction(async () => 1): a transaction that runs nothing',
          kosha: fmtUs(e.us('transaction')),
          baseline: `${fmtUs(e.us('plain'))} async () => 1`,
          ratio: e.ratio('transaction', 'plain'),
          notes: `${ctx.dialect}; no connection, no BEGIN/COMMIT: ${fmtUs(e.us('transaction') - e.us('plain'))} of CPU per call (the plain call's figure is mostly tinybench's own)`,
        }),
      ];
    } finally {
      await closeKosha(kosha);
    }
  },
};
