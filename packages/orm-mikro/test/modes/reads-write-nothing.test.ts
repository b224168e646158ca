import {
  column,
  createdAt,
  DbRepo,
  entity,
  id,
  type Logger,
  OptionalProps,
  table,
  updatedAt,
  version,
} from '@kosha/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES, memoryLogger, openKosha } from '../support/databases.js';

@entity
@table('reads_write_nothing')
class Visit {
  declare [OptionalProps]?: 'version' | 'createdAt' | 'updatedAt';
  @id() id!: number;
  @column({ type: 'string', length: 50 }) page!: string;
  @column({ type: 'datetime', nullable: true }) seenAt?: Date | null;
  @column({ type: 'date', nullable: true }) day?: string | null;
  @column({ type: 'json', nullable: true }) meta?: unknown;
  @column({ type: 'decimal', precision: 10, scale: 2, nullable: true }) amount?: string | null;
  @column({ type: 'bigint', nullable: true }) big?: bigint | null;
  @version() version!: number;
  @createdAt() createdAt!: Date;
  @updatedAt() updatedAt!: Date;
}

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`reading writes nothing (${db.name})`, () => {
    let k: Awaited<ReturnType<typeof openKosha>>;
    let logger: Logger & { lines: { level: string; message: string }[] };
    beforeAll(async () => {
      logger = memoryLogger();
      k = await openKosha(db, [Visit], { debug: true, logger });
    });
    afterAll(() => k?.close());

    it('loading an entity with every kind of column inside a read-write transaction sends no UPDATE', async () => {
      const repo = new (class extends DbRepo<Visit> {})(Visit, k.kosha);
      const [v] = await repo.insertAll([
        {
          page: '/home',
          seenAt: new Date('2026-01-02T03:04:05.678Z'),
          day: '2026-01-02',
          meta: { a: [1, 2] },
          amount: '12.50',
          big: 9007199254740993n,
        },
      ]);
      logger.lines.length = 0;
      const read = await k.kosha.transaction(async () => {
        const loaded = await repo.getById(v!.id);
        await repo.findAllByField('page', '/home');
        return loaded;
      });
      const writes = logger.lines.filter((l) => /\b(update|insert|delete)\b/i.test(l.message));
      expect(writes.map((l) => l.message)).toEqual([]);
      expect(read!.version).toBe(1);
      expect(read!.seenAt?.toISOString()).toBe('2026-01-02T03:04:05.678Z');
    });
  });
}
