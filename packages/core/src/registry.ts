import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CacheProvider } from './cache/cache-provider.js';
import type { CacheConfig, DatabaseConfig } from './config/config.js';
import { ConfigError } from './errors.js';
import { redactUrl } from './logger.js';
import type { Many } from './mapping/many.js';
import type { OrmBackend } from './orm/orm-backend.js';

/** A plugin that builds ORM backends for some URL schemes. */
export interface OrmBackendPlugin {
  /** The plugin's package, e.g. `@kosha/orm-mikro`. */
  readonly package: string;
  /** URL schemes it serves, without the colon: `postgresql`, `sqlite`… */
  readonly schemes: readonly string[];
  /** Builds a backend from configuration. */
  create(config: DatabaseConfig): OrmBackend;
  /** Makes the empty to-many collection `many(owner)` gives a new entity (the backend's own kind). */
  many?<T extends object>(owner: object): Many<T>;
}

/** A plugin that builds cache providers for some URL schemes. */
export interface CacheProviderPlugin {
  /** The plugin's package, e.g. `@kosha/cache-redis`. */
  readonly package: string;
  /** URL schemes it serves, without the colon: `redis`, `rediss`… */
  readonly schemes: readonly string[];
  /** Builds a provider from configuration. */
  create(config: CacheConfig): CacheProvider;
}

const ormPlugins = new Map<string, OrmBackendPlugin>();
const cachePlugins = new Map<string, CacheProviderPlugin>();

// Which package to suggest (and try to load) for a scheme nobody registered.
const KNOWN_ORM: Record<string, string> = {
  sqlite: '@kosha/orm-mikro',
  postgresql: '@kosha/orm-mikro',
  postgres: '@kosha/orm-mikro',
  mysql: '@kosha/orm-mikro',
  mariadb: '@kosha/orm-mikro',
};
const KNOWN_CACHE: Record<string, string> = { redis: '@kosha/cache-redis', rediss: '@kosha/cache-redis' };

/**
 * Registers an ORM backend plugin for its URL schemes. Plugins call this when imported.
 *
 * ```ts
 * registerOrmBackend({ package: '@acme/orm', schemes: ['acme'], create: (cfg) => acmeBackend(cfg) });
 * ```
 */
export function registerOrmBackend(plugin: OrmBackendPlugin): void {
  for (const s of plugin.schemes) ormPlugins.set(s.toLowerCase(), plugin);
}

/** The registered backend's maker of empty to-many collections, if one registered a `many`. */
export function manyFactory(): OrmBackendPlugin['many'] {
  for (const plugin of ormPlugins.values()) if (plugin.many) return plugin.many;
  return undefined;
}

/** Registers a cache provider plugin for its URL schemes. Plugins call this when imported. */
export function registerCacheProvider(plugin: CacheProviderPlugin): void {
  for (const s of plugin.schemes) cachePlugins.set(s.toLowerCase(), plugin);
}

/** The scheme of a URL (`postgresql` of `postgresql://…`, `sqlite` of `sqlite::memory:`), lower-cased. */
export function urlScheme(url: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
}

async function tryImport(pkg: string): Promise<boolean> {
  // Core imports no plugin statically; a configured URL may still name one the application installed.
  try {
    const require = createRequire(join(process.cwd(), 'package.json'));
    await import(pathToFileURL(require.resolve(pkg)).href);
    return true;
  } catch {
    return false;
  }
}

async function resolvePlugin<P>(
  kind: 'database' | 'cache',
  key: string,
  url: string,
  plugins: Map<string, P>,
  known: Record<string, string>,
): Promise<P> {
  const scheme = urlScheme(url);
  if (!scheme) {
    throw new ConfigError(
      `${key} is not a URL: "${redactUrl(url)}". Write it as scheme://…, e.g. ` +
        (kind === 'database'
          ? 'postgresql://user:pass@localhost:5432/app or sqlite::memory:.'
          : 'redis://localhost:6379/0 or memory:.'),
    );
  }
  let plugin = plugins.get(scheme);
  const pkg = known[scheme];
  if (!plugin && pkg && (await tryImport(pkg))) plugin = plugins.get(scheme);
  if (plugin) return plugin;
  if (pkg) {
    throw new ConfigError(
      `${key} uses "${scheme}:", served by ${pkg}, which is not installed or not imported. ` +
        `Install it (npm i ${pkg}) and import it once at startup: import '${pkg}';`,
    );
  }
  const served = [...plugins.keys()].join(', ') || 'none registered';
  throw new ConfigError(`${key} has an unknown ${kind} scheme "${scheme}:" (schemes available: ${served}).`);
}

/** Finds the backend plugin for a database URL, loading a known plugin if it is installed. */
export function ormPluginFor(url: string, key = 'database url'): Promise<OrmBackendPlugin> {
  return resolvePlugin('database', key, url, ormPlugins, KNOWN_ORM);
}

/** Finds the provider plugin for a cache URL, loading a known plugin if it is installed. */
export function cachePluginFor(url: string, key = 'cache url'): Promise<CacheProviderPlugin> {
  return resolvePlugin('cache', key, url, cachePlugins, KNOWN_CACHE);
}
