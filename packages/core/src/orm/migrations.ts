/**
 * Schema migrations: an optional capability of an ORM backend (`OrmBackend.migrations`), reached through
 * `kosha.migrations` and the `kosha` binary of `@kosha/cli`. Core defines the contract; the backend (MikroORM's
 * migrator for `@kosha/orm-mikro`) does the work.
 */

/** Where migrations live and how runs coordinate; `[migrations]` of config.ini, `migrations` of `createKosha`. */
export interface MigrationSettings {
  /** Folder of the migration files, relative to the working directory. Default `migrations`. */
  path?: string | undefined;
  /** Table recording the applied migrations. Default `kosha_migrations`. */
  table?: string | undefined;
  /**
   * Seconds a run waits for the migration lock that another instance holds (its run) before it fails with
   * `MigrationError` (`KOSHA_MIGRATION_LOCKED`). Default 600.
   */
  lockTimeout?: number | undefined;
  /** Language of the files `create` writes: `ts` (the default; Node 24 loads them as they are) or `js`. */
  emit?: 'ts' | 'js' | undefined;
}

/** One migration `list()` knows of: a file, an applied row, or both. */
export interface MigrationStatus {
  /** The migration's name (its file name without the extension). */
  readonly name: string;
  /** When it was applied; `undefined` while it is pending. */
  readonly appliedAt: Date | undefined;
}

/** What `create` wrote. */
export interface CreatedMigration {
  /** The new migration's name. */
  readonly name: string;
  /** Path of the file written. */
  readonly path: string;
  /** The statements of its `up`. */
  readonly up: readonly string[];
  /** The statements of its `down`. */
  readonly down: readonly string[];
}

/** Which migrations `up`/`down` run. */
export interface MigrateOptions {
  /**
   * `up`: apply pending migrations up to and including this one. `down`: revert applied migrations down to,
   * not including, this one; `0` reverts all of them. Default: `up` applies every pending migration, `down`
   * reverts the last applied one.
   */
  to?: string | 0 | undefined;
}

/**
 * Create, apply and revert migrations (`kosha.migrations`). Each migration runs in its own transaction where
 * the database's DDL is transactional (PostgreSQL, SQLite), and every call holds the database's migration
 * lock, so instances that start at once apply each migration once.
 *
 * ```ts
 * const applied = await kosha.migrations.up(); // ['Migration20261201120000_users', …]
 * ```
 */
export interface Migrations {
  /** Applies the pending migrations, oldest first; returns the names applied. */
  up(options?: MigrateOptions): Promise<string[]>;
  /** Reverts applied migrations, newest first (by default the last one); returns the names reverted. */
  down(options?: MigrateOptions): Promise<string[]>;
  /** The names of the migrations not yet applied, oldest first. */
  pending(): Promise<string[]>;
  /** Every migration: the applied ones (oldest first) with their time, then the pending ones. */
  list(): Promise<MigrationStatus[]>;
  /**
   * Writes a migration from the difference between the mapped entities and the database; `undefined` when
   * there is none (nothing is written).
   */
  create(name?: string): Promise<CreatedMigration | undefined>;
}

/** The SQL a schema operation would send (`kosha.schema.sql('update')`, `kosha schema:update --dump`). */
export type SchemaAction = 'create' | 'update' | 'drop';
