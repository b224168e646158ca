import {
  cacheable,
  cacheEvict,
  cachePut,
  column,
  DbRepo,
  entity,
  id,
  type Kosha,
  repository,
  transactional,
} from '@kosha/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../cache/fake-backend.js';
import { ControlledProvider, gate, testKosha, tick } from '../cache/harness.js';

@entity
class Stock {
  @id() id!: number;
  @column({ type: 'integer' }) qty!: number;
}

@repository
class StockRepo extends DbRepo<Stock> {
  constructor(kosha: Kosha) {
    super(Stock, kosha);
  }

  @cacheable({ keyPrefix: 'stock', ttl: 60 })
  async get(stockId: number) {
    return this.getById(stockId);
  }

  @transactional
  @cacheEvict({ keyPrefix: 'stock', key: (s: Stock) => s.id })
  async save(s: Stock) {
    return this.update(s);
  }

  @cacheEvict({ keyPrefix: 'stock', key: (s: Stock) => s.id })
  @transactional
  async saveOuter(s: Stock) {
    return this.update(s);
  }

  @transactional
  @cacheEvict({ keyPrefix: 'stock' })
  async saveAll(s: Stock) {
    return this.update(s);
  }

  @transactional
  @cachePut({ keyPrefix: 'stock', key: (s: Stock) => s.id })
  async put(s: Stock) {
    return this.update(s);
  }
}

const stock = (i: number, qty: number) => Object.assign(new Stock(), { id: i, qty });

let kosha: Kosha;
let db: FakeBackend;
let repo: StockRepo;
let cache: ControlledProvider;
const cached = async (key: string) => (await cache.inner.get(key)) !== undefined;

beforeEach(async () => {
  cache = new ControlledProvider();
  ({ kosha, db } = await testKosha([Stock], cache));
  repo = new StockRepo(kosha);
  await repo.insertAll([stock(1, 10), stock(2, 20)]);
});

describe('cache decorators in a transaction', () => {
  it('cache a result read inside a transaction only after the commit', async () => {
    await kosha.transaction(async () => {
      await repo.get(1);
      expect(await cached('stock:1')).toBe(false);
    });
    expect(await cached('stock:1')).toBe(true);
  });

  it('let later callers join a read whose write-back waits for the commit, until an eviction', async () => {
    const mayCommit = gate();
    const reader = kosha.transaction(async () => {
      await repo.get(1);
      await mayCommit.wait;
    });
    await tick();
    db.reads = 0;
    expect((await repo.get(1))?.qty).toBe(10);
    expect(db.reads).toBe(0);
    await repo.saveOuter(stock(1, 17));
    expect((await repo.get(1))?.qty).toBe(17);
    expect(db.reads).toBe(1);
    mayCommit.open();
    await reader;
    expect((await repo.get(1))?.qty).toBe(17);
  });

  it('drop the write-back when the transaction rolls back', async () => {
    await expect(
      kosha.transaction(async () => {
        await repo.get(1);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await cached('stock:1')).toBe(false);
  });

  it('evict at once and again after the commit: a reader that re-cached the old row meanwhile leaves nothing behind', async () => {
    await repo.get(1);
    const writerMayCommit = gate();
    const writer = kosha.transaction(async () => {
      await repo.save(stock(1, 11));
      await writerMayCommit.wait;
    });
    await tick();
    expect(await cached('stock:1')).toBe(false);
    // The classic race: the reader misses and reads the committed (old) row before the writer commits.
    expect((await repo.get(1))?.qty).toBe(10);
    expect(await cached('stock:1')).toBe(true);
    writerMayCommit.open();
    await writer;
    expect(await cached('stock:1')).toBe(false);
    expect((await repo.get(1))?.qty).toBe(11);
  });

  it('veto the write-back of a reader that read the old row before the commit and writes after it', async () => {
    await repo.get(2);
    const readerHasRead = gate();
    const readerMayContinue = gate();
    const writerMayCommit = gate();
    const writer = kosha.transaction(async () => {
      await repo.save(stock(2, 21));
      await writerMayCommit.wait;
    });
    await tick();
    db.onRead = async () => {
      db.onRead = () => {};
      readerHasRead.open();
      await readerMayContinue.wait;
    };
    const reader = repo.get(2);
    await readerHasRead.wait;
    writerMayCommit.open();
    await writer;
    readerMayContinue.open();
    expect((await reader)?.qty).toBe(20);
    expect(await cached('stock:2')).toBe(false);
    expect((await repo.get(2))?.qty).toBe(21);
  });

  it('read their own writes: after evicting a key, the transaction reads it from the database', async () => {
    await repo.get(1);
    const stale = (await cache.inner.get('stock:1'))!;
    await kosha.transaction(async () => {
      await repo.save(stock(1, 12));
      // A concurrent reader re-cached the old row after the immediate eviction.
      await cache.inner.set('stock:1', stale, 60);
      const seen = await repo.get(1);
      expect(seen?.qty).toBe(12);
    });
  });

  it('drop the after-commit eviction on rollback (the immediate one already ran)', async () => {
    await repo.get(1);
    const deletes = cache.calls.delete;
    await expect(
      kosha.transaction(async () => {
        await repo.save(stock(1, 13));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(cache.calls.delete - deletes).toBe(1);
    expect((await repo.get(1))?.qty).toBe(10);
  });

  it('evict a whole prefix the same way', async () => {
    await repo.get(1);
    await repo.get(2);
    await kosha.transaction(async () => {
      await repo.saveAll(stock(2, 22));
      expect(await cached('stock:1')).toBe(false);
      await cache.inner.set('stock:1', 'k1:null', 60);
    });
    expect(await cached('stock:1')).toBe(false);
    expect(cache.calls.clearPrefix).toBe(2);
  });

  it('with @cacheEvict outside @transactional, evict after the commit', async () => {
    await repo.get(1);
    await repo.saveOuter(stock(1, 14));
    expect(await cached('stock:1')).toBe(false);
    expect((await repo.get(1))?.qty).toBe(14);
  });

  it('defer @cachePut to after the commit, and drop it on rollback', async () => {
    await repo.get(1);
    await kosha.transaction(async () => {
      await repo.put(stock(1, 15));
      expect((await repo.get(1))?.qty).toBe(15);
      expect(JSON.parse((await cache.inner.get('stock:1'))!.slice(3)).v.qty).toBe(10);
    });
    db.reads = 0;
    expect((await repo.get(1))?.qty).toBe(15);
    expect(db.reads).toBe(0);
    await expect(
      kosha.transaction(async () => {
        await repo.put(stock(1, 16));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await repo.get(1))?.qty).toBe(15);
  });

  it('drop what a NESTED scope did when it rolls back to its savepoint', async () => {
    await kosha.transaction(async () => {
      await expect(
        kosha.transaction(
          async () => {
            await repo.put(stock(2, 99));
            throw new Error('inner');
          },
          { propagation: 'NESTED' },
        ),
      ).rejects.toThrow('inner');
      await repo.get(1);
    });
    expect(await cached('stock:2')).toBe(false);
    expect(await cached('stock:1')).toBe(true);
  });
});
