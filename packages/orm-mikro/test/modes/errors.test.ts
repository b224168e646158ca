import { column, DatabaseError, DbRepo, entity, id, type Kosha, manyToOne, table } from '@kosha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translateError } from '../../src/index.js';
import { DATABASES, openKosha } from '../support/databases.js';

@entity
@table('err_owners')
class Owner {
  @id() id!: number;
  @column({ type: 'string', unique: true }) handle!: string;
}

@entity
@table('err_pets')
class Pet {
  @id() id!: number;
  @column({ type: 'string' }) name!: string;
  @manyToOne(() => Owner) owner!: Owner;
}

class Owners extends DbRepo<Owner> {}
class Pets extends DbRepo<Pet> {}

const kindOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatabaseError);
  return error as DatabaseError;
};

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`database errors on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let owners: Owners;
    let pets: Pets;
    beforeAll(async () => {
      env = await openKosha(db, [Owner, Pet], { pool: { min: 0, max: 4 } });
      kosha = env.kosha;
      owners = new Owners(Owner, kosha);
      pets = new Pets(Pet, kosha);
    });
    afterAll(() => env?.close());

    // Native statements throw MikroORM's errors; translateError turns them into Kosha's, as the built-ins do.
    const native = (sql: string) =>
      kosha
        .transaction(() => owners.em.execute(sql))
        .catch((e: unknown) => Promise.reject(translateError(e)));

    it('a duplicate unique value is unique_violation, with the driver error as cause', async () => {
      await owners.insertAll([{ handle: 'dup' }]);
      const error = await kindOf(owners.insertAll([{ handle: 'dup' }]));
      expect(error.kind).toBe('unique_violation');
      expect(error.message).toMatch(/Use another value/);
      expect(error.cause).toBeInstanceOf(Error);
    });

    it('a reference to a row that does not exist is foreign_key_violation', async () => {
      const error = await kindOf(pets.insertAll([{ name: 'stray', owner: 987_654 as never }]));
      expect(error.kind).toBe('foreign_key_violation');
    });

    it('deleting a row others still refer to is foreign_key_violation', async () => {
      const [owner] = await owners.insertAll([{ handle: 'busy' }]);
      await pets.insertAll([{ name: 'rex', owner: owner! }]);
      expect((await kindOf(owners.delete(owner!.id))).kind).toBe('foreign_key_violation');
    });

    it('a missing required value is not_null_violation, whether MikroORM or the database notices', async () => {
      // @ts-expect-error: handle is required; the test is what the database says without it
      expect((await kindOf(owners.insertAll([{}]))).kind).toBe('not_null_violation');
      expect((await kindOf(native('insert into err_owners (handle) values (null)'))).kind).toBe(
        'not_null_violation',
      );
    });

    it('invalid SQL is syntax; an unknown column is invalid_field; a missing table says to create the schema', async () => {
      expect((await kindOf(native('selec 1'))).kind).toBe('syntax');
      expect((await kindOf(native('select no_such_column from err_owners'))).kind).toBe('invalid_field');
      const missing = await kindOf(native('select * from err_no_such_table'));
      expect(missing.message).toMatch(/kosha\.schema\.create/);
    });

    it.skipIf(db.dialect === 'sqlite')(
      'two transactions locking rows in opposite order: one is a deadlock',
      async () => {
        const [a, b] = await owners.insertAll([{ handle: 'lock-a' }, { handle: 'lock-b' }]);
        const first = kosha.orm.openSession();
        const second = kosha.orm.openSession();
        const rename = async (session: typeof first, id: number, handle: string) => {
          const o = (await session.findById(Owner, id))!;
          o.handle = handle;
          await session.flush();
        };
        try {
          await first.begin({});
          await second.begin({});
          await rename(first, a!.id, 'lock-a1');
          await rename(second, b!.id, 'lock-b2');
          const outcomes = await Promise.allSettled([
            rename(first, b!.id, 'lock-b1'),
            rename(second, a!.id, 'lock-a2'),
          ]);
          const failed = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
          expect(failed.length).toBeGreaterThanOrEqual(1);
          expect(failed[0]!.reason).toBeInstanceOf(DatabaseError);
          expect((failed[0]!.reason as DatabaseError).kind).toBe('deadlock');
          expect((failed[0]!.reason as Error).message).toMatch(/Retry the whole transaction/);
        } finally {
          await first.close();
          await second.close();
        }
      },
    );

    it.skipIf(db.dialect === 'sqlite')('waiting too long for a row lock is lock_timeout', async () => {
      const [o] = await owners.insertAll([{ handle: 'held' }]);
      const holder = kosha.orm.openSession();
      const waiter = kosha.orm.openSession();
      try {
        await holder.begin({});
        const held = (await holder.findById(Owner, o!.id))!;
        held.handle = 'held by holder';
        await holder.flush();
        await waiter.begin({});
        const em = waiter.native as { execute(sql: string): Promise<unknown> };
        await em.execute(
          db.dialect === 'postgresql'
            ? "set local lock_timeout = '200ms'"
            : 'set session innodb_lock_wait_timeout = 1',
        );
        const mine = (await waiter.findById(Owner, o!.id))!;
        mine.handle = 'held by waiter';
        const error = await kindOf(waiter.flush());
        expect(error.kind).toBe('lock_timeout');
        if (db.dialect === 'mariadb') await em.execute('set session innodb_lock_wait_timeout = default');
      } finally {
        await holder.close();
        await waiter.close();
      }
    });
  });
}
