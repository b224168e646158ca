import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { column, createKosha, DbRepo, entity, id, type Kosha, table } from '@kosha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mikroOrm } from '../../src/index.js';
import { DATABASES, emptyDatabase } from '../support/databases.js';

@entity
@table('schema_items')
class ItemV1 {
  @id() id!: number;
  @column({ type: 'string', index: true }) sku!: string;
}

@entity
@table('schema_items')
class ItemV2 {
  @id() id!: number;
  @column({ type: 'string', index: true }) sku!: string;
  @column({ type: 'string', nullable: true, unique: true }) barcode?: string | null;
}

const INDEXES: Record<string, string> = {
  sqlite: "select name from pragma_index_list('schema_items')",
  postgresql: "select indexname as name from pg_indexes where tablename = 'schema_items'",
  mariadb:
    'select index_name as name from information_schema.statistics where table_schema = database() and table_name = ?',
};

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`schema on ${db.name}`, () => {
    let url: string;
    let drop: () => Promise<void>;
    const open = (entities: (typeof ItemV1 | typeof ItemV2)[]) =>
      createKosha({ orm: mikroOrm({ url }), entities, setDefault: false, cache: false });

    beforeAll(async () => {
      if (db.dialect === 'sqlite') {
        // A file, so several instances see one database (each in-memory connection is its own).
        const dir = mkdtempSync(join(tmpdir(), 'kosha-schema-'));
        url = `sqlite:${join(dir, 'app.db')}`;
        drop = async () => rmSync(dir, { recursive: true, force: true });
      } else {
        ({ url, drop } = await emptyDatabase(db));
      }
    });
    afterAll(() => drop?.());

    const indexNames = async (kosha: Kosha) => {
      const repo = new (class extends DbRepo<ItemV1> {})(ItemV1, kosha);
      const rows = await kosha.transaction(() => repo.em.execute(INDEXES[db.dialect]!, ['schema_items']));
      return (rows as { name: string }[]).map((r) => r.name.toLowerCase());
    };

    it('create makes the tables with their indexes; update then adds what the mapping gained, dropping nothing', async () => {
      const v1 = await open([ItemV1]);
      await v1.schema.create();
      await new (class extends DbRepo<ItemV1> {})(ItemV1, v1).insertAll([{ sku: 'A-1' }]);
      expect((await indexNames(v1)).some((n) => n.includes('sku'))).toBe(true);
      await v1.transaction(() =>
        new (class extends DbRepo<ItemV1> {})(ItemV1, v1).em.execute(
          'create table schema_foreign (x integer)',
        ),
      );
      await v1.close();

      const v2 = await open([ItemV2]);
      try {
        await v2.schema.update();
        const items = new (class extends DbRepo<ItemV2> {})(ItemV2, v2);
        await items.insertAll([{ sku: 'B-2', barcode: '4006381333931' }]);
        expect((await items.findByField('sku', 'A-1'))?.barcode).toBeNull();
        expect((await indexNames(v2)).some((n) => n.includes('barcode'))).toBe(true);
        const foreign = await v2.transaction(() =>
          items.em.execute('select count(*) as n from schema_foreign'),
        );
        expect(Number((foreign as { n: unknown }[])[0]!.n)).toBe(0);
        await v2.schema.drop();
        await expect(items.count()).rejects.toThrow(/kosha\.schema\.create/);
        await v2.transaction(() => items.em.execute('drop table schema_foreign'));
      } finally {
        await v2.close();
      }
    });
  });
}
