import { expect, it } from 'vitest';
import { ArticleRepo } from '../../src/article-repo.js';
import { CommentRepo } from '../../src/comment-repo.js';
import { forEachDatabase } from '../support/conduit-server.js';

const article = (title: string, tagList: string[]) => ({
  article: { title, description: `about ${title}`, body: `All of ${title}.`, tagList },
});

await forEachDatabase('RealWorld flows over HTTP', (conduit) => {
  it('registers, logs in, reads and updates the user', async () => {
    const { call } = conduit();
    const user = { username: 'jake', email: 'jake@jake.jake', password: 'jakejake' };
    const registered = await call('POST', '/users', { body: { user } });
    expect(registered.status).toBe(201);
    expect(registered.body.user).toEqual({
      email: 'jake@jake.jake',
      token: expect.any(String),
      username: 'jake',
      bio: null,
      image: null,
    });
    const token = registered.body.user.token;

    expect((await call('POST', '/users', { body: { user } })).status).toBe(422);
    const wrong = await call('POST', '/users/login', {
      body: { user: { email: user.email, password: 'nope' } },
    });
    expect(wrong).toEqual({ status: 422, body: { errors: { body: ['email or password is invalid'] } } });
    const login = await call('POST', '/users/login', {
      body: { user: { email: user.email, password: user.password } },
    });
    expect(login.body.user.token).toBe(token);

    expect((await call('GET', '/user')).status).toBe(401);
    expect((await call('GET', '/user', { token })).body.user.username).toBe('jake');
    const updated = await call('PUT', '/user', {
      token,
      body: { user: { bio: 'I work at statefarm', image: 'https://i.example/j.png' } },
    });
    expect(updated.body.user).toMatchObject({
      username: 'jake',
      bio: 'I work at statefarm',
      image: 'https://i.example/j.png',
    });
    expect((await call('GET', '/user', { token })).body.user.bio).toBe('I work at statefarm');
  });

  it('shows profiles with following, and follows and unfollows', async () => {
    const { call, register } = conduit();
    const celeb = await register('celeb');
    const fan = await register('fan');
    expect((await call('GET', '/profiles/celeb')).body.profile).toEqual({
      username: 'celeb',
      bio: null,
      image: null,
      following: false,
    });
    expect((await call('POST', '/profiles/celeb/follow', { token: fan })).body.profile.following).toBe(true);
    expect((await call('POST', '/profiles/celeb/follow', { token: fan })).status).toBe(200); // twice: still one follow
    expect((await call('GET', '/profiles/celeb', { token: fan })).body.profile.following).toBe(true);
    expect((await call('GET', '/profiles/fan', { token: celeb })).body.profile.following).toBe(false);
    expect((await call('DELETE', '/profiles/celeb/follow', { token: fan })).body.profile.following).toBe(
      false,
    );
    expect((await call('GET', '/profiles/celeb', { token: fan })).body.profile.following).toBe(false);
    expect((await call('GET', '/profiles/nobody')).status).toBe(404);
    expect((await call('POST', '/profiles/celeb/follow')).status).toBe(401);
  });

  it('writes, reads, lists, updates and deletes articles', async () => {
    const { call, register, kit } = conduit();
    const ann = await register('ann');
    const bob = await register('bob');
    const created = await call('POST', '/articles', {
      token: ann,
      body: article('How to train your dragon', ['dragons', 'training']),
    });
    expect(created.status).toBe(201);
    expect(created.body.article).toMatchObject({
      slug: 'how-to-train-your-dragon',
      title: 'How to train your dragon',
      tagList: ['dragons', 'training'],
      favorited: false,
      favoritesCount: 0,
      author: { username: 'ann', following: false },
    });
    await call('POST', '/articles', { token: bob, body: article('Bob on dragons', ['dragons']) });
    await call('POST', '/articles', { token: bob, body: article('Bob on nothing', []) });

    const one = await call('GET', '/articles/how-to-train-your-dragon', { token: bob });
    expect(one.body.article).toMatchObject({ tagList: ['dragons', 'training'], author: { username: 'ann' } });
    expect((await call('GET', '/articles/no-such-thing')).status).toBe(404);

    const slugs = (answer: { body: { articles: { slug: string }[] } }) =>
      answer.body.articles.map((a) => a.slug);
    const all = await call('GET', '/articles?author=bob');
    expect(slugs(all)).toEqual(['bob-on-nothing', 'bob-on-dragons']); // newest first
    expect(all.body.articlesCount).toBe(2);
    const dragons = await call('GET', '/articles?tag=dragons&limit=1');
    expect(dragons.body.articlesCount).toBe(2);
    expect(slugs(dragons)).toEqual(['bob-on-dragons']);
    expect(slugs(await call('GET', '/articles?tag=dragons&limit=1&offset=1'))).toEqual([
      'how-to-train-your-dragon',
    ]);
    expect(slugs(await call('GET', '/articles?tag=dragons&author=ann'))).toEqual([
      'how-to-train-your-dragon',
    ]);
    expect((await call('GET', '/articles?tag=unknown')).body).toEqual({ articles: [], articlesCount: 0 });

    // Only the author may change it; a new title is a new slug. Favoriting does not make it "updated".
    const edit = { article: { title: 'How to train your dragon 2' } };
    expect((await call('PUT', '/articles/how-to-train-your-dragon', { token: bob, body: edit })).status).toBe(
      403,
    );
    const changed = await call('PUT', '/articles/how-to-train-your-dragon', { token: ann, body: edit });
    expect(changed.body.article).toMatchObject({
      slug: 'how-to-train-your-dragon-2',
      tagList: ['dragons', 'training'],
    });
    const before = changed.body.article.updatedAt;
    const liked = await call('POST', '/articles/how-to-train-your-dragon-2/favorite', { token: bob });
    expect(liked.body.article).toMatchObject({ favorited: true, favoritesCount: 1, updatedAt: before });
    expect(slugs(await call('GET', '/articles?favorited=bob'))).toEqual(['how-to-train-your-dragon-2']);
    expect(slugs(await call('GET', '/articles?favorited=ann'))).toEqual([]);
    const seen = await call('GET', '/articles?author=ann', { token: bob });
    expect(seen.body.articles[0]).toMatchObject({ favorited: true, favoritesCount: 1 });
    const unliked = await call('DELETE', '/articles/how-to-train-your-dragon-2/favorite', { token: bob });
    expect(unliked.body.article).toMatchObject({ favorited: false, favoritesCount: 0 });

    expect((await call('DELETE', '/articles/bob-on-nothing', { token: ann })).status).toBe(403);
    expect((await call('DELETE', '/articles/bob-on-nothing', { token: bob })).status).toBe(204);
    expect((await call('GET', '/articles/bob-on-nothing')).status).toBe(404);
    expect(await kit.kosha.transaction(() => new ArticleRepo().existsBySlug('bob-on-nothing'))).toBe(false);
  });

  it('gives the feed: the articles of followed authors, newest first', async () => {
    const { call, register } = conduit();
    const reader = await register('reader');
    const followed = await register('followed');
    const other = await register('other');
    await call('POST', '/articles', { token: followed, body: article('Followed one', []) });
    await call('POST', '/articles', { token: other, body: article('Not followed', []) });
    await call('POST', '/articles', { token: followed, body: article('Followed two', []) });
    expect((await call('GET', '/articles/feed', { token: reader })).body).toEqual({
      articles: [],
      articlesCount: 0,
    });
    await call('POST', '/profiles/followed/follow', { token: reader });
    const feed = await call('GET', '/articles/feed', { token: reader });
    expect(feed.body.articlesCount).toBe(2);
    expect(feed.body.articles.map((a: { slug: string }) => a.slug)).toEqual(['followed-two', 'followed-one']);
    expect(feed.body.articles[0].author.following).toBe(true);
    expect((await call('GET', '/articles/feed')).status).toBe(401);
  });

  it('adds, lists and soft-deletes comments', async () => {
    const { call, register, kit } = conduit();
    const writer = await register('writer');
    const commenter = await register('commenter');
    await call('POST', '/articles', { token: writer, body: article('Comment on me', []) });
    const added = await call('POST', '/articles/comment-on-me/comments', {
      token: commenter,
      body: { comment: { body: 'First!' } },
    });
    expect(added.status).toBe(201);
    expect(added.body.comment).toMatchObject({
      id: expect.any(Number),
      body: 'First!',
      author: { username: 'commenter' },
    });
    await call('POST', '/articles/comment-on-me/comments', {
      token: writer,
      body: { comment: { body: 'Thanks.' } },
    });
    await call('POST', '/profiles/commenter/follow', { token: writer });

    const listed = await call('GET', '/articles/comment-on-me/comments', { token: writer });
    expect(listed.body.comments.map((c: { body: string }) => c.body)).toEqual(['First!', 'Thanks.']);
    expect(listed.body.comments[0].author.following).toBe(true);

    const id = added.body.comment.id;
    expect((await call('DELETE', `/articles/comment-on-me/comments/${id}`, { token: writer })).status).toBe(
      403,
    );
    expect(
      (await call('DELETE', `/articles/comment-on-me/comments/${id}`, { token: commenter })).status,
    ).toBe(204);
    expect(
      (await call('GET', '/articles/comment-on-me/comments')).body.comments.map(
        (c: { body: string }) => c.body,
      ),
    ).toEqual(['Thanks.']);
    expect(
      (await call('DELETE', `/articles/comment-on-me/comments/${id}`, { token: commenter })).status,
    ).toBe(404);
    // Soft: the row is still there, with deletedAt set.
    const kept = await kit.kosha.transaction(() => new CommentRepo().getById(id, { withDeleted: true }));
    expect(kept?.deletedAt).toBeInstanceOf(Date);
  });

  it('caches GET /tags and evicts it when an article brings a new tag', async () => {
    const { call, register, kit } = conduit();
    const tagger = await register('tagger');
    await call('POST', '/articles', { token: tagger, body: article('Tagged', ['alpha']) });
    const first = await call('GET', '/tags');
    expect(first.body.tags).toContain('alpha');
    const hits = kit.cache!.hits;
    expect((await call('GET', '/tags')).body).toEqual(first.body);
    expect(kit.cache!.hits).toBe(hits + 1);
    expect(await kit.cache!.has('tags:all')).toBe(true);
    await call('POST', '/articles', { token: tagger, body: article('Tagged again', ['omega']) });
    expect(await kit.cache!.has('tags:all')).toBe(false);
    expect((await call('GET', '/tags')).body.tags).toEqual([...first.body.tags, 'omega'].sort());
  });
});
