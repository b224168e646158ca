import {
  column,
  currentSession,
  DatabaseError,
  DbRepo,
  entity,
  IllegalTransactionStateError,
  InvalidArgumentError,
  id,
  type Kosha,
  manyToOne,
  type Opt,
  oneToMany,
  table,
  version,
} from '@kosha/core';
import { type Collection, wrap } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, openKosha } from '../support/databases.js';
import { watchStatements } from '../support/statements.js';

@entity
@table('sp_shelves')
class Shelf {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
  @version() version!: Opt<number>;
  @oneToMany(() => Jar, 'shelf') jars!: Collection<Jar>;
}

@entity
@table('sp_jars')
class Jar {
  @id() id!: number;
  @column({ type: 'string' }) label!: string;
  @manyToOne(() => Shelf, { inversedBy: 'jars', nullable: true }) shelf!: Shelf | null;
}

class Shelves extends DbRepo<Shelf> {}
class Jars extends DbRepo<Jar> {}

class Boom extends Error {}

const nested = <T>(kosha: Kosha, fn: () => Promise<T>) => kosha.transaction(fn, { propagation: 'NESTED' });

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`NESTED savepoints on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let shelves: Shelves;
    let jars: Jars;
    beforeAll(async () => {
      env = await openKosha(db, [Shelf, Jar]);
      kosha = env.kosha;
      shelves = new Shelves(Shelf, kosha);
      jars = new Jars(Jar, kosha);
    });
    afterAll(() => env?.close());

    const labelled = async (label: string) => (await jars.findAllByField('label', label)).length;

    it('trap 1: the outer unit of work keeps an entity it created, unflushed, before a nested scope that flushed and failed', async () => {
      let inner: Jar | undefined;
      await kosha.transaction(async () => {
        const outer = new Jar();
        outer.label = 'trap1-outer';
        jars.em.persist(outer);
        await expect(
          nested(kosha, async () => {
            [inner] = await jars.insertAll([{ label: 'trap1-inner' }]);
            throw new Boom();
          }),
        ).rejects.toBeInstanceOf(Boom);
        expect(wrap(outer, true).__managed).toBe(true);
      });
      expect(await labelled('trap1-outer')).toBe(1);
      expect(await labelled('trap1-inner')).toBe(0);
      expect(inner?.id).toBeUndefined();
    });

    it('an entity inserted inside a rolled-back savepoint is not believed persisted, and can be inserted again', async () => {
      await kosha.transaction(async () => {
        let jar: Jar | undefined;
        let firstId = 0;
        await expect(
          nested(kosha, async () => {
            [jar] = await jars.insertAll([{ label: 'again' }]);
            firstId = jar!.id;
            throw new Boom();
          }),
        ).rejects.toBeInstanceOf(Boom);
        expect(await jars.getById(firstId)).toBeNull();
        expect(wrap(jar!, true).__managed).toBe(false);
        const [reinserted] = await jars.insertAll([jar!]);
        expect(reinserted).toBe(jar);
        expect(typeof jar!.id).toBe('number');
      });
      expect(await labelled('again')).toBe(1);
    });

    it('an entity changed and flushed inside a rolled-back savepoint gets its values and version back', async () => {
      const [shelf] = await shelves.insertAll([{ name: 'original' }]);
      await kosha.transaction(async () => {
        const s = (await shelves.getById(shelf!.id))!;
        await expect(
          nested(kosha, async () => {
            s.name = 'changed inside';
            await shelves.update(s);
            expect(s.version).toBe(2);
            throw new Boom();
          }),
        ).rejects.toBeInstanceOf(Boom);
        expect(s.name).toBe('original');
        expect(s.version).toBe(1);
        // The outer scope can go on with it: its change is written against the version the row really has.
        s.name = 'changed outside';
      });
      const read = (await shelves.getById(shelf!.id))!;
      expect(read.name).toBe('changed outside');
      expect(read.version).toBe(2);
    });

    it('a column update written by a compiled UPDATE inside a rolled-back savepoint is undone in memory too', async () => {
      const [jar] = await jars.insertAll([{ label: 'jar-original', shelf: null }]);
      await kosha.transaction(async () => {
        const j = (await jars.getById(jar!.id))!;
        const sent = watchStatements(jars.em, /^\s*update\b/i);
        j.label = 'jar-outer';
        await jars.update(j);
        expect(sent.map((q) => q.queryId?.queryId.split('-').slice(0, 2).join('-'))).toEqual([
          'kosha-update',
        ]);
        await expect(
          nested(kosha, async () => {
            j.label = 'jar-inside';
            await jars.update(j);
            expect(await labelled('jar-inside')).toBe(1);
            throw new Boom();
          }),
        ).rejects.toBeInstanceOf(Boom);
        expect(j.label).toBe('jar-outer');
        expect(await labelled('jar-inside')).toBe(0);
      });
      expect((await jars.getById(jar!.id))!.label).toBe('jar-outer');
      await kosha.transaction(async () => {
        const j = (await jars.getById(jar!.id))!;
        await expect(
          nested(kosha, async () => {
            j.label = 'jar-again';
            await jars.update(j);
            throw new Boom();
          }),
        ).rejects.toBeInstanceOf(Boom);
        // Back to what the row holds: setting it back to the rolled-back value is a change to write.
        j.label = 'jar-again';
      });
      expect((await jars.getById(jar!.id))!.label).toBe('jar-again');
    });

    it('what the nested scope changed without flushing is dropped with it', async () => {
      const [shelf] = await shelves.insertAll([{ name: 'steady' }]);
      await kosha.transaction(async () => {
        const s = (await shelves.getById(shelf!.id))!;
        await expect(
          nested(kosha, async () => {
            s.name = 'pending change';
            const pending = new Jar();
            pending.label = 'pending-insert';
            jars.em.persist(pending);
            throw new Boom();
          }),
        ).rejects.toBeInstanceOf(Boom);
        expect(s.name).toBe('steady');
      });
      expect((await shelves.getById(shelf!.id))!.name).toBe('steady');
      expect(await labelled('pending-insert')).toBe(0);
    });

    it('an entity deleted inside a rolled-back savepoint is managed again', async () => {
      const [jar] = await jars.insertAll([{ label: 'survivor' }]);
      await kosha.transaction(async () => {
        const j = (await jars.getById(jar!.id))!;
        await expect(
          nested(kosha, async () => {
            await jars.deleteEntity(j);
            throw new Boom();
          }),
        ).rejects.toBeInstanceOf(Boom);
        expect(await jars.getById(jar!.id)).toBe(j);
        j.label = 'survivor, renamed';
      });
      expect((await jars.getById(jar!.id))!.label).toBe('survivor, renamed');
    });

    it('a loaded collection gets its items back', async () => {
      const [shelf] = await shelves.insertAll([{ name: 'with jars' }]);
      await jars.insertAll([{ label: 'jar-1', shelf: shelf! }]);
      await kosha.transaction(async () => {
        const s = (await shelves.getById(shelf!.id))!;
        await s.jars.init();
        await expect(
          nested(kosha, async () => {
            s.jars.add(jars.em.create(Jar, { label: 'jar-2', shelf: s }));
            await currentSession(kosha).flush();
            throw new Boom();
          }),
        ).rejects.toBeInstanceOf(Boom);
        expect(s.jars.getItems().map((j) => j.label)).toEqual(['jar-1']);
      });
      expect(await labelled('jar-2')).toBe(0);
    });

    it('a released savepoint hands its work to the enclosing one, which can still roll it all back', async () => {
      let a: Jar | undefined;
      let b: Jar | undefined;
      await kosha.transaction(async () => {
        await expect(
          nested(kosha, async () => {
            [a] = await jars.insertAll([{ label: 'level-1' }]);
            await nested(kosha, async () => {
              [b] = await jars.insertAll([{ label: 'level-2' }]);
            });
            throw new Boom();
          }),
        ).rejects.toBeInstanceOf(Boom);
      });
      expect(await labelled('level-1')).toBe(0);
      expect(await labelled('level-2')).toBe(0);
      expect(a?.id).toBeUndefined();
      expect(b?.id).toBeUndefined();
    });

    it('a database error inside a nested scope leaves the outer transaction usable', async () => {
      const [shelf] = await shelves.insertAll([{ name: 'unique-ish' }]);
      await kosha.transaction(async () => {
        await jars.insertAll([{ label: 'before-db-error' }]);
        // PostgreSQL refuses every statement of a failed transaction until it rolls back to the savepoint.
        const error = await nested(kosha, () =>
          shelves.insertAll([{ id: shelf!.id, name: 'same key' }]),
        ).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DatabaseError);
        expect((error as DatabaseError).kind).toBe('unique_violation');
        await jars.insertAll([{ label: 'after-db-error' }]);
      });
      expect(await labelled('before-db-error')).toBe(1);
      expect(await labelled('after-db-error')).toBe(1);
    });

    it('a nested scope that succeeds keeps its work', async () => {
      await kosha.transaction(async () => {
        await nested(kosha, () => jars.insertAll([{ label: 'kept' }]));
      });
      expect(await labelled('kept')).toBe(1);
    });

    it('savepoint primitives refuse to run without a transaction, or with an unknown or invalid name', async () => {
      const session = kosha.orm.openSession();
      try {
        await expect(session.savepoint('sp_a')).rejects.toBeInstanceOf(IllegalTransactionStateError);
        await session.begin({});
        await expect(session.rollbackToSavepoint('never_made')).rejects.toBeInstanceOf(
          IllegalTransactionStateError,
        );
        await expect(session.savepoint('x; drop table sp_jars')).rejects.toBeInstanceOf(InvalidArgumentError);
        await session.savepoint('sp_a');
        await session.releaseSavepoint('sp_a');
        await expect(session.releaseSavepoint('sp_a')).rejects.toBeInstanceOf(IllegalTransactionStateError);
      } finally {
        await session.close();
      }
    });
  });
}
