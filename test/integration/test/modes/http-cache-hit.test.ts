// A cache hit behind the HTTP adapters costs the database nothing. With lazy begin (DESIGN §6b) a request
// scope (`dbMiddleware()`, `dbPlugin`, mode 'request' or 'method') and the `@transactional` around the
// seed's `@cacheable` read take their connection and send BEGIN only before their first statement: a hit
// runs none, so it sends nothing and takes no connection. On Express 5 (a listening server) and Fastify 5
// (inject, and a listening server), both modes, SQLite in memory and PostgreSQL, the in-memory cache and
// Redis (ioredis-mock). Kosha is created here, not through the kit's isolation: every request opens a
// real request scope. Statements are counted from `mikroOrm({ debug: true })`, which logs (`[sql] …` at
// debug level) what reaches the wire; connections in use from `poolStats()` (PostgreSQL).
import { randomBytes } from 'node:crypto';
import { redisCache } from '@kosha/cache-redis';
import { realService, scratchDatabase } from '@kosha/conformance';
import { type CacheProvider, createKosha, type Kosha, type Logger, memoryCache } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import RedisMock from 'ioredis-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, type App, FRAMEWORKS, loads, MODES, User, Users } from '../support/cache-hit-apps.js';

/** A logger that keeps what it is given: `lines` (the tests clear it), and its warnings and errors apart. */
function memoryLogger(): Logger & { lines: { level: string; message: string }[]; problems: string[] } {
  const lines: { level: string; message: string }[] = [];
  const problems: string[] = [];
  const at =
    (level: string) =>
    (message: string, ...rest: unknown[]) => {
      lines.push({ level, message });
      if (level === 'warn' || level === 'error')
        problems.push(`${level}: ${message} ${rest.map(String).join(' ')}`);
    };
  return { lines, problems, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const pg = await realService('postgresql');

interface Database {
  readonly name: string;
  readonly available: boolean;
  /** True when the pool has counters to read (`poolStats()`): PostgreSQL. */
  readonly pooled: boolean;
  open(): Promise<{ url: string; drop(): Promise<void> }>;
}

const DATABASES: readonly Database[] = [
  {
    name: 'SQLite in memory',
    available: true,
    pooled: false,
    open: async () => ({ url: 'sqlite::memory:', drop: async () => {} }),
  },
  { name: 'PostgreSQL', available: !!pg, pooled: true, open: () => scratchDatabase(pg!) },
];

const CACHES: readonly { name: string; create(): CacheProvider }[] = [
  { name: 'memoryCache()', create: () => memoryCache() },
  {
    name: 'redisCache (ioredis-mock)',
    create: () =>
      redisCache({ client: new RedisMock(), keyPrefix: `http-hit-${randomBytes(4).toString('hex')}` }),
  },
];

const BEGIN = /^\[sql\] (begin|start transaction)/i;
const COMMIT = /^\[sql\] commit/i;

for (const db of DATABASES) {
  for (const cache of CACHES) {
    describe.skipIf(!db.available)(`HTTP cache hits on ${db.name}, ${cache.name}`, () => {
      const logger = memoryLogger();
      let kosha: Kosha;
      let drop: () => Promise<void>;
      const sql = () => logger.lines.filter((l) => l.message.startsWith('[sql] ')).map((l) => l.message);

      /** Connections in use and callers waiting for one, now; zeros where the pool keeps no counters. */
      const pool = () => {
        const s = kosha.orm.poolStats?.();
        return { inUse: s ? s.total - s.idle : 0, waiting: s ? s.waiting : 0 };
      };

      /** Runs `work`, sampling the pool every millisecond meanwhile: the most in use and waiting seen. */
      async function sampled<T>(
        work: () => Promise<T>,
      ): Promise<{ result: T; inUse: number; waiting: number }> {
        let inUse = 0;
        let waiting = 0;
        const take = () => {
          const p = pool();
          inUse = Math.max(inUse, p.inUse);
          waiting = Math.max(waiting, p.waiting);
        };
        const timer = setInterval(take, 1);
        try {
          const result = await work();
          take();
          return { result, inUse, waiting };
        } finally {
          clearInterval(timer);
        }
      }

      beforeAll(async () => {
        const database = await db.open();
        drop = database.drop;
        kosha = await createKosha({
          orm: mikroOrm({ url: database.url, debug: true, pool: { min: 0, max: 4 } }),
          entities: [User],
          setDefault: false,
          cache: cache.create(),
          logger,
        });
        await kosha.schema.create();
      }, 60_000);
      afterAll(async () => {
        await kosha?.close();
        await drop?.();
      });

      for (const framework of FRAMEWORKS) {
        for (const mode of MODES) {
          describe(`${framework.name}, mode '${mode}'`, () => {
            let app: App;
            let user: { id: number; name: string };

            beforeAll(async () => {
              app = await framework.start(kosha, mode);
              // A user of this suite's own: its cache keys are cold here, whatever ran before.
              const [row] = await new Users(kosha).insertAll([{ name: `${framework.name} ${mode}` }]);
              user = { id: row!.id, name: row!.name };
            });
            afterAll(async () => {
              await app?.close();
            });

            for (const [order, path] of [
              ['@transactional @cacheable', '/users'],
              ['@cacheable @transactional', '/users-outer'],
            ] as const) {
              it(`GET ${path}/:id (${order}): the miss sends BEGIN, SELECT, COMMIT; 20 sequential and 50 concurrent hits send nothing and take no connection`, async () => {
                const url = `${path}/${user.id}`;
                const expected = { status: 200, body: user };

                // The miss: one transaction reads the row and fills the cache.
                logger.lines.length = 0;
                const loadsBefore = loads.count;
                expect(await app.get(url)).toEqual(expected);
                expect(loads.count - loadsBefore).toBe(1);
                const miss = sql();
                expect(miss, miss.join('\n')).toHaveLength(3);
                expect(miss[0]).toMatch(BEGIN);
                expect(miss[1]).toMatch(/^\[sql\] select\b.*http_cache_hit_user/i);
                expect(miss[2]).toMatch(COMMIT);
                expect(pool()).toEqual({ inUse: 0, waiting: 0 });

                // 20 hits, one after the other.
                logger.lines.length = 0;
                const sequential = await sampled(async () => {
                  const answers: Answer[] = [];
                  for (let i = 0; i < 20; i++) answers.push(await app.get(url));
                  return answers;
                });
                expect(sequential.result).toEqual(Array.from({ length: 20 }, () => expected));
                expect(sql()).toEqual([]);
                expect({ inUse: sequential.inUse, waiting: sequential.waiting }).toEqual({
                  inUse: 0,
                  waiting: 0,
                });

                // 50 hits at once.
                logger.lines.length = 0;
                const concurrent = await sampled(() =>
                  Promise.all(Array.from({ length: 50 }, () => app.get(url))),
                );
                expect(concurrent.result).toEqual(Array.from({ length: 50 }, () => expected));
                expect(sql()).toEqual([]);
                expect({ inUse: concurrent.inUse, waiting: concurrent.waiting }).toEqual({
                  inUse: 0,
                  waiting: 0,
                });

                expect(loads.count - loadsBefore, 'the hits never ran the method').toBe(1);
                expect(pool()).toEqual({ inUse: 0, waiting: 0 });
              });
            }

            it(`GET /health, under the adapter and reading nothing, sends no statement and takes no connection`, async () => {
              logger.lines.length = 0;
              const { result, inUse, waiting } = await sampled(async () => [
                await app.get('/health'),
                ...(await Promise.all(Array.from({ length: 20 }, () => app.get('/health')))),
              ]);
              expect(result).toEqual(Array.from({ length: 21 }, () => ({ status: 200, body: { ok: true } })));
              expect(sql()).toEqual([]);
              expect({ inUse, waiting }).toEqual({ inUse: 0, waiting: 0 });
            });

            it(
              mode === 'request'
                ? 'POST /users sends exactly BEGIN, INSERT, COMMIT: one request transaction, the @transactional call joined it'
                : 'POST /users sends exactly BEGIN, INSERT, COMMIT: the @transactional call committed its own transaction',
              async () => {
                logger.lines.length = 0;
                const name = `posted ${framework.name} ${mode}`;
                const answer = await app.post('/users', { name });
                expect(answer.status, JSON.stringify(answer.body)).toBe(201);
                expect(answer.body).toEqual({ id: expect.any(Number), name });
                const lines = sql();
                expect(lines, lines.join('\n')).toHaveLength(3);
                expect(lines[0]).toMatch(BEGIN);
                expect(lines[1]).toMatch(/^\[sql\] insert into\b.*http_cache_hit_user/i);
                expect(lines[2]).toMatch(COMMIT);
                expect(pool()).toEqual({ inUse: 0, waiting: 0 });
                // Committed: another request reads it back (a miss, then a hit that sends nothing).
                const posted = answer.body as { id: number };
                logger.lines.length = 0;
                expect(await app.get(`/users/${posted.id}`)).toEqual({ status: 200, body: answer.body });
                expect(sql()).toHaveLength(3);
                logger.lines.length = 0;
                expect(await app.get(`/users/${posted.id}`)).toEqual({ status: 200, body: answer.body });
                expect(sql()).toEqual([]);
              },
            );
          });
        }
      }

      it('logged no error and no warning', () => {
        expect(logger.problems).toEqual([]);
      });
    });
  }
}
