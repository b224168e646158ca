import { expect, it } from 'vitest';
import { ArticleRepo } from '../../src/article-repo.js';
import { FavoriteRepo } from '../../src/favorite-repo.js';
import { TagRepo } from '../../src/tag-repo.js';
import { forEachDatabase } from '../support/conduit-server.js';

const CLIENTS = 20;

await forEachDatabase('RealWorld under concurrency', (conduit) => {
  it(`${CLIENTS} concurrent article creations sharing one new tag: every one succeeds, one tag row`, async () => {
    const { call, register, kit } = conduit();
    const token = await register('prolific');
    const answers = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        call('POST', '/articles', {
          token,
          body: {
            article: {
              title: `Parallel ${i}`,
              description: 'd',
              body: 'b',
              tagList: ['brand-new', `own-${i}`],
            },
          },
        }),
      ),
    );
    expect(answers.filter((a) => a.status !== 201)).toEqual([]);
    const tags = await kit.kosha.transaction(() => new TagRepo().find({ where: { name: 'brand-new' } }));
    expect(tags).toHaveLength(1);
    const tagged = await call('GET', `/articles?tag=brand-new&limit=${CLIENTS}`);
    expect(tagged.body.articlesCount).toBe(CLIENTS);
    expect(tagged.body.articles.every((a: { tagList: string[] }) => a.tagList.includes('brand-new'))).toBe(
      true,
    );
  });

  it(`${CLIENTS} concurrent clients favoriting one article: favoritesCount is exactly ${CLIENTS}, and back to 0`, async () => {
    const { call, register, kit } = conduit();
    const author = await register('popular');
    await call('POST', '/articles', {
      token: author,
      body: { article: { title: 'Like me', description: 'd', body: 'b', tagList: [] } },
    });
    const fans: string[] = [];
    for (let i = 0; i < CLIENTS; i++) fans.push(await register(`fan-${i}`));
    const count = async () =>
      (await kit.kosha.transaction(() => new ArticleRepo().findOneBySlug('like-me')))!.favoritesCount;

    const liked = await Promise.all(
      fans.map((token) => call('POST', '/articles/like-me/favorite', { token })),
    );
    expect(liked.filter((a) => a.status !== 200)).toEqual([]);
    expect(await count()).toBe(CLIENTS);
    expect(await kit.kosha.transaction(() => new FavoriteRepo().count())).toBe(CLIENTS);
    // Favoriting again changes nothing: the favorite is skipped, so the counter does not move.
    await Promise.all(fans.slice(0, 5).map((token) => call('POST', '/articles/like-me/favorite', { token })));
    expect(await count()).toBe(CLIENTS);

    const unliked = await Promise.all(
      fans.map((token) => call('DELETE', '/articles/like-me/favorite', { token })),
    );
    expect(unliked.filter((a) => a.status !== 200)).toEqual([]);
    expect(await count()).toBe(0);
    expect((await call('GET', '/articles/like-me')).body.article.favoritesCount).toBe(0);
  });
});
