import { createServer, type Server, type Socket } from 'node:net';
import { redisCache } from '@kosha/cache-redis';
import { cacheable, cacheEvict, column, DbRepo, entity, id, type Kosha, transactional } from '@kosha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger, testKosha } from '../../core/test/cache/harness.js';
import { freePort, hasRedisServer, type RedisProcess, startRedis } from './redis-process.js';

@entity
class Item {
  @id() id!: number;
  @column({ type: 'string' }) label!: string;
}

class ItemRepo extends DbRepo<Item> {
  constructor(kosha: Kosha) {
    super(Item, kosha);
  }

  @transactional
  @cacheable({ keyPrefix: 'item', ttl: 60 })
  async get(itemId: number) {
    return this.getById(itemId);
  }

  @transactional
  @cacheEvict({ keyPrefix: 'item', key: (i: Item) => i.id })
  async save(i: Item) {
    return this.update(i);
  }
}

const FAST = { commandTimeout: 150, failureThreshold: 3, coolDown: 300 };
const item = (i: number, label: string) => Object.assign(new Item(), { id: i, label });

async function setup(cache: ReturnType<typeof redisCache>) {
  const logger = capturingLogger();
  const { kosha, db } = await testKosha([Item], cache, logger);
  const repo = new ItemRepo(kosha);
  await repo.insertAll([item(1, 'one'), item(2, 'two')]);
  db.reads = 0;
  return { kosha, db, repo, logger };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = Date.now();
  const r = await fn();
  return [r, Date.now() - t];
}

async function eventually(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!hasRedisServer())('@cacheable when a real Redis process fails', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('keeps answering from the database while Redis is stopped, then uses Redis again once it is back', async () => {
    const { kosha, db, repo, logger } = await setup(
      redisCache({ url: redis.url, ...FAST, logger: capturingLogger() }),
    );
    try {
      await repo.get(1);
      await repo.get(1);
      expect(db.reads).toBe(1);

      await redis.stop();
      for (let i = 0; i < 10; i++) {
        const [r, ms] = await timed(() => repo.get(1));
        expect(r?.label).toBe('one');
        expect(ms).toBeLessThan(FAST.commandTimeout * 3);
      }
      await repo.save(item(1, 'uno'));
      expect(db.committed.get('Item')!.get(1)!.label).toBe('uno');
      expect((await repo.get(1))?.label).toBe('uno');
      expect(logger.lines.some((l) => l.includes('cache redis failed 3 times in a row'))).toBe(true);

      await redis.start();
      await eventually(async () => {
        const before = db.reads;
        await repo.get(2);
        await repo.get(2);
        return db.reads === before;
      }, 10_000);
      expect(logger.lines.some((l) => l.includes('cache redis answers again'))).toBe(true);
    } finally {
      await kosha.close();
    }
  });

  it('bounds every call when nothing listens on the port', async () => {
    const port = await freePort();
    const { kosha, db, repo } = await setup(
      redisCache({ url: `redis://127.0.0.1:${port}/0`, ...FAST, logger: capturingLogger() }),
    );
    try {
      for (let i = 0; i < 6; i++) {
        const [r, ms] = await timed(() => repo.get(1));
        expect(r?.label).toBe('one');
        expect(ms).toBeLessThan(FAST.commandTimeout * 3);
      }
      expect(db.reads).toBe(6);
    } finally {
      await kosha.close();
    }
  });

  it('bounds every call when the server accepts connections and never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const cache = redisCache({ url: `redis://127.0.0.1:${port}/0`, ...FAST, logger: capturingLogger() });
    const { kosha, db, repo } = await setup(cache);
    try {
      const [r, ms] = await timed(() => repo.get(1));
      expect(r?.label).toBe('one');
      expect(ms).toBeGreaterThanOrEqual(FAST.commandTimeout - 10);
      expect(ms).toBeLessThan(FAST.commandTimeout * 4);
      for (let i = 0; i < 4; i++) await repo.get(1);
      // The breaker is open: calls no longer wait for the silent server.
      const [, fast] = await timed(() => repo.get(1));
      expect(fast).toBeLessThan(FAST.commandTimeout / 2);
      expect(db.reads).toBe(6);
      expect(sockets.size).toBeGreaterThan(0);
    } finally {
      await kosha.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
