// The apps of the HTTP cache-hit tests: a user entity with a cached read in both decorator orders, its
// routes, and Express 5 (listening) and Fastify 5 (inject, and listening) serving them behind the adapter.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  cacheable,
  column,
  DbRepo,
  entity,
  id,
  type Kosha,
  repository,
  table,
  transactional,
} from '@kosha/core';
import { dbMiddleware } from '@kosha/http-express';
import { dbPlugin } from '@kosha/http-fastify';
import express, { type NextFunction, type Request, type Response } from 'express';
import Fastify, { type FastifyInstance } from 'fastify';

@entity
@table('http_cache_hit_user')
export class User {
  @id({ autoincrement: true }) id!: number;
  @column({ type: 'string', length: 60 }) name!: string;
}

/** How many times a cached read ran its body (a miss), whatever the order of its decorators. */
export const loads = { count: 0 };

@repository
export class Users extends DbRepo<User> {
  constructor(kosha: Kosha) {
    super(User, kosha);
  }

  // The seed's pattern.
  @transactional
  @cacheable({ keyPrefix: 'user', ttl: 60 })
  async get(userId: number): Promise<User | null> {
    loads.count++;
    return this.getById(userId);
  }

  // The other order: the cache is read before any transaction exists.
  @cacheable({ keyPrefix: 'user-outer', ttl: 60 })
  @transactional
  async getOuter(userId: number): Promise<User | null> {
    loads.count++;
    return this.getById(userId);
  }

  @transactional
  async create(name: string): Promise<User> {
    return (await this.insertAll([{ name }]))[0]!;
  }
}

export type Mode = 'request' | 'method';

/** The answer a client read. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** A running app and the client that calls it. */
export interface App {
  get(path: string): Promise<Answer>;
  post(path: string, body: unknown): Promise<Answer>;
  close(): Promise<void>;
}

/** A framework and a way to call it: it serves the routes behind the Kosha adapter in `mode`. */
export interface Framework {
  readonly name: string;
  start(kosha: Kosha, mode: Mode): Promise<App>;
}

const dto = (user: User | null) => (user ? { id: user.id, name: user.name } : null);

/** What the routes do, whatever the framework: a status and a JSON body. */
function handlers(kosha: Kosha) {
  const users = new Users(kosha);
  const read = async (user: Promise<User | null>) => {
    const found = dto(await user);
    return found ? { status: 200, json: found } : { status: 404, json: { error: 'no such user' } };
  };
  return {
    user: (userId: string) => read(users.get(Number(userId))),
    userOuter: (userId: string) => read(users.getOuter(Number(userId))),
    // Under the adapter (no `skip`), and touches nothing of Kosha's.
    health: async () => ({ status: 200, json: { ok: true } }),
    create: async (body: unknown) => ({
      status: 201,
      json: dto(await users.create(String((body as { name?: unknown } | undefined)?.name))),
    }),
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A client of a listening server, through fetch. */
function fetchClient(url: string): Pick<App, 'get' | 'post'> {
  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: parse(await res.text()) };
  };
  return { get: (path) => call('GET', path), post: (path, body) => call('POST', path, body) };
}

const expressServer: Framework = {
  name: 'Express 5, listening (fetch)',
  async start(kosha, mode) {
    const h = handlers(kosha);
    const app = express();
    app.use(dbMiddleware({ kosha, mode }));
    app.use(express.json());
    const reply = (res: Response, answer: { status: number; json: unknown }) =>
      res.status(answer.status).json(answer.json);
    app.get('/users/:id', async (req: Request, res: Response) =>
      reply(res, await h.user(String(req.params.id))),
    );
    app.get('/users-outer/:id', async (req: Request, res: Response) =>
      reply(res, await h.userOuter(String(req.params.id))),
    );
    app.get('/health', async (_req: Request, res: Response) => reply(res, await h.health()));
    app.post('/users', async (req: Request, res: Response) => reply(res, await h.create(req.body)));
    app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).json({ code: (error as { code?: string }).code, message: error.message });
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return {
      ...fetchClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  },
};

async function fastifyApp(kosha: Kosha, mode: Mode): Promise<FastifyInstance> {
  const h = handlers(kosha);
  const app = Fastify();
  await app.register(dbPlugin, { kosha, mode });
  const route = (
    method: 'GET' | 'POST',
    url: string,
    action: (params: Record<string, string>, body: unknown) => Promise<{ status: number; json: unknown }>,
  ) =>
    app.route({
      method,
      url,
      handler: async (request, reply) => {
        const answer = await action(request.params as Record<string, string>, request.body);
        reply.code(answer.status);
        return answer.json;
      },
    });
  route('GET', '/users/:id', (p) => h.user(p.id!));
  route('GET', '/users-outer/:id', (p) => h.userOuter(p.id!));
  route('GET', '/health', () => h.health());
  route('POST', '/users', (_p, body) => h.create(body));
  return app;
}

const fastifyInject: Framework = {
  name: 'Fastify 5, inject',
  async start(kosha, mode) {
    const app = await fastifyApp(kosha, mode);
    const call = async (method: 'GET' | 'POST', url: string, body?: unknown): Promise<Answer> => {
      const res = await app.inject({ method, url, ...(body === undefined ? {} : { body: body as object }) });
      return { status: res.statusCode, body: parse(res.body) };
    };
    return {
      get: (path) => call('GET', path),
      post: (path, body) => call('POST', path, body),
      close: () => app.close(),
    };
  },
};

const fastifyServer: Framework = {
  name: 'Fastify 5, listening (fetch)',
  async start(kosha, mode) {
    const app = await fastifyApp(kosha, mode);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return {
      ...fetchClient(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`),
      close: () => app.close(),
    };
  },
};

export const FRAMEWORKS = [expressServer, fastifyInject, fastifyServer];
export const MODES: Mode[] = ['request', 'method'];
