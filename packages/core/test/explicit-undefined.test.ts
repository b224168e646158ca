import {
  cacheable,
  cacheEvict,
  cachePut,
  createKosha,
  getKosha,
  loadConfig,
  memoryCache,
  resolveRequestScope,
} from '@kosha/core';
import { afterEach, describe, expect, it } from 'vitest';
import { defineTransaction } from '../src/transaction/transaction-options.js';
import { FakeBackend } from './cache/fake-backend.js';

// Under `exactOptionalPropertyTypes` every option is typed `?: T | undefined`, so that
// `{ cache: settings.cache ?? undefined }` compiles. These tests hold the runtime to the same promise:
// an option given as `undefined` is the option left out, never an unknown key or a bad value.

const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of closing.splice(0)) await c.close();
});

describe('an option given as undefined is the option left out', () => {
  it('createKosha: the in-memory cache, the process default, the warn-level console logger', async () => {
    const kosha = await createKosha({
      orm: new FakeBackend(),
      cache: undefined,
      logger: undefined,
      logLevel: undefined,
      entities: undefined,
      setDefault: undefined,
    });
    closing.push(kosha);
    expect(kosha.cache?.name).toBe('memory');
    expect(kosha.cacheSettings).toEqual({ enabled: true, defaultTtl: 3600 });
    expect(getKosha()).toBe(kosha);
  });

  it('createKosha: a cache configuration with undefined settings is enabled, with the default TTL', async () => {
    const kosha = await createKosha({
      orm: new FakeBackend(),
      cache: { url: 'memory:', enabled: undefined, defaultTtl: undefined, keyPrefix: undefined },
    });
    closing.push(kosha);
    expect(kosha.cacheSettings).toEqual({ enabled: true, defaultTtl: 3600 });
  });

  it('transaction options: the defaults, for @transactional and kosha.transaction alike', async () => {
    const given = {
      propagation: undefined,
      isolation: undefined,
      readOnly: undefined,
      timeout: undefined,
      rollbackFor: undefined,
      noRollbackFor: undefined,
    };
    expect(defineTransaction(given)).toEqual(defineTransaction({}));
    const kosha = await createKosha({ orm: new FakeBackend(), setDefault: false });
    closing.push(kosha);
    await expect(kosha.transaction(async () => 'done', given)).resolves.toBe('done');
  });

  it('openSession: a scope with a transaction, not joinable', async () => {
    const kosha = await createKosha({ orm: new FakeBackend(), setDefault: false });
    closing.push(kosha);
    const scope = await kosha.openSession({
      transaction: undefined,
      isolation: undefined,
      joinable: undefined,
    });
    expect(scope.active).toBe(true);
    await scope.close();
    // Not joinable: a second joinable scope may open.
    const next = await kosha.openSession({ joinable: true });
    await next.close();
  });

  it('cache decorators: every optional setting undefined caches by the first argument', async () => {
    const kosha = await createKosha({ orm: new FakeBackend(), cache: memoryCache() });
    closing.push(kosha);
    let loads = 0;
    class Prices {
      @cacheable({
        keyPrefix: 'price',
        ttl: undefined,
        key: undefined,
        condition: undefined,
        unless: undefined,
        cacheNull: undefined,
      })
      async get(sku: string) {
        loads++;
        return `${sku}:${loads}`;
      }

      @cachePut({ keyPrefix: 'price', key: undefined, ttl: undefined })
      async set(sku: string) {
        return `${sku}:put`;
      }

      @cacheEvict({ keyPrefix: 'price', key: undefined, beforeInvocation: undefined, allEntries: undefined })
      async clear(_sku: string) {}
    }
    const prices = new Prices();
    expect(await prices.get('a')).toBe('a:1');
    expect(await prices.get('a')).toBe('a:1');
    await prices.set('a');
    expect(await prices.get('a')).toBe('a:put');
    await prices.clear('a');
    expect(await prices.get('a')).toBe('a:2');
  });

  it('memoryCache: the default size and TTL', async () => {
    const cache = memoryCache({ maxEntries: undefined, defaultTtl: undefined, now: undefined });
    expect(cache.defaultTtl).toBe(3600);
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');
  });

  it('resolveRequestScope: the default instance, one transaction per request', () => {
    expect(
      resolveRequestScope('dbMiddleware', { kosha: undefined, mode: undefined, isolation: undefined }, [
        'skip',
      ]),
    ).toEqual({ kosha: undefined, transaction: true, isolation: undefined });
    expect(() => resolveRequestScope('dbMiddleware', { skip: undefined }, ['skip'])).not.toThrow();
  });

  it('loadConfig: no file, and the environment given', async () => {
    const config = await loadConfig({ file: undefined, env: {} });
    expect(config.orm.url).toBe('sqlite::memory:');
  });
});
