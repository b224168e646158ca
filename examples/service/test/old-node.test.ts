import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** A Node.js binary older than 22.17 on this machine (PATH, /usr/bin, /usr/local/bin), if there is one. */
function oldNode(): { path: string; version: string } | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const path of new Set(dirs.filter(Boolean).map((d) => join(d, 'node')))) {
    if (!existsSync(path)) continue;
    try {
      const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
      const [major = 0, minor = 0] = version.split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 17)) return { path, version };
    } catch {
      // Not runnable here: try the next one.
    }
  }
  return undefined;
}

const old = oldNode();
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('the demo on an old Node.js', () => {
  it.skipIf(!old)(
    old
      ? `node dist/main.js with ${old.path} (v${old.version}) says which Node it needs and exits 1`
      : 'node dist/main.js on an old Node (skipped: no Node.js older than 22.17 on this machine)',
    () => {
      expect(existsSync(main), 'build the demo first (turbo run build)').toBe(true);
      const run = spawnSync(old!.path, [main], { encoding: 'utf8', timeout: 30_000 });
      // Not a crash: better-sqlite3 13 segfaults on Node 20 (status null, signal SIGSEGV).
      expect(run.signal).toBeNull();
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('Kosha demo: @kosha/orm-mikro needs Node.js >= 22.17');
      expect(run.stderr).toContain(`this is Node.js v${old!.version}`);
      expect(run.stderr).toContain('nvm install 24');
      // The message alone, no stack trace.
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stdout).toBe('');
    },
  );
});
