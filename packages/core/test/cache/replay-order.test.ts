import { bindKosha, cacheable, cacheEvict, memoryCache, type NetworkPolicy } from '@kosha/core';
import { describe, expect, it } from 'vitest';
import { FailOpenCache } from '../../src/cache/fail-open-cache.js';
import { rateLimitedLog } from '../../src/cache/rate-limited-log.js';
import { capturingLogger, gate, testKosha, tick } from './harness.js';

type Op = 'get' | 'delete' | 'clearPrefix';

/**
 * An in-memory store whose evictions can be made to fail a given number of times, or to wait for a
 * gate the test opens (a replay caught in the middle). It writes down every call it receives, so a
 * test can show what reached the store, and in which order.
 */
class FlakyStore {
  readonly name = 'flaky';
  readonly network: NetworkPolicy = { commandTimeout: 100, failureThreshold: 5, coolDown: 1000 };
  readonly inner = memoryCache();
  readonly calls: string[] = [];
  readonly failures: Record<Op, number> = { get: 0, delete: 0, clearPrefix: 0 };
  readonly holds: Partial<Record<Op, Promise<void>>> = {};

  async #call<T>(op: Op, what: string, fn: () => Promise<T>): Promise<T> {
    this.calls.push(`${op} ${what}`);
    if (this.failures[op] > 0) {
      this.failures[op]--;
      throw new Error('connect ECONNREFUSED 127.0.0.1:1 (test)');
    }
    await this.holds[op];
    return fn();
  }

  get(key: string) {
    return this.#call('get', key, () => this.inner.get(key));
  }
  getMany(keys: readonly string[]) {
    return this.inner.getMany(keys);
  }
  set(key: string, value: string, ttl?: number) {
    return this.inner.set(key, value, ttl);
  }
  delete(...keys: string[]) {
    return this.#call('delete', keys.join(','), () => this.inner.delete(...keys));
  }
  clearPrefix(prefix: string) {
    return this.#call('clearPrefix', prefix, () => this.inner.clearPrefix(prefix));
  }
  async ping() {}
  async close() {}
}

async function setup() {
  const store = new FlakyStore();
  const cache = new FailOpenCache(store, rateLimitedLog(capturingLogger()));
  await store.inner.set('user:1', 'stale', 60);
  await store.inner.set('user:2', 'two', 60);
  await store.inner.set('post:1', 'post', 60);
  return { store, cache };
}

describe('a failed eviction, below the breaker threshold', () => {
  it('is delivered before the next read of its key, which is a miss rather than the stale entry', async () => {
    const { store, cache } = await setup();
    store.failures.delete = 1;
    await cache.evict('user:1');
    expect(cache.state).toBe('closed');
    expect(cache.pendingEvictions).toBe(1);

    expect(await cache.get('user:1')).toBeUndefined();
    await tick();
    expect(cache.pendingEvictions).toBe(0);
    expect(await store.inner.get('user:1')).toBeUndefined();
    expect(store.calls).toEqual(['delete user:1', 'delete user:1']);

    // Delivered: the key is read from the store again.
    await cache.set('user:1', 'fresh', 60);
    expect(await cache.get('user:1')).toBe('fresh');
    expect(store.calls.at(-1)).toBe('get user:1');
  });

  it('keeps the keys it covers out of the store while its replay is in progress; other keys are served', async () => {
    const { store, cache } = await setup();
    store.failures.delete = 1;
    await cache.evict('user:1');
    const held = gate();
    store.holds.delete = held.wait;

    expect(await cache.get('user:2')).toBe('two'); // a success: starts the replay, which waits
    expect(store.calls.at(-1)).toBe('delete user:1');
    for (let i = 0; i < 3; i++) expect(await cache.get('user:1')).toBeUndefined();
    expect(store.calls.filter((c) => c === 'get user:1')).toHaveLength(0);

    held.open();
    await tick();
    expect(cache.pendingEvictions).toBe(0);
    expect(await cache.get('user:1')).toBeUndefined();
    expect(store.calls.at(-1)).toBe('get user:1');
  });

  it('stays pending when it fails again while being replayed, and is delivered by the next replay', async () => {
    const { store, cache } = await setup();
    store.failures.delete = 1;
    await cache.evict('user:1');
    const held = gate();
    store.holds.delete = held.wait;
    expect(await cache.get('user:1')).toBeUndefined(); // starts the replay, held at the store

    // A second writer's eviction of the same key fails meanwhile: the held replay may predate its entry.
    store.failures.delete = 1;
    await cache.evict('user:1');
    held.open();
    await tick();
    expect(cache.pendingEvictions).toBe(1);
    await store.inner.set('user:1', 'stale again', 60);
    expect(await cache.get('user:1')).toBeUndefined();
    await tick();
    expect(cache.pendingEvictions).toBe(0);
    expect(await store.inner.get('user:1')).toBeUndefined();
  });
});

describe('a failed prefix eviction, below the breaker threshold', () => {
  it('makes every key under the prefix a miss until it is delivered, then clears them before serving', async () => {
    const { store, cache } = await setup();
    store.failures.clearPrefix = 1;
    await cache.evictPrefix('user:');
    expect(cache.pendingEvictions).toBe(1);
    const held = gate();
    store.holds.clearPrefix = held.wait;

    expect(await cache.get('user:2')).toBeUndefined(); // starts the replay, held at the store
    expect(await cache.get('user:1')).toBeUndefined();
    expect(await cache.get('post:1')).toBe('post');
    expect(store.calls.filter((c) => c.startsWith('get user:'))).toHaveLength(0);

    held.open();
    await tick();
    expect(cache.pendingEvictions).toBe(0);
    expect(await store.inner.get('user:1')).toBeUndefined();
    expect(await store.inner.get('user:2')).toBeUndefined();
    await cache.set('user:2', 'fresh', 60);
    expect(await cache.get('user:2')).toBe('fresh');
  });

  it('settles a failed key eviction under it with the same delivery', async () => {
    const { store, cache } = await setup();
    store.failures.delete = 1;
    store.failures.clearPrefix = 1;
    await cache.evict('user:1');
    await cache.evictPrefix('user:');
    expect(cache.pendingEvictions).toBe(2);
    expect(await cache.get('user:1')).toBeUndefined();
    await tick();
    expect(cache.pendingEvictions).toBe(0);
    expect(store.calls.slice(-1)).toEqual(['clearPrefix user:']);
  });
});

describe('@cacheable after a short outage that failed an eviction', () => {
  it('reads the database on the very next call, never the stale entry', async () => {
    const store = new FlakyStore();
    const { kosha } = await testKosha([], store);
    let row = 'old';
    class Users {
      @cacheable({ keyPrefix: 'user' })
      async get(_id: number) {
        return row;
      }
      @cacheEvict({ keyPrefix: 'user', key: (id: number) => id })
      async rename(_id: number, name: string) {
        row = name;
      }
    }
    const users = bindKosha(new Users(), kosha);
    try {
      expect(await users.get(1)).toBe('old');
      expect(await users.get(1)).toBe('old'); // a hit
      store.failures.delete = 1;
      await users.rename(1, 'new');
      expect(await users.get(1)).toBe('new');
      await tick();
      expect(await users.get(1)).toBe('new');
    } finally {
      await kosha.close();
    }
  });
});
