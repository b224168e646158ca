import { randomBytes } from 'node:crypto';
import { escapeGlob, type RedisLike, redisCache } from '@kosha/cache-redis';
import { realService } from '@kosha/conformance';
import { ConfigError, cachePluginFor } from '@kosha/core';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterAll, describe, expect, it } from 'vitest';

/** Redis's glob (`stringmatchlen` in util.c), written out so the escaping can be checked against it. */
function redisGlob(pattern: string, text: string): boolean {
  const match = (p: number, s: number): boolean => {
    while (p < pattern.length) {
      const c = pattern[p]!;
      if (c === '*') {
        while (pattern[p + 1] === '*') p++;
        if (p + 1 === pattern.length) return true;
        for (let i = s; i <= text.length; i++) if (match(p + 1, i)) return true;
        return false;
      }
      if (s >= text.length) return false;
      if (c === '?') {
        p++;
        s++;
        continue;
      }
      if (c === '[') {
        p++;
        const not = pattern[p] === '^';
        if (not) p++;
        let hit = false;
        for (;;) {
          if (pattern[p] === '\\' && p + 1 < pattern.length) {
            p++;
            if (pattern[p] === text[s]) hit = true;
          } else if (pattern[p] === ']' || p >= pattern.length) {
            break;
          } else if (pattern[p + 1] === '-' && p + 2 < pattern.length && pattern[p + 2] !== ']') {
            const [lo, hi] = [pattern[p]!, pattern[p + 2]!].sort();
            if (text[s]! >= lo! && text[s]! <= hi!) hit = true;
            p += 2;
          } else if (pattern[p] === text[s]) hit = true;
          p++;
        }
        if (hit === not) return false;
        p++;
        s++;
        continue;
      }
      if (c === '\\' && p + 1 < pattern.length) p++;
      if (pattern[p] !== text[s]) return false;
      p++;
      s++;
    }
    return s === text.length;
  };
  return match(0, 0);
}

const alphabet = ['a', 'b', ':', '*', '?', '[', ']', '\\', '^', '-', '%', '{', '}', '\n', ' ', 'é'];
const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 6 }).map((a) => a.join(''));

/** Records the command names a client is sent. */
function recording(client: RedisLike): { client: RedisLike; commands: string[] } {
  const commands: string[] = [];
  const proxy = new Proxy(client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]) => {
        commands.push(prop);
        return v.apply(target, args);
      };
    },
  });
  return { client: proxy, commands };
}

describe('escapeGlob', () => {
  it('makes a pattern that matches exactly the keys starting with the text (property, Redis glob rules)', () => {
    fc.assert(
      fc.property(text, text, (prefix, rest) => {
        expect(redisGlob(`${escapeGlob(prefix)}*`, prefix + rest)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(text, text, (prefix, key) => {
        expect(redisGlob(`${escapeGlob(prefix)}*`, key)).toBe(key.startsWith(prefix));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('redisCache options', () => {
  it('rejects a bad configuration with a ConfigError that says what to write', () => {
    expect(() => redisCache({ url: 'http://localhost' })).toThrow(/must start with redis:\/\//);
    expect(() => redisCache({ url: 'redis://localhost/x' })).toThrow(/must be a number/);
    expect(() => redisCache({ url: 'nope' })).toThrow(ConfigError);
    expect(() => redisCache({ commandTimeout: 0 })).toThrow(/commandTimeout must be a number > 0/);
    expect(() => redisCache({ client: new RedisMock(), url: 'redis://localhost' })).toThrow(/either client/);
    expect(() => redisCache({ url: 'redis://a', cluster: { nodes: ['b:1'] } })).toThrow(
      /one of url, sentinel/,
    );
    expect(() => redisCache({ cluster: { nodes: [] } })).toThrow(/at least one node/);
    expect(() => redisCache({ sentinel: { sentinels: [], name: 'm' } })).toThrow(/sentinel needs/);
  });

  it('never shows the password of a bad URL', () => {
    expect(() => redisCache({ url: 'redis://:s3cret@host/notadb' })).toThrow(/redis:\/\/:\*\*\*@host/);
    expect(() => redisCache({ url: 'redis://:s3cret@host/notadb' })).not.toThrow(/s3cret/);
  });

  it('reads host, port, password and database from the URL, and TLS from rediss://', async () => {
    const plain = redisCache({
      url: 'redis://app:p%40ss@cache.internal:6380/4',
      redisOptions: { lazyConnect: true },
    });
    const o = (plain.client as unknown as Redis).options;
    expect([o.host, o.port, o.username, o.password, Number(o.db)]).toEqual([
      'cache.internal',
      6380,
      'app',
      'p@ss',
      4,
    ]);
    const tls = redisCache({ url: 'rediss://cache.internal:6380', redisOptions: { lazyConnect: true } });
    expect((tls.client as unknown as Redis).options.tls).toBeTruthy();
    await plain.close();
    await tls.close();
  });

  it('is registered for redis:// and rediss:// URLs', async () => {
    for (const url of ['redis://localhost:6379/0', 'rediss://localhost:6380/1']) {
      const plugin = await cachePluginFor(url);
      expect(plugin.package).toBe('@kosha/cache-redis');
    }
    const provider = (await cachePluginFor('redis://x')).create({
      url: 'redis://127.0.0.1:1/0',
      keyPrefix: 'app',
      defaultTtl: 0,
    });
    expect(provider.name).toBe('redis');
    expect(provider.defaultTtl).toBe(3600);
    await provider.close();
  });

  it('takes an option given as undefined as left out (exactOptionalPropertyTypes users pass env values)', async () => {
    const given = redisCache({
      url: undefined,
      client: new RedisMock(),
      keyPrefix: undefined,
      commandTimeout: undefined,
      failureThreshold: undefined,
      coolDown: undefined,
      scanCount: undefined,
      defaultTtl: undefined,
      enabled: undefined,
      logger: undefined,
      sentinel: undefined,
      cluster: undefined,
      redisOptions: undefined,
    });
    expect(given.network).toEqual({ commandTimeout: 250, failureThreshold: 5, coolDown: 5000 });
    expect([given.defaultTtl, 'enabled' in given]).toEqual([3600, false]);
    // An ioredis option given as undefined keeps Kosha's default instead of ioredis' own.
    const own = redisCache({
      url: process.env.KOSHA_TEST_UNSET_REDIS_URL,
      redisOptions: { lazyConnect: true, connectTimeout: undefined, enableOfflineQueue: undefined },
    });
    const o = (own.client as unknown as Redis).options;
    expect([o.connectTimeout, o.enableOfflineQueue]).toEqual([2000, false]);
    await own.close();
  });

  it('declares its network policy for the fail-open guard', () => {
    const c = redisCache({ client: new RedisMock(), commandTimeout: 100, failureThreshold: 2, coolDown: 50 });
    expect(c.network).toEqual({ commandTimeout: 100, failureThreshold: 2, coolDown: 50 });
  });
});

describe('redisCache on ioredis-mock', () => {
  const mock = new RedisMock();

  it('puts every key under the application prefix', async () => {
    const c = redisCache({ client: mock, keyPrefix: 'app1:' });
    await c.set('user:1', 'v', 60);
    expect(await mock.get('app1:user:1')).toBe('v');
    await c.clearPrefix('');
    expect(await mock.get('app1:user:1')).toBeNull();
  });

  it('evicts a prefix with SCAN and UNLINK, never KEYS', async () => {
    const { client, commands } = recording(mock as unknown as RedisLike);
    const c = redisCache({ client, keyPrefix: 'app2', scanCount: 10 });
    for (let i = 0; i < 35; i++) await c.set(`user:${i}`, 'v', 60);
    await c.clearPrefix('user:');
    expect(commands).toContain('scan');
    expect(commands).toContain('unlink');
    expect(commands).not.toContain('keys');
    expect(commands).not.toContain('flushdb');
    expect((await c.getMany(['user:1', 'user:34'])).every((v) => v === undefined)).toBe(true);
  });

  it('evicts every key of a prefix when more match than one batch holds (the mock SCAN skips keys deleted under it)', async () => {
    const c = redisCache({ client: new RedisMock({ port: 16001 }), keyPrefix: 'app3', scanCount: 10 });
    // 100 × scanCount keys are collected before the first UNLINK; 2,500 forces two mid-scan batches.
    for (let i = 0; i < 2500; i++) await c.set(`user:${i}`, 'v', 60);
    await c.set('users:keep', 'v', 60);
    await c.clearPrefix('user:');
    const left = await c.getMany(Array.from({ length: 2500 }, (_, i) => `user:${i}`));
    expect(left.filter((v) => v !== undefined)).toHaveLength(0);
    expect(await c.get('users:keep')).toBe('v');
  });

  it('does not close a client it was given', async () => {
    const own = new RedisMock();
    const c = redisCache({ client: own });
    await c.close();
    expect(await own.ping()).toBe('PONG');
    await expect(c.get('k')).rejects.toThrow(/closed/);
  });
});

const url = await realService('redis');
describe.skipIf(!url)('redisCache on a real Redis', () => {
  const raw = url ? new Redis(url) : undefined;
  afterAll(() => raw?.disconnect());

  it('SCAN MATCH on the escaped pattern returns exactly the keys with the prefix (property)', async () => {
    const ns = `kosha-glob-${randomBytes(5).toString('hex')}:`;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(text, { minLength: 1, maxLength: 8 }), text, async (keys, prefix) => {
        for (const k of keys) await raw!.set(ns + k, '1', 'EX', 60);
        const found: string[] = [];
        let cursor = '0';
        do {
          const [next, batch] = await raw!.scan(
            cursor,
            'MATCH',
            `${escapeGlob(ns + prefix)}*`,
            'COUNT',
            1000,
          );
          found.push(...batch);
          cursor = next;
        } while (cursor !== '0');
        expect(found.map((k) => k.slice(ns.length)).sort()).toEqual(
          keys.filter((k) => k.startsWith(prefix)).sort(),
        );
        await raw!.unlink(...keys.map((k) => ns + k));
      }),
      { numRuns: 60 },
    );
  });

  it('evicts keys that hold newlines and glob characters under a prefix', async () => {
    const c = redisCache({ url: url!, keyPrefix: `kosha-nl-${randomBytes(5).toString('hex')}` });
    try {
      const keys = ['q:line\nbreak', 'q:*\n?', 'q:[\\]', 'q2:\n'];
      for (const k of keys) await c.set(k, 'v', 60);
      await c.clearPrefix('q:');
      expect(await c.getMany(keys)).toEqual([undefined, undefined, undefined, 'v']);
    } finally {
      await c.clearPrefix('');
      await c.close();
    }
  });

  it('keeps one application prefix from clearing another', async () => {
    const base = `kosha-ns-${randomBytes(4).toString('hex')}`;
    const a = redisCache({ url: url!, keyPrefix: `${base}-more` });
    const b = redisCache({ url: url!, keyPrefix: base });
    try {
      await a.set('user:1', 'a', 60);
      await b.set('user:1', 'b', 60);
      await b.clearPrefix('');
      expect(await a.get('user:1')).toBe('a');
    } finally {
      await a.clearPrefix('');
      await a.close();
      await b.close();
    }
  });
});
