import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when a `redis-server` binary is on PATH (the fault, Sentinel and Cluster tests start their own). */
export function hasRedisServer(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI)
      throw new Error('redis-server is not installed, and CI never skips the Redis process tests.');
    console.warn('[kosha] redis-server not found: skipping the tests that start their own Redis processes.');
    return false;
  }
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Resolves once something on `port` answers `PING` (or, with `sentinel`, once it accepts connections). */
export async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      const done = (v: boolean) => {
        s.destroy();
        resolve(v);
      };
      s.setTimeout(500, () => done(false));
      s.once('error', () => done(false));
      s.once('data', (d) => done(d.toString().startsWith('+PONG')));
      s.connect(port, '127.0.0.1', () => s.write('PING\r\n'));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing answered PING on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A redis-server child process of this test run (never the shared one on 6379). */
export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL: an outage, not a shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /**
   * Freezes the server (SIGSTOP to this child's pid, never any other process): its connections stay
   * open and the kernel still accepts new ones, but nothing is answered. Its data is kept.
   */
  pause(): void;
  /** Lets a paused server run again (SIGCONT): it answers what it was sent meanwhile. */
  resume(): void;
}

/**
 * Starts `redis-server` on a spare port, keeping nothing on disk. `leading` goes first on the command
 * line, where redis-server wants a configuration file (`[file, '--sentinel']`).
 */
export async function startRedis(
  extra: string[] = [],
  port?: number,
  leading: string[] = [],
): Promise<RedisProcess> {
  const p = port ?? (await freePort());
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        ...leading,
        '--port',
        String(p),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        ...extra,
      ],
      { stdio: 'ignore' },
    );
    await waitForPing(p);
  };
  let paused = false;
  const signal = (name: 'SIGSTOP' | 'SIGCONT') => {
    if (!child || child.exitCode !== null || child.pid === undefined)
      throw new Error('redis-server is not running');
    child.kill(name);
    paused = name === 'SIGSTOP';
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL'); // a stopped process is killed too
    paused = false;
    await exited;
  };
  await start();
  return {
    port: p,
    url: `redis://127.0.0.1:${p}/0`,
    start,
    stop,
    pause: () => signal('SIGSTOP'),
    resume: () => {
      if (paused) signal('SIGCONT');
    },
  };
}

/** A directory for the config files Sentinel and Cluster nodes write. */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'kosha-redis-'));
}

/** Writes a file and returns its path. */
export function writeConfig(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
