// Scenario 2: a `@cacheable` hit against a raw ioredis `GET` + `JSON.parse` of the same value, through
// the same client, in the same run. Target: ratio ≤ 1.10. The decorated method is `@cacheable` alone: a
// hit never reaches the database. Also reported: the speed-up a hit buys over an uncached `getById`.
// 2c: the seed's pattern, `@transactional @cacheable({ keyPrefix: 'user', ttl: 3600 }) async get(id)`,
// against the same baseline (target ≤ 1.10): with no transaction in progress, @transactional reads the
// cache before it begins one, so a hit opens no session and no connection.
// 2d, a correctness target: the statements 1,000 seed-pattern hits send, counted from the `[sql] ` lines
// of a `mikroOrm({ debug: true })` instance of their own (run first, so the timed one logs nothing):
// exactly 0, on every database and cache.
// ioredis-mock by default; REDIS_URL=redis://… for Redis (keys under a random prefix, removed at the end).
import {
  closeKosha,
  compare,
  decorate,
  defineUser,
  fmtInt,
  fmtUs,
  interleaved,
  openKosha,
  redisClient,
  row,
  sqlCounter,
  userRows,
} from '../lib/harness.mjs';

const WIRE_HITS = 1000;

export default {
  id: 'cache-hit',
  title: '@cacheable hit',
  async run(ctx) {
    const { cacheable, createdAt, DbRepo, transactional } = await import('@kosha/core');
    const { redisCache } = await import('@kosha/cache-redis');
    const User = await defineUser(`bench_cache_hit_${ctx.suffix}`, (U) =>
      createdAt()(U.prototype, 'createdAt'),
    );
    class UserRepo extends DbRepo {
      constructor() {
        super(User);
      }
      async get(userId) {
        return this.getById(userId);
      }
    }
    decorate(UserRepo, 'get', cacheable({ keyPrefix: 'user', ttl: 3600 }));
    // The seed's cached read, on the same keys as UserRepo.get. Decorators apply innermost first.
    class SeedRepo extends DbRepo {
      constructor() {
        super(User);
      }
      async get(userId) {
        return this.getById(userId);
      }
    }
    decorate(SeedRepo, 'get', cacheable({ keyPrefix: 'user', ttl: 3600 }));
    decorate(SeedRepo, 'get', transactional);

    const client = await redisClient(ctx);
    const prefix = `kosha-bench-${ctx.suffix}`;
    const wire = await wireStatements(ctx, { User, SeedRepo, redisCache, client, prefix: `${prefix}-wire` });

    const cache = redisCache({ client, keyPrefix: prefix });
    const kosha = await openKosha(ctx, [User], { cache });
    try {
      const repo = new UserRepo();
      const seed = new SeedRepo();
      const users = await repo.insertAll(userRows(1000));
      const ids = users.map((u) => u.id);
      for (const id of ids) await repo.get(id); // the misses that fill the cache (for both repos)
      // The baseline reads the same data, as plain JSON: what an application would write by hand.
      for (const u of users)
        await client.set(`${prefix}:raw:user:${u.id}`, JSON.stringify({ ...u }), 'EX', 3600);
      let i = 0;
      const nextId = () => ids[i++ % ids.length];
      const must = (u, id) => {
        if (!(u instanceof User) || u.id !== id) throw new Error('not the User asked for');
      };
      // Call by call in turns (not one task per stretch of time): the hits differ from the baseline by a
      // few µs on a ~40 µs round trip, less than the drift between stretches on a shared machine.
      const m = await interleaved(
        {
          raw: async () => {
            const id = nextId();
            const u = JSON.parse(await client.get(`${prefix}:raw:user:${id}`));
            if (u.id !== id) throw new Error('wrong user');
          },
          hit: async () => {
            const id = nextId();
            must(await repo.get(id), id);
          },
          seed: async () => {
            const id = nextId();
            must(await seed.get(id), id);
          },
        },
        ctx,
      );
      // The database read apart: a transaction's session is released after its caller resumed, and that
      // trailing work would land on whichever call took the next turn.
      const d = await compare(
        {
          hit: async () => {
            const id = nextId();
            must(await repo.get(id), id);
          },
          db: async () => {
            if (!(await repo.getById(nextId()))) throw new Error('missing row');
          },
        },
        ctx,
      );
      const ratio = m.ratio('hit', 'raw');
      const seedRatio = m.ratio('seed', 'raw');
      const speedup = d.ratio('db', 'hit');
      // The target is for a networked Redis. ioredis-mock answers in-process with no round trip, so
      // there the ratio is Kosha's own CPU per hit (key, decode, a User instance) over a bare GET.
      const onMock = (name) =>
        `ioredis-mock has no round trip: Kosha's own work per hit is ${fmtUs(m.us(name) - m.us('raw'))}; set REDIS_URL for the target`;
      return [
        row({
          scenario: '2. @cacheable hit',
          kosha: fmtUs(m.us('hit')),
          baseline: `${fmtUs(m.us('raw'))} GET + JSON.parse`,
          ratio,
          target: ctx.redisUrl ? '≤ 1.10' : '≤ 1.10 on Redis',
          pass: ctx.redisUrl ? ratio <= 1.1 : null,
          notes: ctx.redisUrl
            ? 'Redis; the hit returns a User instance, the baseline a plain object'
            : onMock('hit'),
        }),
        row({
          scenario: '2b. @cacheable hit vs uncached getById',
          kosha: fmtUs(d.us('hit')),
          baseline: `${fmtUs(d.us('db'))} repo.getById on ${ctx.dialect}`,
          ratio: 1 / speedup,
          notes: `a hit is ×${speedup.toFixed(2)} faster than the database read`,
        }),
        row({
          scenario: '2c. @transactional @cacheable hit (the seed pattern)',
          kosha: fmtUs(m.us('seed')),
          baseline: `${fmtUs(m.us('raw'))} GET + JSON.parse`,
          ratio: seedRatio,
          target: ctx.redisUrl ? '≤ 1.10' : '≤ 1.10 on Redis',
          pass: ctx.redisUrl ? seedRatio <= 1.1 : null,
          notes: ctx.redisUrl
            ? `Redis; the cache is read before a transaction would begin: ${fmtUs(m.us('seed') - m.us('hit'))} more than @cacheable alone (2)`
            : onMock('seed'),
        }),
        {
          ...row({
            scenario: '2d. seed-pattern hit: statements sent to the database',
            kosha: `${fmtInt(wire.hits)} in ${fmtInt(WIRE_HITS)} hits`,
            baseline: `${fmtInt(wire.misses)} for the ${fmtInt(WIRE_HITS)} misses that filled the cache`,
            target: 'exactly 0',
            pass: wire.hits === 0,
            notes: `${ctx.dialect} + ${ctx.redisKind}; [sql] lines of mikroOrm({ debug: true }), BEGIN and COMMIT included`,
          }),
          correctness: true,
        },
      ];
    } finally {
      await cache.clearPrefix('').catch(() => {});
      await closeKosha(kosha);
      client.disconnect();
    }
  },
};

/**
 * The statements that reach the database, on an instance of its own with `debug: true`: for the
 * WIRE_HITS misses that fill the cache (which must be counted, or the counter is not wired) and then
 * for as many hits.
 */
async function wireStatements(ctx, { User, SeedRepo, redisCache, client, prefix }) {
  const logger = sqlCounter();
  const cache = redisCache({ client, keyPrefix: prefix });
  const kosha = await openKosha(ctx, [User], { cache, debug: true, logger });
  try {
    const seed = new SeedRepo();
    const ids = (await seed.insertAll(userRows(WIRE_HITS))).map((u) => u.id);
    logger.statements = 0;
    for (const id of ids) await seed.get(id);
    const misses = logger.statements;
    if (misses < WIRE_HITS) throw new Error(`only ${misses} statements logged for ${WIRE_HITS} misses`);
    logger.statements = 0;
    for (const id of ids) {
      const u = await seed.get(id);
      if (!(u instanceof User) || u.id !== id) throw new Error('not the User asked for');
    }
    return { misses, hits: logger.statements };
  } finally {
    await cache.clearPrefix('').catch(() => {});
    await closeKosha(kosha);
  }
}
