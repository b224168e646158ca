import { readFile } from 'node:fs/promises';
import { parse as parseIni } from 'ini';
import { ConfigError } from '../errors.js';
import { redactUrl } from '../logger.js';
import { urlScheme } from '../registry.js';
import type { KoshaConfig } from './config.js';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Path of a `config.ini` file (the seed's format). Env vars override what it says. */
  file?: string | undefined;
  /** The environment to read (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

type Source = { value: string; from: string };

const bool = (v: Source) => {
  const s = v.value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
  throw new ConfigError(`${v.from} must be true or false, got ${JSON.stringify(v.value)}.`);
};

const wholeNumber = (min: number) => (v: Source) => {
  // As `Number()` reads it (so `0x10` and `1e3` are numbers too), but never blank, NaN or infinite.
  const n = v.value.trim() === '' ? Number.NaN : Number(v.value);
  if (!Number.isInteger(n) || n < min || n > 1_000_000)
    throw new ConfigError(`${v.from} must be a whole number ≥ ${min}, got ${JSON.stringify(v.value)}.`);
  return n;
};

/**
 * A number of seconds: decimal, fractions allowed, from a millisecond up to 1,000,000 s. The bounds
 * keep the value meaningful once turned into milliseconds: less than 1 ms rounds to 0, which pg
 * reads as "wait forever", and timers cannot count beyond about 24 days.
 */
const seconds = (unset: string) => (v: Source) => {
  const s = v.value.trim();
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : Number.NaN;
  if (!(n >= 0.001 && n <= 1_000_000))
    throw new ConfigError(
      `${v.from} must be a number of seconds from 0.001 to 1000000 (e.g. 10 or 2.5), got ${JSON.stringify(v.value)}. ` +
        `Fix the value, or remove it for ${unset}.`,
    );
  return n;
};

const url = (kind: 'database' | 'cache') => (v: Source) => {
  const s = v.value.trim();
  // `user:pass@host` parses as scheme "user": a URL with credentials must have its `//`.
  if (!urlScheme(s) || (s.includes('@') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(s))) {
    const example =
      kind === 'database'
        ? 'postgresql://user:pass@localhost:5432/app or sqlite::memory:'
        : 'redis://localhost:6379/0 or memory:';
    throw new ConfigError(`${v.from} is not a URL: "${redactUrl(s)}". Write it as e.g. ${example}.`);
  }
  return s;
};

const nonBlank = (v: Source) => {
  const s = v.value.trim();
  if (!s) throw new ConfigError(`${v.from} is empty: give a value, or remove the key for its default.`);
  return s;
};

const list = (v: Source) =>
  v.value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => url('database')({ value: s, from: v.from }));

// key in config.ini section → [env names…], parser
const KEYS = {
  database: {
    url: [['KOSHA_DATABASE_URL', 'DATABASE_URL'], url('database')],
    pool_size: [['KOSHA_DATABASE_POOL_SIZE'], wholeNumber(1)],
    max_overflow: [['KOSHA_DATABASE_MAX_OVERFLOW'], wholeNumber(0)],
    pool_min: [['KOSHA_DATABASE_POOL_MIN'], wholeNumber(0)],
    echo: [['KOSHA_DATABASE_ECHO'], bool],
    replicas: [['KOSHA_DATABASE_REPLICAS'], list],
    acquire_timeout: [['KOSHA_DATABASE_ACQUIRE_TIMEOUT'], seconds('the default (10 s)')],
    statement_timeout: [['KOSHA_DATABASE_STATEMENT_TIMEOUT'], seconds('no limit (the default)')],
  },
  cache: {
    url: [['KOSHA_CACHE_URL', 'REDIS_URL'], url('cache')],
    enabled: [['KOSHA_CACHE_ENABLED'], bool],
    default_ttl: [['KOSHA_CACHE_DEFAULT_TTL'], wholeNumber(0)],
    key_prefix: [['KOSHA_CACHE_KEY_PREFIX'], (v: Source) => v.value.trim()],
  },
  migrations: {
    path: [['KOSHA_MIGRATIONS_PATH'], (v: Source) => nonBlank(v)],
    table: [['KOSHA_MIGRATIONS_TABLE'], (v: Source) => nonBlank(v)],
    lock_timeout: [['KOSHA_MIGRATIONS_LOCK_TIMEOUT'], seconds('the default (600 s)')],
  },
  log: {
    level: [
      ['KOSHA_LOG_LEVEL'],
      (v: Source) => {
        const s = v.value.trim().toLowerCase();
        if (!['debug', 'info', 'warn', 'error'].includes(s)) {
          throw new ConfigError(
            `${v.from} must be one of debug, info, warn, error, got ${JSON.stringify(v.value)}.`,
          );
        }
        return s as 'debug' | 'info' | 'warn' | 'error';
      },
    ],
  },
} as const satisfies Record<string, Record<string, readonly [readonly string[], (v: Source) => unknown]>>;

/** Defaults: the embedded SQLite database and the in-memory cache. */
export const DEFAULT_DATABASE_URL = 'sqlite::memory:';
/** Default cache URL. */
export const DEFAULT_CACHE_URL = 'memory:';

async function readIniFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(
      `Config file ${file} could not be read: ${(cause as Error).message}. Check the path.`,
      {
        cause,
      },
    );
  }
  return parseIni(text) as Record<string, unknown>;
}

/**
 * Reads configuration from environment variables and, optionally, the seed's `config.ini`
 * (`[database] url, pool_size, max_overflow, echo`; `[cache] url, enabled`). Environment wins.
 * Unknown sections or keys and malformed values are `ConfigError`s naming the key.
 *
 * ```ts
 * const kosha = await createKosha(await loadConfig({ file: 'config.ini' }));
 * ```
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<KoshaConfig> {
  const env = options.env ?? process.env;
  const file = options.file ?? env.KOSHA_CONFIG_FILE;
  const ini = file ? await readIniFile(file) : {};
  const values: Record<string, Record<string, unknown>> = {
    database: {},
    cache: {},
    migrations: {},
    log: {},
  };

  for (const [section, body] of Object.entries(ini)) {
    // Own properties only: a section or key named `constructor` or `valueOf` is unknown, not Object's.
    const known = Object.hasOwn(KEYS, section)
      ? (KEYS as Record<string, Record<string, unknown>>)[section]
      : undefined;
    if (!known || typeof body !== 'object' || body === null) {
      throw new ConfigError(
        `${file}: unknown section [${section}]. Known sections: ${Object.keys(KEYS)
          .map((s) => `[${s}]`)
          .join(', ')}.`,
      );
    }
    for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
      const spec = (Object.hasOwn(known, key) ? known[key] : undefined) as
        | readonly [readonly string[], (v: Source) => unknown]
        | undefined;
      if (!spec) {
        throw new ConfigError(
          `${file}: unknown key "${key}" in [${section}]. Known keys: ${Object.keys(known).join(', ')}.`,
        );
      }
      values[section]![key] = spec[1]({ value: String(raw), from: `[${section}] ${key} in ${file}` });
    }
  }
  for (const [section, keys] of Object.entries(KEYS)) {
    for (const [key, [envNames, parse]] of Object.entries(keys)) {
      const name = (envNames as readonly string[]).find((n: string) => env[n] !== undefined && env[n] !== '');
      if (name)
        values[section]![key] = (parse as (v: Source) => unknown)({ value: env[name]!, from: `env ${name}` });
    }
  }

  const db = values.database as {
    url?: string;
    pool_size?: number;
    max_overflow?: number;
    pool_min?: number;
    echo?: boolean;
    replicas?: string[];
    acquire_timeout?: number;
    statement_timeout?: number;
  };
  const cache = values.cache as {
    url?: string;
    enabled?: boolean;
    default_ttl?: number;
    key_prefix?: string;
  };
  const poolSize = db.pool_size ?? 5;
  const config: KoshaConfig = {
    orm: {
      url: db.url ?? DEFAULT_DATABASE_URL,
      pool: {
        min: Math.min(db.pool_min ?? 0, poolSize),
        max: poolSize + (db.max_overflow ?? 10),
        // Unset: left out, so the backend's own default applies.
        ...(db.acquire_timeout === undefined ? {} : { acquireTimeout: db.acquire_timeout }),
      },
      debug: db.echo ?? false,
      ...(db.replicas?.length ? { replicas: db.replicas } : {}),
      ...(db.statement_timeout === undefined ? {} : { statementTimeout: db.statement_timeout }),
    },
    cache: {
      url: cache.url ?? DEFAULT_CACHE_URL,
      enabled: cache.enabled ?? true,
      defaultTtl: cache.default_ttl ?? 3600,
      ...(cache.key_prefix ? { keyPrefix: cache.key_prefix } : {}),
    },
  };
  const level = (values.log as { level?: KoshaConfig['logLevel'] }).level;
  if (level) config.logLevel = level;
  const migrations = values.migrations as { path?: string; table?: string; lock_timeout?: number };
  if (Object.keys(migrations).length > 0) {
    config.migrations = {
      ...(migrations.path ? { path: migrations.path } : {}),
      ...(migrations.table ? { table: migrations.table } : {}),
      ...(migrations.lock_timeout === undefined ? {} : { lockTimeout: migrations.lock_timeout }),
    };
  }
  return config;
}
