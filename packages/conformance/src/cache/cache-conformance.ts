import { deepStrictEqual, equal, ok } from 'node:assert/strict';
import type { CacheProvider } from '@kosha/core';
import fc from 'fast-check';

/** The subset of a test runner the cache suite uses: vitest's `test` (or `it`) fits as is, so does `node:test`'s. */
export type CacheTestFn = (name: string, fn: () => Promise<void>, timeout?: number) => unknown;

/** Builds a fresh, empty provider, isolated from every other one it returns (a new store or a new key prefix). */
export type CacheProviderFactory = () => CacheProvider | Promise<CacheProvider>;

/** Options of {@link cacheConformance}. */
export interface CacheConformanceOptions {
  /** Name shown in the test titles (default: the provider's name). */
  name?: string | undefined;
  /** Runs of each property test (default 40). */
  numRuns?: number | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// No newline: ioredis-mock's glob `*` does not match one (real Redis's does; @kosha/cache-redis tests it there).
const SPECIAL = ['a', 'b', ':', '*', '?', '[', ']', '\\', '%', ' ', '^', '-', '{', '}', 'é'];

/**
 * The suite every cache provider runs: reads, writes, TTL, deletes, prefix eviction taken literally
 * (glob characters, `user` vs `users`, thousands of keys), isolation, concurrency and close. A
 * provider is done when this suite passes unchanged.
 *
 * ```ts
 * import { test } from 'vitest';
 * cacheConformance(test, () => memoryCache());
 * ```
 */
export function cacheConformance(
  test: CacheTestFn,
  factory: CacheProviderFactory,
  options: CacheConformanceOptions = {},
): void {
  const numRuns = options.numRuns ?? 40;
  const title = (what: string) => `cache conformance${options.name ? ` (${options.name})` : ''}: ${what}`;
  const withProvider = (name: string, fn: (p: CacheProvider) => Promise<void>, timeout?: number) =>
    test(
      title(name),
      async () => {
        const p = await factory();
        try {
          await fn(p);
        } finally {
          // Leave a shared server as it was found.
          await p.clearPrefix('').catch(() => {});
          await p.close();
        }
      },
      timeout,
    );

  withProvider('a key never written is a miss', async (p) => {
    equal(await p.get('never:written'), undefined);
    deepStrictEqual(await p.getMany(['never:1', 'never:2']), [undefined, undefined]);
  });

  withProvider('set then get returns the same text, overwriting what was there', async (p) => {
    await p.set('user:1', 'first', 60);
    equal(await p.get('user:1'), 'first');
    await p.set('user:1', 'second', 60);
    equal(await p.get('user:1'), 'second');
  });

  withProvider('values round-trip exactly: empty, unicode, control characters, 1 MB', async (p) => {
    const values = ['', 'k1:{"a":1}', 'é中文😀', '\u0000\u0001\t\r\n', 'x'.repeat(1_000_000)];
    for (const [i, v] of values.entries()) await p.set(`v:${i}`, v, 60);
    for (const [i, v] of values.entries()) equal(await p.get(`v:${i}`), v);
  });

  withProvider('keys may hold any character, glob characters included', async (p) => {
    const keys = ['k:a b', 'k:line\nbreak', 'k:*', 'k:?', 'k:[x]', 'k:\\', 'k:é😀', 'k:%3A', 'k:{tag}'];
    for (const k of keys) await p.set(k, `v${k}`, 60);
    for (const k of keys) equal(await p.get(k), `v${k}`);
    await p.delete('k:*');
    equal(await p.get('k:*'), undefined);
    equal(await p.get('k:?'), 'vk:?');
  });

  withProvider('an entry expires after its TTL (fractional seconds allowed)', async (p) => {
    await p.set('ttl:short', 'v', 0.3);
    await p.set('ttl:long', 'v', 60);
    equal(await p.get('ttl:short'), 'v');
    await sleep(700);
    equal(await p.get('ttl:short'), undefined);
    equal(await p.get('ttl:long'), 'v');
  });

  withProvider('set without a TTL keeps the entry (the provider default applies)', async (p) => {
    await p.set('ttl:default', 'v');
    await p.set('ttl:zero', 'v', 0);
    equal(await p.get('ttl:default'), 'v');
    equal(await p.get('ttl:zero'), 'v');
    if (p.defaultTtl !== undefined) ok(p.defaultTtl > 0, 'a declared defaultTtl is > 0');
  });

  withProvider('getMany returns entries in order, undefined for misses', async (p) => {
    await p.set('m:1', 'one', 60);
    await p.set('m:3', 'three', 60);
    deepStrictEqual(await p.getMany(['m:1', 'm:2', 'm:3', 'm:1']), ['one', undefined, 'three', 'one']);
    deepStrictEqual(await p.getMany([]), []);
  });

  withProvider('delete removes the keys named, ignores missing ones', async (p) => {
    for (const k of ['d:1', 'd:2', 'd:3']) await p.set(k, k, 60);
    await p.delete('d:1', 'd:3', 'd:missing');
    await p.delete();
    deepStrictEqual(await p.getMany(['d:1', 'd:2', 'd:3']), [undefined, 'd:2', undefined]);
  });

  withProvider('clearPrefix clears exactly the keys that start with the prefix', async (p) => {
    const keys = ['user:1', 'user:10', 'user:admin:1', 'users:1', 'use', 'user', 'xuser:1', 'USER:1'];
    for (const k of keys) await p.set(k, k, 60);
    await p.clearPrefix('user:');
    deepStrictEqual(await p.getMany(keys), [
      undefined,
      undefined,
      undefined,
      'users:1',
      'use',
      'user',
      'xuser:1',
      'USER:1',
    ]);
    await p.clearPrefix('user:1');
    equal(await p.get('users:1'), 'users:1');
  });

  withProvider('clearPrefix takes glob characters literally', async (p) => {
    const keys = ['g:*', 'g:*x', 'g:a', 'g:?', 'g:b', 'g:[ab]', 'g:a]', 'g:\\', 'g:\\*', 'g:^', 'g:-'];
    for (const prefix of ['g:*', 'g:?', 'g:[ab]', 'g:\\', 'g:[', 'g:a]']) {
      for (const k of keys) await p.set(k, k, 60);
      await p.clearPrefix(prefix);
      const expected = keys.map((k) => (k.startsWith(prefix) ? undefined : k));
      deepStrictEqual(await p.getMany(keys), expected, `clearPrefix(${JSON.stringify(prefix)})`);
    }
  });

  withProvider(
    'clearPrefix clears thousands of keys, across batches',
    async (p) => {
      const n = 2_500;
      await Promise.all(Array.from({ length: n }, (_, i) => p.set(`bulk:${i}`, 'v', 60)));
      await p.set('bulky:0', 'keep', 60);
      await p.clearPrefix('bulk:');
      const left = await p.getMany(Array.from({ length: n }, (_, i) => `bulk:${i}`));
      equal(left.filter((v) => v !== undefined).length, 0);
      equal(await p.get('bulky:0'), 'keep');
    },
    60_000,
  );

  withProvider(
    'clearPrefix of any prefix removes exactly the matching keys (property)',
    async (p) => {
      const text = fc.array(fc.constantFrom(...SPECIAL), { maxLength: 5 }).map((a) => a.join(''));
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(text, { minLength: 1, maxLength: 12 }),
          text,
          async (keys, prefix) => {
            await p.clearPrefix('');
            for (const k of keys) await p.set(`p${k}`, k, 60);
            await p.clearPrefix(`p${prefix}`);
            const left = await p.getMany(keys.map((k) => `p${k}`));
            deepStrictEqual(
              left,
              keys.map((k) => (k.startsWith(prefix) ? undefined : k)),
            );
          },
        ),
        { numRuns },
      );
    },
    60_000,
  );

  test(title('two providers from the factory do not see or clear each other'), async () => {
    const [a, b] = [await factory(), await factory()];
    try {
      await a.set('iso:1', 'a', 60);
      await b.set('iso:1', 'b', 60);
      equal(await a.get('iso:1'), 'a');
      await a.clearPrefix('');
      equal(await a.get('iso:1'), undefined);
      equal(await b.get('iso:1'), 'b');
    } finally {
      await b.clearPrefix('').catch(() => {});
      await a.close();
      await b.close();
    }
  });

  withProvider('concurrent writes and reads stay consistent', async (p) => {
    await Promise.all(Array.from({ length: 200 }, (_, i) => p.set(`c:${i}`, String(i), 60)));
    const got = await Promise.all(Array.from({ length: 200 }, (_, i) => p.get(`c:${i}`)));
    deepStrictEqual(
      got,
      Array.from({ length: 200 }, (_, i) => String(i)),
    );
  });

  withProvider('declared capabilities hold', async (p) => {
    equal(typeof p.name, 'string');
    ok(p.name.length > 0);
    if (p.network) ok(p.network.commandTimeout > 0, 'network.commandTimeout is > 0');
    if (p.ping) await p.ping();
  });

  test(title('close is idempotent'), async () => {
    const p = await factory();
    await p.set('close:1', 'v', 60);
    await p.clearPrefix('');
    await p.close();
    await p.close();
  });
}
