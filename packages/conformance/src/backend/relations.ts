import assert from 'node:assert/strict';
import { DatabaseError, InvalidArgumentError, isIn, isNull, startsWith } from '@kosha/core';
import { rejectionOf, type SuiteRunner } from '../suite-runner.js';
import {
  RAddress,
  RArticle,
  RArticleRepo,
  RAuthor,
  RAuthorRepo,
  RCommentRepo,
  RProfileRepo,
  RTagRepo,
} from './relation-entities.js';
import type { SuiteContext } from './suite-context.js';

interface Repos {
  tags: RTagRepo;
  profiles: RProfileRepo;
  authors: RAuthorRepo;
  articles: RArticleRepo;
  comments: RCommentRepo;
}

const names = (items: Iterable<{ name: string }>) => [...items].map((t) => t.name).sort();

function address(city: string, street: string | null = null): RAddress {
  return Object.assign(new RAddress(), { city, street });
}

/**
 * Many-to-many (owner and inverse side), one-to-one (both sides), cascade persist and remove,
 * orphanRemoval, `onDelete`, a composite unique constraint and embedded values, through the repositories
 * and the query API.
 */
export function relationTests(t: SuiteRunner, ctx: () => SuiteContext): void {
  let repos: Repos | undefined;
  const r = () => {
    if (!repos) throw new Error('the relation repositories were not made (see the beforeAll error)');
    return repos;
  };
  t.beforeAll(async () => {
    const { kosha } = ctx();
    repos = {
      tags: new RTagRepo(kosha),
      profiles: new RProfileRepo(kosha),
      authors: new RAuthorRepo(kosha),
      articles: new RArticleRepo(kosha),
      comments: new RCommentRepo(kosha),
    };
  });

  /** An author (new name each time: the composite unique constraint) with an article tagged `tagNames`. */
  async function articleWith(what: string, tagNames: string[]) {
    const { label } = ctx();
    const { tags, authors, articles } = r();
    const made = await tags.insertAll(tagNames.map((n) => ({ name: label(n) })));
    const [author] = await authors.insertAll([
      { name: label(what), country: 'NL', profile: null, address: address('Delft') },
    ]);
    const article = new RArticle();
    article.title = label(what);
    article.author = author!;
    article.tags.add(...made);
    const [saved] = await articles.insertAll([article]);
    return { article: saved!, tags: made, author: author! };
  }

  t.test('a new entity has an empty, loaded Many (many(this))', async () => {
    const article = new RArticle();
    assert.equal(article.tags.isLoaded, true);
    assert.equal(article.tags.count(), 0);
    assert.equal(article.tags.length, 0);
    assert.deepEqual(article.tags.items, []);
  });

  t.test('many-to-many: add, then populate from the owning side', async () => {
    const { article, tags } = await articleWith('m2m-add', ['a', 'b']);
    const read = await r().articles.findOne({ id: article.id }, { populate: ['tags'] });
    assert.ok(read);
    assert.equal(read.tags.isLoaded, true);
    assert.equal(read.tags.count(), 2);
    assert.deepEqual(names(read.tags), names(tags));
    assert.deepEqual(names(read.tags.items), names(tags));
  });

  t.test('many-to-many: load() loads an unpopulated collection', async () => {
    const { kosha } = ctx();
    const { article } = await articleWith('m2m-load', ['a', 'b', 'c']);
    await kosha.transaction(async () => {
      const read = (await r().articles.getById(article.id))!;
      assert.equal(read.tags.isLoaded, false);
      await read.tags.load();
      assert.equal(read.tags.isLoaded, true);
      assert.equal(read.tags.count(), 3);
    });
  });

  t.test('many-to-many: remove deletes the pivot row, not the entity', async () => {
    const { kosha } = ctx();
    const { article, tags } = await articleWith('m2m-remove', ['a', 'b']);
    await kosha.transaction(async () => {
      const read = (await r().articles.findOne({ id: article.id }, { populate: ['tags'] }))!;
      read.tags.remove(read.tags.items.find((x) => x.id === tags[0]!.id)!);
      await r().articles.update(read);
    });
    const after = await r().articles.findOne({ id: article.id }, { populate: ['tags'] });
    assert.deepEqual(names(after!.tags), [tags[1]!.name]);
    assert.ok(await r().tags.exists(tags[0]!.id), 'the tag itself stays');
  });

  t.test('many-to-many: the inverse side populates and filters', async () => {
    const { article, tags } = await articleWith('m2m-inverse', ['a']);
    const tag = await r().tags.findOne({ id: tags[0]!.id }, { populate: ['articles'] });
    assert.deepEqual(
      [...tag!.articles].map((a) => a.id),
      [article.id],
    );
    const found = await r().tags.find({ where: { articles: { title: article.title } } });
    assert.deepEqual(
      found.map((x) => x.id),
      [tags[0]!.id],
    );
  });

  t.test('many-to-many: where through the relation matches rows with some related row', async () => {
    const { article, tags } = await articleWith('m2m-where', ['x', 'y']);
    await articleWith('m2m-where-other', ['z']);
    const found = await r().articles.find({ where: { tags: { name: tags[1]!.name } }, populate: ['tags'] });
    assert.deepEqual(
      found.map((a) => a.id),
      [article.id],
    );
    assert.equal(found[0]!.tags.count(), 2, 'populate loads every tag, not only the matching one');
    assert.equal(await r().articles.count({ tags: { name: isIn([tags[0]!.name, tags[1]!.name]) } }), 1);
    assert.equal(await r().articles.count({ tags: { name: 'no such tag' } }), 0);
  });

  t.test('many-to-many: a value where a condition is expected is refused', async () => {
    const error = await rejectionOf(r().articles.find({ where: { tags: 1 as never } }));
    assert.ok(error instanceof InvalidArgumentError, String(error));
  });

  t.test('one-to-one: populate and where from both sides', async () => {
    const { label } = ctx();
    const [profile] = await r().profiles.insertAll([{ bio: label('bio') }]);
    const [author] = await r().authors.insertAll([
      { name: label('1to1'), country: 'NL', profile: profile!, address: address('Leiden') },
    ]);
    const owner = await r().authors.findOne({ id: author!.id }, { populate: ['profile'] });
    assert.equal(owner!.profile!.bio, profile!.bio);
    const inverse = await r().profiles.findOne({ id: profile!.id }, { populate: ['author'] });
    assert.equal(inverse!.author!.id, author!.id);
    const byBio = await r().authors.find({ where: { profile: { bio: profile!.bio } } });
    assert.deepEqual(
      byBio.map((a) => a.id),
      [author!.id],
    );
    const byKey = await r().authors.find({ where: { profile: profile!.id } });
    assert.deepEqual(
      byKey.map((a) => a.id),
      [author!.id],
    );
    const byAuthor = await r().profiles.find({ where: { author: { name: author!.name } } });
    assert.deepEqual(
      byAuthor.map((p) => p.id),
      [profile!.id],
    );
    // The inverse side has no column: its key is the joined owner's.
    const byAuthorKey = await r().profiles.find({ where: { author: isIn([author!.id]) } });
    assert.deepEqual(
      byAuthorKey.map((p) => p.id),
      [profile!.id],
    );
    const [lonely] = await r().profiles.insertAll([{ bio: label('lonely') }]);
    const unowned = await r().profiles.find({
      where: { author: isNull(), id: isIn([profile!.id, lonely!.id]) },
    });
    assert.deepEqual(
      unowned.map((p) => p.id),
      [lonely!.id],
    );
  });

  t.test("one-to-one: onDelete 'set null' clears the owner's foreign key", async () => {
    const { label } = ctx();
    const [profile] = await r().profiles.insertAll([{ bio: label('gone') }]);
    const [author] = await r().authors.insertAll([
      { name: label('1to1-null'), country: 'NL', profile: profile!, address: address('Gouda') },
    ]);
    assert.equal(await r().profiles.delete(profile!.id), true);
    const read = await r().authors.findOne({ id: author!.id }, { populate: ['profile'] });
    assert.equal(read!.profile, null);
  });

  t.test('one-to-many: cascade persist inserts new children added to the collection', async () => {
    const { label } = ctx();
    const author = Object.assign(new RAuthor(), {
      name: label('cascade'),
      country: 'BE',
      profile: null,
      address: address('Gent'),
    });
    const child = Object.assign(new RArticle(), { title: label('child'), author });
    author.articles.add(child);
    await r().authors.insertAll([author]);
    assert.equal(await r().articles.count({ author: author.id }), 1);
  });

  t.test("one-to-many: cascade 'remove' deletes the children with the parent", async () => {
    const { kosha } = ctx();
    const { article, author } = await articleWith('cascade-remove', []);
    // MikroORM cascades to what the session has loaded: load the children in the deleting session.
    await kosha.transaction(async () => {
      const loaded = await r().authors.findOne({ id: author.id }, { populate: ['articles'] });
      await r().authors.deleteEntity(loaded!);
    });
    assert.equal(await r().articles.exists(article.id), false);
    assert.equal(await r().authors.exists(author.id), false);
  });

  t.test('one-to-many: orphanRemoval deletes a child removed from the collection', async () => {
    const { kosha } = ctx();
    const { article, author } = await articleWith('orphan', []);
    await kosha.transaction(async () => {
      const loaded = (await r().authors.findOne({ id: author.id }, { populate: ['articles'] }))!;
      loaded.articles.remove(loaded.articles.items[0]!);
    });
    assert.equal(await r().articles.exists(article.id), false);
    assert.equal(await r().authors.exists(author.id), true);
  });

  t.test(
    "many-to-one: onDelete 'cascade' lets the database delete the rows pointing at a deleted row",
    async () => {
      const { label } = ctx();
      const { article } = await articleWith('fk-cascade', []);
      const [comment] = await r().comments.insertAll([{ body: label('c'), article }]);
      assert.equal(await r().articles.delete(article.id), true);
      assert.equal(await r().comments.exists(comment!.id), false);
    },
  );

  t.test('@unique over two columns: a repeated pair is a unique_violation DatabaseError', async () => {
    const { label } = ctx();
    const name = label('twin');
    await r().authors.insertAll([{ name, country: 'NL', profile: null, address: address('Delft') }]);
    await r().authors.insertAll([{ name, country: 'BE', profile: null, address: address('Delft') }]);
    const error = await rejectionOf(
      r().authors.insertAll([{ name, country: 'NL', profile: null, address: address('Utrecht') }]),
    );
    assert.ok(error instanceof DatabaseError, String(error));
    assert.equal(error.kind, 'unique_violation');
  });

  t.test('embedded: round trip, where and orderBy through its fields', async () => {
    const { label } = ctx();
    const city = label('City');
    const [a, b] = await r().authors.insertAll([
      { name: label('emb-a'), country: 'NL', profile: null, address: address(city, 'Oude Delft 1') },
      { name: label('emb-b'), country: 'NL', profile: null, address: address(city, null) },
    ]);
    const read = await r().authors.getById(a!.id);
    assert.ok(read!.address instanceof RAddress);
    assert.deepEqual({ ...read!.address }, { city, street: 'Oude Delft 1' });
    const found = await r().authors.find({
      where: { address: { city, street: startsWith('Oude') } },
    });
    assert.deepEqual(
      found.map((x) => x.id),
      [a!.id],
    );
    // The label's "City" has capitals: text is compared exactly, as in every other where.
    assert.equal(await r().authors.count({ address: { city: city.toLowerCase() } }), 0);
    const ordered = await r().authors.find({
      where: { address: { city } },
      orderBy: { address: { street: 'desc' }, id: 'asc' },
    });
    assert.equal(ordered.length, 2);
    assert.deepEqual(new Set(ordered.map((x) => x.id)), new Set([a!.id, b!.id]));
  });

  t.test('embedded: a value where a condition on its fields is expected is refused', async () => {
    const error = await rejectionOf(r().authors.find({ where: { address: 'Delft' as never } }));
    assert.ok(error instanceof InvalidArgumentError, String(error));
  });

  t.test('populate of an embedded value is refused', async () => {
    const error = await rejectionOf(r().authors.find({ populate: ['address' as never] }));
    assert.ok(error instanceof InvalidArgumentError, String(error));
  });

  t.test('insertAll of plain objects gives the to-many collections, loaded', async () => {
    const { label } = ctx();
    const [tag] = await r().tags.insertAll([{ name: label('plain') }]);
    assert.equal(tag!.articles.isLoaded, true);
    assert.equal(tag!.articles.count(), 0);
  });
}
