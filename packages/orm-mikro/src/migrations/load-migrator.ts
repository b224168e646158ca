import { ConfigError } from '@kosha/core';
import { Utils } from '@mikro-orm/core';
import type { Migrator } from '@mikro-orm/migrations';
import type { EntityManager } from '@mikro-orm/sql';

/** MikroORM's `Migrator` class (`@mikro-orm/migrations`). */
export type MigratorClass = new (em: EntityManager) => Migrator;

/**
 * Loads `@mikro-orm/migrations`, an optional peer: applications that never migrate do not install it. A
 * missing one is a `ConfigError` that says what to install.
 */
export async function loadMigrator(): Promise<MigratorClass> {
  try {
    return (await import('@mikro-orm/migrations')).Migrator;
  } catch (error) {
    const version = Utils.getORMVersion();
    throw new ConfigError(
      `Migrations need @mikro-orm/migrations, which could not be loaded (${(error as Error)?.message ?? String(error)}). ` +
        `Install it at the version of your @mikro-orm/core: npm i @mikro-orm/migrations@${version}.`,
      { cause: error },
    );
  }
}
