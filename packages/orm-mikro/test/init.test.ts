import { inspect } from 'node:util';
import { ConfigError, createKosha, type DatabaseError, MappingError } from '@kosha/core';
import { EntitySchema, Utils } from '@mikro-orm/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mikroOrm } from '../src/index.js';
import { DATABASES, emptyDatabase, memoryLogger } from './support/databases.js';

const SECRET = 'Pa55-w0rd-that-must-not-leak';
const postgres = DATABASES.find((d) => d.dialect === 'postgresql')!;
const mariadb = DATABASES.find((d) => d.dialect === 'mariadb')!;

const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
};

const start = (url: string, entities = []) =>
  createKosha({ orm: mikroOrm({ url }), entities, setDefault: false, cache: false, logger: memoryLogger() });

describe('starting the backend', () => {
  afterEach(() => {
    vi.doUnmock('@mikro-orm/postgresql');
  });

  it('a database that cannot be reached fails createKosha with a ConfigError that hides the password', async () => {
    const error = await failure(start(`postgresql://app:${SECRET}@127.0.0.1:1/app`));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/could not start.*postgresql at 127\.0\.0\.1:1\/app/i);
    expect(error.message).toMatch(/connection failed/);
    expect((error.cause as DatabaseError).kind).toBe('connection');
    expect(inspect(error, { depth: 20 })).not.toContain(SECRET);
  });

  it.skipIf(!mariadb.available)(
    'a wrong password is a connection error that does not repeat the password',
    async () => {
      const url = mariadb.adminUrl!.replace(/^(mysql|mariadb):\/\/([^@:/]+)@/, `mariadb://$2:${SECRET}@`);
      expect(url).toContain(SECRET);
      const error = await failure(start(url));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error.cause as DatabaseError).kind).toBe('connection');
      expect(error.message).toMatch(/Access denied/);
      expect(inspect(error, { depth: 20 })).not.toContain(SECRET);
    },
  );

  it.skipIf(!postgres.available)(
    'a database that does not exist is a connection error naming where it looked',
    async () => {
      const url = postgres
        .adminUrl!.replace(/\/[^/]+$/, '/kosha_no_such_db')
        .replace('postgresql://postgres@', `postgresql://postgres:${SECRET}@`);
      const error = await failure(start(url));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(/kosha_no_such_db/);
      expect(inspect(error, { depth: 20 })).not.toContain(SECRET);
    },
  );

  it('a missing driver package is a ConfigError that says what to install', async () => {
    vi.doMock('@mikro-orm/postgresql', () => {
      throw Object.assign(
        new Error("Cannot find package '@mikro-orm/postgresql' imported from load-driver.js"),
        {
          code: 'ERR_MODULE_NOT_FOUND',
        },
      );
    });
    const error = await failure(start('postgresql://localhost/app'));
    expect(error).toBeInstanceOf(ConfigError);
    // At the version of the installed @mikro-orm/core: MikroORM's packages peer on their exact core version.
    expect(error.message).toContain(`npm i @mikro-orm/postgresql@${Utils.getORMVersion()}`);
  });

  it('a native entity MikroORM rejects is a MappingError', async () => {
    const broken = new EntitySchema({
      name: 'Broken',
      tableName: 'broken',
      properties: { name: { type: 'string' } },
    });
    const error = await failure(
      createKosha({
        orm: mikroOrm({ url: 'sqlite::memory:', entities: [broken] }),
        entities: [],
        setDefault: false,
        cache: false,
      }),
    );
    // createKosha reports every failed start as a ConfigError; the backend's own error is the cause.
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.cause).toBeInstanceOf(MappingError);
    expect(error.message).toMatch(/Broken/);
  });

  it('one backend serves one Kosha instance, and only after it started', async () => {
    const orm = mikroOrm({ url: 'sqlite::memory:' });
    expect(() => orm.openSession()).toThrow(ConfigError);
    const kosha = await createKosha({ orm, entities: [], setDefault: false, cache: false });
    try {
      await expect(orm.init({ entities: [], logger: memoryLogger() })).rejects.toBeInstanceOf(ConfigError);
    } finally {
      await kosha.close();
    }
    expect(() => orm.openSession()).toThrow(/closed/);
  });

  it.skipIf(!postgres.available)(
    'close drains the pool: no connection stays open on the server',
    async () => {
      const database = await emptyDatabase(postgres);
      try {
        const kosha = await createKosha({
          orm: mikroOrm({ url: database.url, pool: { min: 0, max: 5 } }),
          entities: [],
          setDefault: false,
          cache: false,
        });
        const session = kosha.orm.openSession();
        await session.begin({});
        const admin = await createKosha({
          orm: mikroOrm({ url: postgres.adminUrl! }),
          entities: [],
          setDefault: false,
          cache: false,
        });
        const open = async () => {
          const s = admin.orm.openSession();
          try {
            const rows = await (
              s.native as { execute(sql: string, p: unknown[]): Promise<{ n: string }[]> }
            ).execute('select count(*)::int as n from pg_stat_activity where datname = ?', [
              new URL(database.url).pathname.slice(1),
            ]);
            return Number(rows[0]!.n);
          } finally {
            await s.close();
          }
        };
        expect(await open()).toBeGreaterThan(0);
        await session.close();
        await kosha.close();
        expect(kosha.orm.poolStats!()).toEqual({ total: 0, idle: 0, waiting: 0 });
        // The client has closed its sockets; the server's backends exit on their own a moment
        // later, so the count is read until it reaches 0 (a connection left open never does).
        let left = await open();
        for (const until = Date.now() + 10_000; left > 0 && Date.now() < until; left = await open()) {
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(left).toBe(0);
        await admin.close();
      } finally {
        await database.drop();
      }
    },
  );
});
