// The apps of the HTTP isolation tests: a note entity and repository, the routes, and Express 5 (listening)
// and Fastify 5 (inject, and listening) serving them behind the Kosha adapter.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { column, DbRepo, entity, id, type Kosha, repository, table, transactional } from '@kosha/core';
import { dbMiddleware } from '@kosha/http-express';
import { dbPlugin } from '@kosha/http-fastify';
import express, { type NextFunction, type Request, type Response } from 'express';
import Fastify, { type FastifyInstance } from 'fastify';

@entity
@table('kit_http_note')
export class Note {
  @id() id!: number;
  @column({ type: 'string', length: 80 }) token!: string;
}

@repository
export class NoteRepo extends DbRepo<Note> {
  constructor(kosha?: Kosha) {
    super(Note, kosha);
  }

  @transactional
  async save(token: string): Promise<Note> {
    return (await this.insertAll([{ token }]))[0]!;
  }

  /** Saves, then fails: inside a request transaction this marks it rollback-only. */
  @transactional
  async saveThenFail(token: string): Promise<never> {
    await this.save(token);
    throw new Error(`saveThenFail(${token})`);
  }

  @transactional({ readOnly: true })
  async tokens(): Promise<string[]> {
    return (await this.getAll(0, 1000)).map((n) => n.token).sort();
  }
}

export type Mode = 'request' | 'method';
export type Method = 'GET' | 'POST';

/** What a route answers. */
export interface Reply {
  readonly status: number;
  readonly json: unknown;
}

export interface Route {
  readonly method: Method;
  readonly path: string;
  readonly action: (token: string) => Promise<Reply>;
}

/** The answer a client read. */
export interface Answer {
  readonly status: number;
  readonly body: any;
}

/** An app under test, with the client that calls it. */
export interface App {
  send(method: Method, path: string, token?: string): Promise<Answer>;
  close(): Promise<void>;
}

/** A framework and a way to call it: it serves `routes` behind the Kosha adapter in `mode`. */
export interface Framework {
  readonly name: string;
  start(routes: readonly Route[], mode: Mode, kosha: Kosha | undefined): Promise<App>;
}

/** A promise resolved from outside. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The slow route: its handlers wait on `gate` (tests open it, or replace it); `started` has the token it saved. */
export const slowRoute = { gate: deferred(), started: deferred<string>() };
/** Handlers of the counted route running now, and the most at once since a test set it to 0. */
export const counted = { inFlight: 0, most: 0 };

/** The routes, on the default instance (`kosha` undefined) or on an explicit one. */
export function routes(kosha: Kosha | undefined): Route[] {
  const notes = () => new NoteRepo(kosha);
  return [
    { method: 'GET', path: '/notes', action: async () => ({ status: 200, json: await notes().tokens() }) },
    {
      method: 'POST',
      path: '/notes',
      action: async (token) => ({ status: 201, json: await notes().save(token) }),
    },
    {
      // Counts the handlers running at once: joined requests take turns, so never more than one.
      method: 'POST',
      path: '/notes/counted',
      action: async (token) => {
        counted.most = Math.max(counted.most, ++counted.inFlight);
        try {
          const note = await notes().save(token);
          await sleep(2);
          return { status: 201, json: note };
        } finally {
          counted.inFlight--;
        }
      },
    },
    {
      // The @transactional call fails and the error reaches the framework: a 500.
      method: 'POST',
      path: '/notes/failing',
      action: (token) => notes().saveThenFail(token),
    },
    {
      // A save that returned, then a failure outside any @transactional call: a 500.
      method: 'POST',
      path: '/notes/save-then-throw',
      action: async (token) => {
        await notes().save(token);
        throw new Error(`thrown after saving ${token}`);
      },
    },
    {
      // The inner @transactional call fails (rollback-only) and the route answers 200 anyway.
      method: 'POST',
      path: '/notes/swallowed',
      action: async (token) => {
        await notes()
          .saveThenFail(token)
          .catch(() => {});
        return { status: 200, json: { swallowed: token } };
      },
    },
    {
      method: 'POST',
      path: '/notes/slow',
      action: async (token) => {
        await notes().save(token);
        slowRoute.started.resolve(token);
        await slowRoute.gate.promise;
        return { status: 200, json: await notes().tokens() };
      },
    },
  ];
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function fetchFrom(url: string, method: Method, path: string, token?: string): Promise<Answer> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: token === undefined ? {} : { 'content-type': 'application/json' },
    body: token === undefined ? undefined : JSON.stringify({ token }),
  });
  return { status: res.status, body: parse(await res.text()) };
}

const expressServer: Framework = {
  name: 'Express 5, listening (fetch)',
  async start(routeList, mode, kosha) {
    const app = express();
    app.use(dbMiddleware({ mode, ...(kosha ? { kosha } : {}) }));
    app.use(express.json());
    for (const route of routeList) {
      app[route.method === 'GET' ? 'get' : 'post'](route.path, async (req: Request, res: Response) => {
        const reply = await route.action(req.body?.token ?? '');
        res.status(reply.status).json(reply.json);
      });
    }
    app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).json({ code: (error as { code?: string }).code, message: error.message });
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      send: (method, path, token) => fetchFrom(url, method, path, token),
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  },
};

async function fastifyApp(routeList: readonly Route[], mode: Mode, kosha: Kosha | undefined) {
  const app: FastifyInstance = Fastify();
  await app.register(dbPlugin, { mode, ...(kosha ? { kosha } : {}) });
  for (const route of routeList) {
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) => {
        const answer = await route.action((request.body as { token?: string } | undefined)?.token ?? '');
        reply.code(answer.status);
        return answer.json;
      },
    });
  }
  return app;
}

const fastifyInject: Framework = {
  name: 'Fastify 5, inject',
  async start(routeList, mode, kosha) {
    const app = await fastifyApp(routeList, mode, kosha);
    return {
      async send(method, path, token) {
        const res = await app.inject({
          method,
          url: path,
          ...(token === undefined ? {} : { body: { token } }),
        });
        return { status: res.statusCode, body: parse(res.body) };
      },
      close: () => app.close(),
    };
  },
};

const fastifyServer: Framework = {
  name: 'Fastify 5, listening (fetch)',
  async start(routeList, mode, kosha) {
    const app = await fastifyApp(routeList, mode, kosha);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    return { send: (method, path, token) => fetchFrom(url, method, path, token), close: () => app.close() };
  },
};

export const FRAMEWORKS = [expressServer, fastifyInject, fastifyServer];
export const MODES: Mode[] = ['request', 'method'];
