// Soft delete reaches users' own `this.em` queries: MikroORM's default filter `kosha_not_deleted`.
import { column, DbRepo, deletedAt, entity, id, table } from '@kosha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, openKosha } from '../support/databases.js';

@entity
@table('soft_delete_em_doc')
class SoftDoc {
  @id() id!: number;
  @column({ type: 'string', length: 50 }) label!: string;
  @deletedAt() deletedAt?: Date | null;
}

class SoftDocs extends DbRepo<SoftDoc> {
  async emFind(label: string, withDeleted = false) {
    return this.em.find(SoftDoc, { label }, withDeleted ? { filters: { kosha_not_deleted: false } } : {});
  }
}

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`soft delete through this.em (${db.name})`, () => {
    let k: Awaited<ReturnType<typeof openKosha>>;
    beforeAll(async () => {
      k = await openKosha(db, [SoftDoc]);
    });
    afterAll(() => k?.close());

    it('em.find, em.count leave deleted rows out; the filter turned off reads them', async () => {
      const docs = new SoftDocs(SoftDoc, k.kosha);
      const [a] = await docs.insertAll([{ label: 'em' }, { label: 'em' }]);
      await docs.delete(a!.id);
      await k.kosha.transaction(async () => {
        expect((await docs.emFind('em')).length).toBe(1);
        expect((await docs.emFind('em', true)).length).toBe(2);
        expect(await docs.em.count(SoftDoc, { label: 'em' })).toBe(1);
      });
    });
  });
}
