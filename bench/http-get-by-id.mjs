#!/usr/bin/env node
// Benchmark: an HTTP route that reads one row by id, under a real load generator (autocannon) on loopback.
// Requests/s with Kosha's session per request (@kosha/http-express, @kosha/http-fastify) against the same
// route written by hand with MikroORM, for Express and for Fastify, in one run. Target: ratio ≥ 0.95.
// The middleware in mode 'method' sends what a per-request em.fork() + read + em.flush() sends (one SELECT);
// in mode 'request' (the default) it also sends BEGIN and COMMIT, so it is compared with em.fork() + begin +
// read + commit as well. The same session scope opened by hand in the handler shows what the HTTP layer adds.
// The server runs in a child process (this file with --serve) so the load generator does not share its
// event loop. SQLite in memory by default; DATABASE_URL=postgresql://… for PostgreSQL. --quick: short runs.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FRAMEWORKS = ['express', 'fastify'];
// Route prefix → what it measures. `raw` is the hand-written baseline.
const VARIANTS = {
  raw: 'MikroORM by hand: em.fork() + findOne + em.flush()',
  'raw-tx': 'MikroORM by hand: em.fork() + begin + findOne + commit',
  method: "middleware, mode 'method': a session per request",
  request: "middleware, mode 'request' (default): a transaction",
  'scope-method': 'kosha.openSession({ transaction: false }) by hand',
  'scope-request': 'kosha.openSession() … commit() by hand',
};
const ROWS = 1000;

if (process.argv[2] === '--serve') await serve(process.argv[3]);
else await measure();

async function serve(framework) {
  const { column, createKosha, DbRepo, entity, id, table } = await import('@kosha/core');
  const { mikroOrm } = await import('@kosha/orm-mikro');

  class User {}
  entity(User);
  table('bench_http_users')(User);
  id({ autoincrement: true })(User.prototype, 'id');
  column({ type: 'string', length: 100 })(User.prototype, 'name');
  column({ type: 'string', length: 255 })(User.prototype, 'email');

  class UserRepo extends DbRepo {
    constructor(kosha) {
      super(User, kosha);
    }
  }

  const kosha = await createKosha({
    orm: mikroOrm({ url: process.env.DATABASE_URL ?? 'sqlite::memory:' }),
    entities: [User],
    cache: false,
  });
  await kosha.schema.drop().catch(() => {});
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
  const byHand = (transaction) => async (id) => {
    const scope = await kosha.openSession({ transaction });
    try {
      const user = await scope.run(() => users.getById(id));
      await scope.commit();
      return user;
    } finally {
      await scope.close();
    }
  };

  let port;
  if (framework === 'express') {
    const { default: express } = await import('express');
    const { dbMiddleware } = await import('@kosha/http-express');
    const app = express();
    const route = (read) => async (req, res) => res.json(json(await read(Number(req.params.id))));
    app.get('/raw/:id', route(raw));
    app.get('/raw-tx/:id', route(rawTx));
    app.get('/scope-method/:id', route(byHand(false)));
    app.get('/scope-request/:id', route(byHand(true)));
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
    app.get('/scope-method/:id', route(byHand(false)));
    app.get('/scope-request/:id', route(byHand(true)));
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
  // The parent asks for the CPU time used so far, to measure CPU per request next to requests per second.
  process.on('message', (m) => m === 'cpu' && process.send({ cpu: process.cpuUsage() }));
  process.send({ port, dialect: kosha.orm.dialect });
  process.on('disconnect', async () => {
    await kosha.close();
    process.exit(0);
  });
}

async function measure() {
  const { default: autocannon } = await import('autocannon');
  const quick = process.argv.includes('--quick');
  const duration = Number(process.env.BENCH_DURATION ?? (quick ? 1 : 3));
  const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 3 : 7));
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);

  const load = (url, seconds) =>
    new Promise((resolve, reject) => {
      let n = 0;
      autocannon(
        {
          url,
          connections,
          duration: seconds,
          requests: [{ setupRequest: (req) => ({ ...req, path: `${req.path}${(n++ % ROWS) + 1}` }) }],
        },
        (error, result) => {
          if (error) reject(error);
          else if (result.non2xx || result.errors)
            reject(new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`));
          else resolve(result);
        },
      );
    });

  const results = {};
  let dialect;
  for (const framework of FRAMEWORKS) {
    const child = fork(fileURLToPath(import.meta.url), ['--serve', framework], { stdio: 'inherit' });
    const ready = await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the ${framework} server exited (${code})`)));
    });
    dialect = ready.dialect;
    const cpu = () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m.cpu.user + m.cpu.system));
        child.send('cpu');
      });
    // One run: requests per second, and the server's CPU time (µs) per request.
    const run = async (v, seconds) => {
      const before = await cpu();
      const result = await load(`http://127.0.0.1:${ready.port}/${v}/`, seconds);
      return { rps: result.requests.average, cpu: ((await cpu()) - before) / result.requests.total };
    };
    const names = Object.keys(VARIANTS);
    for (const v of names) await run(v, 1); // warm-up: JIT, pool, prepared paths
    const perRound = Object.fromEntries(names.map((v) => [v, []]));
    // Rounds alternate the order so drift (JIT, GC, other processes) hits every variant alike.
    for (let r = 0; r < rounds; r++) {
      for (const v of r % 2 ? [...names].reverse() : names) perRound[v].push(await run(v, duration));
    }
    child.disconnect();
    results[framework] = perRound;
  }

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  // Per-round ratios (each round runs both variants back to back), then their median. For CPU the ratio is
  // inverted (baseline CPU / Kosha CPU) so that, like requests per second, 1 means "as fast".
  const ratio = (f, v, base, key) =>
    median(
      results[f][v].map((x, k) =>
        key === 'rps' ? x.rps / results[f][base][k].rps : results[f][base][k].cpu / x.cpu,
      ),
    );
  console.log(
    `\nGET /<variant>/:id on ${dialect}: autocannon, ${connections} connections, ${rounds} rounds × ${duration} s, medians`,
  );
  const summary = {};
  const pairs = [
    ['method', 'raw', "mode 'method'  / em.fork() + flush", 'same SQL: SELECT'],
    ['request', 'raw-tx', "mode 'request' / em.fork() + begin + commit", 'same SQL: BEGIN, SELECT, COMMIT'],
    ['request', 'raw', "mode 'request' / em.fork() + flush", 'the middleware also sends BEGIN, COMMIT'],
    ['method', 'scope-method', "mode 'method'  / the same session scope by hand", 'what the HTTP layer adds'],
    [
      'request',
      'scope-request',
      "mode 'request' / the same session scope by hand",
      'what the HTTP layer adds',
    ],
  ];
  for (const f of FRAMEWORKS) {
    console.log(`\n${f}                                                          req/s  CPU µs/req`);
    for (const [v, what] of Object.entries(VARIANTS)) {
      const rps = median(results[f][v].map((x) => x.rps)).toFixed(0);
      const cpu = median(results[f][v].map((x) => x.cpu)).toFixed(0);
      console.log(`  ${what.padEnd(58)} ${rps.padStart(7)} ${cpu.padStart(9)}`);
    }
    console.log(`  ratios (1 = as fast)                                          req/s  CPU`);
    summary[f] = {};
    for (const [v, base, label, note] of pairs) {
      const r = { rps: ratio(f, v, base, 'rps'), cpu: ratio(f, v, base, 'cpu') };
      summary[f][`${v}/${base}`] = r;
      console.log(
        `  ${label.padEnd(58)} ${r.rps.toFixed(3).padStart(7)} ${r.cpu.toFixed(3).padStart(6)}  ${note}`,
      );
    }
  }
  const two = FRAMEWORKS.map((f) => {
    const r = summary[f]['method/raw'];
    return `${f} ${r.rps.toFixed(3)} (req/s), ${r.cpu.toFixed(3)} (CPU)`;
  }).join('; ');
  console.log(`\nratio, middleware / hand-written em.fork() + flush (target ≥ 0.95): ${two}`);
  if (process.env.BENCH_JSON) {
    console.log(JSON.stringify({ scenario: 'http get by id', dialect, ratios: summary, target: 0.95 }));
  }
}
