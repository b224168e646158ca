import { ConfigError, redactUrl } from '@kosha/core';

/** The databases this backend speaks to. */
export type Dialect = 'sqlite' | 'postgresql' | 'mysql' | 'mariadb';

/** Where and how to connect, parsed from a database URL. */
export interface ConnectionTarget {
  /** Which database family. */
  readonly dialect: Dialect;
  /** The MikroORM driver package that serves it. */
  readonly driverPackage: `@mikro-orm/${Dialect}`;
  /** Database name, or the SQLite file (`:memory:` for an in-memory database). */
  readonly dbName: string;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly user?: string | undefined;
  /** Decoded password; never put into messages. */
  readonly password?: string | undefined;
  /** PostgreSQL schema (`?schema=`). */
  readonly schema?: string | undefined;
}

/** URL schemes this backend registers for. */
export const SCHEMES = ['sqlite', 'postgresql', 'postgres', 'mysql', 'mariadb'] as const;

const DIALECT_OF: Record<(typeof SCHEMES)[number], Dialect> = {
  sqlite: 'sqlite',
  postgresql: 'postgresql',
  postgres: 'postgresql',
  mysql: 'mysql',
  mariadb: 'mariadb',
};

const EXAMPLES =
  'postgresql://user:pass@localhost:5432/app, mysql://…, mariadb://…, sqlite::memory: or sqlite:path/to/app.db';

/** The URL as it may appear in a message: credentials hidden, also in URLs too malformed for `redactUrl`. */
export function shownUrl(url: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return redactUrl(url);
  return url.replace(/^([a-z][a-z0-9+.-]*:)?(.*)@/is, (_m, scheme?: string) => `${scheme ?? ''}***@`);
}

function fail(key: string, url: string, why: string): never {
  throw new ConfigError(`mikroOrm: \`${key}\` ${why} (got "${shownUrl(url)}"). Write it as ${EXAMPLES}.`);
}

function decode(part: string, key: string, url: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return fail(key, url, 'has a malformed %-escape in its user, password or database');
  }
}

function parseSqlite(url: string, key: string): ConnectionTarget {
  let path = url.slice('sqlite:'.length);
  // `sqlite:///abs/app.db` and `sqlite://rel.db` are common spellings of `sqlite:/abs/app.db` / `sqlite:rel.db`.
  if (path.startsWith('//')) path = path.slice(2);
  if (!path) fail(key, url, 'names no SQLite file');
  if (path.includes('?') || path.includes('#'))
    fail(key, url, 'has query parameters, which SQLite URLs do not take');
  return { dialect: 'sqlite', driverPackage: '@mikro-orm/sqlite', dbName: decode(path, key, url) };
}

/**
 * Parses a database URL: `postgresql://user:pass@host:5432/db`, `postgres://…`, `mysql://…`,
 * `mariadb://…`, `sqlite::memory:`, `sqlite:relative/or/absolute/path.db`. A malformed URL or an
 * unknown scheme is a `ConfigError` naming `key`, with the password redacted.
 */
export function parseDatabaseUrl(url: unknown, key = 'url'): ConnectionTarget {
  if (typeof url !== 'string' || !url.trim()) {
    throw new ConfigError(`mikroOrm: \`${key}\` must be a database URL string, e.g. ${EXAMPLES}.`);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (!scheme) fail(key, url, 'is not a URL');
  if (!(scheme in DIALECT_OF))
    fail(key, url, `has the scheme "${scheme}:", which @kosha/orm-mikro does not serve`);
  const dialect = DIALECT_OF[scheme as keyof typeof DIALECT_OF];
  if (dialect === 'sqlite') return parseSqlite(url, key);

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(key, url, 'is not a valid URL');
  }
  if (!url.slice(scheme.length + 1).startsWith('//') || !parsed.hostname) fail(key, url, 'names no host');
  const dbName = decode(parsed.pathname.replace(/^\//, ''), key, url);
  if (!dbName || dbName.includes('/'))
    fail(key, url, 'must name exactly one database after the host (…/dbname)');
  let schema: string | undefined;
  for (const [name, value] of parsed.searchParams) {
    if (name === 'schema' && dialect === 'postgresql' && value) schema = value;
    else
      fail(
        key,
        url,
        `has the query parameter "${name}", which is not supported (PostgreSQL URLs take ?schema=)`,
      );
  }
  return {
    dialect,
    driverPackage: `@mikro-orm/${dialect}`,
    dbName,
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : undefined,
    user: parsed.username ? decode(parsed.username, key, url) : undefined,
    password: parsed.password ? decode(parsed.password, key, url) : undefined,
    schema,
  };
}
