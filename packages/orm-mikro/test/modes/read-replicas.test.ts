import { column, createKosha, DbRepo, entity, id, type Kosha, table } from '@kosha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mikroOrm } from '../../src/index.js';
import { DATABASES, emptyDatabase, memoryLogger } from '../support/databases.js';

@entity
@table('replica_marks')
class Mark {
  @id() id!: number;
  @column({ type: 'string' }) label!: string;
}

class Marks extends DbRepo<Mark> {}

const open = (url: string, extra: Partial<Parameters<typeof mikroOrm>[0]> = {}, logger = memoryLogger()) =>
  createKosha({
    orm: mikroOrm({ url, ...extra }),
    entities: [Mark],
    setDefault: false,
    cache: false,
    logger,
  });

// Two separate databases play primary and replica, so where a read went shows in what it finds.
for (const db of DATABASES.filter((d) => d.dialect !== 'sqlite')) {
  describe.skipIf(!db.available)(`read replicas on ${db.name}`, () => {
    let primary: Awaited<ReturnType<typeof emptyDatabase>>;
    let replica: Awaited<ReturnType<typeof emptyDatabase>>;
    let kosha: Kosha;
    let marks: Marks;
    const logger = memoryLogger();

    beforeAll(async () => {
      primary = await emptyDatabase(db);
      replica = await emptyDatabase(db);
      const onReplica = await open(replica.url);
      await onReplica.schema.create();
      await new Marks(Mark, onReplica).insertAll([{ label: 'only-on-replica' }]);
      await onReplica.close();
      kosha = await open(primary.url, { replicas: [replica.url], debug: true }, logger);
      await kosha.schema.create();
      marks = new Marks(Mark, kosha);
    });
    afterAll(async () => {
      await kosha?.close();
      await primary?.drop();
      await replica?.drop();
    });

    const onReplica = async () => (await marks.findByField('label', 'only-on-replica')) !== null;

    it('has read replicas', () => {
      expect(kosha.orm.capabilities.readReplicas).toBe(true);
    });

    it('read-only work outside a transaction reads from a replica', async () => {
      expect(await onReplica()).toBe(true);
      expect(await kosha.transaction(onReplica, { readOnly: true })).toBe(true);
      expect(logger.lines.some((l) => /via read replica replica-1/.test(l.message))).toBe(true);
    });

    it('a transaction reads from the primary, also a read-only one with its own isolation', async () => {
      expect(await kosha.transaction(onReplica)).toBe(false);
      expect(await kosha.transaction(onReplica, { readOnly: true, isolation: 'REPEATABLE_READ' })).toBe(
        false,
      );
    });

    it('writes go to the primary', async () => {
      await marks.insertAll([{ label: 'written' }]);
      const plain = await open(primary.url);
      try {
        expect(await new Marks(Mark, plain).findByField('label', 'written')).not.toBeNull();
      } finally {
        await plain.close();
      }
    });
  });
}
