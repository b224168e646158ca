// Self-tests of the fault-suite infrastructure (no Kosha code here): if one of these fails, every
// fault case built on the failing piece is meaningless.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  bounded,
  FIGURES_FILE,
  figure,
  formatFigure,
  freePgPort,
  killConnections,
  MARIADB_ADMIN_URL,
  type MariadbScratch,
  mariadbAvailable,
  mariadbQuery,
  mariadbScratch,
  mariadbThroughProxy,
  mysqlUri,
  type PgCluster,
  pgClustersAvailable,
  readFigures,
  sleep,
  startPgCluster,
  startProxy,
  sweepStalePgClusters,
  type TcpProxy,
  within,
} from './support/index.js';

const havePg = pgClustersAvailable();
const haveMariadb = await mariadbAvailable();

/** Settles to the rejection reason, or `undefined` if `p` resolved. */
const failure = (p: Promise<unknown>): Promise<any> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('figures and bounded', () => {
  test('a figure is one grep-able line, also appended to the figures file', () => {
    const line = figure('infra self-test', {
      failed: 0,
      worstLatencyMs: 12.3456,
      note: 'two words',
      ok: true,
    });
    expect(line).toBe('[fault] infra self-test: failed=0 worstLatencyMs=12.346 note="two words" ok=true');
    expect(readFigures().at(-1)).toMatchObject({ case: 'infra self-test', values: { failed: 0 } });
    expect(readFileSync(FIGURES_FILE, 'utf8')).toContain('"infra self-test"');
    expect(() => formatFigure('x', { 'bad key': 1 })).toThrow(/must match/);
  });

  test('bounded ends on stop, on the iteration cap and on time, a hung iteration included', async () => {
    expect(
      (await bounded((i) => (i === 2 ? 'stop' : undefined), { maxIterations: 10, maxMs: 1000 })).ended,
    ).toBe('stopped');
    const capped = await bounded(() => undefined, { maxIterations: 5, maxMs: 1000 });
    expect(capped).toMatchObject({ ended: 'iterations', iterations: 5 });
    let aborted = false;
    const hung = await bounded(
      (_, signal) =>
        new Promise<undefined>(() => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
        }),
      { maxIterations: 3, maxMs: 100 },
    );
    expect(hung).toMatchObject({ ended: 'time', iterations: 0 });
    expect(hung.elapsedMs).toBeLessThan(1000);
    expect(aborted).toBe(true);
    await expect(
      bounded(() => undefined, { maxIterations: 1, maxMs: Number.POSITIVE_INFINITY }),
    ).rejects.toThrow();
  });
});

interface RawClient {
  socket: Socket;
  received: () => string;
  ended: Promise<Error | undefined>;
}

async function rawClient(port: number): Promise<RawClient> {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  let text = '';
  socket.on('data', (d) => {
    text += d.toString('latin1');
  });
  const ended = new Promise<Error | undefined>((resolve) => {
    let error: Error | undefined;
    socket.on('error', (e) => {
      error = e;
    });
    socket.on('close', () => resolve(error));
  });
  await within(new Promise((resolve) => socket.once('connect', resolve)), 2000, 'raw connect');
  return { socket, received: () => text, ended };
}

describe('tcp proxy (echo server)', () => {
  let echo: Server;
  let seen = '';
  let proxy: TcpProxy;

  beforeAll(async () => {
    echo = createServer((s) => {
      s.on('error', () => {});
      s.on('data', (d) => {
        seen += d.toString('latin1');
        s.write(d);
      });
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await startProxy({ targetPort: (echo.address() as { port: number }).port });
  });
  afterAll(async () => {
    await proxy?.close();
    await new Promise((resolve) => echo?.close(resolve));
  });
  afterEach(() => {
    proxy.clearRules();
    proxy.resume();
    seen = '';
  });

  test('forwards both ways and counts links', async () => {
    const c = await rawClient(proxy.port);
    c.socket.write('hello');
    const r = await bounded(() => (c.received() === 'hello' ? 'stop' : undefined), {
      maxIterations: 100,
      maxMs: 2000,
      intervalMs: 10,
    });
    expect(r.ended).toBe('stopped');
    expect(proxy.links).toBe(1);
    c.socket.end();
    await within(c.ended, 2000);
    const gone = await bounded(() => (proxy.links === 0 ? 'stop' : undefined), {
      maxIterations: 100,
      maxMs: 2000,
      intervalMs: 10,
    });
    expect(gone.ended).toBe('stopped');
  });

  test('reset-before matches a statement split across chunks and RSTs before forwarding its end', async () => {
    const rule = proxy.onClientData(/\bcommit\b/i, 'reset-before');
    const c = await rawClient(proxy.port);
    c.socket.write('Q\0\0\0\x0bCOM');
    await sleep(50);
    c.socket.write('MIT\0');
    const error = await within(c.ended, 2000, 'client reset');
    expect((error as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNRESET');
    expect(rule.fired).toBe(1);
    expect(seen).not.toContain('MIT');
  });

  test('reset-after-forward: the target gets the bytes, the client never gets the reply', async () => {
    proxy.onClientData(/\bcommit\b/i, 'reset-after-forward', { once: true });
    const c = await rawClient(proxy.port);
    c.socket.write('begin;');
    await bounded(() => (c.received() === 'begin;' ? 'stop' : undefined), {
      maxIterations: 100,
      maxMs: 2000,
      intervalMs: 10,
    });
    c.socket.write('commit;');
    const error = await within(c.ended, 2000, 'client reset');
    expect((error as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNRESET');
    expect(seen).toBe('begin;commit;');
    expect(c.received()).toBe('begin;');
  });
});

describe.skipIf(!havePg)('throwaway PostgreSQL cluster', () => {
  test('starts, answers, survives stop immediate + start, and is dropped (twice)', async () => {
    let t = performance.now();
    const cluster = await startPgCluster();
    const startMs = performance.now() - t;
    try {
      expect(cluster.port).toBeGreaterThanOrEqual(5400);
      expect(cluster.port).toBeLessThan(5700);
      expect(cluster.url).toBe(`postgresql://postgres@127.0.0.1:${cluster.port}/test`);
      expect(await cluster.query('select current_database() as db, 1 + $1::int as n', [1])).toEqual([
        { db: 'test', n: 2 },
      ]);
      await cluster.query('create table kept (id int)');
      await cluster.query('insert into kept values (7)');

      t = performance.now();
      await cluster.stop('immediate');
      await expect(cluster.query('select 1')).rejects.toThrow();
      await cluster.stop('immediate');
      await cluster.start();
      const restartMs = performance.now() - t;
      expect(await cluster.query('select id from kept')).toEqual([{ id: 7 }]);

      await cluster.restart({ downMs: 50, mode: 'fast' });
      const idle = new pg.Client({ connectionString: cluster.url });
      idle.on('error', () => {});
      await idle.connect();
      expect(await cluster.terminateBackends({ database: 'test' })).toBe(1);
      await expect(idle.query('select 1')).rejects.toThrow();

      t = performance.now();
      await cluster.drop();
      const dropMs = performance.now() - t;
      figure('infra pg cluster', {
        startMs: Math.round(startMs),
        restartMs: Math.round(restartMs),
        dropMs: Math.round(dropMs),
      });
    } finally {
      await cluster.drop();
    }
    expect(existsSync(`/etc/postgresql/15/${cluster.name}`)).toBe(false);
    await expect(cluster.start()).rejects.toThrow(/dropped/);
  });

  test('sweeps kosha-faults-* clusters older than an hour, and only those', async () => {
    const run = promisify(execFile);
    const old = `kosha-faults-${Math.floor(Date.now() / 1000) - 7200}-0-5eed00`;
    const port = String(await freePgPort());
    await run('pg_createcluster', ['15', old, '-p', port, '--start-conf', 'manual', '--', '--no-sync'], {
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
      timeout: 60_000,
    });
    try {
      const dropped = await sweepStalePgClusters();
      expect(dropped).toContain(old);
      expect(dropped.every((n) => n.startsWith('kosha-faults-'))).toBe(true);
      expect(existsSync(`/etc/postgresql/15/${old}`)).toBe(false);
      expect(existsSync('/etc/postgresql/15/main')).toBe(true);
    } finally {
      await run('pg_dropcluster', ['--stop', '15', old], { timeout: 20_000 }).catch(() => {});
    }
  });
});

describe.skipIf(!havePg)('proxy in front of PostgreSQL', () => {
  let cluster: PgCluster;
  let proxy: TcpProxy;
  const clients: pg.Client[] = [];

  async function viaProxy(): Promise<pg.Client> {
    const c = new pg.Client({
      host: '127.0.0.1',
      port: proxy.port,
      user: 'postgres',
      database: 'test',
      connectionTimeoutMillis: 5000,
    });
    // A link cut under an idle client is an 'error' event: the tests look at the query instead.
    c.on('error', () => {});
    clients.push(c);
    await within(c.connect(), 5000, 'pg connect through proxy');
    return c;
  }

  async function idleInTransactionGone(): Promise<boolean> {
    const r = await bounded(
      async () => {
        const [row] = await cluster.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where state like 'idle in transaction%'`,
        );
        return row?.n === 0 ? 'stop' : undefined;
      },
      { maxIterations: 100, maxMs: 5000, intervalMs: 50 },
    );
    return r.ended === 'stopped';
  }

  beforeAll(async () => {
    cluster = await startPgCluster();
    proxy = await startProxy({ targetPort: cluster.port });
    await cluster.query('create table t (id int primary key)');
  });
  afterAll(async () => {
    await proxy?.close();
    await cluster?.drop();
  });
  afterEach(async () => {
    proxy.clearRules();
    proxy.resume();
    for (const c of clients.splice(0)) await within(c.end(), 2000).catch(() => {});
    await cluster.terminateBackends();
  });

  test('forwards', async () => {
    const c = await viaProxy();
    expect((await c.query('select 40 + 2 as x')).rows).toEqual([{ x: 42 }]);
    expect(proxy.links).toBe(1);
  });

  test('stall holds a query and a new connection until resume, then both go through', async () => {
    const c = await viaProxy();
    await c.query('select 1');
    proxy.stall();
    let answered = false;
    const q = c.query('select 42 as x').finally(() => {
      answered = true;
    });
    const late = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${proxy.port}/test` });
    late.on('error', () => {});
    clients.push(late);
    let connected = false;
    const connecting = late.connect().then(() => {
      connected = true;
    });
    await sleep(300);
    expect(answered).toBe(false);
    expect(connected).toBe(false);
    expect(proxy.links).toBe(2);
    proxy.resume();
    expect((await within(q, 5000, 'stalled query')).rows).toEqual([{ x: 42 }]);
    await within(connecting, 5000, 'stalled connect');
    expect((await late.query('select 1 as y')).rows).toEqual([{ y: 1 }]);
  });

  test('resetAll makes a pg client in a query fail with ECONNRESET', async () => {
    const c = await viaProxy();
    const q = c.query('select pg_sleep(10)');
    await sleep(200);
    expect(proxy.resetAll()).toBe(1);
    const error = await within(failure(q), 3000, 'reset query');
    expect(error).toBeInstanceOf(Error);
    expect(error.code ?? error.message).toMatch(/ECONNRESET|terminated/i);
  });

  test('reset-after-forward on COMMIT: the client gets an error, the row IS committed', async () => {
    const c = await viaProxy();
    await c.query('begin');
    await c.query('insert into t values (1)');
    const rule = proxy.onClientData(/\bcommit\b/i, 'reset-after-forward', { once: true });
    expect(await within(failure(c.query('commit')), 5000, 'commit')).toBeInstanceOf(Error);
    expect(rule.fired).toBe(1);
    expect(await cluster.query('select id from t where id = 1')).toEqual([{ id: 1 }]);
  });

  test('reset-before on COMMIT: the client gets an error, the row is NOT committed', async () => {
    const c = await viaProxy();
    await c.query('begin');
    await c.query('insert into t values (2)');
    const rule = proxy.onClientData(/\bcommit\b/i, 'reset-before', { once: true });
    expect(await within(failure(c.query('commit')), 5000, 'commit')).toBeInstanceOf(Error);
    expect(rule.fired).toBe(1);
    // Look once the server has seen the RST and aborted the transaction, not while it still could commit.
    expect(await idleInTransactionGone()).toBe(true);
    expect(await cluster.query('select id from t where id = 2')).toEqual([]);
  });

  test('stall-after-forward on COMMIT: committed on the server, the reply held until resume', async () => {
    const c = await viaProxy();
    await c.query('begin');
    await c.query('insert into t values (3)');
    proxy.onClientData(/\bcommit\b/i, 'stall-after-forward', { once: true });
    let answered = false;
    const commit = c.query('commit').finally(() => {
      answered = true;
    });
    const seen = await bounded(
      async () => ((await cluster.query('select id from t where id = 3')).length ? 'stop' : undefined),
      { maxIterations: 100, maxMs: 5000, intervalMs: 20 },
    );
    expect(seen.ended).toBe('stopped');
    await sleep(100);
    expect(answered).toBe(false);
    proxy.resume();
    await within(commit, 5000, 'held commit');
  });
});

describe.skipIf(!haveMariadb)('proxy in front of MariaDB', () => {
  let db: MariadbScratch;
  let proxy: TcpProxy;
  const conns: mysql.Connection[] = [];

  async function viaProxy(): Promise<mysql.Connection> {
    const c = await within(
      mysql.createConnection({
        uri: mysqlUri(mariadbThroughProxy(proxy.port, db.name)),
        connectTimeout: 5000,
      }),
      6000,
      'mysql connect through proxy',
    );
    c.on('error', () => {});
    conns.push(c);
    return c;
  }

  beforeAll(async () => {
    db = await mariadbScratch();
    await mariadbQuery(db.name, 'create table t (id int primary key) engine=InnoDB');
    const admin = new URL(MARIADB_ADMIN_URL);
    proxy = await startProxy({ targetPort: Number(admin.port || 3306), targetHost: admin.hostname });
  });
  afterAll(async () => {
    await proxy?.close();
    await db?.drop();
  });
  // Each test starts with no connection on the scratch database: a destroyed client's server
  // thread can outlive it for a moment and would be counted by the next test.
  afterEach(async () => {
    proxy.clearRules();
    for (const c of conns.splice(0)) c.destroy();
    const r = await bounded(
      async () => {
        await killConnections(db.name);
        const [row] = await mariadbQuery<{ n: number }>(
          db.name,
          'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
          [db.name],
        );
        return Number(row?.n) === 0 ? 'stop' : undefined;
      },
      { maxIterations: 50, maxMs: 5000, intervalMs: 50 },
    );
    expect(r.ended).toBe('stopped');
  });

  test('the proxy URL keeps user and database, on the proxy port', () => {
    expect(mariadbThroughProxy(proxy.port, db.name)).toBe(
      `mariadb://root@127.0.0.1:${proxy.port}/${db.name}`,
    );
  });

  test('reset-after-forward on COMMIT: mysql2 gets an error, the row IS committed', async () => {
    const c = await viaProxy();
    await c.query('begin');
    await c.query('insert into t values (1)');
    const rule = proxy.onClientData(/\bcommit\b/i, 'reset-after-forward', { once: true });
    expect(await within(failure(c.query('commit')), 5000, 'commit')).toBeInstanceOf(Error);
    expect(rule.fired).toBe(1);
    expect(await mariadbQuery(db.name, 'select id from t where id = 1')).toEqual([{ id: 1 }]);
  });

  test('reset-before on COMMIT: mysql2 gets an error, the row is NOT committed', async () => {
    const c = await viaProxy();
    await c.query('begin');
    await c.query('insert into t values (2)');
    const rule = proxy.onClientData(/\bcommit\b/i, 'reset-before', { once: true });
    expect(await within(failure(c.query('commit')), 5000, 'commit')).toBeInstanceOf(Error);
    expect(rule.fired).toBe(1);
    expect(await mariadbQuery(db.name, 'select id from t where id = 2')).toEqual([]);
  });

  test('killConnections ends the connections on the scratch database, and only there', async () => {
    const a = await viaProxy();
    const b = await viaProxy();
    expect(await killConnections(db.name)).toBe(2);
    expect(await within(failure(a.query('select 1')), 5000)).toBeInstanceOf(Error);
    expect(await within(failure(b.query('select 1')), 5000)).toBeInstanceOf(Error);
    await expect(killConnections('test')).rejects.toThrow(/not a scratch database/);
  });
});
