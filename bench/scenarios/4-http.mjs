// Scenario 4: an HTTP route that reads one row by id, under a real load generator (autocannon) on
// loopback: requests/s with Kosha's session per request against the same route written by hand with
// MikroORM, for Express and for Fastify, in one run. Target: ≥ 0.95 of the hand-written requests/s.
// Mode 'method' sends what the hand-written em.fork() + findOne + flush sends (one SELECT), so that is
// the target's pair; mode 'request' (the default) also sends BEGIN and COMMIT and is compared with a
// hand-written em.fork() + begin + findOne + commit. Server CPU per request is reported next to it.
// 4c: a cached route in mode 'request', `GET /users/:id` answered from a warm cache by the seed's
// `@transactional @cacheable` read (a lazy transaction: no connection, no statement), against a
// hand-written route with no session that GETs the same key with the same client and JSON.parses it.
// Redis on REDIS_URL, else an ioredis-mock inside the server process. Target: ≥ 0.95 of its requests/s.
// 4d, reported: the same hand-written cache route behind a session plugin that does nothing (an async
// open, AsyncLocalStorage, a close listener, and on Fastify the four hooks Kosha's plugin uses): what
// any session-per-request plugin costs before its own work, so 4c can be read against it too.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmtInt, median, row } from '../lib/harness.mjs';

const ROWS = 1000;
const VARIANTS = ['raw', 'method', 'raw-tx', 'request', 'raw-cache', 'cached', 'hooks-cache'];

export default {
  id: 'http',
  title: 'HTTP route reading one row',
  async run(ctx) {
    const { default: autocannon } = await import('autocannon');
    const duration = Number(process.env.BENCH_DURATION ?? (ctx.quick ? 1 : 3));
    const rounds = Number(process.env.BENCH_ROUNDS ?? (ctx.quick ? 3 : 7));
    const connections = 10;
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

    const rows = [];
    for (const framework of ['express', 'fastify']) {
      const server = fork(fileURLToPath(new URL('../lib/http-server.mjs', import.meta.url)), [framework], {
        env: { ...process.env, DATABASE_URL: ctx.databaseUrl },
      });
      try {
        const ready = await new Promise((resolve, reject) => {
          server.once('message', resolve);
          server.once('exit', (code) => reject(new Error(`the ${framework} server exited (${code})`)));
        });
        const cpu = () =>
          new Promise((resolve) => {
            server.once('message', (m) => resolve(m.cpu.user + m.cpu.system));
            server.send('cpu');
          });
        // One run: requests per second, and the server's CPU time (µs) per request.
        const run = async (v, seconds) => {
          const before = await cpu();
          const result = await load(`http://127.0.0.1:${ready.port}/${v}/`, seconds);
          return { rps: result.requests.average, cpu: ((await cpu()) - before) / result.requests.total };
        };
        for (const v of VARIANTS) await run(v, 1); // warm-up: JIT, pool
        const perRound = Object.fromEntries(VARIANTS.map((v) => [v, []]));
        // Rounds alternate the order so drift (JIT, GC, other processes) hits every variant alike.
        for (let r = 0; r < rounds; r++) {
          for (const v of r % 2 ? [...VARIANTS].reverse() : VARIANTS)
            perRound[v].push(await run(v, duration));
        }
        const rps = (v) => median(perRound[v].map((x) => x.rps));
        const cpuUs = (v) => median(perRound[v].map((x) => x.cpu));
        const ratio = (v, base) => median(perRound[v].map((x, k) => x.rps / perRound[base][k].rps));
        const cpuRatio = (v, base) => median(perRound[v].map((x, k) => perRound[base][k].cpu / x.cpu));
        const label = framework === 'express' ? 'Express' : 'Fastify';
        const m = ratio('method', 'raw');
        const q = ratio('request', 'raw-tx');
        const c = ratio('cached', 'raw-cache');
        const floor = ratio('hooks-cache', 'raw-cache');
        rows.push(
          row({
            scenario: `4. ${label}: GET by id, session per request (mode 'method')`,
            kosha: `${fmtInt(rps('method'))} req/s`,
            baseline: `${fmtInt(rps('raw'))} req/s em.fork() + findOne + flush`,
            ratio: m,
            target: '≥ 0.95',
            pass: m >= 0.95,
            notes: `${ready.dialect}; autocannon, ${connections} connections, ${rounds} × ${duration} s; CPU/req ${cpuUs('method').toFixed(0)} vs ${cpuUs('raw').toFixed(0)} µs (ratio ${cpuRatio('method', 'raw').toFixed(3)})`,
          }),
          row({
            scenario: `4b. ${label}: GET by id, transaction per request (mode 'request')`,
            kosha: `${fmtInt(rps('request'))} req/s`,
            baseline: `${fmtInt(rps('raw-tx'))} req/s em.fork() + begin + findOne + commit`,
            ratio: q,
            target: '≥ 0.95',
            pass: q >= 0.95,
            notes: `${ready.dialect}; both send BEGIN, SELECT, COMMIT; CPU/req ${cpuUs('request').toFixed(0)} vs ${cpuUs('raw-tx').toFixed(0)} µs`,
          }),
          row({
            scenario: `4c. ${label}: GET by id from the cache (mode 'request', @transactional @cacheable)`,
            kosha: `${fmtInt(rps('cached'))} req/s`,
            baseline: `${fmtInt(rps('raw-cache'))} req/s GET + JSON.parse, no session`,
            ratio: c,
            target: '≥ 0.95',
            pass: c >= 0.95,
            notes: `${ctx.redisKind}; one GET of the same key each, no statement; CPU/req ${cpuUs('cached').toFixed(0)} vs ${cpuUs('raw-cache').toFixed(0)} µs; against 4d's do-nothing plugin: ${ratio('cached', 'hooks-cache').toFixed(3)}`,
          }),
          row({
            scenario: `4d. ${label}: the raw-cache route behind a session plugin that does nothing`,
            kosha: `${fmtInt(rps('hooks-cache'))} req/s`,
            baseline: `${fmtInt(rps('raw-cache'))} req/s GET + JSON.parse, no session`,
            ratio: floor,
            notes: `what any session-per-request plugin costs before it does any work (an async open, AsyncLocalStorage, a close listener${framework === 'fastify' ? ', onRequest/preValidation/onError/onSend hooks' : ''}); CPU/req ${cpuUs('hooks-cache').toFixed(0)} vs ${cpuUs('raw-cache').toFixed(0)} µs`,
          }),
        );
      } finally {
        server.disconnect();
        await new Promise((r) => (server.exitCode === null ? server.once('exit', r) : r()));
      }
    }
    return rows;
  },
};
