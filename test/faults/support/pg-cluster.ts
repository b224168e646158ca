import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import pg from 'pg';

const VERSION = '15';
const PREFIX = 'kosha-faults-';
const STALE_MS = 60 * 60 * 1000;
const ETC = `/etc/postgresql/${VERSION}`;
const DATA = `/var/lib/postgresql/${VERSION}`;
const BINARIES = ['pg_createcluster', 'pg_ctlcluster', 'pg_dropcluster', 'pg_lsclusters'];
// 54xx-56xx, as the suite's convention: far from the ephemeral range, and 5432 is excluded below.
const PORT_LOW = 5400;
const PORT_SPAN = 300;
// A valid locale whatever the caller's environment says (pg_createcluster refuses a bad one);
// the skip variable keeps pg_ctlcluster off systemctl on hosts where systemd runs.
const ENV = { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', _SYSTEMCTL_SKIP_REDIRECT: '1' };

/** How `stop()` shuts the server down: `immediate` is a crash (recovery at next start), `fast` is clean. */
export type StopMode = 'immediate' | 'fast';

/** Which client backends `terminateBackends()` ends; every given field must match. */
export interface BackendFilter {
  /** Only backends connected to this database. */
  database?: string;
  /** Only backends whose `application_name` is this. */
  applicationName?: string;
  /** Only backends in this `pg_stat_activity.state` (e.g. `'idle in transaction'`). */
  state?: string;
}

/** A throwaway PostgreSQL 15 cluster owned by one test file. */
export interface PgCluster {
  /** Cluster name, `kosha-faults-<epoch seconds>-<pid>-<random>`. */
  readonly name: string;
  /** TCP port on 127.0.0.1. */
  readonly port: number;
  /** `postgresql://postgres@127.0.0.1:PORT/test` (trust auth, no password). */
  readonly url: string;
  /** The server's log file, for post-mortems. */
  readonly logFile: string;
  /** Stops the server; `immediate` (the default) is a crash, `fast` a clean shutdown. No-op when stopped. */
  stop(mode?: StopMode): Promise<void>;
  /** Starts the server and waits until it accepts connections. No-op when running. */
  start(): Promise<void>;
  /** Stops (`immediate` by default), stays down `downMs`, starts again. */
  restart(options?: { downMs?: number; mode?: StopMode }): Promise<void>;
  /** `pg_terminate_backend` on every matching client backend except the caller's own; returns how many ended. */
  terminateBackends(filter?: BackendFilter): Promise<number>;
  /** Runs one statement on a fresh admin connection to `test` (closed afterwards); returns the rows. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<R[]>;
  /** Stops and deletes the cluster (bounded in time); safe to call twice. */
  drop(): Promise<void>;
  /** Same as `drop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

interface RunResult {
  code: number | null;
  output: string;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: ENV, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (!error) return resolve({ code: 0, output });
      const timedOut = (error as { killed?: boolean }).killed;
      const code = typeof error.code === 'number' ? error.code : null;
      resolve({
        code,
        output: timedOut ? `timed out after ${timeoutMs} ms. ${output}` : output || error.message,
      });
    });
  });
}

async function runOk(
  cmd: string,
  args: string[],
  timeoutMs: number,
  okCodes: number[] = [0],
): Promise<string> {
  const r = await run(cmd, args, timeoutMs);
  if (r.code === null || !okCodes.includes(r.code)) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code ?? 'none'}): ${r.output}`);
  }
  return r.output;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .concat('/usr/bin', '/usr/sbin')
    .some((dir) => dir && existsSync(join(dir, bin)));
}

let announced = false;

/**
 * Whether this machine can make throwaway clusters (postgresql-common, PostgreSQL 15, root).
 * Outside CI a missing piece skips with one console line; under `CI` it throws.
 */
export function pgClustersAvailable(): boolean {
  const missing = BINARIES.filter((b) => !onPath(b));
  if (!existsSync(`/usr/lib/postgresql/${VERSION}/bin/postgres`)) missing.push(`postgresql-${VERSION}`);
  const why = missing.length
    ? `missing ${missing.join(', ')}`
    : process.getuid?.() !== 0
      ? 'not running as root'
      : '';
  if (!why) return true;
  if (process.env.CI) {
    throw new Error(`The PostgreSQL fault cases cannot run (${why}) and CI never skips them.`);
  }
  if (!announced) {
    announced = true;
    console.warn(`[fault] skipping the PostgreSQL fault cases: ${why} (CI runs them).`);
  }
  return false;
}

function listClusters(): { name: string; port: number }[] {
  const r = spawnSync('pg_lsclusters', ['-h'], { env: ENV, encoding: 'utf8', timeout: 10_000 });
  return (r.stdout ?? '')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[0] === VERSION && cols[1])
    .map((cols) => ({ name: cols[1]!, port: Number(cols[2]) }));
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** A free port in 5400-5699 that no cluster of any version is configured for (a probe: bind it soon). */
export async function freePgPort(): Promise<number> {
  // Ports any cluster of any version is configured for stay out, running or not.
  const taken = new Set([5432, ...listClusters().map((c) => c.port)]);
  const offset = randomBytes(2).readUInt16BE() % PORT_SPAN;
  for (let i = 0; i < PORT_SPAN; i++) {
    const port = PORT_LOW + ((offset + i) % PORT_SPAN);
    if (taken.has(port) || existsSync(`/var/run/postgresql/.s.PGSQL.${port}`)) continue;
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${PORT_LOW}-${PORT_LOW + PORT_SPAN - 1}`);
}

const live = new Map<string, Cluster>();
let hooked = false;

function dropSync(name: string): void {
  const opts = { env: ENV, timeout: 10_000, killSignal: 'SIGKILL' as const, stdio: 'ignore' as const };
  spawnSync('pg_ctlcluster', ['-m', 'immediate', VERSION, name, 'stop'], opts);
  spawnSync('pg_dropcluster', [VERSION, name], opts);
}

// A test process that exits drops what it made; one that is killed outright (vitest SIGKILLs its
// workers on cancel) is covered by a detached watchdog per cluster, which drops the cluster once
// this process is gone.
function installExitHook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    // Watchdogs stay alive: if this process is killed during the drop, they finish it.
    for (const name of live.keys()) dropSync(name);
    live.clear();
  });
}

function startWatchdog(name: string): ChildProcess | undefined {
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
    `timeout -s KILL 15 pg_ctlcluster -m immediate ${VERSION} "$0" stop`,
    `timeout -s KILL 20 pg_dropcluster --stop ${VERSION} "$0"`,
  ].join('\n');
  try {
    const child = spawn('sh', ['-c', script, name], { env: ENV, detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
    return child;
  } catch {
    return undefined;
  }
}

function createdAt(name: string): number | undefined {
  const m = /^kosha-faults-(\d+)-/.exec(name);
  return m ? Number(m[1]) * 1000 : undefined;
}

/**
 * Drops `kosha-faults-*` clusters older than `maxAgeMs` (1 hour by default) that a crashed run
 * left behind; returns their names. `startPgCluster()` calls it once per process.
 */
export async function sweepStalePgClusters(maxAgeMs = STALE_MS): Promise<string[]> {
  if (!existsSync(ETC)) return [];
  const stale = readdirSync(ETC).filter((name) => {
    const at = createdAt(name);
    return name.startsWith(PREFIX) && at !== undefined && Date.now() - at > maxAgeMs && !live.has(name);
  });
  for (const name of stale) await dropBounded(name);
  return stale;
}

let swept: Promise<unknown> | undefined;

async function dropBounded(name: string): Promise<void> {
  await run('pg_ctlcluster', ['-m', 'immediate', VERSION, name, 'stop'], 15_000);
  let r = await run('pg_dropcluster', ['--stop', VERSION, name], 20_000);
  if (r.code !== 0 && existsSync(join(ETC, name))) {
    // A postmaster that ignores stop: kill this cluster's own postmaster (its pid file is in our
    // data directory), then try once more.
    const pidFile = join(DATA, name, 'postmaster.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
    if (pid > 1) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
      await sleep(500);
    }
    r = await run('pg_dropcluster', ['--stop', VERSION, name], 10_000);
  }
  if (existsSync(join(ETC, name))) throw new Error(`could not drop cluster ${VERSION}/${name}: ${r.output}`);
}

class Cluster implements PgCluster {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
  private dropping: Promise<void> | undefined;
  private readonly watchdog: ChildProcess | undefined;

  constructor(name: string, port: number) {
    this.name = name;
    this.port = port;
    this.watchdog = startWatchdog(name);
    this.url = `postgresql://postgres@127.0.0.1:${port}/test`;
    this.logFile = `/var/log/postgresql/postgresql-${VERSION}-${name}.log`;
  }

  private ensureLive(): void {
    if (this.dropping) throw new Error(`cluster ${this.name} was dropped`);
  }

  async stop(mode: StopMode = 'immediate'): Promise<void> {
    this.ensureLive();
    // Exit code 2: it was not running.
    await runOk('pg_ctlcluster', ['-m', mode, VERSION, this.name, 'stop'], 30_000, [0, 2]);
  }

  async start(): Promise<void> {
    this.ensureLive();
    // Exit code 2: it was already running.
    await runOk('pg_ctlcluster', [VERSION, this.name, 'start'], 60_000, [0, 2]);
  }

  async restart({
    downMs = 0,
    mode = 'immediate',
  }: {
    downMs?: number;
    mode?: StopMode;
  } = {}): Promise<void> {
    await this.stop(mode);
    if (downMs > 0) await sleep(downMs);
    await this.start();
  }

  async terminateBackends(filter: BackendFilter = {}): Promise<number> {
    // Materialized first, so the planner can never call pg_terminate_backend on a row the filter
    // would have rejected; the 5 s argument waits until each backend has really exited.
    const rows = await this.query<{ n: number }>(
      `with victims as materialized (
         select pid from pg_stat_activity
         where backend_type = 'client backend' and pid <> pg_backend_pid()
           and ($1::text is null or datname = $1)
           and ($2::text is null or application_name = $2)
           and ($3::text is null or state = $3))
       select (count(*) filter (where pg_terminate_backend(pid, 5000)))::int as n from victims`,
      [filter.database ?? null, filter.applicationName ?? null, filter.state ?? null],
    );
    return rows[0]?.n ?? 0;
  }

  async query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<R[]> {
    this.ensureLive();
    return adminQuery<R>(this.port, 'test', sql, params);
  }

  drop(): Promise<void> {
    this.dropping ??= dropBounded(this.name).finally(() => {
      live.delete(this.name);
      this.stopWatchdog();
    });
    return this.dropping;
  }

  /** Ends this cluster's watchdog (only ours: the child we spawned). */
  stopWatchdog(): void {
    const w = this.watchdog;
    if (!w?.pid || w.exitCode !== null || w.signalCode !== null) return;
    try {
      // Its own process group (detached): the shell and its `sleep` go together.
      process.kill(-w.pid, 'SIGKILL');
    } catch {}
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.drop();
  }
}

async function adminQuery<R>(port: number, database: string, sql: string, params?: unknown[]): Promise<R[]> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database,
    application_name: 'kosha-faults-admin',
    connectionTimeoutMillis: 5_000,
    query_timeout: 30_000,
  });
  // A server stopped under this client must reject the query, not crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    const result = await client.query(sql, params);
    return result.rows as R[];
  } finally {
    await Promise.race([client.end().catch(() => {}), sleep(2_000)]);
  }
}

const SETTINGS = `
# kosha faults: a throwaway cluster, loopback only, small and quick to start.
listen_addresses = '127.0.0.1'
max_connections = 50
shared_buffers = 16MB
fsync = off
ssl = off
`;

// Trust for local and loopback; replication lines so a case can hang a streaming replica off it.
const HBA = `local all all trust
host all all 127.0.0.1/32 trust
local replication all trust
host replication all 127.0.0.1/32 trust
`;

async function createOnce(): Promise<Cluster> {
  const name = `${PREFIX}${Math.floor(Date.now() / 1000)}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const port = await freePgPort();
  const cluster = new Cluster(name, port);
  live.set(name, cluster);
  try {
    await runOk(
      'pg_createcluster',
      [VERSION, name, '-p', String(port), '--start-conf', 'manual', '--', '--no-sync'],
      60_000,
    );
    appendFileSync(join(ETC, name, 'postgresql.conf'), SETTINGS);
    writeFileSync(join(ETC, name, 'pg_hba.conf'), HBA);
    await cluster.start();
    await adminQuery(port, 'postgres', 'create database test');
    return cluster;
  } catch (error) {
    const log = existsSync(cluster.logFile) ? readFileSync(cluster.logFile, 'utf8').slice(-2000) : '';
    await cluster.drop().catch(() => {});
    throw new Error(`${(error as Error).message}${log ? `\n--- ${cluster.logFile} ---\n${log}` : ''}`);
  }
}

/**
 * Creates and starts a throwaway PostgreSQL 15 cluster on a free port in 5400-5699 (root only),
 * with database `test`. Call `drop()` in `afterAll`; a process that exits or is killed has its
 * clusters dropped (exit hook, watchdog), and the next run drops any older than an hour.
 */
export async function startPgCluster(): Promise<PgCluster> {
  if (!pgClustersAvailable()) throw new Error('throwaway PostgreSQL clusters are not available here');
  installExitHook();
  swept ??= sweepStalePgClusters().catch((error) => console.warn(`[fault] sweep: ${error.message}`));
  await swept;
  // Another process may take the probed port before the server binds it: try a new one.
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await createOnce();
    } catch (error) {
      last = error;
    }
  }
  throw last;
}
