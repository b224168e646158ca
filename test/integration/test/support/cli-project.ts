import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const manifestPath = createRequire(import.meta.url).resolve('@kosha/cli/package.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: { kosha: string } };
/** The built binary of the installed @kosha/cli, as its package.json's `bin` names it (build it first). */
export const KOSHA_BIN = join(dirname(manifestPath), manifest.bin.kosha);

/** What one run of the binary printed and how it ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// The application's configuration comes from each test's project, never from the environment of the test run.
const cleanEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('KOSHA_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL' && k !== 'VITEST',
    ),
  );

/**
 * A scratch application folder (inside this package, so its files resolve @kosha/core, @kosha/orm-mikro and
 * @mikro-orm/migrations from its node_modules) and the `kosha` binary run in it as a child process.
 */
export class CliProject {
  readonly dir = mkdtempSync(join(import.meta.dirname, '..', '.projects-'));

  /** Writes files (path relative to the project → content). */
  write(files: Record<string, string>): this {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true });
      writeFileSync(join(this.dir, path), text);
    }
    return this;
  }

  /** Runs `kosha …args` in the project and waits for it to end. */
  run(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [KOSHA_BIN, ...args], {
        cwd: this.dir,
        env: { ...cleanEnv(), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** Removes the project folder. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An entity module in TypeScript with Kosha's decorators. */
export const entityModule = (className: string, tableName: string, extra = '') => `
import { column, entity, id, table } from '@kosha/core';

@entity
@table('${tableName}')
export class ${className} {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 80 }) name!: string;
  ${extra}
}
`;

/** A kosha.config.ts for a database URL and the entities of ./entities.ts. */
export const configModule = (url: string, entities: readonly string[], migrations = '') => `
import type { KoshaOptions } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import { ${entities.join(', ')} } from './entities.js';

export default {
  orm: mikroOrm({ url: ${JSON.stringify(url)}, pool: { min: 0, max: 4 } }),
  entities: [${entities.join(', ')}],
  ${migrations}
} satisfies KoshaOptions;
`;

/** A hand-written JavaScript migration whose `up` runs these statements (and first waits `waitMs`). */
export const migrationFile = (
  name: string,
  up: readonly string[],
  down: readonly string[] = [],
  waitMs = 0,
) => `
import { Migration } from '@mikro-orm/migrations';

export class ${name} extends Migration {
  async up() {
    ${waitMs ? `await new Promise((resolve) => setTimeout(resolve, ${waitMs}));` : ''}
    ${up.map((s) => `this.addSql(${JSON.stringify(s)});`).join('\n    ')}
  }
  down() {
    ${down.map((s) => `this.addSql(${JSON.stringify(s)});`).join('\n    ')}
  }
}
`;
