// Scenario 5: 1,000 concurrent misses on one key. With `@cacheable` they share one call of the method
// (single-flight): exactly one loader call. The naive cache-aside a hand-written service would do —
// GET, on a miss load and SET — calls the loader once per caller. Both read the row from the database.
// The loader count is a correctness target: anything but 1 fails the run.
import {
  closeKosha,
  decorate,
  defineUser,
  fmtInt,
  fmtMs,
  median,
  openKosha,
  redisClient,
  row,
} from '../lib/harness.mjs';

const CALLERS = 1000;

export default {
  id: 'single-flight',
  title: '1,000 concurrent misses on one key',
  async run(ctx) {
    const { cacheable, DbRepo } = await import('@kosha/core');
    const { redisCache } = await import('@kosha/cache-redis');
    const User = await defineUser(`bench_flight_${ctx.suffix}`);
    let koshaLoads = 0;
    class UserRepo extends DbRepo {
      constructor() {
        super(User);
      }
      async get(userId) {
        koshaLoads++;
        return this.getById(userId);
      }
    }
    decorate(UserRepo, 'get', cacheable({ keyPrefix: 'user', ttl: 3600 }));

    const client = await redisClient(ctx);
    const prefix = `kosha-bench-${ctx.suffix}`;
    const cache = redisCache({ client, keyPrefix: prefix });
    const kosha = await openKosha(ctx, [User], { cache, pool: { max: 10 } });
    try {
      const repo = new UserRepo();
      const [user] = await repo.insertAll([{ name: 'Ada', email: 'ada@example.com' }]);
      const em = kosha.orm.orm.em;
      let naiveLoads = 0;
      // What a service writes by hand without single-flight.
      const naive = async (key) => {
        const cached = await client.get(key);
        if (cached !== null) return JSON.parse(cached);
        naiveLoads++;
        const u = await em.fork().findOne(User, { id: user.id });
        await client.set(key, JSON.stringify(u), 'EX', 3600);
        return u;
      };

      const rounds = ctx.quick ? 3 : 7;
      const kosh = { loads: [], ms: [] };
      const base = { loads: [], ms: [] };
      for (let r = 0; r < rounds; r++) {
        const sides = [
          async () => {
            await cache.clearPrefix('user:');
            koshaLoads = 0;
            const t = performance.now();
            const got = await Promise.all(Array.from({ length: CALLERS }, () => repo.get(user.id)));
            kosh.ms.push(performance.now() - t);
            kosh.loads.push(koshaLoads);
            if (got.some((u) => u?.id !== user.id)) throw new Error('a caller got the wrong user');
            if (new Set(got).size !== CALLERS) throw new Error('callers share one object');
          },
          async () => {
            const key = `${prefix}:naive:${r}`;
            naiveLoads = 0;
            const t = performance.now();
            const got = await Promise.all(Array.from({ length: CALLERS }, () => naive(key)));
            base.ms.push(performance.now() - t);
            base.loads.push(naiveLoads);
            if (got.some((u) => u?.id !== user.id)) throw new Error('a naive caller got the wrong user');
          },
        ];
        for (const side of r % 2 ? sides.reverse() : sides) await side();
      }
      const worst = Math.max(...kosh.loads);
      const best = Math.min(...kosh.loads);
      return [
        {
          ...row({
            scenario: '5. 1,000 concurrent misses on one key: loader calls',
            kosha: `${worst === best ? worst : `${best}–${worst}`} call${worst === 1 ? '' : 's'}`,
            baseline: `${fmtInt(median(base.loads))} calls naive cache-aside`,
            ratio: null,
            target: 'exactly 1',
            pass: kosh.loads.every((n) => n === 1),
            notes: `${ctx.dialect} + ${ctx.redisKind}; ${rounds} rounds, each on an empty cache; every caller gets its own copy`,
          }),
          correctness: true,
        },
        row({
          scenario: '5b. 1,000 concurrent misses: time until all answered',
          kosha: fmtMs(median(kosh.ms)),
          baseline: `${fmtMs(median(base.ms))} naive cache-aside`,
          ratio: median(kosh.ms) / median(base.ms),
          notes: 'median over rounds',
        }),
      ];
    } finally {
      await cache.clearPrefix('').catch(() => {});
      await closeKosha(kosha);
      client.disconnect();
    }
  },
};
