import { ConfigError } from '@kosha/core';
import { Utils } from '@mikro-orm/core';
import type { Options } from '@mikro-orm/sql';
import type { Dialect } from './url.js';

/**
 * The MikroORM versions `@kosha/orm-mikro` works with (its peer dependency range). MikroORM's own
 * packages must all have one and the same version: install the driver at the version of `@mikro-orm/core`.
 */
export const MIKRO_ORM_RANGE = '^7.2.1';

/** A MikroORM driver class (`SqliteDriver`, `PostgreSqlDriver`, …). */
export type DriverClass = NonNullable<Options['driver']>;

// Loaders and test runners may wrap the resolution error: look down the cause chain for it.
function isMissing(error: unknown, pkg: string): boolean {
  for (
    let e = error as { code?: string; message?: string; cause?: unknown } | undefined, i = 0;
    e && i < 5;
    i++
  ) {
    if (
      (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') &&
      String(e.message).includes(pkg)
    )
      return true;
    e = e.cause as typeof e;
  }
  return false;
}

// Literal specifiers (not a computed one) so bundlers and type checks see each optional driver.
async function importDriver(dialect: Dialect): Promise<DriverClass> {
  switch (dialect) {
    case 'sqlite':
      return (await import('@mikro-orm/sqlite')).SqliteDriver;
    case 'postgresql':
      return (await import('@mikro-orm/postgresql')).PostgreSqlDriver;
    case 'mysql':
      return (await import('@mikro-orm/mysql')).MySqlDriver;
    case 'mariadb':
      return (await import('@mikro-orm/mariadb')).MariaDbDriver;
  }
}

/**
 * Loads the MikroORM driver of a dialect. The drivers are optional peer dependencies: a missing one
 * is a `ConfigError` that says which package to install.
 */
export async function loadDriver(dialect: Dialect): Promise<DriverClass> {
  const pkg = `@mikro-orm/${dialect}`;
  // MikroORM's packages peer on their exact core version: the driver to install is the one of that version.
  const version = Utils.getORMVersion();
  try {
    return await importDriver(dialect);
  } catch (error) {
    if (isMissing(error, pkg)) {
      throw new ConfigError(
        `${dialect} URLs need the MikroORM driver ${pkg}, which is not installed: install it at the version of ` +
          `your @mikro-orm/core (${version}): npm i ${pkg}@${version}.`,
        { cause: error },
      );
    }
    throw new ConfigError(
      `The MikroORM driver ${pkg} is installed but could not be loaded: ${(error as Error)?.message ?? String(error)}. ` +
        `Reinstall it at the version of your @mikro-orm/core (npm i ${pkg}@${version}), with its native dependencies; ` +
        `@kosha/orm-mikro supports MikroORM ${MIKRO_ORM_RANGE}.`,
      { cause: error },
    );
  }
}
