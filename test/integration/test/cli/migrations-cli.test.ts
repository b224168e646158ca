// The `kosha` binary, run as a child process from the built package, on SQLite (a file), PostgreSQL and
// MariaDB, each test on a fresh database: create → up → pending → down → list, --dump, a failing migration,
// and two processes migrating at once.
import { join } from 'node:path';
import { realService, scratchDatabase } from '@kosha/conformance';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliProject, configModule, entityModule, migrationFile } from '../support/cli-project.js';

const DATABASES = [
  { name: 'SQLite', kind: 'sqlite', admin: 'sqlite' },
  { name: 'PostgreSQL', kind: 'postgresql', admin: await realService('postgresql') },
  { name: 'MariaDB', kind: 'mariadb', admin: await realService('mariadb') },
] as const;

const applied = (stdout: string) => [...stdout.matchAll(/^Applied (\S+)$/gm)].map((m) => m[1]);

for (const db of DATABASES) {
  describe.skipIf(!db.admin)(`kosha migration:* on ${db.name}`, { timeout: 600_000 }, () => {
    let project: CliProject;
    let url: string;
    let drop: () => Promise<void>;

    beforeEach(async () => {
      project = new CliProject();
      if (db.kind === 'sqlite') {
        url = `sqlite:${join(project.dir, 'app.db')}`;
        drop = async () => {};
      } else {
        const scratch = await scratchDatabase(db.admin!);
        url = db.kind === 'mariadb' ? scratch.url.replace(/^mysql:/, 'mariadb:') : scratch.url;
        drop = () => scratch.drop();
      }
      project.write({
        'entities.ts': entityModule('Member', 'cli_member'),
        'kosha.config.ts': configModule(url, ['Member']),
      });
    });

    afterEach(async () => {
      await drop();
      project.remove();
    });

    it('creates a migration from the entities, applies it, reverts it and lists it', async () => {
      const create = await project.run(['migration:create', '--name', 'members']);
      expect(create.stderr).toBe('');
      expect(create.code).toBe(0);
      const name = /Created \S+\/migrations\/(Migration\d{14}_members)\.ts \(1 statements up, 1 down\)/.exec(
        create.stdout,
      )?.[1];
      expect(name).toBeDefined();
      expect(await project.run(['migration:pending'])).toMatchObject({
        code: 0,
        stdout: `Pending ${name}\n`,
      });

      expect(await project.run(['migration:up'])).toMatchObject({ code: 0, stdout: `Applied ${name}\n` });
      expect(await project.run(['migration:pending'])).toMatchObject({
        code: 0,
        stdout: 'No pending migrations.\n',
      });
      expect((await project.run(['migration:create'])).stdout).toMatch(/^No changes/);
      expect((await project.run(['migration:list'])).stdout).toMatch(
        new RegExp(`^applied \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +${name}\\n$`),
      );

      expect(await project.run(['migration:down'])).toMatchObject({ code: 0, stdout: `Reverted ${name}\n` });
      expect((await project.run(['migration:list'])).stdout).toMatch(new RegExp(`^pending +${name}\\n$`));
      expect((await project.run(['migration:down'])).stdout).toBe('No applied migrations to revert.\n');
    });

    it('schema:* --dump prints the SQL and runs nothing', async () => {
      const dump = await project.run(['schema:create', '--dump']);
      expect(dump.code).toBe(0);
      expect(dump.stdout).toMatch(/create table [`"]?cli_member[`"]? \(/i);
      // Nothing ran: the table is still missing, so the update would still create it.
      expect((await project.run(['schema:update', '--dump'])).stdout).toMatch(
        /create table [`"]?cli_member/i,
      );
      expect(await project.run(['schema:update'])).toMatchObject({ code: 0, stdout: 'Schema updated.\n' });
      expect((await project.run(['schema:update', '--dump'])).stdout).toMatch(/^-- nothing to do/);
      expect((await project.run(['schema:drop', '--dump'])).stdout).toMatch(/drop table .*cli_member/i);
      expect(await project.run(['schema:drop'])).toMatchObject({ code: 0, stdout: 'Schema dropped.\n' });
    });

    it('a failing migration is named, exits 1 and (PostgreSQL, SQLite) leaves the database as it was', async () => {
      project.write({
        'migrations/Migration20260101000000_ok.js': migrationFile('Migration20260101000000_ok', [
          'create table cli_ok (id int primary key)',
        ]),
        'migrations/Migration20260101000001_broken.js': migrationFile('Migration20260101000001_broken', [
          'create table cli_half_done (id int primary key)',
          'insert into cli_no_such_table values (1)',
        ]),
      });
      const failed = await project.run(['migration:up']);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(
        /^kosha migration:up: Migration Migration20260101000001_broken \(up\) failed: .*cli_no_such_table.*\(KOSHA_MIGRATION_FAILED\)/,
      );
      expect((await project.run(['migration:pending'])).stdout).toBe(
        'Pending Migration20260101000001_broken\n',
      );

      // Fixed, it runs again: where DDL is transactional its half-done table was rolled back with it.
      project.write({
        'migrations/Migration20260101000001_broken.js': migrationFile('Migration20260101000001_broken', [
          'create table cli_half_done (id int primary key)',
        ]),
      });
      const again = await project.run(['migration:up']);
      if (db.kind === 'mariadb') {
        // MariaDB committed the create table before the failing insert (documented): it is there already.
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(/cli_half_done.*already exists/i);
      } else {
        expect(again).toMatchObject({ code: 0, stdout: 'Applied Migration20260101000001_broken\n' });
      }
    });

    it('two processes migrating at once apply each migration once', async () => {
      const names = ['Migration20260101000000_a', 'Migration20260101000001_b', 'Migration20260101000002_c'];
      project.write(
        Object.fromEntries(
          names.map((n, i) => [
            `migrations/${n}.js`,
            // The first waits a moment, so the second process starts while the first is mid-run.
            migrationFile(
              n,
              [`create table cli_t${i} (id int primary key)`],
              [`drop table cli_t${i}`],
              i ? 0 : 1500,
            ),
          ]),
        ),
      );
      const [first, second] = await Promise.all([
        project.run(['migration:up']),
        project.run(['migration:up']),
      ]);
      expect([first.stderr, second.stderr]).toEqual(['', '']);
      expect([first.code, second.code]).toEqual([0, 0]);
      // Every migration applied exactly once between the two, and the later run found nothing left to do.
      expect([...applied(first.stdout), ...applied(second.stdout)].sort()).toEqual(names);
      expect([first.stdout, second.stdout]).toContain('No pending migrations.\n');
      const list = (await project.run(['migration:list'])).stdout.trim().split('\n');
      expect(list.map((line) => line.split(/\s+/).at(-1))).toEqual(names);
    });
  });
}
