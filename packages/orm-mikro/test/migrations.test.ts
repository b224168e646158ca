// kosha.migrations on MikroORM's migrator, on SQLite (a file: the lock is the database's), PostgreSQL and
// MariaDB: create from the entities' difference with the database, apply, revert, list; a failing migration.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  column,
  createKosha,
  entity,
  InvalidArgumentError,
  id,
  type Kosha,
  MigrationError,
  type MigrationSettings,
  type NativeSession,
  table,
} from '@kosha/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mikroOrm } from '../src/index.js';
import { loadMigrator } from '../src/migrations/load-migrator.js';
import { withMigrationLock } from '../src/migrations/migration-lock.js';
import { DATABASES, emptyDatabase, memoryLogger } from './support/databases.js';

@entity
@table('mig_author')
class MigAuthor {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 80 }) name!: string;
}

@entity
@table('mig_book')
class MigBook {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 120 }) title!: string;
}

// Migration files import @mikro-orm/migrations: their folder must resolve this package's node_modules.
const scratchFolder = () => mkdtempSync(join(import.meta.dirname, '.migrations-'));

for (const db of DATABASES) {
  describe.skipIf(!db.available)(`kosha.migrations on ${db.name}`, () => {
    let folder: string;
    let database: { url: string; drop(): Promise<void> };
    const open: Kosha[] = [];

    beforeEach(async () => {
      folder = scratchFolder();
      database =
        db.dialect === 'sqlite'
          ? { url: `sqlite:${join(folder, 'app.db')}`, drop: async () => {} }
          : await emptyDatabase(db);
    });

    afterEach(async () => {
      for (const k of open.splice(0)) await k.close();
      await database.drop();
      rmSync(folder, { recursive: true, force: true });
    });

    const start = async (
      entities: readonly (typeof MigAuthor | typeof MigBook)[],
      settings: MigrationSettings = {},
    ) => {
      const kosha = await createKosha({
        orm: mikroOrm({ url: database.url, pool: { min: 0, max: 4 } }),
        entities,
        migrations: { path: join(folder, 'migrations'), ...settings },
        setDefault: false,
        cache: false,
        logger: memoryLogger(),
      });
      open.push(kosha);
      return kosha;
    };

    it('creates a migration from the entities, applies it, reverts it and lists it', async () => {
      const kosha = await start([MigAuthor]);
      await expect(kosha.migrations.create('no spaces/or slashes')).rejects.toThrow(InvalidArgumentError);
      const created = await kosha.migrations.create('authors');
      expect(created?.name).toMatch(/^Migration\d{14}_authors$/);
      expect(created?.path).toBe(join(folder, 'migrations', `${created?.name}.ts`));
      expect(created?.up.join('\n')).toMatch(/create table [`"]?mig_author/i);
      expect(await kosha.migrations.pending()).toEqual([created?.name]);

      expect(await kosha.migrations.up()).toEqual([created?.name]);
      expect(await kosha.migrations.pending()).toEqual([]);
      const [row] = await kosha.transaction(() =>
        kosha.orm.openSession().insertAll(MigAuthor, [{ name: 'Ada' }]),
      );
      expect(row?.id).toBeGreaterThan(0);
      const [applied] = await kosha.migrations.list();
      expect(applied?.name).toBe(created?.name);
      expect(applied?.appliedAt).toBeInstanceOf(Date);
      // The database now matches the entities: nothing to write.
      expect(await kosha.migrations.create('again')).toBeUndefined();

      expect(await kosha.migrations.down()).toEqual([created?.name]);
      expect(await kosha.migrations.list()).toEqual([{ name: created?.name, appliedAt: undefined }]);
      expect(await kosha.migrations.pending()).toEqual([created?.name]);
      expect(await kosha.schema.sql('update')).toMatch(/create table [`"]?mig_author/i);
    });

    it('a second migration holds only what changed since the first', async () => {
      const first = await start([MigAuthor]);
      const authors = await first.migrations.create('authors');
      await first.migrations.up();
      await first.close();
      const second = await start([MigAuthor, MigBook]);
      const books = await second.migrations.create('books');
      expect(books?.up.join('\n')).toMatch(/create table [`"]?mig_book/i);
      expect(books?.up.join('\n')).not.toMatch(/mig_author/);
      expect(await second.migrations.up()).toEqual([books?.name]);
      expect(await second.migrations.down({ to: 0 })).toEqual([books?.name, authors?.name]);
      expect(await second.migrations.pending()).toEqual([authors?.name, books?.name]);
    });

    it("a run waits lockTimeout for another instance's lock, then fails having applied nothing", async () => {
      const holder = await start([MigAuthor]);
      await holder.migrations.create('authors');
      const waiter = await start([MigAuthor], { lockTimeout: 0.5 });
      const session = holder.orm.openSession();
      const em = session.native as NativeSession;
      const target = {
        dialect: holder.orm.dialect as 'sqlite' | 'postgresql' | 'mariadb',
        dbName: em.config.get('dbName') ?? '',
        table: 'kosha_migrations',
        timeout: 30,
      };
      // The holder's lock is the one its own run would take: the waiter meets it as it would another instance's.
      const error = await withMigrationLock(em.getConnection(), target, () =>
        waiter.migrations.up().then(
          () => undefined,
          (e: unknown) => e as MigrationError,
        ),
      );
      await session.close();
      expect(error).toBeInstanceOf(MigrationError);
      expect(error?.code).toBe('KOSHA_MIGRATION_LOCKED');
      expect(error?.message).toMatch(/held the migration lock .* for more than 0\.5 s/);
      expect(await waiter.migrations.pending()).toHaveLength(1);
      expect(await waiter.migrations.up()).toHaveLength(1);
    });

    it('a failing migration is named, and where DDL is transactional leaves the database as it was', async () => {
      const kosha = await start([MigAuthor]);
      const path = join(folder, 'migrations');
      await kosha.migrations.create('authors');
      writeFileSync(
        join(path, 'Migration29990101000000_broken.js'),
        `import { Migration } from '@mikro-orm/migrations';
export class Migration29990101000000_broken extends Migration {
  up() {
    this.addSql('create table mig_half_done (id int primary key)');
    this.addSql('insert into no_such_table values (1)');
  }
}
`,
      );
      const error = await kosha.migrations.up().then(
        () => undefined,
        (e: unknown) => e as MigrationError,
      );
      expect(error).toBeInstanceOf(MigrationError);
      expect(error?.code).toBe('KOSHA_MIGRATION_FAILED');
      expect(error?.migration).toBe('Migration29990101000000_broken');
      expect(error?.message).toMatch(
        /Migration Migration29990101000000_broken \(up\) failed: .*no_such_table/,
      );
      // The migration before it was applied and stays; the broken one is still pending.
      expect(await kosha.migrations.pending()).toEqual(['Migration29990101000000_broken']);
      expect(await tableExists(kosha, 'mig_author')).toBe(true);
      // MySQL and MariaDB commit each DDL statement: the half-done table stays there, as documented.
      expect(await tableExists(kosha, 'mig_half_done')).toBe(db.dialect === 'mariadb');
    });
  });
}

describe('without @mikro-orm/migrations installed', () => {
  afterEach(() => {
    vi.doUnmock('@mikro-orm/migrations');
  });

  it('the first migrations call is a ConfigError that says what to install', async () => {
    vi.doMock('@mikro-orm/migrations', () => {
      throw new Error("Cannot find package '@mikro-orm/migrations'");
    });
    await expect(loadMigrator()).rejects.toThrow(
      /install it .*: npm i @mikro-orm\/migrations@7\.\d+\.\d+\./i,
    );
  });
});

async function tableExists(kosha: Kosha, name: string): Promise<boolean> {
  const session = kosha.orm.openSession();
  try {
    const em = session.native as { execute(sql: string): Promise<unknown[]> };
    const sql =
      kosha.orm.dialect === 'sqlite'
        ? `select name from sqlite_master where type = 'table' and name = '${name}'`
        : `select table_name from information_schema.tables where table_name = '${name}' and table_schema = ${
            kosha.orm.dialect === 'postgresql' ? 'current_schema()' : 'database()'
          }`;
    return (await em.execute(sql)).length > 0;
  } finally {
    await session.close();
  }
}
