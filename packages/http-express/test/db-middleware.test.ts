// dbMiddleware's options and the Express-specific paths of the response gate, on SQLite in memory.
import {
  call,
  type HttpDatabase,
  openHttpDatabase,
  serve,
  type TestServer,
  within,
} from '@kosha/conformance';
import { ConfigError, currentSession } from '@kosha/core';
import { testDatabases } from '@kosha/testing/conformance';
import express, { type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbMiddleware } from '../src/index.js';

let d: HttpDatabase;
const servers: TestServer[] = [];
let n = 0;
const token = () => `express-${++n}`;

beforeAll(async () => {
  const [sqlite] = await testDatabases(['sqlite']);
  d = await openHttpDatabase(sqlite!);
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await d?.close();
});

async function start(configure: (app: Express) => void): Promise<TestServer> {
  const app = express();
  configure(app);
  const server = await serve(app);
  servers.push(server);
  return server;
}

describe('dbMiddleware options', () => {
  it('rejects a bad option with a ConfigError that names it', () => {
    const bad: [object, RegExp][] = [
      [{ mdoe: 'request' }, /`mdoe` is not an option/],
      [{ mode: 'transaction' }, /`mode` must be 'request' or 'method'/],
      [{ isolation: 'SNAPSHOT' }, /`isolation` must be one of/],
      [{ mode: 'method', isolation: 'SERIALIZABLE' }, /`isolation` applies to the request transaction/],
      [{ skip: '/health' }, /`skip` must be a function/],
      [{ rollbackOn: 500 }, /`rollbackOn` must be a function/],
      [{ onCommitError: 'fail' }, /`onCommitError` must be a function/],
      [{ kosha: {} }, /`kosha` must be a Kosha instance/],
    ];
    for (const [options, message] of bad) {
      expect(() => dbMiddleware(options as never)).toThrow(ConfigError);
      expect(() => dbMiddleware(options as never)).toThrow(message);
    }
  });

  it('onCommitError answers a failed commit, here with 409', async () => {
    const server = await start((app) => {
      app.use(
        dbMiddleware({
          kosha: d.kosha,
          onCommitError: (error, _req, res) => {
            res.status(409).json({ conflict: (error as { code?: string }).code });
          },
        }),
      );
      app.post('/', async (_req, res) => {
        await d.codes.violateAtCommit();
        res.status(201).json({ saved: true });
      });
    });
    const answer = await call(server, '/', {});
    expect(answer).toEqual({ status: 409, body: { conflict: 'KOSHA_DB_FOREIGN_KEY_VIOLATION' } });
  });

  it('onCommitError cannot make a failed commit look like a success', async () => {
    const server = await start((app) => {
      app.use(
        dbMiddleware({ kosha: d.kosha, onCommitError: (_e, _req, res) => void res.status(200).send('fine') }),
      );
      app.post('/', async (_req, res) => {
        await d.codes.violateAtCommit();
        res.json({ saved: true });
      });
    });
    expect((await call(server, '/', {})).status).toBe(500);
  });

  it('rollbackOn chooses which statuses roll back (default, also when given as undefined: 5xx only)', async () => {
    const app = (rollbackOn?: (status: number) => boolean) =>
      start((a) => {
        // Given as undefined for the default: the same as leaving it out, with every other option.
        a.use(
          dbMiddleware({
            kosha: d.kosha,
            rollbackOn,
            mode: undefined,
            isolation: undefined,
            skip: undefined,
            onCommitError: undefined,
          }),
        );
        a.use(express.json());
        a.post('/', async (req, res) => {
          await d.notes.save(req.body.token);
          res.status(404).json({});
        });
      });
    const byDefault = await app();
    const strict = await app((status) => status >= 400);
    const [t1, t2] = [token(), token()];
    expect((await call(byDefault, '/', { token: t1 })).status).toBe(404);
    expect((await call(strict, '/', { token: t2 })).status).toBe(404);
    expect(await d.count(t1)).toBe(1);
    expect(await d.count(t2)).toBe(0);
  });
  it('a rollbackOn that throws rolls back and answers 500', async () => {
    const t = token();
    const server = await start((app) => {
      app.use(
        dbMiddleware({
          kosha: d.kosha,
          rollbackOn: () => {
            throw new Error('broken predicate');
          },
        }),
      );
      app.post('/', async (_req, res) => {
        await d.notes.save(t);
        res.status(201).json({ saved: true });
      });
    });
    expect((await call(server, '/', {})).status).toBe(500);
    expect(await d.count(t)).toBe(0);
  });
});

describe('dbMiddleware and the response', () => {
  it('reads the status from an explicit writeHead: writeHead(503) rolls back', async () => {
    const t = token();
    const server = await start((app) => {
      app.use(dbMiddleware({ kosha: d.kosha }));
      app.post('/', async (_req, res) => {
        await d.notes.save(t);
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('unavailable');
      });
    });
    expect(await call(server, '/', {})).toEqual({ status: 503, body: 'unavailable' });
    expect(await d.count(t)).toBe(0);
  });

  it('flushHeaders waits for the commit too', async () => {
    const t = token();
    const server = await start((app) => {
      app.use(dbMiddleware({ kosha: d.kosha }));
      app.post('/', async (_req, res) => {
        await d.notes.save(t);
        d.recordCommit(t);
        res.flushHeaders();
        await new Promise((r) => setTimeout(r, 20));
        res.end(String(d.events.includes(`committed:${t}`)));
      });
    });
    expect(await call(server, '/', {})).toEqual({ status: 200, body: true });
    expect(await d.count(t)).toBe(1);
  });

  it('drops the content headers of a response whose commit failed', async () => {
    const server = await start((app) => {
      app.use(dbMiddleware({ kosha: d.kosha }));
      app.post('/', async (_req, res) => {
        await d.codes.violateAtCommit();
        res.set({ etag: '"v1"', 'cache-control': 'max-age=3600', 'x-request-id': 'r1' });
        res.cookie('session', 'abc');
        res.status(201).send('<p>saved</p>');
      });
    });
    const res = await fetch(`${server.url}/`, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('cache-control')).toBeNull();
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('x-request-id')).toBe('r1');
    expect(await res.json()).toMatchObject({ statusCode: 500, code: 'KOSHA_DB_FOREIGN_KEY_VIOLATION' });
  });

  it('works with middleware that wraps res.write and res.end (compression-style), before or after it', async () => {
    const shout: express.RequestHandler = (_req, res, next) => {
      const { write, end } = res;
      const loud = (chunk: unknown) =>
        typeof chunk === 'string' || Buffer.isBuffer(chunk) ? chunk.toString().toUpperCase() : chunk;
      res.write = function (this: express.Response, chunk: unknown, ...rest: unknown[]) {
        return (write as (...a: unknown[]) => boolean).call(this, loud(chunk), ...rest);
      } as express.Response['write'];
      res.end = function (this: express.Response, chunk: unknown, ...rest: unknown[]) {
        return (end as (...a: unknown[]) => express.Response).call(this, loud(chunk), ...rest);
      } as express.Response['end'];
      next();
    };
    for (const order of ['before', 'after'] as const) {
      const t = token();
      const server = await start((app) => {
        const db = dbMiddleware({ kosha: d.kosha });
        app.use(order === 'before' ? [shout, db] : [db, shout]);
        app.post('/', async (_req, res) => {
          await d.notes.save(t);
          d.recordCommit(t);
          res.type('text/plain').send(`saved ${order}`);
        });
      });
      expect(await call(server, '/', {})).toEqual({ status: 200, body: `SAVED ${order.toUpperCase()}` });
      expect(d.events).toContain(`committed:${t}`);
      expect(await d.count(t)).toBe(1);
    }
  });

  it('mounted twice (app and router), a request still has one session and one transaction', async () => {
    const t = token();
    const server = await start((app) => {
      const router = express.Router();
      router.use(dbMiddleware({ kosha: d.kosha }));
      router.post('/', async (_req, res) => {
        await d.notes.save(t);
        res.status(201).json({ saved: true });
      });
      app.use(dbMiddleware({ kosha: d.kosha }));
      app.use(router);
    });
    const answer = await within(5000, call(server, '/', {}), 'the request');
    expect(answer.status).toBe(201);
    expect(await d.count(t)).toBe(1);
  });

  it('without a Kosha instance the request fails through the error handler', async () => {
    const server = await start((app) => {
      app.use(dbMiddleware());
      app.get('/', (_req, res) => void res.send('unreachable'));
      app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(500).json({ name: error.name });
      });
    });
    expect(await call(server, '/')).toEqual({ status: 500, body: { name: 'ConfigError' } });
  });
});

describe('dbMiddleware opens the session without waiting', () => {
  type Noted = { inCall?: boolean };
  // A middleware before it notes whether the handler ran inside its own next() call: with the session opened
  // through a promise, the handler would run a tick later.
  const noteCall = (app: Express) =>
    app.use((req, _res, next) => {
      (req as Noted).inCall = true;
      next();
      (req as Noted).inCall = false;
    });

  for (const [label, options] of [
    ["mode 'request'", {}],
    ["mode 'request' with an isolation", { isolation: 'SERIALIZABLE' }],
    ["mode 'method'", { mode: 'method' }],
  ] as const) {
    it(`${label}: the handler runs in the tick the request arrived in`, async () => {
      const server = await start((app) => {
        noteCall(app);
        app.use(dbMiddleware({ kosha: d.kosha, ...options }));
        app.get('/', (req, res) => {
          res.json({ inCall: (req as Noted).inCall, session: currentSession(d.kosha) !== undefined });
        });
      });
      expect(await call(server, '/')).toEqual({ status: 200, body: { inCall: true, session: true } });
    });
  }

  it('a session that must wait (joined to a joinable scope) still opens, a tick later', async () => {
    const t = token();
    const outer = await d.kosha.openSession({ transaction: true, joinable: true });
    try {
      const server = await start((app) => {
        noteCall(app);
        app.use(dbMiddleware({ kosha: d.kosha }));
        app.post('/', async (req, res) => {
          const inCall = (req as Noted).inCall;
          await d.notes.save(t);
          res.status(201).json({ inCall });
        });
      });
      expect(await call(server, '/', {})).toEqual({ status: 201, body: { inCall: false } });
    } finally {
      await outer.rollback();
      await outer.close();
    }
    expect(await d.count(t)).toBe(0); // the request's savepoint was rolled back with the outer transaction
  });
});
