import assert from 'node:assert/strict';
import {
  contains,
  eq,
  gte,
  InvalidArgumentError,
  ilike,
  isIn,
  KoshaError,
  like,
  or,
  startsWith,
  UnknownFieldError,
} from '@kosha/core';
import fc from 'fast-check';
import { rejectionOf, type SuiteRunner } from '../suite-runner.js';
import { type QAuthor, QAuthorRepo, QPost, QPostRepo } from './entities.js';
import { authorCondition, authorWhere, postCondition, postWhere } from './query-conditions.js';
import { AUTHORS, authorRows, POSTS, postRows } from './query-fixture.js';
import { pagingTests } from './query-paging.js';
import type { SuiteContext } from './suite-context.js';

/** What the query tests share: the repositories and the fixture's rows as inserted. */
interface QueryFixture {
  authors: QAuthorRepo;
  posts: QPostRepo;
  authorIds: number[];
  postIds: number[];
}

/** `find`, `findOne`, `count`, `exists` with conditions, and the property test against the in-memory model. */
export function queryTests(t: SuiteRunner, ctx: () => SuiteContext): void {
  let fixture: QueryFixture | undefined;
  const q = () => {
    if (!fixture) throw new Error('the query fixture was not inserted (see the beforeAll error)');
    return fixture;
  };
  t.beforeAll(async () => {
    const { kosha } = ctx();
    const authors = new QAuthorRepo(kosha);
    const posts = new QPostRepo(kosha);
    const savedAuthors = await authors.insertAll(authorRows());
    const savedPosts = await posts.insertAll(postRows(savedAuthors));
    fixture = {
      authors,
      posts,
      authorIds: savedAuthors.map((a) => a.id),
      postIds: savedPosts.map((p) => p.id),
    };
  });

  const authorIdsWhere = (test: (i: number) => boolean) => q().authorIds.filter((_, i) => test(i));
  const idsOf = (rows: { id: number }[]) => rows.map((r) => r.id);

  t.test('find: where, orderBy on several fields, limit and offset', async () => {
    const { authors } = q();
    const all = await authors.find({ where: { age: gte(18) }, orderBy: [{ age: 'desc' }, { id: 'asc' }] });
    const expected = AUTHORS.map((a, i) => ({ a, id: q().authorIds[i]! }))
      .filter(({ a }) => a.age !== null && a.age >= 18)
      .sort((x, y) => y.a.age! - x.a.age! || x.id - y.id)
      .map((x) => x.id);
    assert.deepEqual(idsOf(all), expected);
    const page = await authors.find({
      where: { age: gte(18) },
      orderBy: [{ age: 'desc' }, { id: 'asc' }],
      limit: 3,
      offset: 2,
    });
    assert.deepEqual(idsOf(page), expected.slice(2, 5));
    assert.deepEqual(await authors.find({ limit: 0 }), []);
  });

  t.test('find orders through a to-one relation and loads relations with populate', async () => {
    const { posts } = q();
    const rows = await posts.find({
      where: { author: { active: true } },
      orderBy: [{ author: { score: 'desc' } }, { id: 'asc' }],
      populate: ['author'],
    });
    const expected = POSTS.map((p, i) => ({ p, id: q().postIds[i]! }))
      .filter(({ p }) => p.author !== null && AUTHORS[p.author]!.active)
      .sort((x, y) => AUTHORS[y.p.author!]!.score - AUTHORS[x.p.author!]!.score || x.id - y.id)
      .map((x) => x.id);
    assert.deepEqual(idsOf(rows), expected);
    for (const row of rows) assert.equal(typeof row.author?.username, 'string', 'the author is loaded');
  });

  t.test('select loads the chosen fields and the primary key only', async () => {
    const { authors, authorIds } = q();
    const [row] = await authors.find({ where: { id: authorIds[0]! }, select: ['username'] });
    assert.equal(row?.id, authorIds[0]);
    assert.equal(row?.username, AUTHORS[0]!.username);
    assert.equal((row as Partial<QAuthor> | undefined)?.score, undefined, 'score was not loaded');
  });

  t.test('findOne, count and exists take conditions', async () => {
    const { authors, authorIds } = q();
    const first = await authors.findOne({ active: true }, { orderBy: { score: 'desc' } });
    const top = AUTHORS.filter((a) => a.active).sort((x, y) => y.score - x.score)[0]!;
    assert.equal(first?.username, top.username);
    assert.equal(await authors.findOne({ username: 'nobody' }), null);
    assert.equal(await authors.count({ active: false }), AUTHORS.filter((a) => !a.active).length);
    assert.equal(await authors.count(), AUTHORS.length);
    assert.equal(await authors.exists({ username: 'straße' }), true);
    assert.equal(await authors.exists({ username: 'strasse' }), false);
    assert.equal(await authors.exists(authorIds[3]!), true);
    assert.equal(await authors.exists(or({ age: 12_345 }, { username: 'no one' })), false);
  });

  t.test(
    'text compares exactly: case, accents and trailing spaces count, like is case-sensitive',
    async () => {
      const { authors } = q();
      const names = async (where: Parameters<QAuthorRepo['find']>[0]) =>
        (await authors.find({ ...where, orderBy: { id: 'asc' } })).map((a) => a.username);
      assert.deepEqual(await names({ where: { username: 'ada' } }), ['ada']);
      assert.deepEqual(await names({ where: { username: isIn(['ADA', 'élan']) } }), ['ADA', 'élan']);
      assert.deepEqual(await names({ where: { username: like('Ad%') } }), ['Ada']);
      assert.deepEqual(await names({ where: { username: startsWith('50%_') } }), ['50%_off']);
      assert.deepEqual(await names({ where: { username: contains('_b\\') } }), ['a_b\\c']);
      assert.deepEqual(await names({ where: { username: like('a\\_b%') } }), ['a_b\\c']);
    },
  );

  t.test('ignoreCase and ilike fold ASCII letters only, the same on every database', async () => {
    const { authors } = q();
    const names = async (where: Parameters<QAuthorRepo['find']>[0]) =>
      (await authors.find({ ...where, orderBy: { id: 'asc' } })).map((a) => a.username);
    assert.deepEqual(await names({ where: { username: eq('ADA', { ignoreCase: true }) } }), [
      'ada',
      'Ada',
      'ADA',
    ]);
    assert.deepEqual(await names({ where: { username: ilike('%LAN') } }), ['Élan', 'élan']);
    assert.deepEqual(await names({ where: { username: startsWith('élan', { ignoreCase: true }) } }), [
      'élan',
    ]);
    assert.deepEqual(await names({ where: { username: eq('STRASSE', { ignoreCase: true }) } }), []);
    assert.deepEqual(await names({ where: { nickname: eq('strasse', { ignoreCase: true }) } }), ['straße']);
  });

  t.test('a query with an unknown field or an operator-shaped value fails before any SQL', async () => {
    const { authors } = q();
    const before = ctx().sessionsOpened();
    const bad = [
      [() => authors.find({ where: { emial: 'x' } as never }), UnknownFieldError],
      [() => authors.find({ where: JSON.parse('{"username": {"$ne": "x"}}') }), InvalidArgumentError],
      [() => authors.count(JSON.parse('{"$or": [{"username": "ada"}]}')), UnknownFieldError],
      [() => authors.exists(JSON.parse('{"age": {"op": "gt", "value": 1}}')), InvalidArgumentError],
      [() => authors.findOne(JSON.parse('{"__proto__": {"active": true}}')), UnknownFieldError],
      [() => authors.find({ where: { age: [1, 2] as never } }), InvalidArgumentError],
      [() => authors.find({ limit: -1 }), InvalidArgumentError],
      [() => authors.find({ offset: Number.NaN }), InvalidArgumentError],
      [() => authors.find({ limit: 1.5 }), InvalidArgumentError],
      [() => authors.find({ orderBy: { username: 'asc; drop table x' as never } }), InvalidArgumentError],
      [() => authors.find({ populate: ['username' as never] }), InvalidArgumentError],
    ] as const;
    for (const [call, Err] of bad) {
      const error = await rejectionOf(Promise.resolve().then(call as () => Promise<unknown>));
      assert.ok(error instanceof Err, `${String(call)}: ${String(error)}`);
    }
    assert.equal(ctx().sessionsOpened(), before, 'no session was opened');
  });

  t.test('hostile text is data: SQL, LIKE and glob characters, quotes, very long strings, NUL', async () => {
    const { authors } = q();
    for (const text of [
      "x'; drop table y; --",
      '%',
      '_',
      '*',
      '?',
      '[a-z]*?',
      '\\',
      "o'neil",
      'x'.repeat(10_000),
    ]) {
      const expected = AUTHORS.filter((a) => a.username === text || a.nickname === text).length;
      assert.equal(
        await authors.count(or({ username: text }, { nickname: text })),
        expected,
        JSON.stringify(text.slice(0, 20)),
      );
      const containing = AUTHORS.filter((a) => a.username.includes(text)).length;
      assert.equal(
        await authors.count({ username: contains(text) }),
        containing,
        `contains ${JSON.stringify(text.slice(0, 20))}`,
      );
    }
    // A NUL is data where the database stores it (MariaDB) and a DatabaseError where it cannot (PostgreSQL, SQLite).
    const nul = await authors.count({ username: 'a\u0000b' }).catch((error: unknown) => error);
    assert.ok(nul === 0 || nul instanceof KoshaError, `a NUL: ${String(nul)}`);
  });

  t.test(
    'property: random where trees over authors return exactly the rows the in-memory model keeps',
    async () => {
      const { authors } = q();
      await fc.assert(
        fc.asyncProperty(authorCondition(), async (c) => {
          const expected = authorIdsWhere((i) => c.test(AUTHORS[i]!) === true);
          const found = idsOf(await authors.find({ where: authorWhere(c), orderBy: { id: 'asc' } }));
          assert.deepEqual(found, expected, c.text);
          assert.equal(await authors.count(authorWhere(c)), expected.length, `count ${c.text}`);
        }),
        { numRuns: 80 },
      );
    },
  );

  t.test('property: random where trees over posts, through their author, match the model', async () => {
    const { posts, postIds } = q();
    await fc.assert(
      fc.asyncProperty(postCondition(), async (c) => {
        const expected = postIds.filter((_, i) => c.test(POSTS[i]!) === true);
        const found = idsOf(await posts.find({ where: postWhere(c), orderBy: { id: 'asc' } }));
        assert.deepEqual(found, expected, c.text);
        assert.equal(await posts.exists(postWhere(c)), expected.length > 0, `exists ${c.text}`);
      }),
      { numRuns: 80 },
    );
  });

  t.test(
    'findSlice sorts by a to-one relation (its foreign key, NULLs included) and walks every row once',
    async () => {
      const { posts } = q();
      for (const direction of ['asc', 'desc'] as const) {
        const expected = idsOf(await posts.find({ orderBy: [{ author: direction }, { id: 'asc' }] }));
        const seen: number[] = [];
        let slice = await posts.findSlice({ size: 3, sort: { author: direction } });
        seen.push(...idsOf(slice.items));
        while (slice.next) {
          slice = await posts.findSlice({ size: 3, sort: { author: direction }, after: slice.next });
          seen.push(...idsOf(slice.items));
        }
        assert.deepEqual(seen, expected, direction);
      }
    },
  );

  t.test(
    'findPage filters and sorts through a to-one relation: rows, total and managed entities as find gives them',
    async () => {
      const { posts, authors } = q();
      const where = { author: { active: true } };
      const sort = { author: { score: 'desc' }, views: 'asc' } as const;
      const expected = idsOf(await posts.find({ where, orderBy: [sort, { id: 'asc' }] }));
      assert.ok(expected.length > 4, 'the fixture has posts of active authors');
      const seen: number[] = [];
      for (let page = 0; page * 4 < expected.length; page++) {
        const p = await posts.findPage({ page, size: 4, sort }, where);
        assert.equal(p.total, expected.length, `total of page ${page}`);
        seen.push(...idsOf(p.items));
      }
      assert.deepEqual(seen, expected);
      // Alone, the page's rows are entities of their own session; inside a transaction, the managed ones.
      const [first] = (await posts.findPage({ page: 0, size: 1, sort }, where)).items;
      assert.ok(first instanceof QPost, 'an entity');
      await ctx().kosha.transaction(async () => {
        const loaded = await posts.getById(first.id);
        const p = await posts.findPage({ page: 0, size: 1, sort }, where);
        assert.equal(p.items[0], loaded, 'the instance the transaction already holds');
        assert.equal(p.total, expected.length);
        const author = await authors.getById(loaded!.author!.id);
        assert.equal(loaded!.author, author, 'its author is a reference of the same session');
      });
    },
  );

  t.describe('paging', () => pagingTests(t, ctx));
}
