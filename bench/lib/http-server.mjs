// The server of scenario 4, in a process of its own so that the load generator does not share its event
// loop. argv: <express|fastify>. Routes, each reading one row by id:
// - /raw/:id      MikroORM by hand: em.fork() + findOne + em.flush() (the baseline)
// - /raw-tx/:id   MikroORM by hand: em.fork() + begin + findOne + commit
// - /method/:id   Kosha's middleware in mode 'method' + repo.getById: the same SQL as /raw
// - /request/:id  Kosha's middleware in mode 'request' (the default): the same SQL as /raw-tx
// It answers the parent's 'cpu' message with its CPU time so far.
import { column, createKosha, DbRepo, entity, id, table } from '@kosha/core';
import { mikroOrm } from '@kosha/orm-mikro';

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

const kosha = await createKosha({
  orm: mikroOrm({ url: process.env.DATABASE_URL || 'sqlite::memory:' }),
  entities: [User],
  cache: false,
});
await kosha.schema.create();
const users = new UserRepo(kosha);
await users.insertAll(
  Array.from({ length: ROWS }, (_, i) => ({ name: `user ${i}`, email: `u${i}@example.com` })),
);
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
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = app.server.address().port;
}
process.on('message', (m) => m === 'cpu' && process.send({ cpu: process.cpuUsage() }));
process.send({ port, dialect: kosha.orm.dialect });
process.on('disconnect', async () => {
  await kosha.schema.drop().catch(() => {});
  await kosha.close();
  process.exit(0);
});
