import {
  column,
  createdAt,
  DbRepo,
  EntityNotFoundError,
  entity,
  InvalidArgumentError,
  id,
  type Kosha,
  manyToOne,
  OptimisticLockError,
  OptionalProps,
  table,
  UnknownFieldError,
  updatedAt,
  version,
} from '@kosha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, openKosha } from '../support/databases.js';

@entity
@table('upd_teams')
class Team {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
}

@entity
@table('upd_members')
class Member {
  declare [OptionalProps]?: 'version' | 'createdAt' | 'updatedAt';
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
  @column({ type: 'string', nullable: true }) note?: string | null;
  @column({ type: 'json', nullable: true }) tags?: string[] | null;
  @manyToOne(() => Team, { nullable: true }) team?: Team | null;
  @version() version!: number;
  @createdAt() createdAt!: Date;
  @updatedAt() updatedAt!: Date;
}

class Members extends DbRepo<Member> {}
class Teams extends DbRepo<Team> {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`update, delete and versioning on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let members: Members;
    let teams: Teams;
    beforeAll(async () => {
      env = await openKosha(db, [Team, Member]);
      kosha = env.kosha;
      members = new Members(Member, kosha);
      teams = new Teams(Team, kosha);
    });
    afterAll(() => env?.close());

    const one = async (fields: Partial<Member> = {}) =>
      (await members.insertAll([{ name: 'Ada', ...fields }]))[0]!;

    it('insert sets version 1 and both audit stamps; an update bumps the version and updatedAt only', async () => {
      const m = await one();
      expect(m.version).toBe(1);
      expect(m.createdAt).toBeInstanceOf(Date);
      expect(m.updatedAt.getTime()).toBe(m.createdAt.getTime());
      await sleep(5);
      m.name = 'Ada L.';
      const updated = await members.update(m);
      expect(updated.version).toBe(2);
      const read = (await members.getById(m.id))!;
      expect(read.version).toBe(2);
      expect(read.createdAt.getTime()).toBe(m.createdAt.getTime());
      expect(read.updatedAt.getTime()).toBeGreaterThan(read.createdAt.getTime());
    });

    it('a createdAt the application sets is kept', async () => {
      const when = new Date('2001-02-03T04:05:06.789Z');
      const m = await one({ createdAt: when });
      expect((await members.getById(m.id))!.createdAt.getTime()).toBe(when.getTime());
    });

    it('update of a detached instance writes its fields and hands it the new version, so it can be updated again', async () => {
      const detached = await one();
      detached.note = 'first';
      const managed = await members.update(detached);
      expect(managed).not.toBe(detached);
      expect(detached.version).toBe(2);
      detached.note = 'second';
      await members.update(detached);
      const read = (await members.getById(detached.id))!;
      expect(read.note).toBe('second');
      expect(read.version).toBe(3);
    });

    it('fields a detached instance leaves undefined are not touched; null clears', async () => {
      const m = await one({ note: 'keep me', tags: ['a'] });
      const partial = Object.assign(new Member(), { id: m.id, name: 'Renamed', tags: null });
      await members.update(partial);
      const read = (await members.getById(m.id))!;
      expect(read).toMatchObject({ name: 'Renamed', note: 'keep me', tags: null, version: 2 });
    });

    it('update re-points a relation from a detached instance, by entity or key', async () => {
      const [red, blue] = await teams.insertAll([{ name: 'red' }, { name: 'blue' }]);
      const m = await one({ team: red! });
      m.team = blue!;
      await members.update(m);
      expect((await members.getById(m.id))!.team?.id).toBe(blue!.id);
      await members.update(Object.assign(new Member(), { id: m.id, team: null }));
      expect((await members.getById(m.id))!.team).toBeNull();
    });

    it('a stale detached version is an OptimisticLockError and changes nothing', async () => {
      const m = await one();
      const stale = (await members.getById(m.id))!;
      m.name = 'first writer';
      await members.update(m);
      stale.name = 'second writer';
      const error = await members.update(stale).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OptimisticLockError);
      expect((error as Error).message).toMatch(/changed by someone else.*version 1.*at 2.*Reload/);
      expect((await members.getById(m.id))!.name).toBe('first writer');
    });

    it('a concurrent write between read and flush is an OptimisticLockError from the database check', async () => {
      const m = await one();
      const error = await kosha
        .transaction(async () => {
          const mine = (await members.getById(m.id))!;
          // A write behind the unit of work's back bumps the version between the read and the flush.
          await members.em.execute(`update upd_members set version = version + 1 where id = ?`, [m.id]);
          mine.name = 'lost update';
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OptimisticLockError);
      expect((error as Error).cause).toBeDefined();
      expect((await members.getById(m.id))!.name).toBe('Ada');
    });

    it('update of a row that does not exist is an EntityNotFoundError; without a key an InvalidArgumentError', async () => {
      const ghost = Object.assign(new Member(), { id: 987_654, name: 'ghost' });
      await expect(members.update(ghost)).rejects.toBeInstanceOf(EntityNotFoundError);
      await expect(members.update(ghost)).rejects.toThrow(/does not exist.*insertAll/);
      await expect(members.update(Object.assign(new Member(), { name: 'no key' }))).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      expect(await members.exists(987_654)).toBe(false);
    });

    it('delete(id) is true only when a row went, and forgets the instance the session held', async () => {
      const m = await one();
      await kosha.transaction(async () => {
        const held = (await members.getById(m.id))!;
        expect(await members.delete(m.id)).toBe(true);
        expect(await members.getById(m.id)).toBeNull();
        expect(await members.delete(m.id)).toBe(false);
        held.name = 'not written anywhere';
      });
      expect(await members.exists(m.id)).toBe(false);
    });

    it('deleteEntity removes a detached instance; one already gone is a no-op', async () => {
      const m = await one();
      await members.deleteEntity(m);
      expect(await members.exists(m.id)).toBe(false);
      await expect(members.deleteEntity(m)).resolves.toBeUndefined();
    });

    it('insertAll refuses unknown fields and things that are not rows', async () => {
      await expect(members.insertAll([{ name: 'x', nmae: 'typo' } as never])).rejects.toBeInstanceOf(
        UnknownFieldError,
      );
      await expect(members.insertAll([new Date() as never])).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it('a filter value is a value: an operator-shaped object is refused, never read as an operator', async () => {
      await one({ note: 'secret' });
      await expect(members.findByField('note', { $ne: null } as never)).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(members.findAllByField('name', ['Ada'] as never)).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      await expect(members.findByField('tags', ['a'])).rejects.toThrow(/json column/);
      await expect(members.getById({ $gt: 0 } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it('findAllByField with null finds the rows where the column is NULL', async () => {
      const m = await one({ note: null, name: 'nullable-probe' });
      const found = await members.findAllByField('note', null);
      expect(found.map((f) => f.id)).toContain(m.id);
      expect(found.every((f) => f.note === null)).toBe(true);
    });
  });
}
