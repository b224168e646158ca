import { randomBytes } from 'node:crypto';
import { redisCache } from '@kosha/cache-redis';
import { realService, scratchDatabase } from '@kosha/conformance';
import {
  type CacheProvider,
  cacheable,
  cacheEvict,
  column,
  createKosha,
  DbRepo,
  entity,
  id,
  type Kosha,
  type Logger,
  repository,
  table,
  transactional,
} from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import RedisMock from 'ioredis-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

@entity
@table('cache_e2e_user')
class CachedUser {
  @id() id!: number;
  @column({ type: 'string', length: 100 }) name!: string;
  @column({ type: 'datetime' }) joined!: Date;
  @column({ type: 'bigint' }) points!: bigint;
}

@repository
class CachedUserRepo extends DbRepo<CachedUser> {
  constructor(kosha: Kosha) {
    super(CachedUser, kosha);
  }

  @transactional
  @cacheable({ keyPrefix: 'user', ttl: 60 })
  async get(userId: number) {
    return this.getById(userId);
  }

  @cacheable({ keyPrefix: 'user-outer', ttl: 60 })
  @transactional
  async getOuter(userId: number) {
    return this.getById(userId);
  }

  @transactional
  @cacheEvict({ keyPrefix: 'user', key: (u: CachedUser) => u.id })
  async save(u: CachedUser) {
    return this.update(u);
  }

  @transactional
  @cacheEvict({ keyPrefix: 'user' })
  async remove(userId: number) {
    return this.delete(userId);
  }
}

/** Counts the SELECTs on the users table that reached the database. */
function countingLogger(): Logger & { selects(): number } {
  let n = 0;
  const quiet = () => {};
  return {
    debug: (m: string) => {
      if (/select/i.test(m) && m.includes('cache_e2e_user')) n++;
    },
    info: quiet,
    warn: quiet,
    error: quiet,
    selects: () => n,
  };
}

const user = (i: number) => ({
  id: i,
  name: `user ${i}`,
  joined: new Date(Date.UTC(2026, 0, i)),
  points: 2n ** 40n + BigInt(i),
});

function endToEnd(
  name: string,
  open: () => Promise<{ url: string; cache: CacheProvider; done(): Promise<void> }>,
  concurrent: boolean,
) {
  describe(`caching end to end: ${name}`, () => {
    let kosha: Kosha;
    let repo: CachedUserRepo;
    let logger: ReturnType<typeof countingLogger>;
    let done: () => Promise<void>;

    beforeAll(async () => {
      const target = await open();
      done = target.done;
      logger = countingLogger();
      kosha = await createKosha({
        orm: mikroOrm({ url: target.url, debug: true }),
        cache: target.cache,
        entities: [CachedUser],
        logger,
        setDefault: false,
      });
      await kosha.schema.drop().catch(() => {});
      await kosha.schema.create();
      repo = new CachedUserRepo(kosha);
      await repo.insertAll(Array.from({ length: 50 }, (_, i) => user(i + 1)));
    }, 60_000);
    afterAll(async () => {
      await kosha?.schema.drop().catch(() => {});
      await kosha?.cache?.clearPrefix('').catch(() => {});
      await kosha?.close();
      await done?.();
    });

    it('returns on a hit a User equal to what the miss returned, with one SELECT', async () => {
      const before = logger.selects();
      const miss = await repo.get(1);
      const hit = await repo.get(1);
      expect(logger.selects() - before).toBe(1);
      expect(hit).toBeInstanceOf(CachedUser);
      expect(hit).toEqual(miss);
      expect(hit!.joined).toBeInstanceOf(Date);
      expect(typeof hit!.points).toBe(typeof miss!.points);
    });

    it('runs one query for 1,000 concurrent get(42) on a cold cache', async () => {
      const before = logger.selects();
      const all = await Promise.all(Array.from({ length: 1000 }, () => repo.get(42)));
      expect(logger.selects() - before).toBe(1);
      expect(all.every((u) => u instanceof CachedUser && u.id === 42)).toBe(true);
    });

    it('runs one query for 1,000 concurrent calls with @cacheable outside @transactional', async () => {
      const before = logger.selects();
      await Promise.all(Array.from({ length: 1000 }, () => repo.getOuter(43)));
      expect(logger.selects() - before).toBe(1);
    });

    it('lets a cached entity be updated, then evicts it so the next read is fresh', async () => {
      const cached = await repo.get(2);
      await repo.get(2);
      cached!.name = 'renamed';
      await repo.save(cached!);
      const before = logger.selects();
      expect((await repo.get(2))?.name).toBe('renamed');
      expect(logger.selects() - before).toBe(1);
    });

    it('evicts the whole prefix on remove', async () => {
      await repo.get(3);
      await repo.get(4);
      await repo.remove(3);
      const before = logger.selects();
      expect(await repo.get(3)).toBeNull();
      await repo.get(4);
      expect(logger.selects() - before).toBe(2);
    });

    // SQLite has one connection: a reader waits for the writer's commit, so the race cannot be staged
    // there. PostgreSQL runs it.
    it.skipIf(!concurrent)(
      'leaves no old row in the cache after a writer commits, though a reader re-read it meanwhile',
      async () => {
        await repo.get(5);
        let release!: () => void;
        const mayCommit = new Promise<void>((r) => {
          release = r;
        });
        let evicted!: () => void;
        const hasEvicted = new Promise<void>((r) => {
          evicted = r;
        });
        const writer = kosha.transaction(async () => {
          const u = await repo.getById(5);
          u!.name = 'new name';
          await repo.save(u!);
          evicted();
          await mayCommit;
        });
        await hasEvicted;
        expect((await repo.get(5))?.name).toBe('user 5');
        release();
        await writer;
        const before = logger.selects();
        expect((await repo.get(5))?.name).toBe('new name');
        expect(logger.selects() - before).toBe(1);
      },
    );
  });
}

endToEnd(
  'SQLite in memory + ioredis-mock',
  async () => ({
    url: 'sqlite::memory:',
    cache: redisCache({ client: new RedisMock(), keyPrefix: `e2e-${randomBytes(4).toString('hex')}` }),
    done: async () => {},
  }),
  false,
);

const pg = await realService('postgresql');
const redis = await realService('redis');
if (pg && redis) {
  endToEnd(
    'PostgreSQL + a real Redis',
    async () => {
      const db = await scratchDatabase(pg);
      const cache = redisCache({ url: redis, keyPrefix: `e2e-${randomBytes(4).toString('hex')}` });
      return {
        url: db.url,
        cache,
        done: () => db.drop(),
      };
    },
    true,
  );
} else {
  describe.skip('caching end to end: PostgreSQL + a real Redis (not reachable here; CI runs it)', () => {
    it('needs PostgreSQL and Redis', () => {});
  });
}
