import { afterCommit, transactional } from '@kosha/core';
import { describe, expect } from 'vitest';
import { koshaTest } from '../../src/vitest.js';
import { Author, AuthorRepo, Book } from './kit-entities.js';

const test = koshaTest({ entities: [Author, Book], isolation: 'reset' });

class Signup {
  readonly sent: string[] = [];
  @transactional
  async register(name: string) {
    const [a] = await new AuthorRepo().insertAll([{ name, email: `${name}@example.com` }]);
    afterCommit(() => this.sent.push(`welcome ${name}`));
    return a!;
  }
}

describe('koshaTest, reset isolation', () => {
  test('commits for real: afterCommit hooks run and @cacheable stores', async ({ cache }) => {
    const signup = new Signup();
    const ada = await signup.register('ada');
    expect(signup.sent).toEqual(['welcome ada']);
    const repo = new AuthorRepo();
    cache!.resetStats();
    await repo.get(ada.id);
    await repo.get(ada.id);
    expect(repo.calls).toBe(1);
    expect(cache!.hits).toBe(1);
    expect(cache!.misses).toBe(1);
    expect(await cache!.get<Author>(`author:${ada.id}`)).toMatchObject({ name: 'ada' });
    expect(await cache!.get(`author:${ada.id}`)).toBeInstanceOf(Author);
  });

  test('after a reset the tables and the cache are empty', async ({ cache }) => {
    expect(await new AuthorRepo().count()).toBe(0);
    expect(await cache!.has('author:1')).toBe(false);
  });
});
