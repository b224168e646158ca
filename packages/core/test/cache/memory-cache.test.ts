import { ConfigError, createKosha, memoryCache } from '@kosha/core';
import { describe, expect, it } from 'vitest';
import { FakeBackend } from './fake-backend.js';

// The cache conformance suite runs on memoryCache in @kosha/conformance's own tests (core depends on no
// @kosha package, not even in tests).
describe('memoryCache', () => {
  it('drops the least recently used entry past maxEntries', async () => {
    const c = memoryCache({ maxEntries: 2 });
    await c.set('a', '1', 60);
    await c.set('b', '2', 60);
    await c.get('a');
    await c.set('c', '3', 60);
    expect(await c.getMany(['a', 'b', 'c'])).toEqual(['1', undefined, '3']);
    expect(c.size).toBe(2);
  });

  it('expires entries on its clock, with the default TTL when a set gives none', async () => {
    let now = 0;
    const c = memoryCache({ defaultTtl: 10, now: () => now });
    await c.set('a', '1');
    await c.set('b', '2', 1);
    now = 1_000;
    expect(await c.getMany(['a', 'b'])).toEqual(['1', undefined]);
    now = 10_000;
    expect(await c.get('a')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('rejects a bad size or TTL with a ConfigError naming the option', () => {
    expect(() => memoryCache({ maxEntries: 0 })).toThrow(ConfigError);
    expect(() => memoryCache({ maxEntries: 1.5 })).toThrow(/maxEntries/);
    expect(() => memoryCache({ defaultTtl: -1 })).toThrow(/defaultTtl/);
  });

  it('is what a memory: cache URL builds, a default_ttl of 0 meaning the provider default', async () => {
    const kosha = await createKosha({
      orm: new FakeBackend(),
      cache: { url: 'memory:', defaultTtl: 0 },
      entities: [],
      setDefault: false,
    });
    expect(kosha.cache?.name).toBe('memory');
    expect(kosha.cache?.defaultTtl).toBe(3600);
    await kosha.close();
  });

  it('declares no network policy: it is in-process', () => {
    expect(memoryCache().network).toBeUndefined();
  });
});
