import { realService, scratchDatabase } from '@kosha/conformance';
import {
  ConfigError,
  column,
  createKosha,
  DbRepo,
  entity,
  id,
  type Logger,
  MappingError,
  table,
} from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import { describe, expect, it } from 'vitest';

const SECRET = 'hunter2-Secret';

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string, ...rest: unknown[]) =>
    lines.push([m, ...rest.map((r) => (r instanceof Error ? `${r.message}` : JSON.stringify(r)))].join(' '));
  return { lines, debug: push, info: push, warn: push, error: push };
}

describe('createKosha refuses bad input clearly', () => {
  it('a database that cannot be reached: a ConfigError without the password', async () => {
    const logger = capture();
    const error = await createKosha({
      orm: mikroOrm({ url: `postgresql://app:${SECRET}@127.0.0.1:1/app` }),
      entities: [],
      cache: false,
      setDefault: false,
      logger,
    })
      .then((k) => k.close())
      .catch((e: Error) => e);
    // A lazy pool may only fail on first use; either way no message or log line holds the secret.
    if (error instanceof Error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect(`${error.message} ${String((error as Error).stack)}`).not.toContain(SECRET);
    }
    expect(logger.lines.join('\n')).not.toContain(SECRET);
  });

  it('a configured URL with an unknown scheme names the key, never the password', async () => {
    const error = await createKosha({ orm: { url: `db2://app:${SECRET}@host/app` }, entities: [] }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/database url/);
    expect(error.message).not.toContain(SECRET);
  });

  it('an invalid mapping fails at createKosha, naming every offending class', async () => {
    @table('orphan_rows')
    class OrphanRow {
      @id() id!: number;
    }
    @entity
    class KeylessRow {
      @column({ type: 'string' }) name!: string;
    }
    @entity
    class OddRow {
      @id() id!: number;
      @column({ type: 'money' as 'string' }) price!: string;
    }
    const error = await createKosha({
      orm: mikroOrm({ url: 'sqlite::memory:' }),
      entities: [OrphanRow, KeylessRow, OddRow],
      cache: false,
      setDefault: false,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(MappingError);
    expect(error.message).toMatch(/OrphanRow has @table but no @entity/);
    expect(error.message).toMatch(/KeylessRow has no @id/);
    expect(error.message).toMatch(/OddRow\.price has unknown column type "money"/);
  });

  it('query logging (echo) never shows the password', async () => {
    @entity
    @table('echo_rows')
    class EchoRow {
      @id() id!: number;
      @column({ type: 'string' }) label!: string;
    }
    const logger = capture();
    const kosha = await createKosha({
      orm: mikroOrm({ url: 'sqlite::memory:', debug: true }),
      entities: [EchoRow],
      cache: false,
      setDefault: false,
      logger,
    });
    await kosha.schema.create();
    await kosha.transaction(async () => {});
    await kosha.close();
    expect(logger.lines.some((l) => /create table/i.test(l))).toBe(true);
  });
});

const pg = await realService('postgresql');
describe.skipIf(!pg)('on PostgreSQL', () => {
  it('query logging and errors never show the password of the URL', async () => {
    @entity
    @table('echo_pg_rows')
    class EchoPgRow {
      @id() id!: number;
      @column({ type: 'string', unique: true }) label!: string;
    }
    const db = await scratchDatabase(pg!);
    const url = new URL(db.url);
    url.password = SECRET; // trust auth on the test server ignores it; it must still never be shown
    const logger = capture();
    const kosha = await createKosha({
      orm: mikroOrm({ url: url.toString(), debug: true }),
      entities: [EchoPgRow],
      cache: false,
      setDefault: false,
      logger,
    });
    try {
      await kosha.schema.create();
      const repo = new (class extends DbRepo<EchoPgRow> {})(EchoPgRow, kosha);
      await repo.insertAll([{ label: 'x' }]);
      const dup = await repo.insertAll([{ label: 'y' }, { label: 'y' }]).catch((e: Error) => e);
      expect(dup).toBeInstanceOf(Error);
      expect(`${(dup as Error).message}`).not.toContain(SECRET);
    } finally {
      await kosha.close();
      await db.drop();
    }
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.join('\n')).not.toContain(SECRET);
  });
});
