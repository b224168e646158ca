import {
  bindKosha,
  ConfigError,
  cacheable,
  cacheEvict,
  cachePut,
  column,
  currentSession,
  DbRepo,
  entity,
  id,
  type Kosha,
  memoryCache,
  repository,
  transactional,
} from '@kosha/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../cache/fake-backend.js';
import { ControlledProvider, testKosha, tick } from '../cache/harness.js';

@entity
class Book {
  @id() id!: number;
  @column({ type: 'string' }) title!: string;
  @column({ type: 'datetime' }) published!: Date;
  @column({ type: 'bigint' }) copies!: bigint;
}

@repository
class BookRepo extends DbRepo<Book> {
  constructor(kosha: Kosha) {
    super(Book, kosha);
  }

  @transactional
  @cacheable({ keyPrefix: 'book', ttl: 60 })
  async get(bookId: number) {
    return this.getById(bookId);
  }

  @cacheable({ keyPrefix: 'book', ttl: 60 })
  @transactional
  async getOuter(bookId: number) {
    currentSession(this.kosha);
    return this.getById(bookId);
  }

  @cacheable({ keyPrefix: 'book-title', key: (title: string, upper: boolean) => `${title}/${upper}` })
  async byTitle(title: string, upper: boolean) {
    const b = await this.findByField('title', title);
    return upper ? b?.title.toUpperCase() : b?.title;
  }

  @cacheable({ keyPrefix: 'maybe', cacheNull: true })
  async maybe(bookId: number) {
    return this.getById(bookId);
  }

  @cacheable({
    keyPrefix: 'cond',
    condition: (bookId: number) => bookId > 0,
    unless: (b: Book | null) => b?.title === 'secret',
  })
  async conditional(bookId: number) {
    return this.getById(bookId);
  }

  @transactional
  @cacheEvict({ keyPrefix: 'book', key: (b: Book) => b.id })
  async save(b: Book) {
    return this.update(b);
  }

  @transactional
  @cacheEvict({ keyPrefix: 'book' })
  async remove(bookId: number) {
    return this.delete(bookId);
  }

  @cacheEvict({ keyPrefix: 'book', allEntries: false })
  async failingRemove(_bookId: number): Promise<void> {
    throw new Error('refused');
  }

  @cacheEvict({ keyPrefix: 'book', key: (n: number) => n, beforeInvocation: true })
  async failingRemoveBefore(_bookId: number): Promise<void> {
    throw new Error('refused');
  }

  @cachePut({ keyPrefix: 'book', ttl: 60 })
  @transactional
  async put(b: Book) {
    return this.update(b);
  }

  @cachePut({ keyPrefix: 'book', key: (bookId: number) => bookId })
  async putNothing(_bookId: number) {
    return null;
  }
}

const book = (i: number, title = `t${i}`) =>
  Object.assign(new Book(), {
    id: i,
    title,
    published: new Date(`2026-01-0${(i % 9) + 1}T00:00:00Z`),
    copies: 10n ** 18n,
  });

let kosha: Kosha;
let db: FakeBackend;
let repo: BookRepo;
let cache: ControlledProvider;

beforeEach(async () => {
  cache = new ControlledProvider();
  ({ kosha, db } = await testKosha([Book], cache));
  repo = new BookRepo(kosha);
  await repo.insertAll([book(1), book(2), book(3, 'secret')]);
  db.reads = 0;
});

describe('@cacheable', () => {
  it('reads the database on a miss and the cache on a hit, returning an equal entity instance', async () => {
    const miss = await repo.get(1);
    const hit = await repo.get(1);
    expect(db.reads).toBe(1);
    expect(hit).toBeInstanceOf(Book);
    expect(hit).toEqual(miss);
    expect(hit).not.toBe(miss);
    expect(await cache.inner.get('book:1')).toMatch(/^k1:/);
  });

  it('looks the key up once per call: one read on a miss, one on a hit', async () => {
    await repo.get(2);
    expect(cache.calls.get).toBe(1);
    await repo.get(2);
    expect(cache.calls.get).toBe(2);
  });

  it('works outside @transactional as well as inside it', async () => {
    await repo.getOuter(2);
    await repo.getOuter(2);
    await repo.get(2);
    expect(db.reads).toBe(1);
  });

  it('uses the key function for the key', async () => {
    expect(await repo.byTitle('t1', true)).toBe('T1');
    expect(await repo.byTitle('t1', false)).toBe('t1');
    expect(await repo.byTitle('t1', true)).toBe('T1');
    expect(db.reads).toBe(2);
    expect(await cache.inner.get('book-title:t1/true')).toBeDefined();
  });

  it('does not cache null unless cacheNull; with cacheNull a cached null is a hit', async () => {
    expect(await repo.get(99)).toBeNull();
    expect(await repo.get(99)).toBeNull();
    expect(db.reads).toBe(2);
    db.reads = 0;
    expect(await repo.maybe(99)).toBeNull();
    expect(await repo.maybe(99)).toBeNull();
    expect(db.reads).toBe(1);
  });

  it('honours condition (no cache at all) and unless (no write)', async () => {
    await repo.conditional(0);
    await repo.conditional(0);
    expect(db.reads).toBe(2);
    await repo.conditional(3);
    await repo.conditional(3);
    expect(db.reads).toBe(4);
    await repo.conditional(1);
    await repo.conditional(1);
    expect(db.reads).toBe(5);
  });

  it('expires entries after ttl seconds', async () => {
    let now = 0;
    const clocked = memoryCache({ now: () => now });
    const t = await testKosha([Book], clocked);
    const r = new BookRepo(t.kosha);
    await r.insertAll([book(1)]);
    await r.get(1);
    now = 59_000;
    await r.get(1);
    expect(t.db.reads).toBe(1);
    now = 61_000;
    await r.get(1);
    expect(t.db.reads).toBe(2);
  });

  it('runs the method once for 1,000 concurrent misses on one key (single-flight)', async () => {
    await repo.insertAll([book(42)]);
    db.onRead = () => tick(5);
    const results = await Promise.all(Array.from({ length: 1000 }, () => repo.get(42)));
    expect(db.reads).toBe(1);
    expect(new Set(results).size).toBe(1000);
    expect(results.every((r) => r instanceof Book && r.id === 42)).toBe(true);
  });

  it('runs the method once for 1,000 concurrent misses in the other decorator order', async () => {
    db.onRead = () => tick(5);
    await Promise.all(Array.from({ length: 1000 }, () => repo.getOuter(2)));
    expect(db.reads).toBe(1);
  });

  it('shares the error of the one call with every concurrent caller', async () => {
    let calls = 0;
    class Flaky {
      @cacheable({ keyPrefix: 'flaky' })
      async get(_n: number) {
        calls++;
        await tick(5);
        throw new Error('db down');
      }
    }
    const f = bindKosha(new Flaky(), kosha);
    const settled = await Promise.allSettled(Array.from({ length: 50 }, () => f.get(1)));
    expect(calls).toBe(1);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
  });

  it('calls through when caching is off', async () => {
    const t = await testKosha([Book], false);
    const r = new BookRepo(t.kosha);
    await r.insertAll([book(1)]);
    await r.get(1);
    await r.get(1);
    expect(t.db.reads).toBe(2);
  });
});

describe('@cacheEvict', () => {
  it('without key evicts every entry of the prefix, and only that prefix', async () => {
    await repo.get(1);
    await repo.get(2);
    await repo.byTitle('t1', false);
    await repo.remove(2);
    expect(await cache.inner.get('book:1')).toBeUndefined();
    expect(await cache.inner.get('book-title:t1/false')).toBeDefined();
  });

  it('with key evicts that one entry after the method succeeds', async () => {
    await repo.get(1);
    await repo.get(2);
    await repo.save(Object.assign(book(1), { title: 'new' }));
    expect((await repo.get(1))?.title).toBe('new');
    expect(await cache.inner.get('book:2')).toBeDefined();
  });

  it('evicts nothing when the method throws, unless beforeInvocation', async () => {
    await repo.get(1);
    await repo.get(2);
    await expect(repo.failingRemove(1)).rejects.toThrow('refused');
    expect(await cache.inner.get('book:1')).toBeDefined();
    await expect(repo.failingRemoveBefore(2)).rejects.toThrow('refused');
    expect(await cache.inner.get('book:2')).toBeUndefined();
    expect(await cache.inner.get('book:1')).toBeDefined();
  });
});

describe('@cachePut', () => {
  it('always runs the method and stores its result under the key', async () => {
    await repo.get(1);
    const updated = await repo.put(Object.assign(book(1), { title: 'put' }));
    expect(updated.title).toBe('put');
    db.reads = 0;
    expect((await repo.get(1))?.title).toBe('put');
    expect(db.reads).toBe(0);
  });

  it('evicts the key when the method returns null', async () => {
    await repo.get(1);
    await repo.putNothing(1);
    expect(await cache.inner.get('book:1')).toBeUndefined();
  });
});

describe('cache decorator options', () => {
  const define = (decorate: () => unknown) => () => {
    class Target {
      async m(_x: number) {
        return 1;
      }
    }
    const d = Object.getOwnPropertyDescriptor(Target.prototype, 'm')!;
    (decorate() as (t: object, k: string, d: PropertyDescriptor) => unknown)(Target.prototype, 'm', d);
  };

  it('are checked when the class is defined, naming the bad option', () => {
    expect(define(() => cacheable({ keyPrefix: 'u', ttl: -1 }))).toThrow(/ttl must be a number of seconds/);
    expect(define(() => cacheable({ keyPrefix: '' }))).toThrow(/keyPrefix must be a non-empty string/);
    expect(define(() => cacheable({ keyPrefix: 'user:' }))).toThrow(/must not end with ":"/);
    expect(define(() => cacheable({ keyPrefix: 'u', tll: 5 } as never))).toThrow(/unknown option "tll"/);
    expect(define(() => cacheable({ keyPrefix: 'u', key: 'id' } as never))).toThrow(/key must be a function/);
    expect(define(() => cacheable({} as never))).toThrow(/keyPrefix is required/);
    expect(define(() => cacheEvict({ keyPrefix: 'u', key: (n: number) => n, allEntries: true }))).toThrow(
      /allEntries and key/,
    );
    expect(define(() => cacheEvict({ keyPrefix: 'u', beforeInvocation: 'yes' } as never))).toThrow(
      /beforeInvocation must be true or false/,
    );
    expect(define(() => cachePut({ keyPrefix: 'u', unless: () => true } as never))).toThrow(
      /unknown option "unless"/,
    );
    expect(define(() => cacheable({ keyPrefix: 'u', ttl: 0 }))).toThrow(ConfigError);
  });

  it('name the decorator and the method', () => {
    expect(define(() => cacheable({ keyPrefix: 'u', ttl: Number.NaN }))).toThrow(/@cacheable on m: ttl/);
  });
});
