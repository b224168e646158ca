import {
  cacheable,
  column,
  createKosha,
  DbRepo,
  entity,
  id,
  type Kosha,
  manyToOne,
  memoryCache,
  type Opt,
  repository,
  table,
  version,
} from '@kosha/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mikroOrm } from '../../src/index.js';
import { DATABASES, emptyDatabase, memoryLogger } from '../support/databases.js';
import { type SentQuery, watchStatements } from '../support/statements.js';

/*
 * A relation value that is an entity no session of this transaction manages — a `@cacheable` hit,
 * an entity from a finished transaction, a plain `{ id }` from JSON, or a bare key — stands for the
 * existing row: it is referenced, never inserted again, and its other fields are not written.
 */

@entity
@table('dr_users')
class User {
  @id() id!: number;
  @column({ type: 'string', length: 100 }) name!: string;
  @column({ type: 'string', length: 255, unique: true }) email!: string;
}

@entity
@table('dr_follows')
class Follow {
  @id() id!: number;
  @manyToOne(() => User) follower!: User;
  @manyToOne(() => User) followee!: User;
}

@entity
@table('dr_articles')
class Article {
  @id() id!: number;
  @column({ type: 'string' }) title!: string;
  @manyToOne(() => User) author!: User;
  @version() version!: Opt<number>;
}

@repository
class Users extends DbRepo<User> {
  constructor(kosha: Kosha) {
    super(User, kosha);
  }

  @cacheable({ keyPrefix: 'dr-user', ttl: 60 })
  async cached(userId: number) {
    return this.getById(userId);
  }
}

class Follows extends DbRepo<Follow> {}
class Articles extends DbRepo<Article> {}

/** Records the INSERT statements sent on the session's transaction from now on. */
const watchInserts = (em: SqlEntityManager) => watchStatements(em, /^\s*insert\b/i);

/** The bulk insert sends its values as parameters; MikroORM's unit of work inlines them (no parameters). */
const bulk = (q: SentQuery) => q.parameters.length > 0;

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`detached entities as relation values on ${db.name}`, () => {
    let kosha: Kosha;
    let drop: () => Promise<void>;
    let users: Users;
    let follows: Follows;
    let articles: Articles;
    let seq = 0;
    beforeAll(async () => {
      const database = await emptyDatabase(db);
      drop = database.drop;
      kosha = await createKosha({
        orm: mikroOrm({ url: database.url }),
        entities: [User, Follow, Article],
        setDefault: false,
        cache: memoryCache(),
        logger: memoryLogger(),
      });
      await kosha.schema.create();
      users = new Users(kosha);
      follows = new Follows(Follow, kosha);
      articles = new Articles(Article, kosha);
    });
    afterAll(async () => {
      await kosha?.close();
      await drop?.();
    });

    const newUser = (name: string) => ({ name, email: `${name}-${++seq}@example.com` });
    const userRows = () => users.count();

    /** A user as a `@cacheable` hit gives it: a `User` with its key, managed by no session. */
    async function cachedUser(name: string): Promise<User> {
      const [saved] = await users.insertAll([newUser(name)]);
      const miss = (await users.cached(saved!.id))!;
      const hit = (await users.cached(saved!.id))!;
      expect(hit).not.toBe(miss);
      expect(hit).toBeInstanceOf(User);
      expect(hit.id).toBe(saved!.id);
      return hit;
    }

    /** The foreign keys of follow rows, as the database holds them. */
    async function followeeIds(ids: readonly number[]): Promise<number[]> {
      return kosha.transaction(async () => {
        const rows = await follows.em.execute<{ followee_id: number | string }[]>(
          `select followee_id from dr_follows where id in (${ids.map(() => '?').join(', ')}) order by id`,
          [...ids],
        );
        return rows.map((r) => Number(r.followee_id));
      });
    }

    async function authorId(articleId: number): Promise<number> {
      return kosha.transaction(async () => {
        const rows = await articles.em.execute<{ author_id: number | string }[]>(
          'select author_id from dr_articles where id = ?',
          [articleId],
        );
        return Number(rows[0]!.author_id);
      });
    }

    it('a cached entity in insertAll is a reference: many rows go out in one bulk statement', async () => {
      const star = await cachedUser('star');
      const fans = await users.insertAll([newUser('fan-1'), newUser('fan-2'), newUser('fan-3')]);
      const before = await userRows();
      const saved = await kosha.transaction(async () => {
        const sent = watchInserts(follows.em);
        const out = await follows.insertAll(fans.map((fan) => ({ follower: fan, followee: star })));
        expect(sent).toHaveLength(1);
        expect(bulk(sent[0]!)).toBe(true);
        expect(sent[0]!.sql).toMatch(/dr_follows/);
        return out;
      });
      expect(await userRows()).toBe(before);
      expect(await followeeIds(saved.map((f) => f.id))).toEqual([star.id, star.id, star.id]);
    });

    it('a cached entity in a row that needs the unit of work is a reference, and is not merged', async () => {
      const star = await cachedUser('star-uow');
      star.name = 'not written';
      const before = await userRows();
      const saved = await kosha.transaction(async () => {
        const sent = watchInserts(follows.em);
        // A new follower must be cascaded: the unit of work inserts that row, and only that user.
        const out = await follows.insertAll([{ follower: newUser('new-fan') as User, followee: star }]);
        expect(sent.some(bulk)).toBe(false);
        expect(sent.filter((q) => /dr_users/.test(q.sql))).toHaveLength(1);
        return out;
      });
      expect(await userRows()).toBe(before + 1);
      expect(await followeeIds(saved.map((f) => f.id))).toEqual([star.id]);
      expect((await users.getById(star.id))!.name).toBe('star-uow');
    });

    it('an entity from another, finished transaction is a reference, and is not merged', async () => {
      const [a, b] = await users.insertAll([newUser('earlier-a'), newUser('earlier-b')]);
      const loaded = await kosha.transaction(async () => [
        (await users.getById(a!.id))!,
        (await users.getById(b!.id))!,
      ]);
      loaded[0]!.name = 'not written';
      const before = await userRows();
      const saved = await kosha.transaction(async () => {
        const [me] = await users.insertAll([newUser('me')]);
        return follows.insertAll([
          { follower: me!, followee: loaded[0]! },
          { follower: me!, followee: loaded[1]! },
        ]);
      });
      expect(await userRows()).toBe(before + 1);
      expect(await followeeIds(saved.map((f) => f.id))).toEqual([a!.id, b!.id]);
      expect((await users.getById(a!.id))!.name).toBe('earlier-a');
    });

    it('a plain object carrying the key is a reference; its other fields are not written', async () => {
      const [target] = await users.insertAll([newUser('plain')]);
      const [me] = await users.insertAll([newUser('me')]);
      const fromJson = JSON.parse(
        JSON.stringify({ id: target!.id, name: 'from json', email: target!.email }),
      );
      const before = await userRows();
      const saved = await follows.insertAll([{ follower: { id: me!.id } as User, followee: fromJson }]);
      expect(await userRows()).toBe(before);
      expect(await followeeIds(saved.map((f) => f.id))).toEqual([target!.id]);
      expect((await users.getById(target!.id))!.name).toBe('plain');
    });

    it('a bare key is a reference', async () => {
      const [target, me] = await users.insertAll([newUser('by-key'), newUser('me')]);
      const before = await userRows();
      const saved = await follows.insertAll([
        { follower: me!.id as never, followee: target!.id as never },
        Object.assign(new Follow(), { follower: me!.id, followee: target!.id }),
      ]);
      expect(await userRows()).toBe(before);
      expect(await followeeIds(saved.map((f) => f.id))).toEqual([target!.id, target!.id]);
    });

    it('a related entity without a key is new: it is inserted with the row', async () => {
      const star = await cachedUser('star-new');
      const before = await userRows();
      const fresh = Object.assign(new User(), newUser('fresh'));
      const saved = await follows.insertAll([{ follower: fresh, followee: star }]);
      expect(typeof fresh.id).toBe('number');
      expect(await userRows()).toBe(before + 1);
      expect(await followeeIds(saved.map((f) => f.id))).toEqual([star.id]);
      expect((await users.getById(fresh.id))!.name).toBe('fresh');
    });

    it('a cached entity assigned to a managed entity is a reference when the transaction commits', async () => {
      const [writer] = await users.insertAll([newUser('writer')]);
      const [article] = await articles.insertAll([{ title: 'Draft', author: writer! }]);
      const editor = await cachedUser('editor');
      editor.name = 'not written';
      const before = await userRows();
      await kosha.transaction(async () => {
        const managed = (await articles.getById(article!.id))!;
        managed.author = editor;
      });
      expect(await userRows()).toBe(before);
      expect(await authorId(article!.id)).toBe(editor.id);
      expect((await users.getById(editor.id))!.name).toBe('editor');
    });

    it('an entity from a finished transaction, a plain { id } or a key assigned to a managed entity is a reference', async () => {
      const [writer, other] = await users.insertAll([newUser('writer-f'), newUser('other-f')]);
      const [article] = await articles.insertAll([{ title: 'Flushed', author: writer! }]);
      const earlier = (await users.getById(other!.id))!;
      earlier.name = 'not written';
      const before = await userRows();
      const assign = (author: unknown) =>
        kosha.transaction(async () => {
          (await articles.getById(article!.id))!.author = author as User;
        });
      await assign(earlier);
      expect(await authorId(article!.id)).toBe(other!.id);
      await assign({ id: writer!.id, name: 'not written' });
      expect(await authorId(article!.id)).toBe(writer!.id);
      await assign(other!.id);
      expect(await authorId(article!.id)).toBe(other!.id);
      expect(await userRows()).toBe(before);
      expect((await users.getById(other!.id))!.name).toBe('other-f');
      expect((await users.getById(writer!.id))!.name).toBe('writer-f');
    });

    it('a plain { id } or a key assigned to a relation of an entity without @version is a reference too', async () => {
      const [a, b, c] = await users.insertAll([newUser('fa'), newUser('fb'), newUser('fc')]);
      const [follow] = await follows.insertAll([{ follower: a!, followee: b! }]);
      const before = await userRows();
      const assign = (followee: unknown) =>
        kosha.transaction(async () => {
          (await follows.getById(follow!.id))!.followee = followee as User;
        });
      await assign(c!.id);
      expect(await followeeIds([follow!.id])).toEqual([c!.id]);
      await assign({ id: a!.id, name: 'not written' });
      expect(await followeeIds([follow!.id])).toEqual([a!.id]);
      expect(await userRows()).toBe(before);
      expect((await users.getById(a!.id))!.name).toBe('fa');
    });

    it('a cached entity assigned while the session already holds that row is the held row', async () => {
      const [writer] = await users.insertAll([newUser('writer-2')]);
      const [article] = await articles.insertAll([{ title: 'Held', author: writer! }]);
      const editor = await cachedUser('editor-2');
      const before = await userRows();
      await kosha.transaction(async () => {
        const held = (await users.getById(editor.id))!;
        const managed = (await articles.getById(article!.id))!;
        managed.author = editor;
        await articles.em.flush();
        expect(managed.author).toBe(held);
      });
      expect(await userRows()).toBe(before);
      expect(await authorId(article!.id)).toBe(editor.id);
    });

    it('update with a detached relation re-points the foreign key, from a detached or a managed entity', async () => {
      const [writer] = await users.insertAll([newUser('writer-3')]);
      const [article] = await articles.insertAll([{ title: 'Moved', author: writer! }]);
      const first = await cachedUser('first-owner');
      const second = await cachedUser('second-owner');
      const before = await userRows();
      // Detached: the article itself from a finished transaction.
      article!.author = first;
      await articles.update(article!);
      expect(await authorId(article!.id)).toBe(first.id);
      // Managed: the article the transaction holds, given to update with a cached author.
      await kosha.transaction(async () => {
        const managed = (await articles.getById(article!.id))!;
        managed.author = second;
        await articles.update(managed);
      });
      expect(await userRows()).toBe(before);
      expect(await authorId(article!.id)).toBe(second.id);
      // A plain object and a bare key, through a detached instance.
      await articles.update(
        Object.assign(new Article(), { id: article!.id, author: { id: first.id } as User }),
      );
      expect(await authorId(article!.id)).toBe(first.id);
      await articles.update(Object.assign(new Article(), { id: article!.id, author: second.id as never }));
      expect(await authorId(article!.id)).toBe(second.id);
      expect(await userRows()).toBe(before);
    });

    it('update with a related entity without a key inserts it', async () => {
      const [writer] = await users.insertAll([newUser('writer-4')]);
      const [article] = await articles.insertAll([{ title: 'New owner', author: writer! }]);
      const before = await userRows();
      const fresh = Object.assign(new User(), newUser('brand-new'));
      await articles.update(Object.assign(new Article(), { id: article!.id, author: fresh }));
      expect(await userRows()).toBe(before + 1);
      expect(typeof fresh.id).toBe('number');
      expect(await authorId(article!.id)).toBe(fresh.id);
    });
  });
}
