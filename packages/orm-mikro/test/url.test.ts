import { ConfigError, createKosha, ormPluginFor } from '@kosha/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mikroOrm, parseDatabaseUrl } from '../src/index.js';
import { checkOptions } from '../src/mikro-orm-options.js';

const configError = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('database URLs', () => {
  it('reads every supported form', () => {
    expect(parseDatabaseUrl('sqlite::memory:')).toMatchObject({ dialect: 'sqlite', dbName: ':memory:' });
    expect(parseDatabaseUrl('sqlite:data/app.db')).toMatchObject({
      dialect: 'sqlite',
      dbName: 'data/app.db',
    });
    expect(parseDatabaseUrl('sqlite:/var/lib/app.db')).toMatchObject({ dbName: '/var/lib/app.db' });
    expect(parseDatabaseUrl('sqlite:///var/lib/app.db')).toMatchObject({ dbName: '/var/lib/app.db' });
    expect(parseDatabaseUrl('postgresql://app:s%40cret@db.internal:6543/shop?schema=sales')).toEqual({
      dialect: 'postgresql',
      driverPackage: '@mikro-orm/postgresql',
      dbName: 'shop',
      host: 'db.internal',
      port: 6543,
      user: 'app',
      password: 's@cret',
      schema: 'sales',
    });
    expect(parseDatabaseUrl('postgres://localhost/app')).toMatchObject({
      dialect: 'postgresql',
      port: undefined,
    });
    expect(parseDatabaseUrl('mysql://root@127.0.0.1:3306/test')).toMatchObject({
      dialect: 'mysql',
      user: 'root',
    });
    expect(parseDatabaseUrl('MariaDB://u:p@[::1]:3307/x')).toMatchObject({
      dialect: 'mariadb',
      host: '::1',
      port: 3307,
    });
  });

  it('refuses malformed URLs and unknown schemes with a ConfigError naming the key', () => {
    for (const [url, why] of [
      ['mongodb://localhost/app', /scheme "mongodb:"/],
      ['localhost:5432/app', /scheme "localhost:"/],
      ['not a url', /is not a URL/],
      ['postgresql:localhost/app', /names no host/],
      ['postgresql://localhost', /exactly one database/],
      ['postgresql://localhost/a/b', /exactly one database/],
      ['mysql://localhost/app?ssl=true', /query parameter "ssl"/],
      ['sqlite:', /names no SQLite file/],
      ['postgresql://local host/app', /is not a valid URL/],
    ] as const) {
      const error = configError(() => parseDatabaseUrl(url, 'orm.url'));
      expect(error.message).toMatch(/`orm\.url`/);
      expect(error.message).toMatch(why);
    }
    expect(configError(() => parseDatabaseUrl(42)).message).toMatch(/must be a database URL string/);
  });

  it('never puts the password of a bad URL into the message (fuzz)', () => {
    const password = fc.string({
      minLength: 8,
      maxLength: 24,
      unit: fc.constantFrom(...'abcXYZ0123456789!$&*@/?#:%'.split('')),
    });
    const shape = fc.constantFrom(
      (p: string) => `postgresql://app:${p}@db.internal:5432`, // no database
      (p: string) => `postgresql://app:${p}@db.internal:5432/a/b`,
      (p: string) => `mysql://app:${p}@db internal/app`,
      (p: string) => `mongodb://app:${p}@db.internal/app`,
      (p: string) => `postgresql:app:${p}@db.internal/app`,
      (p: string) => `app:${p}@db.internal/app`,
      (p: string) => `:${p}@db.internal/app`,
      (p: string) => `mariadb://app:${p}@db.internal/app?ssl=1`,
    );
    fc.assert(
      fc.property(password, shape, (secret, make) => {
        const url = make(secret);
        let message = '';
        try {
          mikroOrm({ url });
          // A well-formed URL is fine; only messages are checked here.
          return;
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          message = String((error as Error).message);
        }
        expect(message).not.toContain(secret);
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes any percent-encoded password exactly (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (secret) => {
        const url = `postgresql://app:${encodeURIComponent(secret)}@db.internal/app`;
        expect(parseDatabaseUrl(url).password).toBe(secret);
      }),
      { numRuns: 500 },
    );
  });
});

describe('mikroOrm options', () => {
  it('checks its options before connecting', () => {
    expect(configError(() => mikroOrm({ url: 'sqlite::memory:', poool: {} } as never)).message).toMatch(
      /unknown option `poool`/,
    );
    expect(configError(() => mikroOrm({ url: 'sqlite::memory:', pool: { max: 0 } })).message).toMatch(
      /`pool.max`/,
    );
    expect(configError(() => mikroOrm({ url: 'sqlite::memory:', pool: { min: 5, max: 2 } })).message).toMatch(
      /`pool.min`/,
    );
    expect(
      configError(() => mikroOrm({ url: 'sqlite::memory:', pool: { size: 2 } as never })).message,
    ).toMatch(/pool.size/);
    expect(configError(() => mikroOrm({ url: 'sqlite::memory:', debug: 'yes' as never })).message).toMatch(
      /`debug`/,
    );
    expect(
      configError(() => mikroOrm({ url: 'sqlite::memory:', replicas: ['sqlite::memory:'] })).message,
    ).toMatch(/SQLite has no read replicas/);
    const mixed = configError(() =>
      mikroOrm({ url: 'postgresql://a:topsecret1@h/db', replicas: ['mysql://a:topsecret2@h/db'] }),
    );
    expect(mixed.message).toMatch(/`replicas\[0\]` is a mysql URL/);
    expect(mixed.message).not.toMatch(/topsecret/);
    expect(
      configError(() => mikroOrm({ url: 'postgresql://h/db', replicas: ['postgresql://h'] })).message,
    ).toMatch(/`replicas\[0\]`/);
  });

  it('takes an option given as undefined as left out, in the pool too', async () => {
    const { checked } = checkOptions({
      url: 'postgresql://h/db',
      pool: { min: undefined, max: undefined, idleTimeoutMillis: undefined, acquireTimeout: undefined },
      debug: undefined,
      replicas: undefined,
      statementTimeout: undefined,
      entities: undefined,
    });
    // Handed to the driver without the undefined settings, so its own defaults apply.
    expect(checked.pool).toEqual({});
    expect(Object.keys(checked.pool ?? {})).toEqual([]);
    expect(mikroOrm({ url: 'postgresql://h/db', pool: { max: undefined } }).capabilities.maxConnections).toBe(
      10,
    );
    const kosha = await createKosha({
      orm: mikroOrm({ url: 'sqlite::memory:', pool: undefined, debug: undefined, entities: undefined }),
      entities: [],
      setDefault: false,
      cache: false,
    });
    await kosha.close();
  });

  it('says what it can do per database: SQLite is one connection', () => {
    expect(mikroOrm({ url: 'sqlite::memory:' }).capabilities).toEqual({
      concurrentTransactions: false,
      savepoints: true,
      readReplicas: false,
      maxConnections: 1,
      locks: 'database',
      lockWaitOptions: false,
    });
    expect(mikroOrm({ url: 'postgresql://h/db' }).capabilities.concurrentTransactions).toBe(true);
    expect(mikroOrm({ url: 'postgresql://h/db' }).capabilities).toMatchObject({
      locks: 'rows',
      lockWaitOptions: true,
    });
    expect(mikroOrm({ url: 'postgresql://h/db' }).capabilities.maxConnections).toBe(10);
    expect(mikroOrm({ url: 'postgresql://h/db', pool: { max: 3 } }).capabilities.maxConnections).toBe(3);
    expect(mikroOrm({ url: 'mariadb://h/db' }).capabilities.concurrentTransactions).toBe(true);
    const replicated = mikroOrm({ url: 'mysql://h/db', replicas: ['mariadb://r1/db', 'mysql://r2/db'] });
    expect(replicated.capabilities.readReplicas).toBe(true);
    expect(replicated.dialect).toBe('mysql');
  });

  it('registers itself for its URL schemes when imported', async () => {
    for (const url of [
      'sqlite::memory:',
      'postgresql://h/db',
      'postgres://h/db',
      'mysql://h/db',
      'mariadb://h/db',
    ]) {
      const plugin = await ormPluginFor(url);
      expect(plugin.package).toBe('@kosha/orm-mikro');
      expect(plugin.create({ url }).name).toBe('@kosha/orm-mikro');
    }
  });
});
