import { createServer, type Server, type Socket } from 'node:net';
import { type RedisCache, redisCache } from '@kosha/cache-redis';
import { cacheHarness, capturingLogger } from '@kosha/conformance';
import { cacheable, cacheEvict, column, DbRepo, entity, id, type Kosha, transactional } from '@kosha/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, measure, worst } from './call-timing.js';
import { runApp } from './outage-app.js';
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

  /** A prefix eviction (every `item:` entry) that needs no database. */
  @cacheEvict({ keyPrefix: 'item' })
  async forgetAll() {}
}

const FAST = { commandTimeout: 150, failureThreshold: 3, coolDown: 300 };
/** What a bounded call may take: the command timeout, the watchdog's tick, and a loaded machine's slack. */
const BOUND = FAST.commandTimeout + 150;
/**
 * A `@transactional @cacheable` miss makes two cache calls in a row: its read, then its write-back,
 * which the commit waits for. Against a server that answers nothing, each takes the command timeout.
 */
const MISS_BOUND = 2 * FAST.commandTimeout + 150;
const item = (i: number, label: string) => Object.assign(new Item(), { id: i, label });
let namespaces = 0;
/** A cache of its own namespace, so no test reads what an earlier one cached. */
const cacheOn = (url: string, extra: { failureThreshold?: number } = {}) =>
  redisCache({ url, keyPrefix: `fault${++namespaces}`, ...FAST, ...extra, logger: capturingLogger() });

async function setup(cache: RedisCache) {
  const logger = capturingLogger();
  const { kosha, db } = await cacheHarness([Item], cache, logger);
  const repo = new ItemRepo(kosha);
  await repo.insertAll([item(1, 'one'), item(2, 'two')]);
  db.reads = 0;
  return { kosha, db, repo, logger };
}

const readyListeners = (cache: RedisCache) => (cache.client as Redis).listenerCount('ready');

describe.skipIf(!hasRedisServer())('@cacheable when a real Redis process fails', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    redis?.resume();
    await redis?.stop();
  });

  it('Redis never listening: start-up, the first cached call and a prefix eviction each end within the command timeout', async () => {
    const cache = cacheOn(`redis://127.0.0.1:${await freePort()}/0`);
    const created = await measure(() => setup(cache));
    const { kosha, db, repo } = created.value!;
    try {
      // examples/service clears its entries on the provider itself at start-up: it used to hang here.
      const startup = await measure(() => cache.clearPrefix(''));
      const first = await measure(() => repo.get(1));
      const later = [];
      for (let i = 0; i < 5; i++) later.push(await measure(() => repo.get(2)));
      const evicted = await measure(() => repo.forgetAll());
      const direct = await Promise.all([
        measure(() => cache.get('item:1')),
        measure(() => cache.set('item:1', 'x', 60)),
        measure(() => cache.ping!()),
      ]);
      const closed = await measure(() => kosha.close());
      const all = [created, startup, first, ...later, evicted, ...direct, closed];
      console.log(
        `[fault] redis never listening: worstCallMs=${worst(all)} createKosha=${created.ms} ` +
          `startupClearPrefix=${startup.ms} firstCachedCall=${first.ms} prefixEviction=${evicted.ms} ` +
          `close=${closed.ms} (commandTimeout=${FAST.commandTimeout})`,
      );
      expect(worst(all)).toBeLessThan(BOUND);
      expect(startup.error).toBeInstanceOf(Error);
      expect(first.value?.label).toBe('one');
      expect(later.every((l) => l.value?.label === 'two')).toBe(true);
      expect(db.reads).toBe(6);
    } finally {
      await kosha.close();
    }
  });

  for (const outage of ['never listening', 'killed', 'paused'] as const) {
    it(`a process whose Redis is ${outage} starts, serves, closes and exits on its own`, async () => {
      const own = outage === 'never listening' ? undefined : await startRedis();
      try {
        const url = own?.url ?? `redis://127.0.0.1:${await freePort()}/0`;
        const run = await runApp(
          url,
          FAST.commandTimeout,
          own && (() => (outage === 'killed' ? own.stop() : own.pause())),
        );
        expect(run, 'the process did not exit, or not cleanly').not.toBeUndefined();
        const { ms, lingerMs } = run!;
        const figures = Object.entries(ms).map(([k, v]) => `${k}=${v}`);
        console.log(`[fault] process, redis ${outage}: ${figures.join(' ')} exitedAfterCloseMs=${lingerMs}`);
        for (const [step, took] of Object.entries(ms)) {
          // Outside a transaction a miss waits for its write-back too: two calls to a server that answers nothing.
          expect(took, step).toBeLessThan(step === 'cachedCall' ? MISS_BOUND : BOUND);
        }
        // All that may still run is ioredis's disconnect timer, which Kosha sets to the command timeout.
        expect(lingerMs).toBeLessThan(FAST.commandTimeout + 500);
      } finally {
        own?.resume();
        await own?.stop();
      }
    });
  }

  it('Redis killed mid-run: answers from the database within the timeout, then uses Redis again once it is back', async () => {
    const cache = cacheOn(redis.url);
    const idle = cacheOn(redis.url);
    const { kosha, db, repo, logger } = await setup(cache);
    try {
      await idle.ping!();
      await repo.get(1);
      await repo.get(1);
      expect(db.reads).toBe(1);

      await redis.stop();
      const calls = [];
      for (let i = 0; i < 10; i++) {
        const r = await measure(() => repo.get(1));
        expect(r.value?.label).toBe('one');
        calls.push(r);
      }
      calls.push(await measure(() => repo.forgetAll()));
      calls.push(await measure(() => cache.clearPrefix('item:')));
      calls.push(await measure(() => idle.close()));
      await repo.save(item(1, 'uno'));
      expect(db.committed.get('Item')!.get(1)!.label).toBe('uno');
      expect((await repo.get(1))?.label).toBe('uno');
      expect(logger.lines.some((l) => l.includes('cache redis failed 3 times in a row'))).toBe(true);

      await redis.start();
      const backAfterMs = await eventually(async () => {
        const before = db.reads;
        await repo.get(2);
        await repo.get(2);
        return db.reads === before;
      }, 10_000);
      console.log(`[fault] redis killed: worstCallMs=${worst(calls)} usedAgainAfterRestartMs=${backAfterMs}`);
      expect(worst(calls)).toBeLessThan(BOUND);
      expect(logger.lines.some((l) => l.includes('cache redis answers again'))).toBe(true);
    } finally {
      await kosha.close();
      await idle.close();
    }
  });

  it('Redis paused (SIGSTOP): every call ends within the timeout; once resumed, Redis is used again', async () => {
    const cache = cacheOn(redis.url);
    const idle = cacheOn(redis.url);
    const { kosha, db, repo } = await setup(cache);
    try {
      await idle.ping!();
      await repo.get(1);
      await repo.get(1);
      expect(db.reads).toBe(1);
      const calls = [];
      redis.pause();
      try {
        // A prefix eviction first, while the breaker is closed: it is many commands, bounded one by one.
        calls.push(await measure(() => repo.forgetAll()));
        calls.push(await measure(() => cache.clearPrefix('item:')));
        calls.push(await measure(() => cache.ping!()));
        for (let i = 0; i < 6; i++) {
          const r = await measure(() => repo.get(1));
          expect(r.value?.label).toBe('one');
          calls.push(r);
        }
        calls.push(await measure(() => idle.close())); // its QUIT is never answered
      } finally {
        redis.resume();
      }
      const backAfterMs = await eventually(async () => {
        const before = db.reads;
        await repo.get(2);
        await repo.get(2);
        return db.reads === before;
      }, 10_000);
      console.log(`[fault] redis paused: worstCallMs=${worst(calls)} usedAgainAfterResumeMs=${backAfterMs}`);
      expect(worst(calls)).toBeLessThan(BOUND);
      expect(calls[1]!.error).toBeInstanceOf(Error);
      expect(calls[2]!.error).toBeInstanceOf(Error);
    } finally {
      await kosha.close();
      await idle.close();
    }
  });

  it('Redis paused before start-up: calls wait for the connection within the timeout, without piling up listeners, and close is bounded', async () => {
    redis.pause();
    try {
      const cache = cacheOn(redis.url);
      const created = await measure(() => setup(cache));
      const { kosha, repo } = created.value!;
      const startup = await measure(() => cache.clearPrefix(''));
      const first = await measure(() => repo.get(1));
      expect(first.value?.label).toBe('one');
      // ioredis itself listens for `ready` while it connects; the waiting calls add one listener, not 50.
      await new Promise((r) => setTimeout(r, BOUND)); // the first call's write-back has given up by now
      const before = readyListeners(cache);
      const waiting = Array.from({ length: 50 }, () => measure(() => cache.get('item:1')));
      const whileWaiting = readyListeners(cache) - before;
      const direct = await Promise.all(waiting);
      const after = readyListeners(cache) - before;
      const closed = await measure(() => kosha.close());
      const all = [created, startup, ...direct, closed];
      console.log(
        `[fault] redis paused before start-up: worstCallMs=${worst(all)} startupClearPrefix=${startup.ms} ` +
          `firstCachedCall=${first.ms} (read + write-back) close=${closed.ms} ` +
          `readyListeners: +${whileWaiting} while 50 calls wait, +${after} after`,
      );
      expect(worst(all)).toBeLessThan(BOUND);
      expect(first.ms).toBeLessThan(MISS_BOUND);
      expect(direct.every((d) => d.error instanceof Error)).toBe(true);
      expect(whileWaiting).toBe(1);
      expect(after).toBe(0);
    } finally {
      redis.resume();
    }
  });

  it('short outage with an eviction: the next read after Redis is back goes to the database, not the stale entry', async () => {
    // Below the breaker's threshold: the save's two failed evictions (at once, after the commit) keep it closed.
    const cache = cacheOn(redis.url, { failureThreshold: 5 });
    const { kosha, db, repo } = await setup(cache);
    const raw = new Redis(redis.url, { lazyConnect: true });
    raw.on('error', () => {});
    const key = `fault${namespaces}:item:1`;
    try {
      await repo.get(1);
      await raw.connect();
      await eventually(async () => (await raw.get(key)) !== null, 2_000);
      const stale = await raw.get(key);

      await redis.stop();
      await repo.save(item(1, 'uno'));
      await redis.start();
      // The restarted server still has the old entry, as a replica that missed the eviction would.
      await raw.set(key, stale!, 'EX', 60);
      await eventually(async () => cache.client.status === 'ready', 10_000);

      db.reads = 0;
      const next = await repo.get(1);
      const staleServed = next?.label === 'one' ? 1 : 0;
      await new Promise((r) => setTimeout(r, 50));
      const left = await raw.get(key);
      console.log(
        `[fault] short outage with an eviction: staleServed=${staleServed} nextGetDatabaseReads=${db.reads} ` +
          `staleEntryLeft=${left === stale}`,
      );
      expect(next?.label).toBe('uno');
      expect(db.reads).toBe(1);
      expect(left).not.toBe(stale);
      expect((await repo.get(1))?.label).toBe('uno');
    } finally {
      raw.disconnect();
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
    const { kosha, db, repo } = await setup(cacheOn(`redis://127.0.0.1:${port}/0`));
    try {
      const first = await measure(() => repo.get(1));
      expect(first.value?.label).toBe('one');
      expect(first.ms).toBeGreaterThanOrEqual(FAST.commandTimeout - 10);
      expect(first.ms).toBeLessThan(MISS_BOUND);
      for (let i = 0; i < 4; i++) await repo.get(1);
      // The breaker is open: calls no longer wait for the silent server.
      const fast = await measure(() => repo.get(1));
      console.log(`[fault] silent server: firstCallMs=${first.ms} breakerOpenCallMs=${fast.ms}`);
      expect(fast.ms).toBeLessThan(FAST.commandTimeout / 2);
      expect(db.reads).toBe(6);
      expect(sockets.size).toBeGreaterThan(0);
    } finally {
      await kosha.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
