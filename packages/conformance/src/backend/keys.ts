import assert from 'node:assert/strict';
import { DatabaseError, InvalidArgumentError, isIn } from '@kosha/core';
import { rejectionOf, type SuiteRunner } from '../suite-runner.js';
import {
  KArticleRepo,
  KFavoriteRepo,
  KFollow,
  KFollowRepo,
  KSlot,
  KSlotRepo,
  type KUser,
  KUserRepo,
} from './key-entities.js';
import type { SuiteContext } from './suite-context.js';

interface Repos {
  users: KUserRepo;
  articles: KArticleRepo;
  follows: KFollowRepo;
  favorites: KFavoriteRepo;
  slots: KSlotRepo;
}

const idsOf = (follows: readonly KFollow[]) => follows.map((f) => `${f.follower.id}>${f.followee.id}`).sort();

/** Composite primary keys and references (`repo.reference(id)`, a relation given as the related key). */
export function keyTests(t: SuiteRunner, ctx: () => SuiteContext): void {
  let repos: Repos | undefined;
  const r = () => {
    if (!repos) throw new Error('the key tests did not start (see the beforeAll error)');
    return repos;
  };
  t.beforeAll(async () => {
    const { kosha } = ctx();
    repos = {
      users: new KUserRepo(kosha),
      articles: new KArticleRepo(kosha),
      follows: new KFollowRepo(kosha),
      favorites: new KFavoriteRepo(kosha),
      slots: new KSlotRepo(kosha),
    };
  });
  /** `n` new users named after the test. */
  const newUsers = (n: number): Promise<KUser[]> =>
    r().users.insertAll(Array.from({ length: n }, (_, i) => ({ name: ctx().label(`u${i}`) })));

  t.test('a composite key of columns: insert, getById, exists, update, delete', async () => {
    const { slots } = r();
    const region = ctx().label('r').slice(0, 20);
    await slots.insertAll([
      { region, n: 1, label: 'one' },
      { region, n: 2, label: 'two' },
    ]);
    const one = await slots.getById({ region, n: 1 });
    assert.ok(one instanceof KSlot);
    assert.deepEqual([one.region, one.n, one.label], [region, 1, 'one']);
    assert.equal(await slots.getById({ n: 3, region }), null);
    assert.equal(await slots.exists({ region, n: 2 }), true);
    one.label = 'uno';
    await slots.update(one);
    assert.equal((await slots.getById({ region, n: 1 }))?.label, 'uno');
    assert.equal((await slots.getById({ region, n: 2 }))?.label, 'two', 'the other row is untouched');
    assert.equal(await slots.delete({ region, n: 1 }), true);
    assert.equal(await slots.delete({ region, n: 1 }), false);
    assert.equal(await slots.exists({ region, n: 1 }), false);
    const two = (await slots.getById({ region, n: 2 }))!;
    await slots.deleteEntity(two);
    assert.equal(await slots.count({ region }), 0);
  });

  t.test('within a session a composite key finds the one instance, and reference() is it', async () => {
    const { kosha } = ctx();
    const { slots } = r();
    const region = ctx().label('im').slice(0, 20);
    await slots.insertAll([{ region, n: 1, label: 'x' }]);
    await kosha.transaction(async () => {
      const a = await slots.getById({ region, n: 1 });
      const b = await slots.getById({ n: 1, region });
      assert.ok(a && a === b, 'the same instance from the identity map');
      assert.equal(slots.reference({ region, n: 1 }), a);
      const [found] = await slots.find({ where: { region } });
      assert.equal(found, a);
    });
  });

  t.test('findPage orders by every key part, findSlice walks every row once with its cursors', async () => {
    const { slots } = r();
    const region = ctx().label('pg').slice(0, 20);
    const rows = [3, 1, 2, 5, 4].flatMap((n) => [
      { region, n, label: 'same' },
      { region: `${region.slice(0, 18)}-b`, n, label: 'same' },
    ]);
    await slots.insertAll(rows);
    const where = { region: isIn([region, `${region.slice(0, 18)}-b`]) };
    const page = await slots.findPage({ page: 0, size: 4, sort: { label: 'asc' } }, where);
    const key = (s: KSlot) => `${s.region}/${s.n}`;
    const expected = [...rows].map(key).sort((a, b) => {
      const [ra, na] = a.split('/');
      const [rb, nb] = b.split('/');
      return ra! < rb! ? -1 : ra! > rb! ? 1 : Number(na) - Number(nb);
    });
    assert.equal(page.total, 10);
    assert.deepEqual(page.items.map(key), expected.slice(0, 4));
    const walked: string[] = [];
    let slice = await slots.findSlice({ size: 3, sort: { label: 'desc' } }, where);
    walked.push(...slice.items.map(key));
    while (slice.next) {
      slice = await slots.findSlice({ size: 3, sort: { label: 'desc' }, after: slice.next }, where);
      walked.push(...slice.items.map(key));
    }
    assert.deepEqual(walked, expected, 'ties on the sort are broken by region, then n');
  });

  t.test(
    'insertAll takes a relation as the related key and as a reference, in or out of a session',
    async () => {
      const { kosha } = ctx();
      const { users, follows } = r();
      const [a, b, c, d] = await newUsers(4);
      await follows.insertAll([
        { follower: a!.id, followee: b!.id, note: 'by key' },
        { follower: users.reference(a!.id), followee: users.reference(c!.id), note: 'detached reference' },
      ]);
      await kosha.transaction(async () => {
        const ref = users.reference(d!.id);
        await follows.insertAll([{ follower: ref, followee: a!, note: 'session reference' }]);
      });
      const mine = await follows.findAllByField('follower', a!.id);
      assert.deepEqual(idsOf(mine), [`${a!.id}>${b!.id}`, `${a!.id}>${c!.id}`]);
      const found = await follows.getById({ follower: d!.id, followee: a!.id });
      assert.equal(found?.note, 'session reference');
      assert.equal(found?.follower.id, d!.id);
      const byEntity = await follows.getById({ follower: d!, followee: a! });
      assert.equal(byEntity?.note, 'session reference', 'a relation part also takes the entity');
      assert.equal(await users.count({ name: d!.name }), 1, 'a reference never inserts its row again');
      await kosha.transaction(async () => {
        const ref = follows.reference({ follower: a!.id, followee: b!.id });
        const loaded = await follows.getById({ follower: a!.id, followee: b!.id });
        assert.equal(loaded, ref, "a composite key's reference is the session's instance of the row");
        assert.equal(loaded?.note, 'by key');
        await follows.deleteEntity(follows.reference({ follower: a!.id, followee: c!.id }));
      });
      assert.deepEqual(idsOf(await follows.findAllByField('follower', a!.id)), [`${a!.id}>${b!.id}`]);
    },
  );

  t.test(
    'where, findAllByField, count and derived methods take a relation as its key or a reference',
    async () => {
      const { users, follows } = r();
      const [a, b, c] = await newUsers(3);
      await follows.insertAll([
        { follower: a!, followee: b!, note: null },
        { follower: a!, followee: c!, note: null },
        { follower: b!, followee: c!, note: null },
      ]);
      assert.deepEqual(
        idsOf(await follows.find({ where: { follower: a!.id } })),
        idsOf(await follows.findAllByField('follower', a!)),
      );
      assert.equal(await follows.count({ followee: users.reference(c!.id) }), 2);
      assert.equal(await follows.count({ followee: isIn([b!.id, c!.id]), follower: a!.id }), 2);
      assert.equal((await follows.findByFollower(b!.id)).length, 1);
      assert.equal(await follows.exists({ follower: b!.id, followee: c!.id }), true);
      assert.equal(await follows.exists({ follower: c!.id, followee: b!.id }), false);
      assert.equal((await follows.findByField('followee', b!.id))?.follower.id, a!.id);
      const followingC = await users.find({
        where: { following: { followee: c!.id } },
        orderBy: { id: 'asc' },
      });
      assert.deepEqual(
        followingC.map((u) => u.id),
        [a!.id, b!.id],
        'a to-many of a composite-key entity',
      );
      const [loaded] = await users.find({ where: { id: a!.id }, populate: ['following'] });
      assert.equal(loaded?.following.length, 2);
    },
  );

  t.test('findSlice over a key of two relations: its cursor holds both foreign keys', async () => {
    const { follows } = r();
    const [a, b, c] = await newUsers(3);
    await follows.insertAll([
      { follower: b!, followee: c!, note: null },
      { follower: a!, followee: c!, note: null },
      { follower: a!, followee: b!, note: null },
    ]);
    const where = { follower: isIn([a!.id, b!.id]) };
    const walked: KFollow[] = [];
    let slice = await follows.findSlice({ size: 1 }, where);
    walked.push(...slice.items);
    while (slice.next) {
      slice = await follows.findSlice({ size: 1, after: slice.next }, where);
      walked.push(...slice.items);
    }
    assert.deepEqual(
      walked.map((f) => `${f.follower.id}>${f.followee.id}`),
      [`${a!.id}>${b!.id}`, `${a!.id}>${c!.id}`, `${b!.id}>${c!.id}`],
    );
  });

  t.test(
    'update sets a relation to a key, and changes the row of a composite key with relation parts',
    async () => {
      const { users, articles, favorites } = r();
      const [a, b] = await newUsers(2);
      const [article] = await articles.insertAll([{ title: ctx().label('t'), author: a!.id }]);
      await favorites.insertAll([{ user: b!.id, article: article!.id, stars: 1 }]);
      const fav = (await favorites.getById({ user: b!.id, article: article!.id }))!;
      fav.stars = 5;
      await favorites.update(fav);
      assert.equal((await favorites.getById({ user: b!, article: article! }))?.stars, 5);
      const detached = { ...article!, author: b!.id };
      Object.setPrototypeOf(detached, Object.getPrototypeOf(article));
      await articles.update(detached);
      const reread = await articles.find({ where: { id: article!.id }, populate: ['author'] });
      assert.equal(reread[0]?.author.name, b!.name);
      assert.equal(await favorites.delete({ user: b!.id, article: article!.id }), true);
      assert.equal(await favorites.count({ article: article! }), 0);
      assert.ok(await users.getById(b!.id), 'deleting the favorite leaves the user');
    },
  );

  t.test(
    'a derived deleteBy… on a composite key deletes those rows, and the session forgets them',
    async () => {
      const { kosha } = ctx();
      const { follows } = r();
      const [a, b, c] = await newUsers(3);
      await follows.insertAll([
        { follower: a!, followee: b!, note: null },
        { follower: a!, followee: c!, note: null },
        { follower: b!, followee: a!, note: null },
      ]);
      await kosha.transaction(async () => {
        assert.ok(await follows.getById({ follower: a!.id, followee: b!.id }));
        assert.equal(await follows.deleteByFollower(a!.id), 2);
        assert.equal(await follows.getById({ follower: a!.id, followee: b!.id }), null);
      });
      assert.deepEqual(idsOf(await follows.findAllByField('followee', a!)), [`${b!.id}>${a!.id}`]);
    },
  );

  t.test('a duplicate composite key is the unique violation, and the batch is not stored', async () => {
    const { follows } = r();
    const [a, b, c] = await newUsers(3);
    await follows.insertAll([{ follower: a!, followee: b!, note: null }]);
    const error = await rejectionOf(
      follows.insertAll([
        { follower: a!, followee: c!, note: null },
        { follower: a!.id, followee: b!.id, note: 'again' },
      ]),
    );
    assert.ok(error instanceof DatabaseError, `got ${String(error)}`);
    assert.equal(error.kind, 'unique_violation');
    assert.deepEqual(idsOf(await follows.findAllByField('follower', a!)), [`${a!.id}>${b!.id}`]);
  });

  t.test('a key of the wrong type or shape is an InvalidArgumentError before any SQL', async () => {
    const { users, follows, slots, articles } = r();
    const before = ctx().sessionsOpened();
    const cases: [string, () => Promise<unknown>][] = [
      ['a string for a number part', () => follows.getById({ follower: '1' as never, followee: 2 })],
      ['a missing part', () => follows.getById({ follower: 1 } as never)],
      ['a field not in the key', () => slots.getById({ region: 'x', n: 1, label: 'x' } as never)],
      ['a bare value for a composite key', () => slots.delete(7 as never)],
      ['an array for a composite key', () => slots.getById(['x', 1] as never)],
      ['a string for a number key', () => users.getById('1' as never)],
      ['a string key in findAllByField', () => follows.findAllByField('follower', 'x' as never)],
      ['a string key in a row', () => articles.insertAll([{ title: 'x', author: 'one' as never }])],
      ['a string key in where', () => follows.count({ follower: 'x' as never })],
    ];
    for (const [what, call] of cases) {
      const error = await rejectionOf(call());
      assert.ok(error instanceof InvalidArgumentError, `${what}: got ${String(error)}`);
    }
    assert.throws(() => users.reference('1' as never), InvalidArgumentError);
    assert.equal(ctx().sessionsOpened(), before, 'no session was opened');
  });

  t.test('a reference outside a session carries only its key, and is an instance of the entity', () => {
    const { follows } = r();
    const ref = follows.reference({ follower: 1, followee: 2 });
    assert.ok(ref instanceof KFollow);
    assert.equal(ref.follower.id, 1);
    assert.equal(ref.followee.id, 2);
    assert.equal(ref.note, undefined);
    return Promise.resolve();
  });
}
