import { getKosha } from '@kosha/core';
import { describe, expect } from 'vitest';
import { defineFactory } from '../../src/index.js';
import { koshaTest } from '../../src/vitest.js';
import { Author, AuthorRepo, Book } from './kit-entities.js';

const test = koshaTest({ entities: [Author, Book] });

const authors = defineFactory(Author, (i) => ({
  name: `Author ${i}`,
  email: `author${i}-${Math.random()}@example.com`,
}));
const books = defineFactory(Book, (i) => ({ title: `Book ${i}`, author: authors }));

describe('koshaTest, rollback isolation', () => {
  test('gives the instance as the default one, and loads fixtures', async ({ kosha, fixtures }) => {
    expect(getKosha()).toBe(kosha);
    const [ada] = await fixtures.load(Author, [{ name: 'Ada', email: 'ada@example.com' }]);
    expect(ada!.id).toBeGreaterThan(0);
    expect(await new AuthorRepo().count()).toBe(1);
  });

  test('a test never sees the rows of the one before', async () => {
    expect(await new AuthorRepo().count()).toBe(0);
    expect(await new AuthorRepo().findByField('email', 'ada@example.com')).toBeNull();
  });

  test('factories: defaults, sequences, overrides and a related entity per row', async () => {
    const made = await books.create(3, { title: 'Same title' });
    expect(made).toHaveLength(3);
    expect(new Set(made.map((b) => b.author.id)).size).toBe(3);
    expect(made.every((b) => b.title === 'Same title')).toBe(true);
    expect(await new AuthorRepo().count()).toBe(3);
    const one = await authors.createOne();
    expect(one.name).toMatch(/^Author \d+$/);
  });

  test('the factory rows of the test before are gone too', async () => {
    expect(await new AuthorRepo().count()).toBe(0);
  });
});

describe('koshaTest, cache inspection', () => {
  test('counts hits and misses and reads what is stored', async ({ cache, fixtures, kit }) => {
    // Inside a rolled-back test transaction, transaction-aware cache writes never happen: commit here.
    const repo = new AuthorRepo();
    const [a] = await kit.kosha.run(() =>
      fixtures.load(Author, [{ name: 'Cached', email: 'cached@example.com' }]),
    );
    expect(cache).toBeDefined();
    cache!.resetStats();
    expect(await cache!.has(`author:${a!.id}`)).toBe(false);
    expect(repo.calls).toBe(0);
    // The isolated transaction is in context: the @cacheable put is deferred and then dropped.
    await repo.get(a!.id);
    expect(cache!.misses).toBe(1);
    expect(await cache!.has(`author:${a!.id}`)).toBe(false);
  });
});
