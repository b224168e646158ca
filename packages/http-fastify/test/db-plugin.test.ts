// dbPlugin's options, its request decoration and the Fastify-specific paths, on SQLite in memory.
import { AsyncResource } from 'node:async_hooks';
import type { AddressInfo } from 'node:net';
import { call, type HttpDatabase, openHttpDatabase, type TestServer } from '@kosha/conformance';
import { ConfigError, currentSession, type SessionScope } from '@kosha/core';
import { testDatabases } from '@kosha/testing/conformance';
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { dbPlugin } from '../src/index.js';

let d: HttpDatabase;
const servers: TestServer[] = [];
let n = 0;
const token = () => `fastify-${++n}`;

beforeAll(async () => {
  const [sqlite] = await testDatabases(['sqlite']);
  d = await openHttpDatabase(sqlite!);
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await d?.close();
});

async function start(configure: (app: FastifyInstance) => Promise<void> | void): Promise<TestServer> {
  const app = Fastify();
  await configure(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const server = {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: () => app.close(),
  };
  servers.push(server);
  return server;
}

describe('dbPlugin options', () => {
  it('rejects a bad option with a ConfigError that names it, when registered', async () => {
    const bad: [object, RegExp][] = [
      [{ mdoe: 'request' }, /`mdoe` is not an option/],
      [{ mode: 'transaction' }, /`mode` must be 'request' or 'method'/],
      [{ mode: 'method', isolation: 'SERIALIZABLE' }, /`isolation` applies to the request transaction/],
      [{ skip: '/health' }, /`skip` must be a function/],
      [{ onCommitError: 'fail' }, /`onCommitError` must be a function/],
      [{ kosha: 42 }, /`kosha` must be a Kosha instance/],
    ];
    for (const [options, message] of bad) {
      const app = Fastify();
      const registered = app.register(dbPlugin, options as never).ready();
      await expect(registered).rejects.toThrow(ConfigError);
      await expect(registered).rejects.toThrow(message);
      await app.close();
    }
  });

  it('registered twice on one path, it fails at start-up instead of opening two sessions', async () => {
    const app = Fastify();
    await app.register(dbPlugin, { kosha: d.kosha });
    app.register(async (child) => {
      await child.register(dbPlugin, { kosha: d.kosha });
    });
    await expect(app.ready()).rejects.toMatchObject({ code: 'FST_ERR_DEC_ALREADY_PRESENT' });
    await app.close();
  });

  it('rollbackOn chooses which statuses roll back (default, also when given as undefined: 5xx only)', async () => {
    const app = (rollbackOn?: (status: number) => boolean) =>
      start(async (a) => {
        // Given as undefined for the default: the same as leaving it out, with every other option.
        await a.register(dbPlugin, {
          kosha: d.kosha,
          rollbackOn,
          mode: undefined,
          isolation: undefined,
          skip: undefined,
          onCommitError: undefined,
        });
        a.post('/', async (request, reply) => {
          await d.notes.save((request.body as { token: string }).token);
          return reply.code(404).send({});
        });
      });
    const [byDefault, strict] = [await app(), await app((status) => status >= 400)];
    const [t1, t2] = [token(), token()];
    expect((await call(byDefault, '/', { token: t1 })).status).toBe(404);
    expect((await call(strict, '/', { token: t2 })).status).toBe(404);
    expect(await d.count(t1)).toBe(1);
    expect(await d.count(t2)).toBe(0);
  });
  it('a rollbackOn that throws rolls back and answers 500', async () => {
    const t = token();
    const server = await start(async (app) => {
      await app.register(dbPlugin, {
        kosha: d.kosha,
        rollbackOn: () => {
          throw new Error('broken predicate');
        },
      });
      app.post('/', async (_request, reply) => {
        await d.notes.save(t);
        return reply.code(201).send({ saved: true });
      });
    });
    expect((await call(server, '/', {})).status).toBe(500);
    expect(await d.count(t)).toBe(0);
  });
});

describe('dbPlugin and the request', () => {
  it('decorates request.dbSession: the scope, or null for skipped requests', async () => {
    const server = await start(async (app) => {
      await app.register(dbPlugin, { kosha: d.kosha, skip: (request) => request.url === '/health' });
      app.get('/health', async (request) => ({ scope: request.dbSession !== null }));
      app.get('/', async (request) => {
        expectTypeOf(request.dbSession).toEqualTypeOf<SessionScope | null>();
        return { scope: request.dbSession !== null, active: request.dbSession?.active };
      });
    });
    expect((await call(server, '/')).body).toEqual({ scope: true, active: true });
    expect((await call(server, '/health')).body).toEqual({ scope: false });
  });

  it('is not encapsulated: routes of other plugins get a session too', async () => {
    const server = await start(async (app) => {
      await app.register(dbPlugin, { kosha: d.kosha });
      await app.register(async (child) => {
        child.get('/child', async () => ({ session: currentSession(d.kosha) !== undefined }));
      });
    });
    expect((await call(server, '/child')).body).toEqual({ session: true });
  });

  it('re-enters the session in preValidation after a hook that called back from another async context', async () => {
    // Created outside any request: calling back through it loses the request's context, as a callback-style
    // client with its own pool would.
    const foreign = new AsyncResource('foreign-callback');
    const server = await start(async (app) => {
      await app.register(dbPlugin, { kosha: d.kosha });
      await app.register(
        fp(async (instance) => {
          instance.addHook('onRequest', (_request, _reply, done) => {
            setImmediate(() => foreign.runInAsyncScope(done));
          });
        }),
      );
      app.get('/', async () => ({ session: currentSession(d.kosha) !== undefined }));
    });
    expect((await call(server, '/')).body).toEqual({ session: true });
  });

  it('a thrown error rolls back even when the error handler answers 4xx', async () => {
    const t = token();
    const server = await start(async (app) => {
      await app.register(dbPlugin, { kosha: d.kosha });
      app.setErrorHandler((_error, _request, reply) => reply.code(400).send({ invalid: true }));
      app.post('/', async () => {
        await d.notes.save(t);
        throw new Error('invalid after writing');
      });
    });
    expect(await call(server, '/', {})).toEqual({ status: 400, body: { invalid: true } });
    expect(await d.count(t)).toBe(0);
  });

  it('a failed commit goes to the error handler, which may answer 409 but never 2xx', async () => {
    const server = await start(async (app) => {
      await app.register(dbPlugin, { kosha: d.kosha });
      app.setErrorHandler((error: { code?: string }, request, reply) =>
        request.url === '/conflict'
          ? reply.code(409).send({ code: error.code })
          : reply.code(200).send({ ok: true }),
      );
      app.post('/conflict', async () => {
        await d.codes.violateAtCommit();
        return { saved: true };
      });
      app.post('/ok', async () => {
        await d.codes.violateAtCommit();
        return { saved: true };
      });
    });
    expect(await call(server, '/conflict', {})).toEqual({
      status: 409,
      body: { code: 'KOSHA_DB_FOREIGN_KEY_VIOLATION' },
    });
    expect((await call(server, '/ok', {})).status).toBe(500);
  });

  it('a hijacked reply: commit through request.dbSession first, or the work is rolled back', async () => {
    const [committed, dropped] = [token(), token()];
    const server = await start(async (app) => {
      await app.register(dbPlugin, { kosha: d.kosha });
      app.post('/', async (request, reply) => {
        const { token: t, commit } = request.body as { token: string; commit: boolean };
        await d.notes.save(t);
        if (commit) await request.dbSession!.commit();
        reply.hijack();
        reply.raw.end('raw');
      });
    });
    expect((await call(server, '/', { token: committed, commit: true })).body).toBe('raw');
    expect((await call(server, '/', { token: dropped, commit: false })).body).toBe('raw');
    expect(await d.count(committed)).toBe(1);
    expect(await d.count(dropped)).toBe(0);
  });
});

describe('dbPlugin opens the session without waiting', () => {
  type Noted = { inCall?: boolean };
  // An onRequest hook before the plugin's notes whether the handler ran inside its own done() call: with the
  // session opened through a promise, the handler would run a tick later.
  const noteCall = (app: FastifyInstance) =>
    app.addHook('onRequest', (request, _reply, done) => {
      (request as Noted).inCall = true;
      done();
      (request as Noted).inCall = false;
    });

  for (const [label, options] of [
    ["mode 'request'", {}],
    ["mode 'request' with an isolation", { isolation: 'SERIALIZABLE' }],
    ["mode 'method'", { mode: 'method' }],
  ] as const) {
    it(`${label}: the handler runs in the tick the request arrived in`, async () => {
      const server = await start(async (app) => {
        noteCall(app);
        await app.register(dbPlugin, { kosha: d.kosha, ...options });
        app.get('/', (request, reply) => {
          reply.send({ inCall: (request as Noted).inCall, session: currentSession(d.kosha) !== undefined });
        });
      });
      expect(await call(server, '/')).toEqual({ status: 200, body: { inCall: true, session: true } });
    });
  }

  it('a session that must wait (joined to a joinable scope) still opens, a tick later', async () => {
    const t = token();
    const outer = await d.kosha.openSession({ transaction: true, joinable: true });
    try {
      const server = await start(async (app) => {
        noteCall(app);
        await app.register(dbPlugin, { kosha: d.kosha });
        app.post('/', async (request, reply) => {
          const inCall = (request as Noted).inCall;
          await d.notes.save(t);
          reply.status(201);
          return { inCall };
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
