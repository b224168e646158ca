// The server of scenario 4, in a process of its own so that the load generator does not share its event
// loop. argv: <express|fastify>. Routes, each reading one row by id:
// - /raw/:id      MikroORM by hand: em.fork() + findOne + em.flush() (the baseline)
// - /raw-tx/:id   MikroORM by hand: em.fork() + begin + findOne + commit
// - /method/:id   Kosha's middleware in mode 'method' + repo.getById: the same SQL as /raw
// - /request/:id  Kosha's middleware in mode 'request' (the default): the same SQL as /raw-tx
// and, from a cache filled at start (Redis on REDIS_URL, else an ioredis-mock in this process):
// - /raw-cache/:id by hand, no session: GET of the key Kosha filled, then JSON.parse (the baseline)
// - /cached/:id    mode 'request' + the seed's `@transactional @cacheable` read: a hit, no statement
// - /hooks-cache/:id the /raw-cache handler behind a do-nothing stand-in for any session-per-request plugin:
//                  it opens its "session" asynchronously, binds it with AsyncLocalStorage, listens for the
//                  response's close and (Fastify) settles in onSend before the reply is written — the floor
//                  that Kosha's adapter adds its own work to
// It answers the parent's 'cpu' message with its CPU time so far.
import { AsyncLocalStorage } from 'node:async_hooks';
import { redisCache } from '@kosha/cache-redis';
import { column, createKosha, DbRepo, entity, id, table } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';
import { redisClient, seedCachedRepo } from './harness.mjs';

export const ROWS = 1000;
const framework = process.argv[2];

class User {}
entity(User);
table(`bench_http_${process.pid}`)(User);
id({ autoincrement: true })(User.prototype, 'id');
column({ type: 'string', length: 100 })(User.prototype, 'name');
column({ type: 'string', length: 255 })(User.prototype, 'email');

class UserRepo extends DbRepo {
  constructor(kosha) {
    super(User, kosha);
  }
}

// The seed's cached read (@transactional @cacheable).
const CachedUsers = await seedCachedRepo(User);

const client = await redisClient({ redisUrl: process.env.REDIS_URL || undefined });
const prefix = `kosha-bench-http-${process.pid}`;
const cache = redisCache({ client, keyPrefix: prefix });
const kosha = await createKosha({
  orm: mikroOrm({ url: process.env.DATABASE_URL || 'sqlite::memory:' }),
  entities: [User],
  cache,
});
await kosha.schema.create();
const users = new UserRepo(kosha);
const ids = (
  await users.insertAll(
    Array.from({ length: ROWS }, (_, i) => ({ name: `user ${i}`, email: `u${i}@example.com` })),
  )
).map((u) => u.id);
const cached = new CachedUsers(kosha);
await kosha.transaction(async () => {
  for (const userId of ids) await cached.get(userId); // the misses that fill the cache
});
const root = kosha.orm.orm.em; // the backend's MikroORM: the baseline uses it directly
const json = (u) => ({ id: u.id, name: u.name, email: u.email });

const raw = async (id) => {
  const em = root.fork();
  const user = await em.findOne(User, { id });
  await em.flush();
  return user;
};
const rawTx = async (id) => {
  const em = root.fork();
  await em.begin();
  try {
    const user = await em.findOne(User, { id });
    await em.commit();
    return user;
  } catch (error) {
    await em.rollback();
    throw error;
  }
};
const viaKosha = (id) => users.getById(id);
// The value Kosha stored is `k1:` + JSON; an entity's fields are under `v`.
const rawCache = async (id) => JSON.parse((await client.get(`${prefix}:user:${id}`)).slice(3)).v;
const viaCache = (id) => cached.get(id);

// The stand-in plugin's "session": what its hooks bind and settle, doing no work of their own.
const als = new AsyncLocalStorage();
const noop = () => {};
const opened = () => Promise.resolve({ open: true });

let port;
if (framework === 'express') {
  const { default: express } = await import('express');
  const { dbMiddleware } = await import('@kosha/http-express');
  const app = express();
  const route = (read) => async (req, res) => res.json(json(await read(Number(req.params.id))));
  app.get('/raw/:id', route(raw));
  app.get('/raw-tx/:id', route(rawTx));
  app.get('/request/:id', dbMiddleware({ kosha }), route(viaKosha));
  app.get('/method/:id', dbMiddleware({ kosha, mode: 'method' }), route(viaKosha));
  app.get('/raw-cache/:id', route(rawCache));
  app.get('/cached/:id', dbMiddleware({ kosha }), route(viaCache));
  const hooks = (_req, res, next) => {
    opened().then((session) => {
      res.on('close', noop);
      als.run(session, next);
    }, next);
  };
  app.get('/hooks-cache/:id', hooks, route(rawCache));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = server.address().port;
} else {
  const { default: Fastify } = await import('fastify');
  const { dbPlugin } = await import('@kosha/http-fastify');
  const app = Fastify();
  const route = (read) => async (request) => json(await read(Number(request.params.id)));
  app.get('/raw/:id', route(raw));
  app.get('/raw-tx/:id', route(rawTx));
  // Each in its own context, so the plugin's hooks run on its route only.
  await app.register(async (scope) => {
    await scope.register(dbPlugin, { kosha });
    scope.get('/request/:id', route(viaKosha));
  });
  await app.register(async (scope) => {
    await scope.register(dbPlugin, { kosha, mode: 'method' });
    scope.get('/method/:id', route(viaKosha));
  });
  app.get('/raw-cache/:id', route(rawCache));
  await app.register(async (scope) => {
    await scope.register(dbPlugin, { kosha });
    scope.get('/cached/:id', route(viaCache));
  });
  await app.register(async (scope) => {
    scope.decorateRequest('benchSession', null);
    scope.addHook('onRequest', (request, reply, next) => {
      opened().then((session) => {
        request.benchSession = session;
        reply.raw.on('close', noop);
        als.run(session, next);
      }, next);
    });
    scope.addHook('preValidation', (request, _reply, next) => als.run(request.benchSession, next));
    scope.addHook('onError', (_request, _reply, _error, next) => next());
    scope.addHook('onSend', (request, _reply, _payload, next) => {
      Promise.resolve(request.benchSession).then(() => next(), next);
    });
    scope.get('/hooks-cache/:id', route(rawCache));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = app.server.address().port;
}
process.on('message', (m) => m === 'cpu' && process.send({ cpu: process.cpuUsage() }));
process.send({ port, dialect: kosha.orm.dialect });
process.on('disconnect', async () => {
  await cache.clearPrefix('').catch(() => {});
  await kosha.schema.drop().catch(() => {});
  await kosha.close();
  client.disconnect();
  process.exit(0);
});
