// HTTP requests under faults, Express 5 and Fastify 5 over a throwaway PostgreSQL cluster: a COMMIT that
// fails, a COMMIT whose reply is lost, clients that leave mid-handler and mid-method, REQUIRES_NEW on an
// exhausted pool. Outcomes are checked on the server, never through the app.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kosha } from '@kosha/core';
import { dbMiddleware } from '@kosha/http-express';
import { dbPlugin } from '@kosha/http-fastify';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bounded,
  figure,
  type PgCluster,
  pgClustersAvailable,
  sleep,
  startPgCluster,
  startProxy,
  type TcpProxy,
  within,
} from '../support/index.js';
import { countRows, leaked, openApp, type RowRepo } from './app.js';

type Mode = 'request' | 'method';

/** Lets a test hold a handler at a point and know when it got there. */
class Gates {
  readonly #gates = new Map<
    string,
    { reached: () => void; at: Promise<void>; open: () => void; opened: Promise<void> }
  >();
  #gate(key: string) {
    let g = this.#gates.get(key);
    if (!g) {
      let reached!: () => void;
      let open!: () => void;
      const at = new Promise<void>((r) => (reached = r));
      const opened = new Promise<void>((r) => (open = r));
      g = { reached, at, open, opened };
      this.#gates.set(key, g);
    }
    return g;
  }
  hold(key: string): Promise<void> {
    const g = this.#gate(key);
    g.reached();
    return g.opened;
  }
  reached(key: string): Promise<void> {
    return this.#gate(key).at;
  }
  open(key: string): void {
    this.#gate(key).open();
  }
}

/** The routes both frameworks mount: POST /<name> with `{ token }`. */
function routes(
  kosha: Kosha,
  rows: RowRepo,
  gates: Gates,
): Record<string, (token: string) => Promise<unknown>> {
  return {
    save: async (t) => rows.save(t),
    'fail-at-commit': async (t) => {
      await rows.save(t);
      // Two equal codes under a DEFERRABLE INITIALLY DEFERRED unique constraint: the COMMIT refuses them.
      await kosha.transaction(() =>
        rows.em.execute(`insert into fault_codes (code) values ('dup'), ('dup')`),
      );
      return { token: t };
    },
    'hold-handler': async (t) => {
      await rows.save(t);
      await gates.hold(t);
      return { token: t };
    },
    'hold-method': async (t) => {
      await rows.saveAround(`${t}-1`, () => gates.hold(t), `${t}-2`);
      return { token: t };
    },
    'own-transaction': async (t) => {
      await rows.save(`${t}-outer`);
      await gates.hold(`${t}-outer`);
      await rows.saveOnItsOwn(`${t}-inner`);
      return { token: t };
    },
  };
}

interface Server {
  readonly url: string;
  close(): Promise<void>;
}

async function expressServer(kosha: Kosha, rows: RowRepo, gates: Gates, mode: Mode): Promise<Server> {
  const app = express();
  app.use(dbMiddleware({ kosha, mode }));
  app.use(express.json());
  for (const [name, action] of Object.entries(routes(kosha, rows, gates))) {
    app.post(`/${name}`, async (req, res) => {
      res.status(200).json(await action(req.body.token));
    });
  }
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function fastifyServer(kosha: Kosha, rows: RowRepo, gates: Gates, mode: Mode): Promise<Server> {
  const app = Fastify();
  await app.register(dbPlugin, { kosha, mode });
  for (const [name, action] of Object.entries(routes(kosha, rows, gates))) {
    app.post(`/${name}`, async (request) => action((request.body as { token: string }).token));
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
}

const FRAMEWORKS = [
  ['Express', expressServer],
  ['Fastify', fastifyServer],
] as const;

async function post(server: Server, path: string, token: string) {
  const res = await within(
    fetch(`${server.url}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    }),
    15_000,
    `POST /${path}`,
  );
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body: body as { message?: string; code?: string } };
}

/** Sends a request and drops the connection once `until` resolves (the handler is in the middle). */
function leaveMidRequest(
  server: Server,
  path: string,
  token: string,
  until: Promise<unknown>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = http.request(`${server.url}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
    });
    req.on('response', () => reject(new Error('the server answered before the client left')));
    req.on('error', () => {});
    req.on('close', () => resolve());
    req.end(JSON.stringify({ token }));
    until.then(() => req.destroy(), reject);
  });
}

const idle = (kosha: Kosha) =>
  bounded(() => (leaked(kosha) === 0 ? 'stop' : undefined), {
    maxIterations: 500,
    maxMs: 5_000,
    intervalMs: 10,
  });

describe.skipIf(!pgClustersAvailable())('HTTP requests under faults (PostgreSQL cluster)', () => {
  let cluster: PgCluster;
  let proxy: TcpProxy;
  let kosha: Kosha;
  let rows: RowRepo;
  const gates = new Gates();

  beforeAll(async () => {
    cluster = await startPgCluster();
    proxy = await startProxy({ targetPort: cluster.port });
    const url = cluster.url.replace(`:${cluster.port}/`, `:${proxy.port}/`);
    ({ kosha, rows } = await openApp(url, { pool: { max: 4, acquireTimeout: 1 } }, cluster.url));
    await cluster.query('create table fault_codes (code text unique deferrable initially deferred)');
  });
  afterAll(async () => {
    await kosha?.close();
    await proxy?.close();
    await cluster?.drop();
  });

  for (const [name, start] of FRAMEWORKS) {
    describe(name, () => {
      it('a COMMIT that fails (deferred constraint): 5xx, never 2xx, and 0 rows', async () => {
        const server = await start(kosha, rows, gates, 'request');
        try {
          const t = `${name}-deferred`;
          const answer = await post(server, 'fail-at-commit', t);
          expect(answer.status).toBeGreaterThanOrEqual(500);
          expect(answer.body.message ?? '').not.toMatch(/unknown/i);
          const saved = await countRows(cluster.url, t);
          expect(saved).toBe(0);
          expect((await cluster.query('select count(*)::int as n from fault_codes'))[0]!.n).toBe(0);
          await idle(kosha);
          figure(`${name}: COMMIT fails (deferred constraint)`, {
            status: answer.status,
            saved,
            leaked: leaked(kosha),
          });
        } finally {
          await server.close();
        }
      });

      it('a COMMIT whose reply is lost: 5xx whose body says the outcome is unknown (and the row is in)', async () => {
        const server = await start(kosha, rows, gates, 'request');
        try {
          const t = `${name}-reply-lost`;
          const rule = proxy.onClientData(/\bcommit\b/i, 'reset-after-forward', { once: true });
          const answer = await post(server, 'save', t);
          rule.remove();
          expect(answer.status).toBe(500);
          expect(answer.body.code).toBe('KOSHA_COMMIT_UNKNOWN');
          expect(answer.body.message).toMatch(/unknown/i);
          expect(answer.body.message).not.toMatch(/nothing this request changed was saved/i);
          const saved = await countRows(cluster.url, t);
          expect(saved).toBe(1);
          await idle(kosha);
          figure(`${name}: COMMIT reply lost`, {
            status: answer.status,
            code: answer.body.code ?? '',
            saved,
            leaked: leaked(kosha),
          });
        } finally {
          await server.close();
        }
      });

      for (const mode of ['request', 'method'] as const) {
        it(`mode '${mode}': a client that leaves mid-handler — nothing the request did after it left is saved, no slot leaks`, async () => {
          const server = await start(kosha, rows, gates, mode);
          try {
            const t = `${name}-${mode}-gone-handler`;
            await leaveMidRequest(server, 'hold-handler', t, gates.reached(t));
            await sleep(200);
            gates.open(t);
            await idle(kosha);
            const saved = await countRows(cluster.url, t);
            // mode 'request': the request's transaction is rolled back; mode 'method': save() committed
            // itself before the handler waited, as Spring would.
            expect(saved).toBe(mode === 'request' ? 0 : 1);
            expect(leaked(kosha)).toBe(0);
            expect((await post(server, 'save', `${t}-next`)).status).toBe(200);
            figure(`${name} ${mode}: client gone mid-handler`, { saved, leaked: leaked(kosha) });
          } finally {
            await server.close();
          }
        });

        it(`mode '${mode}': a client that leaves mid-method — neither half of the method is committed`, async () => {
          const server = await start(kosha, rows, gates, mode);
          try {
            const t = `${name}-${mode}-gone-method`;
            await leaveMidRequest(server, 'hold-method', t, gates.reached(t));
            await sleep(200);
            gates.open(t);
            await idle(kosha);
            const first = await countRows(cluster.url, `${t}-1`);
            const second = await countRows(cluster.url, `${t}-2`);
            expect(first).toBe(0);
            expect(second).toBe(0);
            expect(leaked(kosha)).toBe(0);
            figure(`${name} ${mode}: client gone mid-method`, {
              firstHalf: first,
              secondHalf: second,
              leaked: leaked(kosha),
            });
          } finally {
            await server.close();
          }
        });
      }

      it('REQUIRES_NEW waiting for a connection when its client leaves: the inner row never commits', async () => {
        const server = await start(kosha, rows, gates, 'request');
        try {
          const t = `${name}-waiting-inner`;
          // Four requests hold the pool's four connections; the first one goes on to REQUIRES_NEW and waits.
          const holders = [1, 2, 3].map((i) => post(server, 'hold-handler', `${t}-holder-${i}`));
          for (const i of [1, 2, 3]) await within(gates.reached(`${t}-holder-${i}`), 5_000, 'a holder');
          const gone = leaveMidRequest(
            server,
            'own-transaction',
            t,
            gates.reached(`${t}-outer`).then(() => sleep(150)),
          );
          await within(gates.reached(`${t}-outer`), 5_000, 'the outer request');
          gates.open(`${t}-outer`);
          await gone;
          await sleep(100);
          for (const i of [1, 2, 3]) gates.open(`${t}-holder-${i}`);
          await Promise.all(holders);
          await idle(kosha);
          await sleep(1_200);
          const inner = await countRows(cluster.url, `${t}-inner`);
          const outer = await countRows(cluster.url, `${t}-outer`);
          expect(inner).toBe(0);
          expect(outer).toBe(0);
          expect(leaked(kosha)).toBe(0);
          figure(`${name}: REQUIRES_NEW waiting when its client left`, {
            inner,
            outer,
            leaked: leaked(kosha),
          });
        } finally {
          await server.close();
        }
      });
    });
  }
});
