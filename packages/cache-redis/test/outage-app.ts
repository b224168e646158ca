import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const APP = fileURLToPath(new URL('./fixtures/outage-app.mjs', import.meta.url));

/**
 * Runs test/fixtures/outage-app.mjs in a process of its own: with `outage`, it connects first, then
 * `outage` runs (kill or pause Redis), then the app goes on. Resolves with its timings and how long
 * it lived after its `close()`, or `undefined` when it had not exited after 15 s (it is killed then).
 */
export async function runApp(
  url: string,
  commandTimeout: number,
  outage?: () => unknown,
): Promise<{ ms: Record<string, number>; lingerMs: number } | undefined> {
  const args = [APP, url, String(commandTimeout), ...(outage ? ['--connect-first'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let started = false;
  child.stdout.on('data', (d) => {
    out += d;
    if (outage && !started && out.startsWith('connected\n')) {
      started = true;
      void Promise.resolve(outage()).then(() => child.stdin.write('go\n'));
    }
  });
  const exitedAt = await new Promise<number | undefined>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // our own child, hung
      resolve(undefined);
    }, 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(Date.now());
    });
  });
  if (exitedAt === undefined || child.exitCode !== 0) return undefined;
  const report = JSON.parse(out.trim().split('\n').at(-1)!) as {
    ms: Record<string, number>;
    closedAt: number;
  };
  return { ms: report.ms, lingerMs: exitedAt - report.closedAt };
}
