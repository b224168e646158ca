import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NODE_NEEDED, nodeVersionProblem } from '../src/node-version.js';

/** A Node.js binary older than 22.17 on this machine (PATH, /usr/bin, /usr/local/bin), if there is one. */
function oldNode(): { path: string; version: string } | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const path of new Set(dirs.filter(Boolean).map((d) => join(d, 'node')))) {
    if (!existsSync(path)) continue;
    try {
      const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
      if (nodeVersionProblem(version)) return { path, version };
    } catch {
      // Not runnable here: try the next one.
    }
  }
  return undefined;
}

const old = oldNode();
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('@kosha/orm-mikro on an old Node.js', () => {
  it('the version it needs is the one package.json engines says', () => {
    const engines = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines;
    expect(engines.node).toBe(`>=${NODE_NEEDED.replace(/\.0$/, '')}`);
  });

  it.each(['20.20.2', '22.16.0', '18.19.1', '21.7.3'])('Node.js %s is too old', (version) => {
    const problem = nodeVersionProblem(version, '/opt/node/bin/node');
    expect(problem).toContain(`Node.js v${version} (/opt/node/bin/node)`);
    expect(problem).toContain('needs Node.js >= 22.17');
    expect(problem).toContain('nvm install 24');
    expect(problem).toContain('npm i -D node@24');
  });

  it.each(['22.17.0', '22.18.1', '23.0.0', '24.9.0', '25.1.0'])('Node.js %s is new enough', (version) => {
    expect(nodeVersionProblem(version)).toBeUndefined();
  });

  it.skipIf(!old)(
    old
      ? `importing the built package with ${old.path} (v${old.version}) throws a ConfigError saying what to do`
      : 'importing the built package on an old Node (skipped: no Node.js older than 22.17 on this machine)',
    () => {
      expect(existsSync(built), 'build @kosha/orm-mikro first (turbo run build)').toBe(true);
      const script = `import(${JSON.stringify(built)}).then(
        () => console.log(JSON.stringify({ imported: true })),
        (e) => console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })),
      );`;
      const run = spawnSync(old!.path, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      // Not a crash (better-sqlite3 13 segfaults on Node 20: status null, signal SIGSEGV).
      expect(run.signal).toBeNull();
      expect(run.status, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      expect(result).toMatchObject({ name: 'ConfigError', code: 'KOSHA_CONFIG' });
      expect(result.message).toContain(`this is Node.js v${old!.version} (${old!.path})`);
      expect(result.message).toContain('needs Node.js >= 22.17');
      expect(result.message).toContain('nvm install 24');
    },
  );
});
