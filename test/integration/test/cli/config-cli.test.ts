// How the `kosha` binary finds the application's configuration and entities, and what it says when it cannot.
// On SQLite files: the configuration is the subject here, the databases are covered by migrations-cli.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliProject, configModule, entityModule } from '../support/cli-project.js';

let project: CliProject;
beforeEach(() => {
  project = new CliProject();
});
afterEach(() => {
  project.remove();
});

describe('kosha reads the configuration as the application does', { timeout: 120_000 }, () => {
  it('config.ini with [migrations] path, and --entities for the modules that declare the entities', async () => {
    project.write({
      'entities.ts': entityModule('Pet', 'cfg_pet'),
      'config.ini': '[database]\nurl = sqlite:pets.db\n\n[migrations]\npath = db/migrations\n',
    });
    const created = await project.run(['migration:create', '--entities', 'entities.ts', '--name', 'pets']);
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/^Created \S+\/db\/migrations\/Migration\d{14}_pets\.ts/);
    // Applying needs no entities: the migration files say what to run.
    expect((await project.run(['migration:up'])).stdout).toMatch(/^Applied Migration\d{14}_pets\n$/);
  });

  it('KOSHA_DATABASE_URL alone, as the application reads it, and an explicit --config kosha.config.ts', async () => {
    project.write({
      'entities.ts': entityModule('Pet', 'cfg_pet'),
      'conf/app.config.ts': configModule('sqlite:other.db', ['Pet']).replace(
        './entities.js',
        '../entities.js',
      ),
    });
    const fromEnv = await project.run(['schema:create', '--dump', '--entities', 'entities.ts'], {
      KOSHA_DATABASE_URL: 'sqlite:pets.db',
    });
    expect(fromEnv).toMatchObject({ code: 0, stderr: '' });
    expect(fromEnv.stdout).toMatch(/create table `cfg_pet`/);
    const explicit = await project.run(['schema:create', '--dump', '--config', 'conf/app.config.ts']);
    expect(explicit.stdout).toMatch(/create table `cfg_pet`/);
  });

  it('entities written with experimentalDecorators compile as the project tsconfig says', async () => {
    project.write({
      'tsconfig.json': JSON.stringify({
        compilerOptions: { experimentalDecorators: true, target: 'es2022' },
      }),
      'entities.ts': entityModule(
        'Pet',
        'cfg_pet_legacy',
        '@column({ type: "integer", nullable: true }) age?: number;',
      ),
      'kosha.config.ts': configModule('sqlite:pets.db', ['Pet']),
    });
    const dump = await project.run(['schema:create', '--dump']);
    expect(dump.stderr).toBe('');
    expect(dump.stdout).toMatch(/create table `cfg_pet_legacy` \(.*`age` integer null/);
  });

  it('a kosha.config.js exporting a function of the options', async () => {
    project.write({
      'kosha.config.mjs': `import { column, entity, id, table } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
class Pet {}
entity(Pet);
table('cfg_pet_js')(Pet);
id()(Pet.prototype, 'id');
column({ type: 'string', length: 20 })(Pet.prototype, 'name');
export default async () => ({ orm: mikroOrm({ url: 'sqlite:pets.db' }), entities: [Pet] });
`,
    });
    expect((await project.run(['schema:create', '--dump'])).stdout).toMatch(/create table `cfg_pet_js`/);
  });
});

describe('kosha says what is wrong and exits 1', { timeout: 120_000 }, () => {
  it('no configuration at all', async () => {
    const run = await project.run(['migration:up']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^kosha migration:up: No configuration found in .*: the kosha command reads kosha\.config\.ts, .*config\.ini, or KOSHA_DATABASE_URL.*\(KOSHA_CONFIG\)/,
    );
  });

  it('a --config file that does not exist', async () => {
    const run = await project.run(['migration:list', '--config', 'nope.ts']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--config nope\.ts: there is no such file/);
  });

  it('no entities for a command that compares them with the database', async () => {
    project.write({ 'config.ini': '[database]\nurl = sqlite:pets.db\n' });
    const run = await project.run(['migration:create']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /migration:create compares the entities with the database, but \S+config\.ini gives none: list them in kosha\.config\.ts .*--entities/,
    );
  });

  it('a database URL that is not one, without its password', async () => {
    project.write({ 'config.ini': '[database]\nurl = app:s3cret@localhost/app\n' });
    const run = await project.run(['migration:up']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /\[database\] url in \S+config\.ini is not a URL: .*Write it as e\.g\. postgresql:\/\//,
    );
    expect(run.stderr).not.toContain('s3cret');
  });

  it('a kosha.config.ts without a default export of the options', async () => {
    project.write({ 'kosha.config.ts': 'export const options = {};\n' });
    const run = await project.run(['migration:up']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/kosha\.config\.ts must export the createKosha options as its default export/);
  });

  it('an unknown command or option exits 2 with the usage', async () => {
    const run = await project.run(['migrate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown command "migrate"\.\n\nUsage: kosha <command>/);
    expect((await project.run(['migration:up', '--tooo', 'x'])).code).toBe(2);
    expect(await project.run(['--help'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Usage: kosha/),
    });
  });
});
