import { isAbsolute, join } from 'node:path';
import {
  ConfigError,
  type CreatedMigration,
  InvalidArgumentError,
  KoshaError,
  type MigrateOptions,
  MigrationError,
  type MigrationSettings,
  type MigrationStatus,
  type Migrations,
} from '@kosha/core';
import type { Migrator } from '@mikro-orm/migrations';
import type { MikroORM, Options } from '@mikro-orm/sql';
import type { Dialect } from '../url.js';
import { loadMigrator } from './load-migrator.js';
import { withMigrationLock } from './migration-lock.js';

/** Defaults of {@link MigrationSettings}. */
export const MIGRATION_DEFAULTS = {
  path: 'migrations',
  table: 'kosha_migrations',
  lockTimeout: 600,
  emit: 'ts',
} as const;

/** What the migrations need from the backend. */
export interface MigrationHost {
  readonly orm: MikroORM;
  readonly dialect: Dialect;
  /** Connections the pool opens at most (the lock keeps one for the whole run). */
  readonly maxConnections: number | undefined;
  /** Driver errors → Kosha's (`DatabaseError`), secrets removed. */
  translate(error: unknown): unknown;
}

/** The folder of the migration files, absolute (relative paths are from the working directory). */
export function migrationsPath(settings: MigrationSettings | undefined): string {
  const path = settings?.path ?? MIGRATION_DEFAULTS.path;
  return isAbsolute(path) ? path : join(process.cwd(), path);
}

/** MikroORM's `migrations` options for Kosha's settings. */
export function migratorOptions(settings: MigrationSettings | undefined): NonNullable<Options['migrations']> {
  return {
    path: migrationsPath(settings),
    tableName: settings?.table ?? MIGRATION_DEFAULTS.table,
    emit: settings?.emit ?? MIGRATION_DEFAULTS.emit,
    // Each migration in its own transaction (committed when it succeeds), not one for the whole run.
    transactional: true,
    allOrNothing: false,
    // `create` diffs the entities against the database itself, as the CLI promises, not a snapshot file.
    snapshot: false,
    // Kosha's callers report what ran (the CLI prints it); MikroORM's own lines would repeat it.
    silent: true,
  };
}

/** `kosha.migrations` on MikroORM's `Migrator` (`@mikro-orm/migrations`), every call under the migration lock. */
export class MikroMigrations implements Migrations {
  readonly #host: MigrationHost;
  readonly #settings: MigrationSettings | undefined;
  #migrator: Promise<Migrator> | undefined;
  /** The migration running now, for the error when it fails. */
  #current: string | undefined;

  constructor(host: MigrationHost, settings: MigrationSettings | undefined) {
    this.#host = host;
    this.#settings = settings;
  }

  up(options?: MigrateOptions): Promise<string[]> {
    return this.#run('up', options);
  }

  down(options?: MigrateOptions): Promise<string[]> {
    return this.#run('down', options);
  }

  pending(): Promise<string[]> {
    return this.#locked(async (m) => (await m.getPending()).map((p) => p.name));
  }

  list(): Promise<MigrationStatus[]> {
    return this.#locked(async (m) => {
      const applied = (await m.getExecuted()).map((row) => ({
        name: row.name.replace(/\.[jt]s$/, ''),
        appliedAt: row.executed_at,
      }));
      const pending = (await m.getPending()).map((p) => ({ name: p.name, appliedAt: undefined }));
      return [...applied, ...pending];
    });
  }

  async create(name?: string): Promise<CreatedMigration | undefined> {
    if (name !== undefined && !/^[\w-]+$/.test(name))
      throw new InvalidArgumentError(
        `A migration name is letters, digits, _ and - (it becomes part of the file name), got ${JSON.stringify(name)}.`,
      );
    return this.#locked(async (m) => {
      const result = await m.create(undefined, false, false, name);
      if (!result.fileName) return undefined;
      return {
        name: result.fileName.replace(/\.[cm]?[jt]s$/, ''),
        path: join(migrationsPath(this.#settings), result.fileName),
        up: result.diff.up.filter((s) => s.trim() !== ''),
        down: result.diff.down.filter((s) => s.trim() !== ''),
      };
    });
  }

  #run(direction: 'up' | 'down', options: MigrateOptions | undefined): Promise<string[]> {
    return this.#locked(async (m) => {
      this.#current = undefined;
      try {
        const done = await m[direction](options?.to === undefined ? undefined : { to: options.to });
        return done.map((d) => d.name);
      } catch (error) {
        const current = this.#current;
        if (current === undefined) throw error;
        const transactionalDdl = this.#host.dialect === 'postgresql' || this.#host.dialect === 'sqlite';
        throw MigrationError.failed(current, direction, transactionalDdl, this.#host.translate(error));
      }
    });
  }

  async #locked<T>(work: (migrator: Migrator) => Promise<T>): Promise<T> {
    const { dialect, maxConnections, orm } = this.#host;
    if (dialect !== 'sqlite' && maxConnections !== undefined && maxConnections < 2)
      throw new ConfigError(
        `Migrations on ${dialect} need a pool of at least 2 connections (one holds the migration lock for the run), ` +
          `but pool.max is ${maxConnections}.`,
      );
    const migrator = await this.#migratorOnce();
    const target = {
      dialect,
      dbName: orm.config.get('dbName') ?? '',
      table: this.#settings?.table ?? MIGRATION_DEFAULTS.table,
      timeout: this.#settings?.lockTimeout ?? MIGRATION_DEFAULTS.lockTimeout,
    };
    try {
      return await withMigrationLock(orm.em.getConnection(), target, () => work(migrator));
    } catch (error) {
      throw error instanceof KoshaError ? error : this.#host.translate(error);
    }
  }

  #migratorOnce(): Promise<Migrator> {
    this.#migrator ??= loadMigrator().then((Migrator) => {
      const migrator = new Migrator(this.#host.orm.em);
      migrator.on('migrating', (e) => {
        this.#current = e.name;
      });
      migrator.on('reverting', (e) => {
        this.#current = e.name;
      });
      return migrator;
    });
    return this.#migrator;
  }
}
