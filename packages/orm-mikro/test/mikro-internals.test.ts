// The fence around what @kosha/orm-mikro borrows from inside MikroORM (src/internals/). Each test checks
// one function of that folder against the installed @mikro-orm/* packages; when an upgrade breaks one, the
// failure names the function, the MikroORM member it relies on, the versions it was checked against, and
// what to do. The Kysely and driver internals of the connection guard are checked in borrowed-internals.test.ts.
import { column, DbRepo, entity, id, type Kosha, manyToOne, oneToMany, table, version } from '@kosha/core';
import { ChangeSet, ChangeSetType, Collection, type EntityMetadata, wrap } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  autoIncrementStep,
  BULK_INSERT_MEMBERS,
  bulkInsertProblem,
  CHECKED_AGAINST,
  collectionAsMany,
  createFromRow,
  dateFormatterOf,
  differs,
  dispatchLoaded,
  entityMetaOf,
  FAST_PATH_BORROWS,
  fastPathProblem,
  fenceMessage,
  forgetCachedKey,
  hasKey,
  heldEntities,
  heldInstance,
  hydrateCollection,
  keyOf,
  LEAN_BORROWS,
  MANY_MEMBERS,
  mapResult,
  markInserted,
  markManagedBy,
  mikroOrmVersion,
  ownerOf,
  persisterOf,
  prepareEntity,
  registerInserted,
  runLogged,
  setTrackedData,
  storeIdentity,
  tableNameOf,
  takeCollectionSnapshots,
  trackedDataOf,
  validateEntity,
} from '../src/internals/index.js';
import { DATABASES, memoryLogger, openKosha } from './support/databases.js';

@entity
@table('fence_owners')
class Owner {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 40 }) name!: string;
  @oneToMany(() => Pet, 'owner') pets!: Collection<Pet>;
}

@entity
@table('fence_pets')
class Pet {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 40 }) name!: string;
  @manyToOne(() => Owner, { nullable: true }) owner?: Owner | null;
  @version() version!: number;
}

class Pets extends DbRepo<Pet> {}

/** The failure message of a check of `fn`, which relies on the MikroORM `member`. */
const fence = (fn: string, member: string) => fenceMessage(fn, member);

describe(`src/internals/ against the installed MikroORM (@mikro-orm/core ${mikroOrmVersion()})`, () => {
  it('the installed @mikro-orm/core is a version the fence was checked against', () => {
    expect(
      CHECKED_AGAINST['@mikro-orm/core'] as readonly string[],
      `@mikro-orm/core ${mikroOrmVersion()} is installed; src/internals/ was checked against ` +
        `${CHECKED_AGAINST['@mikro-orm/core'].join(', ')} only. Run the orm-mikro tests with it; when they pass, ` +
        'add it to CHECKED_AGAINST in src/internals/index.ts (and to the header of this file).',
    ).toContain(mikroOrmVersion());
  });

  it("collectionAsMany: Collection's own members do not shadow the items and isLoaded it adds", () => {
    collectionAsMany();
    const proto = Collection.prototype as object;
    for (const member of MANY_MEMBERS) {
      const getter = Object.getOwnPropertyDescriptor(proto, member)?.get;
      expect(getter?.toString(), fence('collectionAsMany', `Collection#${member}`)).toMatch(
        member === 'items' ? /getItems\(\)/ : /isInitialized\(\)/,
      );
    }
    const owner = {};
    const loaded = new Collection<object>(owner, [{ a: 1 }]);
    expect(
      [loaded.isLoaded, loaded.items.length],
      fence('collectionAsMany', 'Collection#isInitialized'),
    ).toEqual([true, 1]);
    expect(new Collection<object>(owner, undefined, false).isLoaded).toBe(false);
  });
});

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`src/internals/ on ${db.name}`, () => {
    let env: Awaited<ReturnType<typeof openKosha>>;
    let kosha: Kosha;
    let pets: Pets;
    const logger = memoryLogger();
    beforeAll(async () => {
      env = await openKosha(db, [Owner, Pet], { debug: true, logger });
      kosha = env.kosha;
      pets = new Pets(Pet, kosha);
    });
    afterAll(() => env?.close());

    /** Runs `fn` on the EntityManager of a transaction that is rolled back afterwards. */
    const inTransaction = async <T>(fn: (em: SqlEntityManager) => Promise<T>): Promise<T> => {
      let out!: T;
      await kosha
        .transaction(async () => {
          out = await fn(pets.em);
          throw new RolledBack();
        })
        .catch((e: unknown) => {
          if (!(e instanceof RolledBack)) throw e;
        });
      return out;
    };
    const metaOf = (em: SqlEntityManager, cls: object) =>
      em.getMetadata().find(cls as never) as EntityMetadata;
    const flushed = async (em: SqlEntityManager) => {
      const owner = em.create(Owner, { name: 'ada' } as never);
      const pet = em.create(Pet, { name: 'rex', owner } as never);
      await em.flush();
      return { owner, pet };
    };

    it.each(BULK_INSERT_MEMBERS.filter((b) => db.dialect === 'mariadb' || b.fn !== 'autoIncrementStep'))(
      '$fn: $member is a function of $arity parameters',
      (borrowed) =>
        inTransaction(async (em) => {
          expect(differs(borrowed, em), fence(borrowed.fn, borrowed.member)).toBe(false);
        }),
    );

    it('bulkInsertProblem: the bulk insert runs on this MikroORM', () =>
      inTransaction(async (em) => {
        expect(bulkInsertProblem(em, db.dialect)).toBeUndefined();
      }));

    it.each(FAST_PATH_BORROWS)(
      '$fn (compiled reads): $member is a function of $arity parameters',
      (borrowed) =>
        inTransaction(async (em) => {
          expect(differs(borrowed, em), fence(borrowed.fn, borrowed.member)).toBe(false);
        }),
    );

    it.each(LEAN_BORROWS)(
      '$fn (a new entity from a row): $member is a function of $arity parameters',
      (borrowed) =>
        inTransaction(async (em) => {
          expect(differs(borrowed, em), fence(borrowed.fn, borrowed.member)).toBe(false);
        }),
    );

    it('fastPathProblem, createFromRow, dispatchLoaded: a row becomes the managed entity em.find would give', () =>
      inTransaction(async (em) => {
        expect(fastPathProblem(em)).toBeUndefined();
        const { owner } = await flushed(em);
        const meta = metaOf(em, Owner);
        const row = (await em.execute(`select * from ${meta.tableName} where id = ?`, [owner.id]))[0]!;
        // The identity map's instance, as em.find returns it
        expect(createFromRow(em, meta, em.getDriver().mapResult(row, meta)!)).toBe(owner);
        em.clear();
        const made = createFromRow(em, meta, em.getDriver().mapResult(row, meta)!) as { name: string };
        expect(made).toBeInstanceOf(Owner);
        expect(made.name).toBe('ada');
        expect(em.getUnitOfWork().getById(Owner as never, owner.id as never)).toBe(made);
        await dispatchLoaded(em);
        // Loaded, not new: a flush sends nothing
        expect(
          em.getUnitOfWork().computeChangeSets(),
          fence('createFromRow', 'EntityFactory.create'),
        ).toBeUndefined();
        expect(em.getUnitOfWork().getChangeSets()).toEqual([]);
      }));

    it('entityMetaOf, hasKey, keyOf, ownerOf: what an entity carries', () =>
      inTransaction(async (em) => {
        const fresh = em.create(Pet, { name: 'new' } as never);
        expect(entityMetaOf(fresh), fence('entityMetaOf', 'WrappedEntity.__meta')).toBe(metaOf(em, Pet));
        expect(hasKey(fresh), fence('hasKey', 'WrappedEntity.hasPrimaryKey')).toBe(false);
        const { pet } = await flushed(em);
        expect(hasKey(pet), fence('hasKey', 'WrappedEntity.hasPrimaryKey')).toBe(true);
        expect(keyOf(pet), fence('keyOf', 'WrappedEntity.getPrimaryKey')).toBe(pet.id);
        expect(ownerOf(pet), fence('ownerOf', 'WrappedEntity.__em')).toBe(em);
      }));

    it('trackedDataOf, setTrackedData: the change-tracking snapshot a flush diffs against', () =>
      inTransaction(async (em) => {
        const fresh = em.create(Pet, { name: 'new' } as never);
        expect(
          trackedDataOf(fresh),
          fence('trackedDataOf', 'WrappedEntity.__originalEntityData'),
        ).toBeUndefined();
        const { pet } = await flushed(em);
        const tracked = trackedDataOf(pet);
        expect(tracked, fence('trackedDataOf', 'WrappedEntity.__originalEntityData')).toMatchObject({
          id: pet.id,
          name: 'rex',
        });
        // A snapshot that says the row holds another name makes the next flush write the name.
        setTrackedData(pet, { ...tracked, name: 'not rex' });
        const sent = logger.lines.length;
        await em.flush();
        expect(
          logger.lines.slice(sent).some((l) => /update .*fence_pets/i.test(l.message)),
          fence('setTrackedData', 'WrappedEntity.__originalEntityData'),
        ).toBe(true);
      }));

    it('markInserted, markManagedBy, forgetCachedKey: an entity made managed by hand', () =>
      inTransaction(async (em) => {
        const pet = em.create(Pet, { name: 'by hand' } as never);
        markInserted(pet);
        expect(
          wrap(pet).isManaged() && wrap(pet).isInitialized(),
          fence('markInserted', 'WrappedEntity.__managed'),
        ).toBe(true);
        const other = em.fork();
        markManagedBy(pet, other);
        expect(ownerOf(pet), fence('markManagedBy', 'WrappedEntity.__em')).toBe(other);
        // MikroORM caches a key it set (WrappedEntity.setPrimaryKey); once forgotten, the field decides again.
        wrap(pet, true).setPrimaryKey(41 as never);
        pet.id = undefined as never;
        forgetCachedKey(pet);
        expect(hasKey(pet), fence('forgetCachedKey', 'WrappedEntity.__pk')).toBe(false);
      }));

    it('persisterOf: the change-set persister steps the bulk insert takes', () =>
      inTransaction(async (em) => {
        const meta = metaOf(em, Pet);
        const persister = persisterOf(em);
        const pet = em.create(Pet, { name: 'keyed' } as never);
        const cs = new ChangeSet(pet, ChangeSetType.CREATE, { name: 'keyed' }, meta);
        persister.mapPrimaryKey(meta, 41, cs as never);
        expect(pet.id, fence('persisterOf', 'ChangeSetPersister.mapPrimaryKey')).toBe(41);
        const nameless = em.create(Pet, { name: 'x' } as never);
        nameless.name = undefined as never;
        expect(
          () => persister.validateRequired(nameless),
          fence('persisterOf', 'ChangeSetPersister.validateRequired'),
        ).toThrow(/Value for Pet\.name is required/);
      }));

    it('prepareEntity, mapResult, validateEntity, tableNameOf: what a change set and its statement are made of', () =>
      inTransaction(async (em) => {
        const meta = metaOf(em, Pet);
        const { owner } = await flushed(em);
        const pet = em.create(Pet, { name: 'payload', owner } as never);
        expect(
          prepareEntity(em, pet),
          fence('prepareEntity', 'EntityComparator.prepareEntity'),
        ).toMatchObject({
          name: 'payload',
          owner: owner.id,
        });
        expect(
          mapResult(em, meta, { id: 7, name: 'row', owner_id: owner.id, version: 1 }),
          fence('mapResult', 'EntityComparator.mapResult'),
        ).toMatchObject({ id: 7, name: 'row', owner: owner.id, version: 1 });
        const wrongType = Object.assign(em.create(Pet, { name: 'x' } as never), { name: 12 });
        expect(() => validateEntity(wrongType, meta), fence('validateEntity', 'validateEntity')).toThrow(
          /name/,
        );
        expect(tableNameOf(em, meta, undefined), fence('tableNameOf', 'DatabaseDriver.getTableName')).toBe(
          em.getPlatform().quoteIdentifier('fence_pets'),
        );
      }));

    it('registerInserted, takeCollectionSnapshots: an inserted entity as the unit of work registers it', () =>
      inTransaction(async (em) => {
        const uow = em.getUnitOfWork(false);
        const owner = em.create(Owner, { name: 'registered' } as never);
        owner.id = 999_001;
        registerInserted(uow, owner, { id: owner.id, name: owner.name });
        expect(heldInstance(uow, owner), fence('registerInserted', 'UnitOfWork.register')).toBe(owner);
        expect(trackedDataOf(owner), fence('registerInserted', 'UnitOfWork.register')).toMatchObject({
          name: 'registered',
        });
        takeCollectionSnapshots(uow, owner, new Set());
        expect(
          owner.pets.isDirty(),
          fence('takeCollectionSnapshots', 'UnitOfWork.takeCollectionSnapshots'),
        ).toBe(false);
        uow.unsetIdentity(owner);
      }));

    it('heldInstance, heldEntities, storeIdentity, hydrateCollection: the identity map and loaded collections', () =>
      inTransaction(async (em) => {
        const uow = em.getUnitOfWork(false);
        const { owner, pet } = await flushed(em);
        expect(heldInstance(uow, pet), fence('heldInstance', 'IdentityMap.getByEntity')).toBe(pet);
        expect(heldEntities(uow), fence('heldEntities', 'IdentityMap[Symbol.iterator]')).toEqual(
          expect.arrayContaining([owner, pet]),
        );
        uow.unsetIdentity(pet);
        expect(heldInstance(uow, pet), fence('heldInstance', 'IdentityMap.getByEntity')).toBeUndefined();
        storeIdentity(uow, pet);
        expect(heldInstance(uow, pet), fence('storeIdentity', 'IdentityMap.store')).toBe(pet);
        await owner.pets.init();
        hydrateCollection(owner.pets as Collection<object>, []);
        expect(owner.pets.getItems(), fence('hydrateCollection', 'Collection.hydrate')).toEqual([]);
        expect(owner.pets.isDirty(), fence('hydrateCollection', 'Collection.hydrate')).toBe(false);
      }));

    it('runLogged: a statement of Kosha logged like MikroORM logs its own', () =>
      inTransaction(async (em) => {
        const sent = logger.lines.length;
        const out = await runLogged(em, 'select 1 /* fence */', async () => ({ affectedRows: 0 }));
        expect(out).toEqual({ affectedRows: 0 });
        expect(
          logger.lines.slice(sent).some((l) => l.message.includes('select 1 /* fence */')),
          fence('runLogged', 'Connection.executeQuery'),
        ).toBe(true);
      }));

    it.skipIf(db.dialect !== 'mariadb')('autoIncrementStep: the step of generated keys', () =>
      inTransaction(async (em) => {
        await em.execute('select 1');
        expect(
          await autoIncrementStep(em, em.getTransactionContext()),
          fence('autoIncrementStep', 'MySqlDriver.getAutoIncrementIncrement'),
        ).toBe(1n);
      }),
    );

    it('dateFormatterOf: PostgreSQL writes dates its own way, the others have none', () =>
      inTransaction(async (em) => {
        const format = dateFormatterOf(em.getPlatform());
        if (db.dialect === 'postgresql') {
          expect(format, fence('dateFormatterOf', 'BasePostgreSqlPlatform.formatDate')).toBeTypeOf(
            'function',
          );
          expect(format!(new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 5)))).toMatch(/^2024-02-29/);
        } else {
          expect(format).toBeUndefined();
        }
      }));

    it("driverOptionsLater: MikroORM calls the function, so Kosha's connection guard is in place", () => {
      const backend = kosha.orm as unknown as { driver?: unknown };
      expect(
        backend.driver,
        fence('driverOptionsLater', 'AbstractSqlConnection driverOptions as a function'),
      ).toBeDefined();
    });
  });
}

class RolledBack extends Error {}
